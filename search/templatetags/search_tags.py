from django import template

from catalog.models import Product
from search import advice, service

register = template.Library()


@register.inclusion_tag("search/_similar_products.html")
def similar_products(product: Product, limit: int = 8) -> dict:
    """Products like this one; nothing when the index has no vectors for it yet."""
    return {"hits": service.similar_products(product, limit=limit)}


@register.inclusion_tag("search/_category_suggestion.html")
def category_suggestion(product: Product) -> dict:
    """A merchant's hint: the category that listings looking like this one are in."""
    return {"category": advice.suggested_category(product)}
