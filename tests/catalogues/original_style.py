"""The shared evaluation catalogue unchanged, with the held-out queries instead of the dev ones.

Beside the merchant-style kit (same listings, same queries, other wording) it separates what
the catalogue's style costs from what the fresh queries cost.
"""

import shutil
from pathlib import Path

from tests.catalogues.kit import CATALOG_FILE, EVAL_DIR, QUERIES_FILE, TRUTH_FILE
from tests.catalogues.queries import HELDOUT_SEED, write_heldout_queries


def write_original_style_kit(
    out_dir: Path, seed: int = HELDOUT_SEED, source_dir: Path = EVAL_DIR
) -> Path:
    """Copy the shared catalog.csv and truth.csv into out_dir and write held-out queries."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in (CATALOG_FILE, TRUTH_FILE):
        shutil.copyfile(source_dir / name, out_dir / name)
    write_heldout_queries(out_dir / TRUTH_FILE, out_dir / QUERIES_FILE, seed)
    return out_dir
