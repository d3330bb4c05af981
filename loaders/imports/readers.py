"""Reading export files as they come: CSV of any delimiter, quoting and encoding, Parquet, Excel.

Every reader returns a frame of the source columns plus ``__row`` (the row number as a
spreadsheet shows it, header = 1). Text cells are trimmed, and empty cells and the file's
placeholders ("Select", "-") become null. CSV is read as text only: the transform step
parses dates and numbers, so it can report the exact cell that does not parse.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import polars as pl

from loaders.imports.mapping import FileSpec
from loaders.imports.problems import ProblemLog

ROW = "__row"
CSV_DELIMITERS = (",", ";", "\t", "|")
FALLBACK_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_SNIFF_CHARS = 64_000
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def delimiter_name(delimiter: str) -> str:
    """``semicolon`` for ``;``: a delimiter as people call it."""
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


def detect_format(spec: FileSpec, data: bytes) -> str:
    """csv, parquet or xlsx: as the mapping says, else from the file's first bytes, else from its name."""
    if spec.format:
        return spec.format
    if data[:4] == b"PAR1":
        return "parquet"
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    suffix = Path(spec.path or "").suffix.lower()
    return {".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx", ".xlsm": "xlsx"}.get(suffix, "csv")


def decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    """The text and the encoding that decoded it: the mapping's, else UTF-8, then cp1252, then Latin-1."""
    for candidate in (encoding,) if encoding else FALLBACK_ENCODINGS:
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError(str(encoding), data, 0, 1, "the file does not decode")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of fields, most fields first."""
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_score = ",", (0, 0)
    for delimiter in CSV_DELIMITERS:
        counts = [len(fields) for fields in csv.reader(io.StringIO(sample), delimiter=delimiter) if fields]
        if not counts:
            continue
        width, frequency = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = (frequency * 1000 // len(counts), width)  # consistency first, then width
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_source(spec: FileSpec, label: str, data: bytes, log: ProblemLog) -> pl.DataFrame | None:
    """The cleaned frame of one source file, or None after logging why it cannot be read."""
    fmt = detect_format(spec, data)
    frame: pl.DataFrame | None
    try:
        if fmt == "parquet":
            frame = pl.read_parquet(io.BytesIO(data))
        elif fmt == "xlsx":
            frame = _read_xlsx(spec, data)
        else:
            frame = _read_csv(spec, label, data, log)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        # The library's message may quote a line of the file, which may hold personal data.
        log.add(
            label,
            f"The file cannot be read as {fmt} ({type(exc).__name__}).",
            _read_hint(fmt),
        )
        return None
    if frame is None:
        return None
    return clean(frame, spec.placeholders)


def _read_hint(fmt: str) -> str:
    if fmt == "csv":
        return (
            "Check that every line has the same number of fields and that quotes are closed; set "
            "delimiter and encoding in the mapping's [files] entry if the guesses are wrong."
        )
    if fmt == "xlsx":
        return "Save it as .xlsx (Excel 2007 or later) and name the sheet with sheet = '...' in the mapping."
    return "Export it again as Parquet, or as CSV."


def _read_csv(spec: FileSpec, label: str, data: bytes, log: ProblemLog) -> pl.DataFrame | None:
    try:
        text, _ = decode(data, spec.encoding)
    except (UnicodeDecodeError, LookupError):
        log.add(
            label,
            f"The file is not encoded in {spec.encoding}.",
            "Remove encoding from the mapping to let Leadline try UTF-8, cp1252 and Latin-1, or name the "
            "encoding the export uses.",
        )
        return None
    delimiter = spec.delimiter or sniff_delimiter(text)
    return pl.read_csv(
        io.StringIO(text.lstrip("\ufeff")),
        separator=delimiter,
        infer_schema=False,
        quote_char='"',
    )


def _read_xlsx(spec: FileSpec, data: bytes) -> pl.DataFrame:
    if spec.sheet:
        return pl.read_excel(io.BytesIO(data), sheet_name=spec.sheet)
    return pl.read_excel(io.BytesIO(data), sheet_id=1)


def clean(frame: pl.DataFrame, placeholders: tuple[str, ...]) -> pl.DataFrame:
    """Trimmed names and text; empty cells and placeholders (compared ignoring case) as null; ``__row``."""
    frame = frame.rename({c: c.strip() for c in frame.columns})
    empty = ["", *(p.strip().lower() for p in placeholders)]
    text_columns = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    cleaned = frame.with_columns(
        pl.when(pl.col(c).str.strip_chars().str.to_lowercase().is_in(empty))
        .then(None)
        .otherwise(pl.col(c).str.strip_chars())
        .alias(c)
        for c in text_columns
    )
    # Spreadsheets store every number as a float: 660737.0 is the id 660737.
    whole_floats = [
        c
        for c, dtype in cleaned.schema.items()
        if dtype.is_float()
        and bool(cleaned.select(((pl.col(c) == pl.col(c).round(0)) & (pl.col(c).abs() < 2**53)).all()).item())
    ]
    cleaned = cleaned.with_columns(pl.col(c).cast(pl.Int64) for c in whole_floats)
    return cleaned.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))


def load_bytes(source: bytes | Path) -> bytes:
    """The bytes of an uploaded file or of a file on disk."""
    return source if isinstance(source, bytes) else Path(source).read_bytes()
