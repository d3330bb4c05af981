"""The warehouse's data profile for pages: its date range and the inputs it lacks (cached).

``current_profile()`` combines what loaders/contract/availability.py counted with the columns
an import filled with a stated default (leadline_import_log) into a
``metrics.availability.DataProfile``. When the warehouse cannot say (it does not answer), the
profile lacks nothing: the page's own error handling reports the failure, and no metric is
hidden by a guess.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import Engine

from common.errors import LeadlineError
from dashboard.data import cached as data
from loaders.contract.availability import load_contents
from loaders.imports import defaulted_columns
from metrics.availability import EVERYTHING, DataProfile, absent_inputs

_LOG = logging.getLogger("leadline.pages")


def data_profile(engine: Engine) -> DataProfile:
    """The warehouse's profile: first and last day with leads, and the absent inputs."""
    contents = load_contents(engine)
    pairs = defaulted_columns(engine).select("table_name", "column_name").iter_rows()
    absent = absent_inputs(
        leads=contents.leads,
        has_rows=contents.has_rows,
        times_of_day=contents.times_of_day,
        time_zones=contents.time_zones,
        defaulted=[(str(t), str(c)) for t, c in pairs],
    )
    return DataProfile(
        first_day=contents.first_day,
        last_day=contents.last_day,
        absent=absent,
        last_lead=contents.last_lead,
        read_at=datetime.now(UTC).replace(tzinfo=None),
    )


_cached_profile = data.cached(data_profile)


def current_profile() -> DataProfile:
    """The configured warehouse's profile (cached); lacking nothing when it cannot be read."""
    try:
        return _cached_profile()
    except LeadlineError as exc:
        _LOG.warning("Data profile unavailable: %s", exc.message)
        return EVERYTHING
