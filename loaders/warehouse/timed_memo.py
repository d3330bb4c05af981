"""Answers about a warehouse that are trusted for a few seconds, shared by every session.

Probes (are the facts current, which opening-hours tables exist, which result-code taxonomy is in
force, what version ``leads`` is at) are cheap but not free; each is kept per warehouse URL for a
short time so a page of many tables asks once. A bounded number of warehouses is remembered.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine

from loaders.warehouse.fetch import Bind

V = TypeVar("V")
_ALL: list[TimedMemo[Any]] = []


def warehouse_key(bind: Bind) -> str:
    """The key of ``bind``'s warehouse: its full URL (two URLs differing only in a password differ)."""
    engine: Engine = bind if isinstance(bind, Engine) else bind.engine
    return engine.url.render_as_string(hide_password=False)


class TimedMemo(Generic[V]):
    """The last answer per key, reused while younger than ``seconds``; at most ``max_keys`` keys."""

    def __init__(self, seconds: float, max_keys: int = 16) -> None:
        self.seconds = seconds
        self.max_keys = max_keys
        self._answers: dict[str, tuple[float, V]] = {}
        self._lock = threading.Lock()
        _ALL.append(self)

    def get(self, key: str, compute: Callable[[], V], *, seconds: float | None = None) -> V:
        """The answer for ``key``: remembered if younger than ``seconds`` (default: the memo's),
        else ``compute()``, remembered. An exception from ``compute`` is raised and nothing kept."""
        now = time.monotonic()
        with self._lock:
            known = self._answers.get(key)
        if known is not None and now - known[0] < (self.seconds if seconds is None else seconds):
            return known[1]
        answer = compute()
        with self._lock:
            if len(self._answers) >= self.max_keys and key not in self._answers:
                self._answers.pop(next(iter(self._answers)))
            self._answers[key] = (now, answer)
        return answer

    def put(self, key: str, answer: V) -> None:
        """Remember ``answer`` for ``key`` from now (an answer computed elsewhere, e.g. in a batch)."""
        with self._lock:
            if len(self._answers) >= self.max_keys and key not in self._answers:
                self._answers.pop(next(iter(self._answers)))
            self._answers[key] = (time.monotonic(), answer)

    def last(self, key: str) -> V | None:
        """The last answer for ``key`` however old, or None."""
        with self._lock:
            known = self._answers.get(key)
        return None if known is None else known[1]

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._answers.clear()


def forget_all() -> None:
    """Forget the answers of every memo of the process (cold benchmarks, tests after a change)."""
    for memo in _ALL:
        memo.clear()
