"""What every kit shares: its file names and columns, the shared data's paths, and relevance.

Relevance is written out here, as the shared kit's README defines it, so the query generators
can promise that every query has answers without importing anything from the search.
"""

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
EVAL_DIR = SHARED / "eval"
DATASET_DIR = SHARED / "datasets" / "fashion-product-images-small"
DATASET_IMAGES = DATASET_DIR / "images"

CATALOG_FILE = "catalog.csv"
TRUTH_FILE = "truth.csv"
QUERIES_FILE = "text_queries_heldout.csv"

CATALOG_COLUMNS = ("sku", "title", "description", "category", "image")
TRUTH_COLUMNS = ("sku", "article_type", "colour", "gender", "usage", "sparse")
QUERY_COLUMNS = ("query", "kind", "article_type", "colour", "gender")

# The shared truth.csv writes its sparse flag as 0/1; the kits written here do the same.
SPARSE_TRUE = "1"
SPARSE_FALSE = "0"

# Query genders that state nothing: a query for "Unisex" matches every product's gender.
_NO_GENDER = ("", "Unisex")


def read_rows(path: Path) -> list[dict[str, str]]:
    """All rows of a CSV file as dicts, so callers never depend on column order."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, columns: Iterable[str], rows: Iterable[Mapping[str, object]]) -> int:
    """Write rows under a header and return how many, so builders can report their counts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def gain(product: Mapping[str, str], article_type: str, colour: str, gender: str) -> int:
    """The kit's gain of a truth row for a query: 2 full match, 1 article type only, else 0."""
    if product["article_type"] != article_type:
        return 0
    colour_ok = not colour or product["colour"] == colour
    gender_ok = gender in _NO_GENDER or product["gender"] in (gender, "Unisex")
    return 2 if colour_ok and gender_ok else 1


def count_full_matches(
    truth: Iterable[Mapping[str, str]], article_type: str, colour: str, gender: str
) -> int:
    """How many products have gain 2, to check that a query has enough answers."""
    return sum(1 for row in truth if gain(row, article_type, colour, gender) == 2)
