"""Strict importer for interval history, and the checks behind ``wfm validate``.

Every later stage (forecasting, staffing, the app) reads call history through
:func:`read_history`, which returns one canonical long frame:

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
=====================  ===============================  ==========================================

sorted by ``queue`` then ``interval_start``, with ``df.attrs["interval_minutes"]``
and ``df.attrs["tz"]`` set.  Nothing is filled, dropped or rounded: a file either
comes through exactly or is refused with :class:`wfm.ground.errors.WfmInputError`
listing every problem found, each naming the file, the row (the header is row
1, so the first data row is row 2), the column, the rule and the value.

:func:`summarise_history` then learns the opening hours of each queue and
reports the gaps (missing intervals inside opening hours) without filling them.
The file format, the mapping file and every error message are documented in
``docs/history_format.md``.

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
import json
import os
import re
import zlib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Mapping

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.frames import HISTORY_COLUMNS, HISTORY_COUNT_COLUMNS, HISTORY_REQUIRED_COLUMNS, HISTORY_SECONDS_COLUMNS
from wfm.ground.timegrid import has_utc_offset, interval_minutes_of, interval_steps, resolve_tz
from wfm.ground.vocabulary import DEFAULT_TZ, WEEKDAYS

__all__ = [
    "ALLOWED_INTERVAL_MINUTES",
    "CLOSED_SLOT_MAX_SHARE",
    "Gap",
    "HistoryMapping",
    "HistorySummary",
    "MAX_ERRORS",
    "MIN_CLOSED_MINUTES",
    "QueueOpeningHours",
    "find_gaps",
    "learn_opening_hours",
    "load_mapping",
    "read_history",
    "summarise_history",
    "validate_history_frame",
]

#: Interval lengths the importer accepts [minutes]; each divides an hour.
ALLOWED_INTERVAL_MINUTES: tuple[int, ...] = (5, 6, 10, 15, 30, 60)
#: At most this many messages are listed; the rest are counted ("... and N more").
MAX_ERRORS = 50
#: A (weekday, time-of-day) slot is *closed* when calls were offered in it in
#: fewer than this share of the weeks the history covers.
CLOSED_SLOT_MAX_SHARE = 0.02
#: A closed stretch shorter than this [minutes] between open slots is a quiet
#: spell, not a closing time, and counts as open (a lunch closure of an hour stays).
MIN_CLOSED_MINUTES = 60
#: A day counts as being at a coarser resolution (mixed interval lengths) when it
#: has at least this many consecutive steps, all equal and longer than the interval.
_COARSE_DAY_MIN_STEPS = 8
#: Timestamps are held in nanoseconds; dates outside this range are refused.
_MIN_DATE, _MAX_DATE = "1700-01-01", "2200-12-31"
#: Largest count read exactly (2**53: every whole number up to it is an exact float64).
_MAX_COUNT = 2**53

_SUFFIXES: tuple[tuple[str, str], ...] = (
    (".csv.gz", "csv.gz"),
    (".csv", "csv"),
    (".xlsx", "xlsx"),
    (".parquet", "parquet"),
)
_DURATION_FORMATS = ("seconds", "mm:ss", "hh:mm:ss")
_MAPPING_KEYS = (
    "columns",
    "date_column",
    "time_column",
    "date_format",
    "time_format",
    "timestamp_format",
    "duration_format",
    "queue",
    "ignore",
    "encoding",
    "sep",
    "decimal",
    "interval_minutes",
    "sheet",
)


# ----------------------------------------------------------------------------
# Error collection
# ----------------------------------------------------------------------------
class _Errors:
    """Collects messages; keeps the first :data:`MAX_ERRORS`, counts the rest."""

    def __init__(self, source: str):
        self.source = source
        self.messages: list[str] = []
        self.total = 0

    def __bool__(self) -> bool:
        return self.total > 0

    def add(self, message: str) -> None:
        self.total += 1
        if len(self.messages) < MAX_ERRORS:
            self.messages.append(message)

    def file(self, rule: str) -> None:
        self.add(f"{self.source}: {rule}")

    def column(self, column: str, rule: str) -> None:
        self.add(f"{self.source}, column {_label(column)}: {rule}")

    def cells(self, rows: np.ndarray, column: str, values: Iterable[Any], rule: str) -> None:
        """One message per bad cell; ``rows`` are the file's row numbers."""
        rows = np.asarray(rows)
        n = len(rows)
        room = max(MAX_ERRORS - len(self.messages), 0)
        for row, value in zip(rows[:room], list(values)[:room]):
            self.messages.append(f"{self.source}, row {int(row)}, column {_label(column)}: {rule}; got {_show(value)}")
        self.total += n

    def raise_if_any(self) -> None:
        if not self.total:
            return
        listed = list(self.messages)
        if self.total > len(listed):
            listed.append(f"{self.source}: ... and {self.total - len(listed)} more errors")
        head = f"{self.source}: {self.total} error{'s' if self.total != 1 else ''} found"
        raise WfmInputError("\n".join([head, *listed]), errors=listed)


def _label(column: str) -> str:
    """A column name as shown in messages: quoted when it holds ':', ',' or a quote."""
    if re.search(r"[:,'\"\n]", column) or column != column.strip() or not column:
        return "'" + column.replace("'", "?").replace("\n", " ") + "'"
    return column


def _show(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return "an empty cell"
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text)


def _fail(source: str, rule: str) -> WfmInputError:
    message = f"{source}: {rule}"
    return WfmInputError(message, errors=[message])


