"""A subscribed view turned into digest content, through the same code as the page.

The viewer is rebuilt from the access file at send time; the stored link parameters are decoded
against that viewer's choices (a filter value they may no longer see is dropped and said so); the
tiles come from ``data.period_totals`` and the table from ``data.metrics``, exactly as on the page;
suppressed numbers read "fewer than K leads". Nothing here names a person: the tables hold
aggregates of dealers, groups, markets, campaigns and sources only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import plotly.graph_objects as go
import polars as pl

from common import settings
from dashboard.access.viewer import Viewer
from dashboard.data import cached as data
from dashboard.data.choices import load_choices
from dashboard.data.period_guard import guarded_view
from dashboard.digests.specs import DIGEST_SPECS, DigestSpec, targets
from dashboard.filters.url_state import END_KEY, START_KEY, decode, encode
from dashboard.filters.view import View
from dashboard.ui.availability import has_input, missing
from dashboard.ui.fairness import young_losses_text
from dashboard.ui.format import MISSING, format_metric, suppressed_text, team_note
from dashboard.ui.tile_model import Tile, tile_model
from dashboard.ui.young_weeks import weekly_trend
from metrics.derived import with_derived_metrics, with_derived_row
from metrics.registry import metric
from metrics.waiting_now import waiting_sentence

TOP_ROWS = 10


@dataclass(frozen=True)
class DigestContent:
    """Everything a digest e-mail shows, already formatted."""

    title: str
    period: str
    comparison: str
    tiles: tuple[Tile, ...]
    table_title: str
    table_header: tuple[str, ...]
    table_rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]
    link: str
    figure: go.Figure | None = field(default=None, compare=False)


def deep_link(page: str, params: Mapping[str, Sequence[str]]) -> str:
    """The address that opens ``page`` with ``params`` (explicit dates) on the dashboard."""
    base = str(settings.get("public_url")).rstrip("/")
    return f"{base}/{page}?{urlencode({k: list(v) for k, v in params.items()}, doseq=True)}"


def _tile(
    name: str,
    total: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    k: int,
    target: float | None,
    missing_reason: str | None = None,
) -> Tile:
    """The tile as the page draws it: the same model (dashboard/ui/tile_model.py)."""
    return tile_model(name, total, previous, min_group_size=k, target=target, missing_reason=missing_reason)


def _table(spec: DigestSpec, view: View, by: str) -> tuple[tuple[tuple[str, ...], ...], list[str]]:
    k = view.min_group_size
    groups = with_derived_metrics(
        data.metrics(view.query((by,)), k).sort(
            ["suppressed", "leads"], descending=[False, True], nulls_last=True
        )
    )
    notes = []
    hidden = int(groups["suppressed"].sum()) if groups.height else 0
    if hidden:
        notes.append(f"{hidden} of {groups.height} rows have fewer than {k} leads and show no numbers.")
    people = [n for n in spec.table_metrics if metric(n).people]
    if people and "team_suppressed" in groups.columns and groups["team_suppressed"].fill_null(False).any():
        notes.append(f"Rows with a dash for speed: {team_note(k)}")
    if groups.height > TOP_ROWS:
        notes.append(
            f"The table shows the top {TOP_ROWS} of {groups.height} rows by leads; the link shows all."
        )
    rows = []
    for row in groups.head(TOP_ROWS).iter_rows(named=True):
        label = view.label(by, row[by])
        if row["suppressed"]:
            rows.append((f"{label} · {suppressed_text(k)}", *(MISSING for _ in spec.table_metrics)))
        else:
            rows.append((label, *(format_metric(n, row[n]) for n in spec.table_metrics)))
    return tuple(rows), notes


def _option(
    params: Mapping[str, Sequence[str]], key: str | None, options: Sequence[str], default: str
) -> str:
    values = list(params.get(key, ())) if key else []
    return values[0] if len(values) == 1 and values[0] in options else default


def build_digest(
    viewer: Viewer, page: str, params: Mapping[str, Sequence[str]], period: tuple[date, date], as_of: datetime
) -> DigestContent:
    """The digest of ``page`` with link ``params`` over ``period``, as ``viewer`` would see it."""
    spec = DIGEST_SPECS[page]
    today = period[1]
    k = int(settings.get("min_group_size"))
    choices = load_choices(viewer.scope, today)
    raw = {key: list(v) for key, v in params.items() if key not in (START_KEY, END_KEY)}
    raw[START_KEY], raw[END_KEY] = [period[0].isoformat()], [period[1].isoformat()]
    state, dropped = decode(raw, choices, today, spec.page_keys)
    view = View(viewer, state, choices, as_of, k)
    if not viewer.is_admin:  # the same whole-week periods as the pages (docs/privacy.md, section 3)
        view = guarded_view(view)
    notes = [f"Left out of this view: {d.describe()}" for d in dropped]
    by = _option(params, spec.breakdown_key, list(spec.breakdowns), spec.default_breakdown)
    chart_metric = _option(
        params, spec.chart_key, spec.kpis, "follow_up_rate" if spec.chart_key else spec.kpis[0]
    )
    link_params = {
        **encode(state),
        **{key: [v] for key, v in ((spec.breakdown_key, by), (spec.chart_key, chart_metric)) if key},
    }
    if spec.breakdown_key and by == spec.default_breakdown:
        link_params.pop(spec.breakdown_key)
    if spec.chart_key and chart_metric == "follow_up_rate":
        link_params.pop(spec.chart_key)
    goals = targets() if spec.targets else {}
    tiles: tuple[Tile, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    figure = None
    weekly = data.metrics(view.query(("week",)), k)  # one row per week that has leads, as on the pages
    if weekly.is_empty():
        notes.append("No leads match this view in the period.")
    else:
        total, previous = data.period_totals(view)
        total, previous = with_derived_row(total) or total, with_derived_row(previous)  # as the pages' tiles
        absent = missing(spec.kpis)
        tiles = tuple(_tile(n, total, previous, k, goals.get(n), absent.get(n)) for n in spec.kpis)
        if total.get("suppressed"):
            notes.append(f"Fewer than {k} leads match this view, so its numbers are not shown.")
        else:
            rows, table_notes = _table(spec, view, by)
            notes += table_notes
            if weekly.filter(~pl.col("suppressed")).height:
                figure = weekly_trend(weekly, chart_metric, target=goals.get(chart_metric))
            hidden_weeks = int(weekly["suppressed"].sum())
            if figure is not None and hidden_weeks:
                notes.append(f"{hidden_weeks} week(s) with fewer than {k} leads are left out of the chart.")
            elif figure is None:
                notes.append(f"No weekly chart: every week of this view is hidden (fewer than {k} leads).")
        if spec.page == "close-reasons" and (young := young_losses_text(total, previous)):  # as the page
            notes.append(young)
        if spec.page == "follow-up" and has_input("activities"):  # as the page's "Waiting now" panel
            notes.append(f"Waiting now: {waiting_sentence(data.waiting_now(view.query(), k))}")
    return DigestContent(
        title=spec.title,
        period=view.describe(),
        comparison=view.comparison_label(),
        tiles=tiles,
        table_title=f"By {spec.breakdowns[by].lower()}",
        table_header=(spec.breakdowns[by], *(metric(n).label for n in spec.table_metrics)),
        table_rows=rows,
        notes=tuple(notes),
        link=deep_link(page, link_params),
        figure=figure,
    )
