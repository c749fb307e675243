"""A real Chromium (Debian's, never a downloaded one) on the live server, over a small catalogue."""

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, sync_playwright

from catalog.models import Product

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Chromium is missing: install it with `apt-get install chromium`.")
    return path


@pytest.fixture
def catalogue(transactional_db, three_products) -> dict[str, Product]:
    """The three products, committed, so that the server thread sees them."""
    return three_products


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
