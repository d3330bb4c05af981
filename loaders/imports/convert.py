"""Turning source values into the kinds the contract wants: text, numbers, booleans, dates, UTC times.

Each converter returns the converted series; a value that was there before and is null
after did not parse, and the caller reports it with its row. Timestamps come out as naive
UTC, the contract's convention: naive source values are read in the mapping's time zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl

from loaders.contract.tables import Kind

TIMESTAMP_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f")
TRUE_WORDS = ("true", "t", "yes", "y", "1", "1.0")
FALSE_WORDS = ("false", "f", "no", "n", "0", "0.0")
UTC_NAIVE = pl.Datetime("us")


def literal(value: object, height: int) -> pl.Series:
    """A constant from the mapping (text, number, boolean, date, date-time) repeated ``height`` times."""
    if isinstance(value, datetime):
        # Polars keeps an offset-aware value's instant; a naive one is local time in the mapping's zone.
        return pl.Series([value] * max(height, 1))[:height]
    if isinstance(value, date):
        return pl.Series([value] * height, dtype=pl.Date)
    if isinstance(value, bool):
        return pl.Series([value] * height, dtype=pl.Boolean)
    if isinstance(value, int | float):
        return pl.Series([float(value)] * height, dtype=pl.Float64)
    return pl.Series([value] * height, dtype=pl.String)


def to_kind(
    series: pl.Series, kind: Kind, *, formats: tuple[str, ...], timezone: str, decimal: str
) -> pl.Series:
    """``series`` converted to ``kind``; values that do not convert become null."""
    if kind is Kind.TEXT:
        return to_text(series)
    if kind is Kind.NUMERIC:
        return to_number(series, decimal)
    if kind is Kind.INTEGER:
        return to_whole_number(series, decimal)
    if kind is Kind.BOOLEAN:
        return to_boolean(series)
    if kind is Kind.DATE:
        return to_date(series, formats or DATE_FORMATS)
    return to_utc(series, formats or TIMESTAMP_FORMATS, timezone)


def to_text(series: pl.Series) -> pl.Series:
    """Text as is; whole floats (Excel stores 660737 as 660737.0) without the trailing .0."""
    if series.dtype == pl.String:
        return series
    if series.dtype.is_float():
        whole = (series == series.round(0)).fill_null(False)
        as_int = series.cast(pl.Int64, strict=False).cast(pl.String)
        return as_int.zip_with(whole, series.cast(pl.String)).alias(series.name)
    if series.dtype == pl.Boolean:
        return series.replace_strict({True: "true", False: "false"}, return_dtype=pl.String)
    return series.cast(pl.String)


def to_whole_number(series: pl.Series, decimal: str) -> pl.Series:
    """Whole numbers; a time of day (``08:30``, ``24:00``) reads as minutes after midnight, as the
    opening-hours tables count them. A fraction (``7.5``) is not a whole number: null."""
    text = to_text(series).str.strip_chars()
    clock = text.str.extract_groups(r"^(\d{1,2}):(\d{2})$")
    hours = clock.struct.field("1").cast(pl.Int64, strict=False)
    minutes = clock.struct.field("2").cast(pl.Int64, strict=False)
    as_time = (hours * 60 + minutes).zip_with(
        (minutes < 60).fill_null(False), pl.Series([None] * len(series), dtype=pl.Int64)
    )
    number = to_number(text, decimal)
    whole = number.cast(pl.Int64, strict=False).zip_with(
        (number == number.round(0)).fill_null(False), pl.Series([None] * len(series), dtype=pl.Int64)
    )
    return as_time.fill_null(whole).cast(pl.Int32).alias(series.name)


def to_number(series: pl.Series, decimal: str) -> pl.Series:
    """Numbers; text may use a decimal comma when the mapping says ``decimal = ","``."""
    if series.dtype.is_numeric():
        return series.cast(pl.Float64)
    text = series.cast(pl.String).str.replace_all(r"[\s\u00a0]", "")
    if decimal == ",":
        text = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    return text.cast(pl.Float64, strict=False)


def to_boolean(series: pl.Series) -> pl.Series:
    """Booleans from true/false, yes/no, y/n, 1/0 (any case); anything else is null."""
    if series.dtype == pl.Boolean:
        return series
    text = series.cast(pl.String).str.to_lowercase()
    mapping: dict[str, bool] = dict.fromkeys(TRUE_WORDS, True) | dict.fromkeys(FALSE_WORDS, False)
    return text.replace_strict(mapping, default=None, return_dtype=pl.Boolean)


def to_date(series: pl.Series, formats: tuple[str, ...]) -> pl.Series:
    """Dates: Date and Datetime values as they are, text by the first format that fits."""
    if series.dtype == pl.Date:
        return series
    if isinstance(series.dtype, pl.Datetime):
        return series.dt.date()
    text = series.cast(pl.String)
    attempts = [text.str.strptime(pl.Date, f, strict=False) for f in formats]
    return pl.select(pl.coalesce(attempts)).to_series().alias(series.name)


def to_utc(series: pl.Series, formats: tuple[str, ...], timezone: str) -> pl.Series:
    """Naive UTC timestamps; naive inputs are local times in ``timezone``, others carry their offset."""
    if series.dtype == pl.Date:
        series = series.cast(UTC_NAIVE)
    if isinstance(series.dtype, pl.Datetime):
        return _naive_utc(series, timezone)
    text = series.cast(pl.String)
    attempts = []
    for fmt in formats:
        if "%z" in fmt or "%#z" in fmt or "%:z" in fmt:
            parsed = text.str.strptime(pl.Datetime("us", "UTC"), fmt, strict=False)
        else:
            parsed = text.str.strptime(UTC_NAIVE, fmt, strict=False)
        attempts.append(_naive_utc(parsed, timezone))
    return pl.select(pl.coalesce(attempts)).to_series().alias(series.name)


# Longer than any daylight-saving gap, shorter than the time between two clock changes.
_BEFORE_GAP = timedelta(hours=6)


def _naive_utc(series: pl.Series, timezone: str) -> pl.Series:
    dtype = series.dtype
    assert isinstance(dtype, pl.Datetime)
    if dtype.time_zone is None:
        return (
            _localised(series, timezone)
            .dt.convert_time_zone("UTC")
            .dt.replace_time_zone(None)
            .cast(UTC_NAIVE)
        )
    return series.dt.convert_time_zone("UTC").dt.replace_time_zone(None).cast(UTC_NAIVE)


def _localised(series: pl.Series, timezone: str) -> pl.Series:
    """Naive local times in ``timezone``. A time in a daylight-saving gap (clocks jumped forward, so
    it never existed: midnight on 15 Oct 2017 in America/Sao_Paulo) is read with the offset in force
    before the jump, i.e. shifted forward by the gap (00:00 reads 01:00), as Python's zoneinfo does;
    ``gap_times`` counts them for the report. An ambiguous time (clocks went back) is the earlier."""
    local = series.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
    gaps = series.is_not_null() & local.is_null()
    if not gaps.any():
        return local
    earlier = (series - _BEFORE_GAP).dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
    return local.zip_with(~gaps, earlier + _BEFORE_GAP)


def gap_times(series: pl.Series, timezone: str) -> pl.Series:
    """Mask of the naive local times of ``series`` that fall in a daylight-saving gap of ``timezone``."""
    if not isinstance(series.dtype, pl.Datetime) or series.dtype.time_zone is not None:
        return pl.Series([False] * series.len(), dtype=pl.Boolean)
    local = series.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
    return series.is_not_null() & local.is_null()


def dst_gaps(series: pl.Series, formats: tuple[str, ...], timezone: str) -> pl.Series:
    """Mask of the values ``to_utc`` reads as naive local times that fall in a daylight-saving gap
    (they are shifted forward by the gap; the import report counts them)."""
    if series.dtype == pl.Date:
        series = series.cast(UTC_NAIVE)
    if isinstance(series.dtype, pl.Datetime):
        return gap_times(series, timezone)
    text = series.cast(pl.String)
    naive = [
        text.str.strptime(UTC_NAIVE, fmt, strict=False)
        for fmt in (formats or TIMESTAMP_FORMATS)
        if not any(z in fmt for z in ("%z", "%#z", "%:z"))
    ]
    if not naive:
        return pl.Series([False] * series.len(), dtype=pl.Boolean)
    return gap_times(pl.select(pl.coalesce(naive)).to_series(), timezone)
