"""Search at a million listings: a catalogue of N listings grown from the real dataset's
vectors, written with COPY, indexed, and searched with and without filters.

    .venv/bin/python bench/scale.py --n 100000 1000000

For each N it prints one JSON line (and records them all in bench/results/scale.json):
rows written per second by COPY (the database's time; listings per second counts making them
too), the HNSW, category and keyword index builds (seconds, size), the database's memory,
vector retrieval p50/p95 in the database for text and photo queries
(search.retrieval.retrieve with the query vector given) without a filter and with filters
matching about 50%, 5% and 0.1% of the listings, each with its recall@10 against an exact
search (a listing found counts when it is as near as the exact tenth: vectors tie) and the
share of full candidate lists, and the search API's end-to-end p50/p95. Retrieval is timed over
a first pass of the queries (after ten to warm up: it reads the pages they need) and again over
a second, `warm` (every page read: a server whose searches repeat).

The listings. Every listing of ../shared/datasets/fashion-product-images-small is embedded
once by the real encoder (title and category path; photo, its colours and the photo in the
text space by the encoder's zero-shot map), cached under the data dir. One listing in 100 is
held out: its photo is a photo query, never in the catalogue. A catalogue of N up to the
dataset's size is a random sample of the rest; past it, the rest plus copies of random
listings, each with a new SKU, price, stock, merchant and date, and its vectors moved by noise.
The noise follows the vectors' own spread (a Gaussian with their covariance, so it moves a copy
along the directions listings differ in, not into empty dimensions where every neighbour keeps
its distance). Its scale is the smallest at which a copy's nearest listing is its original in
at most a quarter of cases (--nearest-is-original), found by bisection on 500 listings; the
JSON gives it as a multiple of the median distance from a listing to its nearest other one,
and measures the share again on 200 copies of the catalogue itself.

Text queries are the evaluation kit's text queries, encoded by the same encoder. Filters are
categories of the dataset's tree (masterCategory > subCategory > articleType), the node whose
share is nearest each target; the JSON gives each one's real share.

Rows are written as the schema's owner with COPY (products as text, index rows in binary with
their vectors and keyword documents) and foreign-key triggers off (session_replication_role:
the rows are generated consistent); the vector indexes are then built by
search.vector_indexes, as `manage.py rebuild_vector_indexes` does. The data dir is
VITRINE_DATA_DIR, by default var/bench-scale: each N replaces its catalogue.
"""

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from common import ROOT, record_result

sys.path.insert(0, str(ROOT))
os.environ.setdefault("VITRINE_DATA_DIR", str(ROOT / "var" / "bench-scale"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vitrine.settings")
# One client sends every query: the per-address search limit would answer 429.
os.environ.setdefault("VITRINE_API_RATE_SEARCH_ANON", "1000000/min")
# A new catalogue's words are learned before the first search answers, not beside the timed ones.
os.environ.setdefault("VITRINE_VOCABULARY_LEARN_IN_BACKGROUND", "0")

import django

django.setup()

import psutil  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from scale_catalogue import (  # noqa: E402  (after django.setup(): it imports models)
    NoiseModel,
    categories_of,
    load_sources,
    nearest_is_original,
    read_catalogue,
    write_catalogue,
)
from scale_measures import (  # noqa: E402
    QUERIES,
    filters_of,
    measure_api,
    measure_keywords,
    measure_retrieval,
    read_text_queries,
)

from catalog.models import Product  # noqa: E402
from core.database_roles import OWNER_ALIAS  # noqa: E402
from search.ml.encoders import get_encoder  # noqa: E402
from search.models import ProductIndex  # noqa: E402

HELD_OUT_EVERY = 100  # one listing in this many is a photo query, never in the catalogue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--nearest-is-original",
        type=float,
        default=0.25,
        help="the share of copies whose nearest listing may be their original (sets the noise)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--api-only", action="store_true", help="time the API on the catalogue already written"
    )
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="measure the catalogue already written (after a change of settings or code); "
        "recorded as measured_again beside the run that built it",
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0, interactive=False)
    if args.api_only:
        print(json.dumps({"n": Product.objects.count(), "api_text": measure_api()}))
        return
    encoder = get_encoder()
    sources = load_sources(encoder)
    held_out = np.arange(len(sources.ids)) % HELD_OUT_EVERY == 0
    text_queries = encoder.encode_texts(read_text_queries())
    recorded = ROOT / "bench" / "results" / "scale.json"
    earlier = json.loads(recorded.read_text())["runs"] if recorded.exists() else []
    if args.measure_only:
        catalogue = read_catalogue()
        line = {"n": len(catalogue.category_of), "measured_only": True}
        line |= measure(catalogue, categories_of(sources), sources, held_out, text_queries)
        line |= _stamp()
        print(json.dumps(line), flush=True)
        # Beside the run that built this catalogue, whose write and build figures stay.
        for run_of_n in earlier:
            if run_of_n["n"] == line["n"]:
                run_of_n["measured_again"] = line
        record_result("scale", {"runs": earlier})
        return
    lines = []
    for n in args.n:
        line = run(n, sources, held_out, text_queries, args.nearest_is_original, args.seed)
        line |= _stamp()
        print(json.dumps(line), flush=True)
        lines.append(line)
    # Each N keeps its latest run: one command need not measure every size.
    measured = {line["n"] for line in lines}
    runs = sorted(
        [*(run for run in earlier if run["n"] not in measured), *lines], key=lambda r: r["n"]
    )
    record_result("scale", {"runs": runs})


