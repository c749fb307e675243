from django import template

from catalog.models import Product
from merchant import advice

register = template.Library()


@register.inclusion_tag("merchant/_category_suggestion.html")
def category_suggestion(product: Product) -> dict:
    """A merchant's hint: the category that products looking like this one are in."""
    return {"category": advice.suggested_category(product)}


@register.inclusion_tag("merchant/_photo_text_warning.html")
def photo_text_warning(product: Product) -> dict:
    """A merchant's warning: search sees this product's photo and text as different products."""
    return {"disagree": advice.photo_text_disagree(product)}


@register.simple_tag
def photo_text_disagreements(products) -> set[int]:
    """For a page of products, in one query: the ids of those whose photo and text disagree."""
    return advice.photo_text_disagreements(products)


@register.filter
def percent(rate: float | None) -> str:
    """A share as a percentage ("12.5%"); "—" when there is none (nothing to divide by)."""
    return "—" if rate is None else f"{rate * 100:.1f}%"
