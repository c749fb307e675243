"""A Redis client for the project's own keys, on the same Redis as Celery's broker."""

from functools import cache

import redis
from django.conf import settings

from core.embedded import EmbeddedRedis


@cache
def redis_client() -> redis.Redis:
    """This process's client; it starts the data dir's embedded Redis if that is the one."""
    if settings.REDIS_IS_EMBEDDED:
        EmbeddedRedis(settings.VITRINE_DATA_DIR).ensure_running()
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
