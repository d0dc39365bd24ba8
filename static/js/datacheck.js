// Data checking: a page showing work in progress (a cross-check run, an extract being checked)
// follows it through the API and reloads when it is done. No inline handlers (a strict
// Content-Security-Policy holds); the session authenticates the API call.
(function () {
  "use strict";
  var box = document.querySelector("[data-poll]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-url");
  var waiting = (box.getAttribute("data-waiting") || "").split(" ");
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
      .then(function (data) {
        if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
        if (text) { text.textContent = data.progress + "%"; }
        if (items && data.items_created !== undefined) { items.textContent = String(data.items_created); }
        if (waiting.indexOf(data.status) === -1) {
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
