"""A small run of the benchmark (bench/run.py), so that it cannot rot between real runs.

On a small demo warehouse and the default views only: the hand-written reference SQL must
give Leadline's numbers (bench/run.py raises otherwise), the naive Polars approach too, and
the table must list every page. The timings themselves are not checked here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import run
from bench.pages import PAGES
from loaders.demo.generate import generate_demo

pytestmark = pytest.mark.slow


def test_the_benchmark_runs_and_checks_its_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # 100k leads is the brief's smoke size; fewer keep the suite fast and exercise the same code.
    monkeypatch.setitem(run.SCALES, "smoke", 5_000)
    generate_demo(tmp_path / "bench_smoke.duckdb", leads=5_000, seed=7, end=run.END)
    argv = ["--scales", "smoke", "--folder", str(tmp_path), "--runs", "1", "--no-pg", "--filter-changes", "3"]
    assert run.main([*argv, "--only-default"]) == 0
    table = capsys.readouterr().out
    for page in PAGES:
        assert f"{page} " in table
    assert "default year" in table and "default quarter" in table
    assert "server-like process memory" in table
    assert "ratio1" in table  # the one-statement references ran (and were checked equal) too
