"""Health tasks on the default queue."""

import socket

from celery import shared_task


@shared_task(name="workers.ping")
def ping() -> dict:
    """Health check: proves a worker takes tasks from the broker and answers."""
    return {"pong": True, "host": socket.gethostname()}
