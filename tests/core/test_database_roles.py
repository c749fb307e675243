"""Least privilege: migrations run as the database's owner, which creates the extensions; the
site and its workers connect as a role that reads and writes rows and cannot change the schema.
On the real embedded PostgreSQL: the test database (made and migrated by the test runner as
the owner) and a data folder of its own, run as `make serve` runs it."""

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from core.embedded import APPLICATION_ROLE, DATABASE_NAME, EmbeddedPostgres, EmbeddedRedis
from tests.processes import SETUP, application_database_url, project_env, run_python
from tests.vitrine.test_serve import manage

# What the schema's owner may do and the site's role may not.
SCHEMA_CHANGES = [
    "CREATE TABLE intruder (id int)",
    "DROP TABLE catalog_product",
    "ALTER TABLE catalog_product ADD COLUMN intruder int",
    "TRUNCATE catalog_product CASCADE",
    "CREATE INDEX intruder ON catalog_product (title)",
    "CREATE SCHEMA intruder",
    "DROP EXTENSION vector",
    "CREATE ROLE intruder",
    "CREATE DATABASE intruder",
]
# The embedded database lets only its owner and the site's role in, and no temporary tables
# (the test runner's database keeps PostgreSQL's defaults there).
EMBEDDED_SCHEMA_CHANGES = [*SCHEMA_CHANGES, "CREATE TEMPORARY TABLE intruder (id int)"]


def refused_schema_changes(
    connection: psycopg.Connection, statements: list[str] = SCHEMA_CHANGES
) -> dict[str, str]:
    """Each schema change tried on `connection` (in autocommit), with the error class that
    refused it."""
    refused = {}
    for statement in statements:
        try:
            connection.execute(statement)
        except psycopg.Error as error:
            refused[statement] = type(error).__name__
        else:
            refused[statement] = "allowed"
    return refused


def test_the_test_database_is_migrated_for_the_sites_role_and_holds_it_to_rows(db):
    """The test runner's migrate, as the owner, granted the site's role its rights."""
    with psycopg.connect(application_database_url(), autocommit=True) as site:
        user, superuser, create_db, create_role = site.execute(
            "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles "
            "WHERE rolname = current_user"
        ).fetchone()
        assert user == settings.SITE_DATABASE["USER"] == APPLICATION_ROLE
        assert not (superuser or create_db or create_role)
        # Rows: read, write, change, delete (rolled back).
        with site.transaction(force_rollback=True):
            (category_id,) = site.execute(
                "INSERT INTO catalog_category (name, slug, path, full_name) "
                "VALUES ('Mugs', 'mugs', 'mugs', 'Mugs') RETURNING id"
            ).fetchone()
            site.execute("UPDATE catalog_category SET name = 'Cups' WHERE id = %s", [category_id])
            assert site.execute("SELECT name FROM catalog_category").fetchall() == [("Cups",)]
            site.execute("DELETE FROM catalog_category WHERE id = %s", [category_id])
        # The workers refresh the search index's statistics and clear out dead entries after
        # writing vectors in bulk (search.db): allowed, not skipped with a warning.
        notices = []
        site.add_notice_handler(lambda notice: notices.append(notice.message_primary))
        site.execute("VACUUM (ANALYZE) search_productindex")
        site.execute("ANALYZE catalog_product")
        assert notices == []

        refused = refused_schema_changes(site)
    assert set(refused.values()) == {"InsufficientPrivilege"}, refused


@pytest.fixture(scope="module")
def served_data_dir() -> Iterator[Path]:
    """A data folder of its own, on the embedded default (no DATABASE_URL, no REDIS_URL),
    migrated as `make serve` does first."""
    data_dir = Path(tempfile.mkdtemp(prefix="vitrine-test-roles-"))
    try:
        manage(project_env(VITRINE_DATA_DIR=str(data_dir)), "migrate", "--noinput")
        yield data_dir
    finally:
        EmbeddedPostgres(data_dir).stop()
        EmbeddedRedis(data_dir).stop()
        shutil.rmtree(data_dir, ignore_errors=True)


# The site's settings, in a process of its own: whom each alias connects as, and what the site's
# connection may do.
REPORT_ROLES = (
    SETUP
    + """
import json
from django.db import connections
from tests.core.test_database_roles import EMBEDDED_SCHEMA_CHANGES, refused_schema_changes

def role(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        return cursor.fetchone()

with connections["default"].cursor() as cursor:
    cursor.execute("SELECT count(*) FROM catalog_product")
    (products,) = cursor.fetchone()
print(json.dumps({
    "site": role("default"),
    "owner": role("owner"),
    "products": products,
    "refused": refused_schema_changes(connections["default"].connection, EMBEDDED_SCHEMA_CHANGES),
}))
"""
)


def report_roles(data_dir: Path) -> dict:
    result = run_python(REPORT_ROLES, project_env(VITRINE_DATA_DIR=str(data_dir)))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_on_the_embedded_default_the_site_connects_as_its_role_and_migrate_as_the_owner(
    served_data_dir,
):
    report = report_roles(served_data_dir)
    assert report["site"] == [APPLICATION_ROLE, False]
    assert report["owner"] == ["postgres", True]
    assert report["products"] == 0
    assert set(report["refused"].values()) == {"InsufficientPrivilege"}, report["refused"]
    # Migrations still run (as the owner), and grant again without harm.
    manage(project_env(VITRINE_DATA_DIR=str(served_data_dir)), "migrate", "--noinput")


def test_a_data_folder_from_before_the_sites_role_gets_it_at_first_use(served_data_dir):
    """A data folder an older Vitrine made: its tables, and no role but the owner. The first
    process of this version makes the role, with its rights on the tables there, before any
    migrate; the running server is not restarted."""
    socket_dir = EmbeddedPostgres(served_data_dir).socket_dir()
    assert socket_dir is not None
    with psycopg.connect(
        host=str(socket_dir), user="postgres", dbname=DATABASE_NAME, autocommit=True
    ) as owner:
        owner.execute(f"DROP OWNED BY {APPLICATION_ROLE}")
        owner.execute(f"DROP ROLE {APPLICATION_ROLE}")
        owner.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {DATABASE_NAME} TO PUBLIC")
    report = report_roles(served_data_dir)
    assert report["site"] == [APPLICATION_ROLE, False]
    assert report["products"] == 0
    assert set(report["refused"].values()) == {"InsufficientPrivilege"}, report["refused"]
