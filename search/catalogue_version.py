"""The catalogue's version: a number in the shared cache that moves each time a change to what
search learns from the catalogue commits (search.catalogue_vocabulary moves it). A process
tells whether what it learned from the catalogue is current with one cache GET, where it once
counted the active products."""

import time

from django.core.cache import cache

_KEY = "catalogue:version"


def current() -> int:
    version = cache.get(_KEY)
    if version is None:
        cache.add(_KEY, _first(), timeout=None)
        version = cache.get(_KEY)
    return version


def bump() -> int:
    """Move the version on; returns the new one."""
    try:
        return cache.incr(_KEY)
    except ValueError:  # none yet: a new or flushed cache
        cache.add(_KEY, _first(), timeout=None)
        return cache.incr(_KEY)


def _first() -> int:
    # The clock's microseconds: versions only grow, even across a flush of the cache, so that a
    # version a process learned before the flush is never taken for a later one.
    return time.time_ns() // 1000
