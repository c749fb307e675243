import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.evaluation import (
    RECALL_DEPTH,
    EvaluationQuery,
    evaluate,
    read_photo_queries,
    read_text_queries,
    read_truth,
)
from search.photos import load_photo
from search.selectors import SearchQuery, search

_KIT = Path(settings.BASE_DIR).parent / "shared" / "eval"
_IMAGES = (
    Path(settings.BASE_DIR).parent
    / "shared"
    / "datasets"
    / "fashion-product-images-small"
    / "images"
)
_COLUMNS = ("queries", "ndcg@10", "p@10", "sparse_recall@100")


class Command(BaseCommand):
    help = (
        "Measure search quality on an evaluation kit (nDCG@10, P@10, sparse recall@100 per "
        "query kind). Defaults to the shared dev kit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queries", type=Path, default=_KIT / "text_queries_dev.csv")
        parser.add_argument("--truth", type=Path, default=_KIT / "truth.csv")
        parser.add_argument("--photos", type=Path, help="photo queries CSV (image, attributes)")
        parser.add_argument("--images", type=Path, default=_IMAGES, help="folder of photo queries")
        parser.add_argument(
            "--json", dest="json_path", type=Path, help="also write the figures to this file"
        )

    def handle(self, *args, queries, truth, photos, images, json_path, **options):
        if (
            photos is None
            and (_KIT / "photo_queries_dev.csv").exists()
            and queries == (_KIT / "text_queries_dev.csv")
        ):
            photos = _KIT / "photo_queries_dev.csv"
        for path in (queries, truth, photos):
            if path is not None and not path.is_file():
                raise CommandError(f"{path}: no such file.")
        evaluation_queries = read_text_queries(queries)
        if photos is not None:
            evaluation_queries += read_photo_queries(photos, images)
        figures = evaluate(evaluation_queries, _ranked_skus, read_truth(truth))
        self._print(figures)
        if json_path is not None:
            json_path.write_text(json.dumps(figures, indent=2) + "\n")

    def _print(self, figures: dict) -> None:
        self.stdout.write(f"{'group':<18}" + "".join(f"{name:>19}" for name in _COLUMNS))
        for group in sorted(figures, key=lambda name: (name in ("text", "photo"), name)):
            row = figures[group]
            cells = "".join(
                f"{row[name]:>19}" if name == "queries" else f"{row[name]:>19.3f}"
                for name in _COLUMNS
            )
            self.stdout.write(f"{group:<18}{cells}")


def _ranked_skus(query: EvaluationQuery) -> list[str]:
    photo = None
    if query.photo is not None:
        photo = load_photo(query.photo, max_pixels=settings.VITRINE_MAX_IMAGE_PIXELS)
    results = search(SearchQuery(text=query.text, photo=photo, limit=RECALL_DEPTH))
    return [hit.product.sku for hit in results.shown]  # the ranking as the page shows it
