"""Re-mapping photos after a new photo map, at catalogue size: N index rows with random vectors,
written by SQL, and a search model with a random photo map (its quality does not change the
work).

    .venv/bin/python bench/photo_remapping.py build --n 100000
    .venv/bin/python bench/photo_remapping.py measure [--seconds 600]

`build` replaces the data dir's catalogue with N products and their index rows (random
photo features, colours and text vectors of the configured encoder's widths, written by COPY;
the HNSW indexes built after, as `rebuild_vector_indexes` builds them). `measure` saves a new
model with a random photo map, so that every row's photo is another map's, and times:
  1. training's last stage as search.ml.training runs it for a new photo map: the model
     activated and the re-mapping handed to the workers; then the count of the rows left to
     them that `train_search` prints;
  2. the re-mapping by one real Celery worker on the default queue (`celery -A vitrine worker
     --queues default --concurrency 1`, ready before the timing starts): rows per second, from
     the request to the last row, or to --seconds when that comes first; and the chain's end
     (its VACUUM, and the pass that finds nothing left) when it comes within --seconds.
Records them in bench/results/photo_remapping.json. The data dir is VITRINE_DATA_DIR, by
default var/bench-remap; the broker is REDIS_URL's, else the data dir's own Redis.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import ROOT, record_result

sys.path.insert(0, str(ROOT))
os.environ.setdefault("VITRINE_DATA_DIR", str(ROOT / "var" / "bench-remap"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vitrine.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from catalog import services as catalog_services  # noqa: E402
from catalog.models import Merchant, Product  # noqa: E402
from core.broker import redis_client  # noqa: E402
from core.database_roles import OWNER_ALIAS  # noqa: E402
from search.db import binary_vector_cursor  # noqa: E402
from search.ml import trained  # noqa: E402
from search.ml.colour import COLOUR_DIMS  # noqa: E402
from search.ml.encoders import active_dims  # noqa: E402
from search.ml.ranking import MatchHead, PhotoToTextMap  # noqa: E402
from search.ml.remapping import unmapped_rows  # noqa: E402
from search.models import ProductIndex  # noqa: E402
from search.signals import photo_map_activated  # noqa: E402
from search.vector_indexes import rebuild_vector_indexes, vector_indexes  # noqa: E402
from workers import remapping  # noqa: E402

ENCODER_VERSION = "bench:random-vectors"
CHUNK = 10_000
_INDEX = ProductIndex._meta.db_table
_PRODUCT = Product._meta.db_table
CELERY_WORKER = [sys.executable, "-m", "celery", "-A", "vitrine", "worker"]
# The index rows' columns as COPY writes them.
_COLUMNS = {
    "product_id": "int8",
    "text_vector": "vector",
    "photo_text_vector": "vector",
    "photo_features": "vector",
    "colour_vector": "vector",
    "encoder_version": "text",
    "photo_version": "text",
    "map_version": "text",
    "dirty": "bool",
    "error": "text",
    "created_at": "timestamptz",
    "updated_at": "timestamptz",
    "indexed_at": "timestamptz",
}


def build(n: int) -> None:
    call_command("migrate", "--noinput", verbosity=0)
    dims = active_dims()
    merchant = Merchant.objects.filter(user__username="remap-bench").first()
    if merchant is None:
        merchant = catalog_services.create_merchant("remap-bench", "remap-bench-password-1")
    rng = np.random.default_rng(0)
    started = time.monotonic()
    owner = connections[OWNER_ALIAS]  # TRUNCATE and VACUUM are the owner's
    with owner.cursor() as cursor:
        cursor.execute(f"TRUNCATE {_PRODUCT} RESTART IDENTITY CASCADE")
        # Built once after the rows are in (rebuild_vector_indexes), not row by row.
        for index in vector_indexes():
            cursor.execute(f"DROP INDEX IF EXISTS {index.name}")
        cursor.execute(
            f"INSERT INTO {_PRODUCT} (merchant_id, sku, title, description, price, currency, "
            "stock, status, version, created_at, updated_at) "
            "SELECT %s, 'R' || i, 'Listing ' || i, '', 10, 'USD', 1, 'active', 1, now(), now() "
            "FROM generate_series(1, %s) AS i",
            [merchant.pk, n],
        )
    for start in range(1, n + 1, CHUNK):
        ids = range(start, min(start + CHUNK, n + 1))
        features = rng.standard_normal((len(ids), dims.image), dtype=np.float32)
        colours = rng.random((len(ids), COLOUR_DIMS), dtype=np.float32)
        text = rng.standard_normal((len(ids), dims.text), dtype=np.float32)
        now = django.utils.timezone.now()
        with (
            binary_vector_cursor(OWNER_ALIAS) as cursor,
            cursor.copy(
                f"COPY {_INDEX} ({', '.join(_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
            ) as copy,
        ):
            copy.set_types(list(_COLUMNS.values()))
            for row, product_id in enumerate(ids):
                unit = text[row] / np.linalg.norm(text[row])
                vectors = (unit, unit, features[row], colours[row])
                copy.write_row(
                    (product_id, *vectors, ENCODER_VERSION, "", "", False, "", now, now, now)
                )
        print(f"wrote {ids[-1]:,} of {n:,} rows", file=sys.stderr)
    rebuild_vector_indexes()
    with owner.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {_INDEX}")
    print(f"built {n:,} rows in {time.monotonic() - started:.0f} s")


def saved_model() -> trained.SearchModel:
    """A new model with a random photo map: every row's photo is then another map's."""
    dims = active_dims()
    model = trained.SearchModel(
        version=trained.new_version(),
        encoder_version=ENCODER_VERSION,
        head=MatchHead(dims.text),
        photo_map=PhotoToTextMap(dims.image + COLOUR_DIMS, dims.text).eval(),
    )
    trained.save(model)
    return model


def mapped_rows(version: str) -> int:
    return ProductIndex.objects.filter(map_version=version).count()


def chain_done(version: str) -> bool:
    return redis_client().get(remapping._DONE_KEY) == version.encode()


def measure(seconds: float) -> dict:
    data_dir = Path(os.environ["VITRINE_DATA_DIR"])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vitrine.settings"}
    log = data_dir / "worker.log"
    log.write_text("")
    worker = subprocess.Popen(
        [*CELERY_WORKER, "--queues", "default", "--concurrency", "1", "--loglevel", "info"],
        cwd=ROOT,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )
    try:
        while "ready." not in log.read_text():
            time.sleep(0.5)
        model = saved_model()
        # Training's last stage, as search.ml.training runs it for a new photo map.
        started = time.monotonic()
        trained.activate(model.version)
        photo_map_activated.send(sender=trained.SearchModel, version=model.version)
        stage_seconds = time.monotonic() - started
        started_count = time.monotonic()
        remaining = unmapped_rows(model)  # what `train_search` prints
        count_seconds = time.monotonic() - started_count
        done = mapped_rows(model.version)
        while done < remaining and time.monotonic() - started < seconds:
            time.sleep(1)
            done = mapped_rows(model.version)
        elapsed = time.monotonic() - started
        # The chain's end: its VACUUM and the pass that finds nothing left.
        while not chain_done(model.version) and time.monotonic() - started < seconds:
            time.sleep(1)
        chain_seconds = time.monotonic() - started if chain_done(model.version) else None
    finally:
        worker.terminate()
        worker.wait(timeout=120)
    return {
        "rows": ProductIndex.objects.count(),
        "last_stage_seconds": round(stage_seconds, 3),
        "count_seconds": round(count_seconds, 2),
        "rows_to_remap": remaining,
        "rows_remapped": done,
        "worker_seconds": round(elapsed, 1),
        "rows_per_second": round(done / elapsed, 1),
        "chain_seconds": None if chain_seconds is None else round(chain_seconds, 1),
        # How long each task held the worker: a batch, or the end of a pass (VACUUM).
        "task_seconds": task_seconds(log.read_text()),
        "load_average": os.getloadavg(),
    }


def task_seconds(log: str) -> dict:
    seconds = sorted(
        float(found) for found in re.findall(r"remap_photos\[.*succeeded in ([\d.]+)s", log)
    )
    if not seconds:
        return {}
    return {
        "tasks": len(seconds),
        "median": round(statistics.median(seconds), 2),
        "max": round(seconds[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["build", "measure"])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument(
        "--seconds", type=float, default=600, help="how long the worker is timed at most"
    )
    args = parser.parse_args()
    if args.step == "build":
        build(args.n)
        return
    figures = measure(args.seconds)
    print(figures)
    record_result("photo_remapping", figures)


if __name__ == "__main__":
    main()
