"""The dashboard's view as a query string, both ways: decode, validate, describe, encode.

The URL is the view's state: every filter, the period and the comparison live in the
query string (the page lives in the URL path, routed by ``st.navigation``). ``decode``
turns whatever a link holds into a valid ``FilterState`` plus the list of values it had
to drop and why; it never raises, and it never keeps a value outside the viewer's
``Choices`` (which only hold what the viewer's scope allows). ``encode`` is its inverse.

Both are pure functions; the Streamlit side (reading and writing ``st.query_params``,
seeding widgets) lives in ``dashboard/filters/sidebar.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from common.markdown import literal_markdown, shorten
from dashboard.filters.calendar_periods import calendar_pick, previous_calendar_period

# Filter dimension -> URL key. The order is the sidebar's order.
FILTER_KEYS: dict[str, str] = {
    "brand": "brand",
    "market": "market",
    "dealer_group_id": "group",
    "dealer_id": "dealer",
    "campaign_id": "campaign",
    "channel": "channel",
    "source": "source",
    "lead_type": "lead_type",
}
DIMENSION_OF_KEY = {key: dim for dim, key in FILTER_KEYS.items()}
# Words people read in notices and export headers.
FILTER_NAMES: dict[str, str] = {
    "brand": "Brand",
    "market": "Market",
    "dealer_group_id": "Dealer group",
    "dealer_id": "Dealer",
    "campaign_id": "Campaign",
    "channel": "Channel",
    "source": "Source",
    "lead_type": "Lead type",
}
START_KEY, END_KEY, COMPARE_KEY = "from", "to", "compare"
SIDEBAR_KEYS = frozenset({START_KEY, END_KEY, COMPARE_KEY, *FILTER_KEYS.values()})
# Parameters Streamlit itself reads; a link may carry them and they are left alone.
STREAMLIT_KEYS = frozenset({"embed", "embed_options"})

# The one list of presets (the sidebar's; the picker's own calendar presets cannot be changed).
QUICK_PICKS: dict[str, str] = {
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "this_month": "This month",
    "last_month": "Last month",
    "quarter": "This quarter",
    "last_quarter": "Last quarter",
    "ytd": "Year to date",
    "12m": "Last 12 months",
    "last_year": "Last year",
}
CUSTOM = "custom"
DEFAULT_PICK = "30d"

COMPARISONS: dict[str, str] = {
    "previous": "Previous period",  # aligned to the calendar when the period is a calendar one (help)
    "year": "Same period a year earlier",
    "none": "No comparison",
}
DEFAULT_COMPARE = "previous"

# Bounds that keep a hostile or mistyped link cheap to handle.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
MAX_VALUES_PER_KEY = 100
MAX_VALUE_LENGTH = 200
# An unknown key or a dropped value is echoed in the notice at most this long (docs/privacy.md).
MAX_ECHOED_KEY = 24
MAX_ECHOED_VALUE = 40


@dataclass(frozen=True)
class Choices:
    """What a viewer may choose, already limited to their access scope.

    ``labels`` maps each filter dimension to {value: display label}; a value absent from
    it is unknown or outside the viewer's scope (the two are never told apart, so a
    link cannot probe what exists elsewhere). ``dealer_group`` and ``dealer_market`` map
    each dealer to its group and market, so choosing one narrows the dealer list.
    """

    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    dealer_group: Mapping[str, str] = field(default_factory=dict)
    dealer_market: Mapping[str, str] = field(default_factory=dict)

    def label(self, dim: str, value: str) -> str:
        """The display label of ``value`` of ``dim`` (the value itself when it has none)."""
        return self.labels.get(dim, {}).get(value, value)

    def options(self, dim: str, state: FilterState | None = None) -> list[str]:
        """The values of ``dim`` a viewer may pick, narrowed by ``state``'s market and group."""
        values = list(self.labels.get(dim, {}))
        if dim == "dealer_id" and state is not None:
            groups, markets = state.values("dealer_group_id"), state.values("market")
            if not self.dealer_market:  # markets unknown per dealer: do not narrow by them
                markets = ()
            values = [
                v
                for v in values
                if (not groups or self.dealer_group.get(v) in groups)
                and (not markets or self.dealer_market.get(v) in markets)
            ]
        if dim == "dealer_group_id" and state is not None and state.values("market") and self.dealer_market:
            markets = state.values("market")
            in_market = {g for d, g in self.dealer_group.items() if self.dealer_market.get(d) in markets}
            values = [v for v in values if v in in_market]
        return sorted(values, key=lambda v: self.label(dim, v).casefold())


