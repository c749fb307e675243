"""A new photo map reaches every stored photo through the workers: real Celery workers, Redis
and PostgreSQL; a chain killed mid-way is started again by the sweeper, two at once never
take the same rows, and a model no longer active maps nothing."""

import signal
from decimal import Decimal

import numpy as np
import psycopg
import pytest
from celery.contrib.testing.worker import start_worker

from catalog.models import Product
from core.broker import redis_client
from search.db import binary_vector_cursor
from search.ml import trained
from search.ml.colour import COLOUR_DIMS
from search.ml.encoders import active_dims
from search.ml.ranking import MatchHead, PhotoToTextMap
from search.ml.remapping import BATCH_SIZE, remap_batch, unmapped_rows
from search.models import ProductIndex
from search.signals import photo_map_activated
from tests.processes import (
    application_database_url,
    current_database_url,
    project_env,
    spawn_worker,
    stop_process_group,
    wait_until,
)
from vitrine.celery import app
from workers import remapping

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ENCODER = "test-encoder"


def index_rows(merchant, count: int) -> np.ndarray:
    """`count` products whose index rows hold random photo features and colours, each photo
    mapped by some earlier map (map_version ""); returns those first photo vectors by row."""
    dims = active_dims()
    rng = np.random.default_rng(0)
    products = Product.objects.bulk_create(
        Product(
            merchant=merchant,
            sku=f"P{number}",
            title=f"Listing {number}",
            price=Decimal("10.00"),
            currency="USD",
            status=Product.Status.ACTIVE,
        )
        for number in range(count)
    )
    earlier = rng.standard_normal((count, dims.text), dtype=np.float32)
    with binary_vector_cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {ProductIndex._meta.db_table} (product_id, photo_features, "
            "colour_vector, photo_text_vector, encoder_version, map_version, photo_version, "
            "dirty, error, keywords, created_at, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, '', '', false, '', NULL, now(), now())",
            [
                (
                    product.pk,
                    rng.standard_normal(dims.image, dtype=np.float32),
                    rng.random(COLOUR_DIMS, dtype=np.float32),
                    earlier[row],
                    ENCODER,
                )
                for row, product in enumerate(products)
            ],
        )
    return earlier


def activated_model() -> trained.SearchModel:
    """A saved search model with a photo map of its own, made the active one."""
    dims = active_dims()
    model = trained.SearchModel(
        version=trained.new_version(),
        encoder_version=ENCODER,
        head=MatchHead(dims.text),
        photo_map=PhotoToTextMap(dims.image + COLOUR_DIMS, dims.text),
    )
    trained.save(model)
    trained.activate(model.version)
    return trained.load(model.version)


def stored() -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Every row's (photo features, colours, photo in the text space, map_version), by id."""
    rows = ProductIndex.objects.order_by("product_id").values_list(
        "photo_features", "colour_vector", "photo_text_vector", "map_version"
    )
    features, colours, mapped, versions = zip(*rows, strict=True)
    return (
        np.array(features, dtype=np.float32),
        np.array(colours, dtype=np.float32),
        np.array(mapped, dtype=np.float32),
        list(versions),
    )


def assert_mapped_by(model: trained.SearchModel, earlier: np.ndarray, rows: np.ndarray) -> None:
    """Rows `rows` hold their own photo mapped by `model`; every other row is untouched."""
    features, colours, mapped, versions = stored()
    others = np.setdiff1d(np.arange(len(features)), rows)
    assert np.allclose(mapped[rows], model.map_photos(features[rows], colours[rows]), atol=1e-5)
    assert {versions[row] for row in rows} <= {model.version}
    assert np.array_equal(mapped[others], earlier[others])
    assert {versions[row] for row in others} <= {""}


@pytest.fixture(autouse=True)
def no_remapping_marks():
    redis_client().delete(remapping._RUNNING_KEY, remapping._DONE_KEY)
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("default")
    yield
    redis_client().delete(remapping._RUNNING_KEY, remapping._DONE_KEY)


