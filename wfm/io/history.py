"""The history file format: the strict reader (CSV, CSV.gz, XLSX, Parquet) and the writer.

Every stage (forecasting, staffing, the app, the CLI) reads call history through
:func:`read_history`, which returns one canonical long frame
(:data:`wfm.ground.frames.HISTORY_COLUMNS`):

=====================  ===============================  ==========================================
column                 dtype                            meaning
=====================  ===============================  ==========================================
``interval_start``     ``datetime64[ns, <IANA zone>]``  start of the interval, tz-aware
``queue``              ``str``                          queue name
``calls_offered``      ``int64``                        calls offered (required)
``calls_answered``     ``Int64``                        calls answered (optional)
``calls_abandoned``    ``Int64``                        calls abandoned while waiting (optional)
``aht_seconds``        ``float64``                      average handle time of answered calls [s]
``asa_seconds``        ``float64``                      average speed of answer [s] (optional)
``callbacks_accepted`` ``Int64``                        calls that took a call-back offer (optional)
``calls_answered_within_target`` ``Int64``              calls answered within the ACD's target time (optional)
=====================  ===============================  ==========================================

sorted by ``queue`` then ``interval_start``, with ``df.attrs["interval_minutes"]``
and ``df.attrs["tz"]`` set.  Nothing is filled, dropped or rounded: a file either
comes through exactly or is refused with :class:`wfm.ground.errors.WfmInputError`
listing every problem found, each naming the file, the row (the header is row
1, so the first data row is row 2), the column, the rule and the value.
:func:`validate_history_frame` applies the same checks to a table already read.
:func:`write_history_csv` writes the frame back (ISO-8601 with UTC offset; ``.gz``
compressed byte-identically).

Another export's layout is described by a mapping file (:mod:`wfm.io.mapping`).
The summary of an accepted history (gaps, opening hours) is
:func:`forecasting.history.summarise_history`.  The file format and every error
message are documented in ``docs/history_format.md``.

References
----------
.. [1] ISO 8601-1:2019, Date and time -- Representations for information
   interchange, section 4.3.13 (UTC offsets).
.. [2] IANA Time Zone Database, https://www.iana.org/time-zones (DST rules for
   Europe/Stockholm: clocks go forward at 02:00 on the last Sunday of March
   and back at 03:00 on the last Sunday of October).
"""

from __future__ import annotations

import csv
import datetime as _dt
import gzip
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Mapping

import numpy as np
import pandas as pd

from wfm.ground.errors import ErrorList, WfmInputError, cell_text, column_label, file_error
from wfm.ground.frames import (
    HISTORY_COLUMNS,
    HISTORY_COUNT_COLUMNS,
    HISTORY_REQUIRED_COLUMNS,
    HISTORY_SECONDS_COLUMNS,
    MAX_DURATION_SECONDS,
)
from wfm.ground.timegrid import (
    SUPPORTED_DATES,
    format_offset_timestamps,
    has_utc_offset,
    interval_steps,
    outside_supported_dates,
    parse_iso_offset,
    resolve_tz,
)
from wfm.ground.zones import written_offset_minutes, zone_from_offsets
from wfm.io.common import check_parquet_bounded, check_zip_bounded, gunzip_bounded, read_bounded
from wfm.io.mapping import ALLOWED_INTERVAL_MINUTES, HistoryMapping, load_mapping

__all__ = [
    "history_to_csv_bytes",
    "read_history",
    "validate_history_frame",
    "write_history_csv",
]

#: A day counts as being at a coarser resolution (mixed interval lengths) when it
#: has at least this many consecutive steps, all equal and longer than the interval.
_COARSE_DAY_MIN_STEPS = 8
#: Largest count read exactly (2**53: every whole number up to it is an exact float64).
_MAX_COUNT = 2**53

_SUFFIXES: tuple[tuple[str, str], ...] = (
    (".csv.gz", "csv.gz"),
    (".csv", "csv"),
    (".xlsx", "xlsx"),
    (".parquet", "parquet"),
)


# ----------------------------------------------------------------------------
# Reading the raw table
# ----------------------------------------------------------------------------
def _source_name(source: Any) -> str:
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    name = getattr(source, "name", None)
    return str(name) if name else "<upload>"


