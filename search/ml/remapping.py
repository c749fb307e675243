"""Re-mapping photos into the text space after a new photo map is trained: from the stored image
vectors, without running the image model again."""

import numpy as np
from django.db import transaction

from search.db import binary_vector_cursor
from search.ml.colour import COLOUR_DIMS
from search.ml.trained import SearchModel
from search.models import ProductIndex

BATCH_SIZE = 500

_TABLE = ProductIndex._meta.db_table
_STALE_SQL = f"""
SELECT product_id, photo_features, colour_vector FROM {_TABLE}
WHERE encoder_version = %s AND photo_version = %s AND map_version <> %s
  AND photo_features IS NOT NULL AND product_id > %s
ORDER BY product_id LIMIT %s
"""
_WRITE_SQL = f"""
UPDATE {_TABLE} SET photo_text_vector = %s, map_version = %s, updated_at = now()
WHERE product_id = %s AND encoder_version = %s AND photo_features IS NOT NULL
"""


def remap_photos(model: SearchModel) -> int:
    """Give every row of the model's encoder and photo encoder the model's photo map; returns
    the rows changed."""
    if model.photo_map is None:
        return 0
    changed, after = 0, 0
    while True:
        with transaction.atomic(), binary_vector_cursor() as cursor:
            cursor.execute(
                _STALE_SQL,
                [model.encoder_version, model.photo_version, model.version, after, BATCH_SIZE],
            )
            rows = cursor.fetchall()
            if not rows:
                return changed
            photos = model.map_photos(
                np.stack([image for _, image, _ in rows]),
                np.stack([_colour_or_zero(colour) for *_, colour in rows]),
            )
            cursor.executemany(
                _WRITE_SQL,
                [
                    (photo, model.version, product_id, model.encoder_version)
                    for (product_id, *_), photo in zip(rows, photos, strict=True)
                ],
            )
        changed += len(rows)
        after = rows[-1][0]


def _colour_or_zero(colour) -> np.ndarray:
    # Rows embedded before colours were recorded have none; the map reads zeros for them.
    return colour if colour is not None else np.zeros(COLOUR_DIMS, dtype=np.float32)
