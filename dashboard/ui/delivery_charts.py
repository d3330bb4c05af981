"""Drawing for the Lead delivery page: the delivered share per source · dealer and week, and the
stretches of weeks whose leads never reached the dealer's CRM, in words."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go
import polars as pl

from dashboard.filters.view import View
from dashboard.ui.charts import DELIVERED_SCALE
from dashboard.ui.format import format_value, suppressed_text
from dashboard.ui.part_charts import heat_map

MAX_ROWS = 20


def heat_map_rows(pairs: pl.DataFrame, max_rows: int = MAX_ROWS) -> pl.DataFrame:
    """The source · dealer rows to draw: those with undelivered leads (most first), then the busiest.

    ``pairs`` is the metrics table by (source, dealer_id): leads, undelivered, suppressed.
    """
    shown = pairs.filter(~pl.col("suppressed"))
    broken = shown.filter(pl.col("undelivered") > 0).sort(["undelivered", "leads"], descending=True)
    busiest = shown.filter(pl.col("undelivered") == 0).sort("leads", descending=True)
    picked = pl.concat([broken.head(max_rows), busiest.head(max(0, max_rows - broken.height))])
    return picked.select("source", "dealer_id", "leads", "undelivered")


def delivered_share_figure(cells: pl.DataFrame, rows: pl.DataFrame, view: View) -> go.Figure:
    """Rows = source · dealer, columns = weeks, colour = share of sent leads that were delivered."""
    weeks = sorted(cells["week"].unique().to_list())
    col_of = {w: i for i, w in enumerate(weeks)}
    keys = list(rows.select("source", "dealer_id").iter_rows())
    row_of = {key: i for i, key in enumerate(keys)}
    names = [f"{view.label('source', s)} · {view.label('dealer_id', d)}" for s, d in keys]
    z: list[list[float | None]] = [[None] * len(weeks) for _ in keys]
    hover = [[f"{names[r]}<br>Week of {w:%-d %b %Y}<br>no leads" for w in weeks] for r in range(len(keys))]
    wanted = cells.join(rows.select("source", "dealer_id"), on=["source", "dealer_id"])
    for c in wanted.iter_rows(named=True):
        r, w = row_of[(c["source"], c["dealer_id"])], col_of[c["week"]]
        head = f"{names[r]}<br>Week of {c['week']:%-d %b %Y}"
        if c["suppressed"]:
            hover[r][w] = f"{head}<br>{suppressed_text(view.min_group_size)}"
            continue
        z[r][w] = c["delivered"] / c["sent"] if c["sent"] else None
        hover[r][w] = (
            f"{head}<br>Sent: {format_value(c['sent'], 'count')}"
            f"<br>Delivered: {format_value(c['delivered'], 'count')}"
            f"<br>Not delivered: {format_value(c['undelivered'], 'count')}"
        )
    return heat_map(
        z,
        x=[f"{w:%-d %b}" for w in weeks],
        y=names,
        hover=hover,
        colorscale=DELIVERED_SCALE,
        value_title="Delivered (%)",
        x_title="Week starting (Monday)",
        y_title="Source · dealer",
        zmin=0.0,
        zmax=1.0,
    )


def run_end(last_week: date, period_end: date) -> date:
    """The last day a run covers: the Sunday of its last week, or the period's end if earlier."""
    return min(last_week + timedelta(days=6), period_end)


def run_start(first_week: date, period_start: date) -> date:
    """The first day a run covers: the Monday of its first week, or the period's start if later."""
    return max(first_week, period_start)


def run_sentence(run: Mapping[str, Any], view: View) -> str:
    """'mobile_de → Autohaus Nord: 312 leads not delivered over 5 weeks, 2026-08-03 to 2026-09-06.'"""
    first, last, weeks = run["first_week"], run["last_week"], int(run["weeks"])
    source = view.label("source", str(run["source"]))
    dealer = run["dealer_name"] or view.label("dealer_id", str(run["dealer_id"]))
    span = "in 1 week" if weeks == 1 else f"over {weeks} weeks"
    return (
        f"**{source} → {dealer}**: {format_value(run['undelivered'], 'count')} of "
        f"{format_value(run['sent'], 'count')} leads not delivered {span}, "
        f"{run_start(first, view.state.start).isoformat()} to {run_end(last, view.state.end).isoformat()}."
    )


def notable_runs(runs: pl.DataFrame, min_group_size: int, limit: int = 3) -> pl.DataFrame:
    """The runs worth a callout: at least K leads lost and at least half of what was sent, biggest first."""
    return (
        runs.filter(
            ~pl.col("suppressed")
            & (pl.col("undelivered") >= min_group_size)
            & (pl.col("undelivered") * 2 >= pl.col("sent"))
        )
        .sort("undelivered", descending=True)
        .head(limit)
    )
