"""Complementary suppression (metrics/complementary.py) and the period blocks (metrics/period_blocks.py)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from metrics.complementary import complement_flags
from metrics.network_median import blended_median, network_median
from metrics.period_blocks import period_blocks, snap_period
from tests.privacy_attacks import unsafe_slices


def _flags(frame: pl.DataFrame, by: tuple[str, ...], k: int = 5) -> list[bool]:
    return complement_flags(frame, by, flag="hidden", size="n", min_size=k)["hidden"].to_list()


@pytest.mark.parametrize(
    ("sizes", "primary", "expected"),
    [
        ([2, 9, 30], [True, False, False], [True, True, False]),  # one hidden: the next smallest joins
        ([1, 2, 9, 30], [True, True, False, False], [True, True, True, False]),  # two hidden, 3 < K
        ([3, 4, 9, 30], [True, True, False, False], [True, True, False, False]),  # two hidden, 7 >= K
        ([9, 30], [False, False], [False, False]),  # nothing hidden, nothing to protect
        ([2], [True], [True]),  # a single group is the total: suppressed with it
    ],
)
def test_one_dimensional(sizes: list[int], primary: list[bool], expected: list[bool]) -> None:
    frame = pl.DataFrame({"g": [f"g{i}" for i in range(len(sizes))], "n": sizes, "hidden": primary})
    assert _flags(frame, ("g",)) == expected


def test_two_dimensional_per_row_and_column() -> None:
    # week x dealer; (w1, a) is small. Row w1 and column a each need a second hidden cell, and
    # the cell that closes the row must not leave a column with one hidden cell.
    cells = {
        ("w1", "a"): 1,
        ("w1", "b"): 20,
        ("w1", "c"): 8,
        ("w2", "a"): 6,
        ("w2", "b"): 20,
        ("w2", "c"): 30,
    }
    frame = pl.DataFrame(
        {"week": [w for w, _ in cells], "dealer": [d for _, d in cells], "n": list(cells.values())}
    ).with_columns((pl.col("n") < 5).alias("hidden"))
    result = frame.with_columns(pl.Series("hidden", _flags(frame, ("week", "dealer"))))
    assert unsafe_slices(result, ("week", "dealer"), "hidden", "n", 5) == []
    hidden = {(w, d) for w, d, h in result.select("week", "dealer", "hidden").rows() if h}
    assert hidden == {("w1", "a"), ("w1", "c"), ("w2", "a"), ("w2", "c")}


def test_team_threshold_counts_salespeople_of_the_hidden_set() -> None:
    frame = pl.DataFrame(
        {"g": ["a", "b", "c", "d"], "n": [9, 9, 9, 9], "team": [1, 1, 1, 5], "hidden": [True] + [False] * 3}
    )
    flags = complement_flags(frame, ("g",), flag="hidden", size="n", min_size=5, team="team", min_team=3)
    assert flags["hidden"].to_list() == [True, True, True, False]  # 1 + 1 + 1 salespeople reach 3


def test_blocks_hold_at_least_k_leads_and_snap_whole() -> None:
    mondays = [date(2026, 6, 1) + timedelta(weeks=i) for i in range(6)]
    counts = [3, 1, 6, 0, 2, 1]  # weeks 1-2 make a block (4 < 5: no), 1-3 (10), 4-6 (3: joins the one before)
    blocks = period_blocks(list(zip(mondays, counts, strict=True)), 5)
    assert blocks == [(date(2026, 6, 1), date(2026, 7, 12))]
    blocks = period_blocks(list(zip(mondays, [5, 1, 6, 0, 2, 9], strict=True)), 5)
    assert blocks == [
        (date(2026, 6, 1), date(2026, 6, 7)),
        (date(2026, 6, 8), date(2026, 6, 21)),
        (date(2026, 6, 22), date(2026, 7, 12)),
    ]
    assert snap_period(date(2026, 6, 9), date(2026, 6, 10), blocks) == (date(2026, 6, 8), date(2026, 6, 21))
    assert snap_period(date(2025, 1, 1), date(2025, 1, 1), blocks) == (date(2024, 12, 30), date(2025, 1, 5))
    assert period_blocks([], 5) == []


def test_blended_median_is_not_one_dealers_figure() -> None:
    figures = [0.1, 0.3, 0.5, 0.8, 0.9]
    assert pl.Series(figures).median() in figures  # the plain median of an odd count is one dealer's
    assert blended_median(figures) not in figures
    assert blended_median([0.2, 0.4, 0.6, 0.8]) == pytest.approx(0.5)


def test_network_median_needs_five_other_dealers() -> None:
    from loaders.queries.aggregates import COUNT_SCHEMA

    def peers(n: int) -> pl.DataFrame:
        rows = [dict.fromkeys(COUNT_SCHEMA, 0) | {"leads": 10, "contacted": 2 * (i + 1)} for i in range(n)]
        return pl.DataFrame(rows, schema=COUNT_SCHEMA)

    assert network_median(peers(4), 3)["follow_up_rate"][0] is None  # K = 3 is not enough
    assert network_median(peers(5), 3)["follow_up_rate"][0] == pytest.approx(0.6)  # (0.4 + 0.6 + 0.8) / 3
