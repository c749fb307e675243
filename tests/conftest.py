import gc
import io
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from catalog import services
from catalog.images import CheckedImage, check_image
from catalog.models import Merchant, Product

SHARED = Path(__file__).resolve().parents[2] / "shared"
DATASET_IMAGES = SHARED / "datasets" / "fashion-product-images-small" / "images"


def jpeg_bytes(color: str = "red", size: tuple[int, int] = (60, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def photo(color: str = "red") -> CheckedImage:
    return check_image(jpeg_bytes(color))


def dataset_photo(product_id: str | int) -> CheckedImage:
    """A real product photo from the shared dataset."""
    return check_image((DATASET_IMAGES / f"{product_id}.jpg").read_bytes())


@pytest.fixture(autouse=True)
def search_models_dir(settings, tmp_path_factory) -> Path:
    """Each test starts with no trained search model: a model one test trains and activates
    must not change the rankings another test sees."""
    settings.VITRINE_SEARCH_MODELS_DIR = tmp_path_factory.mktemp("search-models")
    return settings.VITRINE_SEARCH_MODELS_DIR


@pytest.fixture(scope="session")
def encoder():
    """The real offline encoder, loaded once for the whole run."""
    from search.ml.encoders import get_encoder

    return get_encoder()


@pytest.fixture(autouse=True)
def catalogue_version_moves_past_each_test(request):
    """After a test, its database is rolled back or flushed: a change of the catalogue that no
    service announces. Its version moves, so that no process keeps the words of the test's
    products (search.catalogue_vocabulary)."""
    yield
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        from search import catalogue_version

        catalogue_version.bump()


@pytest.fixture(autouse=True)
def nothing_stays_frozen():
    """A warm-up or a vocabulary taken up leaves all the process holds out of the garbage
    collector's passes (core.long_lived): the next tests' objects are collected as usual."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


@pytest.fixture
def merchant(db) -> Merchant:
    return services.create_merchant("alice", "correct-horse-battery", name="Alice's Shop")


@pytest.fixture
def other_merchant(db) -> Merchant:
    return services.create_merchant("bob", "correct-horse-battery", name="Bob's Shop")


@pytest.fixture
def make_product(merchant):
    def make(sku: str = "SKU-1", *, owner: Merchant | None = None, **fields) -> Product:
        fields.setdefault("title", "Red cotton kurta")
        fields.setdefault("price", Decimal("19.99"))
        fields.setdefault("status", Product.Status.ACTIVE)
        category_path = fields.pop("category_path", "Apparel > Topwear")
        photos = fields.pop("photos", [photo()])
        variants = fields.pop("variants", None)
        return services.save_product(
            Product(merchant=owner or merchant, sku=sku, **fields),
            photos=photos,
            category_path=category_path,
            variants=variants,
        )

    return make


def cotton_tee(make_product) -> Product:
    """A product in sizes and colours: M black (3 in stock), L black at 24.00 (5), L white
    (sold out); the product's price is 20.00."""
    from catalog.variants import VariantSpec

    return make_product(
        "TEE",
        title="Cotton tee",
        price=Decimal("20.00"),
        variants=[
            VariantSpec("TEE-M-BLK", {"size": "M", "colour": "black"}, None, 3),
            VariantSpec("TEE-L-BLK", {"size": "L", "colour": "black"}, Decimal("24.00"), 5),
            VariantSpec("TEE-L-WHT", {"size": "L", "colour": "white"}, None, 0),
        ],
    )


NIGHTDRESS, SHIRT, JERSEY = "39239", "15970", "1163"


@pytest.fixture
def three_products(make_product, encoder) -> dict[str, Product]:
    """Three real products with their dataset photos, embedded: a nightdress in stock, a shirt
    out of stock, a jersey; the shirt and jersey share a category."""
    from search.indexing import embed_stale

    rows = (
        (
            NIGHTDRESS,
            "Femella Women Blue Nightdress",
            "Apparel > Loungewear and Nightwear",
            "25.00",
            3,
        ),
        (SHIRT, "Turtle Check Men Navy Blue Shirt", "Apparel > Topwear", "40.00", 0),
        (
            JERSEY,
            "Nike Sahara Team India Fanwear Round Neck Jersey",
            "Apparel > Topwear",
            "60.00",
            5,
        ),
    )
    products = {
        sku: make_product(
            sku,
            title=title,
            category_path=category,
            price=Decimal(price),
            stock=stock,
            photos=[dataset_photo(sku)],
        )
        for sku, title, category, price, stock in rows
    }
    embed_stale(encoder)
    return products


def wait_for(condition, timeout: float, what: str) -> None:
    """Poll `condition` until it holds, or fail saying what never happened."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def default_worker():
    """A real Celery worker thread on the default queue (order emails), over the real Redis;
    in this process, so that it sends with the test's email settings and outbox."""
    from celery.contrib.testing.worker import start_worker

    from vitrine.celery import app

    # Tasks queued by earlier tests that ran no worker (their orders' emails) are not this one's.
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("default")
    with start_worker(
        app, queues=["default"], perform_ping_check=False, pool="solo", shutdown_timeout=30
    ) as worker:
        yield worker


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow files first, each still whole: `make test`'s two processes then end together,
    the quick tests filling in, rather than one process running a slow file alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
