from functools import cache

from django.http import HttpRequest

from shop.selectors import saved_product_ids
from shop.services.cart import item_count


def cart(request: HttpRequest) -> dict:
    """The item count for the header's cart link, computed only when a template reads it."""
    return {"cart_count": lambda: item_count(request.user, request.session)}


def wishlist(request: HttpRequest) -> dict:
    """The ids of the products the shopper saved, for the save buttons: read once per page,
    when a template first asks, however many product cards the page has."""
    return {"wishlist_ids": cache(lambda: saved_product_ids(request.user))}
