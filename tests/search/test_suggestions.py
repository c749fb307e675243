"""Suggestions while typing: the typed words completed with words the catalogue uses together,
and queries that enough different shoppers chose a result of."""

import pytest
from rest_framework.test import APIClient

from catalog.models import Product
from search.models import SearchEvent
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


def log_choices(product: Product, query: str, searchers: int) -> None:
    SearchEvent.objects.bulk_create(
        SearchEvent(
            query_text=query,
            product=product,
            action=SearchEvent.Action.CLICK,
            position=0,
            searcher=f"searcher-{query}-{i}",
        )
        for i in range(searchers)
    )


def test_a_query_enough_shoppers_chose_from_is_suggested_first(home_goods, settings):
    settings.VITRINE_SUGGEST_MIN_SEARCHERS = 3
    shirt = Product.objects.get(sku="SH-0")
    log_choices(shirt, "shirts for work", searchers=3)
    log_choices(shirt, "shirts for gym", searchers=4)
    log_choices(shirt, "shirt for a wedding", searchers=2)  # too few shoppers
    found = suggested("shirts f")
    assert found[:2] == [("shirts for gym", "popular"), ("shirts for work", "popular")]
    assert ("shirt for a wedding", "popular") not in suggested("shirt f")


def test_one_shopper_repeating_a_query_does_not_make_it_popular(home_goods, settings):
    settings.VITRINE_SUGGEST_MIN_SEARCHERS = 3
    shirt, shade = Product.objects.filter(sku__in=["SH-0", "LS-1"])
    for product in (shirt, shade):
        for action in SearchEvent.Action.values:
            SearchEvent.objects.create(
                query_text="buy my brand",
                product=product,
                action=action,
                position=0,
                searcher="one-client",
            )
    assert not popular_queries.starting("buy", 8)
    assert suggested("buy my") == []
