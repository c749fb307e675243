"""Embedding products: a batch of stale index rows in, vectors out.

A worker takes (leases) the stalest dirty rows, reads each product's text and photos, encodes
them in batches, and writes the vectors, clearing the dirty flag in one transaction, for each
row that has not changed since it was taken. A photo that does not decode is recorded as the
row's error and the product is embedded from the rest.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Prefetch, Q
from django.db.models.functions import Greatest, Now
from django.utils import timezone
from PIL import Image

from catalog.models import Product, ProductImage
from search.catalogue_vocabulary import catalogue_vocabulary
from search.db import binary_vector_cursor
from search.ml import trained
from search.ml.colour import colour_vector, normalise
from search.ml.encoders import EncoderUnavailable
from search.ml.product_colours import Listing, product_colours
from search.ml.words import carries_meaning
from search.models import ProductIndex
from search.photos import PhotoDecodeError, load_photo
from search.word_vectors import encoder_relatedness

if TYPE_CHECKING:
    from search.ml.encoders.base import Encoder

MAX_PHOTOS_PER_PRODUCT = 4
MAX_DESCRIPTION_CHARS = 600


@dataclass
class ProductToEmbed:
    """What one stale row gives the encoder."""

    product_id: int
    changed_at: datetime
    text: str | None
    listing: Listing  # what its colours are read from
    photos: list[Image.Image] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BatchResult:
    taken: int  # rows leased for this batch
    written: int  # rows whose vectors were written (the others changed meanwhile)
    photo_errors: int
    failed: int = 0  # rows that could not be embedded at all (recorded as errors)

    def __add__(self, other: "BatchResult") -> "BatchResult":
        return BatchResult(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


def lease_stale_rows(limit: int) -> list[tuple[int, datetime]]:
    """Take up to `limit` dirty rows no other worker holds: (id, changed_at).

    Single edits go first, oldest first, so that a merchant's edit is embedded within a batch
    or two however many imported rows wait; but while bulk rows (ProductIndex.bulk) wait, edits
    fill at most half a batch, so that no stream of edits holds the bulk back for good. Bulk
    rows go oldest first too.

    A row whose last lease ran out unfinished may have killed its worker (a poison product):
    it is taken alone, so that it takes no other row down with it, and after
    VITRINE_EMBED_MAX_ATTEMPTS such leases it is set aside with an error until it changes."""
    _set_aside_poison()
    return _lease(_SUSPECT_SQL, {"limit": 1}) or _lease(
        _LEASE_SQL, {"limit": limit, "half": (limit + 1) // 2}
    )


_TABLE = ProductIndex._meta.db_table
_LEASABLE = "dirty AND (lease_expires_at IS NULL OR lease_expires_at < now())"
# A lease that ran out unfinished counts in lease_attempts: such a row is a suspect.
_SUSPECT_SQL = f"""
    SELECT product_id FROM {_TABLE} WHERE {_LEASABLE} AND lease_attempts > 0
    ORDER BY changed_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED
"""
# Materialised: each runs once, so that the update cannot take more rows than they chose.
_LEASE_SQL = f"""
    WITH edits AS MATERIALIZED (
        SELECT product_id, changed_at FROM {_TABLE}
        WHERE {_LEASABLE} AND lease_attempts = 0 AND NOT bulk
        ORDER BY changed_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED
    ), bulk AS MATERIALIZED (
        SELECT product_id FROM {_TABLE}
        WHERE {_LEASABLE} AND lease_attempts = 0 AND bulk
        ORDER BY changed_at LIMIT %(limit)s - LEAST((SELECT count(*) FROM edits), %(half)s)
        FOR UPDATE SKIP LOCKED
    )
    SELECT product_id FROM bulk
    UNION ALL (
        SELECT product_id FROM edits
        ORDER BY changed_at LIMIT %(limit)s - (SELECT count(*) FROM bulk)
    )
