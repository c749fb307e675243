"""API rate limits, counted in the shared Redis cache so that they hold across web processes.

Rates come from settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (a rate of None: no limit).
"""

import logging

import redis
from django.core.cache import BaseCache, caches
from rest_framework import throttling
from rest_framework.request import Request
from rest_framework.settings import api_settings

from core.broker import redis_client

logger = logging.getLogger(__name__)


class SharedCounts:
    """Counts in the "throttle" cache; reads its rate on use, so that a settings change applies."""

    scope: str

    @property
    def cache(self) -> BaseCache:
        redis_client()  # starts the data dir's embedded Redis, when that is the one in use
        return caches["throttle"]

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request: Request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except redis.RedisError as error:
            # An unreachable Redis must not take the API down with it: serve, unthrottled.
            logger.warning("API throttling is off while Redis fails: %s", error)
            return True


class AnonThrottle(SharedCounts, throttling.AnonRateThrottle):
    """Anonymous clients, per address."""


class UserThrottle(SharedCounts, throttling.UserRateThrottle):
    """Authenticated clients, per account."""

    def get_cache_key(self, request: Request, view) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None  # AnonThrottle counts these
        return super().get_cache_key(request, view)


class AnonSearchThrottle(AnonThrottle):
    scope = "search_anon"


class UserSearchThrottle(UserThrottle):
    scope = "search_user"


class TokenThrottle(SharedCounts, throttling.AnonRateThrottle):
    """Password guesses at the token endpoint, per address."""

    scope = "token"
