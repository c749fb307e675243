"""The embedding service with the real offline encoder, on the real database."""

import numpy as np
import pytest
from PIL import Image

from catalog import bulk, services
from catalog.images import check_image
from catalog.models import Product
from search import indexing
from search.models import ProductIndex
from tests.conftest import photo
from tests.memory import MB, camera_jpeg, peak_memory


def embed_all(encoder) -> list[indexing.BatchResult]:
    results = []
    while leased := indexing.lease_stale_rows(64):
        results.append(indexing.embed_batch(encoder, leased))
    return results


def row(product: Product) -> ProductIndex:
    return ProductIndex.objects.get(product=product)


def test_product_text_skips_products_that_say_nothing(make_product):
    sparse = make_product("37051", title="Item 37051", category_path="", description="")
    assert indexing.product_text(sparse) is None
    kurta = make_product("K", title="Women Red Kurta", description="Cotton.")
    assert indexing.product_text(kurta) == "Women Red Kurta. Apparel, Topwear. Cotton."


def test_a_product_with_text_and_photo_gets_all_three_vectors(make_product, encoder):
    product = make_product(title="Women Red Kurta", photos=[photo("red"), photo("darkred")])
    [result] = embed_all(encoder)
    assert (result.taken, result.written, result.photo_errors) == (1, 1, 0)
    indexed = row(product)
    assert not indexed.dirty and indexed.state == ProductIndex.State.INDEXED
    assert indexed.encoder_version == encoder.version and indexed.indexed_at
    assert len(indexed.text_vector) == 384 and len(indexed.photo_features) == 1280
    assert np.linalg.norm(indexed.photo_text_vector) == pytest.approx(1, abs=1e-3)
    text_only = encoder.encode_texts([indexing.product_text(product)])[0]
    assert np.dot(indexed.text_vector, text_only) == pytest.approx(1, abs=1e-3)


def test_without_photos_only_the_text_is_embedded(make_product, encoder):
    product = make_product(photos=[])
    embed_all(encoder)
    indexed = row(product)
    assert indexed.text_vector is not None and indexed.state == ProductIndex.State.INDEXED
    assert indexed.photo_features is None and indexed.photo_text_vector is None
    assert indexed.colour_vector is None


def test_without_useful_text_the_photo_carries_the_product(make_product, encoder):
    product = make_product("555", title="Item 555", category_path="", photos=[photo("blue")])
    embed_all(encoder)
    indexed = row(product)
    assert indexed.text_vector is None and indexed.photo_features is not None
    mapped = encoder.images_to_text_space(np.array([indexed.photo_features]))[0]
    assert np.allclose(indexed.photo_text_vector, mapped, atol=1e-5)


