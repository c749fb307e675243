"""Emails about orders, through Django's email backend (the console in development)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string

from shop.models import Order


def order_placed(order: Order) -> None:
    """The shopper's confirmation, and the merchant's note that there is an order to ship."""
    order = _with_lines(order)
    _send(order.email, f"Your order {order.number}", "shop/email/order_placed.txt", order)
    merchant_email = order.merchant.user.email
    if merchant_email:
        _send(merchant_email, f"New order {order.number}", "shop/email/new_order.txt", order)


def status_changed(order: Order) -> None:
    order = _with_lines(order)
    subject = f"Your order {order.number} is {order.get_status_display().lower()}"
    _send(order.email, subject, "shop/email/status_changed.txt", order)


def _with_lines(order: Order) -> Order:
    # The order as the change left it (not re-read: a later change has its own email).
    prefetch_related_objects([order], "lines", "merchant__user")
    return order


def _send(recipient: str, subject: str, template: str, order: Order) -> None:
    body = render_to_string(template, {"order": order, "site_url": settings.VITRINE_SITE_URL})
    send_mail(subject, body, None, [recipient])
