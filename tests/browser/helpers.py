"""Screenshots of the pages the browser tests visit, under tests/artifacts/ (git ignores it)."""

from pathlib import Path

from playwright.sync_api import Page

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
DESKTOP, MOBILE = 1440, 375


def screenshot(page: Page, name: str) -> None:
    page.screenshot(path=ARTIFACTS / name, full_page=True)


def screenshots(page: Page, name: str) -> None:
    """The page at a desktop's width and a phone's: `name`-1440.png and `name`-375.png. A page
    wider than the phone's screen would scroll sideways: that fails the test."""
    size = page.viewport_size
    for width in (DESKTOP, MOBILE):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{width}.png")
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{name} is {overflow} px wide at {width} px"
    page.set_viewport_size(size)
