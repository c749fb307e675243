import time

import numpy as np
import pytest
from django.db import connection

from catalog import services
from catalog.models import Product
from search.db import vacuum_search_index
from search.indexing import embed_stale
from search.keyword import keyword_search
from search.ml.encoders import get_encoder
from search.ml.encoders.dims import VectorDims
from search.ml.encoders.minilm_efficientnet import EmbeddedEncoder
from search.models import ProductIndex
from search.schema import VECTOR_STORAGE, column_dimensions, resize_vector_columns


def test_every_new_product_gets_a_dirty_index_row_with_keywords(make_product):
    product = make_product(title="Women Red Kurta", category_path="Apparel > Topwear")
    row = ProductIndex.objects.get(product=product)
    assert row.dirty and row.state == ProductIndex.State.PENDING
    assert row.text_vector is None and row.encoder_version == ""
    assert "kurta" in row.keywords and "topwear" in row.keywords


def test_a_change_marks_an_indexed_row_stale_again(make_product):
    product = make_product(title="Blue shirt")
    ProductIndex.objects.update(dirty=False, error="old failure")
    product.title = "Blue linen shirt"
    services.save_product(product)
    row = ProductIndex.objects.get(product=product)
    assert row.dirty and row.error == "" and "linen" in row.keywords


def test_a_rolled_back_product_leaves_no_index_row(merchant):
    from django.db import transaction

    try:
        with transaction.atomic():
            services.save_product(Product(merchant=merchant, sku="X", title="Gone"))
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert not ProductIndex.objects.exists()


def test_keyword_search_ranks_title_above_category_above_description(make_product):
    make_product("D", title="Plain item", description="kurta styled", category_path="Misc")
    make_product("C", title="Plain item", category_path="Kurta")
    make_product("T", title="Red kurta", category_path="Misc")
    assert [p.sku for p in keyword_search("kurta")] == ["T", "C", "D"]


def test_a_hyphenated_word_is_found_as_the_one_word_search_reads_it(make_product):
    # Queries are read with "T-shirt", "T shirt" and "tshirt" alike as "tshirt"
    # (search.ml.words); titles keep their parts too.
    make_product("H", title="Tantra Men Beige T-shirt")
    make_product("J", title="Roadster Men Red Tshirt")
    make_product("S", title="Linen Shirt")
    assert {p.sku for p in keyword_search("tshirt")} == {"H", "J"}
    assert {p.sku for p in keyword_search("shirt")} == {"H", "S"}


def test_keyword_search_shows_active_products_only(make_product):
    make_product("A", title="Red kurta")
    make_product("B", title="Red kurta draft", status=Product.Status.DRAFT)
    assert [p.sku for p in keyword_search("kurta")] == ["A"]


def test_keyword_search_survives_hostile_queries(make_product):
    make_product("A", title="Red kurta")
    for query in ["'; DROP TABLE catalog_product; --", "&|!():*", '"unclosed', "-", "k" * 5000]:
        assert list(keyword_search(query)) == []
    assert Product.objects.count() == 1


def test_search_page(client, make_product):
    make_product("A", title="Women Red Kurta")
    embed_stale(get_encoder())  # the search page finds embedded products only
    page = client.get("/search/", {"q": "red kurtas"}).content.decode()
    assert "Women Red Kurta" in page and "1 product" in page
    assert "Type what you are looking for" in client.get("/search/", {"q": "  "}).content.decode()


def test_vector_columns_are_sized_by_the_active_encoder(db):
    assert column_dimensions() == {
        "text_vector": 384,
        "photo_features": 1280,
        "photo_text_vector": 384,
        "next_photo_features": 1280,
        "next_photo_text_vector": 384,
    }


def test_the_searched_vector_columns_and_keywords_are_indexed(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s", [ProductIndex._meta.db_table]
        )
        definitions = [row[0] for row in cursor.fetchall()]
    for column in ("text_vector", "photo_text_vector"):
        assert any(f"hnsw ((({column})::halfvec(384))" in d for d in definitions), column
    assert any("gin (keywords)" in d for d in definitions)


