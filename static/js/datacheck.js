// Cross-check run page: follows a running run through the API and reloads when it is done.
// No inline handlers (a strict Content-Security-Policy holds); the session authenticates the API call.
(function () {
  "use strict";
  var box = document.querySelector("[data-check-progress]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var items = box.querySelector("[data-items-text]");
  var delay = 1500;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (run) {
        if (bar) { bar.value = run.progress; bar.textContent = run.progress + "%"; }
        if (text) { text.textContent = run.progress + "%"; }
        if (items) { items.textContent = String(run.items_created); }
        if (run.status !== "queued" && run.status !== "running") {
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
