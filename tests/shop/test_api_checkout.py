"""Checkout through the shopper API: the checkout service as the page calls it (one order per
merchant at the prices shown, the stock taken under lock, pay on delivery only with a verified
email), never overselling when shoppers race, and an Idempotency-Key that makes a retry answer
the orders placed instead of placing more."""

from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Product
from shop.models import CheckoutKey, Order
from shop.services.checkout_keys import CHECKOUT_KEY_LIFETIME
from shop.tasks import clear_expired_sessions
from tests.api_helpers import assert_error, limit_rates
from tests.shop.conftest import ADDRESS, cart_of, race, signed_in_api

CART = "/api/v1/cart/"
LINES = "/api/v1/cart/lines/"
CHECKOUT = "/api/v1/checkout/"


def shown_prices(api: APIClient) -> list[dict]:
    """The cart's prices as the API shows them now (GET /cart/)."""
    return [
        {"line": line["id"], "unit_price": line["unit_price"], "currency": line["currency"]}
        for line in api.get(CART).json()["lines"]
    ]


def order_request(user, shown: list[dict], **changes) -> dict:
    return {
        "email": user.email,
        **ADDRESS,
        "payment_method": "pay_on_delivery",
        "shown_prices": shown,
        **changes,
    }


def check_out(api: APIClient, user, key: str | None = None, **changes):
    """Check the cart out at the prices the API shows now."""
    body = order_request(user, shown_prices(api), **changes)
    return post(api, body, key)


def post(api: APIClient, body: dict, key: str | None = None):
    headers = {} if key is None else {"Idempotency-Key": key}
    return api.post(CHECKOUT, body, format="json", headers=headers)


def outcome(response) -> str:
    """An API checkout as `race` counts it: "order", or the refusal's code."""
    return "order" if response.status_code == 201 else response.json()["error"]["code"]


def numbers(response) -> list[str]:
    assert response.status_code == 201, response.content
    return [order["number"] for order in response.json()["orders"]]


def test_checkout_places_the_order_takes_the_stock_and_empties_the_cart(
    shopper_api, shopper, make_product
):
    kurta = make_product("KURTA", title="Red kurta", price=Decimal("19.99"), stock=5)
    scarf = make_product("SCARF", title="Silk scarf", price=Decimal("5.50"), stock=2)
    shopper_api.post(LINES, {"product": kurta.pk, "quantity": 2}, format="json")
    shopper_api.post(LINES, {"product": scarf.pk}, format="json")
    placed = check_out(shopper_api, shopper)
    assert placed.status_code == 201, placed.content
    assert "Idempotent-Replayed" not in placed
    [order] = placed.json()["orders"]
    assert (order["status"], order["payment_method"], order["payment_status"]) == (
        "placed",
        "pay_on_delivery",
        "due",
    )
    assert (order["total"], order["currency"], order["merchant"]) == (
        "45.48",
        "USD",
        "Alice's Shop",
    )
    assert {name: order[name] for name in ADDRESS} == ADDRESS
    assert order["email"] == "sam@example.com" and order["can_cancel"] is True
    assert order["url"] == f"http://testserver/orders/{order['number']}/"
    assert [
        (line["sku"], line["title"], line["unit_price"], line["quantity"], line["line_total"])
        for line in order["lines"]
    ] == [
        ("KURTA", "Red kurta", "19.99", 2, "39.98"),
        ("SCARF", "Silk scarf", "5.50", 1, "5.50"),
    ]
    assert Order.objects.get().number == order["number"]
    assert (Product.objects.get(sku="KURTA").stock, Product.objects.get(sku="SCARF").stock) == (
        3,
        1,
    )
    assert shopper_api.get(CART).json()["lines"] == []


def test_a_cart_from_two_merchants_makes_one_order_each(
    shopper_api, shopper, make_product, other_merchant
):
    cart_of(
        shopper,
        (make_product("A-1", stock=3), 1),
        (make_product("B-1", owner=other_merchant, stock=3, price=Decimal("7.00")), 2),
    )
    orders = check_out(shopper_api, shopper).json()["orders"]
    assert [(order["merchant"], order["total"], len(order["lines"])) for order in orders] == [
        ("Alice's Shop", "19.99", 1),
        ("Bob's Shop", "14.00", 1),
    ]


def test_pay_on_delivery_waits_for_a_verified_email_and_the_key_for_the_order(
    shopper_api, shopper, make_product
):
    cart_of(shopper, (make_product(stock=3), 2))
    EmailAddress.objects.filter(user=shopper).update(verified=False)
    error = assert_error(check_out(shopper_api, shopper, key="order-1"), 400, "email_unverified")
    assert "verify your email address" in error["message"]
    assert not Order.objects.exists() and Product.objects.get().stock == 3
    assert shopper.cart.lines.get().quantity == 2
    # A refused checkout leaves no key: once verified, the same request places the order.
    EmailAddress.objects.filter(user=shopper).update(verified=True)
    placed = check_out(shopper_api, shopper, key="order-1")
    assert placed.status_code == 201 and "Idempotent-Replayed" not in placed
    assert Order.objects.count() == 1 and Product.objects.get().stock == 1


