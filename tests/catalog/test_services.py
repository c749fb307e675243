from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from PIL import Image

from catalog import services
from catalog.images import check_image
from catalog.models import Category, Product, ProductImage
from catalog.signals import products_changed
from search.models import ProductIndex
from tests.conftest import jpeg_bytes, photo


@pytest.fixture
def announced():
    """The product ids each products_changed announcement carried."""
    received: list[list[int]] = []

    def receiver(sender, product_ids, **kwargs):
        received.append(list(product_ids))

    products_changed.connect(receiver)
    yield received
    products_changed.disconnect(receiver)


def test_create_merchant_makes_a_user_that_can_log_in(db):
    merchant = services.create_merchant("carol", "correct-horse-battery", name="Carol Co")
    assert merchant.name == "Carol Co"
    assert merchant.user.check_password("correct-horse-battery")


def test_create_merchant_refuses_a_taken_username(merchant):
    with pytest.raises(ValidationError):
        services.create_merchant("alice", "another-password-1")


def test_house_merchant_cannot_log_in_and_is_reused(db):
    house = services.house_merchant()
    assert not house.user.has_usable_password()
    assert services.house_merchant() == house


def test_category_from_path_builds_the_tree_and_matches_names_loosely(db):
    topwear = services.category_from_path("Apparel > Topwear")
    assert (topwear.path, topwear.full_name, topwear.parent.name) == (
        "apparel/topwear",
        "Apparel > Topwear",
        "Apparel",
    )
    assert services.category_from_path(" apparel >  TOPWEAR ") == topwear
    assert Category.objects.count() == 2
    assert services.category_from_path("") is None


def test_category_from_path_refuses_a_name_without_letters(db):
    with pytest.raises(ValidationError):
        services.category_from_path("Apparel > !!!")


def test_subtree_and_ancestors(db):
    shirts = services.category_from_path("Apparel > Topwear > Shirts")
    services.category_from_path("Apparel > Bottomwear")
    apparel = Category.objects.get(path="apparel")
    assert {c.full_name for c in apparel.subtree()} == {
        "Apparel",
        "Apparel > Topwear",
        "Apparel > Topwear > Shirts",
        "Apparel > Bottomwear",
    }
    assert [c.name for c in shirts.ancestors()] == ["Apparel", "Topwear"]


def test_renaming_a_category_rederives_the_subtree_and_restales_its_products(make_product):
    product = make_product(category_path="Apparel > Topwear > Shirts")
    ProductIndex.objects.update(dirty=False)
    apparel = Category.objects.get(path="apparel")
    apparel.name = "Clothing"
    services.save_category(apparel)
    assert Category.objects.get(name="Shirts").full_name == "Clothing > Topwear > Shirts"
    assert Category.objects.get(name="Shirts").path == "clothing/topwear/shirts"
    assert ProductIndex.objects.get(product=product).dirty


def test_save_product_writes_product_photos_and_announces_it(merchant, announced):
    product = services.save_product(
        Product(merchant=merchant, sku="A-1", title="Blue jeans", price=Decimal("40")),
        photos=[photo("blue"), photo("navy")],
        category_path="Apparel > Bottomwear",
    )
    assert product.currency == "USD"
    assert [image.position for image in product.images.all()] == [0, 1]
    assert announced == [[product.pk]]


def test_save_product_validates_fields(merchant):
    with pytest.raises(ValidationError) as error:
        services.save_product(Product(merchant=merchant, sku="bad sku", title="x", currency="ABC"))
    assert {"sku", "currency"} <= set(error.value.message_dict)
    assert not Product.objects.exists()


def test_the_database_refuses_a_second_product_with_the_same_sku(make_product):
    make_product("DUP")
    with pytest.raises(IntegrityError):
        make_product("DUP")


def test_the_same_sku_may_belong_to_two_merchants(make_product, other_merchant):
    make_product("SAME")
    make_product("SAME", owner=other_merchant)
    assert Product.objects.filter(sku="SAME").count() == 2


