"""Problems found in import files: where (file, row, column), the value, what is wrong, how to fix it.

The log keeps the first ``limit`` problems in detail and counts the rest, so a file with
9,000 garbled dates gives a readable report. Values of personal columns are never kept:
they are masked before they reach the report, a log or an exception.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from common.errors import LeadlineError

MASK = "<personal value hidden>"
DEFAULT_LIMIT = 50
_MAX_VALUE_CHARS = 60


@dataclass(frozen=True)
class Problem:
    """One thing that stops the import. ``row`` counts the header as row 1, as a spreadsheet shows it."""

    file: str
    message: str
    hint: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def describe(self) -> str:
        """One line for people: where, the value, what is wrong, how to fix it."""
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        shown = "" if self.value is None else f" value {self.value!r}:"
        return f"{', '.join(where)}:{shown} {self.message} Fix: {self.hint}"


class ImportRejected(LeadlineError):
    """The import files have problems; nothing was written."""


def shown_value(value: object, personal: bool) -> str | None:
    """The value as a report may show it: masked when personal, shortened when long."""
    if value is None:
        return None
    if personal:
        return MASK
    text = str(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


class ProblemLog:
    """Collects problems; keeps ``limit`` of them in detail and counts every one."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self.total = 0
        self._kept: list[Problem] = []

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The problems kept in detail (at most ``limit``)."""
        return tuple(self._kept)

    def add(
        self,
        file: str,
        message: str,
        hint: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        personal: bool = False,
    ) -> None:
        """Record one problem."""
        self.total += 1
        if len(self._kept) < self.limit:
            self._kept.append(Problem(file, message, hint, row, column, shown_value(value, personal)))

    def add_rows(
        self,
        file: str,
        rows: pl.DataFrame,
        message: str,
        hint: str,
        *,
        column: str | None,
        personal: bool = False,
    ) -> None:
        """One problem per row of ``rows`` (columns ``__row`` and ``__value``), counting beyond the limit."""
        if rows.is_empty():
            return
        room = max(self.limit - len(self._kept), 0)
        for row, value in rows.head(room).select("__row", "__value").iter_rows():
            self._kept.append(Problem(file, message, hint, row, column, shown_value(value, personal)))
        self.total += rows.height

    def report(self) -> str:
        """Every kept problem on a line, and how many more there are."""
        if not self.total:
            return "No problems found."
        lines = [f"{self.total} problem(s) found; nothing was written:"]
        lines += [f"  - {p.describe()}" for p in self._kept]
        rest = self.total - len(self._kept)
        if rest:
            lines.append(
                f"  ... and {rest} more problem(s) not listed (the report shows the first {self.limit})."
            )
        return "\n".join(lines)
