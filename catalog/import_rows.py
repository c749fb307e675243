"""A catalogue CSV read as it streams: each product's rows together (one row, or its variants'
rows), checked in full, photo included, before anything is written (catalog.importer writes).

Nothing but the current product is held in memory, whatever the file's size: the SKUs seen so
far, to catch one given twice, are kept on disk.
"""

import csv
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from catalog.currencies import validate_currency
from catalog.images import CheckedImage, check_image
from catalog.models import Product, validate_sku
from catalog.variants import VariantSpec, parse_options

REQUIRED_COLUMNS = ("sku", "title")
# A row without an image is a listing without a photo.
OPTIONAL_COLUMNS = (
    "image",
    "description",
    "category",
    "price",
    "currency",
    "stock",
    "status",
)
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
    photo: CheckedImage | None  # None: a listing without a photo (its text is what search reads)
    variants: list[VariantSpec] | None = None  # None: the product's variants stay as they are


@dataclass(frozen=True)
class ProductRows:
    """A product's lines in the file, and the product they give, or why they are rejected."""

    lines: list[int]
    product: ProductRow | RowError

    @property
    def line(self) -> int:
        """The product's first line, which a rejection names."""
        return self.lines[0]


class CatalogFile:
    """A catalogue CSV; `images_dir` is the folder its `image` names are in (None: no row may
    name one)."""

    def __init__(self, csv_path: Path, images_dir: Path | None):
        self.csv_path = csv_path
        self.images_dir = images_dir.resolve() if images_dir else None

    def products(self) -> Iterator[ProductRows]:
        """Each product of the file, in order, checked in full. ValueError if the header lacks
        a required column."""
        with SeenSkus() as self._seen_skus:
            for rows in self._grouped():
                try:
                    product = self.parse_product(rows)
                except RowError as error:
                    product = error
                yield ProductRows([line for line, _ in rows], product)

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
        first_line = self._seen_skus.first_line(sku, line)
        if first_line is not None:
            raise RowError(f"duplicate sku {sku} (first on line {first_line})")
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
        image = values.get("image")
        return ProductRow(
            line=line,
            sku=sku,
            fields=fields,
            category_path=values.get("category"),
            photo=self._read_photo(image) if image else None,
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

    def _grouped(self) -> Iterator[list[tuple[int, dict]]]:
        """The file's rows, a product's variant rows together."""
        rows: list[tuple[int, dict]] = []
        for line, row in self._records():
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

    def _records(self) -> Iterator[tuple[int, dict]]:
        with open(self.csv_path, newline="", encoding="utf-8-sig") as csv_file:
            reader = csv.DictReader(csv_file)
            missing = [name for name in REQUIRED_COLUMNS if name not in (reader.fieldnames or [])]
            if missing:
                raise ValueError(
                    f"{self.csv_path} has no column {', '.join(missing)} in its header"
                )
            for row in reader:
                yield reader.line_num, row

    def _read_photo(self, name: str) -> CheckedImage:
        if self.images_dir is None:
            raise RowError(f"image {name}: no images folder was given (--images)")
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


class SeenSkus:
    """The SKUs of a file read so far, with the line each came on first. On disk, in a private
    temporary SQLite database that SQLite deletes when it is closed and keeps at most its page
    cache (2 MB) of in memory: a file of millions of rows needs no more memory than a short
    one (a dict would grow by some 120 MB a million SKUs)."""

    def __enter__(self) -> "SeenSkus":
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.execute("PRAGMA journal_mode = OFF")  # a scratch table: nothing to roll back
        self._db.execute("CREATE TABLE seen (sku TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")
        return self

    def __exit__(self, *exc_info) -> None:
        self._db.close()

    def first_line(self, sku: str, line: int) -> int | None:
        """The line that `sku` came on first, or None when this is the first (on `line`)."""
        if self._db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (sku, line)).rowcount:
            return None
        return self._db.execute("SELECT line FROM seen WHERE sku = ?", (sku,)).fetchone()[0]


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