"""


def _lease(chosen_sql: str, parameters: dict) -> list[tuple[int, datetime]]:
    """Lease the rows that `chosen_sql` chooses (and locks), oldest first."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH taken AS MATERIALIZED ({chosen_sql})
            UPDATE {_TABLE} AS row
            SET lease_expires_at = now() + %(lease)s, lease_attempts = row.lease_attempts + 1
            FROM taken WHERE row.product_id = taken.product_id
            RETURNING row.product_id, row.changed_at
            """,
            {**parameters, "lease": timedelta(seconds=settings.VITRINE_EMBED_LEASE_SECONDS)},
        )
        return sorted(cursor.fetchall(), key=lambda row: row[1])


def _set_aside_poison() -> None:
    attempts = settings.VITRINE_EMBED_MAX_ATTEMPTS
    ProductIndex.objects.filter(
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=Now()),
        dirty=True,
        lease_attempts__gte=attempts,
    ).update(
        dirty=False,
        lease_expires_at=None,
        lease_attempts=0,
        error=f"Embedding stopped before it finished {attempts} times (the worker may have "
        "crashed on this product); it is tried again when the product changes.",
    )


def release_leases(product_ids: Sequence[int]) -> None:
    """Hand rows back after a failed batch, so that a retry may take them at once. The failure
    was caught, so the lease does not count against the rows."""
    ProductIndex.objects.filter(pk__in=product_ids).update(
        lease_expires_at=None, lease_attempts=Greatest(F("lease_attempts") - 1, 0)
    )


def embed_batch(encoder: "Encoder", leased: list[tuple[int, datetime]]) -> BatchResult:
    """Embed the leased rows and write their vectors, by the active model's photo encoder and
    map (read once: a model activated meanwhile governs the next batch)."""
    batch = read_products(leased)
    model = trained.active_model(encoder.version)
    text_vectors = _encode_texts(encoder, batch)
    photos = encode_product_photos(encoder, model, batch)
    # Which kinds the catalogue sells in colours: the vocabulary that searches read.
    vocabulary = catalogue_vocabulary.get(encoder_relatedness(encoder))
    colours = {item.product_id: product_colours(item.listing, vocabulary) for item in batch}
    written = _write(encoder, batch, text_vectors, photos, colours)
    return BatchResult(
        taken=len(leased),
        written=written,
        photo_errors=sum(bool(item.errors) for item in batch),
    )


def embed_batch_isolating_failures(encoder: "Encoder", leased: list[tuple[int, datetime]]):
    """embed_batch, but a product that breaks its batch is found and set aside with its error,
    so that one bad product never blocks the others (nor is retried forever).

    Failures that are not the products' fault propagate, and the batch is retried later:
    database errors, and an encoder that fails on any input (EncoderUnavailable)."""
    try:
        return embed_batch(encoder, leased)
    except DatabaseError:
        raise
    except Exception as error:
        if not _encoder_works(encoder):
            raise EncoderUnavailable(f"The encoder fails on any input: {error}") from error
        if len(leased) == 1:
            _set_aside(leased[0], error)
            return BatchResult(taken=1, written=0, photo_errors=0, failed=1)
        return sum(
            (embed_batch_isolating_failures(encoder, [row]) for row in leased),
            BatchResult(0, 0, 0),
        )


def _encoder_works(encoder: "Encoder") -> bool:
    """Whether the encoder encodes a plain text and a plain photo."""
    try:
        encoder.encode_texts(["a plain white shirt"])
        encoder.encode_images([Image.new("RGB", (32, 32), "white")])
    except Exception:
        return False
    return True


def _set_aside(leased: tuple[int, datetime], error: Exception) -> None:
    product_id, changed_at = leased
    ProductIndex.objects.filter(pk=product_id, changed_at=changed_at).update(
        dirty=False, lease_expires_at=None, lease_attempts=0, error=f"Embedding failed: {error}"
    )


def embed_stale(
    encoder: "Encoder",
    *,
    deadline: float | None = None,
    on_batch: Callable[[BatchResult], None] = lambda result: None,
) -> tuple[BatchResult, bool]:
    """Lease and embed stale rows, batch after batch, until none is left or time.monotonic()
    passes `deadline`. Returns the totals and whether no stale row was left to take.

    A batch that fails hands its rows back at once, then the error propagates (to be retried).
    """
    totals = BatchResult(0, 0, 0)
    while leased := lease_stale_rows(encoder.profile.product_batch_size):
        try:
            result = embed_batch_isolating_failures(encoder, leased)
        except Exception:
            release_leases([product_id for product_id, _ in leased])
            raise
        totals += result
        on_batch(result)
        if deadline is not None and time.monotonic() > deadline:
            return totals, False
    return totals, True


def count_stale() -> int:
    return ProductIndex.objects.filter(dirty=True).count()


def mark_all_stale() -> int:
    """Flag every row for re-embedding (`embed --all`)."""
    return ProductIndex.objects.update(
        dirty=True, bulk=True, changed_at=timezone.now(), lease_expires_at=None, lease_attempts=0
    )


def mark_other_versions_stale(version: str) -> int:
    """Flag the rows embedded by another encoder version: their vectors must not be compared."""
    return (
        ProductIndex.objects.filter(dirty=False)
        .exclude(encoder_version=version)
        .update(
            dirty=True,
            bulk=True,
            changed_at=timezone.now(),
            lease_expires_at=None,
            lease_attempts=0,
        )
    )


def product_text(product: Product) -> str | None:
    """Title, category path and description as one text; None when they say nothing about
    the product (placeholders, file names, codes: vocabulary.carries_meaning)."""
    category = product.category.full_name.replace(" > ", ", ") if product.category else ""
    description = product.description[:MAX_DESCRIPTION_CHARS]
    if not carries_meaning(f"{product.title} {category} {description}"):
        return None
    return ". ".join(part for part in (product.title, category, description) if part)


def read_products(leased: list[tuple[int, datetime]]) -> list[ProductToEmbed]:
    """The leased rows' products, with their text, listing and decoded photos."""
    changed_at = dict(leased)
    products = (
        Product.objects.filter(pk__in=changed_at)
        .select_related("category")
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("position")), "variants"
        )
    )
    batch = []
    for product in products:
        item = ProductToEmbed(
            product.pk, changed_at[product.pk], product_text(product), Listing.of(product)
        )
        for image in list(product.images.all())[:MAX_PHOTOS_PER_PRODUCT]:
            try:
                with image.image.open("rb") as photo_file:
                    item.photos.append(
                        load_photo(photo_file, max_pixels=settings.VITRINE_MAX_IMAGE_PIXELS)
                    )
            except (PhotoDecodeError, OSError) as error:
                item.errors.append(f"Photo {image.position + 1} could not be read: {error}")
        batch.append(item)
    return batch