def test_a_failed_save_leaves_no_photo_file_behind(merchant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = Product(merchant=merchant, sku="P1", title="t" * 201)  # too long a title
    with pytest.raises(ValidationError):
        services.save_product(product, photos=[photo()])
    assert not list(tmp_path.rglob("*.jpg"))


def test_photos_can_be_moved_and_deleted(
    make_product, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    product = make_product(photos=[photo("red"), photo("green"), photo("blue")])
    red, green, blue = product.images.all()
    services.move_product_image(blue, 0)
    assert list(product.images.all()) == [blue, red, green]
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_product_image(red)
    assert [(image, image.position) for image in product.images.all()] == [(blue, 0), (green, 1)]
    assert not (tmp_path / red.image.name).exists()
    assert not (tmp_path / red.thumbnail.name).exists()


def test_each_photo_gets_a_small_jpeg_thumbnail_beside_it(merchant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    large = check_image(jpeg_bytes("navy", size=(1600, 2000)))
    product = services.save_product(
        Product(merchant=merchant, sku="BIG", title="Big photo"), photos=[large]
    )
    image = product.images.get()
    original, thumbnail = tmp_path / image.image.name, tmp_path / image.thumbnail.name
    assert thumbnail.parent == original.parent and thumbnail.name.endswith(".thumb.jpg")
    with Image.open(thumbnail) as picture:
        assert picture.format == "JPEG" and picture.size == (384, 480)
    assert thumbnail.stat().st_size < original.stat().st_size
    assert image.thumbnail_url == image.thumbnail.url


def test_upsert_product_reports_created_updated_unchanged(merchant, announced):
    fields = {"title": "Red kurta", "status": Product.Status.ACTIVE}
    outcome = services.upsert_product(merchant, "U1", fields, imported_photo=photo("red"))
    assert outcome == services.UpsertOutcome.CREATED
    assert (
        services.upsert_product(merchant, "U1", fields, imported_photo=photo("red")) == "unchanged"
    )
    outcome = services.upsert_product(merchant, "U1", fields, imported_photo=photo("blue"))
    assert outcome == services.UpsertOutcome.UPDATED
    assert ProductImage.objects.get().sha256 == photo("blue").sha256
    assert len(announced) == 2


def test_deleting_a_product_removes_its_index_row_and_files(
    make_product, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    product = make_product()
    file_names = product.images.get().file_names
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_product(product)
    assert not ProductIndex.objects.exists()
    assert len(file_names) == 2
    assert not any((tmp_path / name).exists() for name in file_names)


def test_set_stock_changes_only_the_stock_and_refuses_a_negative_count(make_product):
    product = make_product(stock=3)
    assert services.set_stock(product, 12).stock == 12
    product.refresh_from_db()
    assert (product.stock, product.title) == (12, "Red cotton kurta")
    with pytest.raises(ValidationError):
        services.set_stock(product, -1)
    product.refresh_from_db()
    assert product.stock == 12


def test_an_update_writes_only_its_fields_and_a_stale_version_is_refused(make_product):
    product = make_product(stock=5)
    read_version = product.version
    Product.objects.filter(pk=product.pk).update(stock=4)  # a sale after `product` was read
    product.title = "Renamed"
    services.save_product(product, fields=["title"])
    current = Product.objects.get(pk=product.pk)
    assert (current.title, current.stock, current.version) == ("Renamed", 4, read_version + 1)

    current.title = "Stale rename"
    with pytest.raises(services.ProductConflict) as refused:
        services.save_product(current, expected_version=read_version)
    assert refused.value.code == "conflict" and refused.value.current.version == read_version + 1
    assert Product.objects.get(pk=product.pk).title == "Renamed"
    with pytest.raises(services.ProductConflict):
        services.set_stock(current, 9, expected_version=read_version)
    assert services.set_stock(current, 9, expected_version=read_version + 1).stock == 9
