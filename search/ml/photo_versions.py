"""Moving the index to a new photo encoder without downtime.

A search model whose photo encoder was fine-tuned anew (its photo_version) cannot be served
until every photo has its vectors: a query photo is encoded by one photo encoder, and compared
with photos of the same one. So the new vectors are written beside the served ones
(`next_photo_*`), row by row, resumably, while search goes on with the active model; when
every row has them, one transaction moves them in and the model is activated.

Rows that change meanwhile are embedded by the workers with the active model, which clears
their next vectors: they are staged again, or, when they change after the last pass, flagged
dirty at the switch and embedded by the workers with the new model.
"""

import logging
from collections.abc import Callable

from django.db import connection, transaction

from search.db import binary_vector_cursor
from search.indexing import encode_product_photos, read_products
from search.ml import trained
from search.ml.encoders.base import Encoder
from search.models import ProductIndex

logger = logging.getLogger(__name__)

_TABLE = ProductIndex._meta.db_table
_UNSTAGED = """
    encoder_version = %(encoder)s AND photo_features IS NOT NULL AND NOT dirty
    AND next_photo_version <> %(version)s
"""


def unstaged_rows(model: trained.SearchModel) -> int:
    """Rows with photos that do not yet have the model's photo vectors beside their own."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {_TABLE} WHERE {_UNSTAGED}",
            {"encoder": model.encoder_version, "version": model.photo_version},
        )
        return cursor.fetchone()[0]


def stage_photos(
    encoder: Encoder,
    model: trained.SearchModel,
    *,
    batch_size: int | None = None,
    on_progress: Callable[[int, int], None] = lambda done, total: None,
) -> int:
    """Write the model's photo vectors beside the served ones for every row lacking them, a
    batch at a time (an interrupted staging resumes where it stopped); returns the rows written.
    """
    parameters = {"encoder": model.encoder_version, "version": model.photo_version}
    total, written = unstaged_rows(model), 0
    batch_size = batch_size or encoder.profile.product_batch_size
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT product_id, changed_at FROM {_TABLE} WHERE {_UNSTAGED} "
                "ORDER BY product_id LIMIT %(limit)s",
                parameters | {"limit": batch_size},
            )
            rows = cursor.fetchall()
        if not rows:
            return written
        batch = read_products(rows)
        photos = encode_product_photos(encoder, model, batch)
        staged = [
            (
                photos.features[item.product_id],
                photos.in_text_space[item.product_id],
                model.photo_version,
                item.product_id,
                item.changed_at,
            )
            for item in batch
            if item.product_id in photos.features
        ]
        unreadable = [item.product_id for item in batch if item.product_id not in photos.features]
        with transaction.atomic(), binary_vector_cursor() as cursor:
            cursor.executemany(_STAGE_SQL, staged)
            written += len(staged)
            # Photos that no longer decode: nothing to stage; the switch leaves such a row
            # without photo vectors of the old encoder, as if embedded anew.
            cursor.execute(
                f"UPDATE {_TABLE} SET next_photo_version = %s, next_photo_features = NULL, "
                "next_photo_text_vector = NULL WHERE product_id = ANY(%s)",
                [model.photo_version, unreadable],
            )
        on_progress(written + len(unreadable), total)


_STAGE_SQL = f"""
UPDATE {_TABLE}
SET next_photo_features = %s, next_photo_text_vector = %s, next_photo_version = %s
WHERE product_id = %s AND changed_at = %s AND NOT dirty
"""


def switch_photos(model: trained.SearchModel) -> tuple[int, int]:
    """Move the staged photo vectors in and activate the model, in one transaction; rows
    without them (changed since they were staged) are flagged for the workers, who embed them
    with the new model, and so are rows being embedded now: their workers read the old model,
    and the changed stamp makes them drop what they write. Returns (rows switched, flagged)."""
    parameters = {
        "encoder": model.encoder_version,
        "version": model.photo_version,
        "map_version": model.map_version,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {_TABLE}
            SET photo_features = next_photo_features, photo_text_vector = next_photo_text_vector,
                photo_version = next_photo_version, map_version = %(map_version)s,
                next_photo_features = NULL, next_photo_text_vector = NULL,
                next_photo_version = '', updated_at = now()
            WHERE encoder_version = %(encoder)s AND next_photo_version = %(version)s
            """,
            parameters,
        )
        switched = cursor.rowcount
        cursor.execute(
            f"""
            UPDATE {_TABLE} SET dirty = true, bulk = bulk OR NOT dirty, changed_at = now(),
                lease_expires_at = NULL, lease_attempts = 0
            WHERE dirty OR (encoder_version = %(encoder)s AND photo_features IS NOT NULL
                            AND photo_version <> %(version)s)
            """,
            parameters,
        )
        flagged = cursor.rowcount
    # Activated once the rows have committed: a search in between encodes its photo with the
    # old model, and compares it with no photo of the new version (search.retrieval).
    trained.activate(model.version)
    trained.set_next(None)
    logger.info(
        "Photo vectors of %s: %d rows switched, %d flagged.", model.version, switched, flagged
    )
    return switched, flagged


def finish_next_model(encoder: Encoder) -> str | None:
    """Stage and switch the model waiting for its photo vectors (NEXT), if one waits for this
    encoder: how an interrupted move to a new photo encoder resumes. Returns its version."""
    version = trained.next_version()
    if version is None:
        return None
    if version == trained.active_version():  # switched; stopped before NEXT was cleared
        trained.set_next(None)
        return None
    model = trained.load(version)
    if model is None or model.encoder_version != encoder.version:
        trained.set_next(None)  # trained for another encoder or format: never to be served
        return None
    stage_photos(encoder, model)
    switch_photos(model)
    return version
