"""Reads from PostgreSQL streaming replicas, for the work that only reads: search.

A search reads thousands of index rows and writes nothing, and it is most of a shop's database
load; so with replicas configured (DATABASE_REPLICA_URLS: settings.DATABASE_REPLICAS holds their
aliases) each search reads from one of them, chosen for the whole search, and the primary keeps
every write and every other read. Inside `replica_reads()` the ORM's reads go to that replica
(`ReplicaRouter`), and raw SQL asks `read_alias()` which connection to use.

A replica lags the primary by a moment: a product saved just now may be found a moment later.
Nothing that writes reads from a replica, so nothing is decided on what it lags behind.
"""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

_replica: ContextVar[str | None] = ContextVar("replica", default=None)


@contextmanager
def replica_reads() -> Iterator[str]:
    """Reads inside go to one replica, picked at random (the primary where none is configured);
    yields its alias."""
    replicas = settings.DATABASE_REPLICAS
    token = _replica.set(random.choice(replicas) if replicas else None)
    try:
        yield read_alias()
    finally:
        _replica.reset(token)


def read_alias() -> str:
    """The database alias that reads go to here."""
    return _replica.get() or DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Django's database router: ORM reads inside replica_reads() go to its replica, and no
    migration runs on a replica (streaming replication copies the primary's schema)."""

    def db_for_read(self, model: type, **hints) -> str | None:
        return _replica.get()

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool | None:
        return False if db in settings.DATABASE_REPLICAS else None
