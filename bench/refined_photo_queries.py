"""Text+photo queries, "like this, but in <colour>", on the evaluation kit.

Each dev photo query asks for its own article type (and gender) in another colour: the one the
most catalogue products of that type have, as truth.csv says. Scored as the kit scores a photo
query with that colour (nDCG@10, P@10, sparse recall@100), for the photo alone (which does not
know the colour asked for) and for the photo with the words "but in <colour>".

Needs a data dir where the evaluation catalogue is imported, embedded and trained:

    VITRINE_DATA_DIR=DIR .venv/bin/python bench/refined_photo_queries.py

Records bench/results/refined_photo_queries.json.
"""

import dataclasses
import os
import statistics
import sys
from collections import Counter, defaultdict

from common import ROOT, SHARED, record_result

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vitrine.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

from search.evaluation import (  # noqa: E402
    EvaluationQuery,
    Truth,
    query_metrics,
    read_photo_queries,
    read_truth,
)
from search.ml import trained  # noqa: E402
from search.photos import load_photo  # noqa: E402
from search.selectors import SearchQuery, search  # noqa: E402

KIT = SHARED / "eval"
IMAGES = SHARED / "datasets" / "fashion-product-images-small" / "images"
DEPTH = 100  # results taken per query, as evaluate_search takes them
# A colour fewer products of the type have is not asked for; "Multi" names no one colour.
MIN_PRODUCTS = 5


def other_colour(query: EvaluationQuery, colours: Counter) -> str | None:
    """The most common colour of the query's type other than its own, if there is one."""
    for colour, count in colours.most_common():
        if colour not in (query.colour, "Multi", "") and count >= MIN_PRODUCTS:
            return colour
    return None


def colours_by_type(truth: dict[str, Truth]) -> dict[str, Counter]:
    colours: dict[str, Counter] = defaultdict(Counter)
    for product in truth.values():
        colours[product.article_type][product.colour] += 1
    return colours


def main() -> None:
    truth = read_truth(KIT / "truth.csv")
    colours = colours_by_type(truth)
    scores: dict[str, list[dict]] = {"photo alone": [], "photo and words": []}
    for query in read_photo_queries(KIT / "photo_queries_dev.csv", IMAGES):
        colour = other_colour(query, colours[query.article_type])
        if colour is None:
            continue
        wanted = dataclasses.replace(query, colour=colour)
        photo = load_photo(query.photo, max_pixels=settings.VITRINE_MAX_IMAGE_PIXELS)
        for name, words in (("photo alone", ""), ("photo and words", f"but in {colour.lower()}")):
            hits = search(SearchQuery(text=words, photo=photo, limit=DEPTH)).shown
            scores[name].append(query_metrics(wanted, [hit.product.sku for hit in hits], truth))
    results = {name: _means(rows) for name, rows in scores.items()}
    for name, figures in results.items():
        print(f"{name:16} {figures}")
    out = record_result(
        "refined_photo_queries",
        {"search_model": trained.active_version(), "results": results},
    )
    print(f"Recorded {out.relative_to(ROOT)}")


def _means(rows: list[dict]) -> dict[str, float]:
    figures: dict[str, float] = {"queries": len(rows)}
    for name in rows[0]:
        values = [row[name] for row in rows if row[name] is not None]
        figures[name] = round(statistics.fmean(values), 3)
    return figures


if __name__ == "__main__":
    main()
