"""The catalogue's version: a number in Redis that moves each time a change to what search
learns from the catalogue commits (search.catalogue_vocabulary moves it). A process tells
whether what it learned from the catalogue is current with one GET, where it once counted the
active products.

It is a key of the broker's Redis, as the embedding's and the training's flags are, not of the
cache: every process of the site reads the same one, whatever its cache's key prefix (the
served processes under test and the tests themselves)."""

import logging
import time

import redis

from core.broker import redis_client

logger = logging.getLogger(__name__)

_KEY = "vitrine:catalogue:version"
# While Redis is down, the last version this process read: it cannot tell what changed.
_last_read = 0


def current() -> int:
    global _last_read
    try:
        version = redis_client().get(_KEY)
        if version is None:  # none yet: a new or flushed Redis
            version = _started(redis_client().pipeline()).get(_KEY).execute()[-1]
        _last_read = int(version)
    except redis.RedisError as error:
        logger.warning("The catalogue's version could not be read: %s", error)
    return _last_read


def bump() -> int | None:
    """Move the version on; returns the new one (None while Redis is down)."""
    try:
        return _started(redis_client().pipeline()).incr(_KEY).execute()[-1]
    except redis.RedisError as error:
        logger.warning("The catalogue's version could not be moved: %s", error)
        return None


def _started(pipeline: redis.client.Pipeline) -> redis.client.Pipeline:
    # From the clock's microseconds: versions only grow, even across a flush of Redis, so that a
    # version a process learned before the flush is never taken for a later one.
    return pipeline.set(_KEY, time.time_ns() // 1000, nx=True)
