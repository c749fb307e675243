"""Search's side of the catalogue's announcements: its index rows follow the products."""

from collections.abc import Sequence

from search import services


def mark_products_stale(
    sender: type, product_ids: Sequence[int], bulk: bool = False, **kwargs
) -> None:
    """Flag the index rows in the products' own transaction: they commit or roll back with it.
    Who embeds them, and when, is not search's business (workers listens too)."""
    services.mark_stale(product_ids, bulk=bulk)
