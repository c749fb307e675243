"""Checkout: a cart becomes orders, in one transaction that takes the stock under row locks."""

import secrets
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from accounts.selectors import has_verified_email
from catalog.currencies import format_price
from catalog.models import Product, Variant
from shop import tasks
from shop.models import ADDRESS_FIELDS, Cart, CartLine, CheckoutKey, Order, OrderLine
from shop.payment import PAYMENT_METHODS, PaymentMethod, PaymentStatus, payment_method
from shop.services.cart import check_for_sale, max_units_per_line

# Order numbers: no 0/O or 1/I/L to misread over the phone.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NUMBER_LENGTH = 10


class CheckoutKeyReused(ValidationError):
    """The key came with another checkout request before: nothing was placed."""

    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was used for another checkout request: use a new key for a new "
            "checkout, and the same request body when you retry one.",
            code="idempotency_key_reused",
        )


def place_order(
    cart: Cart,
    user: AbstractBaseUser,
    *,
    email: str,
    address: Mapping[str, str],
    payment_method_code: str,
    shown_prices: Mapping[str, tuple[Decimal | None, str]],
) -> list[Order]:
    """Turn the cart into orders, one per merchant, at today's prices, or change nothing.

    The products are locked in id order (two checkouts never wait on each other in a cycle),
    then their variants, then every line is checked against the locked stock (a variant's for
    a variant's line), and its price and currency against `shown_prices` (each line's
    `price_key`: what the shopper was shown): any shortfall or change rejects
    the whole checkout with every reason. The cart is emptied and the emails go once it
    commits. With pay on delivery, a shopper's orders awaiting payment are capped
    (VITRINE_MAX_OPEN_UNPAID_ORDERS): one account cannot reserve a shop's stock unpaid, and
    the account must have verified its email address (code `email_unverified`).
    """
    method = payment_method(payment_method_code)
    _check_verified_email(user, method)
    with transaction.atomic():
        # Locked first: a double submit of the same cart waits here, then finds it empty.
        Cart.objects.select_for_update().filter(pk=cart.pk).first()
        lines = list(CartLine.objects.filter(cart=cart).order_by("product_id"))
        if not lines:
            raise ValidationError("Your cart is empty.", code="empty_cart")
        products = Product.objects.select_for_update().filter(
            pk__in=[line.product_id for line in lines]
        )
        locked = {product.pk: product for product in products.order_by("pk")}
        # Every writer of a variant's stock holds its product's lock first (catalog.services,
        # cancellation): these wait on nobody, and products with variants are known.
        variants = {
            variant.pk: variant
            for variant in Variant.objects.select_for_update()
            .filter(product_id__in=locked)
            .order_by("pk")
        }
        with_variants = {variant.product_id for variant in variants.values()}
        for line in lines:
            line.product = locked[line.product_id]
            line.variant = variants.get(line.variant_id)
        _check_lines(lines, with_variants, shown_prices)
        by_merchant: dict[int, list[CartLine]] = defaultdict(list)
        for line in lines:
            by_merchant[line.product.merchant_id].append(line)
        # Under the cart's lock: two checkouts of one shopper cannot both pass the count.
        _check_unpaid_orders(user, method, new_orders=len(by_merchant))
        orders = [
            _create_order(merchant_id, merchant_lines, user, email, address, method.code)
            for merchant_id, merchant_lines in sorted(by_merchant.items())
        ]
        for line in lines:
            # A new version: a merchant's form read before the sale cannot write the old stock.
            # A variant's sale takes from the product's total too (catalog.models.Variant).
            Product.objects.filter(pk=line.product_id).update(
                stock=F("stock") - line.quantity, version=F("version") + 1
            )
            if line.variant_id:
                Variant.objects.filter(pk=line.variant_id).update(stock=F("stock") - line.quantity)
        CartLine.objects.filter(cart=cart).delete()
        for order in orders:
            method.order_placed(order)
            order.save(update_fields=["payment_status"])
            tasks.email_order_placed(order)
    return orders


