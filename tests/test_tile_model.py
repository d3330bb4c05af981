"""One tile model for the page and the e-mail: the rules a tile follows, and the digest following them."""

from __future__ import annotations

from typing import Any

import pytest

from dashboard.digests.content import _tile
from dashboard.ui.tile_model import tile_model
from metrics.registry import METRICS

K = 5
PEOPLE = [m.name for m in METRICS if m.people]


def _row(**values: Any) -> dict[str, Any]:
    return {"leads": 200, "mature_leads": 200, "suppressed": False, "team_suppressed": False, **values}


@pytest.mark.parametrize("name", PEOPLE)
def test_a_small_team_hides_every_people_metric_on_the_page_and_in_the_digest(name: str) -> None:
    now = _row(team_suppressed=True, **{name: None})
    before = _row(**{name: 30.0})
    for tile in (tile_model(name, now, before, min_group_size=K), _tile(name, now, before, K, None)):
        assert tile.value == "hidden" and tile.delta is None and not tile.shows_value
    # and no change against a comparison period whose team was too small either
    tile = tile_model(name, _row(**{name: 30.0}), _row(team_suppressed=True, **{name: None}), min_group_size=K)
    assert tile.delta is None and tile.good is None


def test_an_outcome_change_against_a_younger_period_is_neither_good_nor_bad() -> None:
    older, younger = _row(sold=40), _row(sold=12, mature_leads=20)
    tile = _tile("sold", younger, older, K, None)
    assert tile.delta is not None and tile.good is None
    assert tile_model("sold", _row(sold=12), older, min_group_size=K).good is False  # same youth: bad news


def test_a_change_on_few_leads_is_neutral_and_names_its_counts() -> None:
    tile = tile_model("undelivered", _row(undelivered=5), _row(undelivered=4), min_group_size=K)
    assert tile.good is None and tile.delta == "+1 (4 before)"
    assert tile.note is not None and "4 before, 5 now" in tile.note


def test_spend_without_a_sale_is_the_worst_cost_per_sale_not_a_blank() -> None:
    tile = tile_model("cost_per_sale", _row(spend=1500.0, sold=0, cost_per_sale=None), None, min_group_size=K)
    assert tile.value == "no sales yet" and tile.note is not None and "spent" in tile.note


def test_a_target_says_how_far_and_whether_it_is_met() -> None:
    tile = tile_model("conversion_rate", _row(conversion_rate=0.10), None, min_group_size=K, target=0.13)
    assert tile.target is not None and "below" in tile.target and tile.target_met is False
