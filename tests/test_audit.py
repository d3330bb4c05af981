"""`make audit` (.ci/audit.py) fails on what is not excused, and only on that.

The network parts (pip-audit, PyPI) are replaced by fixed reports here; `make audit` in CI
runs them for real.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("leadline_audit", ROOT / ".ci" / "audit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def audit() -> ModuleType:
    return load_audit()


def report(*deps: dict[str, Any]) -> dict[str, Any]:
    return {"dependencies": list(deps)}


VULNERABLE = {
    "name": "oldlib",
    "version": "1.0",
    "vulns": [{"id": "PYSEC-2099-1", "aliases": ["CVE-2099-1"]}],
}


def test_a_vulnerability_fails_unless_excused(audit: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        audit, "pip_audit", lambda: report(VULNERABLE, {"name": "ok", "version": "2", "vulns": []})
    )
    problems, unaudited = audit.dependency_problems({})
    assert problems == ["oldlib 1.0: PYSEC-2099-1 (CVE-2099-1) is not excused in audit-ignore.toml"]
    assert unaudited == []
    excused = {"vulnerability": [{"id": "CVE-2099-1", "reason": "r", "reviewed": "x", "until": "2999-01-01"}]}
    assert audit.dependency_problems(excused) == ([], [])


def test_a_package_pip_audit_skipped_is_looked_up_on_pypi(
    audit: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    skipped = {"name": "newlib", "skip_reason": "Dependency not found on PyPI"}
    monkeypatch.setattr(audit, "pip_audit", lambda: report(skipped, {"name": "gone", "skip_reason": "x"}))
    monkeypatch.setattr(audit, "_installed", lambda name: "3.0")
    advisories = {"newlib": [{"id": "GHSA-aaaa", "aliases": []}, {"id": "GHSA-old", "withdrawn": "2020"}]}
    monkeypatch.setattr(audit, "latest_release_advisories", lambda name, version: advisories.get(name))
    problems, unaudited = audit.dependency_problems({})
    assert problems == ["newlib 3.0: GHSA-aaaa (no alias) is not excused in audit-ignore.toml"]
    assert unaudited == ["gone 3.0"]


def test_excuses_need_a_reason_a_reviewer_and_a_future_date(
    audit: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ignore = tmp_path / "audit-ignore.toml"
    ignore.write_text(
        '[[vulnerability]]\nid = "A"\nreason = "fine"\nreviewed = "me"\nuntil = "2000-01-01"\n'
        '[[noqa]]\nfile = "x.py"\nrule = "S105"\nreason = ""\nreviewed = "me"\n'
    )
    monkeypatch.setattr(audit, "IGNORE_FILE", ignore)
    _ignores, problems = audit.load_ignores()
    assert any("A has no `until` or has expired" in p for p in problems)
    assert any("lacks a reason" in p for p in problems)


def test_the_projects_own_ignore_list_is_complete_and_the_lint_is_clean(audit: ModuleType) -> None:
    ignores, problems = audit.load_ignores()
    assert problems == []
    assert audit.lint_problems(ignores) == []


def test_an_unlisted_noqa_in_shipped_code_fails(
    audit: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    (tmp_path / "loaders").mkdir()
    (tmp_path / "loaders" / "x.py").write_text('PASSWORD = "hunter2"  # noqa: S105\n')
    monkeypatch.setattr(audit, "ROOT", tmp_path)
    monkeypatch.setattr(audit, "SHIPPED", ("loaders",))
    ignores, _ = audit.load_ignores()
    problems = audit.lint_problems(ignores)
    assert any("loaders/x.py:1: `noqa: S105` is not justified" in p for p in problems)
