"""Cached access to the warehouse for pages: one engine per URL, query results per request.

The engine lives in ``st.cache_resource``; every table in ``st.cache_data`` with the
time-to-live and size bound of the settings. Cache keys are (warehouse URL, the version of
``leads``, the function, its arguments): a ``LeadQuery`` is frozen and hashable, so changing one
filter recomputes only the tables whose query changed. The version (row count, latest
``created_at``, refused count; re-read at most every LEADS_VERSION_SECONDS per warehouse) makes a
consent withdrawal or an erasure invalidate every cached table within seconds, not at the
time-to-live (docs/privacy.md section 1). A failing query is never cached, so "Retry" retries;
meanwhile the session's last good result of the same table is shown (dashboard/data/last_good.py).

Page authors wrap a table function of ``dashboard/data/tables.py`` or ``dashboard/data/detail_tables.py``
(``fn(engine, query, ...) -> pl.DataFrame``) once, at module level, with ``cached``::

    from dashboard.data import cached as data

    from dashboard.data import detail_tables
    delivery = data.cached(detail_tables.delivery_table)
    frame = delivery(view.query())   # engine and URL supplied, result cached
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

import duckdb
import polars as pl
import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from common import settings
from common.errors import LeadlineError, SettingsError, WarehouseUnavailable
from dashboard.data import detail_tables, last_good, tables
from dashboard.filters.view import View
from loaders.contract.check import check_contract
from loaders.contract.data_quality import check_data_quality
from loaders.contract.result_codes import result_taxonomy_frame, unknown_result_codes_by_source
from loaders.facts.state import leads_signature
from loaders.imports import defaulted_columns as _defaulted_columns
from loaders.warehouse.engine import make_engine
from loaders.warehouse.engine_cache import EngineCache
from loaders.warehouse.errors import is_connection_failure, warehouse_error
from loaders.warehouse.timed_memo import TimedMemo

P = ParamSpec("P")
R = TypeVar("R")
SPINNER = "Querying the warehouse…"


def _setting_or_default(name: str) -> Any:
    """A cache bound from the settings; a malformed one falls back to its default here and is
    reported on the page by ``check_settings`` (module import must not fail)."""
    try:
        return settings.get(name)
    except SettingsError:
        return next(spec.default for spec in settings.SETTINGS if spec.name == name)


CACHE_TTL_SECONDS: int = _setting_or_default("cache_ttl_seconds")
CACHE_MAX_ENTRIES: int = _setting_or_default("cache_max_entries")


def warehouse_url() -> str:
    """The configured warehouse URL (SettingsError when it is malformed)."""
    return str(settings.get("warehouse_url"))


def _new_engine(url: str) -> Engine:
    return make_engine(url, query_timeout_seconds=_setting_or_default("query_timeout_seconds"))


# Shared by every session of the server; reopens a replaced DuckDB file and drops the
# connections of a warehouse that stopped answering (loaders/warehouse/engine_cache.py).
_ENGINES = EngineCache(_new_engine)


def engine() -> Engine:
    """The engine of the configured warehouse, created once per URL and shared by sessions."""
    return _ENGINES.get(warehouse_url())


def reset_connections() -> None:
    """Drop the configured warehouse's connections, so the next query connects afresh (Retry)."""
    with contextlib.suppress(SettingsError):
        _ENGINES.discard(warehouse_url())


