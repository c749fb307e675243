"""Search signals that can't be forged cheaply: a click or an add to cart counts only with the
signed token of an answer that showed the product to this searcher, once; training weighs the
choices by distinct searchers and caps any one product's share."""

import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from search.indexing import embed_stale
from search.ml.training.catalogue import (
    MAX_COPIES_PER_CHOICE,
    MAX_PRODUCT_SHARE,
    load_snapshot,
    logged_text_queries,
)
from search.models import SearchEvent
from search.result_tokens import ShownResults
from search.services import log_search_event

EVENTS = "/api/v1/search/events/"


@pytest.fixture
def shown(make_product, encoder):
    """Three products a search for "red kurta" finds."""
    kurta = make_product("KURTA", title="Mother Earth Women Red Kurta", stock=5)
    tunic = make_product("TUNIC", title="Red cotton tunic")
    hidden = make_product("WATCH", title="Red analog watch", category_path="Watches")
    embed_stale(encoder)
    return kurta, tunic, hidden


def api_search(client: APIClient, **params) -> dict:
    response = client.get("/api/v1/search/", {"q": "red kurta", **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_a_click_on_a_shown_result_counts_once_with_its_query_and_place(shown):
    client = APIClient()
    answer = api_search(client, limit=1, offset=1)
    [hit] = answer["results"]
    response = client.post(
        EVENTS, {"token": answer["token"], "product": hit["id"], "action": "click"}
    )
    assert response.status_code == 200 and response.json() == {"counted": True}
    again = client.post(EVENTS, {"token": answer["token"], "product": hit["id"], "action": "click"})
    assert again.json() == {"counted": False}  # once per searcher and result
    event = SearchEvent.objects.get()
    assert (event.product_id, event.position, event.query_text) == (hit["id"], 1, "red kurta")
    assert not event.had_photo and len(event.searcher) == 32


def test_a_result_the_answer_did_not_show_does_not_count(shown):
    client = APIClient()
    answer = api_search(client, limit=1)
    [hidden] = [product for product in shown if product.pk != answer["results"][0]["id"]][:1]
    body = {"token": answer["token"], "product": hidden.pk, "action": "click"}
    response = client.post(EVENTS, body)
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_shown"
    assert not SearchEvent.objects.exists()


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        signing.dumps(["red kurta", False, [1, 2, 3], 0, "x" * 32], salt="another.salt"),
    ],
)
def test_a_forged_token_does_not_count(shown, token):
    response = APIClient().post(EVENTS, {"token": token, "product": shown[0].pk, "action": "click"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "invalid_token"
    assert not SearchEvent.objects.exists()


def test_an_event_without_a_token_is_malformed(shown):
    response = APIClient().post(EVENTS, {"token": "", "product": shown[0].pk, "action": "click"})
    assert response.status_code == 400 and "token" in response.json()["error"]["fields"]


def test_a_token_counts_only_for_the_searcher_it_was_given_to(shown):
    answer = api_search(APIClient(REMOTE_ADDR="10.0.0.1"))
    other = APIClient(REMOTE_ADDR="10.0.0.2")
    product = answer["results"][0]["id"]
    response = other.post(EVENTS, {"token": answer["token"], "product": product, "action": "click"})
    assert response.status_code == 403
    assert "someone else" in response.json()["error"]["message"]


def test_an_old_token_does_not_count(shown, settings):
    answer = api_search(APIClient())
    settings.VITRINE_SEARCH_TOKEN_MAX_AGE_SECONDS = -1
    response = APIClient().post(
        EVENTS, {"token": answer["token"], "product": shown[0].pk, "action": "click"}
    )
    assert response.status_code == 403 and "too old" in response.content.decode()


def test_events_are_rate_limited_per_client(shown, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "search_event_anon": "2/min",
        },
    }
    client = APIClient(REMOTE_ADDR="10.0.0.9")
    answer = api_search(client)
    body = {"token": answer["token"], "product": shown[0].pk, "action": "click"}
    statuses = [client.post(EVENTS, body).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_search_page_clicks_and_adds_to_cart_count_through_its_token(shown):
    kurta = shown[0]
    client = Client(enforce_csrf_checks=True)
    page = client.get("/search/", {"q": "red kurta"}).content.decode()
    token = re.search(r'data-token="([^"]+)"', page).group(1)
    click = client.post(EVENTS, {"token": token, "product": kurta.pk, "action": "click"})
    assert click.json() == {"counted": True}
    assert f'name="search_token" value="{token}"' in page  # in each card's add-to-cart form
    added = client.post(
        reverse("shop:cart_add"),
        {
            "product": kurta.pk,
            "quantity": 1,
            "search_token": token,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert added.status_code == 302
    assert sorted(SearchEvent.objects.values_list("action", flat=True)) == ["add_to_cart", "click"]


def test_training_weighs_choices_by_distinct_searchers_and_caps_a_products_share(shown, encoder):
    kurta, tunic, _ = shown
    snapshot = load_snapshot(encoder.version, encoder.dims.text, encoder.dims.image)

    def choose(product, query: str, searchers: range) -> None:
        for searcher in searchers:
            shown = ShownResults(query, False, (product.pk,), 0, f"searcher-{searcher}")
            log_search_event(shown, product, "click")

    choose(tunic, "cotton tunic", range(2))
    choose(kurta, "kurta", range(50))  # one product, many sessions
    for word in ("shirt", "top", "dress", "skirt"):
        choose(kurta, word, range(5))
    limit = 100
    queries = logged_text_queries(snapshot, limit)
    rows = {row: sum(query.clicked == row for query in queries) for row in range(3)}
    kurta_row = snapshot.titles.index(kurta.title)
    tunic_row = snapshot.titles.index(tunic.title)
    assert rows[tunic_row] == 2  # two searchers, two copies
    assert rows[kurta_row] == int(limit * MAX_PRODUCT_SHARE)  # capped, however many pushed it
    kurta_queries = [query.text for query in queries if query.clicked == kurta_row]
    assert kurta_queries.count(kurta_queries[0]) <= MAX_COPIES_PER_CHOICE
