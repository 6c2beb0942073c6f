"""The history mapping file: how another export's columns map onto the canonical history.

A YAML (or JSON) file, documented in ``docs/history_format.md``::

    columns:            # export column -> canonical column
      Queue: queue
      Offered: calls_offered
      Handle time: aht_seconds
    date_column: Date   # date and start time in two columns
    time_column: Time
    date_format: "%d.%m.%Y"
    duration_format: {aht_seconds: "mm:ss"}
    sep: ";"
    decimal: ","

:func:`load_mapping` reads and checks one (a path, a file object, a dict or a
:class:`HistoryMapping`); :func:`write_mapping` writes one back.  YAML goes through the one
loader, :func:`wfm.ground.yamlfile.load_yaml`.
"""

from __future__ import annotations

import codecs
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Mapping

import yaml

from wfm.ground.errors import ErrorList, WfmInputError, file_error
from wfm.ground.frames import HISTORY_COLUMNS, HISTORY_SECONDS_COLUMNS
from wfm.ground.yamlfile import load_yaml

__all__ = ["ALLOWED_INTERVAL_MINUTES", "DURATION_FORMATS", "MAPPING_KEYS", "SEPARATORS", "HistoryMapping",
           "detect_csv_layout", "export_columns", "load_mapping", "mapping_text", "write_mapping"]

