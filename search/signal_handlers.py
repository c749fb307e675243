"""Search's side of the catalogue's announcements: its index rows and its vocabulary follow the
products."""

from collections.abc import Sequence

from search import catalogue_vocabulary, services


def mark_products_stale(
    sender: type, product_ids: Sequence[int], bulk: bool = False, **kwargs
) -> None:
    """Flag the index rows in the products' own transaction: they commit or roll back with it.
    Who embeds them, and when, is not search's business (workers listens too)."""
    services.mark_stale(product_ids, bulk=bulk)


def note_catalogue_change(sender: type, **kwargs) -> None:
    """Products were created, changed or deleted (products_changed, post_delete): the
    catalogue's vocabulary is learned again once the change commits."""
    catalogue_vocabulary.catalogue_changed()
