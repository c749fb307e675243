"""A merchant, in a real browser with a real Celery worker: a new product goes from pending to
indexed, and an order goes out."""

from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from celery.worker import WorkController
from django.core import mail
from playwright.sync_api import Page, expect

from catalog.models import Product
from core.broker import redis_client
from shop.models import Order
from shop.services.checkout import place_order
from tests.accounts_helpers import verified_shopper
from tests.browser.helpers import screenshots
from tests.conftest import DATASET_IMAGES, JERSEY, wait_for
from tests.shop.conftest import ADDRESS, cart_of, shown_prices
from vitrine.celery import app
from workers import embedding as embedding_tasks

pytestmark = pytest.mark.slow  # started first: tests/conftest.py

NEW_PHOTO = DATASET_IMAGES / "15970.jpg"


@pytest.fixture
def placed_order(catalogue: dict[str, Product]) -> Order:
    """A shopper's order for Alice's jersey, placed before the browser starts."""
    shopper = verified_shopper("sam", "sam@example.com", "pw-shopper-123")
    cart = cart_of(shopper, (catalogue[JERSEY], 1))
    [order] = place_order(
        cart,
        shopper,
        email=shopper.email,
        address=ADDRESS,
        payment_method_code="pay_on_delivery",
        shown_prices=shown_prices(cart),
    )
    return order


@pytest.fixture
def worker(catalogue) -> Iterator[WorkController]:
    """A real Celery worker thread with the real encoder, consuming only the default queue
    until the test hands it the embed queue: so the test sees a new product pending first."""
    redis_client().delete(embedding_tasks._REQUESTED_KEY)
    with start_worker(
        app, queues=["default"], perform_ping_check=False, pool="solo", shutdown_timeout=60
    ) as started:
        yield started


def wait_for_state(page: Page, title: str, state: str) -> None:
    """Reload the dashboard until the product shows `state` (the worker takes a few seconds)."""
    row = page.get_by_role("row").filter(has_text=title)
    for _ in range(90):
        page.reload()
        if row.locator(".index-state").inner_text() == state:
            return
        page.wait_for_timeout(1000)
    expect(row.locator(".index-state")).to_have_text(state)


def test_a_merchant_lists_a_product_sees_it_indexed_and_ships_an_order(
    placed_order: Order, worker: WorkController, page: Page
) -> None:
    page.goto("/accounts/login/?next=/merchant/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct-horse-battery")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your products")
    screenshots(page, "merchant-products")

    with page.expect_navigation():
        page.get_by_role("link", name="New product").click()
    page.get_by_label("SKU", exact=True).fill("NAVY-1")
    page.get_by_label("Title").fill("Navy check shirt")
    page.get_by_label("Description").fill("Cotton, regular fit.")
    page.get_by_label("Category").fill("Apparel > Topwear")
    page.get_by_label("Price", exact=True).fill("35.00")
    page.get_by_label("Stock", exact=True).fill("7")
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Photos").set_input_files(NEW_PHOTO)
    screenshots(page, "merchant-new-product")
    with page.expect_navigation():
        page.get_by_role("button", name="Create product").click()
    expect(page.locator(".messages")).to_contain_text("Created Navy check shirt.")
    expect(page.get_by_role("img", name="Navy check shirt, photo 1")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("link", name="Your products").click()
    row = page.get_by_role("row").filter(has_text="Navy check shirt")
    expect(row.locator(".index-state")).to_have_text("Pending")
    screenshots(page, "merchant-product-pending")
    # Now the worker may take the embedding the save asked for.
    app.control.add_consumer("embed", destination=[worker.hostname], reply=True, timeout=10)
    wait_for_state(page, "Navy check shirt", "Indexed")
    screenshots(page, "merchant-product-indexed")

    with page.expect_navigation():
        page.get_by_role("navigation", name="Merchant dashboard").get_by_role(
            "link", name="Orders"
        ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Orders")
    order_row = page.get_by_role("row").filter(has_text=placed_order.number)
    expect(order_row).to_contain_text("Placed")
    screenshots(page, "merchant-orders")
    with page.expect_navigation():
        order_row.get_by_role("link", name=placed_order.number).click()
    expect(page.locator(".order-lines")).to_contain_text("Nike Sahara Team India Fanwear")
    screenshots(page, "merchant-order")
    with page.expect_navigation():
        page.get_by_role("button", name="Mark shipped").click()
    expect(page.locator(".messages")).to_contain_text(f"Order {placed_order.number} is shipped.")
    expect(page.locator(".order-facts .order-status")).to_have_text("Shipped")
    expect(page.get_by_role("button", name="Mark delivered")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel order")).to_have_count(0)
    screenshots(page, "merchant-order-shipped")
    shipped = f"Your order {placed_order.number} is shipped"
    wait_for(
        lambda: any(message.subject == shipped for message in mail.outbox), 30, "the shipped email"
    )