def run_query(fn: Callable[Concatenate[Engine, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``fn(engine, *args, **kwargs)`` with database failures turned into WarehouseUnavailable
    (QueryTimeout when the query ran past ``query_timeout_seconds``)."""
    url = warehouse_url()
    try:
        return fn(_ENGINES.get(url), *args, **kwargs)
    except LeadlineError:
        raise
    except (SQLAlchemyError, duckdb.Error, OSError) as exc:
        if is_connection_failure(exc):
            _ENGINES.discard(url)
        raise warehouse_error(url, exc, _setting_or_default("query_timeout_seconds")) from None


LEADS_VERSION_SECONDS = 5.0
_versions: TimedMemo[tuple[Any, ...]] = TimedMemo(LEADS_VERSION_SECONDS)


def leads_version(url: str) -> tuple[Any, ...]:
    """The version of the warehouse's ``leads`` (row count, latest ``created_at``, refused count),
    read at most every LEADS_VERSION_SECONDS for all sessions. When it cannot be read the last
    known version stands (cached tables keep serving; the queries themselves report the failure)."""

    def read() -> tuple[Any, ...]:
        try:
            return tuple(str(value) for value in leads_signature(_ENGINES.get(url)))
        except (SQLAlchemyError, duckdb.Error, OSError, LeadlineError):
            return _versions.last(url) or ()  # kept for the interval: a dead warehouse is asked once

    return _versions.get(url, read, seconds=LEADS_VERSION_SECONDS)


def cached(fn: Callable[Concatenate[Engine, P], R]) -> Callable[P, R]:
    """``fn`` without its engine argument, its results cached per warehouse URL and arguments.

    Arguments must be hashable by ``st.cache_data`` (a LeadQuery, ints, strings, tuples).
    """

    fn_name = f"{fn.__module__}.{fn.__qualname__}"

    def _cached_call(url: str, version: tuple[Any, ...], fn_name: str, *args: Any, **kwargs: Any) -> R:
        return run_query(fn, *args, **kwargs)

    # Streamlit keys a cache by the function's module, name and source; give each wrapped
    # function its own name so two wrapped functions never share one cache (or its bound).
    _cached_call.__module__, _cached_call.__qualname__ = fn.__module__, f"cached.{fn.__qualname__}"
    store = st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_MAX_ENTRIES, show_spinner=SPINNER)(
        _cached_call
    )

    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        url = warehouse_url()
        key = (url, fn_name, args, tuple(sorted(kwargs.items())))
        try:
            value = store(url, leads_version(url), fn_name, *args, **kwargs)
        except WarehouseUnavailable as exc:
            kept = last_good.recall(key)
            if kept is None:
                raise
            last_good.note_stale(kept, exc)  # the page says since when (dashboard/app.py)
            return cast(R, kept.value)
        last_good.remember(key, value)
        return value

    return call


def clear_caches() -> None:
    """Forget every cached table (the "Retry" button after a failure and the tests use it)."""
    st.cache_data.clear()
    _versions.clear()


# The metrics per group of ``query.group_by``, small groups suppressed (dashboard/data/tables.py):
# ``data.metrics(query, min_group_size)``.
metrics = cached(tables.metrics_table)
has_leads = cached(tables.has_leads)
# Leads waiting now per dealer (Follow-up's panel, digests and alerts): ``data.waiting_now(query, k)``.
waiting_now = cached(detail_tables.waiting_now)


# The data-quality report (loaders/contract/data_quality.py) and the schema warnings (loaders/contract/check.py)
# of the Data quality page: ``data.quality(as_of)``, ``data.contract_problems()``.
quality = cached(check_data_quality)
contract_problems = cached(check_contract)
# Result codes (loaders/contract/result_codes.py): the taxonomy in force for Definitions, and the codes
# in no taxonomy per lead source for Data quality: ``data.result_taxonomy()``, ``data.unknown_result_codes()``.
result_taxonomy = cached(result_taxonomy_frame)
unknown_result_codes = cached(unknown_result_codes_by_source)

# Columns `leadline import` set to a stated constant (loaders/imports/log.py): ``data.defaulted_columns()``.
defaulted_columns = cached(_defaulted_columns)


# Several metrics tables of one view from one scan (loaders/queries/page_scan.py), each equal to
# ``metrics``' answer for its query: ``data.metrics_many((query, ...), min_group_size)``.
metrics_many = cached(tables.metrics_tables)


def view_tables(
    view: View,
    *group_bys: tuple[str, ...],
    share_team_flags: bool = False,
    response_times: bool = True,
    people: bool = True,
    close_reasons_and_spend: bool = True,
    timed_groupings: tuple[tuple[str, ...], ...] | None = None,
    coded_groupings: tuple[tuple[str, ...], ...] | None = None,
) -> tuple[dict[str, Any], dict[str, Any] | None, tuple[pl.DataFrame, ...]]:
    """``period_totals(view)`` and the view's metrics table by each of ``group_bys``, all from one
    scan of the facts where the periods allow (three statements instead of five per table).
    ``share_team_flags``: the page's detail tables will ask for these tables' small-team flags.
    ``response_times=False``: a page that shows no response time; ``people=False``: a page that shows
    no "how people worked" metric; ``close_reasons_and_spend=False``: a page that shows no vague-close
    rate, spend or cost: its tables then lack those columns (``tables.metrics_tables``), which are
    not computed; ``timed_groupings``: only the tiles and the tables by these groupings have the
    response-time quantiles; ``coded_groupings``: likewise for the vague-close rate, spend and costs."""
    comparison_query = view.comparison_query()
    queries = (view.query(), *((comparison_query,) if comparison_query else ()), *map(view.query, group_bys))
    frames = metrics_many(
        queries,
        view.min_group_size,
        share_team_flags=share_team_flags,
        response_times=response_times,
        people=people,
        close_reasons_and_spend=close_reasons_and_spend,
        timed_groupings=timed_groupings,
        coded_groupings=coded_groupings,
    )
    total = frames[0].row(0, named=True)
    previous = frames[1].row(0, named=True) if comparison_query else None
    return total, previous, frames[2 if comparison_query else 1 :]


def period_totals(view: View, *, response_times: bool = True) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The view's metrics over the whole lead set, and over the comparison period (None: no comparison).

    The KPI tiles of every page are drawn from this pair (one scan for both: ``view_tables``).
    """
    total, previous, _ = view_tables(view, response_times=response_times)
    return total, previous
