"""The search page in a real browser: text, photo, and both, as a shopper uses them."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot
from tests.conftest import DATASET_IMAGES, NIGHTDRESS, SHIRT

pytestmark = pytest.mark.slow  # started first: tests/conftest.py


def search_with_photo(page: Page, product: str, text: str = "") -> None:
    page.goto("/search/")
    form = page.locator("[data-search-form]")
    form.locator("input[type=file]").set_input_files(DATASET_IMAGES / f"{product}.jpg")
    # search.js shows the chosen photo in the drop zone.
    expect(form.locator("[data-drop-zone]")).to_contain_text(f"{product}.jpg")
    if text:
        form.get_by_label("What are you looking for?").fill(text)
    with page.expect_navigation():
        form.get_by_role("button", name="Search", exact=True).click()


def expect_first_result(page: Page, title: str) -> None:
    first = page.locator("[data-search-results] > li").first
    expect(first.locator(".card-title")).to_have_text(title)
    expect(first.locator(".why")).to_contain_text("matched:")


def test_a_text_search_with_the_keyboard_only(page: Page) -> None:
    page.goto("/search/")
    page.get_by_label("What are you looking for?").focus()
    page.keyboard.type("blue nightdress")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The text search redirects to its bookmarkable address.
    expect(page).to_have_url(re.compile(r"/search/\?q=blue\+nightdress$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “blue nightdress”")
    expect_first_result(page, "Femella Women Blue Nightdress")
    screenshot(page, "search-text.png")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "search-mobile.png")


def test_a_photo_search(page: Page) -> None:
    search_with_photo(page, NIGHTDRESS)
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for your photo")
    expect_first_result(page, "Femella Women Blue Nightdress")
    screenshot(page, "search-photo.png")


def test_a_text_and_photo_search(page: Page) -> None:
    search_with_photo(page, SHIRT, "navy shirt")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Results for your photo and “navy shirt”"
    )
    expect_first_result(page, "Turtle Check Men Navy Blue Shirt")
    screenshot(page, "search-text-and-photo.png")


def test_the_colour_facet_narrows_the_results(page: Page) -> None:
    page.goto("/search/?q=blue+clothes")
    expect(page.locator(".count").first).to_have_text("3 products")
    facets = page.get_by_role("navigation", name="Narrow the results")
    colours = facets.locator("section", has=page.get_by_role("heading", name="Colour"))
    # The nightdress and the navy blue shirt are blue; the jersey's listing names no colour.
    expect(colours.get_by_role("listitem")).to_have_text(["Blue 2"])
    blue = colours.get_by_role("link", name="Blue")
    blue.focus()  # a link like any other: reached and followed with the keyboard
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]colour=blue(&|$)"))
    expect(page.locator(".count").first).to_have_text("2 products")
    titles = page.locator("[data-search-results] > li .card-title")
    expect(titles).to_have_count(2)
    assert sorted(titles.all_text_contents()) == [
        "Femella Women Blue Nightdress",
        "Turtle Check Men Navy Blue Shirt",
    ]
    expect(page.get_by_label("Colour")).to_have_value("blue")  # kept in the filters
    expect(colours.get_by_role("link", name="Blue")).to_have_attribute("aria-current", "true")
    screenshot(page, "search-colour-facet.png")


def test_suggestions_while_typing_with_the_keyboard(page: Page) -> None:
    page.goto("/")
    box = page.get_by_role("combobox", name="Search products")
    box.focus()
    page.keyboard.type("navy sh")
    suggestions = page.get_by_role("listbox", name="Suggestions")
    expect(suggestions.get_by_role("option").first).to_have_text("navy shirt")
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(suggestions).to_be_hidden()
    page.keyboard.type("i")  # "navy shi": asked again
    expect(suggestions.get_by_role("option").first).to_have_text("navy shirt")
    page.keyboard.press("ArrowDown")
    expect(suggestions.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=navy\+shirt$"))
