"""The import contracts in pyproject.toml hold, and a wrong-way import or a cycle breaks them.

`make test` runs `lint-imports` on the tree; these tests copy the packages to a scratch folder,
add one bad import, and check that the contracts catch it (a contract that cannot fail proves
nothing).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("pages", "dashboard", "loaders", "metrics", "common")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _add_import(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    text = path.read_text()
    marker = "from __future__ import annotations\n"
    path.write_text(text.replace(marker, marker + "\n" + line + "  # noqa\n", 1))


def test_the_tree_keeps_every_contract(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "broken"),
    [
        ("loaders.warehouse.engine", "import dashboard.filters.view", "Layers: pages -> dashboard"),
        ("metrics.registry", "import loaders.request.query", "Layers: pages -> dashboard"),
        ("common.errors", "import metrics.registry", "Layers: pages -> dashboard"),
        ("metrics.compute", "import sqlalchemy", "metrics is pure"),
        ("metrics.suppression", "import streamlit", "metrics is pure"),
        ("loaders.request.query", "import loaders.facts.lead_facts", "Inside loaders, imports go down"),
        ("loaders.demo.network", "import loaders.imports.mapping", "Inside loaders, imports go down"),
        ("dashboard.access.roles", "import dashboard.ui.format", "Inside dashboard, imports go down"),
        ("pages.overview", "import pages.follow_up", "Page files do not know each other"),
        ("loaders.request.access_scope", "import loaders.request.query", "No import cycles"),
    ],
)
def test_a_wrong_way_import_breaks_a_contract(tree: Path, module: str, bad_import: str, broken: str) -> None:
    _add_import(tree, module, bad_import)
    result = _lint(tree)
    assert result.returncode != 0
    broken_lines = [line for line in result.stdout.splitlines() if " BROKEN" in line]
    assert any(line.startswith(broken) for line in broken_lines), result.stdout
