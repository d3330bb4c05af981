"""Command-line times: ``--now`` and ``--as-of`` read the same way by every command."""

from __future__ import annotations

from datetime import UTC, datetime

from common.errors import FilterError


def parse_utc_moment(text: str | None, option: str) -> datetime:
    """``text`` (ISO 8601, with or without an offset) as naive UTC; now when ``text`` is None.

    A text that is not a time raises FilterError naming ``option`` with an example.
    """
    if text is None:
        return datetime.now(UTC).replace(tzinfo=None)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FilterError(
            f"{option} {text!r} is not a date and time.",
            f'Write it as "YYYY-MM-DD HH:MM" in UTC, e.g. {option} 2026-11-23T08:05.',
        ) from None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
