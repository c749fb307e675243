// A product's options: as the shopper changes them, the page shows the chosen variant's price
// and stock, and the add-to-cart button is enabled only when that variant is in stock. Without
// the script the form's "Show price and stock" button reloads the page with the choice.
(function () {
  "use strict";

  function setUp(form) {
    var data = document.getElementById("variant-data");
    if (!data) return;
    var variants = JSON.parse(data.textContent);
    var selects = Array.prototype.slice.call(form.querySelectorAll("[data-option]"));
    var price = document.querySelector("[data-variant-price]");
    var stock = document.querySelector("[data-variant-stock]");
    var add = form.querySelector("[data-add]");
    var quantity = form.querySelector("input[name=quantity]");
    var show = form.querySelector("[data-show-choice]");
    if (show) show.hidden = true;

    function chosen() {
      return variants.find(function (variant) {
        return selects.every(function (select) {
          return variant.options[select.getAttribute("data-option")] === select.value;
        });
      });
    }

    function update() {
      var variant = chosen();
      if (!variant) {
        stock.textContent = "This combination is not sold";
      } else {
        price.textContent = variant.price;
        stock.textContent = variant.stock ? "In stock (" + variant.stock + ")" : "Out of stock";
        if (variant.stock) quantity.max = variant.stock;
      }
      add.disabled = !variant || !variant.stock;
      var url = new URL(window.location.href);
      selects.forEach(function (select) {
        url.searchParams.set(select.name, select.value);
      });
      window.history.replaceState(null, "", url);
    }

    selects.forEach(function (select) {
      select.addEventListener("change", update);
    });
  }

  document.querySelectorAll("[data-variant-form]").forEach(setUp);
})();
