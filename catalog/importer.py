"""Import products from a CSV file: `sku,title` and optionally `image,description,category,
price,currency,stock,status`, and `variant_sku,options` for products with variants.

Rows that follow each other with the same `sku` and a `variant_sku` are one product and its
variants: the product's fields come from its first row, each row gives a variant its SKU, its
options ("size: M, colour: black"), price (when it differs from the first row's) and stock.
The product is imported with all its variants or, when any of its rows is bad, not at all. A
row without an `image` is a listing without a photo: search finds it by its text.

A re-import changes only the columns the file has: a product's status, say, only when the file
has a `status` column (new products get the import's status otherwise). Each product is checked
in full (fields, photo) before anything is written; a bad row is reported with its line number
and the others import.

The file streams through (catalog.import_rows): memory stays flat whatever its length. Products
without a photo are written BATCH_SIZE to a transaction, the simple ones in one statement
(catalog.bulk), those with variants one by one in it, and each batch is announced once, as a
bulk change (search embeds single edits before such rows). A batch the database refuses whole
(a concurrent write, say) is written again product by product, so that only the products at
fault are rejected. A product with a photo is written in a transaction of its own, which
removes its files should it roll back.
"""

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, reset_queries, transaction

from catalog import bulk, services
from catalog.import_rows import CatalogFile, ProductRow, ProductRows, RowError
from catalog.models import Category, Merchant, Product, ProductImage, Variant

# Products a batch holds at most, and the characters of their titles and descriptions (a batch
# of long descriptions stays small in memory).
BATCH_SIZE = 500
BATCH_TEXT_CHARS = 4_000_000
TEXT_FIELDS = ("title", "description")
# A summary keeps the first rejections for its reader; every one is counted and passed to
# `on_reject` as it comes.
KEPT_REJECTIONS = 100

Outcome = services.UpsertOutcome | RowError


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str


@dataclass
class ImportSummary:
    outcomes: Counter = field(default_factory=Counter)
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)  # the first KEPT_REJECTIONS
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.outcomes.values()) + self.rejected


class CatalogImport:
    def __init__(
        self,
        merchant: Merchant,
        images_dir: Path | None = None,
        *,
        status: str = Product.Status.ACTIVE,
    ):
        self.merchant = merchant
        self.images_dir = images_dir
        self.status = status
        # Each category path of the file, looked up (or made) once: its category, or why the
        # path is refused.
        self._categories: dict[str, Category | str | None] = {}

    def run(
        self,
        csv_path: Path,
        *,
        on_row: Callable[[], None] = lambda: None,
        on_reject: Callable[[Rejection], None] = lambda rejection: None,
    ) -> ImportSummary:
        """Import every row; `on_row` is called after each row, `on_reject` for each bad one.
        ValueError if the file lacks a required column."""
        summary = ImportSummary()
        started = time.monotonic()

        def report(results: list[tuple[ProductRows, Outcome]]) -> None:
            for rows, outcome in results:
                if isinstance(outcome, RowError):
                    rejection = Rejection(rows.line, str(outcome))
                    summary.rejected += 1
                    if len(summary.rejections) < KEPT_REJECTIONS:
                        summary.rejections.append(rejection)
                    on_reject(rejection)
                else:
                    summary.outcomes[outcome] += 1
                for _ in rows.lines:
                    on_row()

        with _asynchronous_commit():
            for batch in self._batches(CatalogFile(csv_path, self.images_dir).products()):
                report(self._write_batch(batch))
        _refresh_statistics()
        summary.seconds = time.monotonic() - started
        return summary

    def _batches(self, products: Iterator[ProductRows]) -> Iterator[list[ProductRows]]:
        """The file's products in batches, in order; a product with a photo alone."""
        batch: list[ProductRows] = []
        text_chars = 0
        for rows in products:
            product = rows.product
            if isinstance(product, ProductRow) and product.photo is not None:
                if batch:
                    yield batch
                batch, text_chars = [], 0
                yield [rows]
                continue
            batch.append(rows)
            if isinstance(product, ProductRow):
                text_chars += sum(len(product.fields.get(name, "")) for name in TEXT_FIELDS)
            if len(batch) >= BATCH_SIZE or text_chars >= BATCH_TEXT_CHARS:
                yield batch
                batch, text_chars = [], 0
        if batch:
            yield batch

    def _write_batch(self, batch: list[ProductRows]) -> list[tuple[ProductRows, Outcome]]:
        """Write a batch's products; each with its outcome, or why it was rejected."""
        products = [rows.product for rows in batch if isinstance(rows.product, ProductRow)]
        if not products:
            outcomes = {}
        elif len(products) == 1 and products[0].photo is not None:
            outcomes = {products[0].line: self._write(products[0])}
        else:
            try:
                with transaction.atomic(), services.announced_together():
                    outcomes = self._write_together(products)
            except DatabaseError:
                self._categories.clear()  # categories made in the rolled-back transaction
                outcomes = {product.line: self._write(product) for product in products}
            reset_queries()  # with DEBUG on, Django keeps each query's SQL: batches are long
        return [
            (rows, rows.product if isinstance(rows.product, RowError) else outcomes[rows.line])
            for rows in batch
        ]

    def _write_together(self, products: list[ProductRow]) -> dict[int, Outcome]:
        """In the caller's transaction: the simple products in one statement, those with
        variants each in a savepoint, so that a bad one takes no other down."""
        outcomes: dict[int, Outcome] = {}
        simple: list[tuple[ProductRow, dict]] = []
        for product in products:
            if product.variants is not None:
                outcomes[product.line] = self._write(product, savepoint=True)
                continue
            try:
                simple.append((product, self._fields(product)))
            except RowError as error:
                outcomes[product.line] = error
        written = bulk.upsert_products(
            self.merchant,
            [(product.sku, fields) for product, fields in simple],
            create_defaults={"status": self.status},
        )
        for (product, _), outcome in zip(simple, written, strict=True):
            if isinstance(outcome, ValidationError):
                outcome = RowError(_describe(outcome))
            outcomes[product.line] = outcome
        return outcomes

    def _write(self, product: ProductRow, *, savepoint: bool = False) -> Outcome:
        """Write one product, in its own transaction or, with `savepoint`, in a savepoint of the
        caller's (which a failure then leaves usable)."""
        try:
            with transaction.atomic() if savepoint else nullcontext():
                return services.upsert_product(
                    self.merchant,
                    product.sku,
                    self._fields(product),
                    imported_photo=product.photo,
                    create_defaults={"status": self.status},
                    variants=product.variants,
                    bulk=True,
                )
        except RowError as error:
            return error
        except ValidationError as error:
            return RowError(_describe(error))
        except DatabaseError as error:
            self._categories.clear()  # categories made in a rolled-back transaction are gone
            return RowError(f"database error: {error}")

    def _fields(self, product: ProductRow) -> dict:
        if product.category_path is None:
            return product.fields
        return {**product.fields, "category": self._category(product.category_path)}

    def _category(self, path: str) -> Category | None:
        if path not in self._categories:
            try:
                self._categories[path] = services.category_from_path(path)
            except ValidationError as error:
                self._categories[path] = _describe(error)
        category = self._categories[path]
        if isinstance(category, str):
            raise RowError(category)
        return category


@contextmanager
def _asynchronous_commit() -> Iterator[None]:
    """Commit rows without waiting for the disk flush: a third faster.

    Each product is still atomic; a server crash could lose the last moments of rows, which
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


def _describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)
