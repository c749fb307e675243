// Suggestions under the site's search box while a shopper types (ARIA combobox with a listbox):
// arrows move through them, Enter searches the one chosen, Escape closes them. Without the
// script the box is a plain search box.
(function () {
  "use strict";

  var DELAY_MS = 120; // a pause in typing, not every keystroke, asks for suggestions

  function setUp(input) {
    var url = input.getAttribute("data-suggest-url");
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!url || !list) return;
    var timer = null;
    var pending = null;
    var active = -1;

    function options() {
      return list.querySelectorAll("[role=option]");
    }

    function close() {
      list.hidden = true;
      list.textContent = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function choose(index) {
      var all = options();
      if (active >= 0 && all[active]) all[active].setAttribute("aria-selected", "false");
      active = index;
      if (index < 0 || !all[index]) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      all[index].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", all[index].id);
    }

    function searchFor(text) {
      input.value = text;
      close();
      input.form.submit();
    }

    function show(suggestions) {
      list.textContent = "";
      active = -1;
      suggestions.forEach(function (suggestion, index) {
        var option = document.createElement("li");
        option.id = list.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "suggestion suggestion-" + suggestion.source;
        option.textContent = suggestion.text; // text, never markup
        // mousedown, before the box loses focus and closes the list
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          searchFor(suggestion.text);
        });
        list.appendChild(option);
      });
      list.hidden = suggestions.length === 0;
      input.setAttribute("aria-expanded", suggestions.length ? "true" : "false");
    }

    function ask() {
      var typed = input.value;
      if (pending) pending.abort();
      if (typed.trim().length < 2) {
        close();
        return;
      }
      pending = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(typed), {
        headers: { Accept: "application/json" },
        signal: pending.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (body) {
          if (input.value === typed && document.activeElement === input) show(body.suggestions);
        })
        .catch(function () {}); // an aborted or failed request leaves the box as it is
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var count = options().length;
      if (event.key === "ArrowDown" && count) {
        event.preventDefault();
        choose((active + 1) % count);
      } else if (event.key === "ArrowUp" && count) {
        event.preventDefault();
        choose(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
        event.preventDefault();
        searchFor(options()[active].textContent);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  document.querySelectorAll("input[data-suggest-url]").forEach(setUp);
})();
