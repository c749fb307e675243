"""Production settings: the connection budget, the pool, the media storage, gunicorn's numbers."""

import json
import os

from tests.processes import project_env, run_python

SHOW_SERVING = """
import json, django
django.setup()
from django.conf import settings
database = settings.DATABASES["default"]
print(json.dumps({
    "pool": database.get("OPTIONS", {}).get("pool"), "conn_max_age": database["CONN_MAX_AGE"],
    "budget": settings.DATABASE_CONNECTION_BUDGET,
    "embedded_max": settings.VITRINE_EMBEDDED_DB_MAX_CONNECTIONS,
    "embedded_buffers": settings.VITRINE_EMBEDDED_DB_SHARED_BUFFERS,
    "media_storage": settings.STORAGES["default"], "media_url": settings.MEDIA_URL,
}))
"""


def serving_under(tmp_path, **variables: str):
    result = run_python(SHOW_SERVING, project_env(VITRINE_DATA_DIR=str(tmp_path), **variables))
    shown = json.loads(result.stdout.strip().splitlines()[-1]) if result.returncode == 0 else None
    return shown, result.stderr


def test_by_default_each_process_pools_a_connection_per_web_thread(tmp_path):
    shown, err = serving_under(tmp_path, WEB_WORKERS="2", WEB_THREADS="4")
    assert shown, err
    assert shown["pool"]["max_size"] == 4 and shown["conn_max_age"] == 0
    # Two web workers' pools, one Celery process, the trainer, ten spare.
    assert shown["budget"] == 2 * 4 + 1 + 1 + 10
    assert shown["embedded_max"] == 100  # PostgreSQL's default already holds it


def test_the_embedded_server_grows_with_the_web_workers(tmp_path):
    shown, err = serving_under(
        tmp_path, WEB_WORKERS="16", WEB_THREADS="8", CELERY_WORKER_CONCURRENCY="4"
    )
    assert shown, err
    assert shown["budget"] == 16 * 8 + 4 + 1 + 10
    assert shown["embedded_max"] == shown["budget"]


def test_a_server_too_small_for_the_budget_is_refused_with_the_reason(tmp_path):
    shown, err = serving_under(
        tmp_path, WEB_WORKERS="8", WEB_THREADS="8", VITRINE_EMBEDDED_DB_MAX_CONNECTIONS="50"
    )
    assert shown is None
    assert "VITRINE_EMBEDDED_DB_MAX_CONNECTIONS=50 is below the 76 connections" in err


def test_the_embedded_server_buffers_a_quarter_of_the_memory_unless_set(tmp_path):
    shown, err = serving_under(tmp_path)
    assert shown, err
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert 0 < int(shown["embedded_buffers"].removesuffix("MB")) * 2**20 <= memory // 4
    shown, err = serving_under(tmp_path, VITRINE_EMBEDDED_DB_SHARED_BUFFERS="2GB")
    assert shown, err
    assert shown["embedded_buffers"] == "2GB"
    shown, err = serving_under(tmp_path, VITRINE_EMBEDDED_DB_SHARED_BUFFERS="lots")
    assert shown is None and "must be a size such as 512MB or 4GB, not 'lots'" in err


def test_persistent_connections_only_without_the_pool(tmp_path):
    shown, err = serving_under(tmp_path, DATABASE_CONN_MAX_AGE="60")
    assert shown is None and "DATABASE_POOL_SIZE=0" in err
    shown, err = serving_under(tmp_path, DATABASE_CONN_MAX_AGE="60", DATABASE_POOL_SIZE="0")
    assert shown, err
    assert shown["pool"] is None and shown["conn_max_age"] == 60


def test_media_can_live_in_an_object_store(tmp_path):
    shown, err = serving_under(
        tmp_path,
        VITRINE_MEDIA_STORAGE="storages.backends.s3.S3Storage",
        VITRINE_MEDIA_STORAGE_OPTIONS='{"bucket_name": "shop-media"}',
        VITRINE_MEDIA_URL="https://shop-media.s3.amazonaws.com/",
    )
    assert shown, err
    assert shown["media_storage"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "shop-media"},
    }
    assert shown["media_url"] == "https://shop-media.s3.amazonaws.com/"
    shown, err = serving_under(tmp_path, VITRINE_MEDIA_STORAGE_OPTIONS="{bucket: shop}")
    assert shown is None and "VITRINE_MEDIA_STORAGE_OPTIONS is not JSON" in err


def test_gunicorn_takes_its_numbers_from_the_settings(tmp_path):
    code = """
import json
from vitrine import gunicorn as config
print(json.dumps([config.bind, config.workers, config.threads, config.timeout,
                  config.worker_class, config.control_socket_disable]))
"""
    env = project_env(
        VITRINE_DATA_DIR=str(tmp_path),
        WEB_HOST="0.0.0.0",
        WEB_PORT="8123",
        WEB_WORKERS="3",
        WEB_THREADS="5",
        WEB_TIMEOUT="90",
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        ["0.0.0.0:8123"],
        3,
        5,
        90,
        "gthread",
        True,
    ]
