"""Degrade, don't fail: a search model that cannot load leaves search answering from keywords
(with a notice) and products pending; a match head that cannot load leaves ranking to fused
source ranks; a product that crashes its worker is set aside after a few tries."""

import logging
from pathlib import Path

import pytest
import torch
from django.test import Client
from rest_framework.test import APIClient

from catalog import services
from search import indexing
from search.ml import trained
from search.ml.encoders import EncoderUnavailable, encoder_loaded, get_encoder
from search.ml.encoders.tuning import PhotoTuning
from search.ml.ranking import MatchHead
from search.ml.relevance import RelevanceCutoff
from search.models import ProductIndex
from search.selectors import (
    FUSED_RANKS_NOTICE,
    KEYWORDS_ONLY_NOTICE,
    PHOTO_UNAVAILABLE,
    SearchQuery,
    search,
)
from tests.api_helpers import assert_error, upload
from tests.conftest import jpeg_bytes
from tests.search.test_indexing import ChokingEncoder, row
from tests.search.tiny_clip import build_tiny_clip
from workers.embedding import embed_stale_products


@pytest.fixture(scope="module")
def weightless_checkpoint(tmp_path_factory) -> Path:
    """A CLIP checkpoint whose weights are gone (a failed copy, a full disk): its config says
    its widths, but it cannot load."""
    folder = build_tiny_clip(tmp_path_factory.mktemp("broken") / "clip")
    for weights in [*folder.glob("*.safetensors"), *folder.glob("*.bin")]:
        weights.unlink()
    return folder


@pytest.fixture
def broken_encoder(settings, weightless_checkpoint) -> str:
    settings.VITRINE_ENCODER = f"clip:{weightless_checkpoint}"
    return settings.VITRINE_ENCODER


@pytest.fixture
def kurta(make_product):
    return make_product("KURTA", title="Mother Earth Women Red Kurta")


