import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection

from catalog.models import Product
from shop.models import Cart, Order
from shop.services.cart import add_to_cart
from shop.services.checkout import place_order
from tests.accounts_helpers import verified_shopper

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


def race(users: list[AbstractBaseUser], attempt: Callable[[AbstractBaseUser], object]) -> list[str]:
    """Every user's `attempt` at once, each in a thread of its own (and so a connection of its
    own): "order" for each that succeeded, the first error's code for each refused."""
    start = threading.Barrier(len(users))
    outcomes: list[str] = []

    def run(user: AbstractBaseUser) -> None:
        try:
            start.wait()
            attempt(user)
            outcomes.append("order")
        except ValidationError as error:
            outcomes.append(error.error_list[0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.fixture
def tasks_run_here():
    """Tasks run in this process as they are queued (Celery's eager mode): for tests of what
    an email says. tests/shop/test_emails.py sends them through a real worker."""
    from vitrine.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