def test_an_unreadable_photo_is_recorded_and_the_text_still_embedded(
    make_product, encoder, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    product = make_product(photos=[photo("red"), photo("blue")])
    broken = product.images.last()
    (tmp_path / broken.image.name).write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    [result] = embed_all(encoder)
    assert result.photo_errors == 1
    indexed = row(product)
    assert not indexed.dirty  # not retried forever
    assert indexed.state == ProductIndex.State.ERROR
    assert "Photo 2 could not be read" in indexed.error
    assert indexed.text_vector is not None and indexed.photo_features is not None
    assert indexing.lease_stale_rows(10) == []


def test_a_row_changed_while_embedding_stays_dirty(make_product, encoder):
    product = make_product(title="Blue jeans")
    leased = indexing.lease_stale_rows(10)
    product.title = "Blue denim jeans"
    services.save_product(product)  # a merchant edit lands mid-batch
    result = indexing.embed_batch(encoder, leased)
    assert result.written == 0
    assert row(product).dirty and row(product).text_vector is None
    assert [product_id for product_id, _ in indexing.lease_stale_rows(10)] == [product.pk]


def test_leased_rows_go_to_one_worker_until_the_lease_runs_out(make_product, settings):
    first, second = make_product("A"), make_product("B")
    taken = [product_id for product_id, _ in indexing.lease_stale_rows(1)]
    assert taken == [first.pk]
    assert [product_id for product_id, _ in indexing.lease_stale_rows(10)] == [second.pk]
    assert indexing.lease_stale_rows(10) == []
    indexing.release_leases([first.pk, second.pk])
    assert len(indexing.lease_stale_rows(10)) == 2
    ProductIndex.objects.update(lease_expires_at="2000-01-01T00:00:00Z")  # a dead worker's
    # Rows a dead worker held come back one at a time (test_degraded: poison products).
    assert [product_id for product_id, _ in indexing.lease_stale_rows(10)] == [first.pk]
    assert [product_id for product_id, _ in indexing.lease_stale_rows(10)] == [second.pk]


def leased_ids(limit: int) -> list[int]:
    return [product_id for product_id, _ in indexing.lease_stale_rows(limit)]


def imported_products(merchant, count: int) -> list[int]:
    """`count` products written as an import writes them (a bulk change), the oldest change
    first."""
    bulk.upsert_products(
        merchant,
        [(f"BULK-{number}", {"title": f"Cotton shirt {number}"}) for number in range(count)],
    )
    return list(
        ProductIndex.objects.filter(product__sku__startswith="BULK-")
        .order_by("changed_at")
        .values_list("pk", flat=True)
    )


def test_a_single_edit_is_leased_before_an_imports_backlog(merchant, make_product):
    imported = imported_products(merchant, 20)
    assert ProductIndex.objects.filter(pk__in=imported, bulk=True).count() == 20
    edit = make_product("EDIT", photos=[])  # changed after every imported row
    assert not row(edit).bulk
    batch = leased_ids(8)
    assert edit.pk in batch and len(set(batch) & set(imported)) == 7
    # An imported product that a merchant then edits goes first too.
    ProductIndex.objects.update(lease_expires_at=None, lease_attempts=0)
    product = Product.objects.get(pk=imported[-1])
    product.title = "Cotton shirt, slim fit"
    services.save_product(product)
    assert set(leased_ids(4)) & {edit.pk, product.pk} == {edit.pk, product.pk}


def test_edits_fill_at_most_half_a_batch_while_bulk_rows_wait(merchant, make_product):
    """However many edits wait, each batch takes the oldest imported rows for half its size:
    the import's backlog drains too."""
    imported = imported_products(merchant, 6)
    edits = [make_product(f"EDIT-{number}", photos=[]).pk for number in range(10)]
    first = leased_ids(8)
    assert set(first) == set(edits[:4]) | set(imported[:4])
    second = leased_ids(8)
    # Two imported rows were left: the edits take the rest of the batch.
    assert set(second) == set(edits[4:10]) | set(imported[4:6])
    assert leased_ids(8) == []


def test_without_an_imports_backlog_edits_fill_the_batch(make_product):
    edits = [make_product(f"EDIT-{number}", photos=[]).pk for number in range(5)]
    assert leased_ids(4) == edits[:4]


def test_rows_of_another_encoder_version_are_flagged_again(make_product, encoder):
    product = make_product()
    embed_all(encoder)
    assert indexing.mark_other_versions_stale(encoder.version) == 0
    ProductIndex.objects.update(encoder_version="embedded:an-older-model")
    assert indexing.mark_other_versions_stale(encoder.version) == 1
    assert row(product).dirty
    embed_all(encoder)
    assert row(product).encoder_version == encoder.version


def test_text_vectors_place_products_by_meaning(make_product, encoder):
    kurta = make_product("K", title="Women Red Kurta", photos=[])
    watch = make_product(
        "W", title="Men Steel Analog Watch", category_path="Accessories", photos=[]
    )
    embed_all(encoder)
    query = encoder.encode_texts(["ethnic tunic for women"])[0]
    assert np.dot(query, row(kurta).text_vector) > np.dot(query, row(watch).text_vector)


def test_mark_all_stale_flags_every_row(make_product, encoder):
    make_product("A"), make_product("B")
    embed_all(encoder)
    assert indexing.mark_all_stale() == 2
    assert indexing.count_stale() == 2


class ChokingEncoder:
    """The real encoder, except that it fails on texts containing `word`: a stand-in for a
    product that breaks the model, which real data cannot be made to do on purpose."""

    def __init__(self, real, word: str):
        self.real, self.word = real, word

    def __getattr__(self, name):
        return getattr(self.real, name)

    def encode_texts(self, texts):
        if any(self.word in text for text in texts):
            raise ValueError("the model choked")
        return self.real.encode_texts(texts)


def test_a_product_that_breaks_its_batch_is_set_aside_with_its_error(make_product, encoder):
    good = make_product("G", title="Blue jeans")
    bad = make_product("B", title="Poison shirt")
    leased = indexing.lease_stale_rows(10)
    result = indexing.embed_batch_isolating_failures(ChokingEncoder(encoder, "Poison"), leased)
    assert (result.taken, result.written, result.failed) == (2, 1, 1)
    assert row(good).state == ProductIndex.State.INDEXED
    assert row(bad).state == ProductIndex.State.ERROR
    assert row(bad).error == "Embedding failed: the model choked"
    assert indexing.lease_stale_rows(10) == []  # not retried until the product changes
    bad.title = "Plain shirt"
    services.save_product(bad)
    assert [product_id for product_id, _ in indexing.lease_stale_rows(10)] == [bad.pk]


def test_a_batch_of_camera_photos_is_embedded_in_bounded_memory(make_product, encoder):
    """Twelve 12-megapixel photos: at full size their pixels alone would take 430 MB."""
    camera = check_image(camera_jpeg(4000, 3000))
    products = [make_product(f"CAM-{n}", photos=[camera] * 4) for n in range(3)]
    encoder.encode_images([Image.new("RGB", (64, 64))])  # the model's own memory, taken now

    with peak_memory() as growth:
        [result] = embed_all(encoder)
    assert (result.taken, result.written, result.photo_errors) == (3, 3, 0)
    assert all(row(product).photo_features is not None for product in products)
    assert growth() < 120 * MB
