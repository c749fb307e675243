"""What the benchmarks share: the evaluation kit's paths and a description of the machine."""

import argparse
import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def add_catalog_arguments(parser: argparse.ArgumentParser) -> None:
    """--catalog and --images, defaulting to the shared evaluation catalogue and its photos."""
    parser.add_argument("--catalog", type=Path, default=SHARED / "eval" / "catalog.csv")
    parser.add_argument(
        "--images",
        type=Path,
        default=SHARED / "datasets" / "fashion-product-images-small" / "images",
    )


def record_result(benchmark: str, fields: dict) -> Path:
    """Write bench/results/<benchmark>.json: the fields, when, and on what machine."""
    record = {
        "benchmark": benchmark,
        **fields,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": describe_machine(),
    }
    out = ROOT / "bench" / "results" / f"{benchmark}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n")
    return out


def describe_machine() -> dict:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "gpu": _gpu(),
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _gpu() -> str | None:
    try:
        result = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip() or None
