"""A product's variants as merchants write them: checked, then written in the product's
transaction (catalog.services.save_product and upsert_product call write_variants).

Variants are matched by SKU, so a kept variant keeps its id (and the carts that hold it); one
left out is deleted. The product's stock becomes the sum of its variants' (catalog.models.Variant).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum

from catalog.currencies import validate_price_decimals
from catalog.models import (
    MAX_OPTIONS,
    OPTION_NAME_MAX_LENGTH,
    OPTION_VALUE_MAX_LENGTH,
    Product,
    Variant,
    validate_sku,
)


@dataclass(frozen=True)
class VariantSpec:
    """A variant as a form, the API or a CSV row gives it."""

    sku: str
    options: Mapping[str, str] = field(default_factory=dict)
    price: Decimal | None = None
    stock: int = 0


def normalise_options(options: object) -> dict[str, str]:
    """{"Size ": " M"} -> {"size": "M"}: names in lower case, both stripped; ValidationError
    unless it is 1 to MAX_OPTIONS names, each with a value, within their lengths."""
    if not isinstance(options, Mapping) or not options:
        raise ValidationError(
            "Give a variant at least one option, such as size: M.", code="bad_options"
        )
    if len(options) > MAX_OPTIONS:
        raise ValidationError(
            "A variant has at most %(limit)d options.",
            code="bad_options",
            params={"limit": MAX_OPTIONS},
        )
    normalised: dict[str, str] = {}
    for name, value in options.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ValidationError("Option names and values are text.", code="bad_options")
        name, value = " ".join(name.split()).lower(), " ".join(value.split())
        if not name or not value:
            raise ValidationError(
                "Each option needs a name and a value (size: M).", code="bad_options"
            )
        if len(name) > OPTION_NAME_MAX_LENGTH or len(value) > OPTION_VALUE_MAX_LENGTH:
            raise ValidationError(
                "An option name is at most %(name)d characters and a value %(value)d.",
                code="bad_options",
                params={"name": OPTION_NAME_MAX_LENGTH, "value": OPTION_VALUE_MAX_LENGTH},
            )
        if name in normalised:
            raise ValidationError(
                "The option %(name)s is given twice.", code="bad_options", params={"name": name}
            )
        normalised[name] = value
    return normalised


def parse_options(text: str) -> dict[str, str]:
    """ "size: M, colour: black" (as forms and CSV files write options) -> {"size": "M", ...}."""
    pairs = [pair for pair in text.split(",") if pair.strip()]
    options: dict[str, str] = {}
    for pair in pairs:
        name, colon, value = pair.partition(":")
        if not colon:
            raise ValidationError(
                "Write options as name: value pairs separated by commas (size: M, colour: "
                "black); %(pair)r has no colon.",
                code="bad_options",
                params={"pair": pair.strip()},
            )
        if name.strip().lower() in {key.lower() for key in options}:
            raise ValidationError(
                "The option %(name)s is given twice.",
                code="bad_options",
                params={"name": name.strip().lower()},
            )
        options[name] = value
    return normalise_options(options)


# A filter's option: "size:M" (a name, a colon, a value; the value may hold colons itself).
OPTION_FILTER = r"^[^:\x00]*[^\s:\x00][^:\x00]*:[^\x00]*[^\s\x00][^\x00]*$"


def parse_option_filter(text: str) -> tuple[str, str]:
    """ "Size: m" -> ("size", "m"): an option to filter by, its name as stored (lower case),
    its value as written (filters compare values in any case)."""
    name, colon, value = text.partition(":")
    name, value = " ".join(name.split()).lower(), " ".join(value.split())
    if not (colon and name and value):
        raise ValidationError("Write an option as name:value, e.g. size:M.", code="invalid_option")
    return name, value


def format_options(options: Mapping[str, str]) -> str:
    """The inverse of parse_options."""
    return ", ".join(f"{name}: {value}" for name, value in options.items())


def write_variants(product: Product, specs: Sequence[VariantSpec]) -> None:
    """Make the product's variants those of `specs`, in their order; the caller's transaction
    holds the product's row lock. ValidationError (nothing written) names every problem, under
    "variants"."""
    checked = _checked(product, specs)
    existing = {variant.sku: variant for variant in product.variants.select_for_update()}
    wanted = {spec.sku for spec in checked}
    Variant.objects.filter(
        pk__in=[v.pk for sku, v in existing.items() if sku not in wanted]
    ).delete()
    for position, spec in enumerate(checked):
        variant = existing.get(spec.sku) or Variant(product=product, sku=spec.sku)
        variant.options, variant.price, variant.stock = dict(spec.options), spec.price, spec.stock
        variant.position = position
        variant.save()


def sync_stock(product: Product) -> None:
    """A product with variants has the sum of their stock (in the caller's transaction)."""
    total = product.variants.aggregate(total=Sum("stock"))["total"]
    if total is not None and total != product.stock:
        Product.objects.filter(pk=product.pk).update(stock=total)
        product.stock = total


def _checked(product: Product, specs: Sequence[VariantSpec]) -> list[VariantSpec]:
    problems: list[ValidationError] = []
    checked: list[VariantSpec] = []
    names: tuple[str, ...] | None = None
    seen_skus: set[str] = set()
    seen_options: set[tuple] = set()
    for spec in specs:
        try:
            options = normalise_options(spec.options)
            validate_sku(spec.sku)
            _check_price(spec, product.currency)
            if spec.stock < 0:
                raise ValidationError("Stock cannot be negative.", code="negative_stock")
        except ValidationError as error:
            problems.extend(_about(spec.sku, error))
            continue
        names = names or tuple(options)
        if tuple(options) != names:
            problems.append(
                _error(spec.sku, f"every variant has the same options ({', '.join(names)}).")
            )
        if spec.sku in seen_skus:
            problems.append(_error(spec.sku, "this SKU is given twice."))
        key = tuple(sorted(options.items()))
        if key in seen_options:
            problems.append(_error(spec.sku, "another variant has the same options."))
        seen_skus.add(spec.sku)
        seen_options.add(key)
        checked.append(VariantSpec(spec.sku, options, spec.price, spec.stock))
    taken = (
        Variant.objects.filter(product__merchant_id=product.merchant_id, sku__in=seen_skus)
        .exclude(product_id=product.pk)
        .values_list("sku", flat=True)
    )
    problems.extend(
        _error(sku, "another of your products has a variant with this SKU.") for sku in taken
    )
    if problems:
        raise ValidationError({"variants": problems})
    return checked


def _check_price(spec: VariantSpec, currency: str) -> None:
    if spec.price is None:
        return
    if spec.price < 0:
        raise ValidationError("A price cannot be negative.", code="bad_price")
    validate_price_decimals(spec.price, currency)


def _error(sku: str, message: str) -> ValidationError:
    return ValidationError(
        "Variant %(sku)s: %(problem)s", code="bad_variant", params={"sku": sku, "problem": message}
    )


def _about(sku: str, error: ValidationError) -> list[ValidationError]:
    return [_error(sku, message) for message in error.messages]
