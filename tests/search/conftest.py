import csv
import io
import itertools
from decimal import Decimal

import pytest
from django.core.management import call_command

from search.db import vacuum_search_index
from search.evaluation import read_truth
from search.indexing import embed_stale
from search.models import ProductIndex
from tests.conftest import DATASET_IMAGES, SHARED

KIT = SHARED / "eval"
PRODUCTS = 800


@pytest.fixture
def small_catalogue(db, tmp_path, encoder) -> dict:
    """The evaluation catalogue's first PRODUCTS products, imported and embedded; returns the
    evaluation truth for them."""
    return kit_catalogue(tmp_path, encoder, PRODUCTS)


def kit_catalogue(tmp_path, encoder, products: int) -> dict:
    """The evaluation catalogue's first `products` products, imported and embedded; returns
    the evaluation truth for them."""
    subset = tmp_path / "catalog.csv"
    with (KIT / "catalog.csv").open(newline="") as source, subset.open("w", newline="") as out:
        rows = csv.reader(source)
        csv.writer(out).writerows(itertools.islice(rows, products + 1))
    call_command("import_catalog", str(subset), images=DATASET_IMAGES, stdout=io.StringIO())
    embed_stale(encoder)
    vacuum_search_index()  # in the test's transaction: fresh planner statistics
    truth = read_truth(KIT / "truth.csv")
    skus = set(ProductIndex.objects.values_list("product__sku", flat=True))
    return {sku: product for sku, product in truth.items() if sku in skus}


@pytest.fixture
def crowded_catalogue(make_product, encoder):
    """120 black shoes, which fill every source's candidates for "black shoes", and 15 red
    kurtas in another category, priced 10 to 24, 5 of each in stock."""
    for number in range(120):
        make_product(
            f"SHOE-{number}",
            title=f"Black leather shoes {number}",
            photos=[],
            category_path="Footwear > Shoes",
        )
    for number in range(15):
        make_product(
            f"KURTA-{number}",
            title=f"Red cotton kurta {number}",
            photos=[],
            price=Decimal(10 + number),
            stock=5,
            category_path="Apparel > Topwear > Kurtas",
        )
    embed_stale(encoder)
