"""The last good result of each table a session has seen, for when the warehouse stops answering.

When a query fails, the page shows the table it had before, with a notice saying since
when, instead of an empty page: people acting on the numbers keep what they already saw.
Results are kept per session (st.session_state), at most ``MAX_KEPT`` of them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from common.errors import WarehouseUnavailable

MAX_KEPT = 64
_KEPT, _STALE = "leadline_last_good", "leadline_stale"


@dataclass(frozen=True)
class Kept:
    """A result and when it was obtained (UTC)."""

    value: Any
    at: datetime


@dataclass(frozen=True)
class StaleNotice:
    """This run showed kept results because the warehouse failed: the oldest result's time and the error."""

    oldest: datetime
    error: WarehouseUnavailable


def _state() -> Any | None:
    """st.session_state, or None outside a Streamlit session (CLI, plain tests)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        return st.session_state if get_script_run_ctx() is not None else None
    except Exception:
        return None


def remember(key: Hashable, value: Any) -> None:
    """Keep ``value`` as the last good result of ``key`` (least recently used ones fall out)."""
    state = _state()
    if state is None:
        return
    kept: OrderedDict[Hashable, Kept] = state.setdefault(_KEPT, OrderedDict())
    try:
        kept[key] = Kept(value, datetime.now(UTC))
    except TypeError:  # arguments st.cache_data can hash but Python cannot: not kept
        return
    kept.move_to_end(key)
    while len(kept) > MAX_KEPT:
        kept.popitem(last=False)


def recall(key: Hashable) -> Kept | None:
    """The last good result of ``key`` in this session, or None."""
    state = _state()
    if state is None:
        return None
    kept: OrderedDict[Hashable, Kept] | None = state.get(_KEPT)
    try:
        return None if kept is None else kept.get(key)
    except TypeError:
        return None


def note_stale(kept: Kept, error: WarehouseUnavailable) -> None:
    """Record that this run shows ``kept`` in place of a result the warehouse failed to give."""
    state = _state()
    if state is None:
        return
    previous: StaleNotice | None = state.get(_STALE)
    oldest = kept.at if previous is None else min(previous.oldest, kept.at)
    state[_STALE] = StaleNotice(oldest, error)


def take_stale() -> StaleNotice | None:
    """The stale notice of this run (then forgotten), or None when every result was fresh."""
    state = _state()
    return None if state is None else state.pop(_STALE, None)
