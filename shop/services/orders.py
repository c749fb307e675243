"""An order's life after checkout: placed → shipped → delivered, or placed → cancelled.

Cancelling puts the stock back. Each change locks the order row, so two clicks (or a merchant
and a shopper at once) cannot both apply, and the shopper is emailed once it commits.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Product, Variant
from catalog.variants import sync_stock
from shop import tasks
from shop.models import Order
from shop.payment import payment_method

Status = Order.Status

# Each status and where it may go next, with the timestamp that records the move.
TRANSITIONS: dict[str, set[str]] = {
    Status.PLACED: {Status.SHIPPED, Status.CANCELLED},
    Status.SHIPPED: {Status.DELIVERED},
    Status.DELIVERED: set(),
    Status.CANCELLED: set(),
}
STAMPS = {
    Status.SHIPPED: "shipped_at",
    Status.DELIVERED: "delivered_at",
    Status.CANCELLED: "cancelled_at",
}


def next_statuses(order: Order) -> list[str]:
    """Where this order may go from its status, in the order of its life."""
    return [status for status in Status.values if status in TRANSITIONS[order.status]]


def can_cancel(order: Order) -> bool:
    """Whether the shopper may still cancel the order (until it ships)."""
    return Status.CANCELLED in TRANSITIONS[order.status]


def ship(order: Order) -> Order:
    return _move(order, Status.SHIPPED)


def deliver(order: Order) -> Order:
    return _move(order, Status.DELIVERED)


def cancel(order: Order) -> Order:
    return _move(order, Status.CANCELLED)


def _move(order: Order, target: str) -> Order:
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if target not in TRANSITIONS[locked.status]:
            raise ValidationError(
                "Order %(number)s is %(status)s: it cannot be marked %(target)s.",
                code="bad_transition",
                params={
                    "number": locked.number,
                    "status": locked.get_status_display().lower(),
                    "target": Status(target).label.lower(),
                },
            )
        method = payment_method(locked.payment_method)
        if target == Status.CANCELLED:
            _restore_stock(locked)
            method.order_cancelled(locked)
        elif target == Status.DELIVERED:
            method.order_delivered(locked)
        locked.status = target
        setattr(locked, STAMPS[target], timezone.now())
        locked.save(update_fields=["status", STAMPS[target], "payment_status"])
        tasks.email_status_changed(locked)
    return locked


def _restore_stock(order: Order) -> None:
    lines = list(order.lines.filter(product__isnull=False))
    quantities: dict[int, int] = {}
    for line in lines:
        quantities[line.product_id] = quantities.get(line.product_id, 0) + line.quantity
    # The same lock order as checkout: by product id.
    for product_id in (
        Product.objects.select_for_update()
        .filter(pk__in=quantities)
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        Product.objects.filter(pk=product_id).update(
            stock=F("stock") + quantities[product_id], version=F("version") + 1
        )
    # Under the products' locks, as checkout takes them. A variant deleted since gives back
    # nothing: the product's total goes back to the sum of the variants it still has.
    for line in lines:
        if line.variant_id:
            Variant.objects.filter(pk=line.variant_id).update(stock=F("stock") + line.quantity)
    for product in Product.objects.filter(pk__in=quantities, variants__isnull=False).distinct():
        sync_stock(product)
