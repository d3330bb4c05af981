"""Typed errors that carry a message for people and a hint on how to fix the cause.

Errors are raised where input enters (URL, settings, warehouse, import files) and
turned into friendly messages by the CLI and the pages; no traceback reaches a user.
"""

from __future__ import annotations


class LeadlineError(Exception):
    """Base of every error Leadline reports to a user: what is wrong, and how to fix it."""

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.describe())

    def describe(self) -> str:
        """The message and, when there is one, the hint, as one text for people."""
        return f"{self.message}\nHint: {self.hint}" if self.hint else self.message


class SettingsError(LeadlineError):
    """A setting (environment variable, secrets file, config) has a value Leadline cannot use."""


class WarehouseUnavailable(LeadlineError):
    """The warehouse does not answer, or answered with an error that is not about the contract."""


class ContractError(LeadlineError):
    """The warehouse answers but does not satisfy the documented contract."""


class FilterError(LeadlineError):
    """A filter or dimension given on the command line is not one Leadline knows."""


class QueryTimeout(WarehouseUnavailable):
    """A warehouse query took longer than the ``query_timeout_seconds`` setting and was abandoned."""
