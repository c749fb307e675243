"""Pay on delivery takes no money up front: one account's orders awaiting payment, and the units
of one product an order takes, are capped (VITRINE_MAX_OPEN_UNPAID_ORDERS and
VITRINE_MAX_UNITS_PER_LINE), with a message that says why, on the page and in the service."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Product
from shop.forms import CheckoutForm
from shop.models import Order
from shop.services.orders import cancel
from tests.shop.conftest import ADDRESS, cart_of, checkout


def checkout_page(client, user):
    client.force_login(user)
    form = {"email": user.email, "payment_method": "pay_on_delivery", **ADDRESS}
    # The cart's prices as the checkout page shows them (a changed price is refused).
    form["shown_prices"] = CheckoutForm.encode_prices(user.cart.lines.select_related("product"))
    return client.post(reverse("shop:checkout"), form, follow=True)


def test_a_shopper_with_too_many_unpaid_orders_cannot_check_out(
    client, shopper, make_product, settings
):
    settings.VITRINE_MAX_OPEN_UNPAID_ORDERS = 2
    kurta = make_product("KURTA", price=Decimal("10.00"), stock=50)
    checkout(shopper, (kurta, 1))
    checkout(shopper, (kurta, 1))
    cart_of(shopper, (kurta, 3))

    page = checkout_page(client, shopper).content.decode()
    assert "2 order(s) awaiting payment on delivery" in page and "at most 2" in page
    assert Order.objects.filter(user=shopper).count() == 2  # nothing placed
    assert Product.objects.get(pk=kurta.pk).stock == 48  # nothing taken
    assert shopper.cart.lines.get().quantity == 3  # the cart is kept

    cancel(Order.objects.filter(user=shopper).first())
    checkout_page(client, shopper)
    assert Order.objects.filter(user=shopper).count() == 3


def test_one_checkout_for_several_merchants_counts_each_order(
    shopper, make_product, other_merchant, settings
):
    settings.VITRINE_MAX_OPEN_UNPAID_ORDERS = 1
    alices = make_product("A", price=Decimal("10.00"), stock=5)
    bobs = make_product("B", owner=other_merchant, price=Decimal("10.00"), stock=5)
    with pytest.raises(ValidationError) as error:
        checkout(shopper, (alices, 1), (bobs, 1))
    assert error.value.code == "too_many_unpaid_orders"


def test_a_line_over_the_unit_cap_is_refused_at_checkout(client, shopper, make_product, settings):
    kurta = make_product("KURTA", title="Red kurta", price=Decimal("10.00"), stock=100)
    cart_of(shopper, (kurta, 8))
    settings.VITRINE_MAX_UNITS_PER_LINE = 5  # lowered after the cart was filled

    page = checkout_page(client, shopper).content.decode()
    assert "At most 5 of Red kurta can be ordered at once" in page
    assert not Order.objects.exists() and Product.objects.get(pk=kurta.pk).stock == 100


def test_the_cart_takes_no_more_than_the_unit_cap(client, shopper, make_product, settings):
    settings.VITRINE_MAX_UNITS_PER_LINE = 5
    kurta = make_product("KURTA", title="Red kurta", price=Decimal("10.00"), stock=100)
    client.force_login(shopper)
    for _ in range(2):
        response = client.post(
            reverse("shop:cart_add"), {"product": kurta.pk, "quantity": 4}, follow=True
        )
    assert "At most 5 of Red kurta can be ordered at once" in response.content.decode()
    assert shopper.cart.lines.get().quantity == 5
    refused = client.post(reverse("shop:cart_add"), {"product": kurta.pk, "quantity": 6})
    assert refused.status_code == 302 and shopper.cart.lines.get().quantity == 5
