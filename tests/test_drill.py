"""Drill down: a click on a group becomes URL state within the viewer's access, and a chip undoes it.

AppTest cannot click a Plotly bar, so the click's logic is tested as functions (a click -> the new
query string -> ``decode``, exactly what the next run does) and the pages through their URL; the
browser test (tests/browser/test_e2e_drill.py) clicks a bar.
"""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.filters.drill import (
    Drill,
    breakdown_default,
    clicked_label,
    clicked_row,
    drill_filters,
    drilled_params,
    filter_chips,
    undone,
)
from dashboard.filters.url_state import Choices, FilterState, decode, encode
from tests.test_app_pages import open_page
from tests.test_app_roles import USERS, dealer_names, env, run_app  # noqa: F401 (env: a fixture)

TODAY = date(2026, 11, 22)
CHOICES = Choices(
    labels={
        "market": {"IT": "Italy", "DE": "Germany"},
        "dealer_group_id": {"G1": "Gruppo Uno", "G2": "Gruppe Zwei"},
        "dealer_id": {"D1": "Autosalone Roma", "D2": "Moto Milano", "D3": "Autohaus Nord"},
        "campaign_id": {"C1": "Spring launch"},
        "source": {"web": "Website"},
    },
    dealer_group={"D1": "G1", "D2": "G1", "D3": "G2"},
    dealer_market={"D1": "IT", "D2": "IT", "D3": "DE"},
)
BASE = FilterState(date(2026, 10, 24), date(2026, 11, 22))
OVERVIEW = ("market", "dealer_group_id", "dealer_id", "brand")


@pytest.mark.parametrize(
    ("filters", "options", "expected"),
    [
        ((), OVERVIEW, "market"),
        ((("market", ("IT",)),), OVERVIEW, "dealer_group_id"),
        ((("market", ("IT", "DE")),), OVERVIEW, "market"),  # two markets: still compare markets
        ((("dealer_group_id", ("G1",)), ("market", ("IT",))), OVERVIEW, "dealer_id"),
        ((("dealer_id", ("D1",)),), OVERVIEW, "dealer_id"),
        ((("dealer_group_id", ("G1",)),), ("market", "dealer_group_id"), "market"),  # no dealer option: fallback
        ((("campaign_id", ("C1",)),), ("campaign_id", "channel", "source"), "source"),
        ((("channel", ("paid",)),), ("campaign_id", "channel", "source"), "campaign_id"),
    ],
)
def test_the_breakdown_goes_one_level_below_the_narrowest_single_choice(
    filters: tuple[tuple[str, tuple[str, ...]], ...], options: tuple[str, ...], expected: str
) -> None:
    fallback = options[0]
    assert breakdown_default(FilterState(BASE.start, BASE.end, filters=filters), options, fallback) == expected


@pytest.mark.parametrize(
    ("state", "targets", "expected"),
    [
        (BASE, {"market": "IT"}, (("market", "IT"),)),
        (BASE, {"dealer_group_id": "G2"}, (("dealer_group_id", "G2"),)),
        (BASE, {"source": "web", "dealer_id": "D3"}, (("dealer_id", "D3"), ("source", "web"))),
        (BASE.with_values("market", ["IT"]), {"dealer_group_id": "G1"}, (("dealer_group_id", "G1"),)),
    ],
)
def test_a_click_on_a_group_in_scope_becomes_its_filter(
    state: FilterState, targets: dict[str, str], expected: tuple[tuple[str, str], ...]
) -> None:
    assert drill_filters(state, CHOICES, targets) == Drill(filters=expected)


