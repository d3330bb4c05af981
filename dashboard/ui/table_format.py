"""Tables show each number in the very text a tile shows, and still sort by the number.

``st.dataframe`` takes a pandas Styler: its cells keep the numbers (so a click on a header sorts
6 h 6 min after 59 min, not as text) while the grid draws the Styler's text, which here is
``format_value``'s: "6 h 6 min", "87.3 %", "+1,120 %", "€31,647". A column's ``column_config``
must then carry no ``format`` (Streamlit lets it win over the Styler). Days read "5 Jan 2026",
never "2026-01-05 00:00:00".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import polars as pl
from pandas.io.formats.style import Styler

from dashboard.ui.format import MISSING, format_value
from metrics.registry import Format


def format_day(value: date | datetime | None) -> str:
    """``5 Jan 2026``; a time of day only when there is one (``5 Jan 2026 09:12``)."""
    if value is None or value != value:  # value != value: NaT
        return MISSING
    if isinstance(value, datetime) and (value.hour, value.minute, value.second) != (0, 0, 0):
        return f"{value:%-d %b %Y %H:%M}"
    return f"{value:%-d %b %Y}"


def _number(fmt: Format) -> Callable[[Any], str]:
    def shown(value: Any) -> str:
        return format_value(None if value is None or value != value else value, fmt)

    return shown


def styled_table(frame: pl.DataFrame, formats: Mapping[str, Format]) -> Styler:
    """``frame`` for ``st.dataframe``: the columns in ``formats`` drawn in their registry format,
    day columns as days; every value stays the number (or day) it is, for sorting."""
    shown: dict[str, Callable[[Any], str]] = {c: _number(f) for c, f in formats.items() if c in frame.columns}
    for column, dtype in frame.schema.items():
        if dtype == pl.Date or isinstance(dtype, pl.Datetime):
            shown[column] = format_day
        elif dtype.is_float() and column not in shown:  # not 0.500000 (a Styler's default)
            shown[column] = _number("number")
    return frame.to_pandas().style.format(shown, na_rep=MISSING)
