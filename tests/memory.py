"""Peak memory of this process around a block of code, and large photos made without raising it."""

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

MB = 1024 * 1024
STATUS = Path("/proc/self/status")


def _status_kb(field: str) -> int:
    for line in STATUS.read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


@contextmanager
def peak_memory() -> Iterator[Callable[[], int]]:
    """Yields a function that says, once the block is over, how many bytes the process's
    resident memory rose at its highest above where it stood when the block began."""
    start = _status_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM) to the current RSS
    peak: list[int] = []
    yield lambda: peak[0]
    peak.append((_status_kb("VmHWM") - start) * 1024)


def camera_jpeg(width: int, height: int) -> bytes:
    """A noisy JPEG of this size, like a camera's, encoded in another process: this one never
    holds its pixels, so that freed memory cannot hide a full-size decode from peak_memory."""
    script = (
        "import io, sys\n"
        "from PIL import Image\n"
        f"tile = Image.effect_noise((500, 500), 12).convert('RGB')\n"
        f"image = Image.new('RGB', ({width}, {height}), 'navy')\n"
        f"for x in range(0, {width}, 500):\n"
        f"    for y in range(0, {height}, 500):\n"
        "        image.paste(tile, (x, y))\n"
        "buffer = io.BytesIO()\n"
        "image.save(buffer, 'JPEG', quality=70)\n"
        "sys.stdout.buffer.write(buffer.getvalue())\n"
    )
    return subprocess.run([sys.executable, "-c", script], check=True, capture_output=True).stdout
