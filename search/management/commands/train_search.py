import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from search.ml.encoders import get_encoder
from search.ml.remapping import remap_photos, unmapped_rows
from search.ml.training import NotEnoughData, train_search
from search.training_progress import clear_training_progress, record_training_progress

BAR_FORMAT = "{desc:<22} {bar} {n:3.0f}% {elapsed}"


class Command(BaseCommand):
    help = (
        "Fine-tune the photo encoder, train the photo-to-text map and the fusion match head on "
        "the embedded catalogue, save them under the data dir and make them the active search "
        "model (after re-embedding the photos when the photo encoder changed). The workers then "
        "re-map the stored photos with its photo map; --sync re-maps them here first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--sync",
            action="store_true",
            help="Re-map the photos with the new photo map here, before returning, not in "
            "the workers (for measuring search straight after training, with no worker).",
        )

    def handle(self, *args, seed: int, sync: bool, **options):
        started = time.monotonic()
        # A progress bar on a terminal (none when the output is not one); the merchant
        # dashboard shows the same stage.
        bar = tqdm(total=100, unit="%", file=sys.stderr, disable=None, bar_format=BAR_FORMAT)

        def progress(stage: str, done: float) -> None:
            record_training_progress(stage, done)
            bar.set_description_str(stage)
            bar.update(round(100 * done) - bar.n)

        def log(message: str) -> None:
            with tqdm.external_write_mode(file=sys.stderr):  # the bar steps aside for a line
                self.stdout.write(message)

        try:
            with bar:
                model = train_search(get_encoder(), seed=seed, log=log, progress=progress)
        except NotEnoughData as error:
            raise CommandError(str(error)) from error
        finally:
            clear_training_progress()
        self.stdout.write(
            f"Search model {model.version} is active: trained in "
            f"{time.monotonic() - started:.0f} s."
        )
        if sync:
            remapped = remap_photos(model.version)
            self.stdout.write(
                f"{remapped:,} photos re-mapped into the text space here; "
                f"{unmapped_rows(model):,} left to the workers."
            )
        else:
            self.stdout.write(
                f"{unmapped_rows(model):,} photos remain to be re-mapped into the text space: "
                "queued for the workers."
            )
