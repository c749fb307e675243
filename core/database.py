"""What Vitrine needs of its PostgreSQL server, checked once per process at its first connection:
pgvector 0.8 or newer (iterative index scans, halfvec) and pg_trgm (typo matching)."""

import re

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import BaseDatabaseWrapper

# Extension name -> the oldest version that serves (None: any).
REQUIRED_EXTENSIONS: dict[str, tuple[int, ...] | None] = {"vector": (0, 8), "pg_trgm": None}
_checked: set[str] = set()


def missing_features(available: dict[str, tuple[str | None, str | None]]) -> list[str]:
    """What the server lacks, in words, from its extensions' (default, installed) versions."""
    missing = []
    for name, oldest in REQUIRED_EXTENSIONS.items():
        default, installed = available.get(name, (None, None))
        wanted = "" if oldest is None else " >= " + ".".join(map(str, oldest))
        if default is None:
            missing.append(f"the {name} extension{wanted} is not installed on the server")
        elif oldest is not None and _version(installed or default) < oldest:
            if installed and _version(default) >= oldest:
                missing.append(
                    f"{name} {installed} is created in this database: "
                    f"ALTER EXTENSION {name} UPDATE brings it to {default}"
                )
            else:
                missing.append(f"{name} is {installed or default}; {name}{wanted} is needed")
    return missing


def check_database_features(sender: type, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """connection_created's receiver: refuse to run on a server without what search needs."""
    if connection.vendor != "postgresql" or connection.alias in _checked:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, default_version, installed_version FROM pg_available_extensions "
            "WHERE name = ANY(%s)",
            [list(REQUIRED_EXTENSIONS)],
        )
        available = {name: (default, installed) for name, default, installed in cursor}
    missing = missing_features(available)
    if missing:
        raise ImproperlyConfigured(
            f"The database {connection.settings_dict['NAME']!r} cannot serve Vitrine: "
            + "; ".join(missing)
            + ". Use a PostgreSQL with pgvector >= 0.8 and pg_trgm, or unset DATABASE_URL "
            "for the embedded one."
        )
    _checked.add(connection.alias)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text))
