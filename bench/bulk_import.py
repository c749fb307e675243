"""Bulk import: `manage.py import_catalog` on 100,000 listings without photos, and a merchant's
single edit while the workers embed them.

In a fresh, temporary data dir (its own embedded PostgreSQL and Redis):
  1. writes a CSV of text-only listings (sku,title,description,category,price,currency,stock)
     from the titles and categories of the shared dataset's products.csv, cycled with a
     running number until there are --rows of them;
  2. imports it, timing the command and reading its peak resident memory (the kernel's
     maximum RSS of that process);
  3. imports it again: every row unchanged (a re-import's cost);
  4. starts one Celery worker on `embed` (`--concurrency 1`, as `make worker`), asks it to embed
     the backlog, and once it is under way edits three imported listings, one after the other,
     as the dashboard would (catalog.services.save_product): seconds from each save to its
     vectors, how many of the import's rows were still waiting then, and the rate the backlog
     drains at.
Prints the figures as JSON and records them in bench/results/bulk_import.json.

    .venv/bin/python bench/bulk_import.py [--rows 100000] [--products CSV]
"""

import argparse
import csv
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from common import ROOT, SHARED, record_result

sys.path.insert(0, str(ROOT))
from core.embedded import DATABASE_NAME, OWNER_ROLE, EmbeddedPostgres

MANAGE = [sys.executable, str(ROOT / "manage.py")]
PRODUCTS = SHARED / "datasets" / "fashion-product-images-small" / "products.csv"
SETUP = "import django\ndjango.setup()\n"
REQUEST = SETUP + "from workers.embedding import request_embedding\nrequest_embedding()"
EDITS = 3
# The edit a merchant makes on the dashboard: a new title, saved through the same service.
# Prints when it committed (the process's start is not the edit's).
EDIT = SETUP + (
    "import time\n"
    "from catalog import services\n"
    "from catalog.models import Product\n"
    "product = Product.objects.get(sku={sku!r})\n"
    "product.title = 'Edited: ' + product.title\n"
    "services.save_product(product, fields=['title'])\n"
    "print(time.time())\n"
)


def write_listings(products: Path, rows: int, out: Path) -> None:
    """`rows` text-only listings from the dataset's titles and categories."""
    with open(products, newline="") as source:
        listings = [
            (
                row["title"],
                " > ".join([row["master_category"], row["sub_category"], row["article_type"]]),
                f"{row['base_colour']} {row['article_type'].lower()} for {row['usage'].lower()}.",
            )
            for row in csv.DictReader(source)
        ]
    with open(out, "w", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(["sku", "title", "description", "category", "price", "currency", "stock"])
        for number, (title, category, description) in zip(
            range(rows), itertools.cycle(listings), strict=False
        ):
            price = f"{5 + number % 200}.{number % 100:02d}"
            writer.writerow(
                [f"BULK-{number:07d}", title, description, category, price, "USD", number % 40]
            )


def timed_import(csv_path: Path, env: dict) -> dict:
    """Run import_catalog; its seconds, peak RSS and last line of output."""
    started = time.monotonic()
    process = subprocess.Popen(
        [*MANAGE, "import_catalog", str(csv_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"import_catalog failed: {output}")
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),  # kilobytes on Linux
        "output": output.strip(),
    }


def database(data_dir: str) -> psycopg.Connection:
    socket_dir = EmbeddedPostgres(Path(data_dir)).socket_dir()
    return psycopg.connect(
        host=str(socket_dir), user=OWNER_ROLE, dbname=DATABASE_NAME, autocommit=True
    )


def stale_rows(db: psycopg.Connection) -> int:
    return db.execute("SELECT count(*) FROM search_productindex WHERE dirty").fetchone()[0]


def single_edits_during_bulk_embed(env: dict, data_dir: str, rows: int) -> dict:
    """Seconds from each of EDITS single listings' saves to its vectors, one after the other,
    while a worker embeds the import."""
    log = Path(data_dir) / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "vitrine", "worker", "--queues", "embed"]
    with open(log, "w") as log_file:
        worker = subprocess.Popen(
            [*command, "--concurrency", "1", "--loglevel", "info"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    query = (
        "SELECT NOT row.dirty FROM search_productindex AS row "
        "JOIN catalog_product AS product ON product.id = row.product_id "
        "WHERE product.sku = %s"
    )
    seconds, waiting = [], []
    try:
        with database(data_dir) as db:
            while "ready." not in log.read_text():
                time.sleep(0.5)
            subprocess.run([sys.executable, "-c", REQUEST], env=env, check=True)
            while stale_rows(db) > rows - 1000:  # under way: its batches are going through
                time.sleep(0.5)
            for number in range(EDITS):
                sku = f"BULK-{rows * (number + 1) // (EDITS + 1):07d}"  # spread over the backlog
                edit = [sys.executable, "-c", EDIT.format(sku=sku)]
                done = subprocess.run(edit, env=env, check=True, capture_output=True)
                saved_at = float(done.stdout)
                while not db.execute(query, [sku]).fetchone()[0]:
                    time.sleep(0.1)
                seconds.append(round(time.time() - saved_at, 1))
                waiting.append(stale_rows(db))
            started, embedded_before = time.monotonic(), rows - stale_rows(db)
            time.sleep(20)
            rate = (rows - stale_rows(db) - embedded_before) / (time.monotonic() - started)
    finally:
        worker.terminate()
        worker.wait(timeout=120)
    return {
        "seconds_to_indexed": seconds,
        "bulk_rows_still_waiting": waiting,
        "bulk_products_per_second": round(rate, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--products", type=Path, default=PRODUCTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vitrine-bench-") as data_dir:
        env = {
            **os.environ,
            "VITRINE_DATA_DIR": data_dir,
            "DJANGO_SETTINGS_MODULE": "vitrine.settings",
        }
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        csv_path = Path(data_dir) / "listings.csv"
        write_listings(args.products, args.rows, csv_path)
        subprocess.run([*MANAGE, "migrate", "--noinput"], env=env, check=True, capture_output=True)
        try:
            first = timed_import(csv_path, env)
            again = timed_import(csv_path, env)
            edit = single_edits_during_bulk_embed(env, data_dir, args.rows)
        finally:
            subprocess.run([*MANAGE, "embedded_services", "stop"], env=env, capture_output=True)
        file_mb = round(csv_path.stat().st_size / 2**20, 1)
    figures = {
        "rows": args.rows,
        "file_mb": file_mb,
        "import": {**first, "rows_per_second": round(args.rows / first["seconds"])},
        "reimport_unchanged": {**again, "rows_per_second": round(args.rows / again["seconds"])},
        "single_edits_during_bulk_embed": edit,
    }
    out = record_result(
        "bulk_import", {**figures, "command": f"python bench/bulk_import.py --rows {args.rows}"}
    )
    print(json.dumps(figures, indent=2))
    print(f"recorded in {out}")


if __name__ == "__main__":
    main()
