import threading
from collections.abc import Callable
from typing import TypeVar

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection
from rest_framework.test import APIClient

from catalog.models import Product
from shop.models import Cart, Order
from shop.services.cart import add_to_cart
from shop.services.checkout import place_order
from tests.accounts_helpers import verified_shopper

Racer = TypeVar("Racer")

ADDRESS = {
    "full_name": "Sam Shopper",
    "address_line1": "1 Market Street",
    "address_line2": "",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "United States",
    "phone": "+1 555 0100",
}


@pytest.fixture
def make_shopper(db) -> Callable[..., AbstractBaseUser]:
    def make(username: str = "sam") -> AbstractBaseUser:
        """A shopper whose email is verified (pay on delivery asks for it)."""
        return verified_shopper(username, f"{username}@example.com", "pw-shopper-123")

    return make


@pytest.fixture
def shopper(make_shopper) -> AbstractBaseUser:
    return make_shopper()


def cart_of(user: AbstractBaseUser, *items: tuple[Product, int]) -> Cart:
    cart = Cart.objects.get_or_create(user=user)[0]
    for product, quantity in items:
        add_to_cart(cart, product, quantity)
    return cart


def shown_prices(cart: Cart) -> dict[str, tuple]:
    """The cart's prices as the checkout page shows them now."""
    return {
        line.price_key: (line.unit_price, line.product.currency)
        for line in cart.lines.select_related("product", "variant")
    }


def place(cart: Cart, user: AbstractBaseUser, shown: dict | None = None) -> list[Order]:
    """Check the cart out as the checkout page does, at the `shown` prices (today's if None)."""
    return place_order(
        cart,
        user,
        email=user.email,
        address=ADDRESS,
        payment_method_code="pay_on_delivery",
        shown_prices=shown_prices(cart) if shown is None else shown,
    )


def checkout(user: AbstractBaseUser, *items: tuple[Product, int]) -> list[Order]:
    return place(cart_of(user, *items), user)


def race(racers: list[Racer], attempt: Callable[[Racer], str]) -> list[str]:
    """Every racer's `attempt` at once (a shopper's, or an API client's), each in a thread of
    its own (and so a database connection of its own): the outcome each attempt returns."""
    start = threading.Barrier(len(racers))
    outcomes: list[str] = []

    def run(racer: Racer) -> None:
        try:
            start.wait()
            outcomes.append(attempt(racer))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(racer,)) for racer in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def placed_or_refused(attempt: Callable[[AbstractBaseUser], object]) -> Callable:
    """A checkout through the services as `race` counts it: "order" when it placed orders, the
    first error's code when it was refused."""

    def outcome(user: AbstractBaseUser) -> str:
        try:
            attempt(user)
        except ValidationError as error:
            return error.error_list[0].code
        return "order"

    return outcome


def signed_in_api(user: AbstractBaseUser) -> APIClient:
    """The site's own scripts' client: the shopper's session, and its CSRF token sent back."""
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(user)
    api.get("/")  # a page sets the CSRF cookie, which the site's scripts send back
    api.credentials(HTTP_X_CSRFTOKEN=api.cookies["csrftoken"].value)
    return api


@pytest.fixture
def shopper_api(shopper) -> APIClient:
    return signed_in_api(shopper)


@pytest.fixture
def tasks_run_here():
    """Tasks run in this process as they are queued (Celery's eager mode): for tests of what
    an email says. tests/shop/test_emails.py sends them through a real worker."""
    from vitrine.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def kurta(make_product) -> Product:
    """Five red kurtas in stock."""
    return make_product("KURTA", title="Red kurta", stock=5)


@pytest.fixture
def order(shopper, kurta) -> Order:
    """The shopper's order of two of them."""
    [placed] = checkout(shopper, (kurta, 2))
    return placed