def test_a_new_encoder_size_resizes_columns_and_restales_every_row(make_product):
    product = make_product()
    ProductIndex.objects.update(dirty=False, encoder_version="old-encoder")
    resized = resize_vector_columns(VectorDims(text=8, image=16))
    assert resized == [
        "text_vector",
        "photo_features",
        "photo_text_vector",
        "next_photo_features",
        "next_photo_text_vector",
    ]
    assert column_dimensions() == {
        "text_vector": 8,
        "photo_features": 16,
        "photo_text_vector": 8,
        "next_photo_features": 16,
        "next_photo_text_vector": 8,
    }
    # The indexes hold vectors of the new size, as the searches cast them.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [ProductIndex._meta.db_table, "%USING hnsw%"],
        )
        definitions = [definition for (definition,) in cursor.fetchall()]
    assert len(definitions) == 3 and all("::halfvec(8))" in d for d in definitions), definitions
    ProductIndex.objects.filter(product=product).update(text_vector=[0.5] * 8)
    row = ProductIndex.objects.get(product=product)
    assert row.dirty and row.encoder_version == ""
    assert len(row.text_vector) == 8
    assert resize_vector_columns(VectorDims(text=8, image=16)) == []
    resize_vector_columns(EmbeddedEncoder.dims)
    assert column_dimensions()["photo_features"] == 1280


def vector_storage() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname = ANY(%s)",
            [ProductIndex._meta.db_table, list(VECTOR_STORAGE)],
        )
        return dict(cursor.fetchall())


def test_searched_vectors_stay_in_the_row_and_photo_features_go_out_of_it(make_product):
    assert vector_storage() == VECTOR_STORAGE  # as migrate left them
    resize_vector_columns(VectorDims(text=8, image=16))
    assert vector_storage() == VECTOR_STORAGE  # a new type does not bring the default back
    resize_vector_columns(EmbeddedEncoder.dims)
    product = make_product()
    ProductIndex.objects.filter(product=product).update(
        text_vector=np.full(384, 0.5), photo_text_vector=np.full(384, 0.25)
    )
    with connection.cursor() as cursor:
        # Out of the row, a 384-d vector would leave an 18-byte pointer there.
        cursor.execute(
            "SELECT pg_column_size(text_vector), pg_column_size(photo_text_vector) "
            "FROM search_productindex WHERE product_id = %s",
            [product.pk],
        )
        assert min(cursor.fetchone()) > 4 * 384


def test_an_embedded_row_keeps_its_small_columns_and_sends_only_the_photo_features_out(
    make_product, encoder
):
    product = make_product(title="Navy blue slim fit cotton shirt", category_path="Men > Shirts")
    embed_stale(encoder)
    with connection.cursor() as cursor:
        # A value moved to the TOAST table has a chunk id: read apart, one lookup each.
        cursor.execute(
            "SELECT pg_column_toast_chunk_id(keywords) IS NULL, "
            "pg_column_toast_chunk_id(categories) IS NULL, "
            "pg_column_toast_chunk_id(encoder_version) IS NULL, "
            "pg_column_toast_chunk_id(colours) IS NULL, "
            "pg_column_toast_chunk_id(photo_features) IS NOT NULL, colours, encoder_version "
            "FROM search_productindex WHERE product_id = %s",
            [product.pk],
        )
        *in_place, colours, version = cursor.fetchone()
    assert colours and version == encoder.version  # there to be read: the row was embedded
    assert in_place == [True] * 5


@pytest.mark.django_db(transaction=True)
def test_vacuum_clears_out_the_entries_of_replaced_vectors(make_product, encoder):
    make_product("A")
    embed_stale(encoder)
    ProductIndex.objects.update(photo_text_vector=None)  # leaves dead entries in the indexes
    # A session publishes its statistics up to a second late: the update's dead rows must be
    # counted before the vacuum, or they would be added after it. Earlier tests of the session
    # may have vacuumed the table too, so vacuums are counted from here.
    vacuums_before, dead = published_vacuum_statistics(until=lambda vacuums, dead: dead > 0)
    assert dead > 0

    # A snapshot held elsewhere in the database meanwhile (the other tests' servers share it)
    # keeps row versions it may still see: the vacuum is tried again once it has ended.
    for _ in range(5):
        vacuum_search_index()
        vacuums, dead = published_vacuum_statistics(
            until=lambda vacuums, dead, before=vacuums_before: vacuums > before
        )
        assert vacuums == vacuums_before + 1  # a VACUUM ran, not only ANALYZE
        if dead == 0:
            break
        vacuums_before = vacuums
        time.sleep(1)
    assert dead == 0


def published_vacuum_statistics(until) -> tuple[int, int]:
    """The index table's vacuum count and dead row versions, once `until(vacuums, dead)` holds
    (or after 10 s)."""
    with connection.cursor() as cursor:
        for _ in range(100):
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT vacuum_count, n_dead_tup FROM pg_stat_user_tables WHERE relname = %s",
                [ProductIndex._meta.db_table],
            )
            vacuums, dead = cursor.fetchone()
            if until(vacuums, dead):
                break
            time.sleep(0.1)
    return vacuums, dead
