"""Buying a product's variants: the cart, checkout and cancellation work per variant, and the
stock rules (checked under lock, never below zero, no oversell) hold for each."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Product, Variant
from catalog.variants import VariantSpec
from shop.models import Cart, CartLine, Order, OrderLine
from shop.services import orders
from shop.services.cart import add_to_cart, set_quantity
from tests.conftest import cotton_tee
from tests.shop.conftest import place, placed_or_refused, race, shown_prices


@pytest.fixture
def tee(make_product) -> Product:
    return cotton_tee(make_product)


def variant(sku: str) -> Variant:
    return Variant.objects.get(sku=sku)


def buy(user, *items: tuple[str, int]) -> list[Order]:
    cart = Cart.objects.get_or_create(user=user)[0]
    for sku, quantity in items:
        chosen = variant(sku)
        add_to_cart(cart, chosen.product, quantity, chosen)
    return place(cart, user)


def test_a_product_with_variants_has_their_total_stock(tee):
    assert tee.stock == 8
    assert Product.objects.get(pk=tee.pk).stock == 8


def test_the_cart_holds_each_variant_on_its_line_within_its_stock(tee, shopper):
    cart = Cart.objects.create(user=shopper)
    medium, large = variant("TEE-M-BLK"), variant("TEE-L-BLK")
    change = add_to_cart(cart, tee, 5, medium)
    assert (change.line.quantity, change.limited_from) == (3, 5)
    add_to_cart(cart, tee, 1, large)
    add_to_cart(cart, tee, 1, large)
    lines = {line.sku: (line.quantity, line.unit_price) for line in cart.lines.all()}
    assert lines == {"TEE-M-BLK": (3, Decimal("20.00")), "TEE-L-BLK": (2, Decimal("24.00"))}
    assert set_quantity(cart.lines.get(variant=medium), 9).line.quantity == 3
    with pytest.raises(ValidationError) as raised:
        add_to_cart(cart, tee, 1, variant("TEE-L-WHT"))
    assert raised.value.code == "out_of_stock"
    assert "Cotton tee (size L, colour white) is out of stock." in raised.value.messages


def test_a_product_with_variants_cannot_be_added_without_one(tee, shopper, make_product):
    cart = Cart.objects.create(user=shopper)
    with pytest.raises(ValidationError) as raised:
        add_to_cart(cart, tee, 1)
    assert raised.value.code == "choose_variant"
    other = make_product("OTHER", variants=[VariantSpec("OTHER-S", {"size": "S"}, None, 4)])
    with pytest.raises(ValidationError) as raised:
        add_to_cart(cart, tee, 1, Variant.objects.get(sku="OTHER-S"))  # not the tee's
    assert raised.value.code == "no_such_variant"
    assert not cart.lines.exists() and other.stock == 4


def test_checkout_takes_the_variants_stock_and_copies_its_sku_options_and_price(
    tee, shopper, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [order] = buy(shopper, ("TEE-M-BLK", 2), ("TEE-L-BLK", 1))
    assert order.total == Decimal("64.00")
    lines = {line.sku: (line.options, line.unit_price, line.quantity) for line in order.lines.all()}
    assert lines == {
        "TEE-M-BLK": ({"size": "M", "colour": "black"}, Decimal("20.00"), 2),
        "TEE-L-BLK": ({"size": "L", "colour": "black"}, Decimal("24.00"), 1),
    }
    assert (variant("TEE-M-BLK").stock, variant("TEE-L-BLK").stock) == (1, 4)
    tee.refresh_from_db()
    assert tee.stock == 5 and tee.version == 3  # created (1), sold in two lines (+1 each)


def test_a_variant_sold_out_meanwhile_rejects_the_checkout(tee, shopper):
    cart = Cart.objects.create(user=shopper)
    add_to_cart(cart, tee, 3, variant("TEE-M-BLK"))
    Variant.objects.filter(sku="TEE-M-BLK").update(stock=1)
    with pytest.raises(ValidationError) as raised:
        place(cart, shopper)
    assert [error.code for error in raised.value.error_list] == ["short_stock"]
    assert variant("TEE-M-BLK").stock == 1 and not Order.objects.exists()


def test_a_variant_price_changed_since_shown_places_no_order(tee, shopper):
    cart = Cart.objects.create(user=shopper)
    add_to_cart(cart, tee, 1, variant("TEE-L-BLK"))
    shown = shown_prices(cart)
    Variant.objects.filter(sku="TEE-L-BLK").update(price=Decimal("30.00"))
    with pytest.raises(ValidationError) as raised:
        place(cart, shopper, shown)
    assert [error.code for error in raised.value.error_list] == ["price_changed"]
    assert "now $30.00" in raised.value.messages[0]


def test_a_plain_line_of_a_product_that_got_variants_since_is_refused(
    make_product, shopper, merchant
):
    from catalog.services import save_product

    hat = make_product("HAT", stock=4)
    cart = Cart.objects.create(user=shopper)
    add_to_cart(cart, hat, 1)
    save_product(hat, variants=[VariantSpec("HAT-S", {"size": "S"}, None, 4)])
    with pytest.raises(ValidationError) as raised:
        place(cart, shopper)
    assert [error.code for error in raised.value.error_list] == ["choose_variant"]


def test_cancelling_puts_each_variants_stock_back(tee, shopper):
    [order] = buy(shopper, ("TEE-M-BLK", 3), ("TEE-L-BLK", 2))
    tee.refresh_from_db()
    assert (variant("TEE-M-BLK").stock, variant("TEE-L-BLK").stock, tee.stock) == (0, 3, 3)
    orders.cancel(order)
    tee.refresh_from_db()
    assert (variant("TEE-M-BLK").stock, variant("TEE-L-BLK").stock, tee.stock) == (3, 5, 8)


def test_a_deleted_variant_leaves_the_carts_and_keeps_the_order_line(tee, shopper, make_shopper):
    from catalog.services import save_product

    [order] = buy(shopper, ("TEE-M-BLK", 1))
    other = make_shopper("other")
    cart = Cart.objects.create(user=other)
    add_to_cart(cart, tee, 1, variant("TEE-M-BLK"))
    save_product(tee, variants=[VariantSpec("TEE-L-BLK", {"size": "L", "colour": "black"})])
    assert not cart.lines.exists()
    line = order.lines.get()
    assert (line.variant, line.sku, line.options_label) == (
        None,
        "TEE-M-BLK",
        "size M, colour black",
    )


SHOPPERS, STOCK = 12, 3


@pytest.mark.django_db(transaction=True)
def test_shoppers_racing_for_a_variants_last_units_never_oversell(make_product, make_shopper):
    make_product(
        "RACE",
        variants=[
            VariantSpec("RACE-M", {"size": "M"}, None, STOCK),
            VariantSpec("RACE-L", {"size": "L"}, None, 7),
        ],
    )
    shoppers = [make_shopper(f"racer{number}") for number in range(SHOPPERS)]
    for user in shoppers:
        add_to_cart(Cart.objects.create(user=user), variant("RACE-M").product, 1, variant("RACE-M"))
    outcomes = race(
        shoppers, placed_or_refused(lambda user: place(Cart.objects.get(user=user), user))
    )
    assert sorted(outcomes) == ["order"] * STOCK + ["out_of_stock"] * (SHOPPERS - STOCK)
    assert OrderLine.objects.filter(sku="RACE-M").count() == STOCK
    assert (variant("RACE-M").stock, variant("RACE-L").stock) == (0, 7)
    assert Product.objects.get(sku="RACE").stock == 7


def test_the_product_page_offers_the_options_and_shows_the_chosen_ones(client, tee):
    page = client.get(tee.get_absolute_url()).content.decode()
    # The first variant in stock is chosen to begin with.
    assert '<select id="option-1" name="option-size" data-option="size">' in page
    assert "<option selected>M</option><option>L</option>" in page
    assert "In stock (3)" in page and "$20.00" in page
    page = client.get(tee.get_absolute_url(), {"option-size": "L", "option-colour": "black"})
    assert "In stock (5)" in page.content.decode() and "$24.00" in page.content.decode()
    page = client.get(tee.get_absolute_url(), {"option-size": "M", "option-colour": "white"})
    assert "This combination is not sold" in page.content.decode()


def test_without_the_script_the_form_shows_the_choice_then_adds_it(client, tee):
    choice = {"product": tee.pk, "quantity": "2", "option-size": "L", "option-colour": "black"}
    response = client.post(reverse("shop:cart_add"), {**choice, "show": "1"})
    assert response.status_code == 302
    assert response["Location"] == (tee.get_absolute_url() + "?option-size=L&option-colour=black")
    assert not CartLine.objects.exists()
    response = client.post(reverse("shop:cart_add"), choice)
    assert response.status_code == 302 and response["Location"] == reverse("shop:cart")
    line = CartLine.objects.get()
    assert (line.variant.sku, line.quantity) == ("TEE-L-BLK", 2)
    cart = client.get(reverse("shop:cart")).content.decode()
    assert "Size L, colour black" in cart and "$48.00" in cart


def test_an_add_without_a_variant_sends_the_shopper_back_to_choose(client, tee):
    response = client.post(
        reverse("shop:cart_add"), {"product": tee.pk, "quantity": "1", "option-size": "XL"}
    )
    assert response["Location"] == tee.get_absolute_url() + "?option-size=XL"
    assert (
        "Choose the options of Cotton tee first."
        in client.get(response["Location"]).content.decode()
    )
    assert not CartLine.objects.exists()
