// Product photos: a thumbnail (click, or the arrow keys anywhere in the gallery) shows that photo
// as the main one; the main photo opens full size in a dialog, which Escape or its button closes.
// Without the script every photo is a link to its full-size file.
(function () {
  "use strict";

  function setUp(gallery) {
    var main = gallery.querySelector("[data-main-photo]");
    var zoomLink = gallery.querySelector("[data-zoom]");
    var thumbnails = Array.prototype.slice.call(gallery.querySelectorAll("[data-photo]"));
    if (!main || !zoomLink) return;
    var current = 0;

    function show(index) {
      if (!thumbnails.length) return;
      current = (index + thumbnails.length) % thumbnails.length;
      var chosen = thumbnails[current];
      thumbnails.forEach(function (thumbnail) {
        thumbnail.removeAttribute("aria-current");
      });
      chosen.setAttribute("aria-current", "true");
      main.src = chosen.getAttribute("data-photo");
      main.alt = chosen.querySelector("img").alt;
      zoomLink.href = main.getAttribute("src");
    }

    thumbnails.forEach(function (thumbnail, index) {
      thumbnail.addEventListener("click", function (event) {
        event.preventDefault();
        show(index);
      });
    });
    gallery.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        show(current + (event.key === "ArrowRight" ? 1 : -1));
        thumbnails[current].focus();
      }
    });

    var dialog = document.createElement("dialog");
    dialog.className = "photo-zoom";
    dialog.setAttribute("aria-label", "Photo, full size");
    var full = document.createElement("img");
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", function () {
      dialog.close();
    });
    dialog.appendChild(full);
    dialog.appendChild(close);
    gallery.appendChild(dialog);
    zoomLink.addEventListener("click", function (event) {
      event.preventDefault();
      full.src = main.getAttribute("src");
      full.alt = main.alt;
      dialog.showModal(); // Escape closes a modal dialog by itself
      close.focus();
    });
    dialog.addEventListener("close", function () {
      zoomLink.focus();
    });
  }

  document.querySelectorAll("[data-gallery]").forEach(setUp);
})();
