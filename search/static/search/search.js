// Vitrine search page: photo drop zone with preview, and click logging for result links.
(function () {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setUpDropZone(form) {
    var input = form.querySelector("input[type=file]");
    var zone = form.querySelector("[data-drop-zone]");
    var preview = form.querySelector("[data-preview]");
    var text = zone && zone.querySelector(".drop-zone-text");
    var clear = form.querySelector("[data-clear-photo]");
    if (!input || !zone || !preview || !clear) return;
    var initialText = text.textContent;
    var previewUrl = null;

    // The label is the one keyboard stop for the photo; the input is hidden behind it.
    form.classList.add("has-drop-zone");
    input.tabIndex = -1;
    zone.tabIndex = 0;
    zone.setAttribute("role", "button");

    function showPhoto() {
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = null;
      var file = input.files && input.files[0];
      preview.hidden = !file;
      clear.hidden = !file;
      if (!file) {
        preview.removeAttribute("src");
        text.textContent = initialText;
        return;
      }
      previewUrl = URL.createObjectURL(file);
      preview.src = previewUrl;
      preview.alt = "Preview of " + file.name;
      text.textContent = "Photo: " + file.name + " (drop or choose another to replace it)";
    }

    zone.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        input.click();
      }
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("is-dragging");
      });
    });
    zone.addEventListener("dragleave", function () {
      zone.classList.remove("is-dragging");
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("is-dragging");
      var file = Array.prototype.find.call(event.dataTransfer.files, function (candidate) {
        return candidate.type.indexOf("image/") === 0;
      });
      if (!file) return;
      var transfer = new DataTransfer();
      transfer.items.add(file);
      input.files = transfer.files;
      showPhoto();
    });
    input.addEventListener("change", showPhoto);
    clear.addEventListener("click", function () {
      input.value = "";
      showPhoto();
      zone.focus();
    });
    showPhoto();
  }

  function logClicks(list) {
    function send(event) {
      var link = event.target.closest("a[data-product]");
      if (!link || (event.type === "auxclick" && event.button !== 1)) return;
      // The answer's signed token says what was shown, where, for which query.
      var body = new URLSearchParams({
        token: list.dataset.token,
        product: link.dataset.product,
        action: "click",
      });
      // keepalive: the request outlives the page the click navigates away from.
      fetch(list.dataset.eventsUrl, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
        keepalive: true,
      }).catch(function () {});
    }
    list.addEventListener("click", send);
    list.addEventListener("auxclick", send);
  }

  var form = document.querySelector("[data-search-form]");
  if (form) setUpDropZone(form);
  // The matches, and the nearest products past them: one answer, one token.
  document.querySelectorAll("[data-search-results]").forEach(logClicks);
})();
