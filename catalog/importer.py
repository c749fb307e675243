"""Import products from a CSV file: `sku,title,image` and optionally `description,category,
price,currency,stock,status`, and `variant_sku,options` for products with variants.

Rows that follow each other with the same `sku` and a `variant_sku` are one product and its
variants: the product's fields come from its first row, each row gives a variant its SKU, its
options ("size: M, colour: black"), price (when it differs from the first row's) and stock.
The product is imported with all its variants or, when any of its rows is bad, not at all.

A re-import changes only the columns the file has: a product's status, say, only when the file
has a `status` column (new products get the import's status otherwise). Each row is checked in
full (fields, photo) before anything is written, then upserted by SKU in its own transaction: a bad
row is reported with its line number and the others import.
"""

import csv
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection

from catalog import services
from catalog.currencies import validate_currency
from catalog.images import CheckedImage, check_image
from catalog.models import Category, Merchant, Product, ProductImage, Variant, validate_sku
from catalog.variants import VariantSpec, parse_options

REQUIRED_COLUMNS = ("sku", "title", "image")
OPTIONAL_COLUMNS = ("description", "category", "price", "currency", "stock", "status")
VARIANT_COLUMNS = ("variant_sku", "options")
MAX_PRICE = Decimal("9999999999.99")  # what Product.price (12 digits, 2 decimals) holds


class RowError(Exception):
    """Why a row is rejected."""


@dataclass(frozen=True)
class ProductRow:
    line: int
    sku: str
    fields: dict
    category_path: str | None
    photo: CheckedImage
    variants: list[VariantSpec] | None = None  # None: the product's variants stay as they are


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str


@dataclass
class ImportSummary:
    outcomes: Counter = field(default_factory=Counter)
    rejections: list[Rejection] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.outcomes.values()) + len(self.rejections)


class CatalogImport:
    def __init__(
        self, merchant: Merchant, images_dir: Path, *, status: str = Product.Status.ACTIVE
    ):
        self.merchant = merchant
        self.images_dir = images_dir.resolve()
        self.status = status
        self._categories: dict[str, Category | None] = {}

    def run(
        self,
        csv_path: Path,
        *,
        on_row: Callable[[], None] = lambda: None,
        on_reject: Callable[[Rejection], None] = lambda rejection: None,
    ) -> ImportSummary:
        """Import every row; `on_row` is called after each row, `on_reject` for each bad one."""
        summary = ImportSummary()
        started = time.monotonic()
        with _asynchronous_commit():
            for rows in self._products(csv_path):
                try:
                    summary.outcomes[self.import_row(self.parse_product(rows))] += 1
                except RowError as error:
                    rejection = Rejection(rows[0][0], str(error))
                    summary.rejections.append(rejection)
                    on_reject(rejection)
                for _ in rows:
                    on_row()
        _refresh_statistics()
        summary.seconds = time.monotonic() - started
        return summary

    def parse(self, line: int, row: dict) -> ProductRow:
        """Check a row in full, photo included; raise RowError saying what is wrong."""
        if None in row:
            raise RowError("the row has more fields than the header")
        values = {name: (value or "").strip() for name, value in row.items()}
        for name in REQUIRED_COLUMNS:
            if not values[name]:
                raise RowError(f"missing {name}")
        sku = values["sku"]
        _validate(validate_sku, sku, "sku")
        if sku in self._seen_skus:
            raise RowError(f"duplicate sku {sku} (first on line {self._seen_skus[sku]})")
        self._seen_skus[sku] = line
        fields = {"title": values["title"]}
        if values.get("status"):
            fields["status"] = values["status"].lower()
            if fields["status"] not in Product.Status.values:
                raise RowError(
                    f"bad status {values['status']!r}: one of {', '.join(Product.Status.values)}"
                )
        if "description" in values:
            fields["description"] = values["description"]
        if "price" in values:
            fields["price"] = _parse_price(values["price"])
        if "currency" in values:
            fields["currency"] = values["currency"].upper() or settings.VITRINE_DEFAULT_CURRENCY
            _validate(validate_currency, fields["currency"], "currency")
        if "stock" in values:
            fields["stock"] = _parse_stock(values["stock"])
        return ProductRow(
            line=line,
            sku=sku,
            fields=fields,
            category_path=values.get("category"),
            photo=self._read_photo(values["image"]),
        )

    def parse_product(self, rows: list[tuple[int, dict]]) -> ProductRow:
        """A product's rows (one, or its variants' rows), checked in full."""
        first_line, first = rows[0]
        product = self.parse(first_line, first)
        if not _variant_sku(first):
            return product
        fields = {name: value for name, value in product.fields.items() if name != "stock"}
        variants = []
        for line, row in rows:
            try:
                variants.append(_parse_variant(row, fields.get("price")))
            except RowError as error:
                others = f" (the rows of {product.sku} from line {first_line} are not imported)"
                raise RowError(f"line {line}: {error}{others if len(rows) > 1 else ''}") from None
        return replace(product, fields=fields, variants=variants)

    def import_row(self, product: ProductRow) -> services.UpsertOutcome:
        fields = dict(product.fields)
        try:
            if product.category_path is not None:
                fields["category"] = self._category(product.category_path)
            return services.upsert_product(
                self.merchant,
                product.sku,
                fields,
                imported_photo=product.photo,
                create_defaults={"status": self.status},
                variants=product.variants,
            )
        except ValidationError as error:
            raise RowError(_describe(error)) from None
        except DatabaseError as error:
            self._categories.clear()  # categories made in a rolled-back transaction are gone
            raise RowError(f"database error: {error}") from None

    def _products(self, csv_path: Path) -> Iterator[list[tuple[int, dict]]]:
        """The file's rows, a product's variant rows together."""
        rows: list[tuple[int, dict]] = []
        for line, row in self._records(csv_path):
            if (
                rows
                and _variant_sku(row)
                and _variant_sku(rows[0][1])
                and _sku(row) == _sku(rows[0][1])
            ):
                rows.append((line, row))
                continue
            if rows:
                yield rows
            rows = [(line, row)]
        if rows:
            yield rows

    def _records(self, csv_path: Path) -> Iterator[tuple[int, dict]]:
        self._seen_skus: dict[str, int] = {}
        with open(csv_path, newline="", encoding="utf-8-sig") as csv_file:
            reader = csv.DictReader(csv_file)
            missing = [name for name in REQUIRED_COLUMNS if name not in (reader.fieldnames or [])]
            if missing:
                raise ValueError(f"{csv_path} has no column {', '.join(missing)} in its header")
            for row in reader:
                yield reader.line_num, row

    def _read_photo(self, name: str) -> CheckedImage:
        path = (self.images_dir / name).resolve()
        if not path.is_relative_to(self.images_dir):
            raise RowError(f"image {name} is outside the images folder")
        try:
            with open(path, "rb") as image_file:
                return check_image(image_file)
        except OSError as error:
            raise RowError(f"cannot read image {name}: {error.strerror}") from None
        except ValidationError as error:
            raise RowError(f"image {name}: {' '.join(error.messages)}") from None

    def _category(self, path: str) -> Category | None:
        if path not in self._categories:
            self._categories[path] = services.category_from_path(path)
        return self._categories[path]


