"""An order's life: the allowed status changes, stock back on cancel, and who sees what."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Product
from catalog.services import delete_product
from shop.models import Order
from shop.services import orders
from tests.shop.conftest import checkout


def stock_of(product: Product) -> int:
    product.refresh_from_db()
    return product.stock


def test_placed_shipped_delivered_with_times_payment_and_emails(
    order, tasks_run_here, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        shipped = orders.ship(order)
        delivered = orders.deliver(shipped)
    assert (delivered.status, delivered.payment_status) == ("delivered", "paid")
    assert delivered.shipped_at <= delivered.delivered_at
    assert [message.subject for message in mail.outbox] == [
        f"Your order {order.number} is shipped",
        f"Your order {order.number} is delivered",
    ]
    order.refresh_from_db()
    assert order.status == "delivered"


def test_cancelling_a_placed_order_puts_the_stock_back(
    order, kurta, tasks_run_here, django_capture_on_commit_callbacks
):
    assert stock_of(kurta) == 3
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = orders.cancel(order)
    assert (cancelled.status, cancelled.payment_status) == ("cancelled", "void")
    assert cancelled.cancelled_at is not None
    assert stock_of(kurta) == 5
    assert "cancelled" in mail.outbox[0].subject and "nothing is owed" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], orders.deliver),  # placed → delivered skips shipping
        ([orders.ship], orders.cancel),  # on its way: no cancelling
        ([orders.ship, orders.deliver], orders.ship),
        ([orders.cancel], orders.ship),
        ([orders.cancel], orders.cancel),  # twice would restore the stock twice
    ],
)
def test_moves_outside_the_allowed_transitions_are_refused(order, kurta, path, refused):
    for move in path:
        move(order)
    status, stock = Order.objects.get(pk=order.pk).status, stock_of(kurta)
    with pytest.raises(ValidationError) as raised:
        refused(order)
    assert raised.value.code == "bad_transition"
    assert (Order.objects.get(pk=order.pk).status, stock_of(kurta)) == (status, stock)


def test_cancelling_after_the_product_was_deleted_keeps_the_line(order, kurta):
    delete_product(kurta)
    orders.cancel(order)
    line = order.lines.get()
    assert (line.product, line.title, line.quantity) == (None, "Red kurta", 2)


def test_next_statuses_follow_the_order_life(order):
    assert orders.next_statuses(order) == ["shipped", "cancelled"]
    assert orders.next_statuses(orders.ship(order)) == ["delivered"]


# The merchant's pages


@pytest.fixture
def merchant_client(client, merchant):
    client.force_login(merchant.user)
    return client


def test_a_merchant_sees_only_orders_of_their_products(
    merchant_client, order, shopper, make_product, other_merchant
):
    bobs = make_product("BOB-1", owner=other_merchant, title="Bob's boots", stock=2)
    [bobs_order] = checkout(shopper, (bobs, 1))
    page = merchant_client.get(reverse("merchant:orders")).content.decode()
    assert order.number in page and bobs_order.number not in page
    detail = merchant_client.get(reverse("merchant:order", args=[order.number]))
    assert "Red kurta" in detail.content.decode() and "Mark shipped" in detail.content.decode()


def test_another_merchants_order_is_404_to_read_and_to_change(
    merchant_client, shopper, make_product, other_merchant
):
    bobs = make_product("BOB-1", owner=other_merchant, stock=2)
    [bobs_order] = checkout(shopper, (bobs, 1))
    assert (
        merchant_client.get(reverse("merchant:order", args=[bobs_order.number])).status_code == 404
    )
    url = reverse("merchant:order_status", args=[bobs_order.number])
    assert merchant_client.post(url, {"status": "shipped"}).status_code == 404
    assert Order.objects.get(pk=bobs_order.pk).status == "placed"


def test_a_merchant_ships_then_delivers_from_the_order_page(merchant_client, order):
    url = reverse("merchant:order_status", args=[order.number])
    response = merchant_client.post(url, {"status": "shipped"}, follow=True)
    assert f"Order {order.number} is shipped." in response.content.decode()
    assert "Mark delivered" in response.content.decode()
    response = merchant_client.post(url, {"status": "cancelled"}, follow=True)
    assert "cannot be marked cancelled" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert merchant_client.post(url, {"status": "placed"}).status_code == 404


def test_the_orders_list_filters_by_status(merchant_client, order, shopper, kurta):
    [second] = checkout(shopper, (kurta, 1))
    orders.ship(second)
    page = merchant_client.get(reverse("merchant:orders"), {"status": "shipped"})
    assert second.number in page.content.decode() and order.number not in page.content.decode()


def test_a_shopper_cannot_open_the_merchant_orders(client, shopper, order):
    client.force_login(shopper)
    assert client.get(reverse("merchant:orders")).status_code == 403


# The shopper's pages


def test_a_shopper_sees_their_history_and_cancels_a_placed_order(client, shopper, order, kurta):
    client.force_login(shopper)
    history = client.get(reverse("shop:order_list")).content.decode()
    assert order.number in history and "Placed" in history
    detail = client.get(order.get_absolute_url()).content.decode()
    assert "Red kurta" in detail and "Springfield" in detail and "Cancel this order" in detail
    # The line links to the product's own URL, not one that redirects.
    assert f'href="/products/{kurta.pk}-red-kurta/"' in detail
    client.post(reverse("shop:order_cancel", args=[order.number]))
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert stock_of(kurta) == 5


def test_another_shoppers_order_is_404(client, make_shopper, order):
    client.force_login(make_shopper("eve"))
    assert client.get(order.get_absolute_url()).status_code == 404
    assert client.post(reverse("shop:order_cancel", args=[order.number])).status_code == 404
    assert order.number not in client.get(reverse("shop:order_list")).content.decode()
    assert Order.objects.get(pk=order.pk).status == "placed"
