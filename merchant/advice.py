"""Help for merchants, read from the search index: what a product looks like to search."""

from collections import Counter
from collections.abc import Iterable

from django.db.models import F
from pgvector.django import CosineDistance

from catalog.models import Category, Product
from search.ml import trained
from search.models import ProductIndex
from search.selectors import similar_products

NEIGHBOURS = 10
# The share of the look-alike products that must agree on a category for it to be suggested.
AGREEMENT = 0.6


def suggested_category(product: Product) -> Category | None:
    """The category that most products looking like this one are in, when it is not the
    product's own; None when they do not agree, or the product is not indexed yet."""
    hits = similar_products(product, limit=NEIGHBOURS)
    votes = Counter(hit.product.category for hit in hits if hit.product.category_id)
    if not votes:
        return None
    category, count = votes.most_common(1)[0]
    if count < AGREEMENT * len(hits) or category.pk == product.category_id:
        return None
    return category


def photo_text_disagreements(products: Iterable[Product]) -> set[int]:
    """The ids of those products whose photo and text look like different products to search:
    the photo, in the text space, is further from the product's own text than the active
    model's warning threshold. None before a model is trained, nor for a row being re-indexed.
    """
    rows = (
        ProductIndex.objects.filter(
            product__in=[product.pk for product in products],
            dirty=False,
            text_vector__isnull=False,
            photo_text_vector__isnull=False,
        )
        .annotate(distance=CosineDistance("photo_text_vector", F("text_vector")))
        .values_list("product_id", "encoder_version", "map_version", "distance")
    )
    rows = list(rows)
    # One threshold per (encoder, map) on the page, usually one: the model is looked up once.
    thresholds = {key: _warning_threshold(*key) for key in {tuple(row[1:3]) for row in rows}}
    return {
        product_id
        for product_id, encoder_version, map_version, distance in rows
        if 1 - distance < thresholds[encoder_version, map_version]
    }


def photo_text_disagree(product: Product) -> bool:
    return product.pk in photo_text_disagreements([product])


def _warning_threshold(encoder_version: str, map_version: str) -> float:
    model = trained.active_model(encoder_version)
    # A photo mapped by another map (or the zero-shot one) is not measured by this threshold.
    if model is None or map_version != model.map_version:
        return float("-inf")
    return model.metrics.get("photo_text_agreement", {}).get("warn_below", float("-inf"))
