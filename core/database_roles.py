"""The site's two database roles (least privilege).

The owner runs `manage.py migrate` (the "owner" alias): it creates the extensions and owns
every table. The site and its workers connect as the application role (the "default" alias),
which may read and write rows but not change the schema: no superuser, no CREATE on the
database or its schema, no DDL on the owner's tables. After each migrate the owner grants the
application role its rights, idempotently; on the embedded server the role is also created
(core.embedded).
"""

from typing import Protocol

OWNER_ALIAS = "owner"
# PostgreSQL 17 added the MAINTAIN privilege: VACUUM and ANALYZE without owning the table.
# The workers run them after writing vectors in bulk (search.db), and the import after its
# rows (catalog.importer); older servers let only the owner, and skip them with a warning.
_MAINTAIN_SINCE = 170000


class Cursor(Protocol):
    """A DB-API cursor: Django's, or psycopg's own."""

    def execute(self, query: str, params: list | None = None) -> object: ...

    def fetchone(self) -> tuple | None: ...


def quote_identifier(name: str) -> str:
    """`name` as a PostgreSQL identifier, whatever characters it holds."""
    return '"' + name.replace('"', '""') + '"'


def application_role_sql(role: str) -> str:
    """CREATE ROLE for the application role: it logs in, and nothing more."""
    return (
        f"CREATE ROLE {quote_identifier(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
        "NOREPLICATION NOBYPASSRLS"
    )


def role_exists(cursor: Cursor, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def grant_application_rights(cursor: Cursor, role: str) -> None:
    """Run as the tables' owner, in the site's database: let `role` connect, and read and
    write the rows of every table and sequence of the public schema, those there now and,
    as default privileges of the owner, those its later migrations create. Grants nothing
    that changes the schema; idempotent."""
    cursor.execute("SELECT current_database(), current_setting('server_version_num')::int")
    database, server_version = cursor.fetchone()
    grantee = quote_identifier(role)
    table_privileges = "SELECT, INSERT, UPDATE, DELETE"
    if server_version >= _MAINTAIN_SINCE:
        table_privileges += ", MAINTAIN"
    for statement in (
        f"GRANT CONNECT ON DATABASE {quote_identifier(database)} TO {grantee}",
        f"GRANT USAGE ON SCHEMA public TO {grantee}",
        f"GRANT {table_privileges} ON ALL TABLES IN SCHEMA public TO {grantee}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {grantee}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {table_privileges} ON TABLES "
        f"TO {grantee}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {grantee}",
    ):
        cursor.execute(statement)
