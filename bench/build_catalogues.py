"""Write the held-out evaluation kits: the shared catalogue, a merchant-style rewrite, home goods.

Each kit has the shared kit's format (catalog.csv, truth.csv, text_queries_heldout.csv), so a
search tuned on the dev kit can be measured on catalogues and queries it was never tuned on.

    .venv/bin/python bench/build_catalogues.py --out /tmp/kits
"""

import argparse
import sys
from collections import Counter
from pathlib import Path

from common import ROOT, SHARED

sys.path.insert(0, str(ROOT))

from tests.catalogues.home_goods import write_home_goods_kit
from tests.catalogues.kit import CATALOG_FILE, QUERIES_FILE, TRUTH_FILE, read_rows
from tests.catalogues.merchant_style import write_merchant_style_kit
from tests.catalogues.original_style import write_original_style_kit

FASHION_IMAGES = SHARED / "datasets" / "fashion-product-images-small" / "images"


def main() -> None:
    """Build the three kits under --out and say what each holds and where its photos are."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="Folder for the kits.")
    parser.add_argument("--merchant-seed", type=int, default=7)
    parser.add_argument("--home-seed", type=int, default=3)
    parser.add_argument("--home-products", type=int, default=240)
    args = parser.parse_args()

    kits = {
        "original": (write_original_style_kit(args.out / "original"), FASHION_IMAGES),
        "merchant": (
            write_merchant_style_kit(args.out / "merchant", seed=args.merchant_seed),
            FASHION_IMAGES,
        ),
    }
    home = write_home_goods_kit(
        args.out / "home_goods", products=args.home_products, seed=args.home_seed
    )
    kits["home_goods"] = (home, home / "images")
    for name, (folder, images) in kits.items():
        print(describe(name, folder, images))


def describe(name: str, folder: Path, images: Path) -> str:
    """A few lines on one kit: listings, sparse ones, queries by kind, files and photos."""
    listings = len(read_rows(folder / CATALOG_FILE))
    sparse = sum(row["sparse"] == "1" for row in read_rows(folder / TRUTH_FILE))
    kinds = Counter(row["kind"] for row in read_rows(folder / QUERIES_FILE))
    by_kind = ", ".join(f"{kind} {count}" for kind, count in kinds.items())
    return (
        f"{name}: {folder}\n"
        f"  {CATALOG_FILE}: {listings} listings ({sparse} sparse); {TRUTH_FILE}\n"
        f"  {QUERIES_FILE}: {sum(kinds.values())} queries ({by_kind})\n"
        f"  images: {images}"
    )


if __name__ == "__main__":
    main()