@dataclass(frozen=True)
class FilterState:
    """The page-independent view: period, comparison and filters (dimension -> values)."""

    start: date
    end: date
    compare: str = DEFAULT_COMPARE
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def values(self, dim: str) -> tuple[str, ...]:
        """The values chosen for ``dim``; empty when it is not filtered."""
        return dict(self.filters).get(dim, ())

    def with_values(self, dim: str, values: Sequence[str]) -> FilterState:
        """A copy with ``dim`` filtered to ``values`` (none: not filtered)."""
        pairs = dict(self.filters)
        pairs[dim] = tuple(values)
        return replace(self, filters=canonical_filters(pairs))

    @property
    def days(self) -> int:
        """Length of the period in days, both ends included."""
        return (self.end - self.start).days + 1

    def comparison_period(self) -> tuple[date, date] | None:
        """The period to compare with, or None when the comparison is switched off."""
        if self.compare == "previous":
            calendar = previous_calendar_period(self.start, self.end)
            if calendar is not None:
                return calendar
            previous_end = self.start - timedelta(days=1)
            return previous_end - timedelta(days=self.days - 1), previous_end
        if self.compare == "year":
            return year_earlier(self.start), year_earlier(self.end)
        return None

    def quick_pick(self, today: date) -> str:
        """The quick pick whose period this is relative to ``today``, else ``custom``."""
        for key in QUICK_PICKS:
            if quick_pick_period(key, today) == (self.start, self.end):
                return key
        return CUSTOM


@dataclass(frozen=True)
class Dropped:
    """A value a link held that the view could not use, and why."""

    key: str
    value: str
    reason: str

    def describe(self) -> str:
        """One line for the notice, e.g. ``dealer 'D999': unknown or outside your access``, as
        Markdown that shows the link's text literally (escaped and shortened: it is the attacker's)."""
        key = literal_markdown(self.key, MAX_ECHOED_KEY)
        shown = literal_markdown(repr(shorten(self.value, MAX_ECHOED_VALUE))) if self.value else ""
        return f"{key} {shown}: {self.reason}" if shown else f"{key}: {self.reason}"


