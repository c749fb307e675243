"""Suggestions while typing: the typed words completed with words the catalogue uses together,
and queries that enough different shoppers chose a result of."""

import pytest
from rest_framework.test import APIClient

from catalog.models import Product
from search.models import SearchLog
from search.suggestions import popular_queries

SUGGEST = "/api/v1/search/suggest/"


@pytest.fixture(autouse=True)
def popular_queries_read_at_once(settings):
    settings.VITRINE_SUGGEST_REFRESH_SECONDS = 0


def suggested(text: str) -> list[tuple[str, str]]:
    response = APIClient().get(SUGGEST, {"q": text})
    assert response.status_code == 200
    return [(entry["text"], entry["source"]) for entry in response.json()["suggestions"]]


@pytest.fixture
def home_goods(make_product) -> None:
    """Outside fashion: shirts are commoner than shades, but only shades go with lamps."""
    for i, title in enumerate(["Oxford shirt", "Linen shirt", "Flannel shirt"]):
        make_product(f"SH-{i}", title=title, category_path="Apparel > Tops", photos=[])
    make_product(
        "LS-1", title="Table lamp shade, linen", category_path="Home > Lighting", photos=[]
    )
    make_product("LB-1", title="Floor lamp base", category_path="Home > Lighting", photos=[])


def test_the_last_word_is_completed_with_the_catalogues_words_most_used_first(home_goods):
    assert suggested("sh")[0] == ("shirt", "catalogue")
    assert ("shade", "catalogue") in suggested("sh")
    # Only words that go with the words before it, and those words kept as typed.
    assert suggested("Lamp sh") == [("lamp shade", "catalogue")]
    assert suggested("lamp ba") == [("lamp base", "catalogue")]
    # A word the catalogue does not know narrows nothing, and stays.
    assert suggested("cosy sh")[0] == ("cosy shirt", "catalogue")
    # A whole last word (a space after it) is not completed; nothing of the catalogue matches.
    assert suggested("shirt ") == []
    assert suggested("xq") == []


def test_drafts_lend_no_words(home_goods, make_product):
    make_product("D-1", title="Secret prototype", status=Product.Status.DRAFT, photos=[])
    assert suggested("secr") == []


def test_nothing_is_suggested_for_one_letter_or_nothing(home_goods):
    assert suggested("s") == []
    assert suggested("") == []
    too_long = APIClient().get(SUGGEST, {"q": "x" * 300})
    assert too_long.status_code == 400


def log_searches(query: str, searchers: int, found: int = 3, searcher: str = "") -> None:
    SearchLog.objects.bulk_create(
        SearchLog(
            query_text=query,
            result_count=found,
            took_ms=20.0,
            searcher=searcher or f"searcher-{query}-{i}",
            source=SearchLog.Source.API,
        )
        for i in range(searchers)
    )


def test_a_query_enough_shoppers_made_is_suggested_first(home_goods, settings):
    settings.VITRINE_SUGGEST_MIN_SEARCHERS = 3
    log_searches("shirts for work", searchers=3)
    log_searches("Shirts for  GYM", searchers=4)
    log_searches("shirt for a wedding", searchers=2)  # too few shoppers
    log_searches("shirts for sale", searchers=5, found=0)  # nothing found: not worth suggesting
    found = suggested("shirts f")
    assert found[:2] == [("shirts for gym", "popular"), ("shirts for work", "popular")]
    assert all(source == "catalogue" for _, source in found[2:])
    assert not {"shirt for a wedding", "shirts for sale"} & {text for text, _ in suggested("shirt")}


def test_one_shopper_repeating_a_query_does_not_make_it_popular(home_goods, settings):
    settings.VITRINE_SUGGEST_MIN_SEARCHERS = 3
    log_searches("buy my brand", searchers=50, searcher="one-client")
    assert not popular_queries.starting("buy", 8)
    assert suggested("buy my") == []
