// Import page: follows a job being checked or written (Celery) and reloads when it is done.
// No inline handlers (a strict Content-Security-Policy holds); the session authenticates the call.
(function () {
  "use strict";
  var box = document.querySelector("[data-import-progress]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var delay = 1000;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (job) {
        if (bar) { bar.value = job.progress; bar.textContent = job.progress + "%"; }
        if (text) { text.textContent = job.progress + "%"; }
        if (!job.running) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
