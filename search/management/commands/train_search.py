import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from search.ml.encoders import get_encoder
from search.ml.training import NotEnoughData, train_search
from search.training_progress import clear_training_progress, record_training_progress

BAR_FORMAT = "{desc:<22} {bar} {n:3.0f}% {elapsed}"


class Command(BaseCommand):
    help = (
        "Fine-tune the photo encoder, train the photo-to-text map and the fusion match head on "
        "the embedded catalogue, save them under the data dir and make them the active search "
        "model (after re-embedding the photos when the photo encoder changed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, seed: int, **options):
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
            f"Search model {model.version} is active: trained and applied to the index in "
            f"{time.monotonic() - started:.0f} s."
        )
