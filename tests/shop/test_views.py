"""The shopper's pages through the test client: cart, checkout, sign-up, and page weight."""

import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core import mail
from django.urls import reverse

from search.models import SearchEvent
from shop.forms import CheckoutForm
from shop.models import Cart, Order
from tests.accounts_helpers import verified_shopper
from tests.conftest import NIGHTDRESS
from tests.shop.conftest import ADDRESS, cart_of, checkout

CHECKOUT_FORM = {"email": "sam@example.com", "payment_method": "pay_on_delivery", **ADDRESS}


def checkout_form(cart: Cart, **overrides: str) -> dict:
    """The checkout form as the page sends it, with the cart's prices as it shows them now."""
    shown = CheckoutForm.encode_prices(cart.lines.select_related("product"))
    return {**CHECKOUT_FORM, "shown_prices": shown, **overrides}


def add(client, product, quantity: int = 1, **extra):
    return client.post(
        reverse("shop:cart_add"), {"product": product.pk, "quantity": quantity, **extra}
    )


def test_adding_from_the_product_page_leads_to_the_cart_and_counts_in_the_header(
    client, make_product
):
    product = make_product(title="Red kurta", stock=4, price=Decimal("19.99"))
    page = client.get(product.get_absolute_url()).content.decode()
    assert 'action="/cart/add/"' in page and '<label for="quantity-' in page
    response = add(client, product, 3)
    assert response["Location"] == reverse("shop:cart")
    cart = client.get(reverse("shop:cart")).content.decode()
    assert "Added Red kurta to your cart." in cart
    assert '<span class="cart-count">3</span>' in cart and "$59.97" in cart


def test_asking_for_more_than_the_stock_says_how_many_the_cart_holds(client, make_product):
    product = make_product(title="Red kurta", stock=2)
    page = client.post(
        reverse("shop:cart_add"), {"product": product.pk, "quantity": 5}, follow=True
    )
    assert "Only 2 of Red kurta can be bought now" in page.content.decode()
    assert Cart.objects.get().lines.get().quantity == 2


def test_an_out_of_stock_product_has_no_add_button_and_is_refused(client, make_product):
    product = make_product(stock=0)
    assert 'action="/cart/add/"' not in client.get(product.get_absolute_url()).content.decode()
    page = client.post(
        reverse("shop:cart_add"), {"product": product.pk, "quantity": 1}, follow=True
    )
    assert "out of stock" in page.content.decode() and not Cart.objects.filter(lines__isnull=False)


def test_quantities_change_and_lines_go_from_the_cart_page(client, make_product):
    product = make_product(title="Red kurta", stock=5)
    add(client, product)
    line = Cart.objects.get().lines.get()
    client.post(reverse("shop:cart_update", args=[line.pk]), {f"line-{line.pk}-quantity": "4"})
    line.refresh_from_db()
    assert line.quantity == 4
    client.post(reverse("shop:cart_remove", args=[line.pk]))
    assert not Cart.objects.get().lines.exists()


def test_another_sessions_cart_line_is_404(client, make_product, shopper):
    cart = cart_of(shopper, (make_product(stock=5), 1))
    line = cart.lines.get()
    assert client.post(reverse("shop:cart_update", args=[line.pk]), {}).status_code == 404
    assert client.post(reverse("shop:cart_remove", args=[line.pk])).status_code == 404
    assert cart.lines.exists()


def test_adding_from_search_results_counts_for_the_query_and_position(client, three_products):
    page = client.get("/search/", {"q": "blue nightdress"}).content.decode()
    first_card = page.split("data-search-results", 1)[1].split("</li>", 1)[0]
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', first_card))
    assert form.pop("csrfmiddlewaretoken") and form.pop("search_token")
    assert form == {
        "product": str(three_products[NIGHTDRESS].pk),
        "next": "/search/?q=blue+nightdress",
        "quantity": "1",
    }
    token = re.search(r'name="search_token" value="([^"]+)"', first_card).group(1)
    response = client.post(reverse("shop:cart_add"), {**form, "search_token": token})
    assert response["Location"] == "/search/?q=blue+nightdress"
    event = SearchEvent.objects.get()
    assert (event.product, event.action, event.position, event.query_text) == (
        three_products[NIGHTDRESS],
        SearchEvent.Action.ADD_TO_CART,
        0,
        "blue nightdress",
    )


