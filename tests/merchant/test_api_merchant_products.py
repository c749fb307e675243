"""The merchant product API: a merchant's own products only, with the dashboard's rules."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog import services
from catalog.models import Category, Product
from search.models import ProductIndex
from tests.api_helpers import assert_error, token_client, upload
from tests.conftest import jpeg_bytes

LIST = "/api/v1/merchant/products/"


def detail(sku: str) -> str:
    return f"{LIST}{sku}/"


@pytest.fixture
def api(merchant) -> APIClient:
    return token_client(merchant)


@pytest.fixture
def bob_api(other_merchant) -> APIClient:
    return token_client(other_merchant)


def test_anonymous_requests_answer_401_and_change_nothing(db, make_product):
    make_product("KURTA")
    anonymous = APIClient(enforce_csrf_checks=True)
    for response in (
        anonymous.get(LIST),
        anonymous.post(LIST, {"sku": "NEW", "title": "New"}, format="json"),
        anonymous.patch(detail("KURTA"), {"title": "Hacked"}, format="json"),
        anonymous.delete(detail("KURTA")),
    ):
        assert_error(response, 401, "not_authenticated")
        assert response["WWW-Authenticate"] == "Token"
    assert Product.objects.get(sku="KURTA").title == "Red cotton kurta"
    assert not Product.objects.filter(sku="NEW").exists()


def test_a_wrong_token_answers_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert_error(client.get(LIST), 401, "authentication_failed")


def test_an_account_without_merchant_profile_answers_403(db, django_user_model):
    user = django_user_model.objects.create_user("shopper", password="long enough pass")
    client = APIClient()
    client.force_authenticate(user)
    assert_error(client.get(LIST), 403, "permission_denied")


def test_a_merchant_lists_only_their_products_by_sku(api, make_product, other_merchant):
    for sku in ("B-2", "A-1", "C-3"):
        make_product(sku)
    make_product("BOBS", owner=other_merchant)
    body = api.get(LIST).json()
    assert [item["sku"] for item in body["results"]] == ["A-1", "B-2", "C-3"]
    first = body["results"][0]
    assert first["category"] == "Apparel > Topwear" and first["price"] == "19.99"
    assert first["index"] == {"state": "pending", "error": "", "indexed_at": None}
    assert first["images"][0]["url"].startswith("http://testserver/media/products/")
    page = api.get(LIST, {"page_size": 2}).json()
    assert [item["sku"] for item in page["results"]] == ["A-1", "B-2"]
    rest = api.get(page["next"]).json()
    assert [item["sku"] for item in rest["results"]] == ["C-3"] and rest["next"] is None


def test_the_list_makes_a_fixed_number_of_queries(api, make_product):
    make_product("A-1")
    api.get(LIST)
    with CaptureQueriesContext(connection) as few:
        api.get(LIST)
    for sku in ("B-2", "C-3", "D-4", "E-5"):
        make_product(sku)
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(LIST).json()["results"]) == 5
    assert len(many) == len(few)


def test_the_list_filters_by_status(api, make_product):
    make_product("LIVE")
    make_product("DRAFT", status=Product.Status.DRAFT)
    assert [p["sku"] for p in api.get(LIST, {"status": "draft"}).json()["results"]] == ["DRAFT"]
    assert_error(api.get(LIST, {"status": "gone"}), 400, "invalid", {"status"})


def test_the_index_state_says_indexed_or_why_not(api, make_product):
    indexed, broken = make_product("OK"), make_product("BROKEN")
    ProductIndex.objects.filter(product=indexed).update(dirty=False)
    ProductIndex.objects.filter(product=broken).update(dirty=False, error="photo 1: corrupt")
    with CaptureQueriesContext(connection) as queries:
        states = {p["sku"]: p["index"] for p in api.get(LIST).json()["results"]}
    assert states["OK"]["state"] == "indexed"
    # The state is read without the row's payload: its 1280-d image vector, say.
    assert not any("photo_features" in query["sql"] for query in queries.captured_queries)
    assert states["BROKEN"] == {"state": "error", "error": "photo 1: corrupt", "indexed_at": None}


def test_create_with_json_then_read_it_back(api, merchant):
    response = api.post(
        LIST,
        {
            "sku": "TEE-1",
            "title": "Plain white tee",
            "description": "Cotton.",
            "category": "Apparel > Topwear > Tshirts",
            "price": "12.50",
            "stock": 4,
            "status": "active",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    product = Product.objects.get(merchant=merchant, sku="TEE-1")
    assert body["id"] == product.pk and body["currency"] == "USD"
    assert body["url"] == f"http://testserver{product.get_absolute_url()}"
    assert product.category.full_name == "Apparel > Topwear > Tshirts"
    assert product.price == Decimal("12.50") and product.images.count() == 0
    assert body["index"]["state"] == "pending"  # flagged in the same transaction
    assert api.get(detail("TEE-1")).json() == body


def test_create_with_photos_in_one_multipart_request(api, merchant):
    data = {
        "sku": "KURTA",
        "title": "Red kurta",
        "photos": [upload(jpeg_bytes("red")), upload(jpeg_bytes("blue"), "b.png")],
    }
    response = api.post(LIST, data, format="multipart")
    assert response.status_code == 201, response.json()
    images = response.json()["images"]
    assert [image["position"] for image in images] == [0, 1]
    assert (images[0]["width"], images[0]["height"]) == (60, 80)
    assert Product.objects.get(sku="KURTA").images.count() == 2


def test_a_bad_photo_rejects_the_whole_create(api, settings):
    data = {"sku": "KURTA", "title": "Red kurta", "photos": [upload(b"not an image", "x.jpg")]}
    error = assert_error(api.post(LIST, data, format="multipart"), 400, "not_an_image", {"photos"})
    assert "x.jpg: The file is not an image" in error["fields"]["photos"][0]
    assert not Product.objects.filter(sku="KURTA").exists()


@pytest.mark.parametrize(
    ("data", "code", "fields"),
    [
        ({"title": "No sku"}, "required", {"sku"}),
        ({"sku": "bad sku!", "title": "T"}, "bad_sku", {"sku"}),
        ({"sku": "OK", "title": ""}, "blank", {"title"}),
        ({"sku": "OK", "title": "T", "price": "-1"}, "min_value", {"price"}),
        ({"sku": "OK", "title": "T", "price": "1.234"}, "max_decimal_places", {"price"}),
        ({"sku": "OK", "title": "T", "currency": "XXY"}, "bad_currency", {"currency"}),
        ({"sku": "OK", "title": "T", "stock": -2}, "min_value", {"stock"}),
        ({"sku": "OK", "title": "T", "status": "sold"}, "invalid_choice", {"status"}),
        ({"sku": "OK", "title": "T", "prize": "10"}, "unknown_field", {"prize"}),
        ({"sku": "OK", "title": "T", "category": "Apparel > !!!"}, "bad_category", None),
    ],
)
def test_invalid_fields_answer_400_and_save_nothing(api, data, code, fields):
    assert_error(api.post(LIST, data, format="json"), 400, code, fields)
    assert not Product.objects.exists()
    assert not Category.objects.filter(name="Apparel").exists()


def test_a_taken_sku_is_a_conflict(api, make_product):
    make_product("KURTA")
    response = api.post(LIST, {"sku": "KURTA", "title": "Again"}, format="json")
    assert_error(response, 409, "taken")


def test_the_same_sku_is_free_for_another_merchant(bob_api, make_product):
    make_product("KURTA")
    assert bob_api.post(LIST, {"sku": "KURTA", "title": "Bob's"}, format="json").status_code == 201


def test_patch_changes_only_the_fields_given(api, make_product):
    product = make_product("KURTA", description="Soft cotton.")
    response = api.patch(detail("KURTA"), {"price": "9.99", "category": ""}, format="json")
    assert response.status_code == 200, response.json()
    product.refresh_from_db()
    assert product.price == Decimal("9.99") and product.category is None
    assert product.title == "Red cotton kurta" and product.description == "Soft cotton."


def test_put_can_rename_the_sku_and_adds_photos(api, make_product):
    make_product("OLD")
    data = {"sku": "NEW", "title": "Renamed", "photos": [upload(jpeg_bytes("green"))]}
    response = api.put(detail("OLD"), data, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["sku"] == "NEW" and len(response.json()["images"]) == 2
    assert api.get(detail("OLD")).status_code == 404


def test_delete_removes_the_product(api, make_product):
    make_product("KURTA")
    assert api.delete(detail("KURTA")).status_code == 204
    assert not Product.objects.filter(sku="KURTA").exists()
    assert_error(api.delete(detail("KURTA")), 404, "not_found")


def test_another_merchants_product_is_not_found(bob_api, make_product):
    product = make_product("KURTA")
    assert_error(bob_api.get(detail("KURTA")), 404, "not_found")
    assert_error(bob_api.patch(detail("KURTA"), {"title": "Mine"}, format="json"), 404, "not_found")
    assert_error(bob_api.put(detail("KURTA"), {"sku": "K", "title": "M"}), 404, "not_found")
    assert_error(bob_api.delete(detail("KURTA")), 404, "not_found")
    assert bob_api.get(LIST).json()["results"] == []
    product.refresh_from_db()
    assert product.title == "Red cotton kurta"


def test_session_writes_need_the_csrf_token(merchant, make_product):
    make_product("KURTA")
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(merchant.user)
    assert browser.get(LIST).status_code == 200
    error = assert_error(browser.delete(detail("KURTA")), 403, "permission_denied")
    assert "CSRF" in error["message"]
    assert Product.objects.filter(sku="KURTA").exists()


def test_a_write_in_the_dashboard_shows_in_the_api(api, merchant):
    services.save_product(Product(merchant=merchant, sku="DASH", title="From the dashboard"))
    assert api.get(detail("DASH")).json()["title"] == "From the dashboard"


def test_a_category_name_over_its_length_answers_400_not_500(api):
    data = {"sku": "LONG", "title": "Kurta", "category": "c" * 150}
    error = assert_error(api.post(LIST, data, format="json"), 400, "bad_category")
    assert "longer than 100 characters" in error["message"]
    assert not Category.objects.exists()


def test_a_write_with_a_stale_version_answers_409_and_changes_nothing(
    api, make_product, make_shopper
):
    from tests.shop.conftest import checkout

    make_product("KURTA", stock=5)
    read = api.get(detail("KURTA")).json()
    checkout(make_shopper(), (Product.objects.get(sku="KURTA"), 1))  # a sale meanwhile
    stale = {**read, "title": "Renamed", "stock": 10}
    for response in (
        api.put(detail("KURTA"), stale, format="json"),
        api.patch(detail("KURTA"), {"stock": 10, "version": read["version"]}, format="json"),
    ):
        assert_error(response, 409, "conflict")
    assert (Product.objects.get(sku="KURTA").title, Product.objects.get(sku="KURTA").stock) == (
        "Red cotton kurta",
        4,
    )

    fresh = api.get(detail("KURTA")).json()
    assert fresh["version"] > read["version"]
    response = api.patch(detail("KURTA"), {"stock": 10, "version": fresh["version"]}, "json")
    assert response.status_code == 200 and response.json()["version"] == fresh["version"] + 1


def test_a_bulk_item_with_a_stale_version_is_rejected(api, make_product):
    product = make_product("KURTA", stock=5)
    items = [
        {"sku": "KURTA", "stock": 9, "version": product.version + 1},
        {"sku": "NEW", "title": "New", "version": 1},
    ]
    results = api.post("/api/v1/merchant/bulk/products/", {"products": items}, format="json")
    assert [(item["status"], item["error"]["code"]) for item in results.json()["results"]] == [
        ("rejected", "conflict"),
        ("rejected", "conflict"),
    ]
    assert Product.objects.get(pk=product.pk).stock == 5 and Product.objects.count() == 1