def test_a_price_changed_or_a_line_not_shown_places_nothing(shopper_api, shopper, make_product):
    kurta = make_product("KURTA", title="Red kurta", price=Decimal("19.99"), stock=5)
    scarf = make_product("SCARF", title="Silk scarf", stock=5)
    cart_of(shopper, (kurta, 1), (scarf, 1))
    shown = shown_prices(shopper_api)
    Product.objects.filter(pk=kurta.pk).update(price=Decimal("24.00"))
    error = assert_error(post(shopper_api, order_request(shopper, shown)), 400, "price_changed")
    assert "Red kurta" in error["message"] and "$24.00" in error["message"]
    error = assert_error(
        post(shopper_api, order_request(shopper, shown_prices(shopper_api)[:1])),
        400,
        "price_changed",
    )
    assert "Silk scarf" in error["message"]
    assert not Order.objects.exists()
    assert Product.objects.get(pk=kurta.pk).stock == 5 and shopper.cart.lines.count() == 2


def test_a_refusal_gives_every_reason_under_the_first_one_s_code(
    shopper_api, shopper, make_product
):
    kurta = make_product("KURTA", title="Red kurta", stock=5)
    scarf = make_product("SCARF", title="Silk scarf", stock=5)
    cart_of(shopper, (kurta, 1), (scarf, 4))
    Product.objects.filter(pk=kurta.pk).update(stock=0)
    Product.objects.filter(pk=scarf.pk).update(stock=2)
    error = assert_error(check_out(shopper_api, shopper), 400, "out_of_stock")
    assert "Red kurta is out of stock." in error["message"]
    assert "Only 2 of Silk scarf left" in error["message"]
    assert not Order.objects.exists()


def test_an_empty_cart_and_a_malformed_request_are_refused(shopper_api, shopper):
    assert_error(check_out(shopper_api, shopper), 400, "empty_cart")
    assert_error(
        post(shopper_api, {"payment_method": "pay_on_delivery", "shown_prices": []}),
        400,
        "required",
        {"email", "full_name", "address_line1", "city", "postal_code", "country"},
    )
    assert_error(
        check_out(shopper_api, shopper, payment_method="gift_card"),
        400,
        "invalid_choice",
        {"payment_method"},
    )
    assert_error(
        post(
            shopper_api, order_request(shopper, [{"line": 1, "unit_price": 5, "currency": "USD"}])
        ),
        400,
        "invalid",
        {"shown_prices.0.unit_price"},
    )
    form = shopper_api.post(CHECKOUT, order_request(shopper, []), format="multipart")
    assert_error(form, 415, "unsupported_media_type")
    assert not Order.objects.exists()


def test_a_retry_with_the_same_key_answers_the_orders_it_placed(shopper_api, shopper, make_product):
    product = make_product(stock=5)
    cart_of(shopper, (product, 2))
    body = order_request(shopper, shown_prices(shopper_api))
    first = post(shopper_api, body, key="3f6c1c2e-retry")
    retry = post(shopper_api, body, key="3f6c1c2e-retry")
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert Order.objects.count() == 1 and Product.objects.get().stock == 3
    # A new cart is the shopper's next checkout: the retry places nothing of it.
    cart_of(shopper, (product, 1))
    assert numbers(post(shopper_api, body, key="3f6c1c2e-retry")) == numbers(first)
    assert shopper.cart.lines.get().quantity == 1 and Product.objects.get().stock == 3
    # Without a key, a retry finds the cart it checked out empty: never a second order of it.
    cart_of(shopper, (product, 1))
    no_key = order_request(shopper, shown_prices(shopper_api))
    assert post(shopper_api, no_key).status_code == 201
    assert_error(post(shopper_api, no_key), 400, "empty_cart")
    assert Order.objects.count() == 2


def test_a_key_sent_with_another_request_is_refused(shopper_api, shopper, make_product):
    cart_of(shopper, (make_product(stock=5), 1))
    first = check_out(shopper_api, shopper, key="order-1")
    cart_of(shopper, (Product.objects.get(), 1))
    error = assert_error(
        check_out(shopper_api, shopper, key="order-1", city="Shelbyville"),
        409,
        "idempotency_key_reused",
    )
    assert "Idempotency-Key" in error["message"]
    assert [order.number for order in Order.objects.all()] == numbers(first)
    assert shopper.cart.lines.count() == 1  # the new cart is kept for a checkout of its own