@contextmanager
def _asynchronous_commit() -> Iterator[None]:
    """Commit rows without waiting for the disk flush: a third faster.

    Each row is still atomic; a server crash could lose the last moments of rows, which
    re-running the (idempotent) import restores.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _refresh_statistics() -> None:
    """Fresh planner statistics after a bulk load, as PostgreSQL advises: until autovacuum
    catches up, stale ones can say the tables are empty, and every query joining them then
    runs as nested loops over whole tables."""
    tables = [model._meta.db_table for model in (Category, Product, ProductImage, Variant)]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")


def count_rows(csv_path: Path) -> int:
    """Data rows in the file, for a progress bar (a quoted line break counts twice)."""
    with open(csv_path, "rb") as csv_file:
        return max(sum(1 for _ in csv_file) - 1, 0)


def _sku(row: dict) -> str:
    return (row.get("sku") or "").strip()


def _variant_sku(row: dict) -> str:
    return (row.get("variant_sku") or "").strip()


def _parse_variant(row: dict, product_price: Decimal | None) -> VariantSpec:
    """A variant row's SKU, options, price (None when the product's) and stock."""
    if None in row:
        raise RowError("the row has more fields than the header")
    sku = _variant_sku(row)
    if not sku:
        raise RowError("missing variant_sku (the other rows of this product have one)")
    _validate(validate_sku, sku, "variant_sku")
    try:
        options = parse_options(row.get("options") or "")
    except ValidationError as error:
        raise RowError(f"bad options {row.get('options')!r}: {' '.join(error.messages)}") from None
    price = _parse_price((row.get("price") or "").strip())
    return VariantSpec(
        sku=sku,
        options=options,
        price=None if price == product_price else price,
        stock=_parse_stock((row.get("stock") or "").strip()),
    )


def _parse_price(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise RowError(f"bad price {text!r}: not a number") from None
    if not price.is_finite() or price < 0 or price > MAX_PRICE:
        raise RowError(f"bad price {text!r}: must be between 0 and {MAX_PRICE}")
    if price.as_tuple().exponent < -2:
        raise RowError(f"bad price {text!r}: more than 2 decimals")
    return price


def _parse_stock(text: str) -> int:
    if not text:
        return 0
    if not text.isdigit():
        raise RowError(f"bad stock {text!r}: must be a whole number, 0 or more")
    return int(text)


def _validate(validator: Callable[[str], None], value: str, name: str) -> None:
    try:
        validator(value)
    except ValidationError as error:
        raise RowError(f"bad {name} {value!r}: {' '.join(error.messages)}") from None


def _describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)
