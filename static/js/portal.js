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

  // Attachments: drop files on the zone (or pick them); the names show before the form is sent.
  document.querySelectorAll("form[data-dropzone]").forEach(function (form) {
    var zone = form.querySelector(".dropzone");
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector(".dropzone-files");
    function show() {
      var names = [];
      for (var i = 0; i < input.files.length; i++) { names.push(input.files[i].name); }
      list.textContent = names.join("、");
    }
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        show();
      }
    });
  });
})();