@pytest.mark.parametrize(
    ("state", "targets"),
    [
        (BASE, {"campaign_id": None}),  # the "(none)" row: leads without a campaign
        (BASE, {"dealer_id": "D9"}),  # outside the viewer's access (or unknown: never told apart)
        (BASE, {"dealer_group_id": "G1' OR '1'='1"}),
        (BASE.with_values("market", ["DE"]), {"dealer_group_id": "G1"}),  # not in the chosen market
        (BASE.with_values("dealer_group_id", ["G2"]), {"dealer_id": "D1"}),  # not in the chosen group
        (BASE, {"source": "web", "dealer_id": "D9"}),  # one bad value refuses the whole click
    ],
)
def test_a_click_outside_what_the_viewer_may_choose_is_refused_and_changes_nothing(
    state: FilterState, targets: dict[str, str | None]
) -> None:
    drill = drill_filters(state, CHOICES, targets)
    assert drill.filters == ()
    assert "cannot be chosen" in drill.refused
    assert "D9" not in drill.refused and "G1" not in drill.refused  # never echoes what it was given


def test_a_restricted_viewer_cannot_drill_into_a_group_of_another_viewer() -> None:
    """Choices are built from the viewer's scope: a dealer principal of G1 has no G2 in them."""
    own = Choices(
        labels={"dealer_group_id": {"G1": "Gruppo Uno"}, "dealer_id": {"D1": "Autosalone Roma"}},
        dealer_group={"D1": "G1"},
    )
    assert drill_filters(BASE, own, {"dealer_group_id": "G2"}).refused
    assert drill_filters(BASE, own, {"dealer_id": "D3"}).refused
    assert drill_filters(BASE, own, {"dealer_id": "D1"}).filters == (("dealer_id", "D1"),)


def test_the_drilled_link_decodes_to_the_drilled_view_and_keeps_the_page_options() -> None:
    state = BASE.with_values("market", ["IT"])
    params = {**encode(state), "by": ["dealer_group_id"], "ov_sort": ["-roi"], "trend": ["leads"]}
    drill = drill_filters(state, CHOICES, {"dealer_group_id": "G1"})
    new = drilled_params(params, state, drill, reset_keys=("by",))
    assert new["group"] == ["G1"] and new["market"] == ["IT"]
    assert "by" not in new  # the breakdown follows the filters: one level down
    assert new["ov_sort"] == ["-roi"] and new["trend"] == ["leads"]
    decoded, dropped = decode(new, CHOICES, TODAY, page_keys=("by", "ov_sort", "trend"))
    assert dropped == []
    assert decoded == state.with_values("dealer_group_id", ["G1"])


def test_undoing_a_chip_removes_only_that_filter() -> None:
    state = BASE.with_values("market", ["IT"]).with_values("dealer_group_id", ["G1"])
    assert undone(state, "dealer_group_id") == BASE.with_values("market", ["IT"])
    assert filter_chips(state, CHOICES) == [
        ("market", "Market: Italy"),
        ("dealer_group_id", "Dealer group: Gruppo Uno"),
    ]


def test_chips_of_many_values_stay_short() -> None:
    state = BASE.with_values("dealer_id", ["D1", "D2", "D3", "D9"])
    assert filter_chips(state, CHOICES) == [
        ("dealer_id", "Dealer: Autosalone Roma, Moto Milano, Autohaus Nord +1")
    ]


def test_selection_events_are_read_as_streamlit_returns_them() -> None:
    chart = {"selection": {"points": [{"x": 0.42, "y": "Gruppo Uno", "point_index": 0}], "point_indices": [0]}}
    assert clicked_label(chart) == "Gruppo Uno"
    assert clicked_label({"selection": {"points": []}}) is None
    assert clicked_label(None) is None
    assert clicked_row({"selection": {"rows": [3], "columns": []}}) == 3
    assert clicked_row({"selection": {"rows": []}}) is None


# --- pages, through their URL ----------------------------------------------------------------


def _first_group(at: AppTest) -> str:
    return str(at.multiselect(key="flt_group").options[0])


