"""TimedMemo: an answer is reused while young, recomputed when old, never kept when it failed."""

from __future__ import annotations

import pytest

from loaders.warehouse.timed_memo import TimedMemo


def test_an_answer_is_reused_while_young_and_recomputed_when_old() -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    memo: TimedMemo[int] = TimedMemo(3600.0)
    assert memo.get("a", compute) == 1 and memo.get("a", compute) == 1
    assert memo.get("a", compute, seconds=0.0) == 2  # too old for this caller
    assert memo.get("b", compute) == 3 and memo.last("a") == 2
    memo.clear()
    assert memo.last("a") is None and memo.get("a", compute) == 4


def test_a_failure_is_raised_and_not_kept() -> None:
    memo: TimedMemo[int] = TimedMemo(3600.0)

    def fail() -> int:
        raise RuntimeError("down")

    with pytest.raises(RuntimeError):
        memo.get("a", fail)
    assert memo.last("a") is None and memo.get("a", lambda: 7) == 7


def test_it_remembers_a_bounded_number_of_keys() -> None:
    memo: TimedMemo[str] = TimedMemo(3600.0, max_keys=2)
    for key in ("a", "b", "c"):
        memo.get(key, lambda key=key: key)  # type: ignore[misc]
    assert memo.last("a") is None and memo.last("b") == "b" and memo.last("c") == "c"
