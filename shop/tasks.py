"""Shop's tasks on the default queue: order emails, and the periodic ones (Celery beat)."""

from celery import shared_task
from django.core import management
from django.db import transaction

from core.mail import EMAIL_TASK_RETRIES
from shop import notifications
from shop.models import Order
from shop.services.cart import purge_abandoned_carts
from shop.services.checkout_keys import purge_checkout_keys


@shared_task(name="shop.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Daily: expired sessions, the anonymous carts that only they could reach, and the
    checkout keys past the time they answer retries."""
    management.call_command("clearsessions")
    purge_abandoned_carts()
    purge_checkout_keys()


@shared_task(name="shop.tasks.send_order_email", **EMAIL_TASK_RETRIES)
def send_order_email(order_id: int, message: str, status: str) -> None:
    notifications.send(order_id, message, status)


def email_order_placed(order: Order) -> None:
    """Once the checkout commits: the shopper's confirmation, and the merchant's note that
    there is an order to ship."""
    _email_on_commit(order, "order_placed")
    _email_on_commit(order, "new_order")


def email_status_changed(order: Order) -> None:
    _email_on_commit(order, "status_changed")


def _email_on_commit(order: Order, message: str) -> None:
    if not notifications.recipients(order, message):
        return
    # Robust: the order stands even if the broker cannot be reached (the failure is logged).
    transaction.on_commit(
        lambda: send_order_email.delay(order.pk, message, order.status), robust=True
    )
