"""Reads of the shopper's things that pages and the API share."""

from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from catalog.models import Product
from shop.models import Cart, CartLine, Order, WishlistItem


def cart_lines(cart: Cart | None) -> list[CartLine]:
    """The cart's lines, oldest first, with what a line shows (none without a cart)."""
    if cart is None:
        return []
    return list(
        cart.lines.select_related(
            "product__merchant", "product__category", "variant"
        ).prefetch_related("product__images")
    )


def cart_line(cart: Cart | None, line_id: int) -> CartLine | None:
    """A line of this cart; None for another cart's, as for one that does not exist."""
    if cart is None:
        return None
    return (
        CartLine.objects.select_related("product", "variant", "cart")
        .filter(pk=line_id, cart=cart)
        .first()
    )


def cart_total(lines: list[CartLine]) -> dict[str, Decimal | int | str]:
    """The total and currency of the lines (one currency a cart); a line without a price (on
    request since it was added) counts for nothing."""
    return {
        "total": sum(line.subtotal for line in lines if line.subtotal is not None),
        "currency": lines[0].product.currency if lines else "",
    }


def shopper_orders(user: AbstractBaseUser) -> QuerySet[Order]:
    """The user's own orders, newest first, with their merchant: never another shopper's."""
    return Order.objects.filter(user=user).select_related("merchant").order_by("-placed_at", "-id")


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
