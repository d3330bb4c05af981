"""The Excel export holds exactly the CSV's rows and values, with the header rows and number formats."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import polars as pl
import pytest

from dashboard.access.viewer import DEMO_VIEWER
from dashboard.filters.url_state import Choices, FilterState
from dashboard.filters.view import View
from dashboard.ui.export import csv_text, export_formats, export_frame, file_name, header_lines
from dashboard.ui.export_xlsx import XLSX_FORMATS, xlsx_bytes
from metrics.availability import DataProfile, blank_missing

VIEW = View(
    DEMO_VIEWER,
    FilterState(date(2026, 1, 1), date(2026, 1, 31), "previous", (("dealer_id", ("D1",)),)),
    Choices(labels={"dealer_id": {"D1": "Autohaus Nord"}}),
    datetime(2026, 2, 1),
    5,
)
# Groups as a page shows them: one suppressed, one without sales, one named like a formula.
FRAME = pl.DataFrame(
    {
        "group": ["Autohaus Nord", "=HYPERLINK(\"http://evil\",\"x\")", "Kleinhaus · fewer than 5 leads"],
        "leads": [1200, 300, None],
        "spend": [31647.070000000003, 900.0, None],
        "follow_up_rate": [0.61234567, 0.5, None],
        "median_first_response_min": [95.04, 12.0, None],
        "cost_per_sale": [240.129, None, None],
        "roi": [10.38, -0.5, None],
        "first_day": [date(2026, 1, 5), date(2026, 1, 12), None],
        "share": [25.0, 50.0, None],  # a detail table scales its own shares before the export
        "suppressed": [False, False, True],
    }
)
LABELS = {"group": "Dealer", "first_day": "From", "share": "Share (%)"}


def _workbook(frame: pl.DataFrame) -> tuple[openpyxl.Workbook, pl.DataFrame, str]:
    out = export_frame(frame, min_group_size=VIEW.min_group_size, labels=LABELS)
    formats = export_formats(frame.columns, labels=LABELS, formats={"share": "percent"})
    data = xlsx_bytes(out, header=header_lines(out, title="Follow-up by dealer", view=VIEW), formats=formats)
    return openpyxl.load_workbook(io.BytesIO(data)), out, csv_text(out, title="Follow-up by dealer", view=VIEW)


def _csv_rows(text: str) -> pl.DataFrame:
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return pl.read_csv(io.StringIO(body), infer_schema=False)  # every cell as the CSV's text


def test_the_header_rows_name_the_table_period_filters_and_suppression() -> None:
    book, _, csv = _workbook(FRAME)
    sheet = book.active
    assert sheet is not None
    lines = [sheet.cell(row, 1).value for row in range(1, 4)]
    assert lines == [line.removeprefix("# ") for line in csv.splitlines()[:3]]
    assert lines[0] == "Leadline: Follow-up by dealer"
    assert "2026-01-01 to 2026-01-31" in str(lines[1]) and "Dealer: Autohaus Nord" in str(lines[1])
    assert "fewer than 5 leads are suppressed" in str(lines[2])
    assert sheet.cell(4, 1).value is None  # a blank row, then the table's header
    assert sheet.freeze_panes == "B6"


def test_every_value_equals_the_csv_and_empty_stays_empty() -> None:
    book, out, csv = _workbook(FRAME)
    sheet = book.active
    assert sheet is not None
    expected = _csv_rows(csv)
    header = [sheet.cell(5, c + 1).value for c in range(out.width)]
    assert header == expected.columns
    for r, row in enumerate(expected.iter_rows()):
        for c, text in enumerate(row):
            cell = sheet.cell(6 + r, c + 1).value
            if text is None or text == "":
                assert cell is None, (header[c], cell)  # suppressed or no figure: empty, never 0
            elif isinstance(cell, int | float):
                assert cell == pytest.approx(float(text), abs=1e-9), header[c]
            elif isinstance(cell, datetime):
                assert cell.date().isoformat() == text
            else:  # the CSV marks formula-like text with a leading ' (the xlsx stores it as text)
                assert text in (str(cell), f"'{cell}"), header[c]
    # Rounded as the CSV is: money to the cent, percents with 2 decimals, minutes to a tenth.
    assert sheet.cell(6, header.index("Spend (EUR)") + 1).value == 31647.07


def test_number_formats_follow_the_registry() -> None:
    book, out, _ = _workbook(FRAME)
    sheet = book.active
    assert sheet is not None
    column = {sheet.cell(5, c + 1).value: c + 1 for c in range(out.width)}

    def fmt(title_start: str) -> str:
        col = next(c for name, c in column.items() if str(name).startswith(title_start))
        return str(sheet.cell(6, col).number_format)

    assert fmt("Leads") == XLSX_FORMATS["count"]
    assert fmt("Spend") == XLSX_FORMATS["money"]
    assert fmt("Follow-up rate") == XLSX_FORMATS["percent"]
    assert fmt("Share (%)") == XLSX_FORMATS["percent"]
    assert fmt("ROI") == XLSX_FORMATS["ratio"]
    assert fmt("From") == "yyyy-mm-dd"
    median = next(name for name in column if "(minutes)" in str(name))
    assert sheet.cell(6, column[median]).number_format == XLSX_FORMATS["minutes"]


def test_a_name_that_looks_like_a_formula_stays_text() -> None:
    book, _, _ = _workbook(FRAME)
    sheet = book.active
    assert sheet is not None
    cell = sheet.cell(7, 1)
    assert cell.data_type == "s"
    assert cell.value == "=HYPERLINK(\"http://evil\",\"x\")"


def test_metrics_not_in_the_data_are_empty_in_both_files() -> None:
    no_spend = blank_missing(FRAME, DataProfile(absent=frozenset({"spend"})))
    book, out, csv = _workbook(no_spend)
    sheet = book.active
    assert sheet is not None
    spend_col = out.columns.index("Spend (EUR)") + 1
    assert [sheet.cell(r, spend_col).value for r in (6, 7, 8)] == [None, None, None]
    assert _csv_rows(csv)["Spend (EUR)"].to_list() == [None, None, None]


def test_the_file_name_says_what_it_holds() -> None:
    assert file_name("Follow-up by dealer", VIEW, "xlsx") == (
        "leadline_Follow-up-by-dealer_2026-01-01_2026-01-31_dealer-D1.xlsx"
    )