def place_order_once(
    cart: Cart,
    user: AbstractBaseUser,
    *,
    key: str,
    request_hash: str,
    email: str,
    address: Mapping[str, str],
    payment_method_code: str,
    shown_prices: Mapping[str, tuple[Decimal | None, str]],
) -> tuple[list[Order], bool]:
    """`place_order`, at most once for each of the user's `key`s: the orders, and whether they
    were placed now (False: a retry, answered with the orders its key placed before).

    The key is saved in the checkout's transaction, so that it stands exactly when the orders
    do: a retry sent while the first request still runs waits on the key's unique index, then
    finds its orders, or places them if that first request was refused. The same key with
    another `request_hash` raises CheckoutKeyReused.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = CheckoutKey.objects.create(user=user, key=key, request_hash=request_hash)
        except IntegrityError:
            earlier = CheckoutKey.objects.get(user=user, key=key)
            if earlier.request_hash != request_hash:
                raise CheckoutKeyReused() from None
            placed = Order.objects.filter(user=user, number__in=earlier.order_numbers)
            return list(placed.order_by("merchant_id")), False
        orders = place_order(
            cart,
            user,
            email=email,
            address=address,
            payment_method_code=payment_method_code,
            shown_prices=shown_prices,
        )
        record.order_numbers = [order.number for order in orders]
        record.save(update_fields=["order_numbers"])
    return orders, True


def _check_lines(
    lines: list[CartLine],
    with_variants: set[int],
    shown_prices: Mapping[str, tuple[Decimal | None, str]],
) -> None:
    problems = []
    for line in lines:
        product = line.product
        if line.variant is None and product.pk in with_variants:
            problems.append(
                ValidationError(
                    "%(title)s now comes in options: remove it from your cart and choose them.",
                    code="choose_variant",
                    params={"title": product.title},
                )
            )
            continue
        try:
            check_for_sale(product, line.variant)
        except ValidationError as error:
            problems.append(error)
            continue
        if shown_prices.get(line.price_key) != (line.unit_price, product.currency):
            problems.append(
                ValidationError(
                    "The price of %(title)s is now %(price)s: check your order and place it again.",
                    code="price_changed",
                    params={
                        "title": product.title,
                        "price": format_price(line.unit_price, product.currency),
                    },
                )
            )
        if line.quantity > max_units_per_line():
            problems.append(
                ValidationError(
                    "At most %(limit)d of %(title)s can be ordered at once: lower the quantity "
                    "in your cart.",
                    code="too_many_units",
                    params={"limit": max_units_per_line(), "title": product.title},
                )
            )
        elif line.stock < line.quantity:
            problems.append(
                ValidationError(
                    "Only %(stock)d of %(title)s left: lower the quantity in your cart.",
                    code="short_stock",
                    params={"stock": line.stock, "title": product.title},
                )
            )
    if problems:
        raise ValidationError(problems)


def _check_verified_email(user: AbstractBaseUser, method: PaymentMethod) -> None:
    # The goods leave before the money comes: the shop must be able to reach the shopper.
    if method.paid_on_delivery and not has_verified_email(user):
        raise ValidationError(
            "Please verify your email address before ordering with pay on delivery: open the "
            "link we emailed you, or have it sent again.",
            code="email_unverified",
        )


def _check_unpaid_orders(user: AbstractBaseUser, method: PaymentMethod, new_orders: int) -> None:
    if not method.paid_on_delivery:
        return
    limit = settings.VITRINE_MAX_OPEN_UNPAID_ORDERS
    unpaid = Order.objects.filter(
        user=user,
        payment_status=PaymentStatus.DUE,
        payment_method__in=[code for code, m in PAYMENT_METHODS.items() if m.paid_on_delivery],
    ).count()
    if unpaid + new_orders > limit:
        raise ValidationError(
            "You have %(unpaid)d order(s) awaiting payment on delivery and this checkout would "
            "make %(new)d more; at most %(limit)d may await payment at once. Checkout is "
            "possible again once an order is delivered or cancelled.",
            code="too_many_unpaid_orders",
            params={"unpaid": unpaid, "new": new_orders, "limit": limit},
        )


def _create_order(
    merchant_id: int,
    lines: list[CartLine],
    user: AbstractBaseUser,
    email: str,
    address: Mapping[str, str],
    method_code: str,
) -> Order:
    order = Order.objects.create(
        number=_new_number(),
        user=user,
        merchant_id=merchant_id,
        email=email,
        payment_method=method_code,
        currency=lines[0].product.currency,
        total=sum(line.subtotal for line in lines),
        **{name: address.get(name, "") for name in ADDRESS_FIELDS},
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=line.product,
            variant=line.variant,
            sku=line.sku,
            title=line.product.title,
            options=line.variant.options if line.variant else {},
            unit_price=line.unit_price,
            quantity=line.quantity,
        )
        for line in lines
    )
    return order


def _new_number() -> str:
    # 31^10 numbers: a clash is vanishingly rare, and the unique index refuses one anyway.
    while True:
        number = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))
        if not Order.objects.filter(number=number).exists():
            return number
