"""Workers' side of the catalogue's and search's announcements: changed products get embedded,
and the stored photos re-mapped by a newly activated photo map."""

from collections.abc import Sequence

from django.db import transaction

from workers.embedding import request_embedding
from workers.remapping import request_remapping


def embed_changed_products(sender: type, product_ids: Sequence[int], **kwargs) -> None:
    """Ask for embedding once the change commits (search has flagged the rows inside it)."""
    transaction.on_commit(request_embedding)


def remap_photos_of_activated_model(sender: type, version: str, **kwargs) -> None:
    """Queue the re-mapping (the model is active already: no transaction to wait for)."""
    request_remapping(version)
