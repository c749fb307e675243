"""Search latency through the API at the evaluation catalogue's size: p50 and p95 of
GET /api/v1/search/?q= (text) and POST /api/v1/search/ with a photo, and beside them the
SQL-only time of PostgreSQL keyword search for the same text queries.

Needs a data dir where the catalogue is imported, embedded and (for the real figure) trained:

    VITRINE_DATA_DIR=DIR .venv/bin/python bench/search_latency.py [--rounds N]

Requests go through Django's full request stack in this process (URL routing, DRF, the
search service, JSON rendering); no network hop is counted. Records
bench/results/search_latency.json.
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
os.environ.setdefault("VITRINE_RATE_PHOTO_SEARCH_ANON", "1000000/min")

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from search.keyword import keyword_search  # noqa: E402
from search.ml import trained  # noqa: E402
from search.models import ProductIndex  # noqa: E402

KIT = SHARED / "eval"
IMAGES = SHARED / "datasets" / "fashion-product-images-small" / "images"
URL = "/api/v1/search/"
PAGE = 24


def percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=20)
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(cuts[18], 1)}


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the query files")
    args = parser.parse_args()

    with (KIT / "text_queries_dev.csv").open(newline="") as source:
        texts = [row["query"] for row in csv.DictReader(source)]
    with (KIT / "photo_queries_dev.csv").open(newline="") as source:
        photos = [(IMAGES / row["image"]).read_bytes() for row in csv.DictReader(source)][:100]
    client = Client(HTTP_HOST="localhost")

    def text_request(query: str):
        response = client.get(URL, {"q": query, "limit": PAGE}, secure=True)
        assert response.status_code == 200, response.content

    def photo_request(photo: bytes):
        upload = SimpleUploadedFile("query.jpg", photo, content_type="image/jpeg")
        response = client.post(URL, {"image": upload, "limit": PAGE}, secure=True)
        assert response.status_code == 200, response.content

    def keyword_sql(query: str):
        list(keyword_search(query).values_list("pk", flat=True)[:PAGE])

    text_request("warm up")  # loads the models once, as a serving process does
    photo_request(photos[0])
    results = {
        "products": ProductIndex.objects.count(),
        "search_model": trained.active_version(),
        "api_text": percentiles([timed(lambda q=q: text_request(q)) for q in texts * args.rounds]),
        "api_photo": percentiles(
            [timed(lambda p=p: photo_request(p)) for p in photos * args.rounds]
        ),
        "keyword_sql_only": percentiles(
            [timed(lambda q=q: keyword_sql(q)) for q in texts * args.rounds]
        ),
        "page_size": PAGE,
        "database": connection.settings_dict["NAME"],
    }
    for name in ("api_text", "api_photo", "keyword_sql_only"):
        print(f"{name:>18}: p50 {results[name]['p50_ms']} ms, p95 {results[name]['p95_ms']} ms")
    print(f"Recorded in {record_result('search_latency', results)}")


if __name__ == "__main__":
    main()
