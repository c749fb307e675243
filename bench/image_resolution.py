"""Trade photo quality against speed: EmbeddedEncoder's photo model at several input sizes.

On a fixed random sample of the evaluation catalogue (seed 0), for each input size:

- speed: photos per second through `encode_images` (PIL fitting and normalising included,
  photos decoded beforehand), timed over the whole sample after one warm-up batch;
- photo to photo: for each product its 10 nearest others by cosine similarity; P@10 is the
  share with the same article type, "exact" P@10 the share with the same type and colour;
- text to photo (ConSE): for each article type in the sample, the query is its name
  lower-cased ("casual shoes"); P@10 is the share of the 10 best photos (through
  `images_to_text_space`) of that type, averaged over the types.

truth.csv only scores the rankings; nothing is fitted to it. Each timing records the share of
the CPU that other processes used meanwhile (from /proc/stat), and the speeds of a few sizes
are measured again at the end. Records the result in bench/results/image_resolution.json.

    .venv/bin/python bench/image_resolution.py [--sizes 64 96 128] [--sample 2000]
"""

import argparse
import csv
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
from common import ROOT, SHARED, add_catalog_arguments, record_result
from PIL import Image

SIZES = [64, 80, 96, 112, 128, 160, 224]
TOP_K = 10
BUSY = 0.10  # other processes using this share of the CPU make a speed figure unreliable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    parser.add_argument("--sample", type=int, default=2000, help="products (default 2000)")
    parser.add_argument(
        "--recheck",
        type=int,
        nargs="*",
        default=[96, 128],
        help="sizes whose speed is measured again at the end (default 96 128)",
    )
    add_catalog_arguments(parser)
    parser.add_argument("--truth", type=Path, default=SHARED / "eval" / "truth.csv")
    args = parser.parse_args()

    setup_django()
    from search.ml.encoders.device import device_profile

    products = sample_products(args.catalog, args.truth, args.images, args.sample)
    images = [load_photo(product["path"]) for product in products]
    types = np.array([product["article_type"] for product in products])
    colours = np.array([product["colour"] for product in products])
    print(f"{len(products)} products, {len(set(types))} article types; photos decoded.")

    profile = device_profile()
    results = []
    print(format_header())
    for size in args.sizes:
        encoder = build_encoder(profile, size)
        vectors, speed, others = timed_encode(encoder, images)
        row = {
            "image_size": size,
            "images_per_second": round(speed, 1),
            "cpu_used_by_other_processes": others,
            **photo_to_photo(vectors, types, colours),
            **text_to_photo(encoder, vectors, types),
        }
        results.append(row)
        print(format_row(row), flush=True)

    rechecks = []
    for size in args.recheck:
        first = next((row for row in results if row["image_size"] == size), None)
        if first is None:
            continue
        _, speed, others = timed_encode(build_encoder(profile, size), images)
        rechecks.append(
            {
                "image_size": size,
                "first_images_per_second": first["images_per_second"],
                "again_images_per_second": round(speed, 1),
                "cpu_used_by_other_processes": others,
            }
        )
        print(f"{size:>4} px again: {speed:.1f} photos/s (first {first['images_per_second']})")
    shares = [
        r["cpu_used_by_other_processes"]
        for r in [*results, *rechecks]
        if r["cpu_used_by_other_processes"] is not None
    ]
    busy = max(shares, default=None)

    print()
    print(format_header())
    for row in results:
        print(format_row(row))
    print(speed_note(busy))

    out = record_result(
        "image_resolution",
        {
            "encoder": "EmbeddedEncoder (efficientnet-lite0 photos, minilm-l6-v2 text, ConSE)",
            "catalog": args.catalog.name,
            "sample": len(products),
            "sample_seed": 0,
            "article_types_in_sample": len(set(types)),
            "device": str(profile.device),
            "torch_threads": torch_threads(),
            "image_batch_size": profile.image_batch_size,
            "results": results,
            "speed_rechecks": rechecks,
            "speed_note": speed_note(busy),
            "load_average_at_end": [round(load, 2) for load in os.getloadavg()],
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
        },
    )
    print(f"\nrecorded in {out}")


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vitrine.settings")
    import django

    django.setup()


