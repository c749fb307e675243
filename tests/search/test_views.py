"""The search page, the click log and "similar products", through the real service and models."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from search.indexing import embed_stale
from search.models import SearchEvent
from tests.conftest import DATASET_IMAGES, JERSEY, NIGHTDRESS, SHIRT, jpeg_bytes


@pytest.fixture
def catalogue(three_products):
    return three_products


def result_titles(page: str) -> list[str]:
    results = page.split("data-search-results", 1)[-1]
    return re.findall(r'<span class="card-title">([^<]+)</span>', results)


def upload(content: bytes, name: str = "query.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_a_text_search_lists_the_match_first_with_why_it_matched(client, catalogue):
    response = client.get("/search/", {"q": "blue nightdress"})
    page = response.content.decode()
    assert response.status_code == 200
    assert result_titles(page)[0] == "Femella Women Blue Nightdress"
    first_card = page.split("data-search-results", 1)[1].split("</li>", 1)[0]
    assert "matched: text · photo · keywords" in first_card
    assert f'data-product="{catalogue[NIGHTDRESS].pk}" data-position="0"' in first_card


def test_an_empty_query_shows_the_empty_search_page(client, catalogue):
    for params in ({}, {"q": "   "}):
        page = client.get("/search/", params).content.decode()
        assert "Type what you are looking for" in page and not result_titles(page)


def test_a_photo_search_lists_the_product_with_that_photo_first(client, catalogue):
    photo = (DATASET_IMAGES / f"{NIGHTDRESS}.jpg").read_bytes()
    response = client.post("/search/", {"photo": upload(photo)})
    page = response.content.decode()
    assert response.status_code == 200 and "Results for your photo" in page
    assert result_titles(page)[0] == "Femella Women Blue Nightdress"
    assert 'data-had-photo="true"' in page


def test_text_and_photo_together_search_by_both(client, catalogue):
    photo = (DATASET_IMAGES / f"{SHIRT}.jpg").read_bytes()
    response = client.post("/search/", {"q": "navy shirt", "photo": upload(photo)})
    page = response.content.decode()
    assert "Results for your photo and “navy shirt”" in page
    assert result_titles(page)[0] == "Turtle Check Men Navy Blue Shirt"


def test_a_text_search_posted_goes_to_its_bookmarkable_address(client, catalogue):
    response = client.post("/search/", {"q": "  navy   shirt ", "in_stock": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/search/?q=navy+shirt&in_stock=on"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not an image at all", "The photo cannot be read: not an image"),
        (jpeg_bytes()[:200], "The photo cannot be read: the image is truncated or corrupt"),
    ],
)
def test_a_bad_upload_shows_why_with_status_400(client, catalogue, content, message):
    response = client.post("/search/", {"q": "shirt", "photo": upload(content)})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and not result_titles(page)


def test_filters_narrow_the_results(client, catalogue):
    everything = result_titles(client.get("/search/", {"q": "blue"}).content.decode())
    assert len(everything) == 3
    topwear = client.get("/search/", {"q": "blue", "category": "apparel/topwear"})
    assert sorted(result_titles(topwear.content.decode())) == [
        "Nike Sahara Team India Fanwear Round Neck Jersey",
        "Turtle Check Men Navy Blue Shirt",
    ]
    in_stock = client.get(
        "/search/", {"q": "blue", "category": "apparel/topwear", "in_stock": "on"}
    )
    assert result_titles(in_stock.content.decode()) == [
        "Nike Sahara Team India Fanwear Round Neck Jersey"
    ]
    cheap = client.get("/search/", {"q": "blue", "max_price": "30"})
    assert result_titles(cheap.content.decode()) == ["Femella Women Blue Nightdress"]
    priced = client.get("/search/", {"q": "blue", "min_price": "30", "max_price": "50"})
    assert result_titles(priced.content.decode()) == ["Turtle Check Men Navy Blue Shirt"]


def test_bad_filters_are_shown_not_searched(client, catalogue):
    response = client.get("/search/", {"q": "blue", "min_price": "50", "max_price": "10"})
    assert response.status_code == 400
    assert "The max price is below the min price." in response.content.decode()
    unknown = client.get("/search/", {"q": "blue", "category": "no/such/category"})
    assert unknown.status_code == 400


def test_pages_of_24_results(client, make_product, encoder):
    for number in range(30):
        make_product(f"K{number}", title=f"Red cotton kurta {number}")
    embed_stale(encoder)
    first = client.get("/search/", {"q": "kurta"}).content.decode()
    assert len(result_titles(first)) == 24 and "Page 1 of 2" in first
    assert "?q=kurta&amp;page=2" in first
    second = client.get("/search/", {"q": "kurta", "page": "2"}).content.decode()
    assert len(result_titles(second)) == 6 and 'data-position="24"' in second
    beyond = client.get("/search/", {"q": "kurta", "page": "9"}).content.decode()
    assert "Page 2 of 2" in beyond


def event(product, /, **overrides) -> dict:
    return {
        "product": product.pk,
        "position": 2,
        "action": "click",
        "query_text": "blue nightdress",
        "had_photo": "true",
    } | overrides


def csrf_client() -> tuple[Client, str]:
    """A client that checks CSRF as browsers meet it, with the token the search page set."""
    client = Client(enforce_csrf_checks=True)
    client.get("/search/")
    return client, client.cookies["csrftoken"].value


def test_a_click_on_a_result_is_stored(make_product):
    product = make_product()
    client, token = csrf_client()
    response = client.post("/search/events/", event(product), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 204
    stored = SearchEvent.objects.get()
    assert (stored.product, stored.action, stored.position) == (product, "click", 2)
    assert stored.query_text == "blue nightdress" and stored.had_photo


@pytest.mark.parametrize(
    "overrides",
    [
        {"product": 999_999},
        {"product": "x"},
        {"action": "purchase"},
        {"position": -1},
        {"position": ""},
        {"query_text": "k" * 201},
    ],
)
def test_a_bad_event_is_refused(make_product, overrides):
    client, token = csrf_client()
    response = client.post(
        "/search/events/", event(make_product(), **overrides), HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 400
    assert not SearchEvent.objects.exists()


def test_an_event_on_a_draft_product_is_refused(make_product):
    draft = make_product(status="draft")
    client, token = csrf_client()
    response = client.post("/search/events/", event(draft), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 400


def test_an_event_without_the_csrf_token_is_refused(make_product):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/search/events/", event(make_product())).status_code == 403
    assert client.get("/search/events/").status_code == 405
    assert not SearchEvent.objects.exists()


def test_the_product_page_shows_similar_products_once_embedded(client, make_product, encoder):
    product = make_product(NIGHTDRESS, title="Femella Women Blue Nightdress")
    make_product(JERSEY, title="Nike Sahara Team India Fanwear Round Neck Jersey")
    before = client.get(product.get_absolute_url()).content.decode()
    assert "Similar products" not in before
    embed_stale(encoder)
    after = client.get(product.get_absolute_url()).content.decode()
    similar = after.split("Similar products", 1)[1]
    assert "Nike Sahara Team India Fanwear Round Neck Jersey" in similar
    assert "Femella Women Blue Nightdress" not in similar


def test_a_corrected_query_says_so_and_links_to_the_words_as_typed(client, catalogue):
    page = client.get("/search/", {"q": "blue nightdres"}).content.decode()
    assert "Showing results for “<strong>blue nightdress</strong>”" in page
    assert result_titles(page)[0] == "Femella Women Blue Nightdress"
    assert 'href="?q=blue+nightdres&amp;exact=on"' in page
    exact = client.get("/search/", {"q": "blue nightdres", "exact": "on"}).content.decode()
    assert "Showing results for" not in exact
