"""Emails about orders, through Django's email backend (the console in development). They are
sent by a Celery task (shop.tasks.send_order_email) once the change commits: a slow or failing
mail server never holds up a checkout, and a failed send is retried."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from shop.models import Order

# Each email: its subject and body template; the merchant's note goes to the merchant.
MESSAGES = {
    "order_placed": ("Your order {number}", "shop/email/order_placed.txt"),
    "new_order": ("New order {number}", "shop/email/new_order.txt"),
    "status_changed": ("Your order {number} is {status}", "shop/email/status_changed.txt"),
}


def recipients(order: Order, message: str) -> list[str]:
    """Who gets this email about the order: none when the merchant has no address."""
    address = order.merchant.user.email if message == "new_order" else order.email
    return [address] if address else []


def send(order_id: int, message: str, status: str) -> None:
    """Send one email about the order, as the change to `status` left it (a later change
    has its own email). Raises OSError (smtplib's errors among them) when sending fails."""
    order = (
        Order.objects.select_related("merchant__user").prefetch_related("lines").get(pk=order_id)
    )
    order.status = status
    subject, template = MESSAGES[message]
    subject = subject.format(number=order.number, status=order.get_status_display().lower())
    body = render_to_string(template, {"order": order, "site_url": settings.VITRINE_SITE_URL})
    send_mail(subject, body, None, recipients(order, message))
