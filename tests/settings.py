"""Test settings: the real embedded PostgreSQL, and the real Redis on 127.0.0.1:6379 when one
answers (the embedded Redis otherwise). Photos go to a temporary folder."""

import os
import tempfile
from pathlib import Path

import redis

LOCAL_REDIS = "redis://127.0.0.1:6379/15"


def _local_redis_answers() -> bool:
    client = redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=0.5)
    try:
        return bool(client.ping())
    except (redis.ConnectionError, redis.TimeoutError):
        return False
    finally:
        client.close()


if not os.environ.get("REDIS_URL") and _local_redis_answers():
    os.environ["REDIS_URL"] = LOCAL_REDIS

from shop.settings import *  # noqa: E402, F403

MEDIA_ROOT = tempfile.mkdtemp(prefix="vitrine-test-media-")
# A model trained in the developer's data folder must not change rankings under test.
VITRINE_SEARCH_MODELS_DIR = Path(tempfile.mkdtemp(prefix="vitrine-test-search-models-"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False
