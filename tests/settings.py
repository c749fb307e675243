"""Test settings: the real embedded PostgreSQL, and the real Redis on 127.0.0.1:6379 when one
answers (the embedded Redis otherwise). Photos go to a temporary folder."""

import os
import tempfile
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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

# Static files as development finds them (tests.served_settings): no collectstatic before a test
# (tests/vitrine/test_serve.py runs it for the served site).
from tests.served_settings import *  # noqa: E402, F403


def _database_of_this_worker(url: str) -> str:
    """The Redis database of this pytest-xdist worker (gw0: 15, gw1: 14, ...): the workers'
    Celery queues, limits' counts and project keys stay apart on one server."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    number = str(15 - int(worker.removeprefix("gw")))
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = [(key, value) for key, value in parse_qsl(parts.query) if key != "db"]
        return urlunsplit(parts._replace(query=urlencode([*query, ("db", number)])))
    return urlunsplit(parts._replace(path=f"/{number}"))


REDIS_URL = _database_of_this_worker(REDIS_URL)  # noqa: F405
CACHES["throttle"]["LOCATION"] = REDIS_URL  # noqa: F405
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = celery_url(REDIS_URL)  # noqa: F405

MEDIA_ROOT = tempfile.mkdtemp(prefix="vitrine-test-media-")
# A model trained in the developer's data folder must not change rankings under test.
VITRINE_SEARCH_MODELS_DIR = Path(tempfile.mkdtemp(prefix="vitrine-test-search-models-"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False
# No rate limits, but where a test sets them (tests/core/test_api_throttling.py); counts of this
# run apart from any other's on the same Redis.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]),  # noqa: F405
}
CACHES["throttle"]["KEY_PREFIX"] = f"vitrine-test-throttle-{uuid.uuid4().hex}"  # noqa: F405
# The same for django-allauth's limits, counted in the default cache.
ACCOUNT_RATE_LIMITS = False
CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = f"vitrine-test-{uuid.uuid4().hex}"  # noqa: F405
# Search re-learns the catalogue's words as soon as a test changes it, before it answers.
VITRINE_VOCABULARY_REFRESH_SECONDS = 0
VITRINE_VOCABULARY_LEARN_IN_BACKGROUND = False
# No connection pool in the test process itself: with a Celery worker running in a thread of
# this process (celery.contrib.testing's solo worker, tests/workers/test_embedding_pipeline.py)
# a pooled connection's check hung forever. The served processes under test keep their pool.
DATABASES["default"]["OPTIONS"].pop("pool", None)  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The test database once more, as a streaming replica of it (core.replicas): a connection of its
# own. Searches read from it only where a test names it in DATABASE_REPLICAS.
DATABASES["replica_1"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
# The test runner creates, migrates and flushes its own database: the test process connects
# as the owner. The site's own role (granted its rights by the test database's migrate) is what
# the served processes under test connect as (tests.processes.application_database_url), and
# tests/core/test_database_roles.py holds it to its limits.
SITE_DATABASE = dict(DATABASES["default"])  # noqa: F405
DATABASES["default"].update(  # noqa: F405
    {key: value for key, value in DATABASES[OWNER_ALIAS].items() if key != "TEST"}  # noqa: F405
)