def test_without_its_model_search_answers_from_keywords_with_a_notice(
    broken_encoder, kurta, make_product
):
    make_product("WATCH", title="Puma Men Black Analog Watch", category_path="Watches")
    response = APIClient().get("/api/v1/search/", {"q": "red kurta"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [hit["sku"] for hit in body["results"]] == ["KURTA"]
    assert body["notice"] == KEYWORDS_ONLY_NOTICE
    page = Client().get("/search/", {"q": "red kurta"})
    assert page.status_code == 200
    assert KEYWORDS_ONLY_NOTICE in page.content.decode() and "Mother Earth" in page.content.decode()


def test_a_healthy_search_carries_no_notice(kurta, encoder):
    indexing.embed_stale(encoder)
    body = APIClient().get("/api/v1/search/", {"q": "red kurta"}).json()
    assert body["notice"] is None and body["count"] >= 1


def test_without_its_model_a_photo_alone_is_refused_as_unavailable(broken_encoder, kurta):
    response = APIClient().post(
        "/api/v1/search/", {"image": upload(jpeg_bytes())}, format="multipart"
    )
    assert_error(response, 503, "search_unavailable")
    page = Client().post("/search/", {"photo": upload(jpeg_bytes())})
    assert page.status_code == 503
    assert PHOTO_UNAVAILABLE in page.content.decode()


def test_a_model_that_failed_to_load_is_not_reloaded_by_every_request(
    broken_encoder, kurta, caplog
):
    with caplog.at_level(logging.ERROR, logger="search.ml.encoders"):
        for _ in range(3):
            assert search(SearchQuery(text="kurta")).notice == KEYWORDS_ONLY_NOTICE
    assert len([r for r in caplog.records if "failed to load" in r.getMessage()]) <= 1
    assert not encoder_loaded()
    with pytest.raises(EncoderUnavailable):
        get_encoder()


def test_without_its_model_products_stay_pending_not_failed(broken_encoder, kurta):
    with pytest.raises(EncoderUnavailable):
        embed_stale_products()  # Celery retries it; the sweeper asks again after that
    index = row(kurta)
    assert index.dirty and index.error == "" and index.state == ProductIndex.State.PENDING
    assert index.lease_expires_at is None  # not held by the failed attempt


def test_an_encoder_failing_on_every_input_leaves_the_batch_pending(kurta, make_product, encoder):
    other = make_product("SHIRT", title="Blue oxford shirt")
    with pytest.raises(EncoderUnavailable):
        indexing.embed_stale(ChokingEncoder(encoder, ""))  # "" is in every text
    for product in (kurta, other):
        index = row(product)
        assert index.dirty and index.error == "" and index.lease_attempts == 0
    indexing.embed_stale(encoder)
    assert row(kurta).state == row(other).state == ProductIndex.State.INDEXED


def test_a_match_head_that_cannot_load_leaves_fused_ranks_and_a_notice(
    kurta, encoder, search_models_dir
):
    indexing.embed_stale(encoder)
    (search_models_dir / "broken").mkdir()
    (search_models_dir / "broken" / "model.pt").write_bytes(b"not a model")
    trained.activate("broken")
    results = search(SearchQuery(text="red kurta"))
    assert [hit.product.sku for hit in results.hits] == ["KURTA"]
    assert results.notice == FUSED_RANKS_NOTICE


def test_a_match_head_of_another_format_ranks_by_fusion_but_keeps_the_photo_encoder(
    kurta, encoder, search_models_dir
):
    """After an upgrade that changes the head's features, the index's photos were made with the
    saved model's tuned photo encoder: it keeps serving them (and the next training starts from
    them) while results are ranked without the head."""
    indexing.embed_stale(encoder)
    tuning = PhotoTuning(version="tuned", blocks=1, state={})
    model = trained.SearchModel(
        version=trained.new_version(),
        encoder_version=encoder.version,
        head=MatchHead(encoder.dims.text),
        photo_map=None,
        photo_tuning=tuning,
        relevance_cutoff=RelevanceCutoff(1.0, 1.0, 0.0),
    )
    saved = trained.save(model) / "model.pt"
    older = torch.load(saved, weights_only=True)
    older["head_format"] = trained.HEAD_FORMAT - 1
    torch.save(older, saved)
    trained.activate(model.version)

    loaded = trained.active_model(encoder.version)
    assert loaded.head is None and loaded.relevance_cutoff is None
    assert trained.served_photo_version(loaded) == "tuned"
    results = search(SearchQuery(text="red kurta"))
    assert [hit.product.sku for hit in results.hits] == ["KURTA"]
    assert results.notice == FUSED_RANKS_NOTICE


def worker_dies_holding_its_lease() -> list[int]:
    """Lease rows as a worker does, then die: the lease runs out with nothing written."""
    taken = [product_id for product_id, _ in indexing.lease_stale_rows(10)]
    ProductIndex.objects.filter(pk__in=taken).update(lease_expires_at="2000-01-01T00:00Z")
    return taken


def test_a_product_whose_embedding_keeps_dying_is_set_aside_and_spares_the_others(
    make_product, encoder, settings
):
    settings.VITRINE_EMBED_MAX_ATTEMPTS = 3
    poison, first, second = (make_product(sku, title=f"Shirt {sku}") for sku in "PAB")
    assert sorted(worker_dies_holding_its_lease()) == sorted([poison.pk, first.pk, second.pk])
    # Each row of the batch that died is a suspect now: taken alone, it harms no other.
    assert worker_dies_holding_its_lease() == [poison.pk]
    assert worker_dies_holding_its_lease() == [poison.pk]  # its third death
    indexing.embed_stale(encoder)
    assert row(first).state == row(second).state == ProductIndex.State.INDEXED
    index = row(poison)
    assert index.state == ProductIndex.State.ERROR and "3 times" in index.error
    poison.title = "Shirt P, fixed"
    services.save_product(poison)  # a change earns fresh tries
    assert row(poison).lease_attempts == 0
    assert [product_id for product_id, _ in indexing.lease_stale_rows(10)] == [poison.pk]


def test_a_batch_handed_back_after_a_caught_failure_is_not_suspect(make_product):
    first, second = make_product("A"), make_product("B")
    leased = [product_id for product_id, _ in indexing.lease_stale_rows(10)]
    indexing.release_leases(leased)
    assert row(first).lease_attempts == row(second).lease_attempts == 0
    assert len(indexing.lease_stale_rows(10)) == 2  # still one batch