def test_an_add_with_a_forged_search_token_is_an_add_like_any_other(client, make_product):
    product = make_product(stock=2)
    response = client.post(
        reverse("shop:cart_add"),
        {"product": product.pk, "quantity": 1, "search_token": "forged:token"},
    )
    assert response.status_code == 302 and client.session.session_key
    assert not SearchEvent.objects.exists()


def test_an_add_elsewhere_logs_no_search_event_and_never_redirects_off_site(client, make_product):
    response = add(client, make_product(stock=2), next="https://evil.example/")
    assert response["Location"] == reverse("shop:cart")
    assert not SearchEvent.objects.exists()


def test_checkout_asks_to_log_in_first(client, make_product):
    add(client, make_product(stock=2))
    response = client.get(reverse("shop:checkout"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_sign_up_logs_in_keeps_the_cart_and_returns_to_checkout(client, make_product):
    add(client, make_product(title="Red kurta", stock=2), 2)
    signup = client.get(reverse("account_signup"), {"next": "/checkout/"}).content.decode()
    assert '<label for="id_email">' in signup and 'value="/checkout/"' in signup
    response = client.post(
        reverse("account_signup"),
        {
            "username": "sam",
            "email": "sam@example.com",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
            "next": "/checkout/",
        },
    )
    assert response["Location"] == "/checkout/"
    user = get_user_model().objects.get(username="sam")
    assert user.email == "sam@example.com" and user.check_password("a long pass phrase")
    assert user.cart.lines.get().quantity == 2
    page = client.get("/checkout/").content.decode()
    assert 'value="sam@example.com"' in page and "Red kurta" in page


def test_sign_up_refuses_a_taken_name_and_a_weak_password(client, shopper):
    form = {"username": "sam", "email": "x@example.com", "password1": "123", "password2": "123"}
    page = client.post(reverse("account_signup"), form).content.decode()
    assert "A user with that username already exists." in page
    assert "This password is too short." in page
    assert get_user_model().objects.count() == 1


def test_checkout_places_the_order_and_thanks_the_shopper(
    tasks_run_here, client, shopper, make_product, django_capture_on_commit_callbacks
):
    cart = cart_of(shopper, (make_product(title="Red kurta", stock=2), 1))
    client.force_login(shopper)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("shop:checkout"), checkout_form(cart), follow=True)
    order = Order.objects.get()
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("shop:order_placed")
    assert order.number in page and "Thank you" in page and "Red kurta" in page
    assert f'href="/products/{order.lines.get().product_id}-red-kurta/"' in page
    assert (order.full_name, order.user) == ("Sam Shopper", shopper)
    assert len(mail.outbox) == 1
    # The next checkout starts from this address.
    cart_of(shopper, (order.lines.get().product, 1))
    assert 'value="1 Market Street"' in client.get(reverse("shop:checkout")).content.decode()


def test_a_checkout_with_missing_address_fields_keeps_the_cart(client, shopper, make_product):
    cart = cart_of(shopper, (make_product(stock=2), 1))
    client.force_login(shopper)
    response = client.post(reverse("shop:checkout"), checkout_form(cart, city="", email="x"))
    page = response.content.decode()
    assert response.status_code == 200 and "This field is required." in page
    assert "Enter a valid email address." in page
    assert not Order.objects.exists() and shopper.cart.lines.count() == 1


def test_a_checkout_that_lost_the_race_goes_back_to_the_cart_with_the_reason(
    client, shopper, make_product
):
    product = make_product(title="Red kurta", stock=2)
    cart = cart_of(shopper, (product, 2))
    type(product).objects.filter(pk=product.pk).update(stock=1)
    client.force_login(shopper)
    response = client.post(reverse("shop:checkout"), checkout_form(cart), follow=True)
    assert response.redirect_chain[-1][0] == reverse("shop:cart")
    assert "Only 1 of Red kurta left" in response.content.decode()
    assert not Order.objects.exists()


def test_a_price_changed_after_the_page_was_shown_places_no_order(client, shopper, make_product):
    product = make_product(title="Red kurta", stock=2, price=Decimal("19.99"))
    cart = cart_of(shopper, (product, 1))
    client.force_login(shopper)
    page = client.get(reverse("shop:checkout")).content.decode()
    assert 'name="shown_prices"' in page and "19.99" in page
    form = checkout_form(cart)  # what that page sends
    type(product).objects.filter(pk=product.pk).update(price=Decimal("24.99"))
    response = client.post(reverse("shop:checkout"), form, follow=True)
    assert response.redirect_chain[-1][0] == reverse("shop:cart")
    assert "The price of Red kurta is now $24.99:" in response.content.decode()
    assert not Order.objects.exists() and cart.lines.count() == 1
    # Shown the new price, the shopper can order.
    response = client.post(reverse("shop:checkout"), checkout_form(cart), follow=True)
    assert Order.objects.get().total == Decimal("24.99")


def test_a_checkout_form_without_its_prices_asks_to_look_again(client, shopper, make_product):
    cart = cart_of(shopper, (make_product(stock=2), 1))
    client.force_login(shopper)
    response = client.post(reverse("shop:checkout"), checkout_form(cart, shown_prices="{oops"))
    assert "This page was out of date" in response.content.decode()
    assert not Order.objects.exists()


def test_list_pages_query_a_fixed_number_of_times(
    client, merchant, shopper, make_product, django_assert_max_num_queries, settings
):
    settings.VITRINE_MAX_OPEN_UNPAID_ORDERS = 10  # one shopper, many open orders
    products = [make_product(f"P{number}", stock=9) for number in range(6)]
    for product in products:
        checkout(shopper, (product, 1))
    cart_of(shopper, *[(product, 1) for product in products])
    client.force_login(shopper)
    for name in ("shop:cart", "shop:order_list", "shop:checkout"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name)).status_code == 200
    client.force_login(merchant.user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("merchant:orders")).status_code == 200


