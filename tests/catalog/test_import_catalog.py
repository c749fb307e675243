import csv
import re
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Category, Product
from search.models import ProductIndex
from tests.conftest import jpeg_bytes

HEADER = ["sku", "title", "description", "category", "image", "price", "currency", "stock"]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run_import(csv_path: Path, images: Path | None, *args: str) -> tuple[str, str, int]:
    """import_catalog's output, errors and exit status; `images` None: no --images."""
    out, err = StringIO(), StringIO()
    if images is not None:
        args = ("--images", str(images), *args)
    try:
        call_command("import_catalog", str(csv_path), *args, stdout=out, stderr=err)
        status = 0
    except CommandError as error:
        err.write(str(error))
        status = error.returncode
    return out.getvalue(), err.getvalue(), status


def test_imports_rows_with_categories_photos_and_index_rows(db, tmp_path, images, merchant):
    csv_path = write_csv(
        tmp_path / "c.csv",
        [
            [
                "K-1",
                "Women Red Kurta",
                "Cotton, hand block printed",
                "Apparel > Topwear",
                "red.jpg",
                "24.50",
                "EUR",
                "7",
            ],
            ["K-2", "Men Blue Shirt", "", "Apparel > Topwear", "blue.jpg", "", "", ""],
        ],
    )
    out, err, status = run_import(csv_path, images, "--merchant", "alice")
    assert status == 0, err
    assert "2 rows for alice" in out and "2 created" in out
    kurta = Product.objects.get(merchant=merchant, sku="K-1")
    assert (kurta.price, kurta.currency, kurta.stock, kurta.status) == (
        Decimal("24.50"),
        "EUR",
        7,
        Product.Status.ACTIVE,
    )
    assert kurta.category.full_name == "Apparel > Topwear"
    assert kurta.category.parent.full_name == "Apparel"
    shirt = Product.objects.get(sku="K-2")
    assert (shirt.price, shirt.currency, shirt.stock) == (None, "USD", 0)
    assert kurta.images.get().width == 60
    assert ProductIndex.objects.filter(product__in=[kurta, shirt], dirty=True).count() == 2


def test_without_merchant_the_products_belong_to_the_house_account(db, tmp_path, images):
    csv_path = write_csv(tmp_path / "c.csv", [["A1", "Watch", "", "", "red.jpg", "", "", ""]])
    assert run_import(csv_path, images)[2] == 0
    assert Product.objects.get(sku="A1").merchant.user.username == "vitrine"


def test_an_unknown_merchant_is_an_error(db, tmp_path, images):
    csv_path = write_csv(tmp_path / "c.csv", [["A1", "Watch", "", "", "red.jpg", "", "", ""]])
    _, err, status = run_import(csv_path, images, "--merchant", "nobody")
    assert status == 1 and "create_merchant" in err


def test_reimport_upserts_by_sku_and_counts_unchanged(db, tmp_path, images, merchant):
    rows = [["K-1", "Women Red Kurta", "", "Apparel > Topwear", "red.jpg", "10", "USD", "3"]]
    run_import(write_csv(tmp_path / "a.csv", rows), images, "--merchant", "alice")
    out, _, _ = run_import(write_csv(tmp_path / "b.csv", rows), images, "--merchant", "alice")
    assert "1 unchanged" in out

    changed = [
        ["K-1", "Women Red Kurta Dress", "", "Apparel > Dresses", "blue.jpg", "12", "USD", "3"]
    ]
    out, _, _ = run_import(write_csv(tmp_path / "c.csv", changed), images, "--merchant", "alice")
    assert "1 updated" in out
    product = Product.objects.get(merchant=merchant, sku="K-1")
    assert product.title == "Women Red Kurta Dress"
    assert product.category.full_name == "Apparel > Dresses"
    assert product.images.count() == 1  # the main photo was replaced, not added
    assert Product.objects.filter(sku="K-1").count() == 1


