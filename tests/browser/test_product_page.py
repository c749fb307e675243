"""The product page's photos in a real browser: thumbnails, the arrow keys, the zoom dialog."""

import re

import pytest
from playwright.sync_api import Page, expect

from catalog.models import Product
from tests.browser.helpers import screenshots
from tests.conftest import cotton_tee, photo

pytestmark = pytest.mark.slow  # started first: tests/conftest.py


@pytest.fixture
def three_photos(catalogue, make_product) -> Product:
    """Written before the browser starts (tests/browser/conftest.py says why)."""
    return make_product(
        "TRIO", title="Cotton scarf", photos=[photo("red"), photo("green"), photo("blue")]
    )


def test_the_photos_with_the_mouse_and_the_keyboard(three_photos: Product, page: Page) -> None:
    page.goto(three_photos.get_absolute_url())
    gallery = page.get_by_role("group", name="Photos of Cotton scarf")
    main = gallery.locator("[data-main-photo]")
    first_url = main.get_attribute("src")
    thumbnails = gallery.locator("[data-photo]")
    expect(thumbnails).to_have_count(3)

    thumbnails.nth(1).click()
    expect(thumbnails.nth(1)).to_have_attribute("aria-current", "true")
    second_url = main.get_attribute("src")
    assert second_url != first_url and second_url == thumbnails.nth(1).get_attribute("data-photo")

    # The arrow keys move on from the focused thumbnail, round the end.
    page.keyboard.press("ArrowRight")
    expect(thumbnails.nth(2)).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(main).to_have_attribute("src", first_url)
    expect(main).to_have_attribute("alt", "Cotton scarf, photo 1 of 3")

    # The main photo opens full size in a dialog; Escape closes it and gives the focus back.
    gallery.locator("[data-zoom]").click()
    dialog = page.get_by_role("dialog", name="Photo, full size")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("img")).to_have_attribute("src", first_url)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(gallery.locator("[data-zoom]")).to_be_focused()
    screenshots(page, "product-gallery")


@pytest.fixture
def tee(catalogue, make_product) -> Product:
    """Written before the browser starts."""
    return cotton_tee(make_product)


def test_choosing_options_shows_their_price_and_stock_and_adds_that_variant(
    tee: Product, page: Page
) -> None:
    page.goto(tee.get_absolute_url())
    price, stock = page.locator("[data-variant-price]"), page.locator("[data-variant-stock]")
    add = page.locator("[data-add]")
    # The first variant in stock is chosen to begin with; the script hides the reload button.
    expect(stock).to_have_text("In stock (3)")
    expect(price).to_have_text("$20.00")
    expect(page.get_by_role("button", name="Show price and stock")).to_be_hidden()

    page.get_by_label("Size", exact=True).select_option("L")
    expect(stock).to_have_text("In stock (5)")
    expect(price).to_have_text("$24.00")
    page.get_by_label("Colour", exact=True).select_option("white")
    expect(stock).to_have_text("Out of stock")
    expect(add).to_be_disabled()
    page.get_by_label("Size", exact=True).select_option("M")
    expect(stock).to_have_text("This combination is not sold")
    expect(add).to_be_disabled()

    page.get_by_label("Colour", exact=True).select_option("black")
    page.get_by_label("Size", exact=True).select_option("L")
    expect(add).to_be_enabled()
    assert "option-size=L" in page.url  # the choice is in the address, to share or reload
    screenshots(page, "product-options")
    page.get_by_label("Quantity").fill("2")
    add.click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    line = page.locator(".cart-line")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("Size L, colour black")
    expect(line).to_contain_text("$48.00")
