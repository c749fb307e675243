"""The shopper's cart: find it, add, change and remove lines, and merge an anonymous cart into
the user's at login. Quantities never exceed the stock at the time of the change, nor the units
an order may take of one product; checkout checks both again under lock."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from catalog.models import Product, Variant
from shop.models import Cart, CartLine

# The session keeps the id of its anonymous cart (not the session key, which login changes).
SESSION_KEY = "cart_id"


def max_units_per_line() -> int:
    """The most units of one product one order may take (VITRINE_MAX_UNITS_PER_LINE): with pay
    on delivery nothing is paid up front, so one order must not reserve a whole stock."""
    return settings.VITRINE_MAX_UNITS_PER_LINE


@dataclass(frozen=True)
class LineChange:
    """A cart line after a change (None: removed), the quantity the shopper asked for when the
    stock allowed less, and whether the change made the line."""

    line: CartLine | None
    limited_from: int | None = None
    created: bool = False


def current_cart(
    user: AbstractBaseUser | AnonymousUser, session: SessionBase, *, create: bool = False
) -> Cart | None:
    """The user's cart, or the anonymous session's; made on demand when `create`."""
    if user.is_authenticated:
        if create:
            return Cart.objects.get_or_create(user=user)[0]
        return Cart.objects.filter(user=user).first()
    cart_id = session.get(SESSION_KEY)
    cart = Cart.objects.filter(pk=cart_id, user=None).first() if cart_id else None
    if cart is None and create:
        cart = Cart.objects.create()
        session[SESSION_KEY] = cart.pk
    return cart


def item_count(user: AbstractBaseUser | AnonymousUser, session: SessionBase) -> int:
    """How many items the cart holds, in one query (none without a cart)."""
    if user.is_authenticated:
        lines = CartLine.objects.filter(cart__user=user)
    elif session.get(SESSION_KEY):
        lines = CartLine.objects.filter(cart_id=session[SESSION_KEY], cart__user=None)
    else:
        return 0
    return lines.aggregate(total=Sum("quantity"))["total"] or 0


def add_to_cart(
    cart: Cart, product: Product, quantity: int = 1, variant: Variant | None = None
) -> LineChange:
    """Add `quantity` of a product for sale, up to its stock; of a product with variants, of
    the `variant` chosen, up to its stock."""
    if quantity < 1:
        raise ValidationError("Choose a quantity of at least 1.", code="bad_quantity")
    with transaction.atomic():
        _lock(cart)
        product = Product.objects.get(pk=product.pk)
        variant = _chosen_variant(product, variant)
        check_for_sale(product, variant)
        _check_currency(cart, product)
        line = CartLine.objects.filter(cart=cart, product=product, variant=variant).first()
        wanted = quantity + (line.quantity if line else 0)
        if line is None:
            line = CartLine(cart=cart, product=product, variant=variant)
        line.product, line.variant = product, variant
        return _save_quantity(line, wanted)


def set_quantity(line: CartLine, quantity: int) -> LineChange:
    """Change a line's quantity, up to the stock; 0 removes the line."""
    if quantity < 0:
        raise ValidationError("A quantity cannot be negative.", code="bad_quantity")
    with transaction.atomic():
        _lock(line.cart)
        if quantity == 0:
            line.delete()
            return LineChange(None)
        line.product = Product.objects.get(pk=line.product_id)
        line.variant = _chosen_variant(line.product, line.variant)
        check_for_sale(line.product, line.variant)
        return _save_quantity(line, quantity)


def remove_line(line: CartLine) -> None:
    with transaction.atomic():
        _lock(line.cart)
        line.delete()


def merge_at_login(user: AbstractBaseUser, session: SessionBase) -> None:
    """Move the session's anonymous cart into the user's cart: quantities add up, within the
    stock. Lines no longer for sale, or in another currency than the user's cart, are dropped:
    a login never fails over a cart."""
    cart_id = session.pop(SESSION_KEY, None)
    anonymous = Cart.objects.filter(pk=cart_id, user=None).first() if cart_id else None
    if anonymous is None:
        return
    with transaction.atomic():
        cart = Cart.objects.get_or_create(user=user)[0]
        for line in anonymous.lines.select_related("product", "variant"):
            try:
                add_to_cart(cart, line.product, line.quantity, line.variant)
            except ValidationError:
                continue
        anonymous.delete()


def check_for_sale(product: Product, variant: Variant | None = None) -> None:
    """Raise ValidationError unless the product (its `variant`, when it has variants) can be
    bought now."""
    if not product.is_active:
        raise ValidationError(
            "%(title)s is no longer for sale.", code="not_for_sale", params={"title": product.title}
        )
    price, stock = (
        (product.price, product.stock) if variant is None else (variant.unit_price, variant.stock)
    )
    title = product.title if variant is None else f"{product.title} ({variant.label})"
    if price is None:
        raise ValidationError(
            "%(title)s has its price on request: contact the seller.",
            code="price_on_request",
            params={"title": title},
        )
    if stock < 1:
        raise ValidationError(
            "%(title)s is out of stock.", code="out_of_stock", params={"title": title}
        )


def _chosen_variant(product: Product, variant: Variant | None) -> Variant | None:
    """The variant to add, read now: one of the product's own, and one is needed exactly when
    the product has variants."""
    if variant is None:
        if product.variants.exists():
            raise ValidationError(
                "Choose the options of %(title)s first.",
                code="choose_variant",
                params={"title": product.title},
            )
        return None
    chosen = Variant.objects.filter(pk=variant.pk, product=product).first()
    if chosen is None:
        raise ValidationError(
            "That option of %(title)s is no longer sold.",
            code="no_such_variant",
            params={"title": product.title},
        )
    chosen.product = product
    return chosen


def _check_currency(cart: Cart, product: Product) -> None:
    # One currency a cart, so that it has one total.
    other = cart.lines.exclude(product__currency=product.currency).values_list(
        "product__currency", flat=True
    )
    if other:
        raise ValidationError(
            "Your cart holds items priced in %(cart)s and %(title)s is priced in %(product)s: "
            "check out your cart first.",
            code="mixed_currencies",
            params={"cart": other[0], "title": product.title, "product": product.currency},
        )


def _save_quantity(line: CartLine, wanted: int) -> LineChange:
    allowed = min(wanted, line.stock, max_units_per_line())
    created = line.pk is None
    line.quantity = allowed
    line.save()
    return LineChange(line, wanted if allowed < wanted else None, created)


def purge_abandoned_carts() -> int:
    """Delete anonymous carts untouched for longer than a session lives: no session can reach
    them any more. Returns how many went."""
    cutoff = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    deleted, _ = Cart.objects.filter(user=None, updated_at__lt=cutoff).delete()
    return deleted


def _lock(cart: Cart) -> None:
    # Changes to one cart take turns, so two tabs cannot insert the same line twice; each
    # change also marks the cart as in use (purge_abandoned_carts).
    Cart.objects.select_for_update().filter(pk=cart.pk).first()
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
