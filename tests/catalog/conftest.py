from pathlib import Path

import pytest

from tests.conftest import jpeg_bytes


@pytest.fixture
def images(tmp_path) -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    for name, color in [("red.jpg", "red"), ("blue.jpg", "blue"), ("green.jpg", "green")]:
        (folder / name).write_bytes(jpeg_bytes(color))
    return folder
