"""The events file: one-off events (outages, campaigns, fraud waves, media stories).

A planner lists one-off events in ``events.csv``::

    date,end_date,name,kind
    2024-05-14,2024-05-14,telephony outage,outage
    2024-10-07,2024-11-03,fraud wave (fake bank calls),fraud_wave
    2025-02-10,,media appeal for witnesses,media

Rules (each broken rule is reported with the file, line, column and value):

* the header is exactly ``date,end_date,name,kind`` (in any order, no extra columns, no
  duplicates) and at least one event follows;
* ``date`` is a local calendar date ``YYYY-MM-DD``; ``end_date`` is empty (a one-day event) or
  a date ``>= date`` (inclusive);
* ``name`` is not empty; every distinct name gets its OWN effect in the models that take
  regressors (regression, Prophet), so repeat a name to say "the same kind of thing happened
  again" (e.g. every "media appeal for witnesses");
* ``kind`` is one of :data:`wfm.ground.vocabulary.EVENT_KINDS`;
* the same ``name`` may not have overlapping date ranges.

:func:`read_events` returns the typed frame (:data:`wfm.ground.frames.EVENT_COLUMNS`) that the
forecasting models take as their ``events`` hyperparameter; :func:`write_events_csv` writes one.
The regressors built from it live in :mod:`forecasting.events`.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.frames import EVENT_COLUMNS
from wfm.ground.vocabulary import EVENT_KINDS
from wfm.io.common import read_bounded, restore_frame, write_csv

__all__ = ["read_events", "validate_events_frame", "write_events_csv"]

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_date(text: str) -> pd.Timestamp | None:
    if not _DATE_RE.match(text):
        return None
    try:
        return pd.Timestamp(text)
    except (ValueError, OverflowError):
        return None


def _check_header(raw: pd.DataFrame, source: str) -> list[str]:
    cols = [str(c) for c in raw.columns]
    dup = sorted({c for c in cols if cols.count(c) > 1})
    missing = [c for c in EVENT_COLUMNS if c not in cols]
    extra = [c for c in cols if c not in EVENT_COLUMNS]
    if dup or missing or extra:
        parts = [text for text, found in ((f"missing column(s) {missing}", missing),
                                          (f"unknown column(s) {extra}", extra),
                                          (f"duplicate column(s) {dup}", dup)) if found]
        raise WfmInputError(f"{source}: header must be exactly {','.join(EVENT_COLUMNS)}; " + "; ".join(parts)
                            + f" (got {cols})")
    if len(raw) == 0:
        raise WfmInputError(f"{source}: no events (header only); give a file with at least one event, or none",
                            parameter="events")
    return cols


def _parse_rows(raw: pd.DataFrame, cols: list[str], source: str, problems: list[str]) -> pd.DataFrame:
    """Each row's date, end date, name and kind; a message per bad cell."""
    text = raw.astype("object").where(raw.notna(), "")
    records = []
    for line, row in enumerate(text.itertuples(index=False), start=2):
        rec = {c: str(v).strip() for c, v in zip(cols, row)}
        where = f"{source} line {line} column"
        d = _parse_date(rec["date"])
        if d is None:
            problems.append(f"{where} 'date': must be a date YYYY-MM-DD, got {rec['date']!r}")
        e = d
        if rec["end_date"]:
            e = _parse_date(rec["end_date"])
            if e is None:
                problems.append(f"{where} 'end_date': must be empty or a date YYYY-MM-DD, got {rec['end_date']!r}")
            elif d is not None and e < d:
                problems.append(f"{where} 'end_date': must be on or after date {rec['date']}, got {rec['end_date']!r}")
        if not rec["name"]:
            problems.append(f"{where} 'name': must not be empty")
        if rec["kind"] not in EVENT_KINDS:
            problems.append(f"{where} 'kind': must be one of {', '.join(EVENT_KINDS)}, got {rec['kind']!r}")
        records.append((d, e, rec["name"], rec["kind"], line))
    return pd.DataFrame(records, columns=[*EVENT_COLUMNS, "line"])


def _check_overlaps(frame: pd.DataFrame, source: str, problems: list[str]) -> None:
    for name, grp in frame.sort_values("date").groupby("name", sort=False):
        starts, stops = grp["date"].to_numpy(), grp["end_date"].to_numpy()
        overlap = np.flatnonzero(starts[1:] <= stops[:-1])
        if len(overlap):
            j = int(overlap[0])
            problems.append(
                f"{source} line {int(grp['line'].iloc[j + 1])}: event {name!r} from {pd.Timestamp(starts[j + 1]).date()} "
                f"overlaps the same event on line {int(grp['line'].iloc[j])} "
                f"({pd.Timestamp(starts[j]).date()} to {pd.Timestamp(stops[j]).date()}); merge them into one row"
            )


