"""Search's side of the catalogue's announcements."""

from collections.abc import Sequence

from django.db import transaction

from search import services


def mark_listings_stale(sender: type, product_ids: Sequence[int], **kwargs) -> None:
    """Flag the rows in the listing's own transaction; ask for embedding once it commits."""
    from workers.embedding import request_embedding

    services.mark_stale(product_ids)
    transaction.on_commit(request_embedding)
