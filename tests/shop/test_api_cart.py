"""The cart through the shopper API: the same cart and the same rules as the cart page (within
the stock, one currency a cart, a variant for a product with variants), the shopper's own lines
only, and the page's rate limit."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.models import Product, Variant
from catalog.variants import VariantSpec
from shop.models import CartLine
from tests.api_helpers import assert_error, limit_rates
from tests.conftest import cotton_tee
from tests.shop.conftest import cart_of

CART = "/api/v1/cart/"
LINES = "/api/v1/cart/lines/"


def add(api: APIClient, product: object, quantity: object = None, variant: object = None):
    body = {"product": product}
    if quantity is not None:
        body["quantity"] = quantity
    if variant is not None:
        body["variant"] = variant
    return api.post(LINES, body, format="json")


def quantities(user) -> dict[str, int]:
    return {
        line.sku: line.quantity
        for line in CartLine.objects.filter(cart__user=user).select_related("product", "variant")
    }


@pytest.fixture
def tee(make_product) -> Product:
    return cotton_tee(make_product)


def test_a_round_trip_adds_changes_reads_and_removes(shopper_api, shopper, make_product):
    kurta = make_product("KURTA", title="Red kurta", price=Decimal("19.99"), stock=10)
    scarf = make_product("SCARF", title="Silk scarf", price=Decimal("5.50"), stock=10)
    created = add(shopper_api, kurta.pk, 2)
    assert created.status_code == 201, created.content
    line = created.json()
    assert line["product"]["id"] == kurta.pk and line["product"]["sku"] == "KURTA"
    assert line["product"]["url"].endswith(kurta.get_absolute_url())
    assert line["product"]["image"].startswith("http://testserver/")
    assert (line["variant"], line["quantity"], line["limited_from"]) == (None, 2, None)
    assert (line["unit_price"], line["currency"], line["line_total"]) == ("19.99", "USD", "39.98")
    again = add(shopper_api, kurta.pk)  # one unit by default, on the same line
    assert again.status_code == 200 and again.json()["id"] == line["id"]
    assert again.json()["quantity"] == 3
    assert add(shopper_api, scarf.pk, 4).status_code == 201

    cart = shopper_api.get(CART).json()
    assert [(item["product"]["title"], item["quantity"]) for item in cart["lines"]] == [
        ("Red kurta", 3),
        ("Silk scarf", 4),
    ]
    assert (cart["total"], cart["currency"]) == ("81.97", "USD")

    changed = shopper_api.patch(f"{LINES}{line['id']}/", {"quantity": 1}, format="json")
    assert changed.status_code == 200 and changed.json()["line_total"] == "19.99"
    assert shopper_api.delete(f"{LINES}{line['id']}/").status_code == 204
    assert_error(shopper_api.delete(f"{LINES}{line['id']}/"), 404, "not_found")
    assert quantities(shopper) == {"SCARF": 4}
    # The page shows the cart the API changed: one cart, whichever door.
    assert "Silk scarf" in shopper_api.get(reverse("shop:cart")).content.decode()


def test_an_empty_cart_reads_as_empty(shopper_api):
    assert shopper_api.get(CART).json() == {"lines": [], "total": "0.00", "currency": ""}


def test_a_line_never_holds_more_than_the_stock_and_says_what_was_asked(
    shopper_api, shopper, make_product
):
    product = make_product(stock=3)
    limited = add(shopper_api, product.pk, 5)
    assert limited.status_code == 201
    assert (limited.json()["quantity"], limited.json()["limited_from"]) == (3, 5)
    line_id = limited.json()["id"]
    more = shopper_api.patch(f"{LINES}{line_id}/", {"quantity": 7}, format="json")
    assert (more.json()["quantity"], more.json()["limited_from"]) == (3, 7)
    assert quantities(shopper) == {"SKU-1": 3}


def test_a_quantity_past_what_one_order_may_take_is_refused(
    shopper_api, shopper, make_product, settings
):
    settings.VITRINE_MAX_UNITS_PER_LINE = 4
    product = make_product(stock=50)
    assert_error(add(shopper_api, product.pk, 5), 400, "max_value", {"quantity"})
    line_id = add(shopper_api, product.pk, 3).json()["id"]
    # Adding up past the cap holds the cap, as the page's cart does.
    capped = add(shopper_api, product.pk, 3).json()
    assert (capped["quantity"], capped["limited_from"]) == (4, 6)
    for quantity in (0, 5, "2", 1.5, None):
        error = assert_error(
            shopper_api.patch(f"{LINES}{line_id}/", {"quantity": quantity}, format="json"),
            400,
            {0: "min_value", 5: "max_value", None: "null"}.get(quantity, "invalid"),
            {"quantity"},
        )
        assert error["message"].startswith("quantity: ")
    assert quantities(shopper) == {"SKU-1": 4}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"stock": 0}, "out_of_stock"),
        ({"stock": 3, "price": None}, "price_on_request"),
    ],
)
def test_a_product_not_for_sale_now_is_refused_with_its_code(
    shopper_api, make_product, fields, code
):
    error = assert_error(add(shopper_api, make_product(**fields).pk), 400, code)
    assert "fields" not in error
    assert not CartLine.objects.exists()


def test_a_cart_holds_one_currency(shopper_api, shopper, make_product):
    add(shopper_api, make_product("USD-1", stock=3).pk)
    euro = make_product("EUR-1", title="Euro scarf", stock=3, currency="EUR")
    error = assert_error(add(shopper_api, euro.pk), 400, "mixed_currencies")
    assert "USD" in error["message"] and "Euro scarf" in error["message"]
    assert quantities(shopper) == {"USD-1": 1}


def test_a_product_with_variants_is_added_as_one_of_them(shopper_api, shopper, tee, make_product):
    error = assert_error(add(shopper_api, tee.pk), 400, "choose_variant")
    assert "Cotton tee" in error["message"]
    make_product("OTHER", variants=[VariantSpec("OTHER-M", {"size": "M"}, None, 2)])
    other_variant = Variant.objects.get(sku="OTHER-M")
    assert_error(add(shopper_api, tee.pk, variant=other_variant.pk), 400, "no_such_variant")
    assert_error(add(shopper_api, tee.pk, variant=2**31 - 1), 404, "unknown_variant")
    sold_out = Variant.objects.get(sku="TEE-L-WHT")
    assert_error(add(shopper_api, tee.pk, variant=sold_out.pk), 400, "out_of_stock")
    assert not CartLine.objects.exists()

    large = Variant.objects.get(sku="TEE-L-BLK")  # 5 in stock, at 24.00
    line = add(shopper_api, tee.pk, 9, large.pk).json()
    assert line["variant"]["sku"] == "TEE-L-BLK"
    assert line["variant"]["options"] == [
        {"name": "size", "value": "L"},
        {"name": "colour", "value": "black"},
    ]
    assert (line["quantity"], line["limited_from"]) == (5, 9)
    assert (line["unit_price"], line["line_total"]) == ("24.00", "120.00")
    medium = Variant.objects.get(sku="TEE-M-BLK")  # at the product's 20.00
    assert add(shopper_api, tee.pk, 1, medium.pk).status_code == 201
    assert quantities(shopper) == {"TEE-L-BLK": 5, "TEE-M-BLK": 1}
    assert shopper_api.get(CART).json()["total"] == "140.00"


def test_an_unknown_product_is_not_found_and_a_malformed_one_invalid(shopper_api, make_product):
    draft = make_product(status=Product.Status.DRAFT, stock=3)
    assert_error(add(shopper_api, draft.pk), 404, "unknown_product")
    assert_error(add(shopper_api, 2**31 - 1), 404, "unknown_product")
    assert_error(add(shopper_api, "1"), 400, "invalid", {"product"})
    assert_error(shopper_api.post(LINES, {}, format="json"), 400, "required", {"product"})
    assert not CartLine.objects.exists()


def test_another_shopper_s_lines_are_not_found(shopper_api, make_shopper, make_product):
    kim = make_shopper("kim")
    line = cart_of(kim, (make_product(stock=5), 2)).lines.get()
    assert_error(
        shopper_api.patch(f"{LINES}{line.pk}/", {"quantity": 1}, format="json"), 404, "not_found"
    )
    assert_error(shopper_api.delete(f"{LINES}{line.pk}/"), 404, "not_found")
    assert shopper_api.get(CART).json()["lines"] == []
    assert quantities(kim) == {"SKU-1": 2}


def test_anonymous_clients_and_writes_without_csrf_are_refused(db, shopper, make_product):
    product = make_product(stock=5)
    line = cart_of(shopper, (product, 1)).lines.get()
    anonymous = APIClient(enforce_csrf_checks=True)
    assert_error(anonymous.get(CART), 401, "not_authenticated")
    assert_error(add(anonymous, product.pk), 401, "not_authenticated")
    assert_error(anonymous.delete(f"{LINES}{line.pk}/"), 401, "not_authenticated")
    no_csrf = APIClient(enforce_csrf_checks=True)
    no_csrf.force_login(shopper)
    assert no_csrf.get(CART).status_code == 200
    assert_error(add(no_csrf, product.pk), 403, "permission_denied")
    assert_error(no_csrf.delete(f"{LINES}{line.pk}/"), 403, "permission_denied")
    assert quantities(shopper) == {"SKU-1": 1}


def test_cart_changes_are_rate_limited_per_account_with_the_page(
    shopper_api, shopper, make_product, settings
):
    limit_rates(settings, cart="3/min")
    product = make_product(stock=50)
    line_id = add(shopper_api, product.pk).json()["id"]
    assert (
        shopper_api.patch(f"{LINES}{line_id}/", {"quantity": 2}, format="json").status_code == 200
    )
    # The page's add counts against the same limit.
    page = shopper_api.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    assert page.status_code == 302
    refused = add(shopper_api, product.pk)
    assert_error(refused, 429, "throttled")
    assert int(refused["Retry-After"]) > 0
    assert shopper_api.post(reverse("shop:cart_add"), {"product": product.pk}).status_code == 429
    assert shopper_api.get(CART).status_code == 200  # reading is free
    assert quantities(shopper) == {"SKU-1": 3}


def test_reading_the_cart_takes_the_same_queries_however_many_lines(shopper_api, make_product):
    def queries_of_cart() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert shopper_api.get(CART).status_code == 200
        return len(queries)

    add(shopper_api, make_product("A", stock=5).pk)
    one_line = queries_of_cart()
    for sku in ("B", "C", "D"):
        add(shopper_api, make_product(sku, stock=5).pk)
    assert queries_of_cart() == one_line
