"""A shopper, in a real browser: search, product page, cart, sign-up, email verification,
checkout, the order."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshots
from tests.conftest import wait_for

pytestmark = pytest.mark.slow  # started first: tests/conftest.py

TITLE = "Femella Women Blue Nightdress"


def test_a_shopper_finds_buys_and_sees_the_order(page: Page, default_worker) -> None:
    page.goto("/")
    screenshots(page, "home")
    search = page.get_by_role("search", name="Site search").get_by_label("Search products")
    search.fill("blue nightdress")
    with page.expect_navigation():
        search.press("Enter")
    results = page.locator("[data-search-results]")
    expect(results.locator(".card-title").first).to_have_text(TITLE)
    screenshots(page, "search-results")

    with page.expect_navigation():
        # The card's link (its photo and title), not its "Save: log in to save <title>" link.
        results.get_by_role("link", name=re.compile(f"^{TITLE}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("In stock (3)")).to_be_visible()
    expect(page.get_by_role("img", name=TITLE).first).to_be_visible()
    screenshots(page, "product")

    page.get_by_label("Quantity").fill("2")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(f"^Add to cart.*{TITLE}$")).click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.locator(".cart-count")).to_have_text("2")
    expect(page.locator(".cart-summary")).to_contain_text("$50.00")
    screenshots(page, "cart")

    with page.expect_navigation():
        page.get_by_role("link", name="Check out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    with page.expect_navigation():
        page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_label("Password", exact=True).fill("a long pass phrase")
    page.get_by_label("Password (again)").fill("a long pass phrase")
    screenshots(page, "signup")
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()

    # Signed up and logged in: back at checkout, the anonymous cart kept, and asked to verify
    # the email address before paying on delivery.
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")
    expect(page.locator(".cart-count")).to_have_text("2")
    notice = page.locator("#verify-email")
    expect(notice).to_contain_text("Please verify your email address")
    screenshots(page, "checkout-verify-email")
    wait_for(lambda: any("/confirm-email/" in m.body for m in mail.outbox), 30, "the link")
    [link] = re.findall(r"http://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body)
    page.goto(urlsplit(link).path)
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, verify it").click()
    page.goto("/checkout/")
    expect(page.locator("#verify-email")).to_have_count(0)
    expect(page.get_by_label("Email")).to_have_value("sam@example.com")
    page.get_by_label("Full name").fill("Sam Shopper")
    page.get_by_label("Address", exact=True).fill("1 Market Street")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("Postal code").fill("12345")
    page.get_by_label("Country").fill("United States")
    expect(page.get_by_label("Pay on delivery")).to_be_checked()
    screenshots(page, "checkout")
    # The keyboard places the order.
    page.get_by_role("button", name="Place order").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("your order is placed")
    number = page.locator("section h2 a").first.inner_text()
    assert re.fullmatch(r"[2-9A-Z]{10}", number)
    expect(page.locator(".cart-count")).to_have_text("0")
    screenshots(page, "order-placed")
    wait_for(
        lambda: any(number in message.subject for message in mail.outbox), 30, "the confirmation"
    )

    with page.expect_navigation():
        page.get_by_role("link", name="All your orders").click()
    expect(page.get_by_role("row").filter(has_text=number)).to_contain_text("Placed")
    screenshots(page, "order-history")
    with page.expect_navigation():
        page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {number}")
    expect(page.locator(".order-lines")).to_contain_text(TITLE)
    expect(page.locator(".shipping-address")).to_contain_text("1 Market Street")
    screenshots(page, "order-detail")
