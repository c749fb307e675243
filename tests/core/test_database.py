"""What the project needs of PostgreSQL: pgvector >= 0.8 and pg_trgm, checked at connection."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from core.database import missing_features
from core.embedded import EmbeddedPostgres, server_major_version


def test_the_embedded_server_offers_pgvector_0_8_and_pg_trgm(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, default_version, installed_version FROM pg_available_extensions "
            "WHERE name IN ('vector', 'pg_trgm')"
        )
        available = {name: (default, installed) for name, default, installed in cursor}
        assert missing_features(available) == []
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute("SELECT similarity('handbag', 'hanbag') > 0.3")
        assert cursor.fetchone() == (True,)
        # pgvector 0.8: a filtered HNSW search walks on until its page is full.
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
    assert server_major_version() == "18"


def test_a_server_without_what_search_needs_is_named_with_the_fix():
    old_vector = {"vector": ("0.6.2", "0.6.2"), "pg_trgm": ("1.6", None)}
    assert missing_features(old_vector) == ["vector is 0.6.2; vector >= 0.8 is needed"]
    created_before_an_upgrade = {"vector": ("0.8.2", "0.6.2"), "pg_trgm": ("1.6", "1.6")}
    assert missing_features(created_before_an_upgrade) == [
        "vector 0.6.2 is created in this database: ALTER EXTENSION vector UPDATE brings it to 0.8.2"
    ]
    assert missing_features({}) == [
        "the vector extension >= 0.8 is not installed on the server",
        "the pg_trgm extension is not installed on the server",
    ]
    assert missing_features({"vector": ("0.10.0", None), "pg_trgm": ("1.6", None)}) == []


def test_a_data_folder_of_another_postgresql_version_is_refused_with_what_to_do(tmp_path):
    pgdata = EmbeddedPostgres(tmp_path).pgdata
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text("16\n")
    with pytest.raises(ImproperlyConfigured, match=r"made by PostgreSQL 16.*runs PostgreSQL 18"):
        EmbeddedPostgres(tmp_path).ensure_running()
    assert sorted(path.name for path in pgdata.iterdir()) == ["PG_VERSION"]  # left as it was
