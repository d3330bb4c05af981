"""One engine per warehouse URL for a long-running server, thrown away after a connection failure.

After PostgreSQL restarted or the network came back, ``discard`` makes the next query open
fresh connections instead of trying the broken ones. (A replaced DuckDB file needs nothing
here: loaders/warehouse/duckdb_file_gate.py reopens it.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import Engine


class EngineCache:
    """Thread-safe engines by URL; ``factory(url)`` makes a new one (``make_engine`` with settings)."""

    def __init__(self, factory: Callable[[str], Engine]) -> None:
        self._factory = factory
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> Engine:
        """The engine for ``url``, made on first use."""
        with self._lock:
            engine = self._engines.get(url)
            if engine is None:
                engine = self._engines[url] = self._factory(url)
            return engine

    def discard(self, url: str) -> None:
        """Forget the engine of ``url`` and close its idle connections (after a connection failure)."""
        with self._lock:
            engine = self._engines.pop(url, None)
        if engine is not None:
            engine.dispose()

    def dispose_all(self) -> None:
        """Close every engine (tests, shutdown)."""
        with self._lock:
            engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            engine.dispose()