# Page weight: no page over 300 KB before images.

PAGE_BUDGET = 300 * 1024


class AssetLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "link" and attributes.get("rel") == "stylesheet":
            self.assets.append(attributes["href"])
        elif tag == "script" and attributes.get("src"):
            self.assets.append(attributes["src"])


def page_weight(client, url: str) -> int:
    """The bytes of the page's HTML, stylesheets and scripts (images excluded)."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content
    parser = AssetLinks()
    parser.feed(html.decode())
    assert parser.assets, url
    assets = [finders.find(href.removeprefix("/static/")) for href in parser.assets]
    return len(html) + sum(Path(path).stat().st_size for path in assets)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/c/apparel/",
        "product",
        "/search/?q=blue+nightdress",
        "/cart/",
        "/checkout/",
        "/orders/",
        "order",
        "/accounts/signup/",
        "/accounts/email/",
        "/accounts/password/change/",
    ],
)
def test_shopper_pages_stay_under_300_kb_before_images(client, three_products, url):
    shopper = verified_shopper("sam", "sam@example.com", "pw-shopper-123")
    product = three_products[NIGHTDRESS]
    [order] = checkout(shopper, (product, 1))
    cart_of(shopper, (product, 1))
    if url != "/accounts/signup/":
        client.force_login(shopper)
    url = {"product": product.get_absolute_url(), "order": order.get_absolute_url()}.get(url, url)
    assert page_weight(client, url) < PAGE_BUDGET


def test_merchant_pages_stay_under_300_kb_before_images(
    client, merchant, make_shopper, make_product, settings
):
    settings.VITRINE_MAX_OPEN_UNPAID_ORDERS = 50  # one shopper, many open orders
    products = [make_product(f"P{number}", stock=9) for number in range(50)]
    shopper = make_shopper()
    orders = [checkout(shopper, (product, 1))[0] for product in products]
    client.force_login(merchant.user)
    for url in ("/merchant/", "/merchant/orders/", f"/merchant/orders/{orders[0].number}/"):
        assert page_weight(client, url) < PAGE_BUDGET, url
