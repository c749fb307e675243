"""The layers are a contract (pyproject's [tool.importlinter]): an import that runs upward fails
`make lint`. Checked here on a copy of the code, once as it is and once with a wrong-way import."""

import shutil
import subprocess
import sys
from pathlib import Path

import grimp

from tests.processes import PROJECT_ROOT

PACKAGES = ("vitrine", "core", "accounts", "catalog", "search", "workers", "shop", "merchant")


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


def import_circles(graph: grimp.ImportGraph) -> list[set[str]]:
    """The sets of modules that import each other round in a circle (Tarjan's components)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(module: str) -> None:
        index[module] = lowest[module] = len(index)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                lowest[module] = min(lowest[module], lowest[imported])
            elif imported in stack:
                lowest[module] = min(lowest[module], index[imported])
        if lowest[module] == index[module]:
            component = set()
            while not component or module not in component:
                component.add(stack.pop())
            if len(component) > 1:
                circles.append(component)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return circles


def test_no_module_imports_itself_back_through_others():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert import_circles(graph) == []
    # The check sees a circle where there is one: two modules that import each other.
    graph.add_import(importer="catalog.models", imported="catalog.selectors")
    assert import_circles(graph) == [{"catalog.models", "catalog.selectors"}]
