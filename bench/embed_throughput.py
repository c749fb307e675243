"""Embedding throughput: products per second on the evaluation catalogue (10,000 products).

Each measurement starts from a fresh, temporary data dir (its own embedded PostgreSQL and
Redis) into which the catalogue is imported:
  1. one Celery worker (`celery -A vitrine worker --queues embed --concurrency 1`), from the
     request to the last row written; the worker loads its models at start, before timing;
  2. `manage.py embed --sync`, in one process;
  3. then `manage.py embed --all --sync` on the same data: re-embedding products that have
     vectors already (dearer: the HNSW indexes keep the old entries until vacuumed).
Records them in bench/results/embed_throughput.json with the machine described.

    .venv/bin/python bench/embed_throughput.py [--catalog CSV] [--images DIR]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from common import ROOT, add_catalog_arguments, record_result

sys.path.insert(0, str(ROOT))
from core.embedded import DATABASE_NAME, OWNER_ROLE, EmbeddedPostgres

MANAGE = [sys.executable, str(ROOT / "manage.py")]
REQUEST = (
    "import django\ndjango.setup()\n"
    "from workers.embedding import request_embedding\nrequest_embedding()"
)


def run(command: list[str], env: dict) -> str:
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


def fresh_catalogue(data_dir: str, catalog: Path, images: Path) -> dict:
    env = {**os.environ, "VITRINE_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "vitrine.settings"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    run([*MANAGE, "migrate", "--noinput"], env)
    run([*MANAGE, "import_catalog", str(catalog), "--images", str(images)], env)
    return env


def stale_rows(data_dir: str) -> int:
    socket_dir = EmbeddedPostgres(Path(data_dir)).socket_dir()
    with psycopg.connect(host=str(socket_dir), user=OWNER_ROLE, dbname=DATABASE_NAME) as db:
        return db.execute("SELECT count(*) FROM search_productindex WHERE dirty").fetchone()[0]


def measure_worker(env: dict, data_dir: str) -> dict:
    total = stale_rows(data_dir)
    log = Path(data_dir) / "worker.log"
    with open(log, "w") as log_file:
        worker = subprocess.Popen(
            [
                *[sys.executable, "-m", "celery", "-A", "vitrine", "worker"],
                "--queues",
                "embed",
                "--concurrency",
                "1",
                "--loglevel",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        while "efficientnet" not in log.read_text() or "ready." not in log.read_text():
            time.sleep(0.5)
        time.sleep(2)
        started = time.monotonic()
        run([sys.executable, "-c", REQUEST], env)
        while stale_rows(data_dir) > 0:
            time.sleep(0.5)
        seconds = time.monotonic() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    return rate(total, seconds)


def measure_sync(env: dict, *options: str) -> dict:
    output = run([*MANAGE, "embed", *options, "--sync"], env)
    embedded, seconds = re.search(r"Embedded ([\d,]+) products in ([\d.]+) s", output).groups()
    return {**rate(int(embedded.replace(",", "")), float(seconds)), "output": output.strip()}


def rate(products: int, seconds: float) -> dict:
    return {
        "products": products,
        "seconds": round(seconds, 1),
        "products_per_second": round(products / seconds, 1),
    }


def stop_services(env: dict) -> None:
    subprocess.run([*MANAGE, "embedded_services", "stop"], env=env, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_catalog_arguments(parser)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="vitrine-bench-") as data_dir:
        env = fresh_catalogue(data_dir, args.catalog, args.images)
        try:
            results["one_worker"] = measure_worker(env, data_dir)
        finally:
            stop_services(env)
    print(f"one worker:      {results['one_worker']['products_per_second']} products/s")
    with tempfile.TemporaryDirectory(prefix="vitrine-bench-") as data_dir:
        env = fresh_catalogue(data_dir, args.catalog, args.images)
        try:
            results["sync"] = measure_sync(env)
            print(f"embed --sync:    {results['sync']['products_per_second']} products/s")
            results["sync_reembed"] = measure_sync(env, "--all")
            print(
                f"embed --all --sync (re-embed): {results['sync_reembed']['products_per_second']}"
            )
        finally:
            stop_services(env)

    out = record_result(
        "embed_throughput",
        {
            "catalog": args.catalog.name,
            **results,
            "command": "python bench/embed_throughput.py",
        },
    )
    print(f"recorded in {out}")


if __name__ == "__main__":
    main()