# ----------------------------------------------------------------------------
# Mapping
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryMapping:
    """How an export's columns map onto the canonical history format.

    Parameters
    ----------
    columns : tuple of (str, str)
        ``(export column, canonical column)`` pairs, e.g. ``("Offered", "calls_offered")``.
    date_column, time_column : str, optional
        An export with the interval's date and start time in two columns; they are
        joined as ``"<date> <time>"`` and parsed with ``date_format + " " + time_format``.
    date_format, time_format : str, optional
        ``strptime`` formats; defaults ``%Y-%m-%d`` and ``%H:%M``.
    timestamp_format : str, optional
        ``strptime`` format of a single ``interval_start`` column (default: ISO-8601).
    duration_format : tuple of (str, str)
        ``(canonical column, format)`` for ``aht_seconds``/``asa_seconds`` given as
        ``"mm:ss"`` or ``"hh:mm:ss"`` instead of seconds.
    queue : str, optional
        Constant queue name for a single-queue export without a queue column.
    ignore : tuple of str
        Export columns that are deliberately not imported.
    encoding : str
        Text encoding of a CSV file (default ``utf-8``; a UTF-8 BOM is accepted).
    sep : str
        CSV field separator (default ``,``).
    decimal : str
        Decimal mark in numbers (``.`` or ``,``).
    interval_minutes : int, optional
        Interval length [minutes], needed only when it cannot be inferred (one row
        per queue); when given it must agree with the data.
    sheet : str, optional
        Worksheet of an XLSX workbook to read; required when it has several.
    """

    columns: tuple[tuple[str, str], ...] = ()
    date_column: str | None = None
    time_column: str | None = None
    date_format: str | None = None
    time_format: str | None = None
    timestamp_format: str | None = None
    duration_format: tuple[tuple[str, str], ...] = ()
    queue: str | None = None
    ignore: tuple[str, ...] = ()
    encoding: str | None = None
    sep: str = ","
    decimal: str = "."
    interval_minutes: int | None = None
    sheet: str | None = None


