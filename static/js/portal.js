// The portal's own script: no inline handlers, so a strict Content-Security-Policy holds.
(function () {
  "use strict";

  // Language switch submits on change.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Confirm destructive forms.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // Formsets: "add a row" clones the empty-form template and bumps TOTAL_FORMS.
  document.querySelectorAll("button[data-formset]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset");
    var form = button.closest("form");
    var total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var template = form.querySelector("template");
    var tbody = form.querySelector("tbody");
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      tbody.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = tbody.lastElementChild.querySelector("input");
      if (first) { first.focus(); }
    });
  });
})();
