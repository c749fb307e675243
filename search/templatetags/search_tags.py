from django import template

from catalog.models import Product
from search import selectors

register = template.Library()


@register.inclusion_tag("search/_similar_products.html")
def similar_products(product: Product, limit: int = 8) -> dict:
    """Products like this one; nothing when the index has no vectors for it yet."""
    return {"hits": selectors.similar_products(product, limit=limit)}
