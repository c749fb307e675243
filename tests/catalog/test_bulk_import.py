"""Listings without photos, and many of them: text-only and mixed rows, batches written and
announced together, bad rows among thousands, and memory that does not grow with the file."""

import csv
import re
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.importer import BATCH_SIZE
from catalog.models import Category, Product
from catalog.signals import products_changed
from catalog.variants import VariantSpec
from search.models import ProductIndex
from tests.catalog.test_import_catalog import run_import, write_csv
from tests.memory import MB, peak_memory
from tests.processes import current_database_url

TEXT_HEADER = ["sku", "title", "description", "category", "price", "currency", "stock"]
CATEGORIES = ["Apparel > Topwear", "Apparel > Bottomwear", "Footwear > Shoes", "Home > Kitchen"]


def listings(
    path: Path, count: int, bad: dict[int, list[str]] | None = None, prefix: str = "T"
) -> Path:
    """A CSV of `count` text-only listings, SKUs from {prefix}-000000; `bad` replaces the rows
    of some lines (the header is line 1)."""
    bad = bad or {}
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TEXT_HEADER)
        for number in range(count):
            writer.writerow(
                bad.get(number + 2)
                or [
                    f"{prefix}-{number:06d}",
                    f"Cotton shirt number {number}",
                    "Soft combed cotton, a regular fit and a button-down collar. " * 3,
                    CATEGORIES[number % len(CATEGORIES)],
                    f"{10 + number % 90}.{number % 100:02d}",
                    "USD",
                    str(number % 25),
                ]
            )
    return path


@pytest.fixture
def announced():
    """(product ids, bulk) of each products_changed announcement."""
    received: list[tuple[list[int], bool]] = []

    def receiver(sender, product_ids, bulk=False, **kwargs):
        received.append((list(product_ids), bulk))

    products_changed.connect(receiver)
    yield received
    products_changed.disconnect(receiver)


def test_a_file_without_an_image_column_imports_listings_without_photos(db, tmp_path):
    csv_path = write_csv(
        tmp_path / "c.csv",
        [["T1", "Linen shirt", "Apparel > Topwear", "30"], ["T2", "Wool scarf", "", ""]],
        header=["sku", "title", "category", "price"],
    )
    out, err, status = run_import(csv_path, None)
    assert status == 0 and "2 created" in out, err
    shirt = Product.objects.get(sku="T1")
    assert (shirt.price, shirt.category.full_name, shirt.images.count()) == (
        Decimal("30"),
        "Apparel > Topwear",
        0,
    )
    # Waiting for their text vectors, behind any merchant's single edit.
    assert ProductIndex.objects.filter(dirty=True, bulk=True).count() == 2


def test_rows_with_and_without_photos_mix_in_one_file(db, tmp_path, images, merchant):
    rows = [
        ["M1", "Red kurta", "", "Apparel", "red.jpg", "10", "USD", "1"],
        ["M2", "Blue kurta", "", "Apparel", "", "11", "USD", "1"],
        ["M3", "Green kurta", "", "Apparel", "green.jpg", "12", "USD", "1"],
        ["M4", "Plain kurta", "", "Apparel", "", "13", "USD", "1"],
        ["M5", "Broken kurta", "", "Apparel", "missing.jpg", "14", "USD", "1"],
    ]
    out, err, status = run_import(
        write_csv(tmp_path / "c.csv", rows), images, "--merchant", "alice"
    )
    assert status == 1 and "4 created" in out
    assert "line 6: cannot read image missing.jpg" in err  # a named photo is still checked
    photos = dict(Product.objects.filter(merchant=merchant).values_list("sku", "images__width"))
    assert photos == {"M1": 60, "M2": None, "M3": 60, "M4": None}
    assert ProductIndex.objects.filter(dirty=True, bulk=True).count() == 4


def test_a_row_that_names_a_photo_needs_the_images_folder(db, tmp_path):
    rows = [
        ["N1", "Red kurta", "", "", "red.jpg", "", "", ""],
        ["N2", "Kurta", "", "", "", "", "", ""],
    ]
    _, err, status = run_import(write_csv(tmp_path / "c.csv", rows), None)
    assert status == 1 and "line 2: image red.jpg: no images folder was given" in err
    assert list(Product.objects.values_list("sku", flat=True)) == ["N2"]


def test_a_text_only_reimport_changes_only_the_file_columns(db, tmp_path, merchant):
    listings(tmp_path / "a.csv", 3)
    run_import(tmp_path / "a.csv", None, "--merchant", "alice")
    first = Product.objects.get(sku="T-000000")
    Product.objects.filter(pk=first.pk).update(status=Product.Status.DRAFT)  # the merchant's
    narrow = write_csv(
        tmp_path / "b.csv",
        [
            ["T-000000", "Cotton shirt number 0", "7"],  # only the stock differs
            ["T-000001", "Cotton shirt number 1", "1"],  # as it was
            ["T-000002", "Cotton shirt, renamed", "2"],
        ],
        header=["sku", "title", "stock"],
    )
    out, err, status = run_import(narrow, None, "--merchant", "alice")
    assert status == 0 and "2 updated, 1 unchanged" in out, err
    first.refresh_from_db()
    assert (first.stock, first.status, first.price, first.version) == (
        7,
        Product.Status.DRAFT,
        Decimal("10.00"),
        2,
    )
    assert first.description.startswith("Soft combed cotton")
    assert first.category.full_name == "Apparel > Topwear"
    assert Product.objects.get(sku="T-000001").version == 1
    assert Product.objects.get(sku="T-000002").title == "Cotton shirt, renamed"
    moved = write_csv(
        tmp_path / "c.csv",
        [["T-000002", "Cotton shirt, renamed", "Linen > Shirts"]],
        header=["sku", "title", "category"],
    )
    out, err, status = run_import(moved, None, "--merchant", "alice")
    assert status == 0 and "1 updated" in out, err
    assert Product.objects.get(sku="T-000002").category.full_name == "Linen > Shirts"


