"""Build the small demo catalogue in catalog/demo/ from the Fashion Product Images (Small) dataset.

Picks ``--count`` products like a real storefront: the slots are shared out across article
types in proportion to how often each type occurs in the dataset (largest-remainder rounding,
at least one for each type with ``MIN_TYPE_SIZE`` or more products), then filled with random
products of each type. Writes ``catalog.csv`` with generated descriptions, USD prices and
stock levels, and copies the matching photos into ``images/``.

This script was used once to build the committed subset; it is kept so the subset can be
rebuilt or regenerated with other settings:

    python catalog/demo/make_subset.py --source ../shared/datasets/fashion-product-images-small \
        --out catalog/demo --count 300 --seed 7
"""

import argparse
import csv
import random
import shutil
from decimal import Decimal
from pathlib import Path

FIELDS = ["sku", "title", "description", "category", "image", "price", "currency", "stock"]

# Price range in USD for each master category; anything else uses DEFAULT_PRICE_RANGE.
PRICE_RANGES = {
    "Apparel": (12, 80),
    "Footwear": (25, 140),
    "Accessories": (8, 120),
    "Personal Care": (4, 40),
}
DEFAULT_PRICE_RANGE = (10, 60)
MAX_STOCK = 40
OUT_OF_STOCK_SHARE = 0.1
# Article types with at least this many products get at least one slot; rarer ones may get none.
MIN_TYPE_SIZE = 40


def present(value: str) -> bool:
    """True when an attribute carries information (not empty, not 'NA')."""
    return value.strip() not in ("", "NA")


def load_rows(source: Path) -> list[dict[str, str]]:
    """Read products.csv, keeping rows with a title and an existing photo."""
    with open(source / "products.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [
        row
        for row in rows
        if row["title"].strip() and (source / "images" / f"{row['product_id']}.jpg").is_file()
    ]


def allocate(sizes: dict[str, int], count: int) -> dict[str, int]:
    """Share ``count`` slots out in proportion to ``sizes``, by largest remainder.

    A type with at least MIN_TYPE_SIZE products whose proportional share is below one slot
    gets exactly one, and the remaining slots are shared out again among the other types.
    """
    if sum(n >= MIN_TYPE_SIZE for n in sizes.values()) > count:
        raise ValueError(f"--count {count} is below the number of types needing a slot")
    slots: dict[str, int] = {}
    rest = dict(sizes)
    while True:
        left, total = count - len(slots), sum(rest.values())
        small = [t for t, n in rest.items() if n >= MIN_TYPE_SIZE and left * n < total]
        if not small:
            break
        for t in small:
            slots[t] = 1
            del rest[t]
    # Exact integer quotas: share = quotient + remainder / total.
    shares = {t: divmod(left * n, total) for t, n in rest.items()}
    spare = left - sum(q for q, _ in shares.values())
    for i, t in enumerate(sorted(rest, key=lambda t: (-shares[t][1], t))):
        slots[t] = shares[t][0] + (i < spare)
    return slots


def pick(rows: list[dict[str, str]], count: int, rng: random.Random) -> list[dict[str, str]]:
    """Random products of each article type, as many as allocate() gives the type."""
    by_type: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_type.setdefault(row["article_type"], []).append(row)
    slots = allocate({t: len(group) for t, group in by_type.items()}, count)
    return [row for t in sorted(by_type) for row in rng.sample(by_type[t], slots[t])]


def describe(row: dict[str, str]) -> str:
    """A short sentence built from the product's attributes."""
    words = [w for w in (row["base_colour"], row["article_type"].lower()) if present(w)]
    text = " ".join(words) or "item"
    if present(row["usage"]):
        text += f" in {row['usage'].lower()} style"
    return f"{text[0].upper()}{text[1:]}, from the {category(row)} range."


def category(row: dict[str, str]) -> str:
    return f"{row['master_category']} > {row['sub_category']}"


def price(row: dict[str, str], rng: random.Random) -> Decimal:
    """A uniform random price in the master category's range, ending in .99."""
    low, high = PRICE_RANGES.get(row["master_category"], DEFAULT_PRICE_RANGE)
    return Decimal(int(rng.uniform(low, high))) + Decimal("0.99")


def stock(rng: random.Random) -> int:
    """0 for about OUT_OF_STOCK_SHARE of products, otherwise 1..MAX_STOCK."""
    return 0 if rng.random() < OUT_OF_STOCK_SHARE else rng.randint(1, MAX_STOCK)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="dataset folder")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--count", type=int, default=300, help="number of products")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    chosen = sorted(
        pick(load_rows(args.source), args.count, rng), key=lambda r: int(r["product_id"])
    )

    images = args.out / "images"
    images.mkdir(parents=True, exist_ok=True)
    for old in images.glob("*.jpg"):
        old.unlink()

    with open(args.out / "catalog.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in chosen:
            image = f"{row['product_id']}.jpg"
            shutil.copyfile(args.source / "images" / image, images / image)
            writer.writerow(
                {
                    "sku": row["product_id"],
                    "title": row["title"].strip(),
                    "description": describe(row),
                    "category": category(row),
                    "image": image,
                    "price": price(row, rng),
                    "currency": "USD",
                    "stock": stock(rng),
                }
            )
    print(f"wrote {len(chosen)} products to {args.out / 'catalog.csv'}")


if __name__ == "__main__":
    main()