def load_mapping(mapping: str | os.PathLike | Mapping[str, Any] | HistoryMapping | None) -> HistoryMapping:
    """Read and check a mapping (YAML or JSON file, a dict, or a :class:`HistoryMapping`).

    Raises
    ------
    WfmInputError
        Unknown key, unknown canonical column, unknown duration format, a file
        that cannot be read or parsed; the message names the key and the value.
    """
    if mapping is None:
        return HistoryMapping()
    if isinstance(mapping, HistoryMapping):
        return mapping
    source = "mapping"
    if isinstance(mapping, (str, os.PathLike)):
        source = str(mapping)
        path = Path(mapping)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise _fail(source, "mapping file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise _fail(source, f"cannot read the mapping file ({exc})") from None
        try:
            if path.suffix.lower() == ".json":
                raw = json.loads(text)
            else:
                import yaml

                raw = yaml.safe_load(text)
        except Exception as exc:  # yaml.YAMLError / json.JSONDecodeError
            raise _fail(source, f"mapping file is not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {exc}") from None
    else:
        raw = mapping
    if not isinstance(raw, Mapping):
        raise _fail(source, f"mapping must be a key: value table, got {type(raw).__name__}")
    errors = _Errors(source)
    for key in raw:
        if key not in _MAPPING_KEYS:
            errors.file(f"unknown mapping key {key!r} (allowed: {', '.join(_MAPPING_KEYS)})")
    kwargs: dict[str, Any] = {}
    columns = raw.get("columns") or {}
    if not isinstance(columns, Mapping):
        errors.file(f"mapping key 'columns' must map export column -> canonical column, got {columns!r}")
        columns = {}
    for src, dst in columns.items():
        if dst not in HISTORY_COLUMNS:
            errors.file(f"mapping key 'columns': {src!r} maps to {dst!r}, which is not a canonical column ({', '.join(HISTORY_COLUMNS)})")
    targets = list(columns.values())
    for dst in sorted({d for d in targets if targets.count(d) > 1}):
        errors.file(f"mapping key 'columns': more than one export column maps to {dst!r}")
    kwargs["columns"] = tuple((str(k), str(v)) for k, v in columns.items())
    durations = raw.get("duration_format") or {}
    if not isinstance(durations, Mapping):
        errors.file(f"mapping key 'duration_format' must map column -> format, got {durations!r}")
        durations = {}
    for col, fmt in durations.items():
        if col not in HISTORY_SECONDS_COLUMNS:
            errors.file(f"mapping key 'duration_format': {col!r} is not a duration column ({', '.join(HISTORY_SECONDS_COLUMNS)})")
        if fmt not in _DURATION_FORMATS:
            errors.file(f"mapping key 'duration_format': {col!r} has format {fmt!r}, allowed: {', '.join(_DURATION_FORMATS)}")
    kwargs["duration_format"] = tuple((str(k), str(v)) for k, v in durations.items())
    for key in ("date_column", "time_column", "date_format", "time_format", "timestamp_format", "queue", "encoding", "sheet"):
        value = raw.get(key)
        if value is not None:
            if not isinstance(value, str) or not value:
                errors.file(f"mapping key {key!r} must be a non-empty text, got {value!r}")
            kwargs[key] = str(value)
    ignore = raw.get("ignore") or []
    if isinstance(ignore, str) or not isinstance(ignore, (list, tuple)):
        errors.file(f"mapping key 'ignore' must be a list of column names, got {ignore!r}")
        ignore = []
    kwargs["ignore"] = tuple(str(c) for c in ignore)
    sep = raw.get("sep", ",")
    if not isinstance(sep, str) or len(sep) != 1 or sep in "\"\r\n":
        errors.file(f"mapping key 'sep' must be one character such as ',' or ';', got {sep!r}")
    kwargs["sep"] = str(sep)
    decimal = raw.get("decimal", ".")
    if decimal not in (".", ","):
        errors.file(f"mapping key 'decimal' must be '.' or ',', got {decimal!r}")
    elif decimal == "," and kwargs["sep"] == ",":
        errors.file("mapping keys 'decimal' and 'sep' are both ','; use sep: ';' with a decimal comma")
    kwargs["decimal"] = str(decimal)
    minutes = raw.get("interval_minutes")
    if minutes is not None:
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes not in ALLOWED_INTERVAL_MINUTES:
            errors.file(f"mapping key 'interval_minutes' must be one of {ALLOWED_INTERVAL_MINUTES}, got {minutes!r}")
        else:
            kwargs["interval_minutes"] = minutes
    if ("date_column" in kwargs) != ("time_column" in kwargs):
        errors.file("mapping keys 'date_column' and 'time_column' must be given together")
    if "date_column" in kwargs and "interval_start" in targets:
        errors.file("mapping gives both date_column/time_column and a column mapped to 'interval_start'; use one")
    if "queue" in kwargs and "queue" in targets:
        errors.file("mapping gives both a constant 'queue' and a column mapped to 'queue'; use one")
    if "encoding" in kwargs:
        import codecs

        try:
            codecs.lookup(kwargs["encoding"])
        except LookupError:
            errors.file(f"mapping key 'encoding': unknown encoding {kwargs['encoding']!r}")
    errors.raise_if_any()
    return HistoryMapping(**kwargs)


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
            raise _fail(name, f"unknown format {fmt!r}; use one of csv, csv.gz, xlsx, parquet")
        return fmt
    lower = name.lower()
    for suffix, kind in _SUFFIXES:
        if lower.endswith(suffix):
            return kind
    raise _fail(name, "unknown file type: the name must end in .csv, .csv.gz, .xlsx or .parquet")


def _read_bytes(source: Any, name: str) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            raise _fail(name, "is a directory, not a file")
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise _fail(name, "file not found") from None
        except OSError as exc:
            raise _fail(name, f"cannot read the file ({exc.strerror or exc})") from None
    if hasattr(source, "read"):
        data = source.read()
        if isinstance(data, str):
            return data.encode("utf-8")
        return bytes(data)
    raise _fail(name, f"cannot read history from a {type(source).__name__}; give a path or a file-like object")


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode_text(data: bytes, name: str, encoding: str) -> str:
    if not data.strip():
        raise _fail(name, "the file is empty")
    if data[:4] == b"PK\x03\x04":
        raise _fail(name, "is not a text file: it looks like a ZIP/XLSX file; give it the .xlsx suffix")
    if data[:4] == b"PAR1":
        raise _fail(name, "is not a text file: it looks like a Parquet file; give it the .parquet suffix")
    if data[:2] == b"\x1f\x8b":
        raise _fail(name, "is not a text file: it is gzip-compressed; give it the .csv.gz suffix")
    utf16 = encoding.lower().replace("_", "-").startswith("utf-16")
    nul = data.find(b"\x00")
    if nul >= 0 and not utf16:
        raise _fail(name, f"is not a text file: byte 0x00 at offset {nul} (row {_line_of_offset(data, nul)})")
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        row = _line_of_offset(data, exc.start)
        raise _fail(
            f"{name}, row {row}",
            f"is not valid {encoding} text (byte {data[exc.start:exc.start + 1]!r} at offset {exc.start}); "
            "save the file as UTF-8 or set 'encoding' in the mapping file",
        ) from None
    bad = re.search(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if bad:
        row = text.count("\n", 0, bad.start()) + 1
        raise _fail(name, f"is not a text file: control character {bad.group()!r} in row {row}")
    return text


def _read_csv_text(text: str, name: str, sep: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    first_line = text.split("\n", 1)[0].rstrip("\r")
    header = next(csv.reader([first_line], delimiter=sep))
    _check_header(header, name)
    if len(text.split("\n", 1)) == 1 or not text.split("\n", 1)[1].strip():
        raise _fail(name, "has a header but no data rows")
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
        raise _fail(name, f"is not a readable CSV file ({exc})") from None
    if bad_rows:
        errors = _Errors(name)
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
        raise _fail(name, "has a header but no data rows")
    return frame


def _check_header(header: list[str], name: str) -> None:
    errors = _Errors(name)
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
        raise _fail(name, "is not an XLSX file (an .xlsx file is a ZIP archive; this one is not)")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException
        raise _fail(name, f"is not a readable XLSX file ({type(exc).__name__}: {exc})") from None
    try:
        names = list(book.sheetnames)
        if sheet_name is not None:
            if sheet_name not in names:
                raise _fail(name, f"has no sheet {sheet_name!r} (sheets: {', '.join(names)})")
            sheet = book[sheet_name]
        elif len(names) > 1:
            raise _fail(name, f"has {len(names)} sheets ({', '.join(names)}); name the one to read with 'sheet' in the mapping")
        elif not names:
            raise _fail(name, "is not a readable XLSX file (it has no worksheet)")
        else:
            sheet = book.worksheets[0]
        try:
            rows = list(sheet.iter_rows(values_only=True))
        except Exception as exc:  # a damaged sheet fails while its XML is read lazily
            raise _fail(name, f"is not a readable XLSX file ({type(exc).__name__}: {exc})") from None
    except WfmInputError:
        raise
    except Exception as exc:  # damaged workbook parts surface here too
        raise _fail(name, f"is not a readable XLSX file ({type(exc).__name__}: {exc})") from None
    finally:
        book.close()
    # Trailing empty rows (a common artefact of spreadsheet editing) hold nothing.
    while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise _fail(name, "the file is empty (its first sheet has no cells)")
    header = list(rows[0])
    while header and header[-1] is None:
        header.pop()
    width = len(header)
    errors = _Errors(name)
    for r, values in enumerate(rows[1:], start=2):
        extra = [v for v in values[width:] if v is not None and not (isinstance(v, str) and not v.strip())]
        if extra:
            errors.add(f"{name}, row {r}: has a value beyond the last header column ({_show(extra[0])})")
    errors.raise_if_any()
    _check_header(["" if h is None else str(h) for h in header], name)
    if len(rows) == 1:
        raise _fail(name, "has a header but no data rows")
    body = [list(values[:width]) + [None] * (width - len(values[:width])) for values in rows[1:]]
    frame = pd.DataFrame(body, columns=[str(h) for h in header], dtype=object)
    return frame


def _read_parquet(data: bytes, name: str) -> pd.DataFrame:
    import pyarrow.parquet as pq

    if len(data) == 0:
        raise _fail(name, "the file is empty")
    if data[:4] != b"PAR1":
        raise _fail(name, "is not a Parquet file (it does not start with the PAR1 magic bytes)")
    try:
        table = pq.read_table(io.BytesIO(data))
        _check_header(list(table.column_names), name)
        frame = table.to_pandas()
    except WfmInputError:
        raise
    except Exception as exc:  # pyarrow.ArrowInvalid and friends
        raise _fail(name, f"is not a readable Parquet file ({type(exc).__name__}: {exc})") from None
    if len(frame) == 0:
        raise _fail(name, "has columns but no data rows")
    return frame


def _read_raw(source: Any, name: str, fmt: str, encoding: str, sep: str, sheet: str | None = None) -> pd.DataFrame:
    data = _read_bytes(source, name)
    if fmt == "csv.gz":
        if not data:
            raise _fail(name, "the file is empty")
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise _fail(name, f"is not a readable gzip file ({exc})") from None
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


def _typed_to_text(series: pd.Series, fmt: str, column: str, rows: np.ndarray, errors: _Errors) -> pd.Series:
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
def _parse_timestamps(
    values: pd.Series,
    queues: pd.Series | None,
    *,
    column: str,
    fmt: str | None,
    tz: str,
    rows: np.ndarray,
    errors: _Errors,
) -> pd.Series:
    """Tz-aware ``datetime64[ns, tz]`` (NaT where a cell is refused)."""

    def in_range(stamps: pd.Series, shown: pd.Series) -> pd.Series:
        aware = isinstance(stamps.dtype, pd.DatetimeTZDtype)
        lo, hi = (pd.Timestamp(_MIN_DATE, tz="UTC"), pd.Timestamp(_MAX_DATE, tz="UTC")) if aware else (pd.Timestamp(_MIN_DATE), pd.Timestamp(_MAX_DATE))
        outside = ((stamps < lo) | (stamps > hi)).to_numpy(dtype=bool)
        if outside.any():
            errors.cells(rows[outside], column, shown[outside], f"is outside the supported dates {_MIN_DATE} to {_MAX_DATE}")
            stamps = stamps.where(~outside, pd.NaT)
        return stamps

    n = len(values)
    out = pd.Series(pd.NaT, index=range(n), dtype=f"datetime64[ns, {tz}]")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        utc = values.reset_index(drop=True).dt.tz_convert("UTC")
        blank = utc.isna().to_numpy()
        result = in_range(utc, utc.astype(str)).dt.tz_convert(tz).astype(f"datetime64[ns, {tz}]")
        if blank.any():
            errors.cells(rows[blank], column, [None] * int(blank.sum()), "is required")
        return result
    if pd.api.types.is_datetime64_dtype(values.dtype):
        naive = values.reset_index(drop=True)
        blank = naive.isna().to_numpy()
        naive = in_range(naive, naive.astype(str)).astype("datetime64[ns]")
        if blank.any():
            errors.cells(rows[blank], column, [None] * int(blank.sum()), "is required")
        return _localise(naive, queues, column=column, tz=tz, rows=rows, errors=errors, shown=naive.astype(str))
    if values.dtype == object:
        obj = values.reset_index(drop=True)
        if obj.map(lambda v: isinstance(v, (_dt.datetime, _dt.date, _dt.time))).any():
            obj = _typed_to_text(obj, fmt or "%Y-%m-%dT%H:%M:%S", column, rows, errors)
        nonstr = obj.map(lambda v: v is not None and not isinstance(v, str) and not (isinstance(v, float) and np.isnan(v))).to_numpy(dtype=bool)
    elif pd.api.types.is_string_dtype(values.dtype):
        obj = values.reset_index(drop=True)
        nonstr = np.zeros(n, dtype=bool)
    else:  # numbers, booleans: not timestamps
        obj = values.astype(object).reset_index(drop=True)
        nonstr = obj.notna().to_numpy(dtype=bool)
    blank = _is_blank(obj)
    text = pd.Series(obj.where(~blank & ~nonstr, ""), dtype="str").str.strip()
    if blank.any():
        errors.cells(rows[blank], column, [None] * int(blank.sum()), "is required")
    if nonstr.any():
        errors.cells(rows[nonstr], column, obj[nonstr], "must be a date and time")
    present = ~blank & ~nonstr
    if fmt is not None:
        has_offset = np.full(n, "%z" in fmt or "%Z" in fmt)
    else:
        has_offset = has_utc_offset(text) & present
    with_offset = present & has_offset
    without = present & ~has_offset
    if with_offset.any() and without.any():
        first = rows[without][0] if with_offset.sum() >= without.sum() else rows[with_offset][0]
        errors.add(
            f"{errors.source}, column {_label(column)}: some timestamps have a UTC offset and others do not "
            f"(first odd one: row {int(first)}); write all with an offset, or all as local time"
        )
        return out
    if with_offset.any():
        kw = {"format": fmt} if fmt else {"format": "ISO8601"}
        parsed = pd.to_datetime(text.where(with_offset, None), utc=True, errors="coerce", **kw)
        bad = with_offset & parsed.isna().to_numpy()
        if bad.any():
            errors.cells(rows[bad], column, text[bad], "is not a valid ISO-8601 timestamp with a UTC offset (e.g. 2024-03-31T01:45:00+01:00)" if fmt is None else f"does not match the timestamp_format {fmt!r}")
        return in_range(parsed, text).dt.tz_convert(tz).astype(f"datetime64[ns, {tz}]")
    if without.any():
        kw = {"format": fmt} if fmt else {"format": "ISO8601"}
        parsed = pd.to_datetime(text.where(without, None), errors="coerce", **kw)
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # a format with %z but no offset in text
            parsed = parsed.dt.tz_localize(None)
        bad = without & parsed.isna().to_numpy()
        if bad.any():
            errors.cells(rows[bad], column, text[bad], "is not a valid ISO-8601 date and time (e.g. 2024-03-31 01:45)" if fmt is None else f"does not match the format {fmt!r}")
        return _localise(in_range(parsed, text).astype("datetime64[ns]"), queues, column=column, tz=tz, rows=rows, errors=errors, shown=text)
    return out


def _localise(
    naive: pd.Series,
    queues: pd.Series | None,
    *,
    column: str,
    tz: str,
    rows: np.ndarray,
    errors: _Errors,
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
        IANA zone for naive local times and for the result; default
        :data:`DEFAULT_TZ`.
    mapping : path, dict or HistoryMapping, optional
        Column mapping (see :func:`load_mapping`).
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
        :data:`MAX_ERRORS`).
    """
    zone = resolve_tz(tz)
    spec = load_mapping(mapping)
    if not isinstance(frame, pd.DataFrame):
        raise _fail(source, f"expected a table, got {type(frame).__name__}")
    if len(frame.columns) == 0 or len(frame) == 0:
        raise _fail(source, "the file is empty" if len(frame.columns) == 0 else "has a header but no data rows")
    rows = np.arange(len(frame), dtype=np.int64) + row_offset
    raw = frame.reset_index(drop=True)
    errors = _Errors(source)
    cols = [str(c) for c in raw.columns]
    raw.columns = cols

    # --- columns: mapping, unknown, missing -------------------------------
    rename = dict(spec.columns)
    for src, _dst in spec.columns:
        if src not in cols:
            errors.column(src, f"named in the mapping but not in the file (columns: {', '.join(cols)})")
    for extra in ("date_column", "time_column"):
        col = getattr(spec, extra)
        if col is not None and col not in cols:
            errors.column(col, f"named as {extra} in the mapping but not in the file (columns: {', '.join(cols)})")
    for col in spec.ignore:
        if col not in cols:
            errors.column(col, "listed under 'ignore' in the mapping but not in the file")
    errors.raise_if_any()
    canon: dict[str, pd.Series] = {}
    used = set(spec.ignore) | {c for c in (spec.date_column, spec.time_column) if c}
    for col in cols:
        if col in used:
            continue
        target = rename.get(col, col)
        if target not in HISTORY_COLUMNS:
            errors.column(col, f"is not a canonical column ({', '.join(HISTORY_COLUMNS)}); map it with --map or list it under 'ignore'")
            continue
        if target in canon:
            errors.column(col, f"maps to {target!r}, which another column of the file already provides")
            continue
        canon[target] = raw[col]
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
        errors.column(col, f"required column is missing (columns found: {', '.join(cols)})")
    errors.raise_if_any()

    # --- blank lines ---------------------------------------------------------
    blank_row = np.ones(len(raw), dtype=bool)
    for col in cols:
        blank_row &= _is_blank(raw[col])
    if blank_row.any():
        errors.cells(rows[blank_row], "(all)", [None] * int(blank_row.sum()), "the row is blank")

    # --- queue ---------------------------------------------------------------
    if spec.queue is not None:
        queue = pd.Series([spec.queue] * len(raw), dtype="str")
    else:
        qraw = canon["queue"].astype(object)
        qblank = _is_blank(qraw) & ~blank_row
        if qblank.any():
            errors.cells(rows[qblank], "queue", [None] * int(qblank.sum()), "is required")
        if canon["queue"].dtype == object:
            qraw = qraw.where(~_is_blank(qraw), "").map(lambda v: v if isinstance(v, str) else str(v))
        queue = pd.Series(qraw, dtype="str").fillna("")
        padded = (queue != queue.str.strip()).to_numpy() & ~qblank
        if padded.any():
            errors.cells(rows[padded], "queue", queue[padded], "must not start or end with spaces")

    # --- interval_start --------------------------------------------------------
    if spec.date_column is not None:
        date_fmt = spec.date_format or "%Y-%m-%d"
        time_fmt = spec.time_format or "%H:%M"
        dates = _typed_to_text(raw[spec.date_column], date_fmt, spec.date_column, rows, errors)
        times = _typed_to_text(raw[spec.time_column], time_fmt, spec.time_column, rows, errors)
        dblank = _is_blank(dates) & ~blank_row
        tblank = _is_blank(times) & ~blank_row
        if dblank.any():
            errors.cells(rows[dblank], spec.date_column, [None] * int(dblank.sum()), "is required")
        if tblank.any():
            errors.cells(rows[tblank], spec.time_column, [None] * int(tblank.sum()), "is required")
        joined = pd.Series(dates.astype(str).str.strip() + " " + times.astype(str).str.strip(), dtype=object)
        joined[dblank | tblank | blank_row] = None
        ts_col = f"{spec.date_column}+{spec.time_column}"
        # blank cells were reported above; _parse_timestamps must not repeat them
        sub_errors = _Errors(source)
        stamps = _parse_timestamps(joined, queue, column=ts_col, fmt=f"{date_fmt} {time_fmt}", tz=zone, rows=rows, errors=sub_errors)
        for msg in sub_errors.messages:
            if not msg.endswith("is required; got an empty cell"):
                errors.add(msg)
        errors.total += sub_errors.total - len(sub_errors.messages)
    else:
        ts_raw = canon["interval_start"]
        ts_in = ts_raw.astype(object).where(~blank_row, None) if blank_row.any() else ts_raw
        sub_errors = _Errors(source)
        stamps = _parse_timestamps(ts_in, queue, column="interval_start", fmt=spec.timestamp_format, tz=zone, rows=rows, errors=sub_errors)
        for msg in sub_errors.messages:
            row_match = re.search(r", row (\d+),", msg)
            if row_match and blank_row[int(row_match.group(1)) - row_offset] and msg.endswith("got an empty cell"):
                continue
            errors.add(msg)
        errors.total += sub_errors.total - len(sub_errors.messages)
    stamp_errors = errors.total

    # --- counts and seconds ----------------------------------------------------
    out: dict[str, Any] = {"interval_start": stamps, "queue": queue}
    durations = dict(spec.duration_format)
    for col in HISTORY_COUNT_COLUMNS:
        if col not in canon:
            continue
        values, bad = _numbers(canon[col], spec.decimal)
        bad &= ~blank_row
        if bad.any():
            errors.cells(rows[bad], col, canon[col][bad], "must be a whole number >= 0")
        okv = ~np.isnan(values)
        neg = okv & (values < 0)
        if neg.any():
            errors.cells(rows[neg], col, canon[col][neg], "must be a whole number >= 0 (negative)")
        nonint = okv & ~neg & ((values != np.floor(values)) | ~np.isfinite(values))
        if nonint.any():
            errors.cells(rows[nonint], col, canon[col][nonint], "must be a whole number >= 0 (not a whole number)")
        huge = okv & ~neg & ~nonint & (values > _MAX_COUNT)
        if huge.any():
            errors.cells(rows[huge], col, canon[col][huge], f"must be a whole number >= 0 (at most {_MAX_COUNT}, beyond which it cannot be read exactly)")
        nonint |= huge
        if col == "calls_offered":
            req = np.isnan(values) & ~bad & ~blank_row
            if req.any():
                errors.cells(rows[req], col, [None] * int(req.sum()), "is required")
        clean = np.where(okv & ~neg & ~nonint, values, np.nan)
        if col == "calls_offered":
            out[col] = pd.Series(np.nan_to_num(clean, nan=0).astype("int64"))
            out["_offered_ok"] = ~np.isnan(clean)
        else:
            arr = pd.array(np.where(np.isnan(clean), 0, clean).astype("int64"), dtype="Int64")
            arr[np.isnan(clean)] = pd.NA
            out[col] = pd.Series(arr)
    for col in HISTORY_SECONDS_COLUMNS:
        if col not in canon:
            continue
        fmt = durations.get(col, "seconds")
        if fmt == "seconds":
            values, bad = _numbers(canon[col], spec.decimal)
            rule = "must be a number of seconds >= 0"
        else:
            values, bad = _durations(canon[col], fmt, spec.decimal)
            rule = f"must be a duration written {fmt}"
        bad &= ~blank_row
        if bad.any():
            errors.cells(rows[bad], col, canon[col][bad], rule)
        okv = ~np.isnan(values)
        neg = okv & ((values < 0) | ~np.isfinite(values))
        if neg.any():
            errors.cells(rows[neg], col, canon[col][neg], "must be a finite number of seconds >= 0")
        out[col] = pd.Series(np.where(neg, np.nan, values).astype("float64"))

    # --- cross-column rules ----------------------------------------------------
    if "calls_offered" in out:
        offered = out["calls_offered"].to_numpy()
        ok = out["_offered_ok"]
        parts = [c for c in ("calls_answered", "calls_abandoned", "callbacks_accepted") if c in out]
        if parts:
            total = np.zeros(len(raw), dtype="int64")
            for c in parts:
                total = total + out[c].fillna(0).to_numpy(dtype="int64")
            over = ok & (total > offered)
            if over.any():
                names = " + ".join(parts)
                idx = np.flatnonzero(over)
                room = max(MAX_ERRORS - len(errors.messages), 0)
                for i in idx[:room]:
                    terms = " + ".join(str(out[c].fillna(0).iloc[i]) for c in parts)
                    errors.add(
                        f"{source}, row {rows[i]}, column calls_offered: {names} must not exceed calls_offered; "
                        f"got {names} = {terms} = {total[i]} > calls_offered = {offered[i]}"
                    )
                errors.total += max(len(idx) - room, 0)
        if "calls_answered" in out and "aht_seconds" in out:
            answered = out["calls_answered"].fillna(0).to_numpy(dtype="int64")
            aht = out["aht_seconds"].to_numpy()
            zero = (answered > 0) & (aht == 0)
            if zero.any():
                errors.cells(rows[zero], "aht_seconds", canon["aht_seconds"][zero], "must be > 0 when calls_answered > 0")
    out.pop("_offered_ok", None)
    errors.raise_if_any()

    df = pd.DataFrame({c: out[c] for c in HISTORY_COLUMNS if c in out})
    df["queue"] = df["queue"].astype("str")
    df["_row"] = rows

    # --- duplicates and interval length ----------------------------------------
    if stamp_errors == 0:
        _check_duplicates(df, errors)
        errors.raise_if_any()
        minutes = _check_intervals(df, errors, declared=spec.interval_minutes)
        errors.raise_if_any()
    else:  # pragma: no cover - errors were raised above
        errors.raise_if_any()
        minutes = 0
    df = df.sort_values(["queue", "interval_start"], kind="stable").drop(columns="_row").reset_index(drop=True)
    df.attrs["interval_minutes"] = int(minutes)
    df.attrs["tz"] = zone
    df.attrs["source"] = source
    return df


def _fmt_ts(ts: pd.Timestamp) -> str:
    return ts.isoformat()


def _check_duplicates(df: pd.DataFrame, errors: _Errors) -> None:
    dup = df.duplicated(["queue", "interval_start"], keep=False).to_numpy()
    if not dup.any():
        return
    sub = df.loc[dup, ["queue", "interval_start", "_row"]]
    keys = sub[["queue", "interval_start"]].drop_duplicates()
    room = max(MAX_ERRORS - len(errors.messages), 0)
    for queue, ts in keys.iloc[:room].itertuples(index=False):
        rows = sub.loc[(sub["queue"] == queue) & (sub["interval_start"] == ts), "_row"].tolist()
        listed = ", ".join(str(r) for r in rows[:-1]) + f" and {rows[-1]}"
        errors.add(f"{errors.source}, rows {listed}, column interval_start: duplicate interval {_fmt_ts(ts)} for queue {queue!r}")
    errors.total += max(len(keys) - room, 0)


def _check_intervals(df: pd.DataFrame, errors: _Errors, declared: int | None) -> int:
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
    room = max(MAX_ERRORS - len(errors.messages), 0)
    for i in odd_idx[:room]:
        errors.add(
            f"{errors.source}, rows {orow[i]} and {orow[i + 1]}, column interval_start: mixed interval lengths: "
            f"step of {step_ns[i] / 60e9:g} minutes from {_fmt_ts(order['interval_start'].iloc[i])} to "
            f"{_fmt_ts(order['interval_start'].iloc[i + 1])} (queue {q[i]!r}) is not a multiple of the {minutes}-minute interval"
        )
    errors.total += max(len(odd_idx) - room, 0)
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
        for _, r in runs.head(max(MAX_ERRORS - len(errors.messages), 1)).iterrows():
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
        UTC offset are converted to it.  Default :data:`DEFAULT_TZ`.
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
        raise _fail(name, "bytes without a name: pass format='csv', 'csv.gz', 'xlsx' or 'parquet'")
    fmt = _detect_format(name, format)
    spec = load_mapping(mapping)
    zone = resolve_tz(tz)
    enc = encoding or spec.encoding or "utf-8"
    raw = _read_raw(source, name, fmt, enc, spec.sep, spec.sheet)
    return validate_history_frame(raw, source=name, tz=zone, mapping=spec)


# ----------------------------------------------------------------------------
# Summary: gaps and opening hours
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Gap:
    """A run of missing intervals inside opening hours (``end`` exclusive).

    ``whole_days`` counts the local dates in the run on which *every* open
    interval is missing -- a day the centre may have been closed (a public
    holiday) or whose data was lost; the importer cannot tell which.
    """

    queue: str
    start: pd.Timestamp
    end: pd.Timestamp
    missing_intervals: int
    whole_days: int = 0


@dataclass(frozen=True)
class QueueOpeningHours:
    """Learned opening hours of one queue.

    ``spans[d]`` holds ``(start_minute, end_minute)`` pairs of local time of day
    for weekday ``d`` (0 = Monday); an empty tuple means closed all day and
    ``None`` that the history has no such weekday.
    """

    queue: str
    spans: tuple[tuple[tuple[int, int], ...] | None, ...]

    def text(self) -> str:
        """E.g. ``Mon–Fri 07:00–21:00; Sat–Sun closed``."""
        parts: list[str] = []
        d = 0
        while d < 7:
            e = d
            while e + 1 < 7 and self.spans[e + 1] == self.spans[d]:
                e += 1
            days = WEEKDAYS[d] if d == e else f"{WEEKDAYS[d]}–{WEEKDAYS[e]}"
            spans = self.spans[d]
            hours = "no data" if spans is None else "closed" if not spans else ", ".join(f"{_hhmm(a)}–{_hhmm(b)}" for a, b in spans)
            parts.append(f"{days} {hours}")
            d = e + 1
        return "; ".join(parts)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True)
class HistorySummary:
    """What ``wfm validate`` prints: the shape of an accepted history."""

    source: str
    tz: str
    interval_minutes: int
    rows: int
    queues: tuple[str, ...]
    rows_per_queue: tuple[tuple[str, int], ...]
    first_interval: pd.Timestamp
    last_interval: pd.Timestamp
    calls_offered: int
    gaps: tuple[Gap, ...]
    missing_intervals: int
    opening_hours: tuple[QueueOpeningHours, ...]
    closed_intervals: int
    calls_in_closed_hours: int
    closed_max_share: float = field(default=CLOSED_SLOT_MAX_SHARE)
    min_closed_minutes: int = field(default=MIN_CLOSED_MINUTES)

    def gaps_frame(self) -> pd.DataFrame:
        """Gaps as a frame: ``queue, start, end, missing_intervals, whole_days``."""
        return pd.DataFrame(
            {
                "queue": pd.Series([g.queue for g in self.gaps], dtype="str"),
                "start": pd.Series([g.start for g in self.gaps], dtype=f"datetime64[ns, {self.tz}]"),
                "end": pd.Series([g.end for g in self.gaps], dtype=f"datetime64[ns, {self.tz}]"),
                "missing_intervals": pd.Series([g.missing_intervals for g in self.gaps], dtype="int64"),
                "whole_days": pd.Series([g.whole_days for g in self.gaps], dtype="int64"),
            }
        )

    def opening_hours_text(self) -> str:
        """One line per queue, e.g. ``reports: Mon–Sun 00:00–24:00``."""
        return "\n".join(f"{oh.queue}: {oh.text()}" for oh in self.opening_hours)

    def to_text(self, max_gaps: int = 20) -> str:
        """Multi-line summary for the CLI."""
        per_queue = ", ".join(f"{q} {n:,}" for q, n in self.rows_per_queue)
        lines = [
            f"File:             {self.source}",
            f"Queues:           {len(self.queues)} ({', '.join(self.queues)})",
            f"First interval:   {_fmt_ts(self.first_interval)}",
            f"Last interval:    {_fmt_ts(self.last_interval)}",
            f"Interval length:  {self.interval_minutes} minutes",
            f"Time zone:        {self.tz}",
            f"Rows:             {self.rows:,} ({per_queue})",
            f"Calls offered:    {self.calls_offered:,}",
            f"Gaps:             {len(self.gaps)} ({self.missing_intervals:,} missing intervals inside opening hours; not filled)",
        ]
        for g in self.gaps[:max_gaps]:
            days = f"; {g.whole_days} whole day{'s' if g.whole_days != 1 else ''} without rows: closed or lost?" if g.whole_days else ""
            lines.append(f"  {g.queue}: {_fmt_ts(g.start)} to {_fmt_ts(g.end)} ({g.missing_intervals} intervals{days})")
        if len(self.gaps) > max_gaps:
            lines.append(f"  ... and {len(self.gaps) - max_gaps} more gaps")
        lines.append(
            f"Closed hours:     {self.closed_intervals:,} intervals in closed hours "
            f"({self.calls_in_closed_hours:,} calls offered in them)"
        )
        lines.append(
            f"Opening hours (learned: closed = calls in < {self.closed_max_share:.0%} of weeks "
            f"for at least {self.min_closed_minutes} minutes in a row):"
        )
        for oh in self.opening_hours:
            lines.append(f"  {oh.queue}: {oh.text()}")
        return "\n".join(lines)


def _grid_status(
    g: pd.DataFrame, minutes: int, closed_max_share: float, min_closed_minutes: int
) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray, np.ndarray, QueueOpeningHours]:
    """For one queue: the full interval grid, present mask, open mask, calls, hours."""
    ts = g["interval_start"]
    grid = pd.date_range(ts.min(), ts.max(), freq=f"{minutes}min").as_unit("ns")
    grid_ns = grid.asi8
    ts_ns = ts.pipe(_ns)
    pos = np.searchsorted(grid_ns, ts_ns)
    present = np.zeros(len(grid), dtype=bool)
    present[pos] = True
    calls = np.zeros(len(grid), dtype=np.int64)
    calls[pos] = g["calls_offered"].to_numpy()
    weekday = grid.day_of_week.to_numpy()
    slot = (grid.hour * 60 + grid.minute).to_numpy()
    per_day = 1440 // minutes
    key = weekday * per_day + slot // minutes
    possible = np.bincount(key, minlength=7 * per_day)
    active = np.bincount(key, weights=(calls > 0).astype(float), minlength=7 * per_day)
    share = np.divide(active, possible, out=np.zeros_like(active), where=possible > 0)
    status = pd.Series(np.where(possible > 0, (share >= closed_max_share) & (active > 0), np.nan))
    day = np.repeat(np.arange(7), per_day)
    # A slot that never occurs (the skipped hour of a spring-forward Sunday) takes
    # the status of the slot before it on the same weekday; a weekday with no data
    # at all is reported as "no data" and counts as open for the smoothing below.
    status = status.groupby(day).transform(lambda s: s.ffill().bfill()).fillna(1.0)
    open_key = status.to_numpy(dtype=float) > 0.5
    no_data = np.array([possible[d * per_day:(d + 1) * per_day].sum() == 0 for d in range(7)])
    # Closed stretches shorter than min_closed_minutes between open slots (the week
    # is circular) are quiet intervals, not closing times.
    if open_key.any() and not open_key.all() and min_closed_minutes > minutes:
        first_open = int(np.flatnonzero(open_key & ~np.roll(open_key, 1))[0])
        rolled = np.roll(open_key, -first_open)
        edges = np.flatnonzero(np.diff(rolled.astype(np.int8)))  # i: change between i and i+1
        starts = edges[::2] + 1  # open -> closed
        stops = edges[1::2] + 1  # closed -> open
        if len(stops) < len(starts):
            stops = np.append(stops, len(rolled))
        for a, b in zip(starts, stops):
            if (b - a) * minutes < min_closed_minutes:
                rolled[a:b] = True
        open_key = np.roll(rolled, first_open)
    spans: list[tuple[tuple[int, int], ...] | None] = []
    for d in range(7):
        if no_data[d]:
            spans.append(None)
            continue
        opened = np.flatnonzero(open_key[d * per_day:(d + 1) * per_day])
        runs: list[tuple[int, int]] = []
        for s in opened:
            a = int(s) * minutes
            if runs and runs[-1][1] == a:
                runs[-1] = (runs[-1][0], a + minutes)
            else:
                runs.append((a, a + minutes))
        spans.append(tuple(runs))
    hours = QueueOpeningHours(queue=str(g["queue"].iloc[0]), spans=tuple(spans))
    return grid, present, open_key[key], calls, hours


def learn_opening_hours(
    df: pd.DataFrame, *, closed_max_share: float = CLOSED_SLOT_MAX_SHARE, min_closed_minutes: int = MIN_CLOSED_MINUTES
) -> tuple[QueueOpeningHours, ...]:
    """Opening hours of each queue, learned from when calls were offered.

    A (weekday, local time-of-day) slot is open when calls were offered in it in
    at least ``closed_max_share`` of the weeks the queue's history covers; rows
    with zero calls and absent rows both count as "no calls".

    Parameters
    ----------
    df : DataFrame
        Canonical history (``attrs["interval_minutes"]`` used if set).
    closed_max_share : float
        Share of weeks [fraction] below which a slot counts as closed.
    min_closed_minutes : int
        Closed stretches shorter than this [minutes] between open slots count as open.
    """
    minutes = interval_minutes_of(df)
    return tuple(_grid_status(g, minutes, closed_max_share, min_closed_minutes)[4] for _, g in df.groupby("queue", sort=True))


def find_gaps(
    df: pd.DataFrame, *, closed_max_share: float = CLOSED_SLOT_MAX_SHARE, min_closed_minutes: int = MIN_CLOSED_MINUTES
) -> tuple[Gap, ...]:
    """Runs of missing intervals inside each queue's learned opening hours.

    Missing rows in closed hours are not gaps.  Nothing is filled.
    """
    return summarise_history(df, closed_max_share=closed_max_share, min_closed_minutes=min_closed_minutes).gaps


def summarise_history(
    df: pd.DataFrame, *, closed_max_share: float = CLOSED_SLOT_MAX_SHARE, min_closed_minutes: int = MIN_CLOSED_MINUTES
) -> HistorySummary:
    """Summarise a canonical history: queues, span, interval, gaps, opening hours.

    Parameters
    ----------
    df : DataFrame
        Output of :func:`read_history` (or any frame in the canonical format).
    closed_max_share : float
        A (weekday, time-of-day) slot with calls in fewer than this share of
        weeks [fraction] is closed; its missing rows are not gaps.
    min_closed_minutes : int
        Closed stretches shorter than this [minutes] between open slots count as
        open (quiet spells, not closing times).

    Returns
    -------
    HistorySummary
    """
    if not 0 <= closed_max_share < 1:
        raise WfmInputError(f"closed_max_share must be in [0, 1), got {closed_max_share!r}")
    if min_closed_minutes < 0:
        raise WfmInputError(f"min_closed_minutes must be >= 0, got {min_closed_minutes!r}")
    if len(df) == 0:
        raise WfmInputError("history: no rows to summarise")
    minutes = interval_minutes_of(df)
    tz = str(df.attrs.get("tz") or df["interval_start"].dt.tz)
    gaps: list[Gap] = []
    hours: list[QueueOpeningHours] = []
    closed_total = 0
    closed_calls = 0
    rows_per_queue: list[tuple[str, int]] = []
    step = pd.Timedelta(minutes=minutes)
    for queue, g in df.groupby("queue", sort=True):
        grid, present, open_mask, calls, oh = _grid_status(g, minutes, closed_max_share, min_closed_minutes)
        hours.append(oh)
        rows_per_queue.append((str(queue), len(g)))
        closed_total += int((~open_mask).sum())
        closed_calls += int(calls[~open_mask].sum())
        missing = ~present & open_mask
        if missing.any():
            day_code, _ = pd.factorize(grid.normalize())
            open_per_day = np.bincount(day_code, weights=open_mask.astype(float))
            missing_per_day = np.bincount(day_code, weights=missing.astype(float))
            full_day = (open_per_day > 0) & (missing_per_day == open_per_day)
            idx = np.flatnonzero(missing)
            starts = np.flatnonzero(np.diff(np.concatenate(([-2], idx))) != 1)
            ends = np.concatenate((starts[1:], [len(idx)])) - 1
            for a, b in zip(starts, ends):
                days = np.unique(day_code[idx[a]:idx[b] + 1])
                gaps.append(Gap(str(queue), grid[idx[a]], grid[idx[b]] + step, int(b - a + 1), int(full_day[days].sum())))
    ts = df["interval_start"]
    return HistorySummary(
        source=str(df.attrs.get("source", "<frame>")),
        tz=tz,
        interval_minutes=minutes,
        rows=len(df),
        queues=tuple(q for q, _ in rows_per_queue),
        rows_per_queue=tuple(rows_per_queue),
        first_interval=ts.min(),
        last_interval=ts.max(),
        calls_offered=int(df["calls_offered"].sum()),
        gaps=tuple(gaps),
        missing_intervals=sum(g.missing_intervals for g in gaps),
        opening_hours=tuple(hours),
        closed_intervals=closed_total,
        calls_in_closed_hours=closed_calls,
        closed_max_share=closed_max_share,
        min_closed_minutes=min_closed_minutes,
    )
