"""A real Chromium (Debian's, never a downloaded one) on the live server, over a small catalogue."""

import shutil
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Page, sync_playwright

from catalog.models import Product
from search.embedding import embed_stale
from tests.conftest import dataset_photo

NIGHTDRESS, SHIRT, JERSEY = "39239", "15970", "1163"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Chromium is missing: install it with `apt-get install chromium`.")
    return path


@pytest.fixture
def catalogue(transactional_db, make_product, encoder) -> dict[str, Product]:
    """Three real listings with their real photos, embedded and committed for the server thread."""
    products = {
        NIGHTDRESS: make_product(
            NIGHTDRESS,
            title="Femella Women Blue Nightdress",
            category_path="Apparel > Loungewear and Nightwear",
            price=Decimal("25.00"),
            stock=3,
            photos=[dataset_photo(NIGHTDRESS)],
        ),
        SHIRT: make_product(
            SHIRT,
            title="Turtle Check Men Navy Blue Shirt",
            category_path="Apparel > Topwear",
            price=Decimal("40.00"),
            stock=0,
            photos=[dataset_photo(SHIRT)],
        ),
        JERSEY: make_product(
            JERSEY,
            title="Nike Sahara Team India Fanwear Round Neck Jersey",
            category_path="Apparel > Topwear",
            price=Decimal("60.00"),
            stock=5,
            photos=[dataset_photo(JERSEY)],
        ),
    }
    embed_stale(encoder)
    return products


@pytest.fixture
def page(chromium, catalogue, live_server) -> Iterator[Page]:
    # Playwright's sync API keeps an event loop running in this thread, and Django refuses
    # database calls under one: so the browser lives only after the catalogue is written and
    # closes before the test database is flushed.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(30_000)
        yield context.new_page()
        browser.close()
