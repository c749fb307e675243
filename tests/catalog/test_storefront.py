from decimal import Decimal

from django.urls import reverse

from catalog.models import Product


def test_home_lists_categories_and_newest_active_products(client, make_product):
    make_product("A", title="Red kurta", category_path="Apparel > Topwear")
    make_product("B", title="Secret draft", status=Product.Status.DRAFT)
    page = client.get(reverse("catalog:home")).content.decode()
    assert "Red kurta" in page and "Apparel" in page and "Topwear" in page
    assert "Secret draft" not in page


def test_category_page_includes_descendants_and_sorts_by_price(client, make_product):
    make_product("A", title="Cheap shirt", price=Decimal("5"), category_path="Apparel > Topwear")
    make_product("B", title="Dear jeans", price=Decimal("90"), category_path="Apparel > Bottomwear")
    make_product("C", title="Watch", category_path="Accessories")
    response = client.get(reverse("catalog:category", args=["apparel"]), {"sort": "-price"})
    page = response.content.decode()
    assert "Watch" not in page
    assert page.index("Dear jeans") < page.index("Cheap shirt")
    assert client.get(reverse("catalog:category", args=["nope"])).status_code == 404


def test_product_page_shows_photos_price_and_stock(client, make_product):
    product = make_product(title="Red kurta", price=Decimal("1234.5"), stock=3)
    page = client.get(product.get_absolute_url()).content.decode()
    assert "$1,234.50" in page and "In stock (3)" in page
    assert f'src="{product.images.get().image.url}"' in page and 'alt="Red kurta"' in page


def test_a_product_without_price_is_on_request(client, make_product):
    product = make_product(price=None)
    assert "Price on request" in client.get(product.get_absolute_url()).content.decode()


def test_a_draft_is_visible_to_its_merchant_only(client, make_product, merchant, other_merchant):
    draft = make_product(status=Product.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(other_merchant.user)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(merchant.user)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_login_and_logout(client, merchant):
    response = client.post(
        reverse("login"), {"login": "alice", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert "Log out alice" in client.get(reverse("catalog:home")).content.decode()
    client.post(reverse("logout"))
    assert "Log in" in client.get(reverse("catalog:home")).content.decode()


def test_a_wrong_password_does_not_log_in(client, merchant):
    response = client.post(reverse("login"), {"login": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
