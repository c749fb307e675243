import pytest

from core.embedded import EmbeddedRedis


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of this test's own, which it may stop and start."""
    server = EmbeddedRedis(tmp_path)
    server.ensure_running()
    yield server
    server.stop()
