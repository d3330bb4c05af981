"""`leadline metrics --as-user EMAIL` counts exactly the leads the access file gives that user."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.cli import main
from tests.conftest import Warehouse
from tests.test_scope_union import _seed

ACCESS = """
contact = "the Leadline team"

[[grant]]
role = "brand"
domains = ["brand-a.example"]
brands = ["A"]
markets = ["IT"]

[[grant]]
role = "brand"
idp_groups = ["team-b"]
brands = ["B"]

[[grant]]
role = "dealer_group"
emails = ["principal@g2.example"]
dealer_groups = ["G2"]
"""


@pytest.fixture
def seeded(duckdb_warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    _seed(duckdb_warehouse.engine)
    duckdb_warehouse.engine.dispose()  # the CLI opens the file itself
    access = tmp_path / "access.toml"
    access.write_text(ACCESS, encoding="utf-8")
    monkeypatch.setenv("LEADLINE_ACCESS_FILE", str(access))
    monkeypatch.setenv("LEADLINE_MIN_GROUP_SIZE", "1")  # these tests count single leads
    return duckdb_warehouse


def _leads(url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> int:
    code = main(["metrics", "--warehouse", url, "--start", "2026-01-01", "--end", "2026-01-31",
                 "--min-group-size", "1", "--format", "json", *extra])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    return int(json.loads(capsys.readouterr().out)[0]["leads"])


@pytest.mark.parametrize(
    ("args", "leads"),
    [
        ((), 21),  # 3 brands x 7 dealers: the warehouse owner sees everything
        (("--as-user", "Anna@Brand-A.example"), 3),  # brand A at the 3 Italian dealers
        (("--as-user", "anna@brand-a.example", "--as-group", "team-b"), 3 + 7),  # plus brand B everywhere
        (("--as-user", "principal@g2.example"), 3 * 2),  # D4 and D5, every brand
    ],
)
def test_as_user_applies_the_access_file(
    seeded: Warehouse, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], leads: int
) -> None:
    assert _leads(seeded.url, capsys, *args) == leads


def test_a_user_without_access_is_refused(seeded: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["metrics", "--warehouse", seeded.url, "--start", "2026-01-01", "--end", "2026-01-31",
                 "--as-user", "stranger@example.org"])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "gives stranger@example.org no access" in err and "the Leadline team" in err


def test_as_group_alone_is_a_mistake(seeded: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["metrics", "--warehouse", seeded.url, "--start", "2026-01-01", "--end", "2026-01-31",
                 "--as-group", "team-b"])  # fmt: skip
    assert code == 2 and "--as-group needs --as-user" in capsys.readouterr().err


@pytest.mark.parametrize("k", ["1", "4"])
def test_as_user_cannot_lower_k(
    seeded: Warehouse, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, k: str
) -> None:
    monkeypatch.setenv("LEADLINE_MIN_GROUP_SIZE", "5")
    args = ["metrics", "--warehouse", seeded.url, "--start", "2026-01-01", "--end", "2026-01-31",
            "--min-group-size", k, "--format", "json"]  # fmt: skip
    assert main([*args, "--as-user", "principal@g2.example"]) == 2
    err = capsys.readouterr().err
    assert "below the configured 5" in err and "can only be raised" in err
    assert main(args) == 0  # the warehouse owner (no --as-user) may lower it
    capsys.readouterr()
    assert main([*args[:-4], "--min-group-size", "6", "--format", "json", "--as-user", "principal@g2.example"]) == 0
