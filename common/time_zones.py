"""Which dealer time zones Leadline can read: IANA names (``Europe/Rome``); anything else counts as UTC.

One place decides, so that the facts (which convert to local time) and the data-quality check
(which counts the dealers read as UTC) never disagree.
"""

from __future__ import annotations

import functools
from zoneinfo import available_timezones


def is_time_zone_name(name: str | None) -> bool:
    """True when ``name`` is an IANA zone name Python knows; NULL and anything else are read as UTC."""
    return name is not None and name in _zone_names()


@functools.cache
def _zone_names() -> frozenset[str]:
    """The IANA zone names Python knows: read once (it walks the tz database, ~25 ms a probe)."""
    return frozenset(available_timezones())
