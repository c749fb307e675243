"""Search page and API latency with facets, sort and filters: p50 and p95 over the dev kit's
text queries of the search page (facets shown), the page sorted by price, the API, and the API
with a price filter and with a colour filter.

Each query is sent `--tries` times and its fastest answer counts: on a shared machine the other
tenants' load, not the search, decides the slowest tries. Run it on one data dir with each
version of the code to compare them (the data dir's catalogue imported and embedded):

    VITRINE_DATA_DIR=DIR .venv/bin/python bench/facet_latency.py [--tries 5]

Requests go through Django's full request stack in this process, as in search_latency.py.
Records bench/results/facet_latency.json.
"""

import argparse
import csv
import os
import statistics
import sys
import time

from common import ROOT, SHARED, record_result

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vitrine.settings")
# One client sends every query: the per-address search limit would answer 429.
os.environ.setdefault("VITRINE_API_RATE_SEARCH_ANON", "1000000/min")

import django

django.setup()

from django.test import Client  # noqa: E402

from search.models import ProductIndex  # noqa: E402

KIT = SHARED / "eval"
# name, path, parameters besides the query
CASES = [
    ("page", "/search/", {}),
    ("page_sort_price", "/search/", {"sort": "price"}),
    ("api", "/api/v1/search/", {}),
    ("api_max_price_40", "/api/v1/search/", {"max_price": "40"}),
    ("api_colour_blue", "/api/v1/search/", {"colour": "blue"}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=5, help="tries per query; the fastest counts")
    args = parser.parse_args()
    with (KIT / "text_queries_dev.csv").open(newline="") as source:
        texts = [row["query"] for row in csv.DictReader(source)]
    client = Client(HTTP_HOST="localhost")

    def fastest(path: str, params: dict) -> float:
        times = []
        for _ in range(args.tries):
            started = time.perf_counter()
            response = client.get(path, params, secure=True)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:300]
        return min(times)

    for _, path, _ in CASES[:3]:  # loads the models once, as a serving process does
        fastest(path, {"q": "warm up"})
    results = {"products": ProductIndex.objects.count(), "tries": args.tries}
    for name, path, params in CASES:
        samples = [fastest(path, {"q": text, **params}) for text in texts]
        results[name] = {
            "p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(statistics.quantiles(samples, n=20)[18], 1),
        }
        print(f"{name:>18}: p50 {results[name]['p50_ms']} ms, p95 {results[name]['p95_ms']} ms")
    print(f"Recorded in {record_result('facet_latency', results)}")


if __name__ == "__main__":
    main()
