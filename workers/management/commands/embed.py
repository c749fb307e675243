import sys
import time

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from search import indexing
from search.db import vacuum_search_index


class Command(BaseCommand):
    help = (
        "Embed stale products: queue them for the workers, or with --sync embed them in this "
        "process and return when none is left. --all re-embeds every product."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Re-embed every product.")
        parser.add_argument("--sync", action="store_true", help="Embed here, not in workers.")

    def handle(self, all: bool, sync: bool, **options) -> None:
        if all:
            self.stdout.write(f"Marked {indexing.mark_all_stale():,} products for embedding.")
        if not sync:
            from workers.embedding import request_embedding

            request_embedding()
            self.stdout.write(f"{indexing.count_stale():,} stale products; queued for workers.")
            return
        self._embed_here(options.get("stderr") or sys.stderr)

    def _embed_here(self, stream) -> None:
        from search.ml.encoders import get_encoder

        encoder = get_encoder()
        indexing.mark_other_versions_stale(encoder.version)
        started = time.monotonic()
        # disable=None: a bar on a terminal, none in logs.
        with tqdm(total=indexing.count_stale(), unit="product", file=stream, disable=None) as bar:
            totals, _ = indexing.embed_stale(encoder, on_batch=lambda r: bar.update(r.taken))
        seconds = time.monotonic() - started
        if totals.written:
            vacuum_search_index()
        self.stdout.write(
            f"Embedded {totals.written:,} products in {seconds:.1f} s "
            f"({totals.written / max(seconds, 1e-9):.1f}/s) with {encoder.version}; "
            f"{totals.photo_errors:,} had unreadable photos, {totals.failed:,} failed; "
            f"{indexing.count_stale():,} left stale."
        )
