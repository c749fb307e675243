import csv
import io
import itertools

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
