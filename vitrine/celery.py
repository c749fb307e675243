"""The Celery app. Its tasks live in workers/; Redis is the broker."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vitrine.settings")

app = Celery("vitrine")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_configure.connect
def start_embedded_redis(sender: Celery, **kwargs) -> None:
    """Start the data dir's Redis the first time this process needs the broker."""
    from django.conf import settings

    from core.embedded import EmbeddedRedis

    if settings.REDIS_IS_EMBEDDED:
        EmbeddedRedis(settings.VITRINE_DATA_DIR).ensure_running()


@worker_process_init.connect
def forget_the_parents_connection_pools(**kwargs) -> None:
    """A forked worker process inherits the parent's connection pools (the parent's startup
    checks open one), whose threads did not survive the fork: borrowing from one waits forever.
    The child forgets them, unclosed (closing would end the parent's connections), and opens
    its own on first use."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    DatabaseWrapper._connection_pools.clear()
