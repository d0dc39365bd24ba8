// Social assistance pages: "select all" for bulk approval. No inline handlers (strict CSP holds).
(function () {
  "use strict";
  document.querySelectorAll("input[data-check-all]").forEach(function (master) {
    var name = master.getAttribute("data-check-all");
    var form = master.closest("form");
    master.addEventListener("change", function () {
      form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = master.checked;
      });
    });
  });
})();
