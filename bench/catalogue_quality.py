"""Search quality on catalogues of different styles, each in a data folder of its own.

For each kit that bench/build_catalogues.py wrote (original style, another merchant's words, home
goods outside fashion): a fresh embedded database, `import_catalog`, `embed --all --sync`,
`train_search --sync`, then `evaluate_search` on the kit's held-out queries (and, for the original
style, the dev kit's queries too). Figures go to bench/results/catalogue_quality.json.

    .venv/bin/python bench/build_catalogues.py --out /work/kits
    .venv/bin/python bench/catalogue_quality.py --kits /work/kits --data /work/evaldata
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, SHARED, record_result

KITS = ("original", "merchant", "home_goods")
FASHION_KITS = ("original", "merchant")
DATASET_IMAGES = SHARED / "datasets" / "fashion-product-images-small" / "images"
PHOTO_QUERIES = SHARED / "eval" / "photo_queries_dev.csv"


def manage(data_dir: Path, *args: str) -> str:
    env = {
        **os.environ,
        "VITRINE_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "vitrine.settings",
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    print(f"  {' '.join(args[:2])}: {time.monotonic() - started:.0f} s", flush=True)
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def measure(kit: Path, data_dir: Path) -> dict:
    images = kit / "images" if (kit / "images").is_dir() else DATASET_IMAGES
    manage(data_dir, "migrate", "--noinput")
    manage(data_dir, "import_catalog", str(kit / "catalog.csv"), "--images", str(images))
    manage(data_dir, "embed", "--all", "--sync")
    started = time.monotonic()
    manage(data_dir, "train_search", "--sync")  # no worker runs: the photos re-mapped here
    figures = {"train_seconds": round(time.monotonic() - started)}
    out = data_dir / "heldout.json"
    # The fashion kits hold the dev kit's listings, in their words: its photo queries (photos of
    # listings outside the catalogue) are scored on each.
    photos = ["--photos", str(PHOTO_QUERIES)] if kit.name in FASHION_KITS else []
    manage(
        data_dir,
        "evaluate_search",
        "--queries",
        str(kit / "text_queries_heldout.csv"),
        "--truth",
        str(kit / "truth.csv"),
        *photos,
        "--json",
        str(out),
    )
    figures["heldout"] = json.loads(out.read_text())
    if kit.name == "original":
        dev = data_dir / "dev.json"
        manage(data_dir, "evaluate_search", "--json", str(dev))
        figures["dev_kit"] = json.loads(dev.read_text())
    manage(data_dir, "embedded_services", "stop")
    return figures


def previous_results() -> dict:
    path = ROOT / "bench" / "results" / "catalogue_quality.json"
    return json.loads(path.read_text())["catalogues"] if path.exists() else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kits", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True, help="a data folder per kit under it")
    parser.add_argument("--only", choices=KITS, action="append")
    args = parser.parse_args()
    # --only measures some catalogues again; the others keep the figures they were last given.
    results = previous_results() if args.only else {}
    for name in args.only or KITS:
        print(f"{name}:", flush=True)
        results[name] = measure(args.kits / name, args.data / name)
        print(json.dumps(results[name], indent=1), flush=True)
    path = record_result("catalogue_quality", {"catalogues": results})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
