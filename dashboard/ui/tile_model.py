"""What a KPI tile says, decided once for the page and the e-mail digest.

``tile_model`` turns a metric's row (and the comparison period's) into words: the value, the
change, whether the change is good, bad or neither, the target line and a note. The page
(dashboard/ui/kpi.py) and the digest (dashboard/digests/content.py) render the same Tile, so a
rule added here (a young period, a small team, a change on few leads) holds in both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.ui.fairness import outcome_change_is_unfair
from dashboard.ui.format import NO_CHANGE, format_delta, format_metric, suppressed_text, team_note
from metrics.availability import NOT_IN_DATA
from metrics.registry import metric

Row = Mapping[str, Any]

# Below this many (leads, or of the counted thing) a change is shown neutral (grey) with the counts.
SMALL_BASE = 20


@dataclass(frozen=True)
class Tile:
    """A KPI tile in words: label, value, change against the comparison, target line."""

    name: str
    label: str
    value: str
    delta: str | None = None
    good: bool | None = None  # the change is an improvement (None: neutral, or no change shown)
    target: str | None = None
    target_met: bool | None = None
    note: str | None = None  # a line under the value: why it is missing, hidden or to read with care
    shows_value: bool = True  # False: the value is words ("not in your data", "hidden", ...)


def small_base(name: str, current: Row, previous: Row) -> bool:
    """True when the change of ``name`` rests on fewer than SMALL_BASE of what it counts (the count
    itself for counts, the leads of either period for rates and other figures)."""
    if metric(name).format == "count":
        return max(abs(current.get(name) or 0), abs(previous.get(name) or 0)) < SMALL_BASE
    return min(current.get("leads") or 0, previous.get("leads") or 0) < SMALL_BASE


def base_words(name: str, current: Row, previous: Row) -> str:
    """The counts a change rests on: ``4 before, 5 now`` (counts) or the leads of both periods."""
    if metric(name).format == "count":
        return f"{previous.get(name) or 0:,} before, {current.get(name) or 0:,} now"
    return f"{previous.get('leads') or 0:,} leads before, {current.get('leads') or 0:,} now"


def no_sales_yet(row: Row) -> bool:
    """Money was spent and nothing sold: the worst cost per sale, which a division cannot give."""
    return row.get("cost_per_sale") is None and bool(row.get("spend")) and not row.get("sold")


def target_words(name: str, value: float | None, target: float) -> tuple[str, bool | None]:
    """``Target 95.0 % · 2.1 pts below`` and whether it is met (None: no value to judge)."""
    label = f"Target {format_metric(name, target)}"
    if value is None:
        return label, None
    better = metric(name).better
    met = value >= target if better == "higher" else value <= target
    gap = (format_delta(name, value, target) or "").lstrip("+-")
    return f"{label} · {gap} {'above' if value >= target else 'below'}", met


def _hidden(name: str, current: Row | None, min_group_size: int, missing_reason: str | None) -> Tile | None:
    """The tile when its value cannot be shown as a number, else None."""
    m = metric(name)
    if missing_reason is not None:
        return Tile(name, m.label, NOT_IN_DATA, note=missing_reason, shows_value=False)
    if current is None or current.get("suppressed"):
        return Tile(
            name,
            m.label,
            suppressed_text(min_group_size),
            note="Too few leads to show this number.",
            shows_value=False,
        )
    if name == "cost_per_sale" and no_sales_yet(current):
        spent = format_metric("spend", current["spend"])
        return Tile(
            name, m.label, "no sales yet", note=f"{spent} spent, no sale in this period.", shows_value=False
        )
    if m.people and current.get("team_suppressed"):
        return Tile(name, m.label, "hidden", note=team_note(min_group_size), shows_value=False)
    return None


def tile_model(
    name: str,
    current: Row | None,
    previous: Row | None = None,
    *,
    min_group_size: int,
    target: float | None = None,
    missing_reason: str | None = None,
) -> Tile:
    """The tile of metric ``name`` from a metrics_table row (None: no row at all).

    A change is neutral (``good`` None) when it is no change, rests on fewer than SMALL_BASE
    (then a count's change reads ``+1 (4 before)``), or compares an outcome over periods of
    different youth (dashboard/ui/fairness.py). No change is shown against a suppressed or
    team-suppressed comparison.
    """
    hidden = _hidden(name, current, min_group_size, missing_reason)
    if hidden is not None:
        return hidden
    assert current is not None
    m = metric(name)
    value = current.get(name)
    delta = note = None
    good = None
    usable_previous = (
        previous is not None
        and not previous.get("suppressed")
        and not (m.people and previous.get("team_suppressed"))
    )
    if previous is not None and usable_previous:
        before = previous.get(name)
        delta = format_delta(name, value, before)
        small = delta not in (None, NO_CHANGE) and small_base(name, current, previous)
        if small:
            note = f"A change on few leads ({base_words(name, current, previous)}): read it with care."
            if m.format == "count":
                delta = f"{int(value or 0) - int(before or 0):+,} ({int(before or 0):,} before)"
        neutral = (
            delta in (None, NO_CHANGE)
            or small
            or outcome_change_is_unfair(name, current, previous)
            or m.better == "neutral"
            or value == before
        )
        if not neutral and value is not None and before is not None:
            good = (value > before) == (m.better == "higher")
    target_text = met = None
    if target is not None:
        target_text, met = target_words(name, value, target)
    return Tile(name, m.label, format_metric(name, value), delta, good, target_text, met, note)
