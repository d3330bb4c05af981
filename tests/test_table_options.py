"""A wide table's order and column set live in the URL; its height fits its rows up to a page."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard.ui.table_options import (
    HEADER_HEIGHT,
    PAGE_ROWS,
    ROW_HEIGHT,
    parse_sort,
    sort_options,
    sorted_rows,
    table_height,
)
from tests.test_app_detail_pages import ALL_TIME, open_detail_page
from tests.test_app_pages import open_page, texts

FRAME = pl.DataFrame(
    {
        "group": ["a", "b", "c", "d", "e"],
        "roi": [0.5, None, 2.0, 9.0, -0.1],
        "suppressed": [False, False, False, True, False],
    }
)


@pytest.mark.parametrize(("descending", "expected"), [(True, ["c", "a", "e", "b", "d"]), (False, ["e", "a", "c", "b", "d"])])
def test_blanks_and_suppressed_groups_sort_last_either_way(descending: bool, expected: list[str]) -> None:
    assert sorted_rows(FRAME, "roi", descending=descending)["group"].to_list() == expected


def test_sort_values_read_both_ways() -> None:
    assert sort_options({"roi": "ROI"}) == {"-roi": "ROI, high to low", "roi": "ROI, low to high"}
    assert parse_sort("-roi") == ("roi", True)
    assert parse_sort("leads") == ("leads", False)


@pytest.mark.parametrize(("rows", "shown"), [(0, 1), (3, 3), (PAGE_ROWS, PAGE_ROWS), (500, PAGE_ROWS)])
def test_a_table_is_as_tall_as_its_rows_up_to_a_page(rows: int, shown: int) -> None:
    assert table_height(rows) == HEADER_HEIGHT + ROW_HEIGHT * shown + 2


def test_the_campaign_ranking_order_is_kept_in_the_url(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_detail_page("campaigns", demo_url, monkeypatch, ALL_TIME)
    at.query_params["cp_sort"] = "-cost_per_lead"  # a link to this page (the Overview drops other pages' keys)
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    costs = [c for c in table["cost_per_lead"].tolist() if c == c and c is not None]
    assert costs == sorted(costs, reverse=True) and len(costs) > 2
    at.selectbox(key="opt_cp_sort").select("group").run()  # by name, A to Z
    assert at.query_params["cp_sort"] == "group"
    names = [n for n in at.dataframe[0].value["group"].tolist() if "fewer than" not in n]
    assert names == sorted(names)  # suppressed groups follow, whatever the order
    at.selectbox(key="opt_cp_sort").select("-leads").run()  # the default leaves the link
    assert "cp_sort" not in at.query_params


def test_a_link_with_a_sort_the_table_does_not_have_says_so(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_detail_page("campaigns", demo_url, monkeypatch, ALL_TIME)
    at.query_params["cp_sort"] = "<b>salary</b>"
    at.run()
    assert not at.exception
    assert "is not a column of this table" in texts(at)
    assert at.selectbox(key="opt_cp_sort").value == "-leads"


def test_more_columns_is_kept_in_the_url_on_the_overview(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page("overview", demo_url, monkeypatch, ALL_TIME)
    assert "median_first_response_min" not in at.dataframe[0].value.columns
    at.toggle(key="opt_ov_cols").set_value(True).run()
    assert not at.exception
    assert at.query_params["ov_cols"] == "all"
    assert "median_first_response_min" in at.dataframe[0].value.columns
    assert at.dataframe[0].value["group"].tolist()  # the group column stays first


def test_follow_up_dealer_table_shows_never_first_and_the_buckets_on_request(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_detail_page("follow_up", demo_url, monkeypatch, ALL_TIME)
    assert not at.exception
    table = next(d.value for d in at.dataframe if "dealer" in d.value.columns and "share_never" in d.value.columns)
    assert "p90_first_response_bh_min" not in table.columns
    at.query_params["fu_cols"] = "all"
    at.query_params["fu_sort"] = "-share_never"
    at.run()
    table = next(d.value for d in at.dataframe if "dealer" in d.value.columns and "share_never" in d.value.columns)
    assert "p90_first_response_bh_min" in table.columns
    never = [v for v in table["share_never"].tolist() if v == v and v is not None]
    assert never == sorted(never, reverse=True)
