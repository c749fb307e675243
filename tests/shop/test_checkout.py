"""Checkout: one transaction, prices fixed into the order, stock taken under row locks."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from catalog.models import Product
from shop.models import Order, OrderLine
from shop.services.checkout import NUMBER_ALPHABET, NUMBER_LENGTH, place_order
from tests.shop.conftest import (
    ADDRESS,
    cart_of,
    checkout,
    place,
    placed_or_refused,
    race,
    shown_prices,
)


def test_an_order_fixes_prices_takes_stock_and_empties_the_cart(
    tasks_run_here, shopper, make_product, django_capture_on_commit_callbacks
):
    kurta = make_product("KURTA", title="Red kurta", price=Decimal("19.99"), stock=5)
    scarf = make_product("SCARF", title="Silk scarf", price=Decimal("5.50"), stock=2)
    with django_capture_on_commit_callbacks(execute=True):
        [order] = checkout(shopper, (kurta, 2), (scarf, 1))
    assert len(order.number) == NUMBER_LENGTH and set(order.number) <= set(NUMBER_ALPHABET)
    assert (order.status, order.payment_method, order.payment_status) == (
        "placed",
        "pay_on_delivery",
        "due",
    )
    assert (order.total, order.currency, order.city) == (Decimal("45.48"), "USD", "Springfield")
    Product.objects.filter(pk=kurta.pk).update(price=Decimal("99.00"))
    lines = {line.sku: (line.title, line.unit_price, line.quantity) for line in order.lines.all()}
    assert lines == {
        "KURTA": ("Red kurta", Decimal("19.99"), 2),
        "SCARF": ("Silk scarf", Decimal("5.50"), 1),
    }
    assert Product.objects.get(sku="KURTA").stock == 3
    assert Product.objects.get(sku="SCARF").stock == 1
    assert not shopper.cart.lines.exists()
    assert [message.to for message in mail.outbox] == [["sam@example.com"]]
    assert order.number in mail.outbox[0].subject and "Red kurta" in mail.outbox[0].body


def test_a_cart_from_two_merchants_makes_one_order_each(
    tasks_run_here, shopper, make_product, other_merchant, django_capture_on_commit_callbacks
):
    other_merchant.user.email = "bob@example.com"
    other_merchant.user.save()
    alices = make_product("A-1", stock=3)
    bobs = make_product("B-1", owner=other_merchant, stock=3, price=Decimal("7.00"))
    with django_capture_on_commit_callbacks(execute=True):
        orders = checkout(shopper, (alices, 1), (bobs, 2))
    assert [(order.merchant, order.total) for order in orders] == [
        (alices.merchant, Decimal("19.99")),
        (other_merchant, Decimal("14.00")),
    ]
    # Each order's confirmation to the shopper, and Bob's note of a new order (Alice has no
    # email address).
    assert sorted(message.to[0] for message in mail.outbox) == [
        "bob@example.com",
        "sam@example.com",
        "sam@example.com",
    ]


def test_a_shortfall_rejects_the_whole_checkout_with_every_reason(shopper, make_product):
    kurta, scarf = make_product("KURTA", stock=5), make_product("SCARF", stock=5)
    cart = cart_of(shopper, (kurta, 4), (scarf, 2))
    Product.objects.filter(pk=kurta.pk).update(stock=1)  # sold elsewhere meanwhile
    Product.objects.filter(pk=scarf.pk).update(status=Product.Status.DRAFT)
    with pytest.raises(ValidationError) as raised:
        checkout(shopper)
    assert {error.code for error in raised.value.error_list} == {"short_stock", "not_for_sale"}
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    assert Product.objects.get(pk=kurta.pk).stock == 1
    assert cart.lines.count() == 2


def test_an_empty_cart_cannot_be_checked_out(shopper):
    with pytest.raises(ValidationError) as raised:
        checkout(shopper)
    assert raised.value.code == "empty_cart"


def test_an_unknown_payment_method_is_refused(shopper, make_product):
    cart = cart_of(shopper, (make_product(stock=1), 1))
    with pytest.raises(KeyError):
        place_order(
            cart,
            shopper,
            email="x@example.com",
            address=ADDRESS,
            payment_method_code="gift_card",
            shown_prices=shown_prices(cart),
        )
    assert not Order.objects.exists()


SHOPPERS, STOCK = 20, 5


@pytest.mark.django_db(transaction=True)
def test_twenty_shoppers_racing_for_five_units_make_exactly_five_orders(make_product, make_shopper):
    product = make_product("LAST", stock=STOCK)
    shoppers = [make_shopper(f"racer{number}") for number in range(SHOPPERS)]
    for user in shoppers:
        cart_of(user, (product, 1))
    outcomes = race(shoppers, placed_or_refused(checkout))
    assert sorted(outcomes) == ["order"] * STOCK + ["out_of_stock"] * (SHOPPERS - STOCK)
    assert Order.objects.count() == STOCK
    assert OrderLine.objects.filter(product=product).count() == STOCK
    product.refresh_from_db()
    assert product.stock == 0


def test_a_line_whose_price_or_currency_changed_since_shown_places_no_order(shopper, make_product):
    kurta = make_product("KURTA", title="Red kurta", price=Decimal("19.99"), stock=5)
    scarf = make_product("SCARF", title="Silk scarf", price=Decimal("5.50"), stock=5)
    cart = cart_of(shopper, (kurta, 1), (scarf, 1))
    shown = shown_prices(cart)  # the checkout page, then the merchants change their prices
    Product.objects.filter(pk=kurta.pk).update(price=Decimal("24.99"))
    Product.objects.filter(pk=scarf.pk).update(currency="EUR")
    with pytest.raises(ValidationError) as raised:
        place(cart, shopper, shown)
    assert [error.code for error in raised.value.error_list] == ["price_changed"] * 2
    assert "The price of Red kurta is now $24.99:" in raised.value.messages[0]
    assert "Silk scarf is now €5.50:" in raised.value.messages[1]
    assert not Order.objects.exists() and cart.lines.count() == 2
    assert Product.objects.get(pk=kurta.pk).stock == 5
