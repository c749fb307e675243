"""Rate limits, counted in the shared Redis cache so that they hold across web processes; while
Redis fails, each process counts on its own (a limit per process, never none).

Rates come from settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (a rate of None: no limit).
The same throttles guard the API's views and, through `throttled`, the site's own pages.
"""

import functools
import logging
import math
from collections.abc import Callable

import redis
from django.core.cache import BaseCache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework import throttling
from rest_framework.request import Request
from rest_framework.settings import api_settings

from core.broker import redis_client

logger = logging.getLogger(__name__)

# This process's own counts, used while Redis is unreachable.
LOCAL_COUNTS = LocMemCache("vitrine-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


def client_address(request: HttpRequest | Request) -> str:
    """The client's address, as every limit tells clients apart: the connecting address, or
    X-Forwarded-For's when VITRINE_TRUSTED_PROXIES proxies stand in front."""
    return throttling.BaseThrottle().get_ident(request)


class SharedCounts:
    """Counts in the "throttle" cache; reads its rate on use, so that a settings change applies."""

    scope: str
    _counts: BaseCache | None = None

    @property
    def cache(self) -> BaseCache:
        if self._counts is not None:
            return self._counts
        redis_client()  # starts the data dir's embedded Redis, when that is the one in use
        return caches["throttle"]

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request: Request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except redis.RedisError as error:
            # An unreachable Redis must not take the site down, nor lift its limits.
            logger.warning("Rate limits are counted per process while Redis fails: %s", error)
            self._counts = LOCAL_COUNTS
            return super().allow_request(request, view)


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


class PhotoSearchCounts:
    """Searches that send a photo, on top of the search limit: each costs a decode and a run of
    the image model, many times a text query."""

    def get_cache_key(self, request: Request, view) -> str | None:
        return super().get_cache_key(request, view) if request.FILES else None


class AnonPhotoSearchThrottle(PhotoSearchCounts, AnonThrottle):
    scope = "photo_search_anon"


class UserPhotoSearchThrottle(PhotoSearchCounts, UserThrottle):
    scope = "photo_search_user"


SEARCH_THROTTLES = [
    AnonSearchThrottle,
    UserSearchThrottle,
    AnonPhotoSearchThrottle,
    UserPhotoSearchThrottle,
]


class TokenThrottle(SharedCounts, throttling.AnonRateThrottle):
    """Password guesses at the token endpoint, per address."""

    scope = "token"


class SignUpThrottle(SharedCounts, throttling.AnonRateThrottle):
    """Accounts asked for, per address: a script cannot make an account per order."""

    scope = "signup"

    def get_cache_key(self, request: Request, view) -> str | None:
        if request.method != "POST":
            return None  # showing the form costs nothing
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class VerificationMailThrottle(UserThrottle):
    """Verification links mailed again, per account: a script cannot mail an address in a loop."""

    scope = "verification_mail"


class WritesCounted:
    """Counts only the requests that change something: reading is free."""

    def get_cache_key(self, request: Request, view) -> str | None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        return super().get_cache_key(request, view)


class WishlistThrottle(WritesCounted, UserThrottle):
    """Saves to and removals from a wishlist, per account (pages and API)."""

    scope = "wishlist"


class CartThrottle(WritesCounted, UserThrottle):
    """Adds to, changes of and removals from a signed-in shopper's cart, per account (pages and
    API): each takes the cart's lock."""

    scope = "cart"


class OrderThrottle(WritesCounted, UserThrottle):
    """Checkouts and cancellations, per account (pages and API): each locks products' stock and
    sends emails."""

    scope = "orders"


def throttled(*throttle_classes: type[SharedCounts]) -> Callable:
    """Apply API throttles to a page: beyond a limit it answers 429, a page saying when to come
    back, with Retry-After."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            waits = []
            for throttle in (throttle_class() for throttle_class in throttle_classes):
                if not throttle.allow_request(request, None):
                    waits.append(throttle.wait() or 0)
            if waits:
                return too_many_requests(request, math.ceil(max(waits)))
            return view(request, *args, **kwargs)

        return guarded

    return decorate


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(max(retry_after, 1))
    return response
