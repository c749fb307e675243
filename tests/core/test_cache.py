"""The default cache (django-allauth's rate limits): Redis, shared by the processes; while
Redis fails, each process's own memory, so that the login pages stay up and limits hold."""

import uuid

from core.cache import RedisCacheWithFallback
from tests.processes import free_port


def test_the_cache_is_shared_through_redis(settings):
    params = {"KEY_PREFIX": uuid.uuid4().hex}
    one = RedisCacheWithFallback(settings.REDIS_URL, params)
    other = RedisCacheWithFallback(settings.REDIS_URL, params)  # another web process
    assert one.add("limit", [1.0], 60)
    assert other.get("limit") == [1.0] and not other.add("limit", [2.0], 60)


def test_while_redis_fails_the_process_counts_on_its_own(settings):
    down = RedisCacheWithFallback(
        f"redis://127.0.0.1:{free_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.5}},
    )
    assert down.add("limit", [1.0], 60)
    assert down.get("limit") == [1.0]
    assert not down.add("limit", [2.0], 60)  # the count holds, in this process
    down.delete("limit")
    assert down.get("limit") is None
