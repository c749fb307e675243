"""Embedding throughput: listings per second on the evaluation catalogue (10,000 listings).

Imports the catalogue into a fresh, temporary data dir (its own embedded PostgreSQL and
Redis), then measures
  1. `manage.py embed --all --sync`: embedding in one process;
  2. one Celery worker (`celery -A shop worker --queues embed --concurrency 1`): from the
     request to the last row written, the worker's model loading excluded (it loads at start);
and records both in bench/results/embed_throughput.json with the machine described.

    .venv/bin/python bench/embed_throughput.py [--catalog CSV] [--images DIR]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from machine import describe_machine

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MANAGE = [sys.executable, str(ROOT / "manage.py")]
COUNT_STALE = (
    "import django\ndjango.setup()\nfrom search.embedding import count_stale\nprint(count_stale())"
)
MARK_ALL_STALE = (
    "import django\ndjango.setup()\nfrom search.embedding import mark_all_stale\nmark_all_stale()"
)
REQUEST = (
    "import django\ndjango.setup()\n"
    "from workers.embedding import request_embedding\nrequest_embedding()"
)


def run(command: list[str], env: dict) -> str:
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


def python(code: str, env: dict) -> str:
    return run([sys.executable, "-c", code], env).strip()


def measure_sync(env: dict) -> dict:
    output = run([*MANAGE, "embed", "--all", "--sync"], env)
    embedded, seconds = re.search(r"Embedded ([\d,]+) listings in ([\d.]+) s", output).groups()
    embedded = int(embedded.replace(",", ""))
    return {
        "listings": embedded,
        "seconds": float(seconds),
        "listings_per_second": round(embedded / float(seconds), 1),
        "output": output.strip(),
    }


def measure_worker(env: dict, log: Path) -> dict:
    python(MARK_ALL_STALE, env)
    total = int(python(COUNT_STALE, env))
    with open(log, "w") as log_file:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "shop",
                "worker",
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
        # The worker's process loads the models at start; wait for that before timing.
        while "efficientnet" not in log.read_text() or "ready." not in log.read_text():
            time.sleep(0.5)
        time.sleep(2)
        started = time.monotonic()
        python(REQUEST, env)
        while (left := int(python(COUNT_STALE, env))) > 0:
            time.sleep(1)
        seconds = time.monotonic() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    return {
        "listings": total,
        "seconds": round(seconds, 1),
        "listings_per_second": round(total / seconds, 1),
        "left": left,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=SHARED / "eval" / "catalog.csv")
    parser.add_argument(
        "--images",
        type=Path,
        default=SHARED / "datasets" / "fashion-product-images-small" / "images",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vitrine-bench-") as data_dir:
        env = {
            **os.environ,
            "VITRINE_DATA_DIR": data_dir,
            "DJANGO_SETTINGS_MODULE": "shop.settings",
        }
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        try:
            run([*MANAGE, "migrate", "--noinput"], env)
            run([*MANAGE, "import_catalog", str(args.catalog), "--images", str(args.images)], env)
            sync = measure_sync(env)
            print(f"embed --sync: {sync['listings_per_second']} listings/s", flush=True)
            worker = measure_worker(env, Path(data_dir) / "worker.log")
            print(f"one worker:   {worker['listings_per_second']} listings/s", flush=True)
        finally:
            subprocess.run([*MANAGE, "embedded_services", "stop"], env=env, capture_output=True)

    record = {
        "benchmark": "embed_throughput",
        "catalog": args.catalog.name,
        "sync": sync,
        "one_worker": worker,
        "command": "python bench/embed_throughput.py",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": describe_machine(),
    }
    out = ROOT / "bench" / "results" / "embed_throughput.json"
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"recorded in {out}")


if __name__ == "__main__":
    main()
