"""Email verification: optional for browsing and carts, asked for before a pay-on-delivery
order, on the page and in the service every way of ordering goes through."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from catalog.models import Product
from shop.models import Order
from shop.services.checkout import place_order
from tests.accounts.conftest import link_in
from tests.api_helpers import limit_rates
from tests.shop.conftest import ADDRESS, cart_of, checkout, shown_prices
from tests.shop.test_views import checkout_form


@pytest.fixture
def unverified(make_shopper):
    """A shopper whose address is not verified (as every account made before allauth)."""
    user = make_shopper("sam")
    EmailAddress.objects.filter(user=user).update(verified=False)
    return user


def test_sign_up_mails_a_link_and_lets_the_shopper_shop_meanwhile(db, send, make_product):
    client = Client()
    response = send(
        client.post,
        "/accounts/signup/",
        {
            "username": "sam",
            "email": "sam@example.com",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
        },
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["sam@example.com"] and "/accounts/confirm-email/" in message.body
    address = EmailAddress.objects.get(email="sam@example.com")
    assert address.primary and not address.verified
    product = make_product(stock=3)
    client.post("/cart/add/", {"product": product.pk, "quantity": 1})
    assert client.get("/cart/").status_code == 200


def test_an_unverified_shopper_is_asked_to_verify_before_paying_on_delivery(
    unverified, make_product, send
):
    product = make_product(title="Red kurta", stock=3)
    cart = cart_of(unverified, (product, 2))
    client = Client()
    client.force_login(unverified)
    page = client.get("/checkout/").content.decode()
    assert "Please verify your email address before ordering with pay on delivery." in page
    assert "We emailed a link to sam@example.com" in page
    assert 'action="/accounts/email/verify/"' in page

    refused = client.post("/checkout/", checkout_form(cart), follow=True)
    assert refused.redirect_chain[-1][0] == "/checkout/"
    assert "open the link we emailed you, or have it sent again" in refused.content.decode()
    assert not Order.objects.exists()
    assert cart.lines.get().quantity == 2 and Product.objects.get().stock == 3

    # A new link, then the shopper opens it and confirms: the order goes through.
    sent = send(client.post, "/accounts/email/verify/", {"next": "/checkout/"}, follow=True)
    assert sent.redirect_chain[-1][0] == "/checkout/"
    assert "We sent a link to sam@example.com" in sent.content.decode()
    [message] = mail.outbox
    client.post(link_in(message))
    assert EmailAddress.objects.get(user=unverified).verified
    assert "Please verify" not in client.get("/checkout/").content.decode()
    placed = client.post("/checkout/", checkout_form(cart))
    assert placed["Location"] == "/checkout/thank-you/"
    assert Order.objects.get().user == unverified


def test_the_service_refuses_an_unverified_account_with_its_code(unverified, make_product):
    product = make_product(stock=3)
    with pytest.raises(ValidationError) as refused:
        checkout(unverified, (product, 1))
    assert refused.value.code == "email_unverified"
    assert not Order.objects.exists() and Product.objects.get().stock == 3


def test_an_account_without_an_address_is_asked_for_one(db, make_product):
    user = get_user_model().objects.create_user("kim", "", "pw-shopper-123")
    cart_of(user, (make_product(stock=3), 1))
    client = Client()
    client.force_login(user)
    page = client.get("/checkout/").content.decode()
    assert "Please add an email address before ordering with pay on delivery." in page
    with pytest.raises(ValidationError):
        place_order(
            user.cart,
            user,
            email="kim@example.com",
            address=ADDRESS,
            payment_method_code="pay_on_delivery",
            shown_prices=shown_prices(user.cart),
        )


def test_a_verified_shopper_sees_no_notice(shopper, make_product):
    cart_of(shopper, (make_product(stock=3), 1))
    client = Client()
    client.force_login(shopper)
    assert "Please verify" not in client.get("/checkout/").content.decode()


def test_sending_the_link_again_is_limited_per_account(unverified, settings):
    limit_rates(settings, verification_mail="1/min")
    client = Client()
    client.force_login(unverified)
    assert client.post("/accounts/email/verify/").status_code == 302
    limited = client.post("/accounts/email/verify/")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert client.get("/accounts/email/verify/").status_code == 405
    assert Client().post("/accounts/email/verify/").status_code == 302  # to the login page


def test_a_verified_account_is_told_so_and_mailed_nothing(shopper, send):
    client = Client()
    client.force_login(shopper)
    page = send(client.post, "/accounts/email/verify/", follow=True).content.decode()
    assert "There is no address to verify" in page
    assert mail.outbox == []
