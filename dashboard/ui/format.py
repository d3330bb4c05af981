"""Numbers as people read them, one rule per registry format (count, percent, minutes ...).

Every page, tile, chart hover and export header formats through here, so a follow-up
rate reads the same everywhere. Values are as metrics_table returns them: rates as
fractions (0.873), durations in minutes, money in the warehouse currency.
"""

from __future__ import annotations

import math

from metrics.registry import Format, Metric, metric

CURRENCY = "€"  # the demo network's markets all use the euro; sale and spend amounts are in it
MISSING = "–"  # no value: e.g. a rate whose denominator is 0
NO_CHANGE = "no change"


def suppressed_text(min_group_size: int) -> str:
    """What a suppressed number shows instead of a value (never zero)."""
    return f"fewer than {min_group_size} leads"


def team_note(min_group_size: int) -> str:
    """The plain-language note next to "how people worked" figures hidden for a small team."""
    from common import settings

    team = int(settings.get("min_team_size"))
    return (
        f"Fewer than {team} salespeople (or fewer than {min_group_size} contacted leads): "
        "speed figures hidden to protect individuals."
    )


def _is_missing(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(value: float | int | None, fmt: Format) -> str:
    """``value`` in the registry format ``fmt``; ``–`` when there is none.

    >>> format_value(0.8734, "percent"), format_value(12345, "count"), format_value(95.0, "minutes")
    ('87.3 %', '12,345', '1 h 35 min')
    """
    if _is_missing(value):
        return MISSING
    assert value is not None
    if fmt == "count":
        return f"{round(value):,}"
    if fmt == "percent":
        return f"{value * 100:.1f} %"
    if fmt == "minutes":
        return format_minutes(float(value))
    if fmt == "money":
        return f"{CURRENCY}{value:,.0f}" if abs(value) >= 100 else f"{CURRENCY}{value:,.2f}"
    if fmt == "ratio":  # ROI: (profit - spend) / spend, read as a percentage of spend
        return f"{value * 100:+,.0f} %"
    return f"{value:,.1f}"


def format_minutes(minutes: float) -> str:
    """A duration: ``42 min``, ``3 h 5 min``, ``2 d 4 h``."""
    if minutes < 60:
        return f"{minutes:.0f} min" if minutes >= 10 else f"{minutes:.1f} min"
    if minutes < 24 * 60:
        hours, rest = divmod(round(minutes), 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, rest = divmod(round(minutes / 60), 24)
    return f"{days} d {rest} h" if rest else f"{days} d"


def format_metric(name: str, value: float | int | None) -> str:
    """The value of metric ``name`` in its registry format."""
    return format_value(value, metric(name).format)


def unit(m: Metric) -> str:
    """The unit of a metric for axis titles and export headers ('' for plain counts)."""
    return {
        "count": "",
        "percent": "%",
        "minutes": "minutes",
        "money": "EUR",
        "ratio": "% of spend",
        "number": "",
    }[m.format]


def axis_title(m: Metric) -> str:
    """``Follow-up rate (%)``: the label with its unit, for chart axes and CSV headers."""
    return f"{m.label} ({unit(m)})" if unit(m) else m.label


def format_delta(name: str, current: float | int | None, previous: float | int | None) -> str | None:
    """The change of metric ``name`` from ``previous`` to ``current`` in words, or None.

    Rates change in percentage points, durations in minutes, counts and money in percent.
    None when either value is missing (nothing to compare).
    """
    if _is_missing(current) or _is_missing(previous):
        return None
    assert current is not None and previous is not None
    fmt = metric(name).format
    diff = float(current) - float(previous)
    if fmt in ("percent", "ratio"):
        text = f"{diff * 100:+,.1f} pts"
    elif fmt == "minutes":
        text = ("-" if diff < 0 else "+") + format_minutes(abs(diff))
    elif previous == 0:
        return f"{diff:+,.0f}" if fmt == "count" else None
    else:
        text = f"{diff / abs(float(previous)) * 100:+,.1f} %"
    return NO_CHANGE if _is_zero(text) else text


def _is_zero(delta_text: str) -> bool:
    """True when the rounded change shows no digit other than 0 ('-0.0 pts', '+0.0 min')."""
    return not any(ch in "123456789" for ch in delta_text)


# What each metric's figure rests on, when not simply the group's leads: (column, words).
_BASES: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        (
            "median_first_response_min",
            "p90_first_response_min",
            "median_first_response_bh_min",
            "p90_first_response_bh_min",
            "duplicate_contact_rate",
            "avg_attempts",
            "invalid_contact_rate",
            "reached_of_contacted_rate",
        ),
        ("contacted", "contacted leads"),
    ),
    "vague_close_rate": ("lost", "lost leads"),
    "lost_after_one_attempt_rate": ("lost", "lost leads"),
    "conversion_in_window_rate": ("mature_leads", "leads old enough to judge"),
    "cost_per_sale_in_window": ("mature_leads", "leads old enough to judge"),
}


def based_on(metric_name: str, row: dict[str, object]) -> str:
    """'on 1,234 leads': the number of leads a figure of ``metric_name`` rests on, for hovers and
    tooltips ('' when ``row`` does not hold it)."""
    column, words = _BASES.get(metric_name, ("leads", "leads"))
    if column not in row:
        column, words = "leads", "leads"
    count = row.get(column)
    if not isinstance(count, int | float) or _is_missing(count):
        return ""
    return (
        f"on {format_value(count, 'count')} {words}"
        if count != 1
        else f"on 1 {words.replace('leads', 'lead', 1)}"
    )


def rests_on_note(metric_name: str) -> str:
    """The line a table column's help adds: what each row's figure rests on ('' for a count)."""
    if metric(metric_name).format == "count":
        return ""
    words = _BASES.get(metric_name, ("leads", "leads"))[1]
    return f"Each row's figure rests on that row's {words}: the fewer, the less it says."
