"""Lost leads and close reasons on a young period (issue 13): "lost leads -70 %" on leads too young
to have been closed is not good news. The change is grey on the page's tiles and in the e-mail
digest (one tile model, dashboard/ui/tile_model.py), with the reason under the tiles and in the
digest's notes, as outcome changes are on the Overview."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.digests.content import _tile as digest_tile
from dashboard.ui.fairness import LOSS_METRICS, outcome_change_is_unfair, young_losses_text
from tests.test_app_pages import APP, ROOT

# The last weeks (10 of 100 leads old enough) against an older period of the same size.
YOUNG = {
    "leads": 100,
    "mature_leads": 10,
    "lost": 6,
    "vague_close_rate": 0.5,
    "lost_after_one_attempt_rate": 0.6,
}
OLD = {
    "leads": 100,
    "mature_leads": 100,
    "lost": 20,
    "vague_close_rate": 0.2,
    "lost_after_one_attempt_rate": 0.3,
}


@pytest.mark.parametrize("name", LOSS_METRICS)
def test_a_loss_change_against_an_older_period_is_not_comparable(name: str) -> None:
    assert outcome_change_is_unfair(name, YOUNG, OLD)
    assert not outcome_change_is_unfair(name, OLD, OLD)  # two old periods compare fine
    assert not outcome_change_is_unfair("follow_up_rate", YOUNG, OLD)  # following up does not wait


def test_the_note_says_how_young_and_why_the_changes_are_grey() -> None:
    text = young_losses_text(YOUNG, OLD)
    assert text is not None
    assert text.startswith("90.0 % of these leads are younger than 90 days")
    assert "shown in grey, never as good or bad news" in text
    assert young_losses_text(OLD, OLD) is None
    assert "grey" not in (young_losses_text(YOUNG, None) or "")  # nothing compared, nothing greyed


def test_the_digest_tile_does_not_call_fewer_losses_good_news() -> None:
    young: dict[str, Any] = {**YOUNG, "leads": 400, "mature_leads": 40, "lost": 30}
    old: dict[str, Any] = {**OLD, "leads": 400, "mature_leads": 400, "lost": 100}
    tile = digest_tile("lost", young, old, 5, None)
    assert tile.delta == "-70.0 %"
    assert tile.good is None  # neither green nor red
    fair = digest_tile("lost", {**old, "lost": 30}, old, 5, None)
    assert fair.good is True  # the same drop between two old periods is good news


def test_close_reasons_page_greys_the_change_and_says_why(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", demo_url)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page(str(ROOT / "pages" / "close_reasons.py"))  # the default view: the last 30 days, young
    at.run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "their losses and close reasons are not all in yet" in captions
    assert "shown in grey" in captions
    lost = next(m for m in at.metric if m.label == "Lost leads")
    assert lost.proto.delta  # compared with the previous 30 days ...
    assert lost.proto.color == type(lost.proto).GRAY  # ... in grey, not green
