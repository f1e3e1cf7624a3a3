/* The ticket page's print button: shown only where JavaScript runs (without it, the page
   says to use the browser's Print command). */
(function () {
  "use strict";
  function ready() {
    var button = document.getElementById("print-button");
    if (!button) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
    var help = document.getElementById("print-help");
    if (help) {
      help.hidden = true;
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
}());
