"""Re-mapping photos into the text space after a new photo map is activated: from the stored
image vectors and colours, without running the image model, a bounded batch at a time.

Training activates the model and leaves this to the workers (workers.remapping), so that its
time does not grow with the catalogue. Meanwhile rows not yet re-mapped keep the photo vector
of the map that made them, recorded in `map_version`. Search compares them as they are: every
map, trained or zero-shot, puts photos into the one text space of the encoder, where a text
query's vector is the encoder's own whatever the model. A row of an older map is a less
accurate place for its photo, not a vector of another space (unlike a new photo encoder's
features, which search.ml.photo_versions stages apart). Before, training re-mapped after
activating too, so searches in its window saw the same mixture.

A batch reads its rows `FOR UPDATE SKIP LOCKED`, and writes them in the same transaction:
  - two re-mappings at once never take the same rows, and each goes on past the other's;
  - an embedding worker writing a row meanwhile waits for the batch, then writes its own
    vectors and their map_version, or the batch skips a row that such a worker holds: a row's
    mapped photo always comes from its own stored features;
  - a batch killed before its commit leaves its rows as they were, on their old map_version,
    for the next run to find.
"""

from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction

from search.db import binary_vector_cursor
from search.ml import trained
from search.ml.colour import COLOUR_DIMS
from search.models import ProductIndex

# A batch holds a `default` worker and locks its rows until it commits (a merchant's edit of
# one of them waits). Its time is mostly the HNSW indexes' updates: for 200 rows, 1.2 s on
# 10,000 listings and 3.8 s (8.4 s at most) on 100,000, on 2 shared cores; 500 took 13 s on
# 100,000 for no more rows a second (bench/photo_remapping.py).
BATCH_SIZE = 200

_TABLE = ProductIndex._meta.db_table
# Rows of the model's encoder and photo encoder whose photo another map made.
_UNMAPPED = """
    encoder_version = %(encoder)s AND photo_version = %(photo_version)s
    AND map_version <> %(map_version)s AND photo_features IS NOT NULL
"""
_BATCH_SQL = f"""
SELECT product_id, photo_features, colour_vector FROM {_TABLE}
WHERE {_UNMAPPED} AND product_id > %(after)s
ORDER BY product_id LIMIT %(limit)s
FOR UPDATE SKIP LOCKED
"""
_WRITE_SQL = f"""
UPDATE {_TABLE} SET photo_text_vector = %s, map_version = %s, updated_at = now()
WHERE product_id = %s
"""


@dataclass(frozen=True)
class RemapBatch:
    written: int  # rows re-mapped; 0: none left past `after` (but rows other runs hold)
    last_product_id: int  # where the next batch goes on from


def remap_batch(version: str, after: int = 0, batch_size: int = BATCH_SIZE) -> RemapBatch | None:
    """Re-map up to `batch_size` rows past product id `after` with the map of the active model,
    provided that `version` is still the active model; None when it is not (a newer one's own
    re-mapping does the rows: a stale map is never applied)."""
    model = trained.loaded_active_model()
    if model is None or model.version != version:
        return None
    if model.photo_map is None:  # the encoder's own space: nothing to map
        return RemapBatch(0, after)
    parameters = _parameters(model) | {"after": after, "limit": batch_size}
    with transaction.atomic(), binary_vector_cursor() as cursor:
        cursor.execute(_BATCH_SQL, parameters)
        rows = cursor.fetchall()
        if not rows:
            return RemapBatch(0, after)
        photos = model.map_photos(
            np.stack([image for _, image, _ in rows]),
            np.stack([_colour_or_zero(colour) for *_, colour in rows]),
        )
        cursor.executemany(
            _WRITE_SQL,
            [
                (photo, model.map_version, product_id)
                for (product_id, *_), photo in zip(rows, photos, strict=True)
            ],
        )
    return RemapBatch(len(rows), rows[-1][0])


def remap_photos(version: str, batch_size: int = BATCH_SIZE) -> int:
    """Re-map every row in this process, batch after batch as the workers do (`train_search
    --sync`); returns the rows written. Stops when `version` is no longer the active model."""
    written, after = 0, 0
    while (batch := remap_batch(version, after, batch_size)) is not None and batch.written:
        written, after = written + batch.written, batch.last_product_id
    return written


def unmapped_rows(model: trained.SearchModel) -> int:
    """Rows whose photos the model's map has yet to re-map (a count: it reads the table)."""
    if model.photo_map is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {_TABLE} WHERE {_UNMAPPED}", _parameters(model))
        return cursor.fetchone()[0]


def _parameters(model: trained.SearchModel) -> dict:
    return {
        "encoder": model.encoder_version,
        "photo_version": model.photo_version,
        "map_version": model.map_version,
    }


def _colour_or_zero(colour) -> np.ndarray:
    # Rows embedded before colours were recorded have none; the map reads zeros for them.
    return colour if colour is not None else np.zeros(COLOUR_DIMS, dtype=np.float32)
