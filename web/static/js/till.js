/* The till's camera scan: a phone or a laptop with a camera reads the card's QR code.
   Frames of the video are drawn to a canvas every 100 ms and decoded by jsQR (vendored);
   the first code read fills the card field and submits its form. Without a camera,
   getUserMedia or jsQR, the scan button stays hidden and the field works as typed.
   No inline script, no eval: the page's CSP allows only this origin's files. */
(function () {
  "use strict";

  var INTERVAL_MS = 100;

  function scanner(root) {
    var box = root.querySelector("#scan");
    var button = root.querySelector("#scan-button");
    var video = root.querySelector("#scan-video");
    var status = root.querySelector("#scan-status");
    var field = root.querySelector("#card-code");
    if (!box || !button || !video || !field || button.dataset.ready) {
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia ||
        typeof window.jsQR !== "function") {
      return;
    }
    button.dataset.ready = "1";
    box.hidden = false;
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var stream = null;
    var timer = null;

    function stop(message) {
      if (timer !== null) {
        window.clearInterval(timer);
        timer = null;
      }
      if (stream !== null) {
        stream.getTracks().forEach(function (track) { track.stop(); });
        stream = null;
      }
      video.hidden = true;
      button.textContent = "Scanner le QR code avec la caméra";
      button.setAttribute("aria-expanded", "false");
      status.textContent = message || "";
    }

    function tick() {
      if (video.readyState < 2 || !video.videoWidth) {
        return;
      }
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, {
        inversionAttempts: "dontInvert"
      });
      if (found && found.data) {
        stop("QR code lu.");
        field.value = found.data;
        var form = field.form;
        if (form.requestSubmit) {
          form.requestSubmit();
        } else {
          form.submit();
        }
      }
    }

    function start() {
      status.textContent = "Ouverture de la caméra…";
      navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" },
        audio: false
      }).then(function (opened) {
        stream = opened;
        video.srcObject = opened;
        video.hidden = false;
        button.textContent = "Arrêter la caméra";
        button.setAttribute("aria-expanded", "true");
        status.textContent = "Présentez le QR code de la carte devant la caméra.";
        return video.play();
      }).then(function () {
        timer = window.setInterval(tick, INTERVAL_MS);
      }).catch(function () {
        stop("La caméra n'est pas disponible : saisissez le code de la carte.");
      });
    }

    button.addEventListener("click", function () {
      if (stream !== null) {
        stop("");
      } else {
        start();
      }
    });
    // htmx replaces the till's body after each lookup: let the camera go with it.
    document.body.addEventListener("htmx:beforeSwap", function () { stop(""); }, { once: true });
  }

  function ready() {
    scanner(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  document.addEventListener("htmx:afterSettle", ready);
}());
