"""Many products of one merchant upserted by SKU at once: a statement for the batch, not a
transaction for each product (the CSV import's rows without photos or variants).

The same rules as catalog.services.upsert_product, product by product: fields not given keep
their values (or the defaults, for a new product), an unchanged product is not written, a
changed one gets a new version, and each product is checked in full before anything is
written; a product that fails its checks is left out with its error, and the others are
written. A product with variants keeps the sum of their stock as its own.
"""

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import Merchant, Product, Variant
from catalog.services import UpsertOutcome, announce_products_changed, validate_product


def upsert_products(
    merchant: Merchant,
    products: Sequence[tuple[str, Mapping[str, object]]],
    *,
    create_defaults: Mapping[str, object] | None = None,
) -> list[UpsertOutcome | ValidationError]:
    """Create or update the merchant's products, each (sku, fields), in one transaction (the
    caller's, if it has one), and announce them as a bulk change. `fields` may hold a
    `category` (a Category, or None). Returns, for each product in order, its outcome or the
    ValidationError that kept it out. The SKUs must differ."""
    with transaction.atomic():
        existing = _locked_products(merchant, [sku for sku, _ in products])
        with_variants = set(
            Variant.objects.filter(product__in=existing.values()).values_list(
                "product_id", flat=True
            )
        )
        results: list[UpsertOutcome | ValidationError] = []
        written: list[Product] = []
        columns: set[str] = set()
        for sku, fields in products:
            product = existing.get(sku)
            created = product is None
            if created:
                product = Product(
                    merchant=merchant,
                    sku=sku,
                    currency=settings.VITRINE_DEFAULT_CURRENCY,
                    **(create_defaults or {}),
                )
            elif product.pk in with_variants:
                fields = {name: value for name, value in fields.items() if name != "stock"}
            changed = {name for name, value in fields.items() if getattr(product, name) != value}
            if not (created or changed):
                results.append(UpsertOutcome.UNCHANGED)
                continue
            for name in changed:
                setattr(product, name, fields[name])
            try:
                validate_product(product)
            except ValidationError as error:
                results.append(error)
                continue
            if not created:
                product.version += 1
            columns |= fields.keys()
            written.append(product)
            results.append(UpsertOutcome.CREATED if created else UpsertOutcome.UPDATED)
        if written:
            Product.objects.bulk_create(
                written,
                update_conflicts=True,
                unique_fields=["merchant", "sku"],
                update_fields=sorted(columns | {"version", "updated_at"}),
            )
            announce_products_changed([product.pk for product in written], bulk=True)
    return results


def _locked_products(merchant: Merchant, skus: list[str]) -> dict[str, Product]:
    """The merchant's products with these SKUs, locked until the transaction ends (in id order:
    two imports of the same products never deadlock on them)."""
    products = (
        Product.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(merchant=merchant, sku__in=skus)
        .order_by("pk")
    )
    return {product.sku: product for product in products}