def validate_events_frame(raw: pd.DataFrame, source: str = "events") -> pd.DataFrame:
    """Check an events table of text (as read from the file) and return it typed.

    Returns
    -------
    DataFrame
        :data:`wfm.ground.frames.EVENT_COLUMNS`: ``date``, ``end_date`` (tz-naive
        ``datetime64[ns]`` local dates, ``end_date`` filled with ``date`` for one-day events),
        ``name``, ``kind`` (str), sorted by date then name.

    Raises
    ------
    WfmInputError
        Listing every problem found, each with its line (the header is line 1), column and value.
    """
    cols = _check_header(raw, source)
    problems: list[str] = []
    frame = _parse_rows(raw, cols, source, problems)
    if not problems:
        _check_overlaps(frame, source, problems)
    if problems:
        head = problems[0] if len(problems) == 1 else f"{source}: {len(problems)} problems; first: {problems[0]}"
        raise WfmInputError(head, errors=problems)
    out = pd.DataFrame({
        "date": pd.to_datetime(frame["date"]).astype("datetime64[ns]"),
        "end_date": pd.to_datetime(frame["end_date"]).astype("datetime64[ns]"),
        "name": frame["name"].astype("str"),
        "kind": frame["kind"].astype("str"),
    })
    return out.sort_values(["date", "name"]).reset_index(drop=True)


def read_events(source: str | os.PathLike | IO | pd.DataFrame) -> pd.DataFrame:
    """Read and validate an events file (see the module docstring).

    Parameters
    ----------
    source : path, file object (text or binary) or DataFrame
        ``events.csv`` (UTF-8, comma-separated), or a table of its text already read.

    Returns
    -------
    DataFrame
        ``date, end_date, name, kind``, the ``events`` argument the models take.

    Raises
    ------
    WfmInputError
        Unreadable file, wrong header or any bad row (line, column, value).
    """
    if isinstance(source, pd.DataFrame):
        return validate_events_frame(source.astype("object"), "events")
    name = str(getattr(source, "name", source))
    try:
        data = read_bounded(source, name)
    except WfmInputError as exc:
        if str(exc) == f"{name}: file not found":
            raise WfmInputError(f"events file {name!r} does not exist") from None
        raise
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise WfmInputError(f"{name}: not UTF-8 text (byte {exc.start}); save the events file as UTF-8") from exc
    try:
        raw = restore_frame(pd.read_csv(io.StringIO(data), dtype=str, keep_default_na=False, skipinitialspace=True))
    except pd.errors.EmptyDataError as exc:
        raise WfmInputError(f"{name}: empty file; expected header {','.join(EVENT_COLUMNS)}") from exc
    except pd.errors.ParserError as exc:
        raise WfmInputError(f"{name}: not a valid CSV ({exc})") from exc
    return validate_events_frame(raw, name)


def _as_text(events: pd.DataFrame) -> pd.DataFrame:
    """The events as the file's text, in the given order (dates ``YYYY-MM-DD``, ``end_date`` filled)."""
    frame = pd.DataFrame(events).reset_index(drop=True)
    missing = [c for c in EVENT_COLUMNS if c not in frame.columns]
    if missing:
        raise WfmInputError(f"events to write: missing column(s) {missing}")

    def text(column: str) -> pd.Series:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            return values.dt.strftime("%Y-%m-%d").fillna("")
        return values.astype(object).where(values.notna(), "").astype(str).str.strip()

    out = pd.DataFrame({c: text(c) for c in EVENT_COLUMNS})
    out["end_date"] = out["end_date"].where(out["end_date"] != "", out["date"])
    return out


def write_events_csv(events: pd.DataFrame, path: str | os.PathLike | IO[str]) -> None:
    """Write ``date,end_date,name,kind`` (UTF-8, LF line ends, ISO dates, ``end_date`` always written).

    ``events`` is the frame :func:`read_events` returns, or the same columns as text, written in
    its own row order; it is checked as the reader checks a file, so what is written reads back.
    """
    text = _as_text(events)
    validate_events_frame(text, "events to write")
    write_csv(text, path, lineterminator="\n")  # formula text neutralised