def _stamp() -> dict:
    return {
        "command": " ".join(sys.argv),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run(n, sources, held_out, text_queries, noise, seed) -> dict:
    rng = np.random.default_rng(seed)
    in_catalogue = np.flatnonzero(~held_out)
    if n <= len(in_catalogue):
        source_of = np.sort(rng.choice(in_catalogue, n, replace=False))
    else:
        copies = rng.choice(in_catalogue, n - len(in_catalogue))
        source_of = np.concatenate([in_catalogue, copies])
    originals = min(n, len(in_catalogue))
    spreads = {
        name: NoiseModel.fit(vectors[in_catalogue], noise, rng)
        for name, vectors in (
            ("text", sources.text),
            ("photo_text", sources.photo_text),
            ("photo_features", sources.photo_features),
        )
    }
    categories = categories_of(sources)
    started = time.perf_counter()
    catalogue = write_catalogue(sources, source_of, originals, spreads, categories, rng)
    write_seconds = time.perf_counter() - started
    indexes = build_indexes()
    line = {
        "n": n,
        # Two rows a listing (the product and its index row), as the database took them.
        "rows_per_second_copy": round(2 * n / catalogue.copy_seconds),
        "listings_per_second": round(n / write_seconds),
        "copy_seconds": round(catalogue.copy_seconds, 1),
        "write_seconds": round(write_seconds, 1),
        "noise": {
            name: {"scale": round(model.scale, 4), "x_median_nearest": round(model.factor, 2)}
            for name, model in spreads.items()
        }
        | {"copy_nearest_is_original": nearest_is_original(catalogue, originals, rng)},
        "indexes": indexes,
    }
    return line | measure(catalogue, categories, sources, held_out, text_queries)


def measure(catalogue, categories, sources, held_out, text_queries) -> dict:
    """Retrieval, the API and the database's memory on the catalogue written."""
    filters = filters_of(catalogue, categories)
    photo_queries = sources.photo_text[held_out][:QUERIES]
    return {
        "retrieval_ms": {
            "text": measure_retrieval("text", text_queries, catalogue, filters, sources),
            "photo": measure_retrieval("photo", photo_queries, catalogue, filters, sources),
            "keywords": measure_keywords(filters, sources),
        },
        "ef_search": settings.VITRINE_HNSW_EF_SEARCH,
        "api_text": measure_api(),
        "database": database_memory(),
    }


# -- indexes and memory -----------------------------------------------------------------------


def build_indexes() -> dict:
    from search.vector_indexes import rebuild_vector_indexes, sync_category_indexes

    owner = connections[OWNER_ALIAS]
    table = ProductIndex._meta.db_table
    with owner.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {table}")
        cursor.execute(f"VACUUM (ANALYZE) {Product._meta.db_table}")
        gin = {}
        for name, column in (
            ("productindex_keywords", "keywords"),
            ("productindex_categories", "categories"),
        ):
            started = time.perf_counter()
            cursor.execute(f"CREATE INDEX {name} ON {table} USING gin ({column})")
            seconds = time.perf_counter() - started
            cursor.execute("SELECT pg_relation_size(%s::regclass)", [name])
            gin[name] = {
                "seconds": round(seconds, 1),
                "mib": round(cursor.fetchone()[0] / 2**20, 1),
            }
    built = {
        index.name: {"seconds": round(index.seconds, 1), "mib": round(index.bytes / 2**20, 1)}
        for index in rebuild_vector_indexes() + sync_category_indexes().built
    }
    built |= gin
    built["build_settings"] = {
        "m": settings.VITRINE_HNSW_M,
        "ef_construction": settings.VITRINE_HNSW_EF_CONSTRUCTION,
        "memory": settings.VITRINE_HNSW_BUILD_MEMORY,
        "workers": settings.VITRINE_HNSW_BUILD_WORKERS,
    }
    return built


def database_memory() -> dict:
    owner = connections[OWNER_ALIAS]
    with owner.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
        cursor.execute("SHOW data_directory")
        data_directory = Path(cursor.fetchone()[0])
        cursor.execute(
            "SELECT pg_table_size(%s::regclass), pg_indexes_size(%s::regclass), "
            "pg_total_relation_size(%s::regclass)",
            [ProductIndex._meta.db_table, ProductIndex._meta.db_table, Product._meta.db_table],
        )
        index_table, index_indexes, products = cursor.fetchone()
    postmaster = psutil.Process(int((data_directory / "postmaster.pid").read_text().split()[0]))
    processes = [postmaster, *postmaster.children(recursive=True)]
    # Proportional set size: shared buffers counted once, however many backends map them.
    pss = sum(_pss(process) for process in processes)
    return {
        "shared_buffers": shared_buffers,
        "processes_pss_mib": round(pss / 2**20),
        "search_rows_mib": round(index_table / 2**20),
        "search_indexes_mib": round(index_indexes / 2**20),
        "products_mib": round(products / 2**20),
    }


def _pss(process) -> int:
    try:
        return process.memory_full_info().pss
    except psutil.Error:
        return 0


if __name__ == "__main__":
    main()