def test_with_one_dealer_group_the_overview_breaks_down_by_its_dealers(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("overview", demo_url, monkeypatch)
    assert at.segmented_control(key="opt_by").value == "market"
    group_label = _first_group(at)
    at.multiselect(key="flt_group").select(group_label).run()
    assert not at.exception
    assert at.segmented_control(key="opt_by").value == "dealer_id"
    assert "by" not in at.query_params  # the default: a link without it opens the same way
    chip = next(b for b in at.button if b.key == "chip-dealer_group_id")
    assert chip.label.replace("\\", "").startswith("Dealer group: ")  # Markdown-escaped
    chip.click().run()
    assert not at.exception
    assert "group" not in at.query_params
    assert at.segmented_control(key="opt_by").value == "market"  # back up one level
    assert not any(b.key == "chip-dealer_group_id" for b in at.button)


def test_a_breakdown_chosen_by_hand_stays_when_the_filters_change(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("overview", demo_url, monkeypatch, {"by": "brand"})
    at.multiselect(key="flt_group").select(_first_group(at)).run()
    assert at.segmented_control(key="opt_by").value == "brand"
    assert at.query_params["by"] == "brand"


def test_a_drilled_link_opens_drilled_with_its_chip(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a click writes is an ordinary link: opened fresh (shared, or Back) it shows the same view."""
    at = open_page("overview", demo_url, monkeypatch)
    at.multiselect(key="flt_market").select(at.multiselect(key="flt_market").options[0]).run()
    market = at.query_params["market"]
    at = open_page("overview", demo_url, monkeypatch, {"market": market})
    assert not at.exception
    assert at.segmented_control(key="opt_by").value == "dealer_group_id"
    assert any(b.key == "chip-market" and b.label.replace("\\", "").startswith("Market: ") for b in at.button)


# --- a click never reaches beyond the viewer's access (issue 15, privacy) -------------------------


def test_a_dealer_principal_cannot_drill_into_another_group_or_its_dealers(env: str) -> None:  # noqa: F811
    """The dealer principal of G01 sends the clicks a crafted page could: G03, and a dealer of G03."""
    at = run_app(USERS["dealer_group"])
    view = at.session_state["leadline_view"]
    own_dealer = next(d for d, g in view.choices.dealer_group.items() if g == "G01")
    assert drill_filters(view.state, view.choices, {"dealer_id": own_dealer}).filters  # not "refuse all"
    assert drill_filters(view.state, view.choices, {"dealer_group_id": "G03"}).refused
    g03_names = set(dealer_names(env, "G03"))
    assert g03_names and not g03_names & {view.choices.label("dealer_id", d) for d in view.choices.options("dealer_id")}
    # And were a crafted link written anyway, the next run's decode drops it with the usual notice.
    at.query_params["group"] = "G03"
    at.run()
    assert not at.exception
    assert "group" not in at.query_params
    assert "'G03': unknown or outside your access" in "\n".join(w.value for w in at.warning)


def test_bar_targets_match_the_labels_the_charts_draw_full_and_shortened() -> None:
    from datetime import datetime

    import polars as pl

    from dashboard.access.viewer import DEMO_VIEWER
    from dashboard.filters.view import View
    from dashboard.ui.drill import bar_targets, row_targets
    from dashboard.ui.part_charts import short_label

    long_name = "Concessionaria Automobili Riunite del Nord Est e delle Isole"
    choices = Choices(labels={"dealer_group_id": {"G1": long_name, "G2": "Gruppe Zwei"}})
    view = View(DEMO_VIEWER, BASE, choices, datetime(2026, 11, 22), 5)
    frame = pl.DataFrame({"dealer_group_id": ["G1", "G2", None]})
    targets = bar_targets(frame, "dealer_group_id", view)
    assert targets[long_name] == targets[short_label(long_name)] == {"dealer_group_id": "G1"}
    assert targets["Gruppe Zwei"] == {"dealer_group_id": "G2"}
    assert targets["(none)"] == {"dealer_group_id": None}  # refused when clicked, never widened
    assert row_targets(frame, {"dealer_group_id": "dealer_group_id"})[1] == {"dealer_group_id": "G2"}
