"""Shop's tasks on the default queue: order emails, and the periodic ones (Celery beat)."""

from celery import shared_task
from django.core import management
from django.db import transaction

from shop import notifications
from shop.models import Order
from shop.services.cart import purge_abandoned_carts

# A mail server down for a while: retries back off from about 1 s to 10 min, ~1 h in all.
EMAIL_RETRIES = 10


@shared_task(name="shop.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Daily: expired sessions, and the anonymous carts that only they could reach."""
    management.call_command("clearsessions")
    purge_abandoned_carts()


@shared_task(
    name="shop.tasks.send_order_email",
    # smtplib's errors and timeouts are OSErrors (EMAIL_TIMEOUT bounds each try).
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=EMAIL_RETRIES,
)
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
