"""The cart: quantities within stock, only products for sale, and the merge at login."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from shop.models import Cart, CartLine
from shop.services import cart as carts
from tests.shop.conftest import cart_of


def test_adding_twice_adds_up_within_the_stock(shopper, make_product):
    product = make_product(stock=5)
    cart = cart_of(shopper)
    assert carts.add_to_cart(cart, product, 2).limited_from is None
    change = carts.add_to_cart(cart, product, 4)
    assert (change.line.quantity, change.limited_from) == (5, 6)
    assert CartLine.objects.get(cart=cart).quantity == 5


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"stock": 0}, "out_of_stock"),
        ({"stock": 3, "status": Product.Status.DRAFT}, "not_for_sale"),
        ({"stock": 3, "price": None}, "price_on_request"),
    ],
)
def test_only_products_for_sale_go_in_the_cart(shopper, make_product, fields, code):
    product = make_product(**fields)
    with pytest.raises(ValidationError) as raised:
        carts.add_to_cart(cart_of(shopper), product)
    assert raised.value.code == code
    assert not CartLine.objects.exists()


def test_a_cart_holds_one_currency(shopper, make_product):
    cart = cart_of(shopper, (make_product("USD-1", stock=3), 1))
    euro = make_product("EUR-1", stock=3, currency="EUR")
    with pytest.raises(ValidationError) as raised:
        carts.add_to_cart(cart, euro)
    assert raised.value.code == "mixed_currencies"
    assert cart.lines.count() == 1


def test_a_quantity_can_be_changed_within_stock_and_zero_removes_the_line(shopper, make_product):
    product = make_product(stock=4)
    cart = cart_of(shopper, (product, 1))
    line = cart.lines.get()
    assert carts.set_quantity(line, 9).line.quantity == 4
    assert carts.set_quantity(line, 0).line is None
    assert not cart.lines.exists()
    with pytest.raises(ValidationError):
        carts.add_to_cart(cart, product, 0)


def test_item_count_sums_the_quantities(shopper, make_product, client):
    cart_of(shopper, (make_product("A", stock=5), 2), (make_product("B", stock=5), 3))
    assert carts.item_count(shopper, client.session) == 5


def test_an_anonymous_cart_merges_into_the_users_cart_at_login(client, shopper, make_product):
    kurta, scarf = make_product("KURTA", stock=3), make_product("SCARF", stock=10)
    cart_of(shopper, (kurta, 2))
    for product, quantity in ((kurta, 2), (scarf, 1)):
        client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": quantity})
    anonymous = Cart.objects.get(user=None)
    assert client.login(request=HttpRequest(), username="sam", password="pw-shopper-123")
    user_cart = Cart.objects.get(user=shopper)
    assert {line.product.sku: line.quantity for line in user_cart.lines.all()} == {
        "KURTA": 3,  # 2 + 2, but only 3 in stock
        "SCARF": 1,
    }
    assert not Cart.objects.filter(pk=anonymous.pk).exists()
    assert carts.SESSION_KEY not in client.session


def test_an_anonymous_cart_becomes_the_users_first_cart(client, shopper, make_product):
    product = make_product(stock=3, price=Decimal("12.00"))
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 2})
    client.login(request=HttpRequest(), username="sam", password="pw-shopper-123")
    assert Cart.objects.get().user == shopper
    assert shopper.cart.lines.get().quantity == 2


def test_abandoned_anonymous_carts_are_purged_with_the_expired_sessions(
    shopper, make_product, settings
):
    from shop.tasks import clear_expired_sessions

    product = make_product(stock=5)
    old_anonymous, fresh_anonymous = Cart.objects.create(), Cart.objects.create()
    users_cart = cart_of(shopper, (product, 1))
    carts.add_to_cart(fresh_anonymous, product)  # a change keeps a cart alive
    long_ago = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    Cart.objects.exclude(pk=fresh_anonymous.pk).update(updated_at=long_ago)
    clear_expired_sessions()
    assert set(Cart.objects.all()) == {fresh_anonymous, users_cart}
    assert not Cart.objects.filter(pk=old_anonymous.pk).exists()
