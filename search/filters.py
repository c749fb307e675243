"""A search's filters, and the SQL conditions by which the candidates' statement
(search.candidate_statement) keeps only the products they allow: `row` is a product's index
row there, `product` the product."""

from dataclasses import dataclass
from decimal import Decimal

from catalog.models import Category, Variant


@dataclass(frozen=True)
class Filters:
    category: Category | None = None  # with its descendants
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    # (name, value) pairs that one variant in stock must all have, e.g. (("size", "M"),).
    options: tuple[tuple[str, str], ...] = ()
    colour: str = ""  # a colour family (search.ml.lexicon) that the listing states
    merchant_id: int | None = None
    exclude_product_id: int | None = None  # "similar products" leave out the product itself

    @property
    def narrows(self) -> bool:
        """Whether the filters may leave out products (excluding one product does not count)."""
        return bool(
            self.category
            or self.min_price is not None
            or self.max_price is not None
            or self.in_stock
            or self.options
            or self.colour
            or self.merchant_id
        )


def filter_conditions(filters: Filters, encoder_version: str | None) -> tuple[str, dict]:
    conditions = ["product.status = 'active'"]
    parameters: dict = {
        "min_price": filters.min_price,
        "max_price": filters.max_price,
        "colour": filters.colour,
    }
    for number, (name, value) in enumerate(filters.options):
        parameters[f"option_name_{number}"] = name
        parameters[f"option_value_{number}"] = value.lower()
    if encoder_version is not None:  # None: keywords alone, vectors of any version unread
        conditions.append("row.encoder_version = %(version)s")
        parameters["version"] = encoder_version
    if filters.category is not None:
        # A constant, not a parameter: the planner matches a category's own HNSW indexes
        # (search.vector_indexes) only to a condition it can read at planning time.
        conditions.append(f"row.categories @> ARRAY[{int(filters.category.pk)}]")
    if filters.in_stock:
        conditions.append("product.stock > 0")
    variants = VARIANTS_OF.format(product="product.id")
    match = variant_match(filters, "product.price")
    if filters.min_price is not None or filters.max_price is not None:
        # A product with variants is in range by one of them that has what else is asked for
        # (stock, options); one without, by its own price.
        own = "false" if filters.options else " AND ".join(_price_bounds(filters, "product.price"))
        conditions.append(f"coalesce((SELECT bool_or({match}) {variants}), {own})")
    elif filters.options:
        conditions.append(f"EXISTS (SELECT 1 {variants} AND {match})")
    if filters.colour:
        conditions.append(COLOUR_CONDITION)
    if filters.merchant_id:
        conditions.append("product.merchant_id = %(merchant)s")
        parameters["merchant"] = filters.merchant_id
    if filters.exclude_product_id:
        conditions.append("product.id <> %(exclude)s")
        parameters["exclude"] = filters.exclude_product_id
    return " AND ".join(conditions), parameters


# Served by the GIN index on the colours (productindex_colours).
COLOUR_CONDITION = "row.colours @> ARRAY[%(colour)s]::varchar[]"
# A product's variants: few, found by the index on variant.product_id.
VARIANTS_OF = f"FROM {Variant._meta.db_table} AS variant WHERE variant.product_id = {{product}}"


def variant_match(filters: Filters, product_price: str) -> str:
    """What one variant needs for the filters to allow its product (with filter_conditions'
    parameters): to be in stock where they ask for stock or options, to have the options asked
    for (values in any case: "size:m" finds size M), and its price (its own, else the
    product's) within the price bounds."""
    matches = ["variant.stock > 0"] if filters.in_stock or filters.options else []
    matches += [
        f"lower(variant.options ->> %(option_name_{number})s) = %(option_value_{number})s"
        for number in range(len(filters.options))
    ]
    matches += _price_bounds(filters, f"coalesce(variant.price, {product_price})")
    return " AND ".join(matches) or "true"


def _price_bounds(filters: Filters, price: str) -> list[str]:
    bounds = []
    if filters.min_price is not None:
        bounds.append(f"{price} >= %(min_price)s")
    if filters.max_price is not None:
        bounds.append(f"{price} <= %(max_price)s")
    return bounds
