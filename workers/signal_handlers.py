"""Workers' side of the catalogue's announcements: changed products get embedded."""

from collections.abc import Sequence

from django.db import transaction

from workers.embedding import request_embedding


def embed_changed_products(sender: type, product_ids: Sequence[int], **kwargs) -> None:
    """Ask for embedding once the change commits (search has flagged the rows inside it)."""
    transaction.on_commit(request_embedding)
