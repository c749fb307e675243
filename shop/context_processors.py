from django.http import HttpRequest

from shop.services.cart import item_count


def cart(request: HttpRequest) -> dict:
    """The item count for the header's cart link, computed only when a template reads it."""
    return {"cart_count": lambda: item_count(request.user, request.session)}
