"""Search's side of the catalogue's announcements."""

from collections.abc import Sequence

from search import services


def mark_listings_stale(sender: type, product_ids: Sequence[int], **kwargs) -> None:
    services.mark_stale(product_ids)
