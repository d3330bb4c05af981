"""The frame every page shares: header, error handling with Retry, and aggregate tables.

A page body runs inside ``with guarded():`` so a LeadlineError (warehouse down, bad
setting) becomes a message with its hint and a Retry button, and anything unexpected
becomes a short apology in the page with the details in the server log: never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

import polars as pl
import streamlit as st

from common.errors import LeadlineError
from common.markdown import escape_markdown
from dashboard.data import cached as data
from dashboard.data.last_good import StaleNotice
from dashboard.filters.view import View, current_view
from dashboard.ui.availability import blank_not_in_data, column_help, freshness_line
from dashboard.ui.drill import render_filter_chips
from dashboard.ui.error_text import error_for_viewer
from dashboard.ui.format import rests_on_note, suppressed_text, team_note
from dashboard.ui.table_format import styled_table
from dashboard.ui.table_options import draw_table, table_height
from loaders.facts.state import one_check_per_read
from metrics.registry import BY_NAME, metric

_LOG = logging.getLogger("leadline.pages")


def day_range(start: date, end: date) -> str:
    """``24 Oct – 22 Nov 2026``: a period as people read it."""
    if start.year == end.year:
        return f"{start:%-d %b} – {end:%-d %b %Y}"
    return f"{start:%-d %b %Y} – {end:%-d %b %Y}"


def page_header(title: str, intro: str, view: View) -> None:
    """The page title, one sentence on what the page answers, and the period it shows."""
    st.title(title)
    st.caption(intro)
    line = f"**{day_range(view.state.start, view.state.end)}** ({view.state.days} days)"
    period = view.state.comparison_period()
    if period is not None:
        line += f" · changes against {day_range(*period)}"
    filters = view.describe().split("; ", 1)[1:]
    if filters:  # names from the warehouse, values from the link: shown literally, never as Markdown
        line += f" · {escape_markdown(filters[0])}"
    st.markdown(line)
    fresh = freshness_line()  # how fresh the data is, on every data page
    if fresh:
        st.caption(fresh)
    render_filter_chips(view)  # "Filtered by" chips: a click on a chip's cross removes that filter


def _viewer_is_admin() -> bool:
    """True when this run's viewer is an administrator (or in demo mode); False when unknown."""
    try:
        return current_view().viewer.is_admin
    except RuntimeError:
        return False


def show_error(exc: LeadlineError, *, key: str = "retry", admin: bool | None = None) -> None:
    """The error's message and hint in a red box, with a Retry button.

    Warehouse and configuration errors show their details to administrators only (``admin``,
    by default this run's viewer); others get a generic text with a reference that the server
    log keeps (dashboard/ui/error_text.py). Failed queries are never cached, so Retry only needs
    fresh connections and a rerun; the other sessions' cached tables stay.
    """
    exc = error_for_viewer(exc, admin=_viewer_is_admin() if admin is None else admin)
    st.error(f"**{exc.message}**" + (f"\n\n{exc.hint}" if exc.hint else ""), icon=":material/error:")
    if st.button("Retry", key=key, icon=":material/refresh:"):
        data.reset_connections()
        st.rerun()


def show_stale_notice(notice: StaleNotice, *, key: str = "retry-stale") -> None:
    """Say that the numbers shown are from earlier because the warehouse is not answering, with Retry."""
    since = notice.oldest.strftime("%H:%M UTC")
    error = error_for_viewer(notice.error, admin=_viewer_is_admin())
    st.warning(
        f"**Showing results from {since}: the warehouse is not answering.** {error.message}"
        + (f"\n\n{error.hint}" if error.hint else ""),
        icon=":material/cloud_off:",
    )
    if st.button("Retry", key=key, icon=":material/refresh:"):
        data.reset_connections()
        st.rerun()


@contextmanager
def guarded(key: str = "retry") -> Iterator[None]:
    """Run the block; turn a failure into a message on the page instead of a traceback.

    The block is one read of the warehouse: its tables share one look at ``leads`` for the consent
    check (``one_check_per_read``), so a page of twelve tables checks once per render, not twelve
    times; the next render checks again (docs/privacy.md section 1)."""
    try:
        with one_check_per_read():
            yield
    except LeadlineError as exc:
        show_error(exc, key=key)
    except Exception:
        _LOG.exception("Unexpected error while drawing a page")
        show_error(
            LeadlineError(
                "Something went wrong while drawing this page.",
                "Press Retry; if it happens again, the server log has the details for your administrator.",
            ),
            key=key,
        )


def no_leads_notice() -> None:
    """The message a page shows instead of charts when no lead matches the view."""
    st.info(
        "No leads match this period and these filters. Widen the period or clear a filter.",
        icon=":material/filter_alt_off:",
    )


def group_label_column(frame: pl.DataFrame, dim: str, view: View, *, column: str = "group") -> pl.DataFrame:
    """``frame`` with a first column of display labels for ``dim``; a suppressed group's label
    says 'fewer than K leads' (its numbers stay empty, never zero)."""
    labels = [view.label(dim, v) for v in frame[dim].to_list()]
    hidden = frame["suppressed"].to_list() if "suppressed" in frame.columns else [False] * frame.height
    note = suppressed_text(view.min_group_size)
    shown = [f"{label} · {note}" if h else label for label, h in zip(labels, hidden, strict=True)]
    return frame.with_columns(pl.Series(column, shown)).select(column, pl.exclude(column))


def metrics_dataframe(
    frame: pl.DataFrame,
    *,
    first_column: str,
    first_title: str,
    metric_names: Sequence[str],
    key: str,
    on_row_click: tuple[str, Callable[[], None]] | None = None,
) -> None:
    """An aggregate table: ``first_column`` (pinned) then ``metric_names``, each headed by its label
    with the registry definition as the column's help, numbers in the registry format, as tall as
    its rows up to a page. ``on_row_click``: (key, callback) from ``dashboard.ui.drill.row_drill``."""
    # Pinned, and not wider than "medium", so the numbers still show beside it on a phone.
    config: dict[str, Any] = {first_column: st.column_config.TextColumn(first_title, pinned=True, width="medium")}
    for name in metric_names:
        m = metric(name)
        # No format here: the Styler draws format_value's text, as on the tiles (table_format.py).
        config[name] = st.column_config.NumberColumn(
            m.label, help=column_help(_with_base(m.help, name), name)
        )
    names = [n for n in metric_names if n in BY_NAME]
    shown = blank_not_in_data(frame).select(first_column, *names)
    styled = styled_table(shown, {n: BY_NAME[n].format for n in names})
    draw_table(styled, config=config, key=key, height=table_height(shown.height), on_row_click=on_row_click)
    show_team_note(frame, metric_names)


def _with_base(help_text: str, metric_name: str) -> str:
    note = rests_on_note(metric_name)
    return f"{help_text}\n\n{note}" if note else help_text


def show_team_note(frame: pl.DataFrame, metric_names: Sequence[str]) -> None:
    """Say why "how people worked" figures are blank when a shown group's team was too small."""
    people = [n for n in metric_names if n in BY_NAME and BY_NAME[n].people]
    if not people or "team_suppressed" not in frame.columns:
        return
    hidden = frame.filter(pl.col("team_suppressed") & ~pl.col("suppressed").fill_null(False))
    if hidden.height:
        st.caption(f"{hidden.height} of {frame.height} rows: {team_note(current_view().min_group_size)}")