def test_keys_are_each_shopper_s_own(shopper_api, shopper, make_shopper, make_product):
    product = make_product(stock=5)
    kim = make_shopper("kim")
    for user in (shopper, kim):
        cart_of(user, (product, 1))
    sams = numbers(check_out(shopper_api, shopper, key="order-1"))
    kims = numbers(check_out(signed_in_api(kim), kim, key="order-1"))
    assert sams != kims
    assert Order.objects.get(number=kims[0]).user == kim
    assert Product.objects.get().stock == 3


@pytest.mark.parametrize("key", ["", "two words", "é-key", "k" * 256])
def test_a_malformed_key_is_refused_before_anything_is_placed(
    shopper_api, shopper, make_product, key
):
    cart_of(shopper, (make_product(stock=5), 1))
    body = order_request(shopper, shown_prices(shopper_api))
    assert_error(
        post(shopper_api, body, key=key), 400, "invalid_idempotency_key", {"Idempotency-Key"}
    )
    assert not Order.objects.exists() and not CheckoutKey.objects.exists()


def test_checkout_keys_are_purged_a_day_on_with_the_expired_sessions(
    shopper, make_product, shopper_api
):
    cart_of(shopper, (make_product(stock=5), 1))
    check_out(shopper_api, shopper, key="old")
    cart_of(shopper, (Product.objects.get(), 1))
    check_out(shopper_api, shopper, key="new")
    CheckoutKey.objects.filter(key="old").update(
        created_at=timezone.now() - CHECKOUT_KEY_LIFETIME - timedelta(minutes=1)
    )
    clear_expired_sessions()  # the daily task
    assert list(CheckoutKey.objects.values_list("key", flat=True)) == ["new"]
    assert Order.objects.count() == 2  # the orders stay


def test_checkouts_are_rate_limited_per_account_with_the_page(
    shopper_api, shopper, make_product, settings
):
    limit_rates(settings, orders="2/min")
    cart_of(shopper, (make_product(stock=5), 1))
    assert shopper_api.get(reverse("shop:checkout")).status_code == 200  # showing it is free
    assert_error(check_out(shopper_api, shopper, payment_method="gift_card"), 400, "invalid_choice")
    assert check_out(shopper_api, shopper).status_code == 201
    cart_of(shopper, (Product.objects.get(), 1))
    refused = check_out(shopper_api, shopper)
    assert_error(refused, 429, "throttled")
    assert int(refused["Retry-After"]) > 0
    page = shopper_api.post(reverse("shop:checkout"), {"payment_method": "pay_on_delivery"})
    assert page.status_code == 429
    assert Order.objects.count() == 1


def test_anonymous_clients_and_checkouts_without_csrf_are_refused(db, shopper, make_product):
    cart_of(shopper, (make_product(stock=5), 1))
    body = order_request(shopper, [])
    assert_error(post(APIClient(enforce_csrf_checks=True), body), 401, "not_authenticated")
    no_csrf = APIClient(enforce_csrf_checks=True)
    no_csrf.force_login(shopper)
    assert_error(post(no_csrf, body), 403, "permission_denied")
    assert not Order.objects.exists()


SHOPPERS, STOCK = 12, 3


@pytest.mark.django_db(transaction=True)
def test_shoppers_racing_through_the_api_for_the_last_units_never_oversell(
    make_product, make_shopper
):
    product = make_product("LAST", stock=STOCK)
    clients = []
    for number in range(SHOPPERS):
        user = make_shopper(f"racer{number}")
        cart_of(user, (product, 1))
        api = signed_in_api(user)
        clients.append((api, order_request(user, shown_prices(api))))
    outcomes = race(clients, lambda client: outcome(post(*client)))
    assert sorted(outcomes) == ["order"] * STOCK + ["out_of_stock"] * (SHOPPERS - STOCK)
    assert Order.objects.count() == STOCK
    assert Product.objects.get().stock == 0


RETRIES = 6


@pytest.mark.django_db(transaction=True)
def test_retries_sent_at_once_with_one_key_place_one_order(make_product, make_shopper):
    shopper = make_shopper()
    cart_of(shopper, (make_product(stock=5), 2))
    clients = [signed_in_api(shopper) for _ in range(RETRIES)]  # a session each, one account
    body = order_request(shopper, shown_prices(clients[0]))

    def attempt(api: APIClient) -> str:
        return " ".join(numbers(post(api, body, key="one-checkout")))

    outcomes = race(clients, attempt)
    [order] = Order.objects.all()
    assert outcomes == [order.number] * RETRIES
    assert Product.objects.get().stock == 3
    assert CheckoutKey.objects.get().order_numbers == [order.number]
