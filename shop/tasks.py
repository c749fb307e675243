"""Shop's periodic tasks (Celery beat), on the default queue."""

from celery import shared_task
from django.core import management

from shop.services.cart import purge_abandoned_carts


@shared_task(name="shop.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Daily: expired sessions, and the anonymous carts that only they could reach."""
    management.call_command("clearsessions")
    purge_abandoned_carts()
