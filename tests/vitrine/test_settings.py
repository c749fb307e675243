import json
import secrets
import stat
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.processes import PROJECT_ROOT, project_env, run_python
from vitrine.settings import (
    celery_url,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    persistent_secret_key,
)

SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({"engine": settings.DATABASES["default"]["ENGINE"], "debug": settings.DEBUG,
                  "redis": settings.REDIS_URL, "broker": settings.CELERY_BROKER_URL,
                  "media": str(settings.MEDIA_ROOT), "hosts": settings.ALLOWED_HOSTS,
                  "embedded_redis": settings.REDIS_IS_EMBEDDED}))
"""


def settings_under(**variables: str) -> dict:
    result = run_python(SHOW_SETTINGS, project_env(**variables))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_database_from_url_reads_every_part():
    database = database_from_url(
        "postgresql://shop:s3cret@db.internal:6543/vitrine?sslmode=require"
    )
    assert database == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "vitrine",
        "USER": "shop",
        "PASSWORD": "s3cret",
        "HOST": "db.internal",
        "PORT": "6543",
        "OPTIONS": {"sslmode": "require"},
    }


def test_database_from_url_refuses_other_databases():
    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://root@localhost/shop")


def test_celery_url_names_a_unix_socket_the_kombu_way():
    assert celery_url("unix:///var/run/redis.sock") == "redis+socket:///var/run/redis.sock"
    assert celery_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_environment_values_are_checked(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("FLAG", False)
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False
    monkeypatch.setenv("COUNT", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("COUNT", 1)
    monkeypatch.setenv("HOSTS", " shop.example , ,api.example")
    assert env_list("HOSTS", "") == ["shop.example", "api.example"]


def test_a_generated_secret_key_is_private_and_stable(tmp_path):
    key = persistent_secret_key(tmp_path)
    assert len(key) >= 50 and persistent_secret_key(tmp_path) == key
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_defaults_use_the_embedded_services_under_the_data_dir(tmp_path):
    shown = settings_under(VITRINE_DATA_DIR=str(tmp_path))
    assert shown["engine"] == "core.embedded_postgres"
    assert shown["embedded_redis"] and shown["redis"] == f"unix://{tmp_path}/redis/redis.sock"
    assert shown["broker"] == f"redis+socket://{tmp_path}/redis/redis.sock"
    assert shown["media"] == str(tmp_path / "media")
    assert shown["debug"] is False


def test_urls_from_the_environment_replace_the_embedded_services(tmp_path):
    shown = settings_under(
        VITRINE_DATA_DIR=str(tmp_path),
        DATABASE_URL="postgresql://u:p@db:5432/shop",
        REDIS_URL="redis://cache:6379/2",
        ALLOWED_HOSTS="shop.example",
        DJANGO_DEBUG="1",
    )
    assert shown["engine"] == "django.db.backends.postgresql"
    assert not shown["embedded_redis"] and shown["broker"] == "redis://cache:6379/2"
    assert shown["hosts"] == ["shop.example"] and shown["debug"] is True


@pytest.mark.parametrize("key_from", ["environment", "data dir"])
def test_deploy_check_passes_with_debug_off(tmp_path, key_from):
    variables = {
        "VITRINE_DATA_DIR": str(tmp_path),
        "DJANGO_DEBUG": "0",
        "ALLOWED_HOSTS": "shop.example",
    }
    if key_from == "environment":
        variables["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    env = project_env(**variables)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert (tmp_path / "secret_key").exists() == (key_from == "data dir")
