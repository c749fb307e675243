"""How far a catalogue's own words can take its ranking: each kit's plain held-out queries
ranked by the training labels themselves, against the kit's truth.

    .venv/bin/python bench/label_ceiling.py --kits /tmp/kits

The match head learns to order a query's candidates by search.ml.training.labels.relevance,
which reads only what titles and category paths say. Here every product of the catalogue is
ordered by those labels (ties in a fixed random order; products without words last), and the
order is scored like search's (nDCG@10 on the kit's truth). Where search scores near this, what
it still loses is what the titles do not say (a shoe named neither casual nor sports, a nail
polish whose colour only its photo shows) or where the truth disagrees with the title ("Catwalk
Women Black Flats" filed as casual shoes). Plain queries only: the others ask search to
understand shoppers' words and typos first, which the labels do not do.

One JSON line per kit, all of them in bench/results/label_ceiling.json.
"""

import argparse
import csv
import json
import os
import random
import statistics
import sys
from pathlib import Path

from common import ROOT, record_result

sys.path.insert(0, str(ROOT))
# The labels' package trains models, and so reads the project's settings on import.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vitrine.settings")

import django

django.setup()

from search.evaluation import query_metrics, read_text_queries, read_truth  # noqa: E402
from search.ml.product_terms import ProductTerms  # noqa: E402
from search.ml.training.labels import relevance  # noqa: E402
from search.ml.vocabulary import Vocabulary  # noqa: E402
from search.ml.words import carries_meaning  # noqa: E402

KITS = ("original", "merchant", "home_goods")
RANKED = 100  # the depth search is scored to


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kits", type=Path, required=True, help="bench/build_catalogues.py's")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    results = {}
    for name in KITS:
        results[name] = ceiling(args.kits / name, random.Random(args.seed))
        print(json.dumps({"kit": name, **results[name]}), flush=True)
    print(f"wrote {record_result('label_ceiling', {'kits': results})}")


def ceiling(kit: Path, rng: random.Random) -> dict:
    """The kit's plain queries' mean nDCG@10 when ranked by the labels, and the worst few."""
    with (kit / "catalog.csv").open(newline="") as source:
        products = [
            (row["sku"], row["title"], row.get("category") or "") for row in csv.DictReader(source)
        ]
    vocabulary = Vocabulary.learn([title for _, title, _ in products], [c for *_, c in products])
    truth = read_truth(kit / "truth.csv")
    scores = {}
    for query in read_text_queries(kit / "text_queries_heldout.csv"):
        if query.kind != "plain":
            continue
        wanted = vocabulary.wanted(query.text)
        order = sorted(
            products,
            key=lambda product: (-_label(wanted, vocabulary, *product[1:]), rng.random()),
        )
        ranked = [sku for sku, _, _ in order[:RANKED]]
        scores[query.text] = query_metrics(query, ranked, truth)["ndcg@10"]
    worst = sorted(scores, key=scores.get)[:5]
    return {
        "plain_queries": len(scores),
        "ndcg@10": round(statistics.mean(scores.values()), 4),
        "worst": {text: round(scores[text], 3) for text in worst},
    }


def _label(wanted, vocabulary: Vocabulary, title: str, category: str) -> float:
    if not carries_meaning(title):
        return -1.0  # what only a photo describes: no label to rank it by
    terms = ProductTerms.of(title, category)
    return relevance(
        wanted,
        terms,
        vocabulary.kind_named(wanted.kind_words, title, category),
        vocabulary.names_other_kind(wanted, terms.terms),
    )


if __name__ == "__main__":
    main()
