import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog import services
from catalog.importer import CatalogImport
from catalog.models import Merchant

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_USERNAME = "demo"


class Command(BaseCommand):
    help = (
        "Load the demo catalogue (catalog/demo: 300 products with photos) once, owned by the "
        "merchant 'demo', whose password is written to $VITRINE_DATA_DIR/demo-merchant.txt."
    )

    def handle(self, **options) -> None:
        merchant = Merchant.objects.filter(user__username=DEMO_USERNAME).first()
        if merchant is not None and merchant.products.exists():
            self.stdout.write("The demo catalogue is already loaded.")
            return
        if merchant is None:
            merchant = self._create_demo_merchant()
        summary = CatalogImport(merchant, DEMO_DIR / "images").run(DEMO_DIR / "catalog.csv")
        if summary.rejections:
            reasons = "; ".join(f"line {r.line}: {r.reason}" for r in summary.rejections)
            raise CommandError(f"The demo catalogue has bad rows: {reasons}")
        self.stdout.write(
            f"Loaded {summary.rows} demo products in {summary.seconds:.1f} s. Merchant login: "
            f"see {self._credentials_file()}."
        )

    def _create_demo_merchant(self) -> Merchant:
        password = secrets.token_urlsafe(12)
        merchant = services.create_merchant(DEMO_USERNAME, password, name="Vitrine Demo Store")
        credentials = self._credentials_file()
        credentials.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(credentials, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"username: {DEMO_USERNAME}\npassword: {password}\n")
        return merchant

    @staticmethod
    def _credentials_file() -> Path:
        return settings.VITRINE_DATA_DIR / "demo-merchant.txt"
