import time

from django.core.management.base import BaseCommand, CommandError

from search.ml.encoders import get_encoder
from search.ml.training import NotEnoughData, train_search


class Command(BaseCommand):
    help = (
        "Train the photo-to-text map and the fusion match head on the embedded catalogue, "
        "save them under the data dir and make them the active search model."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, seed: int, **options):
        started = time.monotonic()
        try:
            model = train_search(get_encoder(), seed=seed, log=self.stdout.write)
        except NotEnoughData as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Search model {model.version} is active: trained and applied to the index in "
            f"{time.monotonic() - started:.0f} s."
        )
