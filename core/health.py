"""Readiness checks of the services a web process needs, for /readyz (core.views.readyz).

A check is a callable that returns when its service answers and raises when not; the project
lists the checks to run by name in settings.VITRINE_READINESS_CHECKS (so that apps above core
add theirs without core importing them).
"""

import logging
import time

from django.conf import settings
from django.db import connections
from django.utils.module_loading import import_string
from kombu import Connection

from core.broker import redis_client

logger = logging.getLogger(__name__)
# Seconds the broker check waits for the broker to answer.
BROKER_TIMEOUT = 2


class NotReady(Exception):
    """A check's own reason for failing, in words safe to show anyone."""


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    redis_client().ping()


def check_broker() -> None:
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT) as connection:
        connection.ensure_connection(max_retries=0)


def run_readiness_checks() -> dict[str, dict]:
    """Each configured check's outcome: {"ok": bool, "ms": float, "error"?: str}.

    A failure is logged in full, but shown only as our own words or the error's type: the
    answer is public, and a driver's message can name internal hosts."""
    results = {}
    for name, path in settings.VITRINE_READINESS_CHECKS.items():
        started = time.monotonic()
        try:
            import_string(path)()
        except Exception as error:
            logger.warning(
                "Readiness check %s failed: %s",
                name,
                error,
                exc_info=not isinstance(error, NotReady),
            )
            reason = str(error) if isinstance(error, NotReady) else type(error).__name__
            results[name] = {"ok": False, "error": reason}
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    return results
