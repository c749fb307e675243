"""The wishlist of signed-in shoppers: the services, the save buttons and page, and the API."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from catalog import services as catalog_services
from catalog.models import Product
from shop.models import WishlistItem
from shop.selectors import wishlist_items
from shop.services.wishlist import remove_from_wishlist, save_to_wishlist
from tests.api_helpers import assert_error, limit_rates

API = "/api/v1/wishlist/"


def save(api: APIClient, product_id: object):
    return api.post(API, {"product": product_id}, format="json")


def saved_titles(user) -> list[str]:
    return [item.product.title for item in wishlist_items(user)]


@pytest.fixture
def shopper_client(client, shopper):
    client.force_login(shopper)
    return client


# Services and selectors


def test_saving_twice_keeps_one_item_and_removing_takes_it_off(shopper, make_product):
    scarf = make_product("A", title="Silk scarf")
    assert save_to_wishlist(shopper, scarf) is True
    assert save_to_wishlist(shopper, scarf) is False
    assert WishlistItem.objects.filter(user=shopper).count() == 1
    assert remove_from_wishlist(shopper, scarf.pk) is True
    assert remove_from_wishlist(shopper, scarf.pk) is False
    assert saved_titles(shopper) == []


def test_the_last_saved_comes_first_and_one_shopper_never_sees_another_s(
    shopper, make_shopper, make_product
):
    scarf, lamp = make_product("A", title="Silk scarf"), make_product("B", title="Lamp")
    other = make_shopper("kim")
    save_to_wishlist(shopper, scarf)
    save_to_wishlist(shopper, lamp)
    save_to_wishlist(other, scarf)
    assert saved_titles(shopper) == ["Lamp", "Silk scarf"]
    assert saved_titles(other) == ["Silk scarf"]
    assert remove_from_wishlist(other, lamp.pk) is False  # not on kim's: shopper's stays
    assert saved_titles(shopper) == ["Lamp", "Silk scarf"]


def test_a_product_taken_off_sale_drops_out_and_a_deleted_one_goes(shopper, make_product):
    scarf, lamp = make_product("A", title="Silk scarf"), make_product("B", title="Lamp")
    save_to_wishlist(shopper, scarf)
    save_to_wishlist(shopper, lamp)
    scarf.status = Product.Status.DRAFT
    catalog_services.save_product(scarf)
    catalog_services.delete_product(lamp)
    assert saved_titles(shopper) == []
    scarf.status = Product.Status.ACTIVE
    catalog_services.save_product(scarf)
    assert saved_titles(shopper) == ["Silk scarf"]


def test_a_draft_cannot_be_saved_and_a_full_wishlist_takes_no_more(shopper, make_product, settings):
    draft = make_product("D", title="Unreleased", status=Product.Status.DRAFT)
    with pytest.raises(Exception, match="Unreleased is not for sale"):
        save_to_wishlist(shopper, draft)
    settings.VITRINE_MAX_WISHLIST_ITEMS = 1
    save_to_wishlist(shopper, make_product("A"))
    with pytest.raises(Exception, match="as many as it can"):
        save_to_wishlist(shopper, make_product("B"))


# Pages


def test_signed_in_shoppers_get_a_save_button_on_product_pages_and_cards(
    shopper_client, make_product
):
    product = make_product(title="Silk scarf")
    page = shopper_client.get(product.get_absolute_url()).content.decode()
    assert f'action="{reverse("shop:wishlist_add")}"' in page
    assert f'name="product" value="{product.pk}"' in page
    assert f'href="{reverse("shop:wishlist")}">Wishlist</a>' in page  # the header's link
    home = shopper_client.get(reverse("catalog:home")).content.decode()
    assert f'name="product" value="{product.pk}"' in home


def test_saving_from_a_product_page_comes_back_to_it_and_shows_saved(
    shopper_client, shopper, make_product
):
    product = make_product(title="Silk scarf")
    url = product.get_absolute_url()
    response = shopper_client.post(
        reverse("shop:wishlist_add"), {"product": product.pk, "next": url}
    )
    assert response.status_code == 302 and response["Location"] == url
    page = shopper_client.get(url).content.decode()
    assert "Saved Silk scarf to your wishlist." in page
    assert f'action="{reverse("shop:wishlist_remove", args=[product.pk])}"' in page
    assert 'aria-pressed="true"' in page
    assert saved_titles(shopper) == ["Silk scarf"]


def test_the_wishlist_page_lists_saved_products_with_add_to_cart_and_remove(
    shopper_client, shopper, make_product
):
    scarf = make_product("A", title="Silk scarf", price=Decimal("1200"), currency="JPY", stock=3)
    make_product("B", title="Unsaved lamp")
    save_to_wishlist(shopper, scarf)
    page = shopper_client.get(reverse("shop:wishlist")).content.decode()
    assert "Silk scarf" in page and "¥1,200" in page and "Unsaved lamp" not in page
    assert f'action="{reverse("shop:cart_add")}"' in page
    remove = reverse("shop:wishlist_remove", args=[scarf.pk])
    response = shopper_client.post(remove, {"next": reverse("shop:wishlist")})
    assert response["Location"] == reverse("shop:wishlist")
    page = shopper_client.get(reverse("shop:wishlist")).content.decode()
    assert "Removed from your wishlist." in page and "Nothing saved yet" in page


def test_anonymous_visitors_are_sent_to_log_in_and_back(client, make_product):
    product = make_product(title="Silk scarf")
    url = product.get_absolute_url()
    page = client.get(url).content.decode()
    login = f"{reverse('login')}?next={url}"
    assert f'class="save-button" href="{login}"' in page
    assert f'action="{reverse("shop:wishlist_add")}"' not in page
    response = client.post(reverse("shop:wishlist_add"), {"product": product.pk, "next": url})
    assert response.status_code == 302 and response["Location"] == login
    listing = client.get(reverse("shop:wishlist"))
    assert listing["Location"] == f"{reverse('login')}?next={reverse('shop:wishlist')}"
    assert not WishlistItem.objects.exists()


def test_the_save_buttons_are_csrf_protected(shopper, make_product):
    client = Client(enforce_csrf_checks=True)
    client.force_login(shopper)
    response = client.post(reverse("shop:wishlist_add"), {"product": make_product().pk})
    assert response.status_code == 403 and not WishlistItem.objects.exists()


def test_a_grid_reads_the_saved_products_once_however_many_cards(
    shopper_client, shopper, make_product
):
    def queries_of_home() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert shopper_client.get(reverse("catalog:home")).status_code == 200
        return len(queries)

    save_to_wishlist(shopper, make_product("A"))
    one_card = queries_of_home()
    for sku in ("B", "C", "D", "E"):
        save_to_wishlist(shopper, make_product(sku))
    assert queries_of_home() == one_card


def test_saves_are_rate_limited_per_account(shopper_client, make_product, settings):
    limit_rates(settings, wishlist="2/min")
    product = make_product()
    for _ in range(2):
        response = shopper_client.post(reverse("shop:wishlist_add"), {"product": product.pk})
        assert response.status_code == 302
    response = shopper_client.post(reverse("shop:wishlist_add"), {"product": product.pk})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert shopper_client.get(reverse("shop:wishlist")).status_code == 200  # reads are free
    assert assert_error(shopper_client.delete(f"{API}{product.pk}/"), 429, "throttled")


# API


def test_the_api_round_trip(shopper_api, shopper, make_product):
    scarf = make_product("A", title="Silk scarf")
    created = save(shopper_api, scarf.pk)
    assert created.status_code == 201, created.content
    assert created.json()["product"]["id"] == scarf.pk and created.json()["added_at"]
    again = save(shopper_api, scarf.pk)
    assert again.status_code == 200 and again.json() == created.json()
    listing = shopper_api.get(API).json()
    assert [item["product"]["title"] for item in listing["results"]] == ["Silk scarf"]
    assert shopper_api.delete(f"{API}{scarf.pk}/").status_code == 204
    assert_error(shopper_api.delete(f"{API}{scarf.pk}/"), 404, "not_found")
    assert_error(shopper_api.delete(f"{API}{2**70}/"), 404, "not_found")  # past any id
    assert shopper_api.get(API).json()["results"] == []


def test_the_api_refuses_anonymous_clients_unknown_products_and_missing_csrf(
    db, shopper, make_product
):
    product = make_product()
    anonymous = APIClient(enforce_csrf_checks=True)
    assert_error(anonymous.get(API), 401, "not_authenticated")
    assert_error(
        anonymous.post(API, {"product": product.pk}, format="json"), 401, "not_authenticated"
    )
    assert_error(anonymous.delete(f"{API}{product.pk}/"), 401, "not_authenticated")
    no_csrf = APIClient(enforce_csrf_checks=True)
    no_csrf.force_login(shopper)
    assert_error(
        no_csrf.post(API, {"product": product.pk}, format="json"), 403, "permission_denied"
    )
    assert not WishlistItem.objects.exists()


def test_the_api_answers_404_for_a_product_not_on_sale_and_400_for_a_bad_id(
    shopper_api, make_product
):
    draft = make_product(status=Product.Status.DRAFT)
    assert_error(
        shopper_api.post(API, {"product": draft.pk}, format="json"), 404, "unknown_product"
    )
    assert_error(
        shopper_api.post(API, {"product": "x"}, format="json"), 400, "invalid", {"product"}
    )
    assert not WishlistItem.objects.exists()


def test_the_api_lists_only_the_shopper_s_own(shopper_api, make_shopper, make_product):
    scarf = make_product("A", title="Silk scarf")
    save_to_wishlist(make_shopper("kim"), scarf)
    assert shopper_api.get(API).json()["results"] == []
    assert_error(shopper_api.delete(f"{API}{scarf.pk}/"), 404, "not_found")
    assert WishlistItem.objects.count() == 1
