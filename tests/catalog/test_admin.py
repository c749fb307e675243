"""The Django admin's product form: no lost updates there either."""

import pytest
from django.contrib.auth import get_user_model

from catalog import services
from catalog.models import Product


@pytest.fixture
def admin_client(client, db):
    staff = get_user_model().objects.create_superuser("root", "root@example.com", "a long secret")
    client.force_login(staff)
    return client


def change_form_data(product: Product, version: int, **changes) -> dict:
    """The admin change form's fields as the page showed them, with `changes`."""
    data = {
        "merchant": product.merchant_id,
        "sku": product.sku,
        "title": product.title,
        "description": product.description,
        "category": product.category_id or "",
        "price": product.price,
        "currency": product.currency,
        "stock": product.stock,
        "status": product.status,
        "expected_version": version,
    }
    # The photos' and the variants' inlines, unchanged.
    for inline in ("images", "variants"):
        data.update(
            {
                f"{inline}-TOTAL_FORMS": 0,
                f"{inline}-INITIAL_FORMS": 0,
                f"{inline}-MIN_NUM_FORMS": 0,
                f"{inline}-MAX_NUM_FORMS": 1000,
            }
        )
    return {**data, **changes}


def test_a_stale_admin_save_is_refused_and_a_fresh_one_applies(admin_client, make_product):
    product = make_product(photos=[], stock=5)
    url = f"/admin/catalog/product/{product.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    shown_version = page.context["adminform"].form.initial["expected_version"]
    assert shown_version == product.version

    # A sale (or the merchant's dashboard) changes the product while the admin page is open.
    services.set_stock(product, 2)
    stale = admin_client.post(url, change_form_data(product, shown_version, title="Renamed"))
    assert stale.status_code == 200
    assert "changed elsewhere since this page was opened" in stale.content.decode()
    product.refresh_from_db()
    assert (product.title, product.stock) == ("Red cotton kurta", 2)

    fresh = admin_client.post(
        url, change_form_data(product, product.version, title="Renamed", stock=2)
    )
    assert fresh.status_code == 302, fresh.content.decode()[:2000]
    product.refresh_from_db()
    assert (product.title, product.stock, product.version) == ("Renamed", 2, shown_version + 2)


def test_the_admin_shows_a_products_variants_and_keeps_their_stock(admin_client, make_product):
    from catalog.variants import VariantSpec

    product = make_product(photos=[], variants=[VariantSpec("TEE-M", {"size": "M"}, None, 3)])
    url = f"/admin/catalog/product/{product.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "TEE-M" in page and "size" in page
    # A save of the product's own fields keeps the stock its variants have.
    data = change_form_data(product, product.version, stock=50, title="Tee")
    assert admin_client.post(url, data).status_code == 302
    product.refresh_from_db()
    assert (product.title, product.stock) == ("Tee", 3)
