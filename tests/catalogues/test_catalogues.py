"""The held-out kits keep their promises: same listings, no leaked gender, answerable queries."""

import random
from pathlib import Path

import pytest
from PIL import Image

from tests.catalogues.home_goods import write_home_goods_kit
from tests.catalogues.kit import (
    CATALOG_FILE,
    EVAL_DIR,
    QUERIES_FILE,
    QUERY_COLUMNS,
    SPARSE_TRUE,
    TRUTH_FILE,
    count_full_matches,
    read_rows,
)
from tests.catalogues.merchant_style import LEAK_WORD, write_merchant_style_kit
from tests.catalogues.original_style import write_original_style_kit
from tests.catalogues.queries import KIND_COUNTS, misspell

pytestmark = pytest.mark.skipif(
    not (EVAL_DIR / TRUTH_FILE).is_file(), reason="the shared evaluation kit is not here"
)


@pytest.fixture(scope="module")
def merchant_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_merchant_style_kit(tmp_path_factory.mktemp("merchant"))


@pytest.fixture(scope="module")
def original_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_original_style_kit(tmp_path_factory.mktemp("original"))


def test_merchant_kit_keeps_every_listing_photo_and_sparse_set(merchant_kit: Path) -> None:
    shared = read_rows(EVAL_DIR / CATALOG_FILE)
    rewritten = read_rows(merchant_kit / CATALOG_FILE)
    assert [(r["sku"], r["image"]) for r in rewritten] == [(r["sku"], r["image"]) for r in shared]
    assert (merchant_kit / TRUTH_FILE).read_bytes() == (EVAL_DIR / TRUTH_FILE).read_bytes()
    sparse = {r["sku"] for r in read_rows(merchant_kit / TRUTH_FILE) if r["sparse"] == SPARSE_TRUE}
    described = {r["sku"] for r in rewritten if r["category"] or r["description"]}
    assert len(sparse) == 2000
    assert not sparse & described
    sparse_titles = {r["title"] for r in rewritten if r["sku"] in sparse}
    assert len(sparse_titles) > 100, "sparse placeholders should vary"
    items = sum(title.startswith("Item ") for title in sparse_titles)
    assert items < len(sparse_titles) / 4


def test_merchant_kit_is_reworded(merchant_kit: Path) -> None:
    shared = {r["sku"]: r for r in read_rows(EVAL_DIR / CATALOG_FILE)}
    rewritten = read_rows(merchant_kit / CATALOG_FILE)
    described = [r for r in rewritten if r["category"]]
    assert not [r for r in described if r["title"] == shared[r["sku"]]["title"]]
    with_description = sum(bool(r["description"]) for r in described)
    assert 0.4 < with_description / len(described) < 0.6


def test_no_merchant_title_or_description_names_a_gender(merchant_kit: Path) -> None:
    rows = read_rows(merchant_kit / CATALOG_FILE)
    leaks = [r["title"] for r in rows if LEAK_WORD.search(r["title"] + " " + r["description"])]
    assert leaks == []
    categories = {r["category"].split(" > ")[0] for r in rows if r["category"]}
    assert {"Men", "Women", "Kids", "Unisex"} <= categories


@pytest.mark.parametrize("kit", ["merchant_kit", "original_kit"])
def test_every_heldout_query_has_three_full_answers(kit: str, request) -> None:
    folder: Path = request.getfixturevalue(kit)
    truth = read_rows(folder / TRUTH_FILE)
    queries = read_rows(folder / QUERIES_FILE)
    assert tuple(queries[0]) == QUERY_COLUMNS
    kinds = {q["kind"] for q in queries}
    assert kinds == set(KIND_COUNTS)
    for kind, wanted in KIND_COUNTS.items():
        assert sum(q["kind"] == kind for q in queries) == wanted
    article_types = {row["article_type"] for row in truth}
    for query in queries:
        assert query["article_type"] in article_types, query
        count = count_full_matches(truth, query["article_type"], query["colour"], query["gender"])
        assert count >= 3, query
    assert len({q["query"] for q in queries}) == len(queries)


def test_both_fashion_kits_get_the_same_queries(merchant_kit: Path, original_kit: Path) -> None:
    merchant = (merchant_kit / QUERIES_FILE).read_bytes()
    assert merchant == (original_kit / QUERIES_FILE).read_bytes()


def test_typo_queries_differ_from_every_plain_query(original_kit: Path) -> None:
    queries = read_rows(original_kit / QUERIES_FILE)
    plain = {q["query"] for q in queries if q["kind"] == "plain"}
    typos = [q["query"] for q in queries if q["kind"] == "typo"]
    assert typos and not plain & set(typos)


def test_misspell_changes_only_long_words() -> None:
    rng = random.Random(1)
    for _ in range(200):
        typo = misspell("red handbag for women", rng, edits=2)
        assert typo is not None and typo != "red handbag for women"
        assert typo.split()[0] == "red" and typo.split()[2] == "for"
    assert misspell("red top", rng) is None


def test_home_goods_builds_with_photos_and_is_deterministic(tmp_path: Path) -> None:
    first = write_home_goods_kit(tmp_path / "a", products=120, seed=5)
    again = write_home_goods_kit(tmp_path / "b", products=120, seed=5)
    other = write_home_goods_kit(tmp_path / "c", products=120, seed=6)
    for name in (CATALOG_FILE, TRUTH_FILE, QUERIES_FILE):
        assert (first / name).read_bytes() == (again / name).read_bytes()
    assert (first / CATALOG_FILE).read_bytes() != (other / CATALOG_FILE).read_bytes()

    catalogue = read_rows(first / CATALOG_FILE)
    truth = read_rows(first / TRUTH_FILE)
    assert len(catalogue) == len(truth) == 120
    assert len({row["article_type"] for row in truth}) >= 12
    sparse = {row["sku"] for row in truth if row["sparse"] == SPARSE_TRUE}
    assert 0.1 < len(sparse) / 120 < 0.2
    for row in catalogue:
        photo = first / "images" / row["image"]
        assert photo.read_bytes() == (again / "images" / row["image"]).read_bytes()
        if row["sku"] in sparse:
            assert not row["category"] and not row["description"]
        else:
            assert " > " in row["category"]
    with Image.open(first / "images" / catalogue[0]["image"]) as image:
        assert image.size == (96, 96)

    queries = read_rows(first / QUERIES_FILE)
    assert {q["kind"] for q in queries} == {"plain", "shopper", "typo"}
    for query in queries:
        assert query["gender"] == ""
        assert count_full_matches(truth, query["article_type"], query["colour"], "") >= 3