def canonical_filters(pairs: Mapping[str, Sequence[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Filters as a sorted tuple of (dimension, sorted unique values), empty ones left out."""
    return tuple(sorted((dim, tuple(sorted(set(vals)))) for dim, vals in pairs.items() if vals))


def year_earlier(day: date) -> date:
    """The same calendar day a year before (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def quick_pick_period(key: str, today: date) -> tuple[date, date]:
    """The period of quick pick ``key`` relative to ``today`` (both ends included)."""
    if key.endswith("d") and key[:-1].isdigit():
        return today - timedelta(days=int(key[:-1]) - 1), today
    if key in QUICK_PICKS and (period := calendar_pick(key, today)) is not None:
        return period
    raise KeyError(f"Unknown quick pick {key!r}; known: {', '.join(QUICK_PICKS)}")


def default_state(today: date, data_end: date | None = None) -> FilterState:
    """The view a link without parameters opens: the last 30 days, against the period before.

    When the data ends before those 30 days begin (``data_end``: the day of the last lead), the
    default would be an empty page; it opens on the latest 30 days that have data instead.
    """
    start, end = quick_pick_period(DEFAULT_PICK, today)
    if data_end is not None and data_end < start:
        return FilterState(start=data_end - (end - start), end=data_end)
    return FilterState(start=start, end=end)


def decode(
    params: Mapping[str, Sequence[str]],
    choices: Choices,
    today: date,
    page_keys: Collection[str] = (),
    data_end: date | None = None,
) -> tuple[FilterState, list[Dropped]]:
    """The view a query string asks for, and every value dropped on the way with the reason.

    ``params`` maps each key to all its values (repeated keys give several); ``page_keys``
    are keys pages own (their view options), left for the page to read. Never raises:
    malformed, unknown or out-of-scope values are dropped and reported; what remains is used.
    ``data_end`` (the day of the last lead) moves a default period that would be empty onto the
    latest 30 days with data (``default_state``).
    """
    dropped: list[Dropped] = []
    default = default_state(today, data_end)

    def single(key: str) -> str | None:
        values = list(params.get(key, ()))
        if len(values) > 1:
            dropped.append(Dropped(key, ", ".join(values)[:60], "given more than once; ignored"))
            return None
        return values[0] if values and values[0] != "" else None

    start = _parse_day(START_KEY, single(START_KEY), dropped)
    end = _parse_day(END_KEY, single(END_KEY), dropped)
    if start is not None and end is not None and end < start:
        dropped.append(Dropped("period", f"{start} to {end}", "ends before it starts; ignored"))
        start = end = None
    if start is None and end is None:
        start, end = default.start, default.end
    elif start is None:
        assert end is not None
        start = end - timedelta(days=default.days - 1)
    elif end is None:
        end = max(start, today)

    compare = single(COMPARE_KEY) or DEFAULT_COMPARE
    if compare not in COMPARISONS:
        dropped.append(Dropped(COMPARE_KEY, compare, f"not one of {', '.join(COMPARISONS)}"))
        compare = DEFAULT_COMPARE

    pairs: dict[str, list[str]] = {}
    for key, values in params.items():
        if key in (START_KEY, END_KEY, COMPARE_KEY) or key in STREAMLIT_KEYS or key in page_keys:
            continue
        dim = DIMENSION_OF_KEY.get(key)
        if dim is None:
            dropped.append(Dropped(shorten(key, MAX_ECHOED_KEY), "", "not a filter Leadline knows; ignored"))
            continue
        pairs[dim] = _known_values(key, dim, list(values), choices, dropped)
    state = _narrowed(FilterState(start, end, compare, canonical_filters(pairs)), choices, dropped)
    return state, dropped


def _narrowed(state: FilterState, choices: Choices, dropped: list[Dropped]) -> FilterState:
    """Groups outside the chosen markets and dealers outside the chosen groups or markets dropped,
    with a notice, as the sidebar's narrowed lists would drop them silently."""
    for dim in ("dealer_group_id", "dealer_id"):
        values = state.values(dim)
        allowed = set(choices.options(dim, state)) if values else set()
        outside = [v for v in values if v not in allowed]
        for value in outside:
            dropped.append(
                Dropped(FILTER_KEYS[dim], value, "not in the chosen market or dealer group; ignored")
            )
        if outside:
            state = state.with_values(dim, [v for v in values if v in allowed])
    return state


def _parse_day(key: str, text: str | None, dropped: list[Dropped]) -> date | None:
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        dropped.append(Dropped(key, text, "not a date like 2025-01-31; ignored"))
        return None
    if not EARLIEST <= day <= LATEST:
        dropped.append(Dropped(key, text, f"outside {EARLIEST.year}-{LATEST.year}; ignored"))
        return None
    return day


def _known_values(
    key: str, dim: str, values: list[str], choices: Choices, dropped: list[Dropped]
) -> list[str]:
    if len(values) > MAX_VALUES_PER_KEY:
        dropped.append(
            Dropped(key, "", f"{len(values)} values; only the first {MAX_VALUES_PER_KEY} are read")
        )
        values = values[:MAX_VALUES_PER_KEY]
    known = choices.labels.get(dim, {})
    kept: list[str] = []
    for value in values:
        if value == "":
            continue
        if len(value) > MAX_VALUE_LENGTH or value not in known:
            dropped.append(Dropped(key, value, "unknown or outside your access; ignored"))
        elif value not in kept:
            kept.append(value)
    return kept


def encode(state: FilterState) -> dict[str, list[str]]:
    """The query string of ``state``: key -> values; the comparison only when not the default.

    The period is always written as explicit dates, so a shared link shows the same numbers
    next week as today.
    """
    params: dict[str, list[str]] = {
        START_KEY: [state.start.isoformat()],
        END_KEY: [state.end.isoformat()],
    }
    if state.compare != DEFAULT_COMPARE:
        params[COMPARE_KEY] = [state.compare]
    for dim, key in FILTER_KEYS.items():
        if values := state.values(dim):
            params[key] = list(values)
    return params


def describe(state: FilterState, choices: Choices) -> str:
    """The view in words, for captions and export headers: period, then each filter."""
    parts = [f"{state.start.isoformat()} to {state.end.isoformat()}"]
    for dim in FILTER_KEYS:
        if values := state.values(dim):
            parts.append(f"{FILTER_NAMES[dim]}: {', '.join(choices.label(dim, v) for v in values)}")
    return "; ".join(parts)
