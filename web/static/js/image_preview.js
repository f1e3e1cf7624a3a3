/* Image fields (`data-preview="<img id>"`): show the chosen picture before it is sent,
   read as a data: URL (the CSP allows data: images); where a row was added (`data-focus`
   on the form), move the keyboard there. Without JavaScript, the picture shows once saved. */
(function () {
  "use strict";
  function preview(input) {
    var target = document.getElementById(input.getAttribute("data-preview"));
    if (!target) {
      return;
    }
    var file = input.files && input.files[0];
    if (!file || !/^image\//.test(file.type)) {
      target.hidden = true;
      target.removeAttribute("src");
      return;
    }
    var reader = new FileReader();
    reader.addEventListener("load", function () {
      target.src = reader.result;
      target.hidden = false;
    });
    reader.readAsDataURL(file);
  }
  function ready() {
    var inputs = document.querySelectorAll("input[type=file][data-preview]");
    Array.prototype.forEach.call(inputs, function (input) {
      input.addEventListener("change", function () { preview(input); });
    });
    var form = document.querySelector("form[data-focus]");
    if (form) {
      var row = document.getElementById(form.getAttribute("data-focus"));
      var first = row && row.querySelector("input:not([type=hidden])");
      if (first) {
        first.focus();
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
}());
