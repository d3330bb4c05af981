"""Reading a DuckDB file that other programs replace or rewrite while it is being read.

``leadline demo`` replaces the file by an atomic rename; an import rewrites it in place. A
reader must then open the new file, but DuckDB shares one open database per file path in a
process: a connection opened while another is still open on the old file would see the old
file, for as long as any connection stays open. So the engine keeps no idle connections
(NullPool; that also releases the file's lock between queries, which lets an import write),
and this gate lets a new connection in only when it sees the same file as the connections
still open, or when none is open. Queries running on the old file finish first (at most
``wait_seconds``); new ones then open the new file.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from sqlalchemy import Engine, event

from dashboard.errors import WarehouseUnavailable

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
    """Counts the open connections of one DuckDB file and the file version they see."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.open = 0
        self.identity: FileIdentity = None
        self._changed = threading.Condition()

    def enter(self, wait_seconds: float) -> None:
        """Wait until a new connection would see the file as it is now, then count it."""
        deadline = time.monotonic() + wait_seconds
        with self._changed:
            while True:
                current = file_identity(self.path)
                if self.open == 0 or current == self.identity:
                    self.identity = current
                    self.open += 1
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
            self._changed.notify_all()


_GATES: dict[str, FileGate] = {}
_GATES_LOCK = threading.Lock()


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
        return connection

    def _closed(_dbapi_connection: Any, connection_record: Any) -> None:
        counted = connection_record.info.pop(_GATE_KEY, None)
        if counted is not None:
            counted.leave()

    event.listen(engine, "close", _closed)