#: Interval lengths a history file may have [minutes]; each divides an hour.
ALLOWED_INTERVAL_MINUTES: tuple[int, ...] = (5, 6, 10, 15, 30, 60)
#: How a duration column may be written.
DURATION_FORMATS: tuple[str, ...] = ("seconds", "mm:ss", "hh:mm:ss")
#: The keys a mapping file may hold.
MAPPING_KEYS: tuple[str, ...] = (
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
#: Field separators :func:`detect_csv_layout` tells apart.
SEPARATORS: tuple[str, ...] = (",", ";", "\t", "|")
#: Lines of a file :func:`detect_csv_layout` looks at.
_SNIFF_LINES = 50
_TEXT_KEYS = ("date_column", "time_column", "date_format", "time_format", "timestamp_format", "queue", "encoding",
              "sheet")


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


# --------------------------------------------------------------------------- reading
def _read_document(mapping: str | os.PathLike | IO) -> tuple[Any, str]:
    """The parsed document of a mapping file (path or file object) and its name."""
    if isinstance(mapping, (str, os.PathLike)):
        source, path = str(mapping), Path(mapping)
        is_json = path.suffix.lower() == ".json"
        if not is_json:
            return load_yaml(path, what="mapping file"), source
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise file_error(source, "mapping file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise file_error(source, f"cannot read the mapping file ({exc})") from None
    else:
        source = str(getattr(mapping, "name", "mapping"))
        data = mapping.read()
        is_json = source.lower().endswith(".json")
        if not is_json:
            return load_yaml(data if isinstance(data, (bytes, str)) else bytes(data), name=source), source
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    try:
        return json.loads(text), source
    except json.JSONDecodeError as exc:
        raise file_error(source, f"mapping file is not valid JSON: {exc}") from None


def _key_table(raw: Mapping, key: str, meaning: str, errors: ErrorList) -> Mapping:
    """The ``key: {a: b, ...}`` table of a mapping (empty, with a message, when it is not one)."""
    value = raw.get(key) or {}
    if isinstance(value, Mapping):
        return value
    errors.file(f"mapping key {key!r} must map {meaning}, got {value!r}")
    return {}


def _columns(raw: Mapping, errors: ErrorList) -> tuple[tuple[str, str], ...]:
    columns = _key_table(raw, "columns", "export column -> canonical column", errors)
    canonical = ", ".join(HISTORY_COLUMNS)
    for src, dst in columns.items():
        if dst not in HISTORY_COLUMNS:
            errors.file(f"mapping key 'columns': {src!r} maps to {dst!r}, which is not a canonical column ({canonical})")
    targets = list(columns.values())
    for dst in sorted({str(d) for d in targets if targets.count(d) > 1}):
        errors.file(f"mapping key 'columns': more than one export column maps to {dst!r}")
    return tuple((str(k), str(v)) for k, v in columns.items())


def _durations(raw: Mapping, errors: ErrorList) -> tuple[tuple[str, str], ...]:
    durations = _key_table(raw, "duration_format", "column -> format", errors)
    for col in [c for c in durations if c not in HISTORY_SECONDS_COLUMNS]:
        errors.file(f"mapping key 'duration_format': {col!r} is not a duration column "
                    f"({', '.join(HISTORY_SECONDS_COLUMNS)})")
    for col, fmt in [(c, f) for c, f in durations.items() if f not in DURATION_FORMATS]:
        errors.file(f"mapping key 'duration_format': {col!r} has format {fmt!r}, allowed: {', '.join(DURATION_FORMATS)}")
    return tuple((str(k), str(v)) for k, v in durations.items())


def _texts(raw: Mapping, errors: ErrorList) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _TEXT_KEYS:
        value = raw.get(key)
        if value is not None:
            if not isinstance(value, str) or not value:
                errors.file(f"mapping key {key!r} must be a non-empty text, got {value!r}")
            out[key] = str(value)
    ignore = raw.get("ignore") or []
    if isinstance(ignore, str) or not isinstance(ignore, (list, tuple)):
        errors.file(f"mapping key 'ignore' must be a list of column names, got {ignore!r}")
        ignore = []
    out["ignore"] = tuple(str(c) for c in ignore)
    return out


def _csv_options(raw: Mapping, errors: ErrorList) -> dict[str, Any]:
    sep = raw.get("sep", ",")
    if not isinstance(sep, str) or len(sep) != 1 or sep in "\"\r\n":
        errors.file(f"mapping key 'sep' must be one character such as ',' or ';', got {sep!r}")
    decimal = raw.get("decimal", ".")
    if decimal not in (".", ","):
        errors.file(f"mapping key 'decimal' must be '.' or ',', got {decimal!r}")
    elif decimal == "," and sep == ",":
        errors.file("mapping keys 'decimal' and 'sep' are both ','; use sep: ';' with a decimal comma")
    out: dict[str, Any] = {"sep": str(sep), "decimal": str(decimal)}
    minutes = raw.get("interval_minutes")
    if minutes is not None:
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes not in ALLOWED_INTERVAL_MINUTES:
            errors.file(f"mapping key 'interval_minutes' must be one of {ALLOWED_INTERVAL_MINUTES}, got {minutes!r}")
        else:
            out["interval_minutes"] = minutes
    return out


def _check_together(kwargs: Mapping[str, Any], errors: ErrorList) -> None:
    targets = [dst for _, dst in kwargs["columns"]]
    if ("date_column" in kwargs) != ("time_column" in kwargs):
        errors.file("mapping keys 'date_column' and 'time_column' must be given together")
    if "date_column" in kwargs and "interval_start" in targets:
        errors.file("mapping gives both date_column/time_column and a column mapped to 'interval_start'; use one")
    if "queue" in kwargs and "queue" in targets:
        errors.file("mapping gives both a constant 'queue' and a column mapped to 'queue'; use one")
    if "encoding" in kwargs:
        try:
            codecs.lookup(kwargs["encoding"])
        except LookupError:
            errors.file(f"mapping key 'encoding': unknown encoding {kwargs['encoding']!r}")


def load_mapping(mapping: str | os.PathLike | IO | Mapping[str, Any] | HistoryMapping | None) -> HistoryMapping:
    """Read and check a mapping (YAML or JSON file or file object, a dict, or a :class:`HistoryMapping`).

    Raises
    ------
    WfmInputError
        Unknown key, unknown canonical column, unknown duration format, a file that cannot be
        read or parsed; every problem found, each naming the key and the value.
    """
    if mapping is None:
        return HistoryMapping()
    if isinstance(mapping, HistoryMapping):
        return mapping
    if isinstance(mapping, (str, os.PathLike)) or hasattr(mapping, "read"):
        raw, source = _read_document(mapping)
    else:
        raw, source = mapping, "mapping"
    if not isinstance(raw, Mapping):
        raise file_error(source, f"mapping must be a key: value table, got {type(raw).__name__}")
    errors = ErrorList(source)
    for key in raw:
        if key not in MAPPING_KEYS:
            errors.file(f"unknown mapping key {key!r} (allowed: {', '.join(MAPPING_KEYS)})")
    kwargs: dict[str, Any] = {"columns": _columns(raw, errors), "duration_format": _durations(raw, errors)}
    kwargs.update(_texts(raw, errors))
    kwargs.update(_csv_options(raw, errors))
    _check_together(kwargs, errors)
    errors.raise_if_any()
    return HistoryMapping(**kwargs)


# --------------------------------------------------------------------------- writing
def mapping_text(mapping: HistoryMapping) -> str:
    """``mapping`` as the YAML text of a mapping file (keys at their defaults left out); :func:`load_mapping`
    reads it back equal."""
    if not isinstance(mapping, HistoryMapping):
        raise WfmInputError(f"mapping must be a HistoryMapping, got {type(mapping).__name__}")
    default = HistoryMapping()
    doc: dict[str, Any] = {}
    for key in MAPPING_KEYS:
        value = getattr(mapping, key)
        if value == getattr(default, key):
            continue
        if key in ("columns", "duration_format"):
            value = dict(value)
        elif key == "ignore":
            value = list(value)
        doc[key] = value
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def write_mapping(mapping: HistoryMapping, path: str | os.PathLike) -> None:
    """Write ``mapping`` as a YAML mapping file that :func:`load_mapping` reads back equal."""
    Path(path).write_text(mapping_text(mapping), encoding="utf-8")


# --------------------------------------------------------------------------- a first look at an export
def _sample_text(data: bytes, encoding: str) -> str:
    head = data[: 64 * 1024]
    if head[:2] == b"\x1f\x8b":  # a .csv.gz: the first block is enough for a header and some rows
        import zlib

        head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[: 256 * 1024], 64 * 1024)
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    return head.decode(codec, errors="replace")


def detect_csv_layout(data: bytes, *, encoding: str = "utf-8") -> tuple[str, str]:
    """The field separator and decimal mark a CSV export (plain or gzip) most likely uses.

    The separator is the one of :data:`SEPARATORS` that splits the header and the first rows into the same
    number of fields, more than one (the most fields wins; the order of :data:`SEPARATORS` breaks ties);
    ``","`` when none does.  The decimal mark is ``","`` when the separator is not a comma and some cell is a
    number written with a decimal comma (``12,5``) while none has a decimal point; else ``"."``.
    """
    import csv
    import re

    lines = [line for line in _sample_text(data, encoding).splitlines()[:_SNIFF_LINES] if line.strip()]
    if len(lines) > 1 and len(data) > 64 * 1024:
        lines = lines[:-1]  # the last line of the sample may be cut
    best, best_fields = ",", 1
    for sep in SEPARATORS:
        counts = {len(row) for row in csv.reader(lines, delimiter=sep)}
        if len(counts) == 1 and (fields := counts.pop()) > best_fields:
            best, best_fields = sep, fields
    if best == ",":
        return ",", "."
    cells = [cell.strip() for row in csv.reader(lines[1:], delimiter=best) for cell in row]
    comma = any(re.fullmatch(r"-?[0-9]+,[0-9]+", c) for c in cells)
    point = any(re.fullmatch(r"-?[0-9]+\.[0-9]+", c) for c in cells)
    return best, ("," if comma and not point else ".")


def export_columns(data: bytes, name: str, *, sep: str = ",", encoding: str = "utf-8",
                   sheet: str | None = None) -> list[str]:
    """The column names of an export (CSV, CSV.gz or XLSX), for saying which is which.

    Raises
    ------
    WfmInputError
        A file whose header cannot be read, naming the file.
    """
    import csv
    import io

    try:
        if name.lower().endswith((".xlsx", ".xlsm")):
            import pandas as pd

            frame = pd.read_excel(io.BytesIO(data), sheet_name=sheet or 0, nrows=0, engine="openpyxl")
            return [str(c).strip() for c in frame.columns]
        first = _sample_text(data, encoding).splitlines()[:1]
        return [c.strip() for c in next(csv.reader(first, delimiter=sep))] if first else []
    except Exception as exc:  # noqa: BLE001 -- any unreadable file (a broken workbook too) is bad input
        raise file_error(name, f"cannot read the column names ({type(exc).__name__}: {exc})") from None
