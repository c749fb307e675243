"""Operations that change the catalogue. Views, the admin, the API and commands call these.

Each runs in one transaction and announces the products it touched (catalog.signals), so the
search index is marked stale in the same commit.
"""

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from catalog.images import CheckedImage
from catalog.models import CATEGORY_SEPARATOR, Category, Merchant, Product, ProductImage
from catalog.photo_files import (
    add_photos,
    delete_files,
    locked_images,
    photo_transaction,
    save_positions,
    store_imported_photo,
)
from catalog.signals import products_changed
from catalog.variants import VariantSpec, normalise_options, sync_stock, write_variants

# The products changed inside announced_together(), to announce at its end.
_changed_together: ContextVar[set[int] | None] = ContextVar("changed_together", default=None)


def announce_products_changed(product_ids: Iterable[int], *, bulk: bool = False) -> None:
    """Announce, inside the transaction that changed them, that these products changed. `bulk`:
    one of many changes made at once (an import), which listeners may serve after single edits."""
    together = _changed_together.get()
    if together is not None:
        together.update(product_ids)
        return
    ids = sorted(set(product_ids))
    if ids:
        products_changed.send(sender=Product, product_ids=ids, bulk=bulk)


@contextmanager
def announced_together() -> Iterator[None]:
    """Inside the caller's transaction: the products that the block changes are announced once,
    at its end, as a bulk change (an import's batch: one announcement, not one a product). A
    block that raises announces nothing, as its transaction is rolled back."""
    changed: set[int] = set()
    token = _changed_together.set(changed)
    try:
        yield
    finally:
        _changed_together.reset(token)
    announce_products_changed(changed, bulk=True)


# Merchants


def create_merchant(username: str, password: str | None, *, name: str = "") -> Merchant:
    """A user account with its merchant profile. No password means it cannot log in."""
    user_model = get_user_model()
    with transaction.atomic():
        if user_model.objects.filter(username=username).exists():
            raise ValidationError(
                "The username %(username)s is taken.", code="taken", params={"username": username}
            )
        user = user_model.objects.create_user(username=username, password=password)
        return Merchant.objects.create(user=user, name=name or username)


def house_merchant() -> Merchant:
    """The store's own merchant account, owner of products imported without --merchant."""
    username = settings.VITRINE_HOUSE_MERCHANT
    merchant = Merchant.objects.filter(user__username=username).first()
    return merchant or create_merchant(username, None, name="Vitrine")


# Categories


def category_from_path(path_text: str) -> Category | None:
    """The category named by a path like "Apparel > Topwear", creating missing levels.

    Names match case-insensitively (by slug); an empty path means no category.
    """
    names = [name.strip() for name in path_text.split(">") if name.strip()]
    category = None
    for name in names:
        slug = slugify(name, allow_unicode=True)
        if not slug:
            raise ValidationError(
                "The category name %(name)r has no letters or digits.",
                code="bad_category",
                params={"name": name},
            )
        path = f"{category.path}/{slug}" if category else slug
        full_name = f"{category.full_name}{CATEGORY_SEPARATOR}{name}" if category else name
        _check_category_lengths(name, slug, path, full_name)
        category, _ = Category.objects.get_or_create(
            path=path,
            defaults={"name": name, "slug": slug, "parent": category, "full_name": full_name},
        )
    return category


def _check_category_lengths(name: str, slug: str, path: str, full_name: str) -> None:
    # The columns' own limits, as a clear error rather than the database's.
    limits = {field: Category._meta.get_field(field).max_length for field in ("name", "path")}
    if len(name) > limits["name"] or len(slug) > Category._meta.get_field("slug").max_length:
        raise ValidationError(
            "The category name %(name)s… is longer than %(limit)d characters.",
            code="bad_category",
            params={"name": name[:30], "limit": limits["name"]},
        )
    if max(len(path), len(full_name)) > limits["path"]:
        raise ValidationError(
            "The category path is longer than %(limit)d characters.",
            code="bad_category",
            params={"limit": limits["path"]},
        )


