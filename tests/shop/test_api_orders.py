"""The shopper's orders through the API: their own only (another shopper's is not found), and
cancelling one until it ships, as the order page allows."""

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.models import Product
from catalog.variants import VariantSpec
from shop.models import Cart, Order
from shop.services import orders
from shop.services.cart import add_to_cart
from tests.api_helpers import assert_error, limit_rates
from tests.shop.conftest import checkout, place

ORDERS = "/api/v1/orders/"


def cancel(api: APIClient, number: str):
    return api.post(f"{ORDERS}{number}/cancel/")


def test_the_list_holds_the_shopper_s_own_orders_newest_first(
    shopper_api, shopper, make_shopper, kurta
):
    [first] = checkout(shopper, (kurta, 1))
    [second] = checkout(shopper, (kurta, 2))
    checkout(make_shopper("kim"), (kurta, 1))
    listing = shopper_api.get(ORDERS).json()
    assert [order["number"] for order in listing["results"]] == [second.number, first.number]
    assert [order["lines"][0]["quantity"] for order in listing["results"]] == [2, 1]
    assert listing["next"] is None
    page = shopper_api.get(ORDERS, {"page_size": 1}).json()
    assert [order["number"] for order in page["results"]] == [second.number]
    assert shopper_api.get(page["next"]).json()["results"][0]["number"] == first.number


def test_one_order_reads_with_its_lines_as_sold(shopper_api, order):
    Product.objects.filter(sku="KURTA").update(title="Renamed", price="99.00")
    answer = shopper_api.get(f"{ORDERS}{order.number}/")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["number"], body["status"], body["total"]) == (order.number, "placed", "39.98")
    [line] = body["lines"]
    assert (line["sku"], line["title"], line["unit_price"], line["quantity"]) == (
        "KURTA",
        "Red kurta",
        "19.99",
        2,
    )
    assert line["product"] == order.lines.get().product_id and line["options"] == []
    assert body["can_cancel"] is True and body["cancelled_at"] is None


def test_a_variant_s_options_read_as_sold(shopper_api, shopper, make_product):
    tee = make_product("TEE", variants=[VariantSpec("TEE-M", {"size": "M"}, None, 3)])
    cart = Cart.objects.get_or_create(user=shopper)[0]
    add_to_cart(cart, tee, 1, tee.variants.get())
    [placed] = place(cart, shopper)
    [line] = shopper_api.get(f"{ORDERS}{placed.number}/").json()["lines"]
    assert (line["sku"], line["options"]) == ("TEE-M", [{"name": "size", "value": "M"}])
    assert line["variant"] == tee.variants.get().pk


def test_another_shopper_s_order_is_not_found(shopper_api, make_shopper, kurta):
    [kims] = checkout(make_shopper("kim"), (kurta, 2))
    assert_error(shopper_api.get(f"{ORDERS}{kims.number}/"), 404, "not_found")
    assert_error(cancel(shopper_api, kims.number), 404, "not_found")
    assert_error(shopper_api.get(f"{ORDERS}NOSUCHORDR/"), 404, "not_found")
    assert shopper_api.get(ORDERS).json()["results"] == []
    assert Order.objects.get().status == "placed" and Product.objects.get().stock == 3


def test_cancelling_puts_the_stock_back_until_the_order_ships(
    shopper_api, shopper, order, kurta, tasks_run_here, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = cancel(shopper_api, order.number)
    assert cancelled.status_code == 200, cancelled.content
    body = cancelled.json()
    assert (body["status"], body["payment_status"], body["can_cancel"]) == (
        "cancelled",
        "void",
        False,
    )
    assert body["cancelled_at"] is not None
    assert Product.objects.get().stock == 5
    assert "cancelled" in mail.outbox[0].subject
    error = assert_error(cancel(shopper_api, order.number), 400, "bad_transition")
    assert "cancelled" in error["message"]
    assert Product.objects.get().stock == 5  # never given back twice

    [shipped] = checkout(shopper, (kurta, 1))
    orders.ship(shipped)
    assert shopper_api.get(f"{ORDERS}{shipped.number}/").json()["can_cancel"] is False
    assert_error(cancel(shopper_api, shipped.number), 400, "bad_transition")
    assert Order.objects.get(pk=shipped.pk).status == "shipped"


def test_anonymous_clients_and_cancels_without_csrf_are_refused(db, shopper, order):
    anonymous = APIClient(enforce_csrf_checks=True)
    assert_error(anonymous.get(ORDERS), 401, "not_authenticated")
    assert_error(anonymous.get(f"{ORDERS}{order.number}/"), 401, "not_authenticated")
    assert_error(cancel(anonymous, order.number), 401, "not_authenticated")
    no_csrf = APIClient(enforce_csrf_checks=True)
    no_csrf.force_login(shopper)
    assert_error(cancel(no_csrf, order.number), 403, "permission_denied")
    assert Order.objects.get().status == "placed"


def test_cancels_are_rate_limited_per_account_with_the_page(shopper_api, shopper, kurta, settings):
    limit_rates(settings, orders="1/min")
    [first] = checkout(shopper, (kurta, 1))
    [second] = checkout(shopper, (kurta, 1))
    assert cancel(shopper_api, first.number).status_code == 200
    assert_error(cancel(shopper_api, second.number), 429, "throttled")
    page = shopper_api.post(reverse("shop:order_cancel", args=[second.number]))
    assert page.status_code == 429
    assert shopper_api.get(ORDERS).status_code == 200  # reading is free
    assert Order.objects.get(pk=second.pk).status == "placed"


def test_the_list_takes_the_same_queries_however_many_orders(shopper_api, shopper, kurta):
    def queries_of_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert shopper_api.get(ORDERS).status_code == 200
        return len(queries)

    checkout(shopper, (kurta, 1))
    one_order = queries_of_list()
    for _ in range(3):
        checkout(shopper, (kurta, 1))
    assert queries_of_list() == one_order
