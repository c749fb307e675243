"""The live vocabulary at size: a catalogue of N active listings written with COPY, and what
search.catalogue_vocabulary costs on it.

    .venv/bin/python bench/vocabulary_at_size.py --n 10000 200000 1000000

The listings are the shared dataset's titles and category paths (44,072), cycled; past the
dataset, one copy in --new-word-every gets a made-up word of its own (six letters), as a
marketplace's brands and model names grow its words with its size.

For each N, one JSON line (all of them in bench/results/vocabulary_at_size.json):
- change_check_ms: a process's look at whether the catalogue changed, median of 50: one cache
  GET of the catalogue version (search.catalogue_version), and for comparison the check it
  replaced, Count and Max(updated_at) over the active products (median of 5);
- learn_s: one learning (search.catalogue_vocabulary._learn, without the encoder: what the
  worker's task does besides embedding the new words of the kind statistics), and, with
  --compare-full, Vocabulary.learn over every listing as before;
- with --encoder, learn_with_encoder_s: the same with the text encoder's relatedness, first
  with no word embedded yet (a worker's first learning) and then again (every later one);
- pickled_mb, unpickle_ms (median of 5), share_s (pickle and SET), load_ms (a new process's
  get(): GET and unpickle, median of 5 new processes), and typo_index_s (a process's first typo
  then builds its index);
- words known, sample size, postings held.

The data dir is VITRINE_DATA_DIR, by default var/bench-vocabulary: each N replaces its products.
"""

import argparse
import csv
import json
import os
import pickle
import random
import statistics
import string
import sys
import time
from datetime import UTC, datetime
from io import StringIO

from common import ROOT, SHARED, record_result

sys.path.insert(0, str(ROOT))
os.environ.setdefault("VITRINE_DATA_DIR", str(ROOT / "var" / "bench-vocabulary"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vitrine.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.db.models import Count, Max  # noqa: E402

from catalog import services as catalog_services  # noqa: E402
from catalog.models import Product  # noqa: E402
from core.database_roles import OWNER_ALIAS  # noqa: E402
from search import catalogue_version  # noqa: E402
from search import catalogue_vocabulary as live  # noqa: E402
from search.ml.vocabulary import Vocabulary  # noqa: E402
from search.typos import correct  # noqa: E402

DATASET = SHARED / "datasets" / "fashion-product-images-small" / "products.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 200_000])
    parser.add_argument("--new-word-every", type=int, default=20)
    parser.add_argument("--compare-full", action="store_true")
    parser.add_argument("--encoder", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0, interactive=False)
    listings = read_listings()
    merchant = catalog_services.house_merchant().pk
    paths = {path for _, path in listings}
    category_ids = {path: catalog_services.category_from_path(path).pk for path in paths}
    lines = []
    for n in args.n:
        write_products(n, listings, merchant, category_ids, args.new_word_every)
        line = {"n": n, "new_word_every": args.new_word_every, **measure(args)}
        line["command"] = " ".join(sys.argv)
        line["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        print(json.dumps(line), flush=True)
        lines.append(line)
    print(record_result("vocabulary_at_size", {"runs": lines}))


def read_listings() -> list[tuple[str, str]]:
    with DATASET.open(newline="") as source:
        return [
            (row["title"], f"{row['master_category']} > {row['sub_category']} > "
             f"{row['article_type']}")
            for row in csv.DictReader(source)
        ]  # fmt: skip


def write_products(n, listings, merchant, category_ids, new_word_every) -> None:
    owner = connections[OWNER_ALIAS]
    owner.ensure_connection()
    raw = owner.connection
    rng = random.Random(n)
    table = Product._meta.db_table
    lines = StringIO()
    now = datetime.now(UTC).isoformat()
    for i in range(n):
        title, path = listings[i % len(listings)]
        if i >= len(listings) and i % new_word_every == 0:
            title = f"{''.join(rng.choices(string.ascii_lowercase, k=6)).title()} {title}"
        lines.write(
            f"{merchant}\tV-{i}\t{_escaped(title)}\t\t{category_ids[path]}\t9.99\tEUR\t1\t"
            f"active\t1\t{now}\t{now}\n"
        )
    with raw.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
        with cursor.copy(
            f"COPY {table} (merchant_id, sku, title, description, category_id, price, currency, "
            "stock, status, version, created_at, updated_at) FROM STDIN"
        ) as copy:
            copy.write(lines.getvalue())
        cursor.execute(f"ANALYZE {table}")
    raw.commit()
    catalogue_version.bump()  # written behind the services' backs: announced here


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def measure(args) -> dict:
    result: dict = {"sample": settings.VITRINE_VOCABULARY_SAMPLE}
    result["change_check_ms"] = {
        "catalogue_version": _median_ms(catalogue_version.current, 50),
        "count_and_max_before": _median_ms(_old_fingerprint, 5),
    }
    started = time.perf_counter()
    vocabulary = live._learn(None)
    result["learn_s"] = round(time.perf_counter() - started, 2)
    if args.compare_full:
        rows = list(
            Product.objects.filter(status=Product.Status.ACTIVE).values_list(
                "title", "category__full_name"
            )
        )
        started = time.perf_counter()
        full = Vocabulary.learn([title for title, _ in rows], [path for _, path in rows])
        result["learn_every_listing_before_s"] = round(time.perf_counter() - started, 2)
        result["pickled_every_listing_before_mb"] = _mb(len(pickle.dumps(full, protocol=5)))
        del full, rows
    if args.encoder:
        from search.ml.encoders import get_encoder
        from search.word_vectors import encoder_relatedness

        relatedness = encoder_relatedness(get_encoder())
        times = []
        for _ in range(2):  # no word embedded yet, then every word already embedded
            started = time.perf_counter()
            live._learn(relatedness)
            times.append(round(time.perf_counter() - started, 2))
        result["learn_with_encoder_s"] = {"first": times[0], "again": times[1]}
    result["words_known"] = len(vocabulary.frequency)
    result["postings_held"] = sum(len(rows) for rows in vocabulary.postings.values())
    pickled = pickle.dumps(vocabulary, protocol=pickle.HIGHEST_PROTOCOL)  # as the cache does
    result["pickled_mb"] = _mb(len(pickled))
    result["unpickle_ms"] = _median_ms(lambda: pickle.loads(pickled), 5)

    started = time.perf_counter()
    live._share(live.Learned(vocabulary, catalogue_version.current(), live.WORDS_ONLY))
    result["share_s"] = round(time.perf_counter() - started, 2)
    loads = []
    for _ in range(5):
        process = live.CatalogueVocabulary()
        started = time.perf_counter()
        loaded = process.get()
        loads.append(time.perf_counter() - started)
    assert loaded.frequency == vocabulary.frequency  # the shared one, not learned again
    result["load_ms"] = round(1000 * statistics.median(loads), 1)
    started = time.perf_counter()
    correct("zzqzzq", loaded)
    result["typo_index_s"] = round(time.perf_counter() - started, 2)
    return result


def _old_fingerprint() -> tuple:
    return tuple(
        Product.objects.filter(status=Product.Status.ACTIVE)
        .aggregate(Count("id"), Max("updated_at"))
        .values()
    )


def _median_ms(call, times: int) -> float:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        spent.append(time.perf_counter() - started)
    return round(1000 * statistics.median(spent), 2)


def _mb(size: int) -> float:
    return round(size / 2**20, 2)


if __name__ == "__main__":
    main()
