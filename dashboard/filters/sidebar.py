"""The sidebar filters and their binding to the URL (the Streamlit side of dashboard/filters/url_state.py).

Each run: when the query string is new (a fresh session, or a link opened over this one),
it is decoded into the widgets and what had to be dropped is remembered for the notice;
otherwise the widgets are the truth. After drawing, the view is encoded back into the URL.
So changing a filter updates the URL, and opening a URL restores exactly that view.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from urllib.parse import urlencode

import streamlit as st

from common.markdown import literal_markdown, shorten
from dashboard.filters.url_state import (
    COMPARISONS,
    CUSTOM,
    END_KEY,
    FILTER_KEYS,
    FILTER_NAMES,
    MAX_ECHOED_VALUE,
    QUICK_PICKS,
    START_KEY,
    STREAMLIT_KEYS,
    Choices,
    Dropped,
    FilterState,
    canonical_filters,
    decode,
    encode,
    quick_pick_period,
)

PICK_KEY, DATES_KEY, COMPARE_WIDGET = "flt_pick", "flt_dates", "flt_compare"
_WRITTEN, _NOTICES, _DECODED = "leadline_url_written", "leadline_url_notices", "leadline_url_decoded"
_LINK_SLOT = "leadline_link_slot"
_MOVED_DEFAULT = "leadline_moved_default"
MAIN_FILTERS = ("brand", "market", "dealer_group_id", "dealer_id")
MORE_FILTERS = ("campaign_id", "channel", "source", "lead_type")


def widget_key(dim: str) -> str:
    """Session-state key of the multiselect for filter ``dim`` (tests set and read it)."""
    return f"flt_{FILTER_KEYS[dim]}"


def read_query_params() -> dict[str, list[str]]:
    """The current query string as key -> all its values."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _seed_widgets(state: FilterState, today: date) -> None:
    st.session_state[PICK_KEY] = state.quick_pick(today)
    st.session_state[DATES_KEY] = (state.start, state.end)
    st.session_state[COMPARE_WIDGET] = state.compare
    for dim in FILTER_KEYS:
        st.session_state[widget_key(dim)] = list(state.values(dim))


def _on_pick(today: date) -> None:
    pick = st.session_state[PICK_KEY]
    if pick != CUSTOM:
        st.session_state[DATES_KEY] = quick_pick_period(pick, today)


def _on_dates(today: date) -> None:
    dates = st.session_state[DATES_KEY]
    if isinstance(dates, Sequence) and len(dates) == 2:
        st.session_state[PICK_KEY] = FilterState(dates[0], dates[1]).quick_pick(today)


def _clear_filters() -> None:
    for dim in FILTER_KEYS:
        st.session_state[widget_key(dim)] = []


def render_sidebar(
    choices: Choices,
    today: date,
    page_keys: Collection[str] = (),
    data_range: tuple[date | None, date | None] = (None, None),
) -> FilterState:
    """Draw the filters in the sidebar, keep the URL in step, and return the chosen view.

    ``page_keys`` are the URL keys of every page's own view options (see ``url_option``):
    they are neither reported as unknown nor touched here. ``data_range``: the first and last
    day with leads; a link without a period whose last 30 days hold no lead opens on the latest
    30 days with data (``moved_default_notice`` says so), and the date picker's help names it.
    """
    raw = read_query_params()
    own = {k: v for k, v in raw.items() if k not in STREAMLIT_KEYS and k not in page_keys}
    written = st.session_state.get(_WRITTEN)
    if written is None or DATES_KEY not in st.session_state or (own and own != written):
        decoded, dropped = decode(raw, choices, today, page_keys, data_end=data_range[1])
        _seed_widgets(decoded, today)
        st.session_state[_NOTICES] = dropped
        st.session_state[_DECODED] = decoded
        moved = START_KEY not in raw and END_KEY not in raw and decoded.end != today
        st.session_state[_MOVED_DEFAULT] = decoded if moved else None

    with st.sidebar:
        state = _period_widgets(today, data_range)
        state = _filter_widgets(state, choices)
        st.divider()
        st.session_state[_LINK_SLOT] = st.empty()

    params = encode(state)
    for key, values in params.items():
        if raw.get(key) != values:
            st.query_params[key] = values
    for key in own:
        if key not in params:  # a cleared filter, or a key the notice reported
            del st.query_params[key]
    st.session_state[_WRITTEN] = params
    if st.session_state.get(_DECODED) != state:
        st.session_state[_NOTICES] = []  # the user has moved on from the link they opened
        st.session_state[_MOVED_DEFAULT] = None
    return state