def _encode_texts(encoder: "Encoder", batch: list[ProductToEmbed]) -> dict[int, np.ndarray]:
    with_text = [item for item in batch if item.text]
    vectors = encoder.encode_texts([item.text for item in with_text])
    return {item.product_id: vector for item, vector in zip(with_text, vectors, strict=True)}


@dataclass
class ProductPhotos:
    """Per product with photos: the mean of its photos' image vectors, of their colours, and
    that mean in the text space."""

    features: dict[int, np.ndarray]
    colours: dict[int, np.ndarray]
    in_text_space: dict[int, np.ndarray]
    photo_version: str  # the photo encoder's (search.models.ProductIndex.photo_version)
    map_version: str


def encode_product_photos(
    encoder: "Encoder", model: "trained.SearchModel | None", batch: list[ProductToEmbed]
) -> ProductPhotos:
    """The batch's photos by the model's photo encoder and map (the encoder's own without)."""
    photos = [photo for item in batch for photo in item.photos]
    vectors, photo_version = trained.encode_photos(encoder, model, photos)
    colours = np.stack([colour_vector(photo) for photo in photos]) if photos else None
    images, colour_means, start = {}, {}, 0
    for item in batch:
        if item.photos:
            end = start + len(item.photos)
            images[item.product_id] = vectors[start:end].mean(axis=0)
            colour_means[item.product_id] = normalise(colours[start:end].mean(axis=0))
            start = end
    in_text_space, map_version = {}, ""
    if images:
        ids = list(images)
        mapped, map_version = trained.photos_to_text_space(
            encoder,
            model,
            np.stack([images[i] for i in ids]),
            np.stack([colour_means[i] for i in ids]),
        )
        in_text_space = dict(zip(ids, mapped, strict=True))
    return ProductPhotos(images, colour_means, in_text_space, photo_version, map_version)


def _write(
    encoder: "Encoder",
    batch: list[ProductToEmbed],
    text_vectors: dict[int, np.ndarray],
    photos: ProductPhotos,
    colours: dict[int, list[str]],
) -> int:
    rows = []
    for item in batch:
        rows.append(
            (
                colours[item.product_id],
                text_vectors.get(item.product_id),
                photos.features.get(item.product_id),
                photos.colours.get(item.product_id),
                photos.in_text_space.get(item.product_id),
                photos.map_version,
                photos.photo_version,
                encoder.version,
                "\n".join(item.errors),
                item.product_id,
                item.changed_at,
            )
        )
    with transaction.atomic(), binary_vector_cursor() as cursor:
        cursor.executemany(_WRITE_SQL, rows)
        return cursor.rowcount


_WRITE_SQL = f"""
UPDATE {ProductIndex._meta.db_table}
SET colours = %s,
    text_vector = %s, photo_features = %s, colour_vector = %s, photo_text_vector = %s,
    map_version = %s, photo_version = %s, encoder_version = %s, error = %s,
    next_photo_features = NULL, next_photo_text_vector = NULL, next_photo_version = '',
    dirty = false, indexed_at = now(), lease_expires_at = NULL, lease_attempts = 0,
    updated_at = now()
WHERE product_id = %s AND changed_at = %s AND dirty
"""
