"""The product page's photos in a real browser: thumbnails, the arrow keys, the zoom dialog."""

import pytest
from playwright.sync_api import Page, expect

from catalog.models import Product
from tests.browser.helpers import screenshots
from tests.conftest import photo

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