def _detect_format(name: str, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in {f for _, f in _SUFFIXES}:
            raise file_error(name, f"unknown format {fmt!r}; use one of csv, csv.gz, xlsx, parquet")
        return fmt
    lower = name.lower()
    for suffix, kind in _SUFFIXES:
        if lower.endswith(suffix):
            return kind
    raise file_error(name, "unknown file type: the name must end in .csv, .csv.gz, .xlsx or .parquet")


def _read_bytes(source: Any, name: str) -> bytes:
    return read_bounded(source, name)  # within MAX_TABLE_BYTES (wfm.io.common)


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode_text(data: bytes, name: str, encoding: str) -> str:
    if not data.strip():
        raise file_error(name, "the file is empty")
    if data[:4] == b"PK\x03\x04":
        raise file_error(name, "is not a text file: it looks like a ZIP/XLSX file; give it the .xlsx suffix")
    if data[:4] == b"PAR1":
        raise file_error(name, "is not a text file: it looks like a Parquet file; give it the .parquet suffix")
    if data[:2] == b"\x1f\x8b":
        raise file_error(name, "is not a text file: it is gzip-compressed; give it the .csv.gz suffix")
    utf16 = encoding.lower().replace("_", "-").startswith("utf-16")
    nul = data.find(b"\x00")
    if nul >= 0 and not utf16:
        raise file_error(name, f"is not a text file: byte 0x00 at offset {nul} (row {_line_of_offset(data, nul)})")
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        row = _line_of_offset(data, exc.start)
        raise file_error(
            f"{name}, row {row}",
            f"is not valid {encoding} text (byte {data[exc.start:exc.start + 1]!r} at offset {exc.start}); "
            "save the file as UTF-8 or set 'encoding' in the mapping file",
        ) from None
    bad = re.search(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if bad:
        row = text.count("\n", 0, bad.start()) + 1
        raise file_error(name, f"is not a text file: control character {bad.group()!r} in row {row}")
    return text


def _read_csv_text(text: str, name: str, sep: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    first_line = text.split("\n", 1)[0].rstrip("\r")
    try:
        header = next(csv.reader([first_line], delimiter=sep))
    except csv.Error as exc:  # e.g. a lone carriage return inside the header line
        raise file_error(name, f"is not a readable CSV file: its header line cannot be read ({exc})") from None
    _hint_separator(header, name, sep)
    _check_header(header, name)
    if len(text.split("\n", 1)) == 1 or not text.split("\n", 1)[1].strip():
        raise file_error(name, "has a header but no data rows")
    bad_rows: list[tuple[int | None, int, int]] = []

    def on_bad_row(row: Any) -> str:
        bad_rows.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(use_threads=False, column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=sep, ignore_empty_lines=False, invalid_row_handler=on_bad_row),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise file_error(name, f"is not a readable CSV file ({exc})") from None
    if bad_rows:
        errors = ErrorList(name)
        for number, expected, actual in bad_rows:
            row = "?" if number is None else number
            errors.add(f"{name}, row {row}: has {actual} fields, the header has {expected}")
        errors.raise_if_any()
    frame = table.to_pandas()
    # Blank lines at the very end of a file hold nothing and are not rows; a blank
    # line inside the file is reported by the per-row checks.
    blank = (frame == "").all(axis=1).to_numpy()
    n = len(blank)
    while n and blank[n - 1]:
        n -= 1
    frame = frame.iloc[:n]
    if n == 0:
        raise file_error(name, "has a header but no data rows")
    return frame


def _hint_separator(header: list[str], name: str, sep: str) -> None:
    """A one-column header that holds another separator: say so, and how to read the file."""
    if len(header) != 1:
        return
    for other, words in ((";", "semicolons (a Swedish or other European export, often with decimal commas)"),
                         ("\t", "tabs")):
        if other != sep and header[0].count(other) >= 2:
            decimal = " and decimal: ','" if other == ";" else ""
            raise file_error(name, f"the header is one column, {header[0][:60]!r}: the file looks separated by "
                                   f"{words}; read it with a mapping file holding sep: {other!r}{decimal} "
                                   "(docs/history_format.md)")


def _check_header(header: list[str], name: str) -> None:
    errors = ErrorList(name)
    seen: set[str] = set()
    for i, col in enumerate(header, start=1):
        if not col.strip():
            errors.add(f"{name}, row 1: column {i} of the header has no name")
        elif col in seen:
            errors.add(f"{name}, row 1: column name {col!r} appears more than once in the header")
        seen.add(col)
    errors.raise_if_any()


def _read_xlsx(data: bytes, name: str, sheet_name: str | None = None) -> pd.DataFrame:
    import openpyxl

    if data[:4] != b"PK\x03\x04":
        raise file_error(name, "is not an XLSX file (an .xlsx file is a ZIP archive; this one is not)")
    check_zip_bounded(data, name)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException
        raise file_error(name, f"is not a readable XLSX file ({type(exc).__name__}: {exc})") from None
    try:
        names = list(book.sheetnames)
        if sheet_name is not None:
            if sheet_name not in names:
                raise file_error(name, f"has no sheet {sheet_name!r} (sheets: {', '.join(names)})")
            sheet = book[sheet_name]
        elif len(names) > 1:
            raise file_error(name, f"has {len(names)} sheets ({', '.join(names)}); name the one to read with 'sheet' in the mapping")
        elif not names:
            raise file_error(name, "is not a readable XLSX file (it has no worksheet)")
        else:
            sheet = book.worksheets[0]
        try:
            rows = list(sheet.iter_rows(values_only=True))
        except Exception as exc:  # a damaged sheet fails while its XML is read lazily
            raise file_error(name, f"is not a readable XLSX file ({type(exc).__name__}: {exc})") from None
    except WfmInputError:
        raise
    except Exception as exc:  # damaged workbook parts surface here too
        raise file_error(name, f"is not a readable XLSX file ({type(exc).__name__}: {exc})") from None
    finally:
        book.close()
    # Trailing empty rows (a common artefact of spreadsheet editing) hold nothing.
    while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise file_error(name, "the file is empty (its first sheet has no cells)")
    header = list(rows[0])
    while header and header[-1] is None:
        header.pop()
    width = len(header)
    errors = ErrorList(name)
    for r, values in enumerate(rows[1:], start=2):
        extra = [v for v in values[width:] if v is not None and not (isinstance(v, str) and not v.strip())]
        if extra:
            errors.add(f"{name}, row {r}: has a value beyond the last header column ({cell_text(extra[0])})")
    errors.raise_if_any()
    _check_header(["" if h is None else str(h) for h in header], name)
    if len(rows) == 1:
        raise file_error(name, "has a header but no data rows")
    body = [list(values[:width]) + [None] * (width - len(values[:width])) for values in rows[1:]]
    frame = pd.DataFrame(body, columns=[str(h) for h in header], dtype=object)
    return frame


def _read_parquet(data: bytes, name: str) -> pd.DataFrame:
    import pyarrow.parquet as pq

    if len(data) == 0:
        raise file_error(name, "the file is empty")
    if data[:4] != b"PAR1":
        raise file_error(name, "is not a Parquet file (it does not start with the PAR1 magic bytes)")
    check_parquet_bounded(data, name)  # rows and uncompressed bytes from the footer, before decoding
    try:
        table = pq.read_table(io.BytesIO(data))
        _check_header(list(table.column_names), name)
        frame = table.to_pandas()
    except WfmInputError:
        raise
    except Exception as exc:  # pyarrow.ArrowInvalid and friends
        raise file_error(name, f"is not a readable Parquet file ({type(exc).__name__}: {exc})") from None
    if len(frame) == 0:
        raise file_error(name, "has columns but no data rows")
    return frame


def _read_raw(source: Any, name: str, fmt: str, encoding: str, sep: str, sheet: str | None = None) -> pd.DataFrame:
    data = _read_bytes(source, name)
    if fmt == "csv.gz":
        data = gunzip_bounded(data, name)  # in chunks, refused past MAX_TABLE_BYTES
        fmt = "csv"
    if fmt == "csv":
        return _read_csv_text(_decode_text(data, name, encoding), name, sep)
    if fmt == "xlsx":
        return _read_xlsx(data, name, sheet)
    return _read_parquet(data, name)


# ----------------------------------------------------------------------------
# Column parsing
# ----------------------------------------------------------------------------
def _ns(stamps: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch (UTC) of a tz-aware datetime Series."""
    return stamps.dt.tz_convert("UTC").astype("datetime64[ns, UTC]").array.asi8


def _is_blank(series: pd.Series) -> np.ndarray:
    """Empty cell: missing, or text that is empty/whitespace."""
    missing = series.isna().to_numpy()
    if isinstance(series.dtype, pd.StringDtype) or series.dtype == "str":
        return missing | (series.fillna("").str.strip() == "").to_numpy(dtype=bool)
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        text = series.astype(object).where(~missing, "")
        stripped = pd.Series(text, dtype="str").str.strip()
        return missing | (stripped == "").to_numpy()
    return missing


def _numbers(series: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """Float values and a mask of cells that are present but not numbers."""
    blank = _is_blank(series)
    if pd.api.types.is_bool_dtype(series.dtype):
        return np.full(len(series), np.nan), ~blank
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.astype("float64").to_numpy(na_value=np.nan)
        return values, np.zeros(len(series), bool)
    obj = series.astype(object)
    if series.dtype == object:
        is_bool = obj.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)
        is_num = obj.map(lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)
    else:  # text dtype: every cell is text or missing
        is_bool = np.zeros(len(series), dtype=bool)
        is_num = np.zeros(len(series), dtype=bool)
    text = pd.Series(obj.where(~blank & ~is_num & ~is_bool, ""), dtype="str").str.strip()
    if decimal == ",":
        ok_text = text.str.fullmatch(r"[+-]?([0-9]+(,[0-9]*)?|,[0-9]+)([eE][+-]?[0-9]+)?")
        text = text.str.replace(",", ".", regex=False)
    else:
        ok_text = text.str.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
    parsed = pd.to_numeric(text.where(ok_text.fillna(False), ""), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if is_num.any():
        values = np.where(is_num, pd.to_numeric(obj.where(is_num, np.nan), errors="coerce").astype("float64"), parsed)
    else:
        values = parsed
    values = np.where(blank | is_bool, np.nan, values)
    unread = ~ok_text.fillna(False).to_numpy(dtype=bool) | np.isnan(parsed)
    bad = ~blank & (is_bool | (~is_num & unread))
    return values.astype("float64"), bad


def _durations(series: pd.Series, fmt: str, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """Seconds from ``mm:ss`` / ``hh:mm:ss`` text; mask of unreadable cells."""
    blank = _is_blank(series)
    obj = series.astype(object)
    is_time = obj.map(lambda v: isinstance(v, (_dt.time, _dt.timedelta))).to_numpy(dtype=bool)
    text = pd.Series(obj.where(~blank & ~is_time, ""), dtype="str").str.strip()
    frac = r"(?:[.,][0-9]+)?" if decimal == "," else r"(?:\.[0-9]+)?"
    if fmt == "mm:ss":
        parts = text.str.extract(rf"^([0-9]+):([0-5][0-9]{frac})$")
        seconds = pd.to_numeric(parts[0], errors="coerce") * 60 + pd.to_numeric(parts[1].str.replace(",", "."), errors="coerce")
    else:
        parts = text.str.extract(rf"^([0-9]+):([0-5][0-9]):([0-5][0-9]{frac})$")
        seconds = (
            pd.to_numeric(parts[0], errors="coerce") * 3600
            + pd.to_numeric(parts[1], errors="coerce") * 60
            + pd.to_numeric(parts[2].str.replace(",", "."), errors="coerce")
        )
    values = np.array(seconds.to_numpy(dtype="float64", na_value=np.nan), copy=True)
    if is_time.any():
        typed = obj[is_time].map(
            lambda v: v.total_seconds() if isinstance(v, _dt.timedelta) else v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6
        )
        values[is_time] = typed.to_numpy(dtype="float64")
    bad = ~blank & np.isnan(values)
    values[blank] = np.nan
    return values, bad


def _typed_to_text(series: pd.Series, fmt: str, column: str, rows: np.ndarray, errors: ErrorList) -> pd.Series:
    """Spreadsheet/Parquet date or time cells as text in ``fmt``, so one parser reads all."""
    obj = series.astype(object)
    typed = obj.map(lambda v: isinstance(v, (_dt.datetime, _dt.date, _dt.time))).to_numpy(dtype=bool)
    if not typed.any():
        return obj
    seconds = obj.map(lambda v: isinstance(v, (_dt.datetime, _dt.time)) and (v.second or v.microsecond)).to_numpy(dtype=bool)
    if seconds.any():
        errors.cells(rows[seconds], column, obj[seconds], "an interval start must be on a whole minute")
    return obj.where(~typed, obj.map(lambda v: v.strftime(fmt) if isinstance(v, (_dt.datetime, _dt.date, _dt.time)) else v))


# ----------------------------------------------------------------------------
# Timestamps
# ----------------------------------------------------------------------------
def _in_range(stamps: pd.Series, shown: pd.Series, column: str, rows: np.ndarray, errors: ErrorList) -> pd.Series:
    """NaT (and a message per cell) where a timestamp is outside the supported dates."""
    outside = outside_supported_dates(stamps)
    if outside.any():
        first, last = SUPPORTED_DATES
        errors.cells(rows[outside], column, shown[outside], f"is outside the supported dates {first} to {last}")
        stamps = stamps.where(~outside, pd.NaT)
    return stamps


def _parse_datetime_cells(values: pd.Series, queues: pd.Series | None, *, column: str, tz: _ZoneSetting,
                          rows: np.ndarray, errors: ErrorList) -> pd.Series:
    """A column already of a datetime dtype (Parquet): aware -> converted, naive -> localised."""
    stamps = values.reset_index(drop=True)
    blank = stamps.isna().to_numpy()
    if blank.any():
        errors.cells(rows[blank], column, [None] * int(blank.sum()), "is required")
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        utc = _in_range(stamps.dt.tz_convert("UTC"), stamps.dt.tz_convert("UTC").astype(str), column, rows, errors)
        ok = utc.notna().to_numpy()
        named = str(stamps.dt.tz)
        if not tz.given and "/" in named:  # a column stored with its IANA zone says where it was recorded
            tz.zone, tz.inferred, tz.given = named, named != tz.zone, True
            tz.note = f"{errors.source}: its timestamps are stored in the zone {named}: read in it" if tz.inferred else ""
        offsets = (stamps[ok].dt.tz_localize(None) - utc[ok].dt.tz_localize(None)) // pd.Timedelta(minutes=1)
        zone = tz.choose(utc[ok], offsets.to_numpy(dtype=np.int64), errors.source)
        return utc.dt.tz_convert(zone).astype(f"datetime64[ns, {zone}]")
    naive = _in_range(stamps, stamps.astype(str), column, rows, errors).astype("datetime64[ns]")
    return _localise(naive, queues, column=column, tz=tz.zone, rows=rows, errors=errors, shown=naive.astype(str))


def _timestamp_text(values: pd.Series, fmt: str | None, column: str, rows: np.ndarray,
                    errors: ErrorList) -> tuple[pd.Series, np.ndarray]:
    """Cells as stripped text, and where a timestamp is present; blank and non-text cells reported."""
    n = len(values)
    if values.dtype == object:
        obj = values.reset_index(drop=True)
        if obj.map(lambda v: isinstance(v, (_dt.datetime, _dt.date, _dt.time))).any():
            obj = _typed_to_text(obj, fmt or "%Y-%m-%dT%H:%M:%S", column, rows, errors)
        nonstr = obj.map(lambda v: v is not None and not isinstance(v, str)
                         and not (isinstance(v, float) and np.isnan(v))).to_numpy(dtype=bool)
    elif pd.api.types.is_string_dtype(values.dtype):
        obj, nonstr = values.reset_index(drop=True), np.zeros(n, dtype=bool)
    else:  # numbers, booleans: not timestamps
        obj = values.astype(object).reset_index(drop=True)
        nonstr = obj.notna().to_numpy(dtype=bool)
    blank = _is_blank(obj)
    text = pd.Series(obj.where(~blank & ~nonstr, ""), dtype="str").str.strip()
    if blank.any():
        errors.cells(rows[blank], column, [None] * int(blank.sum()), "is required")
    if nonstr.any():
        errors.cells(rows[nonstr], column, obj[nonstr], "must be a date and time")
    return text, ~blank & ~nonstr


def _parse_with_offset(text: pd.Series, keep: np.ndarray, *, column: str, fmt: str | None, tz: _ZoneSetting,
                       rows: np.ndarray, errors: ErrorList) -> pd.Series:
    """Timestamps written with their UTC offset -> tz-aware in the zone (inferred from the offsets
    when none was given, :func:`wfm.ground.zones.zone_from_offsets`)."""
    if fmt is None:
        parsed = parse_iso_offset(text.where(keep, ""))
        rule = "is not a valid ISO-8601 timestamp with a UTC offset (e.g. 2024-03-31T01:45:00+01:00)"
    else:
        parsed = pd.to_datetime(text.where(keep, None), utc=True, errors="coerce", format=fmt)
        rule = f"does not match the timestamp_format {fmt!r}"
    bad = keep & parsed.isna().to_numpy()
    if bad.any():
        errors.cells(rows[bad], column, text[bad], rule)
    utc = _in_range(parsed, text, column, rows, errors)
    ok = keep & utc.notna().to_numpy()
    zone = tz.choose(utc[ok], written_offset_minutes(text[ok]), errors.source)
    return utc.dt.tz_convert(zone).astype(f"datetime64[ns, {zone}]")


def _parse_local(text: pd.Series, keep: np.ndarray, queues: pd.Series | None, *, column: str,
                 fmt: str | None, tz: _ZoneSetting, rows: np.ndarray, errors: ErrorList) -> pd.Series:
    """Local wall-clock timestamps (no offset) -> tz-aware in ``tz`` (see :func:`_localise`)."""
    parsed = pd.to_datetime(text.where(keep, None), errors="coerce", format=fmt or "ISO8601")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # a format with %z but no offset in text
        parsed = parsed.dt.tz_localize(None)
    bad = keep & parsed.isna().to_numpy()
    if bad.any():
        rule = "is not a valid ISO-8601 date and time (e.g. 2024-03-31 01:45)" if fmt is None \
            else f"does not match the format {fmt!r}"
        errors.cells(rows[bad], column, text[bad], rule)
    naive = _in_range(parsed, text, column, rows, errors).astype("datetime64[ns]")
    return _localise(naive, queues, column=column, tz=tz.zone, rows=rows, errors=errors, shown=text)


def _parse_timestamps(values: pd.Series, queues: pd.Series | None, *, column: str, fmt: str | None,
                      tz: _ZoneSetting, rows: np.ndarray, errors: ErrorList) -> pd.Series:
    """Tz-aware ``datetime64[ns, tz]`` (NaT where a cell is refused).

    All timestamps of a file carry a UTC offset or none does: a file mixing the two is refused.
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _parse_datetime_cells(values, queues, column=column, tz=tz, rows=rows, errors=errors)
    text, present = _timestamp_text(values, fmt, column, rows, errors)
    if fmt is not None:
        has_offset = np.full(len(text), "%z" in fmt or "%Z" in fmt)
    else:
        has_offset = has_utc_offset(text) & present
    with_offset, without = present & has_offset, present & ~has_offset
    if with_offset.any() and without.any():
        first = rows[without][0] if with_offset.sum() >= without.sum() else rows[with_offset][0]
        errors.add(
            f"{errors.source}, column {column_label(column)}: some timestamps have a UTC offset and others do not "
            f"(first odd one: row {int(first)}); write all with an offset, or all as local time"
        )
    elif with_offset.any():
        return _parse_with_offset(text, with_offset, column=column, fmt=fmt, tz=tz, rows=rows, errors=errors)
    elif without.any():
        return _parse_local(text, without, queues, column=column, fmt=fmt, tz=tz, rows=rows, errors=errors)
    return pd.Series(pd.NaT, index=range(len(text)), dtype=f"datetime64[ns, {tz.zone}]")


def _localise(
    naive: pd.Series,
    queues: pd.Series | None,
    *,
    column: str,
    tz: str,
    rows: np.ndarray,
    errors: ErrorList,
    shown: pd.Series,
) -> pd.Series:
    """Local wall-clock times → tz-aware, refusing non-existent and ambiguous times.

    An ambiguous time (the repeated hour when clocks go back) is resolved only
    when it can be done exactly: within one queue, the rows of that night's
    repeated hour form two consecutive strictly increasing runs holding the same
    times (each repeated once, in file order) -- the first run is daylight-saving
    time, the second standard time.  Anything else is refused.
    """
    n = len(naive)
    present = naive.notna().to_numpy()
    guess_dst = np.ones(n, dtype=bool)
    loose = naive.dt.tz_localize(tz, ambiguous=guess_dst, nonexistent="NaT")
    strict = naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    nonexistent = present & loose.isna().to_numpy()
    ambiguous = present & strict.isna().to_numpy() & ~nonexistent
    if nonexistent.any():
        errors.cells(
            rows[nonexistent], column, shown[nonexistent],
            f"this local time does not exist in {tz} (the clocks go forward past it); fix the time or write it with a UTC offset",
        )
    is_dst = guess_dst.copy()
    if ambiguous.any():
        resolved = np.zeros(n, dtype=bool)
        idx = np.flatnonzero(ambiguous)
        keys = pd.DataFrame({
            "queue": (queues.to_numpy() if queues is not None else np.array([""] * n, dtype=object))[idx],
            "date": naive.dt.normalize().to_numpy()[idx],
            "pos": idx,
        })
        q_all = queues.to_numpy() if queues is not None else None
        for (queue, _), grp in keys.groupby(["queue", "date"], sort=False):
            pos = grp["pos"].to_numpy()
            times = naive.to_numpy()[pos]
            # positions of this queue's rows, to check the two runs are adjacent
            steps = np.diff(times.astype("int64"))
            breaks = np.flatnonzero(steps <= 0)
            if len(breaks) != 1:
                continue
            cut = breaks[0] + 1
            first, second = times[:cut], times[cut:]
            if not (np.array_equal(first, second) and np.all(np.diff(first.astype("int64")) > 0)):
                continue
            if q_all is not None:
                same_queue = np.flatnonzero(q_all == queue)
            else:
                same_queue = np.arange(n)
            # no other row of this queue between the two runs, and the rows of each run consecutive
            k1 = np.searchsorted(same_queue, pos)
            if not np.all(np.diff(k1) == 1):
                continue
            is_dst[pos[:cut]] = True
            is_dst[pos[cut:]] = False
            resolved[pos] = True
        unresolved = ambiguous & ~resolved
        if unresolved.any():
            errors.cells(
                rows[unresolved], column, shown[unresolved],
                f"this local time is ambiguous in {tz} (it occurs twice when the clocks go back); "
                "write it with a UTC offset, or list that hour twice in order",
            )
    result = naive.dt.tz_localize(tz, ambiguous=is_dst, nonexistent="NaT")
    return result.astype(f"datetime64[ns, {tz}]")


# ----------------------------------------------------------------------------
# Validation of a raw table
# ----------------------------------------------------------------------------
@dataclass
class _ZoneSetting:
    """The zone a table is read in: the one given, or the default, which timestamps written with
    UTC offsets that do not fit it replace by the one zone that fits them (or refuse the file)."""

    zone: str
    given: bool
    inferred: bool = False
    note: str = ""

    def choose(self, instants_utc: pd.Series, offsets_minutes: np.ndarray, source: str) -> str:
        """The zone for timestamps written at these instants with these offsets (decided once)."""
        if not self.given and len(instants_utc):
            choice = zone_from_offsets(pd.DatetimeIndex(instants_utc), offsets_minutes, default=self.zone,
                                       source=source)
            self.zone, self.inferred, self.note, self.given = choice.zone, choice.inferred, choice.note, True
        return self.zone


@dataclass
class _Table:
    """A raw table being checked: its cells, file rows, mapping and the problems found so far."""

    raw: pd.DataFrame
    rows: np.ndarray
    spec: HistoryMapping
    zone: _ZoneSetting
    errors: ErrorList
    blank_row: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @property
    def columns(self) -> list[str]:
        return list(self.raw.columns)


def _canonical_columns(table: _Table) -> dict[str, pd.Series]:
    """Export columns renamed by the mapping; unknown, missing and doubled columns reported."""
    spec, cols, errors = table.spec, table.columns, table.errors
    listed = ", ".join(cols)
    for src, _dst in spec.columns:
        if src not in cols:
            errors.column(src, f"named in the mapping but not in the file (columns: {listed})")
    for key in ("date_column", "time_column"):
        col = getattr(spec, key)
        if col is not None and col not in cols:
            errors.column(col, f"named as {key} in the mapping but not in the file (columns: {listed})")
    for col in spec.ignore:
        if col not in cols:
            errors.column(col, "listed under 'ignore' in the mapping but not in the file")
    errors.raise_if_any()
    rename = dict(spec.columns)
    canon: dict[str, pd.Series] = {}
    used = set(spec.ignore) | {c for c in (spec.date_column, spec.time_column) if c}
    for col in cols:
        if col in used:
            continue
        target = rename.get(col, col)
        if target not in HISTORY_COLUMNS:
            errors.column(col, f"is not a canonical column ({', '.join(HISTORY_COLUMNS)}); map it to one in a "
                          "mapping file or list it under 'ignore'")
        elif target in canon:
            errors.column(col, f"maps to {target!r}, which another column of the file already provides")
        else:
            canon[target] = table.raw[col]
    missing = [c for c in HISTORY_REQUIRED_COLUMNS if c not in canon]
    if spec.queue is not None:
        if "queue" in canon:
            errors.file("the mapping gives a constant 'queue' but the file also has a queue column; use one")
        else:
            missing.remove("queue")
    if spec.date_column is not None and "interval_start" in missing:
        missing.remove("interval_start")
    elif spec.date_column is not None:
        errors.file("the mapping joins date_column/time_column into interval_start but the file also has interval_start")
    for col in missing:
        errors.column(col, f"required column is missing (columns found: {listed})")
    errors.raise_if_any()
    return canon


def _queue_column(table: _Table, canon: dict[str, pd.Series]) -> pd.Series:
    """The queue of each row (the mapping's constant, or the column: required, no edge spaces)."""
    if table.spec.queue is not None:
        return pd.Series([table.spec.queue] * len(table.raw), dtype="str")
    qraw = canon["queue"].astype(object)
    qblank = _is_blank(qraw) & ~table.blank_row
    if qblank.any():
        table.errors.cells(table.rows[qblank], "queue", [None] * int(qblank.sum()), "is required")
    if canon["queue"].dtype == object:
        qraw = qraw.where(~_is_blank(qraw), "").map(lambda v: v if isinstance(v, str) else str(v))
    queue = pd.Series(qraw, dtype="str").fillna("")
    padded = (queue != queue.str.strip()).to_numpy() & ~qblank
    if padded.any():
        table.errors.cells(table.rows[padded], "queue", queue[padded], "must not start or end with spaces")
    return queue


def _keep_messages(table: _Table, found: ErrorList, drop) -> None:
    """Copy ``found``'s messages into the table's errors, except those ``drop(message)`` is true for."""
    for message in found.messages:
        if not drop(message):
            table.errors.add(message)
    table.errors.count(found.total - len(found.messages))


def _interval_start_column(table: _Table, canon: dict[str, pd.Series], queue: pd.Series,
                           row_offset: int) -> pd.Series:
    """Tz-aware interval starts, from one column or the mapping's date + time columns."""
    spec, rows, blank_row = table.spec, table.rows, table.blank_row
    found = ErrorList(table.errors.source)
    if spec.date_column is None:
        values = canon["interval_start"]
        if blank_row.any():
            values = values.astype(object).where(~blank_row, None)
        stamps = _parse_timestamps(values, queue, column="interval_start", fmt=spec.timestamp_format,
                                   tz=table.zone, rows=rows, errors=found)

        def on_blank_row(message: str) -> bool:  # the blank row is reported once, as a blank row
            row = re.search(r", row (\d+),", message)
            return bool(row) and blank_row[int(row.group(1)) - row_offset] and message.endswith("got an empty cell")

        _keep_messages(table, found, on_blank_row)
        return stamps
    date_fmt, time_fmt = spec.date_format or "%Y-%m-%d", spec.time_format or "%H:%M"
    dates = _typed_to_text(table.raw[spec.date_column], date_fmt, spec.date_column, rows, table.errors)
    times = _typed_to_text(table.raw[spec.time_column], time_fmt, spec.time_column, rows, table.errors)
    dblank, tblank = _is_blank(dates) & ~blank_row, _is_blank(times) & ~blank_row
    if dblank.any():
        table.errors.cells(rows[dblank], spec.date_column, [None] * int(dblank.sum()), "is required")
    if tblank.any():
        table.errors.cells(rows[tblank], spec.time_column, [None] * int(tblank.sum()), "is required")
    joined = pd.Series(dates.astype(str).str.strip() + " " + times.astype(str).str.strip(), dtype=object)
    joined[dblank | tblank | blank_row] = None
    stamps = _parse_timestamps(joined, queue, column=f"{spec.date_column}+{spec.time_column}",
                               fmt=f"{date_fmt} {time_fmt}", tz=table.zone, rows=rows, errors=found)
    # blank cells were reported above, by their own column
    _keep_messages(table, found, lambda message: message.endswith("is required; got an empty cell"))
    return stamps


def _count_column(table: _Table, col: str, cells: pd.Series) -> pd.Series:
    """Whole numbers >= 0 (``calls_offered`` int64 and required; the others nullable Int64)."""
    rows, errors = table.rows, table.errors
    values, bad = _numbers(cells, table.spec.decimal)
    bad &= ~table.blank_row
    if bad.any():
        errors.cells(rows[bad], col, cells[bad], "must be a whole number >= 0")
    okv = ~np.isnan(values)
    neg = okv & (values < 0)
    if neg.any():
        errors.cells(rows[neg], col, cells[neg], "must be a whole number >= 0 (negative)")
    nonint = okv & ~neg & ((values != np.floor(values)) | ~np.isfinite(values))
    if nonint.any():
        errors.cells(rows[nonint], col, cells[nonint], "must be a whole number >= 0 (not a whole number)")
    huge = okv & ~neg & ~nonint & (values > _MAX_COUNT)
    if huge.any():
        errors.cells(rows[huge], col, cells[huge],
                     f"must be a whole number >= 0 (at most {_MAX_COUNT}, beyond which it cannot be read exactly)")
    clean = np.where(okv & ~neg & ~nonint & ~huge, values, np.nan)
    if col == "calls_offered":
        required = np.isnan(values) & ~bad & ~table.blank_row
        if required.any():
            errors.cells(rows[required], col, [None] * int(required.sum()), "is required")
        return pd.Series(np.nan_to_num(clean, nan=0).astype("int64")).where(~np.isnan(clean), -1)
    arr = pd.array(np.where(np.isnan(clean), 0, clean).astype("int64"), dtype="Int64")
    arr[np.isnan(clean)] = pd.NA
    return pd.Series(arr)


def _seconds_column(table: _Table, col: str, cells: pd.Series) -> pd.Series:
    """Finite seconds >= 0, written as seconds or as the mapping's ``mm:ss`` / ``hh:mm:ss``."""
    rows, errors = table.rows, table.errors
    fmt = dict(table.spec.duration_format).get(col, "seconds")
    if fmt == "seconds":
        values, bad = _numbers(cells, table.spec.decimal)
        rule = "must be a number of seconds >= 0"
    else:
        values, bad = _durations(cells, fmt, table.spec.decimal)
        rule = f"must be a duration written {fmt}"
    bad &= ~table.blank_row
    if bad.any():
        errors.cells(rows[bad], col, cells[bad], rule)
    okv = ~np.isnan(values)
    neg = okv & ((values < 0) | ~np.isfinite(values))
    if neg.any():
        errors.cells(rows[neg], col, cells[neg], "must be a finite number of seconds >= 0")
    huge = okv & ~neg & (values > MAX_DURATION_SECONDS)
    if huge.any():
        errors.cells(rows[huge], col, cells[huge], f"must be at most {MAX_DURATION_SECONDS:,} seconds (a day)")
    neg |= huge
    return pd.Series(np.where(neg, np.nan, values).astype("float64"))


def _cross_checks(table: _Table, out: dict[str, pd.Series], canon: dict[str, pd.Series]) -> None:
    """Answered + abandoned + call-backs <= offered; a handle time where calls were answered."""
    rows, errors = table.rows, table.errors
    offered = out["calls_offered"].to_numpy()
    parts = [c for c in ("calls_answered", "calls_abandoned", "callbacks_accepted") if c in out]
    if parts:
        total = sum(out[c].fillna(0).to_numpy(dtype="int64") for c in parts)
        over = np.flatnonzero((offered >= 0) & (total > offered))
        listed = over[:errors.room]
        names = " + ".join(parts)
        for i in listed:
            terms = " + ".join(str(out[c].fillna(0).iloc[i]) for c in parts)
            errors.add(f"{errors.source}, row {rows[i]}, column calls_offered: {names} must not exceed calls_offered; "
                       f"got {names} = {terms} = {total[i]} > calls_offered = {offered[i]}")
        errors.count(len(over) - len(listed))
    if "calls_answered" in out and "aht_seconds" in out:
        answered = out["calls_answered"].fillna(0).to_numpy(dtype="int64")
        zero = (answered > 0) & (out["aht_seconds"].to_numpy() == 0)
        if zero.any():
            errors.cells(rows[zero], "aht_seconds", canon["aht_seconds"][zero], "must be > 0 when calls_answered > 0")
    _within_target_check(table, out, canon)


def _within_target_check(table: _Table, out: dict[str, pd.Series], canon: dict[str, pd.Series]) -> None:
    """Calls answered within the target time <= calls answered (<= offered without an answered column)."""
    if "calls_answered_within_target" not in out:
        return
    within = out["calls_answered_within_target"]
    cap_name = "calls_answered" if "calls_answered" in out else "calls_offered"
    cap = pd.to_numeric(out[cap_name], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    above = within.notna().to_numpy() & (within.fillna(0).to_numpy(dtype="float64") > cap)
    if above.any():
        table.errors.cells(table.rows[above], "calls_answered_within_target",
                           canon["calls_answered_within_target"][above], f"must not exceed {cap_name}")


def validate_history_frame(
    frame: pd.DataFrame,
    *,
    source: str = "<frame>",
    tz: str | None = None,
    mapping: str | os.PathLike | Mapping[str, Any] | HistoryMapping | None = None,
    row_offset: int = 2,
) -> pd.DataFrame:
    """Check an already-loaded table and return the canonical history frame.

    Parameters
    ----------
    frame : DataFrame
        The table as read (export columns, any dtypes).  It is not modified.
    source : str
        Name used in error messages (the file name).
    tz : str, optional
        IANA zone for naive local times and for the result.  Not given: the default
        :data:`wfm.ground.vocabulary.DEFAULT_TZ`, unless the timestamps carry UTC offsets
        that do not fit it: then the one zone that fits them is used (``attrs["tz_inferred"]``
        and ``attrs["tz_note"]`` say so), and a file that several zones or none fit is
        refused, naming the offsets found and ``tz`` (:func:`wfm.ground.zones.zone_from_offsets`).
    mapping : path, dict or HistoryMapping, optional
        Column mapping (see :func:`wfm.io.mapping.load_mapping`).
    row_offset : int
        Row number of the frame's first row in the file (2: the header is row 1).

    Returns
    -------
    DataFrame
        Canonical history (see the module docstring), ``attrs`` set.

    Raises
    ------
    WfmInputError
        With every problem found (``errors`` lists them, capped at
        :data:`wfm.ground.errors.MAX_ERRORS`).
    """
    zone = _ZoneSetting(resolve_tz(tz), given=tz is not None)
    spec = load_mapping(mapping)
    if not isinstance(frame, pd.DataFrame):
        raise file_error(source, f"expected a table, got {type(frame).__name__}")
    if len(frame.columns) == 0 or len(frame) == 0:
        raise file_error(source, "the file is empty" if len(frame.columns) == 0 else "has a header but no data rows")
    raw = frame.reset_index(drop=True)
    raw.columns = [str(c) for c in raw.columns]
    table = _Table(raw, np.arange(len(raw), dtype=np.int64) + row_offset, spec, zone, ErrorList(source))
    canon = _canonical_columns(table)
    table.blank_row = np.logical_and.reduce([_is_blank(raw[c]) for c in raw.columns])
    if table.blank_row.any():
        table.errors.cells(table.rows[table.blank_row], "(all)", [None] * int(table.blank_row.sum()), "the row is blank")
    queue = _queue_column(table, canon)
    out: dict[str, pd.Series] = {"interval_start": _interval_start_column(table, canon, queue, row_offset),
                                 "queue": queue}
    for col in HISTORY_COUNT_COLUMNS:
        if col in canon:
            out[col] = _count_column(table, col, canon[col])
    for col in HISTORY_SECONDS_COLUMNS:
        if col in canon:
            out[col] = _seconds_column(table, col, canon[col])
    _cross_checks(table, out, canon)
    table.errors.raise_if_any()
    df = pd.DataFrame({c: out[c] for c in HISTORY_COLUMNS if c in out})
    df["queue"] = df["queue"].astype("str")
    df["_row"] = table.rows
    _check_duplicates(df, table.errors)
    table.errors.raise_if_any()
    minutes = _check_intervals(df, table.errors, declared=spec.interval_minutes)
    table.errors.raise_if_any()
    df = df.sort_values(["queue", "interval_start"], kind="stable").drop(columns="_row").reset_index(drop=True)
    df.attrs.update(interval_minutes=int(minutes), tz=zone.zone, source=source)
    if zone.inferred:
        df.attrs.update(tz_inferred=True, tz_note=zone.note)
    return df


def _fmt_ts(ts: pd.Timestamp) -> str:
    return ts.isoformat()


def _check_duplicates(df: pd.DataFrame, errors: ErrorList) -> None:
    dup = df.duplicated(["queue", "interval_start"], keep=False).to_numpy()
    if not dup.any():
        return
    sub = df.loc[dup, ["queue", "interval_start", "_row"]]
    keys = sub[["queue", "interval_start"]].drop_duplicates()
    room = errors.room
    for queue, ts in keys.iloc[:room].itertuples(index=False):
        rows = sub.loc[(sub["queue"] == queue) & (sub["interval_start"] == ts), "_row"].tolist()
        listed = ", ".join(str(r) for r in rows[:-1]) + f" and {rows[-1]}"
        errors.add(f"{errors.source}, rows {listed}, column interval_start: duplicate interval {_fmt_ts(ts)} for queue {queue!r}")
    errors.count(len(keys) - min(len(keys), room))


def _check_intervals(df: pd.DataFrame, errors: ErrorList, declared: int | None) -> int:
    """Infer the interval length and check steps and alignment; return minutes."""
    by_queue = {q: int(m) if m.is_integer() else m for q, m in interval_steps(df["interval_start"], df["queue"]).items()}
    distinct = sorted(set(by_queue.values()))
    if declared is not None:
        minutes = declared
        odd = {q: m for q, m in by_queue.items() if m != declared}
        if odd:
            text = ", ".join(f"queue {q!r} {m} min" for q, m in sorted(odd.items()))
            errors.file(f"mixed interval lengths: the mapping says {declared} minutes but the most common step is {text}")
            return minutes
    elif not by_queue:
        errors.file(
            "cannot infer the interval length: every queue has a single row; "
            f"set interval_minutes in a mapping file (one of {ALLOWED_INTERVAL_MINUTES})"
        )
        return 0
    elif len(distinct) > 1:
        text = ", ".join(f"queue {q!r} {m} min" for q, m in sorted(by_queue.items()))
        errors.file(f"mixed interval lengths: queues use different steps ({text})")
        return 0
    else:
        minutes = distinct[0]
    if minutes not in ALLOWED_INTERVAL_MINUTES:
        errors.file(f"interval length of {minutes} minutes (most common step) is not one of {ALLOWED_INTERVAL_MINUTES} minutes")
        return 0
    ts = df["interval_start"]
    rows = df["_row"].to_numpy()
    # alignment on the local grid
    misaligned = ((ts.dt.minute % minutes != 0) | (ts.dt.second != 0) | (ts.dt.microsecond != 0) | (ts.dt.nanosecond != 0)).to_numpy()
    if misaligned.any():
        errors.cells(rows[misaligned], "interval_start", ts[misaligned].map(_fmt_ts), f"is not on the {minutes}-minute grid (minutes past the hour must be a multiple of {minutes})")
    # steps that are not whole intervals
    order = df.sort_values(["queue", "interval_start"], kind="stable")
    ns = order["interval_start"].pipe(_ns)
    q = order["queue"].to_numpy()
    orow = order["_row"].to_numpy()
    same = q[1:] == q[:-1]
    step_ns = np.diff(ns)
    interval_ns = minutes * 60_000_000_000
    odd = same & (step_ns % interval_ns != 0)
    odd_idx = np.flatnonzero(odd)
    room = errors.room
    for i in odd_idx[:room]:
        errors.add(
            f"{errors.source}, rows {orow[i]} and {orow[i + 1]}, column interval_start: mixed interval lengths: "
            f"step of {step_ns[i] / 60e9:g} minutes from {_fmt_ts(order['interval_start'].iloc[i])} to "
            f"{_fmt_ts(order['interval_start'].iloc[i + 1])} (queue {q[i]!r}) is not a multiple of the {minutes}-minute interval"
        )
    errors.count(len(odd_idx) - min(len(odd_idx), room))
    if odd.any() or misaligned.any():
        return minutes
    # whole stretches at a coarser resolution: >= _COARSE_DAY_MIN_STEPS equal consecutive steps > interval
    steps_min = np.where(same, step_ns // 60_000_000_000, 0)
    coarse = (steps_min > minutes) & np.isin(steps_min, ALLOWED_INTERVAL_MINUTES)
    if coarse.any():
        # runs of equal coarse steps
        change = np.ones(len(steps_min), dtype=bool)
        change[1:] = (steps_min[1:] != steps_min[:-1]) | ~coarse[1:] | ~coarse[:-1]
        run_id = np.cumsum(change)
        runs = pd.DataFrame({"run": run_id[coarse], "i": np.flatnonzero(coarse)}).groupby("run")["i"].agg(["min", "max", "size"])
        runs = runs[runs["size"] >= _COARSE_DAY_MIN_STEPS]
        for _, r in runs.head(max(errors.room, 1)).iterrows():
            i0, i1 = int(r["min"]), int(r["max"])
            errors.add(
                f"{errors.source}, rows {orow[i0]} to {orow[i1 + 1]}, column interval_start: mixed interval lengths: "
                f"queue {q[i0]!r} has {int(r['size'])} consecutive {int(steps_min[i0])}-minute steps from "
                f"{_fmt_ts(order['interval_start'].iloc[i0])} to {_fmt_ts(order['interval_start'].iloc[i1 + 1])}, "
                f"but the file's interval is {minutes} minutes"
            )
    return minutes


# ----------------------------------------------------------------------------
# Public reader
# ----------------------------------------------------------------------------
def read_history(
    source: str | os.PathLike | IO[bytes] | bytes,
    *,
    tz: str | None = None,
    mapping: str | os.PathLike | Mapping[str, Any] | HistoryMapping | None = None,
    encoding: str | None = None,
    format: str | None = None,  # noqa: A002 - the word users know
) -> pd.DataFrame:
    """Read interval history (CSV, CSV.gz, XLSX or Parquet) into the canonical frame.

    Parameters
    ----------
    source : path, file-like or bytes
        A path, or an open binary file / ``BytesIO`` with a ``name`` attribute whose
        suffix gives the format (``.csv``, ``.csv.gz``, ``.xlsx``, ``.parquet``).
    tz : str, optional
        IANA time zone.  Naive local timestamps are read in it; timestamps with a
        UTC offset are converted to it.  Not given: :data:`DEFAULT_TZ`, or the zone
        the UTC offsets were written in when they do not fit it (see
        :func:`validate_history_frame`).
    mapping : path, dict or HistoryMapping, optional
        How an export's columns map to the canonical ones (YAML/JSON file, see
        ``docs/history_format.md``).
    encoding : str, optional
        Text encoding of CSV input; default the mapping's ``encoding`` or UTF-8.
    format : {"csv", "csv.gz", "xlsx", "parquet"}, optional
        Overrides the suffix (needed for bytes without a name).

    Returns
    -------
    DataFrame
        Canonical history: ``interval_start`` (``datetime64[ns, tz]``), ``queue``
        (str), ``calls_offered`` (int64) and whichever optional columns the file
        has; sorted by queue and interval_start; ``attrs["interval_minutes"]``,
        ``attrs["tz"]`` and ``attrs["source"]`` set.

    Raises
    ------
    WfmInputError
        For any file that breaks a rule in ``docs/history_format.md``; its
        ``errors`` list every problem found, each naming file, row, column, rule
        and value.
    """
    name = _source_name(source)
    if isinstance(source, (bytes, bytearray)) and format is None:
        raise file_error(name, "bytes without a name: pass format='csv', 'csv.gz', 'xlsx' or 'parquet'")
    fmt = _detect_format(name, format)
    spec = load_mapping(mapping)
    if tz is not None:
        resolve_tz(tz)  # a bad zone is refused before the file is read
    enc = encoding or spec.encoding or "utf-8"
    raw = _read_raw(source, name, fmt, enc, spec.sep, spec.sheet)
    return validate_history_frame(raw, source=name, tz=tz, mapping=spec)


# ----------------------------------------------------------------------------
# Writer
# ----------------------------------------------------------------------------
def history_to_csv_bytes(frame: pd.DataFrame, *, seconds_decimals: int | None = None) -> bytes:
    """The history as CSV text (UTF-8, LF line ends) that :func:`read_history` reads back.

    The canonical columns the frame has, in canonical order; ``interval_start`` ISO-8601 local
    time with its UTC offset; counts as whole numbers (empty where missing); seconds as they
    are, or rounded to ``seconds_decimals`` decimals (0: whole seconds, as the demo data has).
    """
    missing = [c for c in HISTORY_REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise WfmInputError(f"history to write: missing column(s) {missing}")
    out = pd.DataFrame({"interval_start": format_offset_timestamps(frame["interval_start"]).to_numpy(),
                        "queue": frame["queue"].astype(str).to_numpy()})
    for col in HISTORY_COLUMNS[2:]:
        if col not in frame.columns:
            continue
        if col in HISTORY_COUNT_COLUMNS:
            out[col] = frame[col].astype("Int64").array
        elif seconds_decimals == 0:
            out[col] = frame[col].astype("float64").round().astype("Int64").array
        elif seconds_decimals is not None:
            out[col] = frame[col].astype("float64").round(seconds_decimals).to_numpy()
        else:
            out[col] = frame[col].astype("float64").to_numpy()
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_history_csv(frame: pd.DataFrame, path: str | os.PathLike | IO[bytes], *,
                      seconds_decimals: int | None = None) -> None:
    """Write the history CSV (see :func:`history_to_csv_bytes`) to a path or a binary file object.

    A name ending in ``.gz`` is gzip-compressed with no file name and ``mtime=0`` in the
    header, so the same frame gives byte-identical files.
    """
    data = history_to_csv_bytes(frame, seconds_decimals=seconds_decimals)
    name = str(path) if isinstance(path, (str, os.PathLike)) else str(getattr(path, "name", ""))
    if name.endswith(".gz"):
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
            gz.write(data)
        data = buffer.getvalue()
    if isinstance(path, (str, os.PathLike)):
        Path(path).write_bytes(data)
    else:
        path.write(data)
