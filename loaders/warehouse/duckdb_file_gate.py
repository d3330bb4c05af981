"""Reading a DuckDB file that other programs replace or rewrite while it is being read.

``leadline demo`` replaces the file by an atomic rename; an import rewrites it in place. A
reader must then open the new file, but DuckDB shares one open database per file path in a
process: a connection opened while another is still open on the old file would see the old
file, for as long as any connection stays open. So the engine keeps no idle connections
(NullPool), and this gate lets a new connection in only when it sees the same file as the
connections still open, or when none is open. Queries running on the old file finish first (at
most ``wait_seconds``); new ones then open the new file. One spare connection keeps the open
database (and its cache) between queries; it is closed when the file changes and after a few
idle seconds, which releases the file's lock so that an import can write it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event

from common.errors import WarehouseUnavailable

FileIdentity = tuple[int, int, int, int] | None
_GATE_KEY = "leadline_file_gate"


def file_identity(path: str) -> FileIdentity:
    """Device, inode, size and modification time of ``path`` (None when it is missing)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


class FileGate:
    """Counts the open connections of one DuckDB file and the file version they see.

    Between queries it keeps one spare connection (the anchor), so that the open database and
    its cache survive from one query to the next; the anchor is closed when the file changes,
    and after ``idle_seconds`` without a query, which releases the file's lock for writers.
    """

    def __init__(self, path: str, idle_seconds: float = 10.0) -> None:
        self.path = path
        self.open = 0
        self.identity: FileIdentity = None
        self.idle_seconds = idle_seconds
        self._anchor: Any = None
        self._last_used = time.monotonic()
        self._changed = threading.Condition()
        self._sweeper: threading.Thread | None = None

    def enter(self, wait_seconds: float) -> None:
        """Wait until a new connection would see the file as it is now, then count it."""
        deadline = time.monotonic() + wait_seconds
        with self._changed:
            while True:
                current = file_identity(self.path)
                if current != self.identity:
                    self._drop_anchor()  # it holds the old file open
                if self.open == 0 or current == self.identity:
                    self.identity = current
                    self.open += 1
                    self._last_used = time.monotonic()
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WarehouseUnavailable(
                        f"The warehouse file {self.path} was replaced, and queries on the old file are still running.",
                        "Press Retry in a moment.",
                    )
                self._changed.wait(min(remaining, 0.2))

    def leave(self) -> None:
        """A connection was closed."""
        with self._changed:
            self.open = max(0, self.open - 1)
            self._last_used = time.monotonic()
            self._changed.notify_all()

    def keep_open(self, open_connection: Callable[[], Any]) -> None:
        """Keep a spare connection, made by ``open_connection``, unless one is kept already.

        It must be a connection of its own with the same settings (a cursor would not keep the
        database registered), opened while another is open so that it joins the same database.
        """
        with self._changed:
            if self._anchor is not None or file_identity(self.path) != self.identity:
                return
            try:
                self._anchor = open_connection()
            except Exception:
                return
            self._start_sweeper()

    def release_idle(self, now: float | None = None) -> bool:
        """Close the spare connection when no query ran for ``idle_seconds``; True when closed."""
        moment = time.monotonic() if now is None else now
        with self._changed:
            if _EXITING.is_set():  # closed by release_all_at_exit, from the main thread
                return False
            if self._anchor is None or self.open > 0 or moment - self._last_used < self.idle_seconds:
                return False
            self._drop_anchor()
            return True

    def release(self) -> None:
        """Close the spare connection now (the engine was disposed)."""
        with self._changed:
            self._drop_anchor()

    def _drop_anchor(self) -> None:
        if self._anchor is not None:
            with contextlib.suppress(Exception):  # already closed with its database
                self._anchor.close()
            self._anchor = None

    def _start_sweeper(self) -> None:
        if self._sweeper is not None and self._sweeper.is_alive():
            return

        def sweep() -> None:
            while not _EXITING.is_set():
                time.sleep(max(0.5, self.idle_seconds / 4))
                self.release_idle()

        self._sweeper = threading.Thread(target=sweep, name="leadline-duckdb-anchor", daemon=True)
        self._sweeper.start()


_GATES: dict[str, FileGate] = {}
_GATES_LOCK = threading.Lock()
_EXITING = threading.Event()


def release_all_at_exit() -> None:
    """At interpreter exit: close every spare connection from the main thread and stop the sweepers.

    A daemon thread still inside DuckDB (closing a connection releases the GIL) when Python
    finalises is ended by a forced unwind that DuckDB's bindings catch without rethrowing, and the
    process aborts ("FATAL: exception not rethrown", exit 134) after all work is done. atexit
    runs before that, while every thread still runs normally.
    """
    _EXITING.set()
    with _GATES_LOCK:
        gates = list(_GATES.values())
    for gate in gates:
        gate.release()


atexit.register(release_all_at_exit)


def gate_for(path: str) -> FileGate:
    """The process-wide gate of the file at ``path``."""
    real = os.path.realpath(path)
    with _GATES_LOCK:
        return _GATES.setdefault(real, FileGate(real))


def install_file_gate(engine: Engine, path: str, wait_seconds: float = 30.0) -> None:
    """Open connections of ``engine`` (a NullPool engine on the DuckDB file ``path``) through the gate."""
    gate = gate_for(path)

    @event.listens_for(engine, "do_connect")
    def _connect(dialect, connection_record, cargs, cparams):  # type: ignore[no-untyped-def]
        gate.enter(wait_seconds)
        try:
            connection = dialect.connect(*cargs, **cparams)
        except BaseException:
            gate.leave()
            raise
        connection_record.info[_GATE_KEY] = gate
        gate.keep_open(lambda: dialect.connect(*cargs, **cparams))  # same settings, same database
        return connection

    def _closed(dbapi_connection: Any, connection_record: Any) -> None:
        counted = connection_record.info.pop(_GATE_KEY, None)
        if counted is not None:
            # The event comes before the pool closes the connection: close it first, so that a
            # connection let in after leave() can never join the old file's database.
            with contextlib.suppress(Exception):
                dbapi_connection.close()
            counted.leave()

    event.listen(engine, "close", _closed)
    # After dispose() nothing of the engine may keep the file open: callers rely on that to
    # open it again differently (read-write, other settings).
    event.listen(engine, "engine_disposed", lambda _engine: gate.release())
