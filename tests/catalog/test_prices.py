"""Prices as shoppers read them (Babel: the currency's own decimals, the active language's way
of writing money), and prices refused when finer than their currency counts."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from catalog.currencies import format_price
from catalog.models import Product
from tests.api_helpers import assert_error, token_client
from tests.catalog.test_import_catalog import run_import, write_csv
from tests.conftest import jpeg_bytes

JPY_WITH_DECIMALS = "Prices in JPY are whole numbers, without decimals: not 1200.50."


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "written"),
    [
        ("1200.00", "JPY", "en_US", "¥1,200"),
        ("34.99", "USD", "en_US", "$34.99"),
        ("1234.5", "USD", "en_US", "$1,234.50"),
        ("12.5", "EUR", "en_US", "€12.50"),
        ("12.5", "EUR", "de", "12,50\xa0€"),
        ("1234.5", "USD", "de", "1.234,50\xa0$"),
    ],
)
def test_a_price_is_written_with_its_currency_s_decimals_in_the_locale(
    amount, currency, locale, written
):
    assert format_price(Decimal(amount), currency, locale) == written


def test_a_three_decimal_currency_shows_three_decimals():
    written = format_price(Decimal("12.5"), "KWD", "en_US")
    assert "KWD" in written and written.endswith("12.500")


def test_the_active_language_chooses_the_locale_and_no_price_is_on_request():
    assert format_price(Decimal("12.5"), "EUR") == "€12.50"  # LANGUAGE_CODE "en-us"
    with translation.override("de"):
        assert format_price(Decimal("12.5"), "EUR") == "12,50\xa0€"
    assert format_price(None, "JPY") == "Price on request"


def test_pages_show_yen_without_decimals_and_json_ld_too(client, make_product):
    product = make_product(title="Tea bowl", price=Decimal("1200"), currency="JPY")
    page = client.get(product.get_absolute_url()).content.decode()
    assert "¥1,200" in page and "¥1,200.00" not in page
    assert '"price": "1200"' in page and '"priceCurrency": "JPY"' in page
    home = client.get(reverse("catalog:home")).content.decode()
    assert '<span class="card-price">¥1,200</span>' in home


def test_the_site_s_language_code_sets_how_pages_write_prices(client, make_product, settings):
    settings.LANGUAGE_CODE = "de"
    product = make_product(price=Decimal("1234.5"), currency="USD")
    assert "1.234,50\xa0$" in client.get(product.get_absolute_url()).content.decode()


def test_a_yen_price_with_decimals_is_refused_by_the_catalogue(make_product):
    with pytest.raises(ValidationError) as refused:
        make_product("JP-1", price=Decimal("1200.50"), currency="JPY")
    assert refused.value.message_dict == {"price": [JPY_WITH_DECIMALS]}
    assert not Product.objects.filter(sku="JP-1").exists()
    # Two decimal places that are zero are a whole number: 1200.00 yen is ¥1,200.
    assert make_product("JP-2", price=Decimal("1200.00"), currency="JPY").price == 1200


def test_a_yen_price_with_decimals_is_a_form_error_in_the_dashboard(client, merchant):
    client.force_login(merchant.user)
    form = {
        "sku": "JP-1",
        "title": "Tea bowl",
        "category_path": "",
        "price": "1200.50",
        "currency": "JPY",
        "stock": "5",
        "status": "active",
    }
    response = client.post(reverse("merchant:product_create"), form)
    assert response.status_code == 200 and JPY_WITH_DECIMALS in response.content.decode()
    assert not Product.objects.exists()
    client.post(reverse("merchant:product_create"), {**form, "price": "1200"})
    assert Product.objects.get(sku="JP-1").price == 1200


def test_a_yen_price_with_decimals_answers_400_in_the_api(merchant, make_product):
    api = token_client(merchant)
    body = {"sku": "JP-1", "title": "Tea bowl", "price": "1200.50", "currency": "JPY"}
    response = api.post("/api/v1/merchant/products/", body, format="json")
    error = assert_error(response, 400, "bad_price_decimals", fields={"price"})
    assert error["fields"]["price"] == [JPY_WITH_DECIMALS]
    # Changing a priced product's currency checks its price too.
    make_product("USD-1", price=Decimal("19.99"))
    response = api.patch("/api/v1/merchant/products/USD-1/", {"currency": "JPY"}, format="json")
    assert_error(response, 400, "bad_price_decimals", fields={"price"})
    assert Product.objects.get(sku="USD-1").currency == "USD"


def test_a_yen_price_with_decimals_is_a_rejected_row_of_the_import(db, tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    (images / "red.jpg").write_bytes(jpeg_bytes())
    rows = [
        ["JP-1", "Tea bowl", "", "", "red.jpg", "1200.50", "JPY", "1"],
        ["JP-2", "Tea cup", "", "", "red.jpg", "800", "JPY", "1"],
    ]
    _, err, status = run_import(write_csv(tmp_path / "c.csv", rows), images)
    assert status == 1
    assert f"line 2: price: {JPY_WITH_DECIMALS}" in err
    assert list(Product.objects.values_list("sku", "price")) == [("JP-2", Decimal("800.00"))]
