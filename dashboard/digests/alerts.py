"""Evaluating alert rules: which groups breach now, and the e-mail when an alert starts or clears.

A rule is evaluated as its recipient, within their access at that moment (like a digest). The
groups breaching now are compared with the groups stored as firing: new ones start the alert
(one e-mail), vanished ones clear it (one e-mail); a group that keeps breaching sends nothing.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import polars as pl

from common import settings
from dashboard.access.viewer import Viewer
from dashboard.data import cached as data
from dashboard.data.choices import load_choices
from dashboard.data.period_guard import guarded_period_cached
from dashboard.digests.alert_kinds import AlertKind
from dashboard.digests.content import deep_link
from dashboard.filters.url_state import END_KEY, FILTER_KEYS, START_KEY, decode, encode
from dashboard.ui.format import format_metric
from loaders.appdb.store import AlertRule
from loaders.request.query import LeadQuery


@dataclass(frozen=True)
class Breach:
    """A group that breaches a rule now: its key, label, figures in words and deep link."""

    key: str
    label: str
    figures: str
    link: str


def rule_period(rule: AlertRule, now: datetime) -> tuple[datetime, datetime]:
    """The rule's window: the last ``window_days`` complete days (UTC), ending yesterday."""
    end = (now - timedelta(days=1)).date()
    start = end - timedelta(days=rule.window_days - 1)
    return datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.min.time())


def threshold_text(kind: AlertKind, threshold: float) -> str:
    """The threshold as people read it, in the metric's format (a count of leads where it counts leads)."""
    if kind.key == "delivery_break" or kind.table == "waiting_now":
        return f"{threshold:g} leads"
    return format_metric(kind.metric, threshold)


def _rows(kind: AlertKind, query: LeadQuery, k: int) -> pl.DataFrame:
    """The rows the kind judges: the metrics table, or the leads waiting now per dealer."""
    if kind.table == "waiting_now":
        return data.waiting_now(query, k)
    return data.metrics(query, k)


def _figures(kind: AlertKind, row: dict[str, Any]) -> str:
    if kind.table == "waiting_now":
        return f"{row['waiting']} leads waiting now; {row['from_480']} for a business day or more"
    return f"{format_metric('leads', row['leads'])} leads; {format_metric(kind.metric, row[kind.metric])}"


def breaches(kind: AlertKind, rule: AlertRule, viewer: Viewer, now: datetime) -> dict[str, Breach]:
    """The groups of the rule's view that breach its threshold now (suppressed groups never do)."""
    start, end = (d.date() for d in rule_period(rule, now))
    k = int(settings.get("min_group_size"))
    choices = load_choices(viewer.scope, end)
    raw = {key: list(v) for key, v in rule.params.items() if key not in (START_KEY, END_KEY)}
    raw[START_KEY], raw[END_KEY] = [start.isoformat()], [end.isoformat()]
    state, _dropped = decode(raw, choices, end)
    as_of = now.replace(minute=0, second=0, microsecond=0)
    query = LeadQuery(start, end, as_of, kind.group_by, state.filters, viewer.scope)
    if not viewer.is_admin:  # the same whole-week periods as the pages (docs/privacy.md, section 3)
        guarded_start, guarded_end = guarded_period_cached(query, k)
        query = replace(query, start=guarded_start, end=guarded_end)
    frame = _rows(kind, query, k)
    found: dict[str, Breach] = {}
    for row in frame.iter_rows(named=True):
        if row["suppressed"] or not kind.breaches(row, rule.threshold):
            continue
        values = [str(row[d]) for d in kind.group_by]
        label = " → ".join(choices.label(d, v) for d, v in zip(kind.group_by, values, strict=True))
        figures = _figures(kind, row)
        narrowed = state
        for dim, value in zip(kind.group_by, values, strict=True):
            if dim in FILTER_KEYS:
                narrowed = narrowed.with_values(dim, [value])
        found["|".join(values)] = Breach(
            "|".join(values), label, figures, deep_link(kind.page, encode(narrowed))
        )
    return found


def alert_message(
    kind: AlertKind,
    rule: AlertRule,
    started: list[Breach],
    cleared: list[Breach],
    now: datetime,
    *,
    sender: str,
) -> EmailMessage:
    """One e-mail for one rule's changes in this run: the groups that started, those that cleared."""
    start, end = (d.date() for d in rule_period(rule, now))
    rule_text = f"{kind.label}: {kind.comparison} {threshold_text(kind, rule.threshold)}, last {rule.window_days} days"
    state = "started" if started else "cleared"
    count = len(started) or len(cleared)
    subject = f"Leadline alert {state}: {kind.label} ({count} group{'s' if count != 1 else ''})"
    lines = [f"Rule: {rule_text} ({start} to {end}).", ""]
    parts = [f"<p>Rule: {html.escape(rule_text)} ({start} to {end}).</p>"]
    for title, group in (("Started (breaching now)", started), ("Cleared (no longer breaching)", cleared)):
        if not group:
            continue
        lines.append(f"{title}:")
        parts.append(f"<h3>{html.escape(title)}</h3><ul>")
        for breach in group:
            lines.append(
                f"- {breach.label}: {breach.figures} ({kind.comparison} {threshold_text(kind, rule.threshold)})"
            )
            lines.append(f"  Open: {breach.link}")
            parts.append(
                f"<li>{html.escape(breach.label)}: {html.escape(breach.figures)} "
                f"({html.escape(kind.comparison)} {html.escape(threshold_text(kind, rule.threshold))}) "
                f'<a href="{html.escape(breach.link)}">open</a></li>'
            )
        lines.append("")
        parts.append("</ul>")
    lines.append(
        "You get one e-mail when an alert starts and one when it clears. Manage rules under Subscriptions."
    )
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = rule.email
    message.set_content("\n".join(lines) + "\n")
    message.add_alternative(f"<!doctype html><html><body>{''.join(parts)}</body></html>", subtype="html")
    return message