def test_a_reimported_product_with_variants_keeps_their_stock(db, tmp_path, make_product):
    tee = make_product(
        "TEE",
        title="Cotton tee",
        photos=[],
        variants=[
            VariantSpec("TEE-M", {"size": "M"}, None, 3),
            VariantSpec("TEE-L", {"size": "L"}),
        ],
    )
    rows = [["TEE", "Cotton tee, organic", "99"]]
    out, err, status = run_import(
        write_csv(tmp_path / "c.csv", rows, header=["sku", "title", "stock"]),
        None,
        "--merchant",
        "alice",
    )
    assert status == 0 and "1 updated" in out, err
    tee.refresh_from_db()
    assert (tee.title, tee.stock, tee.variants.count()) == ("Cotton tee, organic", 3, 2)


def test_each_batch_is_written_and_announced_once(db, tmp_path, merchant, announced):
    count = 2 * BATCH_SIZE + 1
    listings(tmp_path / "c.csv", count)
    with CaptureQueriesContext(connection) as queries:
        out, err, status = run_import(tmp_path / "c.csv", None, "--merchant", "alice")
    assert status == 0 and f"{count:,} created" in out, err
    assert [(len(ids), bulk) for ids, bulk in announced] == [
        (BATCH_SIZE, True),
        (BATCH_SIZE, True),
        (1, True),
    ]
    # A few statements a batch, whatever its size; each category path looked up once.
    assert len(queries) < 60
    category_queries = [query for query in queries if "catalog_category" in query["sql"]]
    assert len(category_queries) <= 4 * len(CATEGORIES)
    assert Category.objects.count() == 3 + len(CATEGORIES)


def test_bad_rows_among_thousands_are_reported_with_their_lines(db, tmp_path):
    bad = {
        9: ["T-000001", "A SKU given again", "", "", "", "", ""],
        777: ["T-BAD-1", "Price", "", "", "12.345", "", ""],
        1502: ["T-BAD-2", "t" * 201, "", "", "", "", ""],  # the model's own check
        1503: ["T-BAD-3", "Yen", "", "", "10.50", "JPY", ""],
        2999: ["T-BAD-4", "Stock", "", "", "", "", "lots"],
        3001: ["T-BAD-5", "Cat", "", "x" * 101, "", "", ""],
    }
    out, err, status = run_import(listings(tmp_path / "c.csv", 3000, bad), None)
    assert status == 1
    reported = dict(re.findall(r"^line (\d+): (.*)$", err, re.MULTILINE))
    assert sorted(map(int, reported)) == sorted(bad)
    assert reported["9"] == "duplicate sku T-000001 (first on line 3)"
    assert "more than 2 decimals" in reported["777"]
    assert reported["1502"].startswith("title: ")
    assert "whole numbers" in reported["1503"]
    assert "bad stock 'lots'" in reported["2999"]
    assert "longer than 100 characters" in reported["3001"]
    assert "2,994 created" in out and "6 rows were rejected" in err
    assert Product.objects.count() == 2994


@pytest.mark.django_db(transaction=True)
def test_a_batch_the_database_refuses_is_written_again_product_by_product(tmp_path, merchant):
    """A merchant's edit holds one of the batch's products past the import's lock timeout:
    that product is rejected with the database's reason, and every other one imports."""
    listings(tmp_path / "a.csv", 1)
    run_import(tmp_path / "a.csv", None, "--merchant", "alice")
    held = Product.objects.get(sku="T-000000")
    with psycopg.connect(current_database_url()) as other:
        other.execute("SELECT 1 FROM catalog_product WHERE id = %s FOR UPDATE", [held.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '500ms'")
        try:
            out, err, status = run_import(
                listings(tmp_path / "b.csv", 5), None, "--merchant", "alice"
            )
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    assert status == 1 and "4 created" in out
    assert re.search(r"^line 2: database error: .*lock timeout", err, re.MULTILINE), err
    assert Product.objects.count() == 5


def test_import_memory_does_not_grow_with_the_number_of_rows(db, tmp_path):
    """A file four times longer takes no more memory: nothing is held per row."""
    run_import(listings(tmp_path / "warm.csv", 1000, prefix="W"), None)  # code, caches loaded
    growth = {}
    for count in (4_000, 16_000):
        csv_path = listings(tmp_path / f"{count}.csv", count, prefix=f"N{count}")
        with peak_memory() as peak:
            out, err, status = run_import(csv_path, None)
        assert status == 0 and f"{count:,} created" in out, err
        growth[count] = peak()
    assert growth[16_000] < growth[4_000] + 4 * MB, growth
    assert growth[16_000] < 64 * MB, growth
