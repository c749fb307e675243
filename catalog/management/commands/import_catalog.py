import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog import services
from catalog.importer import CatalogImport, ImportSummary, Rejection, count_rows
from catalog.models import Merchant, Product


class Command(BaseCommand):
    help = (
        "Import products from a CSV file with the columns sku,title and optionally "
        "image,description,category,price,currency,stock,status (and variant_sku,options for "
        "products with variants). Rows are upserted by SKU, changing only the columns the file "
        "has; a row without an image is a listing without a photo. Bad rows are reported on "
        "stderr with their line number, and the exit status is 1 if any was rejected."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_path", type=Path, metavar="CSV")
        parser.add_argument(
            "--images",
            type=Path,
            metavar="DIR",
            help="Folder the image column's file names are relative to (needed when a row "
            "names an image).",
        )
        parser.add_argument(
            "--merchant",
            metavar="USERNAME",
            help="Owner of the products (default: the store's own account).",
        )
        parser.add_argument("--draft", action="store_true", help="Import new products as drafts.")

    def handle(
        self, csv_path: Path, images: Path | None, merchant: str | None, draft: bool, **options
    ):
        if not csv_path.is_file():
            raise CommandError(f"No such file: {csv_path}")
        if images is not None and not images.is_dir():
            raise CommandError(f"No such folder: {images}")
        owner = self._merchant(merchant)
        status = Product.Status.DRAFT if draft else Product.Status.ACTIVE
        importer = CatalogImport(owner, images, status=status)
        # tqdm needs the raw stream: Django's wrapper ends every write with a newline.
        stream = options.get("stderr") or sys.stderr
        # disable=None: a bar on a terminal, none in logs.
        bar = tqdm(total=count_rows(csv_path), unit="row", file=stream, mininterval=1, disable=None)
        with bar:
            try:
                summary = importer.run(
                    csv_path,
                    on_row=bar.update,
                    on_reject=lambda rejection: bar.write(self._describe(rejection), file=stream),
                )
            except ValueError as error:
                raise CommandError(str(error)) from None
        self.stdout.write(self._summary(csv_path, owner, summary))
        if summary.rejected:
            raise CommandError(f"{summary.rejected} rows were rejected (see above).")

    def _merchant(self, username: str | None) -> Merchant:
        if username is None:
            return services.house_merchant()
        merchant = Merchant.objects.filter(user__username=username).first()
        if merchant is None:
            raise CommandError(
                f"No merchant {username!r}; create one with `manage.py create_merchant {username}`."
            )
        return merchant

    @staticmethod
    def _describe(rejection: Rejection) -> str:
        return f"line {rejection.line}: {rejection.reason}"

    @staticmethod
    def _summary(csv_path: Path, merchant: Merchant, summary: ImportSummary) -> str:
        counts = ", ".join(
            f"{summary.outcomes[outcome]:,} {outcome}" for outcome in services.UpsertOutcome
        )
        return (
            f"{csv_path.name}: {summary.rows:,} rows for {merchant.user.username} in "
            f"{summary.seconds:.1f} s: {counts}, {summary.rejected:,} rejected."
        )
