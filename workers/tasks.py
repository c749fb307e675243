"""Maintenance and health tasks on the default queue."""

import socket

from celery import shared_task
from django.core import management


@shared_task(name="workers.ping")
def ping() -> dict:
    """Health check: proves a worker takes tasks from the broker and answers."""
    return {"pong": True, "host": socket.gethostname()}


@shared_task(name="workers.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Daily: expired sessions, and the anonymous carts that only they could reach."""
    from shop.services.cart import purge_abandoned_carts

    management.call_command("clearsessions")
    purge_abandoned_carts()
