"""A signed-in shopper's wishlist: save a product for later, and take it off again. Saving
twice changes nothing."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import Product
from shop.models import WishlistItem


def save_to_wishlist(user: AbstractBaseUser, product: Product) -> bool:
    """Save an active product to the user's wishlist; False if it was saved already."""
    if not product.is_active:
        raise ValidationError(
            "%(title)s is not for sale.", code="not_for_sale", params={"title": product.title}
        )
    limit = settings.VITRINE_MAX_WISHLIST_ITEMS
    with transaction.atomic():
        items = WishlistItem.objects.filter(user=user)
        if items.filter(product=product).exists():
            return False
        if items.count() >= limit:
            raise ValidationError(
                "Your wishlist holds %(limit)d products, as many as it can: remove one first.",
                code="wishlist_full",
                params={"limit": limit},
            )
        # A save of the same product at the same moment: one item, as the constraint keeps.
        _, created = WishlistItem.objects.get_or_create(user=user, product=product)
    return created


def remove_from_wishlist(user: AbstractBaseUser, product_id: int) -> bool:
    """Take a product off the user's wishlist; False if it was not on it."""
    deleted, _ = WishlistItem.objects.filter(user=user, product_id=product_id).delete()
    return deleted > 0
