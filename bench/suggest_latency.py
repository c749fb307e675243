"""Suggestions while typing, at the evaluation catalogue's size: p50 and p95 of
GET /api/v1/search/suggest/?q= for every prefix a shopper types on the way to each of the
catalogue's own titles' first words (two letters on), with popular queries read from the
searches logged in the data dir.

    VITRINE_DATA_DIR=DIR .venv/bin/python bench/suggest_latency.py [--titles N]

Requests go through Django's full request stack in this process (URL routing, DRF, throttling
in Redis, JSON rendering); no network hop is counted. Records bench/results/suggest_latency.json.
"""

import argparse
import os
import random
import statistics
import sys
import time

from common import ROOT, record_result

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vitrine.settings")
# One client sends every request: the per-address limit would answer 429.
os.environ.setdefault("VITRINE_RATE_SUGGEST_ANON", "1000000/min")

import django

django.setup()

from django.test import Client  # noqa: E402

from catalog.models import Product  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=300, help="titles typed, at random")
    args = parser.parse_args()
    titles = list(Product.objects.filter(status="active").values_list("title", flat=True))
    typed = []
    for title in random.Random(0).sample(titles, min(args.titles, len(titles))):
        text = " ".join(title.lower().split()[:3])
        typed += [text[:end] for end in range(2, len(text) + 1)]
    client = Client(HTTP_HOST="localhost")
    client.get("/api/v1/search/suggest/", {"q": "wa"}, secure=True)  # the vocabulary, learned once
    times, answered = [], 0
    for text in typed:
        started = time.perf_counter()
        response = client.get("/api/v1/search/suggest/", {"q": text}, secure=True)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
        answered += bool(response.json()["suggestions"])
    times.sort()
    fields = {
        "products": len(titles),
        "requests": len(times),
        "with_suggestions": answered,
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
        "max_ms": round(times[-1], 2),
    }
    print(fields)
    record_result("suggest_latency", fields)


if __name__ == "__main__":
    main()