def save_category(category: Category) -> Category:
    """Save a new or edited category, re-deriving the paths of its whole subtree."""
    with transaction.atomic():
        old_path = (
            Category.objects.filter(pk=category.pk).values_list("path", flat=True).first()
            if category.pk
            else None
        )
        _derive_path(category)
        category.full_clean()
        category.save()
        if old_path and old_path != category.path:
            for descendant in Category.objects.filter(path__startswith=old_path + "/").order_by(
                "path"
            ):
                descendant.parent = Category.objects.get(pk=descendant.parent_id)
                _derive_path(descendant)
                descendant.save(update_fields=["path", "full_name"])
        announce_products_changed(
            Product.objects.filter(category__in=category.subtree()).values_list("pk", flat=True),
            bulk=True,
        )
    return category


def _derive_path(category: Category) -> None:
    category.slug = slugify(category.name, allow_unicode=True)
    if category.parent is None:
        category.path, category.full_name = category.slug, category.name
    else:
        category.path = f"{category.parent.path}/{category.slug}"
        category.full_name = f"{category.parent.full_name}{CATEGORY_SEPARATOR}{category.name}"


# Products


class UpsertOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class ProductConflict(ValidationError):
    """The product changed (or went) since the version the writer read: nothing was written.
    `current` is the product as it is now, or None if it was deleted."""

    def __init__(self, current: Product | None):
        self.current = current
        if current is None:
            super().__init__("This product was deleted meanwhile.", code="conflict")
        else:
            super().__init__(
                "This product was changed since you read it (it is now at version "
                "%(version)d): nothing was saved. Read it again and redo your change.",
                code="conflict",
                params={"version": current.version},
            )


def save_product(
    product: Product,
    *,
    photos: Sequence[CheckedImage] = (),
    category_path: str | None = None,
    fields: Collection[str] | None = None,
    expected_version: int | None = None,
    variants: Sequence[VariantSpec] | None = None,
) -> Product:
    """Create or update a product, adding any new photos, in one transaction.

    `variants`, when given, become the product's variants (catalog.variants.write_variants; an
    empty list removes them). A product with variants has the sum of their stock, whatever
    `stock` it was given.

    `category_path` ("Apparel > Topwear"), when given, sets the category, creating it if new.
    An update writes only `fields` (None: every field), so that changing the title never
    writes back a stock count read earlier; with `expected_version` it is refused
    (ProductConflict) if the product changed since that version.
    """
    if not product.currency:
        product.currency = settings.VITRINE_DEFAULT_CURRENCY
    with photo_transaction() as written:
        if category_path is not None:
            product.category = category_from_path(category_path)
        validate_product(product)
        if product.pk is None:
            product.save()
        else:
            product.version = _lock_version(product.pk, expected_version) + 1
            if fields is not None:
                written_fields = {*fields, "version", "updated_at"}
                if category_path is not None:
                    written_fields.add("category")
                product.save(update_fields=written_fields)
            else:
                product.save()
        if variants is not None:
            write_variants(product, variants)
        sync_stock(product)
        add_photos(product, photos, written)
        announce_products_changed([product.pk])
    return product


def upsert_product(
    merchant: Merchant,
    sku: str,
    fields: dict,
    *,
    imported_photo: CheckedImage | None = None,
    category_path: str | None = None,
    create_defaults: Mapping[str, object] | None = None,
    expected_version: int | None = None,
    variants: Sequence[VariantSpec] | None = None,
    bulk: bool = False,
) -> UpsertOutcome:
    """Create the merchant's product with this SKU, or update the fields given.

    Fields not in `fields` keep their values (or defaults, for a new product); those in
    `create_defaults` are set on a new product only. `category_path`, when given, sets the
    category as in save_product (in this transaction). `imported_photo`, an import's photo
    for the product, is stored unless it is already one of its photos: in place of the photo
    an earlier import stored, or else as the main photo, in front of the merchant's own. With
    `expected_version`, the write is refused (ProductConflict) unless the product exists at
    that version. `variants`, when given, become its variants, as in save_product. `bulk`: the
    change is one of many made at once (an import), announced as such.
    """
    with photo_transaction() as written:
        if category_path is not None:
            fields = {**fields, "category": category_from_path(category_path)}
        product = Product.objects.select_for_update().filter(merchant=merchant, sku=sku).first()
        created = product is None
        if expected_version is not None and (created or product.version != expected_version):
            raise ProductConflict(product)
        if created:
            product = Product(
                merchant=merchant,
                sku=sku,
                currency=settings.VITRINE_DEFAULT_CURRENCY,
                **(create_defaults or {}),
            )
        changed = {name for name, value in fields.items() if getattr(product, name) != value}
        for name in changed:
            setattr(product, name, fields[name])
        photo_changed = imported_photo is not None and (
            created or not product.images.filter(sha256=imported_photo.sha256).exists()
        )
        variants_changed = variants is not None and (
            created or _variant_specs(product) != _normalised(variants)
        )
        if not (created or changed or photo_changed or variants_changed):
            return UpsertOutcome.UNCHANGED
        validate_product(product)
        if not created:
            product.version += 1
        product.save()
        if variants_changed:
            write_variants(product, variants)
        sync_stock(product)
        if photo_changed:
            store_imported_photo(product, imported_photo, written)
        announce_products_changed([product.pk], bulk=bulk)
    return UpsertOutcome.CREATED if created else UpsertOutcome.UPDATED