def unfiltered_state(
    choices: Choices, today: date, page_keys: Collection[str] = ()
) -> tuple[FilterState, list[Dropped]]:
    """The view the URL holds and what it had to drop, without drawing filters (for pages the
    filters do not affect); the URL is left as it is, so the next dashboard page has the same view."""
    return decode(read_query_params(), choices, today, page_keys)


def moved_default_notice() -> str | None:
    """'Your data ends on 31 May 2018; showing 2 May – 31 May 2018.' while the view is the default
    period that was moved onto the latest data (None otherwise)."""
    moved = st.session_state.get(_MOVED_DEFAULT)
    if not isinstance(moved, FilterState):
        return None
    return (
        f"Your data ends on {moved.end:%-d %b %Y}; showing {moved.start:%-d %b} – {moved.end:%-d %b %Y}, "
        "the latest 30 days with leads. Pick another period in the sidebar."
    )


def url_option_value(key: str, options: Mapping[str, str], default: str) -> str:
    """The value ``url_option(key, ...)`` is about to show, without drawing anything: lets a page
    ask for the chosen breakdown together with the tables above it. The page still takes
    ``url_option``'s answer as the truth and asks again in the rare case the two differ."""
    session_key = f"opt_{key}"
    raw = st.query_params.get_all(key)
    state = st.session_state.get(session_key)
    if state is not None and not (raw and raw != [state]):
        value = state
    else:
        value = raw[0] if len(raw) == 1 else default
    return value if value in options else default


def url_option(
    key: str, label: str, options: Mapping[str, str], default: str, *, help: str | None = None
) -> str:
    """A page's own view option (e.g. group by market or dealer group) kept in the URL as ``key``.

    Draws a segmented control with ``options`` (value -> label) and returns the value. The
    key must be listed in the page's ``PageSpec.url_keys`` (dashboard/app.py). A link with a
    value not in ``options`` opens with ``default`` and a short notice. ``default`` may follow the
    filters (dashboard/filters/drill.py ``breakdown_default``); an option left at the default follows
    it, one chosen by hand stays.
    """
    session_key, default_key = f"opt_{key}", f"opt_{key}_default"
    raw = st.query_params.get_all(key)
    if not raw and st.session_state.get(session_key) == st.session_state.get(default_key, default):
        st.session_state.pop(session_key, None)  # not chosen by hand: follows a default the filters moved
    st.session_state[default_key] = default
    if session_key not in st.session_state or (raw and raw != [st.session_state[session_key]]):
        value = raw[0] if len(raw) == 1 else default
        if value not in options:
            given = literal_markdown(repr(shorten(raw[0], MAX_ECHOED_VALUE)))  # the link's text, made inert
            st.caption(
                f":orange[The link's {key}={given} is not one of {', '.join(options)}; "
                f"showing {options[default]}.]"
            )
            value = default
        st.session_state[session_key] = value
    chosen = st.segmented_control(
        label, list(options), format_func=options.__getitem__, key=session_key, help=help
    )
    if chosen is None:  # a segmented control can be clicked off; keep a choice
        chosen = default
    if chosen == default:
        if key in st.query_params:
            del st.query_params[key]
    elif raw != [chosen]:
        st.query_params[key] = chosen
    return str(chosen)


