"""Reads of the shopper's things that pages and the API share."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from catalog.models import Product
from shop.models import WishlistItem


def wishlist_items(user: AbstractBaseUser) -> QuerySet[WishlistItem]:
    """The user's saved products that are on sale, last saved first, with what a card shows.
    A product taken off sale drops out (and comes back if it is put on sale again)."""
    return (
        WishlistItem.objects.filter(user=user, product__status=Product.Status.ACTIVE)
        .select_related("product__category", "product__merchant")
        .prefetch_related("product__images", "product__variants")
    )


def saved_product_ids(user: AbstractBaseUser | AnonymousUser) -> frozenset[int]:
    """The ids of the products the user saved, in one query (none for an anonymous visitor):
    a page's cards look their products up here."""
    if not user.is_authenticated:
        return frozenset()
    return frozenset(WishlistItem.objects.filter(user=user).values_list("product_id", flat=True))