def test_a_worker_re_maps_every_photo_with_the_activated_map_batch_by_batch(merchant):
    earlier = index_rows(merchant, 2 * BATCH_SIZE + 40)
    model = activated_model()
    assert unmapped_rows(model) == len(earlier)

    with start_worker(
        app, queues=["default"], perform_ping_check=False, pool="solo", shutdown_timeout=60
    ):
        # As training announces its newly activated model.
        photo_map_activated.send(sender=trained.SearchModel, version=model.version)
        wait_until(
            lambda: redis_client().get(remapping._DONE_KEY) == model.version.encode(),
            120,
            "the re-mapping's end",
        )
    assert unmapped_rows(model) == 0
    assert_mapped_by(model, earlier, np.arange(len(earlier)))
    # Done: the sweeper leaves it alone.
    assert remapping.sweep_unmapped_photos() is False


def test_a_re_mapping_for_a_model_no_longer_active_maps_nothing(merchant):
    earlier = index_rows(merchant, 30)
    superseded = activated_model()
    newer = activated_model()

    assert remapping.remap_photos(superseded.version) is None
    assert remap_batch(superseded.version) is None
    assert_mapped_by(newer, earlier, np.array([], dtype=int))  # nothing written
    assert redis_client().llen("default") == 0  # and no next batch queued
    # The active model's own re-mapping maps with its map.
    assert remap_batch(newer.version).written == 30
    assert_mapped_by(newer, earlier, np.arange(30))


def test_two_re_mappings_at_once_never_take_the_same_rows(merchant):
    earlier = index_rows(merchant, 3 * 40)
    model = activated_model()
    first = ProductIndex.objects.order_by("product_id").values_list("product_id", flat=True)[:40]
    with psycopg.connect(current_database_url()) as other:
        # Another run's batch holds the first 40 rows, uncommitted.
        other.execute(
            f"SELECT 1 FROM {ProductIndex._meta.db_table} WHERE product_id = ANY(%s) FOR UPDATE",
            [list(first)],
        )
        batch = remap_batch(model.version, batch_size=40)  # does not wait for it
        other.rollback()
    assert batch.written == 40
    assert batch.last_product_id == ProductIndex.objects.order_by("product_id")[79].product_id
    assert_mapped_by(model, earlier, np.arange(40, 80))


def test_a_re_mapping_killed_mid_way_is_started_again_by_the_sweeper(tmp_path, merchant, settings):
    earlier = index_rows(merchant, 10 * BATCH_SIZE)
    model = activated_model()
    # Workers on this test's database and Redis, whose chain's mark lapses 3 s after a batch.
    env = project_env(
        VITRINE_DATA_DIR=str(tmp_path),
        DATABASE_URL=application_database_url(),
        REDIS_URL=settings.REDIS_URL,
        VITRINE_SEARCH_MODELS_DIR=str(settings.VITRINE_SEARCH_MODELS_DIR),
        VITRINE_SWEEP_AFTER_SECONDS="3",
    )

    def mapped() -> int:
        return ProductIndex.objects.filter(map_version=model.version).count()

    worker = spawn_worker(env, tmp_path / "worker.log", queues="default")
    try:
        remapping.request_remapping(model.version)
        wait_until(lambda: mapped() >= BATCH_SIZE, 180, "the first batch")
    finally:
        stop_process_group(worker, signal.SIGKILL)  # mid-chain, no goodbye
    # Every batch committed whole; the rows not yet written keep their earlier photo vectors.
    written = np.flatnonzero(np.array(stored()[3]) == model.version)
    assert 0 < len(written) < len(earlier) and len(written) % BATCH_SIZE == 0
    assert_mapped_by(model, earlier, written)

    # The killed chain's message is back only after the broker's visibility timeout (an hour):
    # once the chain's mark lapses, the sweeper starts it again, and once only while it runs.
    wait_until(lambda: not redis_client().exists(remapping._RUNNING_KEY), 10, "the mark to lapse")
    settings.VITRINE_SWEEP_AFTER_SECONDS = 60
    assert remapping.sweep_unmapped_photos() is True
    assert remapping.sweep_unmapped_photos() is False
    worker = spawn_worker(env, tmp_path / "worker.log", queues="default")
    try:
        wait_until(
            lambda: redis_client().get(remapping._DONE_KEY) == model.version.encode(),
            300,
            "the re-mapping's end",
        )
    finally:
        stop_process_group(worker)
    assert_mapped_by(model, earlier, np.arange(len(earlier)))
    assert remapping.sweep_unmapped_photos() is False