def sample_products(catalog: Path, truth: Path, images: Path, size: int) -> list[dict]:
    with truth.open(newline="") as handle:
        truth_by_sku = {row["sku"]: row for row in csv.DictReader(handle)}
    with catalog.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["image"]]
    chosen = random.Random(0).sample(rows, min(size, len(rows)))
    return [
        {
            "sku": row["sku"],
            "path": images / row["image"],
            "article_type": truth_by_sku[row["sku"]]["article_type"],
            "colour": truth_by_sku[row["sku"]]["colour"],
        }
        for row in chosen
    ]


def load_photo(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("RGB")


def build_encoder(profile, size: int):
    from search.ml.encoders.minilm_efficientnet import EmbeddedEncoder

    return EmbeddedEncoder(profile, image_size=size)


def timed_encode(encoder, images: list[Image.Image]) -> tuple[np.ndarray, float, float | None]:
    """The sample's image vectors, photos per second (after one warm-up batch), and the share
    of the machine's CPU time that other processes used meanwhile."""
    encoder.encode_images(images[: encoder.image_batch_size])
    busy_before, ours_before = machine_busy_seconds(), own_cpu_seconds()
    started = time.perf_counter()
    vectors = encoder.encode_images(images)
    seconds = time.perf_counter() - started
    busy_after, ours_after = machine_busy_seconds(), own_cpu_seconds()
    others = None
    if busy_before is not None and busy_after is not None:
        other_seconds = (busy_after - busy_before) - (ours_after - ours_before)
        others = round(max(0.0, other_seconds) / (seconds * os.cpu_count()), 3)
    return vectors, len(images) / seconds, others


def machine_busy_seconds() -> float | None:
    """CPU seconds all processes have used since boot (Linux), idle and iowait excluded."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def speed_note(busy: float | None) -> str:
    if busy is None:
        return "could not tell whether other processes shared the CPU: speeds are indicative"
    if busy > BUSY:
        return (
            "speed measured while other work ran: other processes used up to "
            f"{busy:.0%} of the CPU during a timing; speeds are indicative"
        )
    return f"other processes used at most {busy:.0%} of the CPU during the timings"


def photo_to_photo(vectors: np.ndarray, types: np.ndarray, colours: np.ndarray) -> dict:
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)  # a product is not its own neighbour
    nearest = top_k(similarity)
    same_type = types[nearest] == types[:, None]
    same_colour = colours[nearest] == colours[:, None]
    return {
        "photo_p10": round(float(same_type.mean()), 4),
        "photo_exact_p10": round(float((same_type & same_colour).mean()), 4),
    }


def text_to_photo(encoder, vectors: np.ndarray, types: np.ndarray) -> dict:
    names = sorted(set(types))
    queries = encoder.encode_texts([name.lower() for name in names])
    photos = encoder.images_to_text_space(vectors)
    best = top_k(queries @ photos.T)
    hits = types[best] == np.array(names)[:, None]
    per_type = hits.mean(axis=1)
    # A type with fewer than 10 photos in the sample cannot reach 1: also report the others.
    common = np.array([(types == name).sum() >= TOP_K for name in names])
    return {
        "text_p10": round(float(per_type.mean()), 4),
        "text_p10_types_with_10_photos": round(float(per_type[common].mean()), 4),
        "text_query_types": len(names),
        "text_query_types_with_10_photos": int(common.sum()),
    }


def top_k(scores: np.ndarray) -> np.ndarray:
    """Per row, the columns of the TOP_K highest scores, best first."""
    candidates = np.argpartition(-scores, TOP_K, axis=1)[:, :TOP_K]
    order = np.argsort(-np.take_along_axis(scores, candidates, axis=1), axis=1)
    return np.take_along_axis(candidates, order, axis=1)


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def format_header() -> str:
    return (
        f"{'size':>6} {'photos/s':>9} {'photo P@10':>11} {'exact P@10':>11} "
        f"{'text P@10':>10} {'text P@10 (>=10)':>17} {'others CPU':>10}"
    )


def format_row(row: dict) -> str:
    share = row["cpu_used_by_other_processes"]
    others = "?" if share is None else f"{share:.0%}"
    return (
        f"{row['image_size']:>3} px {row['images_per_second']:>9.1f} {row['photo_p10']:>11.3f} "
        f"{row['photo_exact_p10']:>11.3f} {row['text_p10']:>10.3f} "
        f"{row['text_p10_types_with_10_photos']:>17.3f} {others:>10}"
    )


if __name__ == "__main__":
    main()
