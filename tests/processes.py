"""Running project processes the way a user does, with a chosen environment."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from core.embedded import EmbeddedRedis

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "VITRINE_DATA_DIR", "DJANGO_SETTINGS_MODULE")
SETUP = "import django\ndjango.setup()\n"
# Queues every stale product at once (VITRINE_SWEEP_AFTER_SECONDS=0 in its environment).
SWEEP = SETUP + "from workers.embedding import sweep_stale_products\nprint(sweep_stale_products())"


def project_env(**variables: str) -> dict[str, str]:
    """This process's environment without the service settings, plus `variables`."""
    env = {name: value for name, value in os.environ.items() if name not in SERVICE_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = "vitrine.settings"
    env.update(variables)
    return env


def worker_env(data_dir: Path, redis: EmbeddedRedis, **variables: str) -> dict[str, str]:
    """The environment of a worker on this test's database, as the site's role, and `redis`."""
    return project_env(
        VITRINE_DATA_DIR=str(data_dir),
        DATABASE_URL=application_database_url(),
        REDIS_URL=redis.url,
        **variables,
    )


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, every: float = 0.5
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def spawn_worker(env: dict[str, str], log: Path, queues: str) -> subprocess.Popen:
    """A Celery worker as `make worker` starts one, in its own process group, logging to `log`."""
    command = [sys.executable, "-m", "celery", "-A", "vitrine", "worker", "--queues", queues]
    with open(log, "ab") as log_file:
        return subprocess.Popen(
            [*command, "--concurrency", "1", "--loglevel", "info"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_procfile(procfile: str, env: dict[str, str]) -> subprocess.Popen:
    """honcho running a Procfile's processes, as `make run` / `make serve` do; its output piped."""
    return subprocess.Popen(
        [f"{Path(sys.executable).parent}/honcho", "start", "--procfile", procfile],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def start_runserver(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """The development server on 127.0.0.1:port, without its reloader, in its own process
    group, logging to `log`."""
    with open(log, "wb") as log_file:
        return subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_process_group(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=60)


def run_python(code: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def current_database_url() -> str:
    """A postgresql:// URL for the database these tests run on, as this process connects to
    it: as the owner."""
    params = connection.get_connection_params()
    return _database_url(params, params.get("user", ""), params.get("password", ""))


def application_database_url() -> str:
    """A postgresql:// URL for the database these tests run on, as the site's own role
    connects to it (tests/settings.py)."""
    site = settings.SITE_DATABASE
    params = connection.get_connection_params()
    return _database_url(params, site["USER"], site.get("PASSWORD", ""))


def _database_url(params: dict, user: str, password: str) -> str:
    user = quote(user)
    password = quote(password)
    credentials = f"{user}:{password}@" if password else f"{user}@"
    host = params.get("host", "")
    location = (
        f"/{params['dbname']}?host={host}"
        if host.startswith("/")
        else f"{host}:{params.get('port', 5432)}/{params['dbname']}"
    )
    return f"postgresql://{credentials}{location}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(
    port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 30
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One GET to 127.0.0.1:port, the path sent as written, no redirect followed."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        client.request("GET", path, headers=headers or {})
        response = client.getresponse()
        return response.status, response.headers, response.read()
    finally:
        client.close()


def wait_for_page(port: int, path: str, timeout: float) -> int:
    """The status of the first answer to GET path, waiting for the server to listen."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return http_get(port, path, timeout=5)[0]
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
