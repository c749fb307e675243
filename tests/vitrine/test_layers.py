"""The layers are a contract (pyproject's [tool.importlinter]): an import that runs upward fails
`make lint`. Checked here on a copy of the code, once as it is and once with a wrong-way import."""

import shutil
import subprocess
import sys
from pathlib import Path

from tests.processes import PROJECT_ROOT

PACKAGES = ("vitrine", "core", "catalog", "search", "workers", "shop", "merchant")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_import_against_the_layers_breaks_the_lint(tmp_path):
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path)
    for package in PACKAGES:
        shutil.copytree(
            PROJECT_ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "demo", "static"),
        )
    kept = lint_imports(tmp_path)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "3 kept, 0 broken" in kept.stdout

    # The catalogue reaching up into search, as its merchant pages once did.
    with (tmp_path / "catalog" / "selectors.py").open("a") as module:
        module.write("\nfrom search.models import ProductIndex  # noqa\n")
    broken = lint_imports(tmp_path)
    assert broken.returncode == 1
    assert "Each package imports only the layers below it BROKEN" in broken.stdout
    assert "catalog.selectors -> search.models" in broken.stdout
