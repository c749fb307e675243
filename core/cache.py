"""The default cache: Redis, shared by every process of the site (django-allauth counts its
rate limits there); while Redis fails, each process's own memory, as core.throttling does, so
that an outage neither takes the login pages down nor lifts their limits."""

import functools
import logging
from collections.abc import Callable

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from core.broker import redis_client

logger = logging.getLogger(__name__)

# The operations Django's cache API offers; each falls back on its own.
OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class RedisCacheWithFallback(RedisCache):
    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        redis_client()  # starts the data dir's embedded Redis, when that is the one in use
        self.fallback = LocMemCache(f"fallback-{id(self)}", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


def _falling_back(name: str) -> Callable:
    shared = getattr(RedisCache, name)

    @functools.wraps(shared)
    def operation(self: RedisCacheWithFallback, *args, **kwargs):
        try:
            return shared(self, *args, **kwargs)
        except redis.RedisError as error:
            logger.warning("The cache is this process's own while Redis fails: %s", error)
            return getattr(self.fallback, name)(*args, **kwargs)

    return operation


for _name in OPERATIONS:
    setattr(RedisCacheWithFallback, _name, _falling_back(_name))
