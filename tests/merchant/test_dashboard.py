"""The merchant dashboard: merchant A never sees or changes merchant B's products."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product
from search.models import ProductIndex
from search.training_progress import clear_training_progress, record_training_progress
from tests.conftest import jpeg_bytes


@pytest.fixture
def alice_client(client, merchant):
    client.force_login(merchant.user)
    return client


@pytest.fixture
def bobs_product(make_product, other_merchant):
    return make_product("BOB-1", owner=other_merchant, title="Bob's boots")


def product_form(**overrides) -> dict:
    data = {
        "sku": "NEW-1",
        "title": "Women Red Kurta",
        "description": "Cotton",
        "category_path": "Apparel > Topwear",
        "price": "24.99",
        "currency": "USD",
        "stock": "5",
        "status": "active",
    }
    return {**data, **overrides}


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(reverse("merchant:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_shopper_without_a_merchant_profile_gets_403(client, db):
    shopper = get_user_model().objects.create_user("shopper", password="pw-shopper-123")
    client.force_login(shopper)
    assert client.get(reverse("merchant:dashboard")).status_code == 403
    assert client.get(reverse("merchant:product_create")).status_code == 403


def test_the_list_shows_only_the_merchants_own_products(alice_client, make_product, bobs_product):
    make_product("ALICE-1", title="Alice's kurta")
    page = alice_client.get(reverse("merchant:dashboard")).content.decode()
    assert "Alice&#x27;s kurta" in page
    assert "Bob&#x27;s boots" not in page and "BOB-1" not in page


def test_the_list_shows_each_products_index_state_without_reading_its_vectors(
    alice_client, make_product
):
    indexed, broken = make_product("OK"), make_product("BROKEN")
    ProductIndex.objects.filter(product=indexed).update(dirty=False)
    ProductIndex.objects.filter(product=broken).update(dirty=False, error="photo 1: corrupt")
    with CaptureQueriesContext(connection) as queries:
        page = alice_client.get(reverse("merchant:dashboard")).content.decode()
    assert page.count("index-state index-indexed") == page.count("index-state index-error") == 1
    assert "photo 1: corrupt" in page
    assert not any("photo_features" in query["sql"] for query in queries.captured_queries)


@pytest.mark.parametrize("name", ["product_edit", "product_delete"])
def test_another_merchants_product_is_404_to_read(alice_client, bobs_product, name):
    assert alice_client.get(reverse(f"merchant:{name}", args=["BOB-1"])).status_code == 404


def test_another_merchants_product_is_404_to_change_or_delete(alice_client, bobs_product):
    edit = alice_client.post(
        reverse("merchant:product_edit", args=["BOB-1"]), product_form(sku="BOB-1")
    )
    delete = alice_client.post(reverse("merchant:product_delete", args=["BOB-1"]))
    assert (edit.status_code, delete.status_code) == (404, 404)
    bobs_product.refresh_from_db()
    assert bobs_product.title == "Bob's boots"


def test_another_merchants_photos_are_404(alice_client, bobs_product):
    image = bobs_product.images.get()
    for name in ("photo_delete", "photo_move"):
        url = reverse(f"merchant:{name}", args=["BOB-1", image.pk])
        assert alice_client.post(url, {"position": "0"}).status_code == 404
    assert bobs_product.images.count() == 1


def test_create_a_product_with_photos(alice_client, merchant):
    photos = [
        SimpleUploadedFile(f"p{i}.jpg", jpeg_bytes(color), "image/jpeg")
        for i, color in enumerate(["red", "blue"])
    ]
    response = alice_client.post(
        reverse("merchant:product_create"), {**product_form(), "photos": photos}
    )
    assert response.status_code == 302
    product = Product.objects.get(merchant=merchant, sku="NEW-1")
    assert (product.price, product.category.full_name, product.images.count()) == (
        Decimal("24.99"),
        "Apparel > Topwear",
        2,
    )
    assert ProductIndex.objects.get(product=product).dirty


def test_a_bad_photo_rejects_the_whole_product(alice_client, merchant):
    bad = SimpleUploadedFile("photo.jpg", b"not an image", "image/jpeg")
    good = SimpleUploadedFile("good.jpg", jpeg_bytes(), "image/jpeg")
    response = alice_client.post(
        reverse("merchant:product_create"), {**product_form(), "photos": [good, bad]}
    )
    assert response.status_code == 200
    assert "photo.jpg: The file is not an image" in response.content.decode()
    assert not Product.objects.exists()


def test_a_duplicate_sku_is_a_form_error(alice_client, make_product):
    make_product("NEW-1")
    response = alice_client.post(reverse("merchant:product_create"), product_form())
    assert "You already have a product with this SKU." in response.content.decode()


def test_edit_add_photo_move_and_delete(alice_client, make_product):
    product = make_product("ALICE-1")
    url = reverse("merchant:product_edit", args=["ALICE-1"])
    upload = SimpleUploadedFile("extra.png", jpeg_bytes("green"), "image/jpeg")
    response = alice_client.post(
        url,
        {
            **product_form(sku="ALICE-1", title="Renamed"),
            "version": product.version,
            "photos": upload,
        },
    )
    assert response.status_code == 302
    product.refresh_from_db()
    first, second = product.images.all()
    assert product.title == "Renamed"

    alice_client.post(
        reverse("merchant:photo_move", args=["ALICE-1", second.pk]), {"position": "0"}
    )
    assert list(product.images.all()) == [second, first]
    alice_client.post(reverse("merchant:photo_delete", args=["ALICE-1", first.pk]))
    assert list(product.images.all()) == [second]


def test_delete_a_product(alice_client, make_product):
    make_product("ALICE-1")
    response = alice_client.post(reverse("merchant:product_delete", args=["ALICE-1"]))
    assert response.status_code == 302
    assert not Product.objects.filter(sku="ALICE-1").exists()


def test_forms_are_csrf_protected(merchant):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(merchant.user)
    assert client.post(reverse("merchant:product_create"), product_form()).status_code == 403
    assert not Product.objects.exists()


def test_a_quick_stock_edit_from_the_list(alice_client, make_product):
    product = make_product("ALICE-1", title="Alice's kurta", stock=2)
    page = alice_client.get(reverse("merchant:dashboard")).content.decode()
    assert f'<label class="visually-hidden" for="stock-{product.pk}">' in page
    url = reverse("merchant:stock_update", args=["ALICE-1"])
    response = alice_client.post(
        url, {"stock": "40", "page": "1", "version": product.version}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("merchant:dashboard") + "?page=1"
    assert "stock set to 40" in response.content.decode()
    response = alice_client.post(url, {"stock": "-3", "version": product.version}, follow=True)
    assert "stock must be a whole number" in response.content.decode()
    product.refresh_from_db()
    assert product.stock == 40


def test_another_merchants_stock_is_404(alice_client, bobs_product):
    url = reverse("merchant:stock_update", args=["BOB-1"])
    assert alice_client.post(url, {"stock": "99", "version": "1"}).status_code == 404
    bobs_product.refresh_from_db()
    assert bobs_product.stock == 0


def test_a_new_product_starts_in_the_stores_currency(alice_client, settings):
    settings.VITRINE_DEFAULT_CURRENCY = "EUR"
    page = alice_client.get(reverse("merchant:product_create")).content.decode()
    assert '<option value="EUR" selected>' in page


def test_a_stale_product_form_is_refused_with_what_changed_and_loses_nothing(
    alice_client, make_product, make_shopper
):
    from tests.shop.conftest import checkout

    product = make_product("ALICE-1", stock=5)
    url = reverse("merchant:product_edit", args=["ALICE-1"])
    page = alice_client.get(url).content.decode()
    assert f'name="version" value="{product.version}"' in page
    checkout(make_shopper(), (product, 1))  # a sale while the merchant edits

    stale = {**product_form(sku="ALICE-1", title="Renamed"), "version": product.version}
    response = alice_client.post(url, stale)
    page = response.content.decode()
    assert response.status_code == 200
    assert "changed elsewhere while you edited it. Nothing was saved" in page
    assert "it now has: title “Red cotton kurta”, description “”" in page
    assert "stock “4”" in page
    assert 'value="Renamed"' in page  # the merchant's entries are kept
    current = Product.objects.get(pk=product.pk)
    assert (current.title, current.stock) == ("Red cotton kurta", 4)
    assert f'name="version" value="{current.version}"' in page

    # Saved again from the refused form, knowingly (here keeping the sale: stock 4).
    response = alice_client.post(url, {**stale, "stock": "4", "version": current.version})
    assert response.status_code == 302
    current.refresh_from_db()
    assert (current.title, current.stock) == ("Renamed", 4)


def test_a_stale_quick_stock_count_is_refused(alice_client, make_product):
    product = make_product("ALICE-1", title="Alice's kurta", stock=5)
    url = reverse("merchant:stock_update", args=["ALICE-1"])
    Product.objects.filter(pk=product.pk).update(stock=4, version=product.version + 1)
    response = alice_client.post(url, {"stock": "9", "version": product.version}, follow=True)
    assert "changed while the page was open (stock is now 4)" in response.content.decode()
    product.refresh_from_db()
    assert product.stock == 4


def test_the_dashboard_shows_a_search_training_under_way(alice_client):
    dashboard = reverse("merchant:dashboard")
    assert "Search is learning" not in alice_client.get(dashboard).content.decode()
    record_training_progress("match head", 0.571)
    try:
        page = alice_client.get(dashboard).content.decode()
    finally:
        clear_training_progress()
    assert "Search is learning the catalogue: match head, 57%" in page
    assert 'max="100" value="57"' in page
    assert "Search is learning" not in alice_client.get(dashboard).content.decode()