BAD_ROWS = [
    (["", "No sku", "", "", "red.jpg", "", "", ""], "missing sku"),
    (["B1", "", "", "", "red.jpg", "", "", ""], "missing title"),
    (["B2", "No photo", "", "", "", "1.999", "", ""], "more than 2 decimals"),
    (["B3", "Gone", "", "", "nope.jpg", "", "", ""], "cannot read image nope.jpg"),
    (["B4", "Text", "", "", "notes.jpg", "", "", ""], "not an image"),
    (["B5", "Half", "", "", "truncated.jpg", "", "", ""], "truncated or corrupt"),
    (["B6", "Price", "", "", "red.jpg", "abc", "", ""], "bad price 'abc'"),
    (["B7", "Price", "", "", "red.jpg", "-3", "", ""], "bad price '-3'"),
    (["B8", "Price", "", "", "red.jpg", "1.999", "", ""], "more than 2 decimals"),
    (["B9", "Currency", "", "", "red.jpg", "5", "XYZ", ""], "bad currency 'XYZ'"),
    (["B10", "Stock", "", "", "red.jpg", "5", "USD", "-1"], "bad stock '-1'"),
    (["bad sku!", "Sku", "", "", "red.jpg", "", "", ""], "bad sku"),
    (["B11", "Escape", "", "", "../outside.jpg", "", "", ""], "outside the images folder"),
    (["B12", "x" * 300, "", "", "red.jpg", "", "", ""], "title:"),
    (["B13", "Cat", "", "c" * 150, "red.jpg", "", "", ""], "longer than 100 characters"),
    (["B14", "Cat", "", " > ".join(["d" * 90] * 6), "red.jpg", "", "", ""], "longer than 500"),
    # Without a photo, the same checks.
    (["B15", "y" * 300, "", "", "", "", "", ""], "title:"),
    (["B16", "Cat", "", "c" * 150, "", "", "", ""], "longer than 100 characters"),
    (["B17", "Yen", "", "", "", "10.50", "JPY", ""], "price: Prices in JPY are whole numbers"),
    (["B18", "Stock", "", "", "", "", "", "99999999999"], "stock:"),
    (["B19", "Cat", "", "c" * 150, "", "", "", ""], "longer than 100 characters"),  # remembered
]


def test_each_bad_row_is_reported_with_its_line_and_the_rest_import(db, tmp_path, images):
    (images / "notes.jpg").write_text("not a photo at all")
    (images / "truncated.jpg").write_bytes(jpeg_bytes(size=(300, 300))[:700])
    shutil.copy(images / "red.jpg", tmp_path / "outside.jpg")
    good = ["G1", "Good row", "", "Bags", "green.jpg", "5", "USD", "1"]
    rows = [good] + [row for row, _ in BAD_ROWS] + [["G1", "Again", "", "", "red.jpg", "", "", ""]]
    _, err, status = run_import(write_csv(tmp_path / "c.csv", rows), images)

    assert status == 1
    reported = dict(re.findall(r"^line (\d+): (.*)$", err, re.MULTILINE))
    for line, (_, reason) in enumerate(BAD_ROWS, start=3):
        assert reason in reported[str(line)]
    assert reported[str(3 + len(BAD_ROWS))] == "duplicate sku G1 (first on line 2)"
    assert f"{len(BAD_ROWS) + 1} rows were rejected" in err
    assert list(Product.objects.values_list("sku", flat=True)) == ["G1"]
    assert Product.objects.get().title == "Good row"


def test_a_row_with_extra_fields_is_rejected(db, tmp_path, images):
    csv_path = write_csv(tmp_path / "c.csv", [["E1", "Extra", "", "", "red.jpg", "", "", "", "?"]])
    _, err, status = run_import(csv_path, images)
    assert status == 1 and "line 2: the row has more fields than the header" in err