def render_copy_link() -> None:
    """Fill the sidebar's 'Copy link' slot with the full URL of the view as it is now.

    Called by dashboard/app.py after the page ran, so the page's own options are in it.
    """
    slot = st.session_state.pop(_LINK_SLOT, None)
    if slot is None:
        return
    base = st.context.url or ""
    link = f"{base}?{urlencode(read_query_params(), doseq=True)}"
    with slot.container(), st.popover("Copy link", icon=":material/link:", width="stretch"):
        st.caption("This link opens exactly this page, period and filters. Copy it with the icon.")
        st.code(link, language=None, wrap_lines=True)


def remove_other_page_keys(page_keys: Collection[str], current_page_keys: Collection[str]) -> None:
    """Drop URL keys that belong to other pages (left over after switching pages)."""
    for key in list(st.query_params):
        if key in page_keys and key not in current_page_keys:
            del st.query_params[key]


def dropped_notices() -> list[Dropped]:
    """What the opened link held that could not be used (empty once the user changes a filter)."""
    return list(st.session_state.get(_NOTICES, []))


def _period_widgets(today: date, data_range: tuple[date | None, date | None] = (None, None)) -> FilterState:
    st.subheader("Period")
    picks = {**QUICK_PICKS, CUSTOM: "Custom dates"}
    st.selectbox(
        "Quick pick",
        list(picks),
        format_func=picks.__getitem__,
        key=PICK_KEY,
        on_change=_on_pick,
        args=(today,),
    )
    dates = st.date_input(
        "Dates",
        key=DATES_KEY,
        on_change=_on_dates,
        args=(today,),
        format="YYYY-MM-DD",
        help="First and last day of the period, both included (days in UTC). Weeks start on Monday in every "
        "chart and table; this calendar's own layout and shortcuts come with Streamlit and cannot be changed, "
        "so use Quick pick for calendar periods." + _data_range_text(data_range),
    )
    if isinstance(dates, Sequence) and len(dates) == 2 and dates[0] is not None and dates[1] is not None:
        start, end = dates[0], dates[1]
    else:  # the user has picked only the first day so far: keep the last complete period
        written = st.session_state.get(_DECODED)
        start, end = (written.start, written.end) if written else quick_pick_period("30d", today)
    compare = st.selectbox(
        "Compare with",
        list(COMPARISONS),
        format_func=COMPARISONS.__getitem__,
        key=COMPARE_WIDGET,
        help="Every KPI shows its change against this period. 'Previous period' is aligned to the calendar "
        "when the period is a month, quarter or year (Q3 against Q2; this month to date against the same "
        "days of last month), otherwise it is the same number of days just before.",
    )
    return FilterState(start=start, end=end, compare=str(compare))


def _data_range_text(data_range: tuple[date | None, date | None]) -> str:
    first, last = data_range
    if first is None or last is None:
        return ""
    return f" Your data runs from {first:%-d %b %Y} to {last:%-d %b %Y}."


def _filter_widgets(state: FilterState, choices: Choices) -> FilterState:
    st.subheader("Filters")
    for dim in MAIN_FILTERS:
        state = _multiselect(dim, state, choices)
    more_active = any(st.session_state.get(widget_key(dim)) for dim in MORE_FILTERS)
    with st.expander("Campaign, channel, source, lead type", expanded=more_active):
        for dim in MORE_FILTERS:
            state = _multiselect(dim, state, choices)
    if state.filters:
        st.button("Clear filters", on_click=_clear_filters, icon=":material/filter_alt_off:")
    return state


def _multiselect(dim: str, state: FilterState, choices: Choices) -> FilterState:
    """One filter; its options narrowed by the filters chosen above it (market -> group -> dealer)."""
    key = widget_key(dim)
    options = choices.options(dim, state)
    chosen = [v for v in st.session_state.get(key, []) if v in options]
    st.session_state[key] = chosen  # a dealer outside the newly chosen group falls away
    values = st.multiselect(
        FILTER_NAMES[dim],
        options,
        key=key,
        format_func=lambda v: choices.label(dim, v),
        placeholder="All",
    )
    return FilterState(
        state.start, state.end, state.compare, canonical_filters({**dict(state.filters), dim: values})
    )
