"""The Celery app. Its tasks live in workers/; Redis is the broker."""

import os

from celery import Celery

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
