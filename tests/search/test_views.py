"""The search page, the click log and "similar products", through the real service and models."""

import re

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile

from search.indexing import embed_stale
from search.result_tokens import SALT, ShownResults
from tests.conftest import DATASET_IMAGES, JERSEY, NIGHTDRESS, SHIRT, jpeg_bytes


@pytest.fixture
def catalogue(three_products):
    return three_products


def result_titles(page: str) -> list[str]:
    results = page.split("data-search-results", 1)[-1]
    return re.findall(r'<span class="card-title">([^<]+)</span>', results)


def upload(content: bytes, name: str = "query.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def shown_by(page: str) -> ShownResults:
    """What the page's signed token says it showed (search.result_tokens)."""
    token = re.search(r'data-token="([^"]+)"', page).group(1)
    query_text, had_photo, product_ids, offset, _ = signing.loads(token, salt=SALT)
    return ShownResults(query_text, had_photo, tuple(product_ids), offset, "")


def test_a_text_search_lists_the_match_first_with_why_it_matched(client, catalogue):
    response = client.get("/search/", {"q": "blue nightdress"})
    page = response.content.decode()
    assert response.status_code == 200
    assert result_titles(page)[0] == "Femella Women Blue Nightdress"
    first_card = page.split("data-search-results", 1)[1].split("</li>", 1)[0]
    assert "matched: text · photo · keywords" in first_card
    assert f'data-product="{catalogue[NIGHTDRESS].pk}"' in first_card
    shown = shown_by(page)
    assert (shown.query_text, shown.had_photo, shown.offset) == ("blue nightdress", False, 0)
    assert shown.product_ids[0] == catalogue[NIGHTDRESS].pk


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
    assert shown_by(page).had_photo


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
    assert len(result_titles(second)) == 6 and shown_by(second).offset == 24
    beyond = client.get("/search/", {"q": "kurta", "page": "9"}).content.decode()
    assert "Page 2 of 2" in beyond


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
