"""The embedded PostgreSQL and Redis: one of each per data dir, shared by every process."""

import json
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection

from core.embedded import EmbeddedPostgres, EmbeddedRedis
from tests.processes import PROJECT_ROOT, current_database_url, project_env, run_python

REPORT_SERVERS = """
import json, django
django.setup()
import redis
from django.conf import settings
from django.db import connections
from vitrine.celery import app
app.conf.broker_url  # the Celery app starts the embedded Redis on first use
# The server's data directory is the owner's to read, not the site's role's.
with connections["owner"].cursor() as cursor:
    cursor.execute("SELECT pg_backend_pid(), current_setting('data_directory'), "
                   "pg_postmaster_start_time()::text")
    _, data_directory, started = cursor.fetchone()
redis_info = redis.Redis.from_url(settings.REDIS_URL).info("server")
print(json.dumps({"postgres": [data_directory, started],
                  "redis": [redis_info["run_id"], redis_info["process_id"]]}))
"""


@pytest.fixture
def data_dir(tmp_path):
    yield tmp_path
    EmbeddedPostgres(tmp_path).stop()
    EmbeddedRedis(tmp_path).stop()


def test_two_processes_of_one_data_dir_share_one_postgres_and_one_redis(data_dir):
    env = project_env(VITRINE_DATA_DIR=str(data_dir))
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", REPORT_SERVERS],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    reports = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    first, second = reports
    assert first == second
    assert first["postgres"][0] == str(data_dir / "postgres")
    assert EmbeddedRedis(data_dir).is_running()

    # A third process later attaches to the same servers rather than starting new ones.
    third = run_python(REPORT_SERVERS, env)
    assert json.loads(third.stdout.strip().splitlines()[-1]) == first


def test_stopped_servers_start_again_on_next_use(data_dir):
    env = project_env(VITRINE_DATA_DIR=str(data_dir))
    before = json.loads(run_python(REPORT_SERVERS, env).stdout.strip().splitlines()[-1])
    assert EmbeddedPostgres(data_dir).stop() and EmbeddedRedis(data_dir).stop()
    assert EmbeddedPostgres(data_dir).socket_dir() is None
    assert not EmbeddedRedis(data_dir).is_running()
    after = run_python(REPORT_SERVERS, env)
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout.strip().splitlines()[-1])["redis"] != before["redis"]


def test_with_both_urls_set_nothing_embedded_starts(tmp_path, db):
    env = project_env(
        VITRINE_DATA_DIR=str(tmp_path),
        DATABASE_URL=current_database_url(),
        REDIS_URL=settings.REDIS_URL,
    )
    result = run_python(REPORT_SERVERS, env)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "postgres").exists()
    assert not (tmp_path / "redis").exists()


def test_the_migrations_create_the_vector_extension(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        (version,) = cursor.fetchone()
    assert tuple(int(part) for part in version.split(".")[:2]) >= (0, 6)


def private_to_this_user(folder: Path) -> bool:
    status = folder.lstat()
    return stat.S_ISDIR(status.st_mode) and stat.S_IMODE(status.st_mode) == 0o700


def test_the_redis_socket_lies_in_a_folder_only_this_user_can_open(tmp_path):
    socket_path = EmbeddedRedis(tmp_path).socket_path
    assert socket_path.parent == tmp_path / "redis"
    assert private_to_this_user(socket_path.parent)


def test_a_long_data_dir_path_gets_a_short_redis_socket_in_a_private_unpredictable_folder(
    tmp_path,
):
    deep = tmp_path / ("d" * 120)
    server = EmbeddedRedis(deep)
    socket_path = server.socket_path
    assert len(str(socket_path)) < 108
    assert socket_path.parent.parent == Path(tempfile.gettempdir())
    assert private_to_this_user(socket_path.parent)
    assert socket_path == EmbeddedRedis(deep).socket_path  # the same for every process
    # Another data dir gets another folder: its name cannot be worked out beforehand.
    other = EmbeddedRedis(tmp_path / ("e" * 120)).socket_path
    assert other.parent != socket_path.parent and private_to_this_user(other.parent)
    try:
        server.ensure_running()
        assert redis.Redis(unix_socket_path=str(socket_path)).ping()
    finally:
        server.stop()
        shutil.rmtree(socket_path.parent, ignore_errors=True)
        shutil.rmtree(other.parent, ignore_errors=True)


def test_a_socket_folder_opened_to_others_is_not_reused(tmp_path):
    deep = tmp_path / ("d" * 120)
    first = EmbeddedRedis(deep).socket_path.parent
    first.chmod(0o777)  # say, replaced by another user's folder of the same name
    second = EmbeddedRedis(deep).socket_path.parent
    assert second != first and private_to_this_user(second)
    for folder in (first, second):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def own_data_dir():
    """A data dir outside pytest's temp root, whose permissions a concurrent pytest run resets
    (the server runs as its own user when we are root)."""
    path = Path(tempfile.mkdtemp(prefix="vitrine-test-embedded-"))
    yield path
    EmbeddedPostgres(path).stop()
    shutil.rmtree(path, ignore_errors=True)


def _server_settings(socket_dir: Path) -> tuple[int, str]:
    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres") as client:
        return client.execute(
            "SELECT current_setting('max_connections')::int, current_setting('shared_buffers')"
        ).fetchone()


def test_the_embedded_server_starts_with_the_connections_and_memory_set(own_data_dir):
    server = EmbeddedPostgres(own_data_dir, max_connections=123, shared_buffers="160MB")
    assert _server_settings(server.ensure_running()) == (123, "160MB")
    # Changed settings apply at the server's next start, each on its own.
    assert server.stop()
    server = EmbeddedPostgres(own_data_dir, max_connections=140, shared_buffers="160MB")
    assert _server_settings(server.ensure_running()) == (140, "160MB")
    assert server.stop()
    server = EmbeddedPostgres(own_data_dir, max_connections=140, shared_buffers="1GB")
    assert _server_settings(server.ensure_running()) == (140, "1GB")
