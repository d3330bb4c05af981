"""The URL <-> view round trip: what a link holds, what is kept, what is dropped and why."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.filters.url_state import (
    MAX_VALUES_PER_KEY,
    Choices,
    FilterState,
    decode,
    default_state,
    describe,
    encode,
    quick_pick_period,
    year_earlier,
)

TODAY = date(2026, 11, 22)  # a Sunday
CHOICES = Choices(
    labels={
        "brand": {"Aurelia": "Aurelia", "Vento": "Vento"},
        "market": {"IT": "IT", "DE": "DE"},
        "dealer_group_id": {"G1": "Gruppo Uno", "G2": "Gruppe Zwei"},
        "dealer_id": {"D1": "Autosalone Roma", "D2": "Moto Milano", "D3": "Autohaus Nord"},
        "lead_type": {"new_vehicle": "New vehicle"},
    },
    dealer_group={"D1": "G1", "D2": "G1", "D3": "G2"},
)
DEFAULT = default_state(TODAY)


@pytest.mark.parametrize(
    "state",
    [
        DEFAULT,
        FilterState(date(2025, 1, 1), date(2025, 12, 31), "year"),
        FilterState(date(2026, 2, 1), date(2026, 2, 28), "none", (("dealer_id", ("D1", "D3")),)),
        FilterState(
            date(2026, 11, 1),
            date(2026, 11, 22),
            "previous",
            (("brand", ("Aurelia",)), ("dealer_group_id", ("G1",)), ("lead_type", ("new_vehicle",))),
        ),
    ],
)
def test_encode_then_decode_gives_the_same_view_and_drops_nothing(state: FilterState) -> None:
    assert decode(encode(state), CHOICES, TODAY) == (state, [])


@pytest.mark.parametrize(
    ("params", "expected_start", "expected_end", "dropped_keys"),
    [
        ({}, DEFAULT.start, DEFAULT.end, []),
        ({"from": ["2026-01-01"], "to": ["2026-01-31"]}, date(2026, 1, 1), date(2026, 1, 31), []),
        ({"from": ["2026-13-01"], "to": ["2026-01-31"]}, date(2026, 1, 2), date(2026, 1, 31), ["from"]),
        ({"from": ["yesterday"]}, DEFAULT.start, DEFAULT.end, ["from"]),
        ({"from": ["2026-02-01"], "to": ["2026-01-01"]}, DEFAULT.start, DEFAULT.end, ["period"]),
        ({"from": ["1899-01-01"], "to": ["2026-01-01"]}, date(2025, 12, 3), date(2026, 1, 1), ["from"]),
        ({"from": ["2026-11-01"]}, date(2026, 11, 1), TODAY, []),
        (
            {"from": ["2026-01-01", "2026-02-01"], "to": ["2026-03-01"]},
            date(2026, 1, 31),
            date(2026, 3, 1),
            ["from"],
        ),
        ({"from": [""], "to": [""]}, DEFAULT.start, DEFAULT.end, []),
    ],
)
def test_dates_malformed_reversed_or_repeated_are_dropped_and_named(
    params: dict[str, list[str]], expected_start: date, expected_end: date, dropped_keys: list[str]
) -> None:
    state, dropped = decode(params, CHOICES, TODAY)
    assert (state.start, state.end) == (expected_start, expected_end)
    assert [d.key for d in dropped] == dropped_keys


@pytest.mark.parametrize(
    ("params", "kept", "dropped"),
    [
        ({"dealer": ["D1"]}, {"dealer_id": ("D1",)}, []),
        ({"dealer": ["D1", "D9"]}, {"dealer_id": ("D1",)}, [("dealer", "D9")]),
        ({"dealer": ["D1", "D1"]}, {"dealer_id": ("D1",)}, []),
        ({"brand": ["Nordwind"]}, {}, [("brand", "Nordwind")]),
        ({"group": ["G2"], "market": ["FR"]}, {"dealer_group_id": ("G2",)}, [("market", "FR")]),
        ({"colour": ["red"]}, {}, [("colour", "")]),
        ({"compare": ["lastweek"]}, {}, [("compare", "lastweek")]),
        ({"dealer": ["x" * 500]}, {}, [("dealer", "x" * 500)]),
        ({"embed": ["true"], "dealer": [""]}, {}, []),
        ({"lead_type": ["new_vehicle"]}, {"lead_type": ("new_vehicle",)}, []),
    ],
)
def test_unknown_or_out_of_scope_values_are_dropped_with_a_notice(
    params: dict[str, list[str]], kept: dict[str, tuple[str, ...]], dropped: list[tuple[str, str]]
) -> None:
    state, notices = decode(params, CHOICES, TODAY)
    assert dict(state.filters) == kept
    assert [(d.key, d.value) for d in notices] == dropped
    assert all(d.describe() for d in notices)


def test_a_scope_without_a_dealer_treats_it_exactly_like_an_unknown_one() -> None:
    narrow = Choices(labels={"dealer_id": {"D1": "Autosalone Roma"}})
    _, outside = decode({"dealer": ["D3"]}, narrow, TODAY)
    _, unknown = decode({"dealer": ["D999"]}, narrow, TODAY)
    assert (
        [d.reason for d in outside]
        == [d.reason for d in unknown]
        == ["unknown or outside your access; ignored"]
    )


def test_a_huge_list_is_cut_and_the_cut_is_reported() -> None:
    many = {f"D{i}": f"Dealer {i}" for i in range(500)}
    state, dropped = decode({"dealer": list(many)}, Choices(labels={"dealer_id": many}), TODAY)
    assert len(state.values("dealer_id")) == MAX_VALUES_PER_KEY
    assert [d.key for d in dropped] == ["dealer"]
    assert "only the first" in dropped[0].reason


def test_page_keys_are_left_to_the_page_not_reported() -> None:
    _, dropped = decode({"by": ["market"], "trend": ["roi"]}, CHOICES, TODAY, page_keys={"by", "trend"})
    assert dropped == []


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("7d", (date(2026, 11, 16), TODAY)),
        ("30d", (date(2026, 10, 24), TODAY)),
        ("90d", (date(2026, 8, 25), TODAY)),
        ("this_month", (date(2026, 11, 1), TODAY)),
        ("last_month", (date(2026, 10, 1), date(2026, 10, 31))),
        ("quarter", (date(2026, 10, 1), TODAY)),
        ("last_quarter", (date(2026, 7, 1), date(2026, 9, 30))),
        ("ytd", (date(2026, 1, 1), TODAY)),
        ("12m", (date(2025, 12, 1), TODAY)),
        ("last_year", (date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_quick_picks(key: str, expected: tuple[date, date]) -> None:
    assert quick_pick_period(key, TODAY) == expected
    assert FilterState(*expected).quick_pick(TODAY) == key


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        # A calendar month, quarter or year compares with the one before (Q3 with Q2, not 31 Mar-30 Jun).
        (FilterState(date(2026, 11, 1), date(2026, 11, 30)), (date(2026, 10, 1), date(2026, 10, 31))),
        (FilterState(date(2026, 7, 1), date(2026, 9, 30)), (date(2026, 4, 1), date(2026, 6, 30))),
        (FilterState(date(2025, 1, 1), date(2025, 12, 31)), (date(2024, 1, 1), date(2024, 12, 31))),
        (FilterState(date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 2, 1), date(2026, 2, 28))),
        # To date: the same days of the month, quarter or year before (clamped to the month's end).
        (FilterState(date(2026, 3, 1), date(2026, 3, 30)), (date(2026, 2, 1), date(2026, 2, 28))),
        (FilterState(date(2026, 10, 1), date(2026, 11, 22)), (date(2026, 7, 1), date(2026, 8, 22))),
        (FilterState(date(2026, 1, 1), date(2026, 5, 10)), (date(2025, 1, 1), date(2025, 5, 10))),
        # Rolling periods keep the same number of days just before.
        (FilterState(date(2026, 10, 24), date(2026, 11, 22)), (date(2026, 9, 24), date(2026, 10, 23))),
        (FilterState(date(2026, 3, 1), date(2026, 3, 1)), (date(2026, 2, 28), date(2026, 2, 28))),
        (FilterState(date(2024, 2, 29), date(2024, 3, 5), "year"), (date(2023, 2, 28), date(2023, 3, 5))),
        (FilterState(date(2026, 1, 1), date(2026, 1, 31), "none"), None),
    ],
)
def test_comparison_period_is_the_calendar_one_or_of_equal_length_or_a_year_earlier(
    state: FilterState, expected: tuple[date, date] | None
) -> None:
    assert state.comparison_period() == expected


def test_year_earlier_of_a_leap_day() -> None:
    assert year_earlier(date(2024, 2, 29)) == date(2023, 2, 28)


def test_dealer_list_narrows_to_the_chosen_group() -> None:
    chosen = DEFAULT.with_values("dealer_group_id", ["G1"])
    assert CHOICES.options("dealer_id", chosen) == ["D1", "D2"]
    assert CHOICES.options("dealer_id", DEFAULT) == ["D3", "D1", "D2"]  # sorted by name


def test_encode_writes_explicit_dates_and_leaves_the_default_comparison_out() -> None:
    state = FilterState(date(2026, 1, 1), date(2026, 1, 31), "previous", (("dealer_id", ("D1", "D2")),))
    assert encode(state) == {"from": ["2026-01-01"], "to": ["2026-01-31"], "dealer": ["D1", "D2"]}


def test_describe_uses_display_names() -> None:
    state = DEFAULT.with_values("dealer_id", ["D3"])
    assert describe(state, CHOICES) == "2026-10-24 to 2026-11-22; Dealer: Autohaus Nord"
