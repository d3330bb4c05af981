"""The values a viewer may pick in the sidebar, with display names, limited to their scope.

``load_choices`` is cached per warehouse URL and scope. It lists only values that occur
in leads the viewer may see (dashboard/detail_tables.dimension_choices), so a dealer
outside their scope is neither offered nor accepted from a link: dashboard/filters/url_state.py
drops it with a notice that does not tell "unknown" from "not yours".
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from dashboard.data import cached as data
from dashboard.data import detail_tables
from dashboard.filters.url_state import EARLIEST, Choices
from dashboard.filters.view import as_of_now
from loaders.request.access_scope import AccessScope
from loaders.request.query import LeadQuery, Scope

_dimension_choices = data.cached(detail_tables.dimension_choices)


def choices_from_frame(frame: pl.DataFrame) -> Choices:
    """Choices from dimension_choices' rows (dimension, value, label, dealer_group_id)."""
    labels: dict[str, dict[str, str]] = {}
    dealer_group: dict[str, str] = {}
    for dim, value, label, group in frame.select(
        "dimension", "value", "label", "dealer_group_id"
    ).iter_rows():
        labels.setdefault(dim, {})[value] = _pretty(dim, value, label)
        if dim == "dealer_id" and group is not None:
            dealer_group[value] = group
    return Choices(labels=labels, dealer_group=dealer_group)


# Kinds of source a code may start with (``third_party:leasing_partner``), as people say them.
SOURCE_KINDS = {"third_party": "third party", "marketplace": "marketplace", "partner": "partner"}


def _pretty(dim: str, value: str, label: str | None) -> str:
    """A name people read: lead type ``new_vehicle`` becomes ``New vehicle``, source
    ``third_party:leasing_partner`` becomes ``Leasing partner (third party)``; names stay as given."""
    if label and label != value:
        return label
    if dim in ("lead_type", "channel") and value.islower():
        return value.replace("_", " ").capitalize()
    if dim == "source":
        return readable_source(value)
    return value


def readable_source(code: str) -> str:
    """``third_party:leasing_partner`` -> ``Leasing partner (third party)``, ``brand_site`` ->
    ``Brand site``, ``third_party:Olark Chat`` -> ``Olark Chat (third party)``; a name with capitals
    or spaces is kept as written."""
    kind, _, name = code.partition(":")
    if not name:
        kind, name = "", code
    is_code = name.replace("_", "").replace("-", "").isalnum() and name == name.lower()
    if not kind and not is_code:
        return code
    words = name.replace("_", " ").replace("-", " ").strip().capitalize() if is_code else name
    if not kind:
        return words
    return f"{words} ({SOURCE_KINDS.get(kind, kind.replace('_', ' '))})"


def load_choices(scope: Scope | AccessScope, today: date | None = None) -> Choices:
    """The viewer's filter choices among all leads up to ``today`` (cached; WarehouseUnavailable
    when the warehouse does not answer)."""
    end = today or datetime.now(UTC).date()
    query = LeadQuery(start=EARLIEST, end=end, as_of=as_of_now(), scope=scope)
    return choices_from_frame(_dimension_choices(query, 1))
