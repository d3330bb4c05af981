"""The Excel (.xlsx) twin of a CSV export: the same rows and values, with header rows and number formats.

It is written from the frame the CSV is written from (``export.export_frame``: aggregates only,
suppression applied, numbers rounded, metrics not in the data left empty), so the two files always
hold the same numbers. The first rows name the table, the period and filters and the suppression
rule, as the CSV's comment lines do; each column gets the number format of its registry format
(money in euros to the cent, percents as the CSV writes them, durations in minutes). Every text is
written as text, never as a formula: a dealer named ``=HYPERLINK(...)`` stays a name.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

# Excel number formats per registry format, for values as the CSV writes them (percents x 100).
XLSX_FORMATS: dict[str, str] = {
    "count": "#,##0",
    "percent": '0.00" %"',
    "ratio": '+0.00" %";-0.00" %";0.00" %"',
    "money": '"€"#,##0.00',
    "minutes": '#,##0.0" min"',
    "number": "#,##0.00",
}
DATE_FORMAT = "yyyy-mm-dd"
SHEET_NAME = "Leadline"
_MAX_WIDTH = 48


def xlsx_bytes(frame: pl.DataFrame, *, header: Sequence[str], formats: Mapping[str, str]) -> bytes:
    """The workbook: ``header`` lines (the CSV's comment lines, without '# '), a blank row, then
    ``frame`` with its column names as a bold, frozen header row and ``formats`` (column -> registry
    format) as number formats. Empty values (None, NaN) stay empty cells, never 0."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(SHEET_NAME)
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 13})
    number = {fmt: book.add_format({"num_format": pattern}) for fmt, pattern in XLSX_FORMATS.items()}
    day = book.add_format({"num_format": DATE_FORMAT})
    for row, line in enumerate(header):
        sheet.write_string(row, 0, line, title if row == 0 else None)
    top = len(header) + 1
    for col, name in enumerate(frame.columns):
        sheet.write_string(top, col, name, bold)
        cell_format = number.get(formats.get(name, ""))
        for offset, value in enumerate(frame[name].to_list(), start=1):
            _write(sheet, top + offset, col, value, cell_format, day)
        sheet.set_column(col, col, _width(name, frame[name]))
    if frame.width:
        sheet.freeze_panes(top + 1, 1)
        sheet.autofilter(top, 0, top + frame.height, frame.width - 1)
    book.close()
    return buffer.getvalue()


def _write(sheet: Worksheet, row: int, col: int, value: object, cell_format: Format | None, day: Format) -> None:
    if value is None or value == "" or (isinstance(value, float) and not math.isfinite(value)):
        return  # empty: no figure (suppressed, not in the data, nothing to divide by), no note
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, cell_format)
    elif isinstance(value, datetime | date):
        sheet.write_datetime(row, col, value, day)
    else:
        sheet.write_string(row, col, str(value))


def _width(name: str, column: pl.Series) -> int:
    longest = max([len(name), *(len(str(v)) for v in column.head(200).to_list() if v is not None)])
    return min(_MAX_WIDTH, longest + 2)
