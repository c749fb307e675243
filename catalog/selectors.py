"""Reads of the catalogue that several pages and APIs share."""

from django.db.models import QuerySet

from catalog.models import Product


def listed_products() -> QuerySet[Product]:
    """Active products, with what a product card shows."""
    return (
        Product.objects.filter(status=Product.Status.ACTIVE)
        .select_related("category")
        .prefetch_related("images")
    )
