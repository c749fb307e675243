"""Time `manage.py import_catalog` on the evaluation catalogue (10,000 products with photos).

Runs in a fresh, temporary data dir (its own embedded PostgreSQL) so the figure includes no
earlier state, and records the result in bench/results/import_catalog.json.

    .venv/bin/python bench/import_catalog.py [--catalog CSV] [--images DIR]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

from common import ROOT, add_catalog_arguments, record_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_catalog_arguments(parser)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vitrine-bench-") as data_dir:
        env = {**os.environ, "VITRINE_DATA_DIR": data_dir}
        env.pop("DATABASE_URL", None)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True)
        started = time.monotonic()
        result = subprocess.run(
            [*manage, "import_catalog", str(args.catalog), "--images", str(args.images)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.monotonic() - started
        subprocess.run([*manage, "embedded_services", "stop"], env=env, capture_output=True)

    print(result.stdout.strip())
    if result.returncode != 0:
        sys.exit(result.stderr)
    rows = len(args.catalog.read_text().splitlines()) - 1
    out = record_result(
        "import_catalog",
        {
            "catalog": str(args.catalog.name),
            "rows": rows,
            "seconds": round(seconds, 1),
            "rows_per_second": round(rows / seconds, 1),
            "command_output": result.stdout.strip(),
        },
    )
    print(f"{rows} rows in {seconds:.1f} s ({rows / seconds:.0f} rows/s); recorded in {out}")


if __name__ == "__main__":
    main()