def set_stock(product: Product, stock: int, *, expected_version: int | None = None) -> Product:
    """A quick stock count from the dashboard, refused (ProductConflict) if the product changed
    since `expected_version`. Search reads stock live, so the product's index row stays as it
    is."""
    if stock < 0:
        raise ValidationError("Stock cannot be negative.", code="negative_stock")
    if product.variants.exists():
        raise ValidationError(
            "This product's stock is its variants': set each variant's stock.",
            code="stock_of_variants",
        )
    with transaction.atomic():
        _lock_version(product.pk, expected_version)
        Product.objects.filter(pk=product.pk).update(
            stock=stock, version=F("version") + 1, updated_at=timezone.now()
        )
        product.refresh_from_db(fields=["stock", "version", "updated_at"])
    return product


def _lock_version(product_id: int, expected_version: int | None) -> int:
    """Lock the product's row and return its version; ProductConflict if it is not the
    expected one, or the product is gone."""
    current = Product.objects.select_for_update().filter(pk=product_id).first()
    if current is None or expected_version not in (None, current.version):
        raise ProductConflict(current)
    return current.version


def delete_product(product: Product) -> None:
    file_names = [name for image in product.images.all() for name in image.file_names]
    with transaction.atomic():
        product.delete()
        transaction.on_commit(lambda: delete_files(file_names))


def add_product_photos(product: Product, photos: Sequence[CheckedImage]) -> list[ProductImage]:
    with photo_transaction() as written:
        images = add_photos(product, photos, written)
        announce_products_changed([product.pk])
    return images


def delete_product_image(image: ProductImage) -> None:
    with transaction.atomic():
        image.delete()
        save_positions(locked_images(image.product))
        announce_products_changed([image.product_id])
        transaction.on_commit(lambda: delete_files(image.file_names))


def move_product_image(image: ProductImage, position: int) -> None:
    """Move a photo to `position` (0 is the main photo), shifting the others."""
    with transaction.atomic():
        images = [other for other in locked_images(image.product) if other.pk != image.pk]
        images.insert(max(0, min(position, len(images))), image)
        save_positions(images)
        announce_products_changed([image.product_id])


def _variant_specs(product: Product) -> list[VariantSpec]:
    return [
        VariantSpec(variant.sku, variant.options, variant.price, variant.stock)
        for variant in product.variants.all()
    ]


def _normalised(specs: Sequence[VariantSpec]) -> list[VariantSpec] | None:
    # Specs as write_variants would store them, to tell an unchanged re-import; None (never
    # equal) when they do not pass its checks, which it then reports.
    try:
        return [
            VariantSpec(spec.sku, normalise_options(spec.options), spec.price, spec.stock)
            for spec in specs
        ]
    except ValidationError:
        return None


def validate_product(product: Product) -> None:
    """The product's fields, as every write checks them (ValidationError)."""
    # The merchant and category were set by us; the database enforces uniqueness itself.
    product.full_clean(
        exclude=["merchant", "category"], validate_unique=False, validate_constraints=False
    )
