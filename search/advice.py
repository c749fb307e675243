"""Help for merchants, read from the search index: what a listing looks like to search."""

from collections import Counter

from catalog.models import Category, Product
from search.service import similar_products

NEIGHBOURS = 10
# The share of the look-alike listings that must agree on a category for it to be suggested.
AGREEMENT = 0.6


def suggested_category(product: Product) -> Category | None:
    """The category that most listings looking like this one are in, when it is not the
    product's own; None when they do not agree, or the listing is not indexed yet."""
    hits = similar_products(product, limit=NEIGHBOURS)
    votes = Counter(hit.product.category for hit in hits if hit.product.category_id)
    if not votes:
        return None
    category, count = votes.most_common(1)[0]
    if count < AGREEMENT * len(hits) or category.pk == product.category_id:
        return None
    return category
