"""Cached access to the warehouse for pages: one engine per URL, query results per request.

The engine lives in ``st.cache_resource``; every table in ``st.cache_data`` with the
time-to-live and size bound of the settings. Cache keys are (warehouse URL, the function,
its arguments): a ``LeadQuery`` is frozen and hashable, so changing one filter recomputes
only the tables whose query changed. A failing query is never cached, so "Retry" retries.

Page authors wrap a table function of ``dashboard/tables.py`` or ``dashboard/detail_tables.py``
(``fn(engine, query, ...) -> pl.DataFrame``) once, at module level, with ``cached``::

    from dashboard import data, detail_tables
    delivery = data.cached(detail_tables.delivery_table)
    frame = delivery(view.query())   # engine and URL supplied, result cached
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from dashboard import settings, tables
from dashboard.errors import LeadlineError, SettingsError, WarehouseUnavailable
from loaders.engine import make_engine, redact

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


@st.cache_resource(show_spinner=False, max_entries=4)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def engine() -> Engine:
    """The engine of the configured warehouse, created once per URL and shared by sessions."""
    return _engine_for(warehouse_url())


def run_query(fn: Callable[Concatenate[Engine, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``fn(engine, *args, **kwargs)`` with database failures turned into WarehouseUnavailable."""
    url = warehouse_url()
    try:
        return fn(_engine_for(url), *args, **kwargs)
    except LeadlineError:
        raise
    except (DBAPIError, SQLAlchemyError, OSError) as exc:
        first_line = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        raise WarehouseUnavailable(
            f"The warehouse at {redact(url)} did not answer: {first_line}",
            "Check that the warehouse is running and reachable, then press Retry.",
        ) from None


def cached(fn: Callable[Concatenate[Engine, P], R]) -> Callable[P, R]:
    """``fn`` without its engine argument, its results cached per warehouse URL and arguments.

    Arguments must be hashable by ``st.cache_data`` (a LeadQuery, ints, strings, tuples).
    """

    fn_name = f"{fn.__module__}.{fn.__qualname__}"

    def _cached_call(url: str, fn_name: str, *args: Any, **kwargs: Any) -> R:
        return run_query(fn, *args, **kwargs)

    # Streamlit keys a cache by the function's module, name and source; give each wrapped
    # function its own name so two wrapped functions never share one cache (or its bound).
    _cached_call.__module__, _cached_call.__qualname__ = fn.__module__, f"cached.{fn.__qualname__}"
    store = st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_MAX_ENTRIES, show_spinner=SPINNER)(
        _cached_call
    )

    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        return store(warehouse_url(), fn_name, *args, **kwargs)

    return call


def clear_caches() -> None:
    """Forget every cached table (the "Retry" button after a failure and the tests use it)."""
    st.cache_data.clear()


# The 22 metrics per group of ``query.group_by``, small groups suppressed (dashboard/tables.py):
# ``data.metrics(query, min_group_size)``.
metrics = cached(tables.metrics_table)