def test_a_file_without_the_required_columns_is_refused(db, tmp_path, images):
    csv_path = write_csv(tmp_path / "c.csv", [["x"]], header=["name"])
    _, err, status = run_import(csv_path, images)
    assert status == 1 and "no column sku, title in its header" in err
    assert not Product.objects.exists()


def test_a_rejected_row_leaves_no_category_behind_from_validation(db, tmp_path, images):
    csv_path = write_csv(
        tmp_path / "c.csv", [["B1", "Bad", "", "New > Tree", "red.jpg", "x", "", ""]]
    )
    run_import(csv_path, images)
    assert not Category.objects.filter(full_name__startswith="New").exists()


def test_reimport_changes_only_the_columns_the_file_has(db, tmp_path, images, merchant):
    rows = [["K-1", "Red Kurta", "Hand printed", "Apparel", "red.jpg", "10", "EUR", "3"]]
    run_import(write_csv(tmp_path / "a.csv", rows), images, "--merchant", "alice")
    header = ["sku", "title", "image", "stock"]
    narrow = write_csv(tmp_path / "b.csv", [["K-1", "Red Kurta", "red.jpg", "9"]], header=header)
    out, err, status = run_import(narrow, images, "--merchant", "alice")
    assert status == 0 and "1 updated" in out, err
    product = Product.objects.get(merchant=merchant, sku="K-1")
    assert (product.stock, product.price, product.currency, product.description) == (
        9,
        Decimal("10"),
        "EUR",
        "Hand printed",
    )
    assert product.category.full_name == "Apparel"


def test_reimport_never_republishes_an_unpublished_listing_unless_the_file_says_so(
    db, tmp_path, images, merchant
):
    rows = [["K-1", "Red Kurta", "", "", "red.jpg", "10", "USD", "3"]]
    run_import(write_csv(tmp_path / "a.csv", rows), images, "--merchant", "alice")
    Product.objects.filter(sku="K-1").update(status=Product.Status.DRAFT)  # the merchant's call
    changed = [["K-1", "Red Kurta, cotton", "", "", "red.jpg", "10", "USD", "3"]]
    run_import(write_csv(tmp_path / "b.csv", changed), images, "--merchant", "alice")
    product = Product.objects.get(sku="K-1")
    assert (product.title, product.status) == ("Red Kurta, cotton", Product.Status.DRAFT)

    header = [*HEADER, "status"]
    publish = write_csv(tmp_path / "c.csv", [[*changed[0], "Active"]], header=header)
    out, err, status = run_import(publish, images, "--merchant", "alice")
    assert status == 0 and "1 updated" in out, err
    assert Product.objects.get(sku="K-1").status == Product.Status.ACTIVE
    bad = write_csv(tmp_path / "d.csv", [[*changed[0], "sold"]], header=header)
    _, err, status = run_import(bad, images, "--merchant", "alice")
    assert status == 1 and "bad status 'sold'" in err


def test_reimport_replaces_only_the_photo_an_import_stored(db, tmp_path, images, merchant):
    from catalog import services
    from tests.conftest import photo

    rows = [["K-1", "Red Kurta", "", "", "red.jpg", "10", "USD", "3"]]
    run_import(write_csv(tmp_path / "a.csv", rows), images, "--merchant", "alice")
    product = Product.objects.get(sku="K-1")
    [own] = services.add_product_photos(product, [photo("yellow")])
    services.move_product_image(own, 0)  # the merchant's own photo is now the main one

    run_import(write_csv(tmp_path / "b.csv", rows), images, "--merchant", "alice")
    assert product.images.first().pk == own.pk  # not moved back

    changed = [["K-1", "Red Kurta", "", "", "blue.jpg", "10", "USD", "3"]]
    out, _, _ = run_import(write_csv(tmp_path / "c.csv", changed), images, "--merchant", "alice")
    assert "1 updated" in out
    shas = list(product.images.values_list("sha256", flat=True))
    assert shas == [own.sha256, photo("blue").sha256]  # the red one replaced in its place
