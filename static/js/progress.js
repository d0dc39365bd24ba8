// Pages showing work in progress (a payout run computing, an import being checked or written, a
// cross-check run, an extract being checked) follow it through a JSON URL and reload when it is done.
// Markup: an element with data-poll, data-url (the JSON: "status", "progress" 0-100 and any
// counters) and data-waiting (the statuses that mean "still working", space-separated); inside it an
// optional <progress>, [data-progress-text] and [data-count="field"] elements, kept up to date.
// No inline handlers (a strict Content-Security-Policy holds); the session authenticates the call.
(function () {
  "use strict";
  var box = document.querySelector("[data-poll]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-url");
  var waiting = (box.getAttribute("data-waiting") || "").split(" ");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var counters = box.querySelectorAll("[data-count]");
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
        Array.prototype.forEach.call(counters, function (counter) {
          var value = data[counter.getAttribute("data-count")];
          if (value !== undefined) { counter.textContent = String(value); }
        });
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
