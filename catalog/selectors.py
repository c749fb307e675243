"""Reads of the catalogue that several pages and APIs share."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

from catalog.currencies import format_price
from catalog.models import Product, Variant


def listed_products() -> QuerySet[Product]:
    """Active products, with what a product card shows."""
    return (
        Product.objects.filter(status=Product.Status.ACTIVE)
        .select_related("category")
        .prefetch_related("images")
    )


@dataclass(frozen=True)
class OptionChoice:
    name: str
    values: list[str]
    chosen: str


@dataclass(frozen=True)
class VariantChoice:
    """A product page's options: each option's values in the merchant's order, the values the
    shopper chose (from the page's query string, `option-<name>`; else the first variant in
    stock) and the variant they make, if any. `variants` is what the page's script reads."""

    options: list[OptionChoice]
    variant: Variant | None
    variants: list[dict]


OPTION_PARAMETER = "option-"


def option_query(options: Mapping[str, str]) -> dict[str, str]:
    """The product page's query parameters that choose the variant with these options."""
    return {OPTION_PARAMETER + name: value for name, value in options.items()}


def variant_choice(product: Product, query: Mapping[str, str]) -> VariantChoice | None:
    """None for a product without variants."""
    variants = list(product.variants.all())
    if not variants:
        return None
    values: dict[str, list[str]] = {}
    for variant in variants:
        for name, value in variant.options.items():
            if value not in values.setdefault(name, []):
                values[name].append(value)
    asked = {name: query.get(OPTION_PARAMETER + name, "") for name in values}
    variant = find_variant(variants, asked)
    if variant is None and not any(asked.values()):
        variant = next((v for v in variants if v.stock > 0), variants[0])
    chosen = dict(variant.options) if variant else asked
    return VariantChoice(
        options=[OptionChoice(name, names, chosen[name]) for name, names in values.items()],
        variant=variant,
        variants=[
            {
                "id": v.pk,
                "options": v.options,
                "sku": v.sku,
                "price": format_price(v.unit_price, product.currency),
                "stock": v.stock,
            }
            for v in variants
        ],
    )


def find_variant(variants: Iterable[Variant], chosen: Mapping[str, str]) -> Variant | None:
    """The variant whose options are exactly those chosen."""
    return next((variant for variant in variants if variant.options == dict(chosen)), None)
