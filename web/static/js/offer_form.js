/* The deal form: once a type is chosen, show only the value it needs (the amount, the rate
   or the promo code). Without JavaScript the three fields stay, each saying which type it
   is for; the page sends only the chosen type's value. */
(function () {
  "use strict";
  function update(form) {
    var chosen = form.querySelector("input[name=type]:checked");
    var blocks = form.querySelectorAll("[data-for-type]");
    Array.prototype.forEach.call(blocks, function (block) {
      block.hidden = Boolean(chosen) && block.getAttribute("data-for-type") !== chosen.value;
    });
  }
  function ready() {
    var form = document.getElementById("offer-form");
    if (!form || !form.querySelector("[data-for-type]")) {
      return;
    }
    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "type") {
        update(form);
      }
    });
    update(form);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
}());
