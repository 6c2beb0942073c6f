"""User events (outages, campaigns, fraud waves, media stories) from a small file.

A planner lists one-off events in ``events.csv``::

    date,end_date,name,kind
    2024-05-14,2024-05-14,telephony outage,outage
    2024-10-07,2024-11-03,fraud wave (fake bank calls),fraud_wave
    2025-02-10,,media appeal for witnesses,media

Rules (each broken rule is reported with the file, line, column and value):

* the header is exactly ``date,end_date,name,kind`` (in any order, no extra
  columns, no duplicates);
* ``date`` is a local calendar date ``YYYY-MM-DD``; ``end_date`` is empty (a
  one-day event) or a date ``>= date`` (inclusive);
* ``name`` is not empty; every distinct name gets its OWN effect in the models
  that take regressors (regression, Prophet), so repeat a name to say "the same
  kind of thing happened again" (e.g. every "media appeal for witnesses");
* ``kind`` is one of :data:`EVENT_KINDS`;
* the same ``name`` may not have overlapping date ranges.

:func:`read_events` returns the typed frame that the models accept as their
``events`` hyperparameter; :func:`event_regressors` turns it into 0/1
regressor columns per timestamp (one per name), for models and for charts.
"""

from __future__ import annotations

import io
import os
import re
from typing import IO

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError

__all__ = ["EVENT_KINDS", "EVENT_COLUMNS", "read_events", "validate_events_frame", "event_regressors", "events_in_range"]

#: Allowed values of the ``kind`` column.
#: Event kinds: the issue's list plus the two the demo data uses (a weather ``storm`` and the ``rebound``
#: of redials the day after an outage), so ``--events data/demo_events.csv`` works as it stands.
EVENT_KINDS: tuple[str, ...] = ("outage", "rebound", "campaign", "fraud_wave", "media", "storm", "other")
#: Columns of an events file, in the documented order.
EVENT_COLUMNS: tuple[str, ...] = ("date", "end_date", "name", "kind")

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_date(text: str) -> pd.Timestamp | None:
    if not _DATE_RE.match(text):
        return None
    try:
        return pd.Timestamp(text)
    except (ValueError, OverflowError):
        return None


def validate_events_frame(raw: pd.DataFrame, source: str = "events") -> pd.DataFrame:
    """Check an events table of strings and return it typed.

    Parameters
    ----------
    raw : DataFrame
        Columns ``date, end_date, name, kind`` as text (as read from a CSV).
    source : str
        File name used in messages.

    Returns
    -------
    DataFrame
        ``date``, ``end_date`` (tz-naive ``datetime64[ns]`` local dates,
        ``end_date`` filled with ``date`` for one-day events), ``name``,
        ``kind`` (str), sorted by date then name.

    Raises
    ------
    WfmInputError
        Listing every problem found, each with its line (the header is line 1),
        column and value.
    """
    cols = [str(c) for c in raw.columns]
    problems: list[str] = []
    dup = sorted({c for c in cols if cols.count(c) > 1})
    missing = [c for c in EVENT_COLUMNS if c not in cols]
    extra = [c for c in cols if c not in EVENT_COLUMNS]
    if dup or missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s) {missing}")
        if extra:
            parts.append(f"unknown column(s) {extra}")
        if dup:
            parts.append(f"duplicate column(s) {dup}")
        raise WfmInputError(
            f"{source}: header must be exactly {','.join(EVENT_COLUMNS)}; " + "; ".join(parts) + f" (got {cols})"
        )
    if len(raw) == 0:
        raise WfmInputError(f"{source}: no events (header only); leave out --events instead")
    text = raw.astype("object").where(raw.notna(), "")
    dates, ends, names, kinds = [], [], [], []
    for i, row in enumerate(text.itertuples(index=False)):
        line = i + 2
        rec = dict(zip(cols, row))
        d_txt = str(rec["date"]).strip()
        e_txt = str(rec["end_date"]).strip()
        name = str(rec["name"]).strip()
        kind = str(rec["kind"]).strip()
        d = _parse_date(d_txt)
        if d is None:
            problems.append(f"{source} line {line} column 'date': must be a date YYYY-MM-DD, got {d_txt!r}")
        e = d
        if e_txt:
            e = _parse_date(e_txt)
            if e is None:
                problems.append(
                    f"{source} line {line} column 'end_date': must be empty or a date YYYY-MM-DD, got {e_txt!r}"
                )
            elif d is not None and e < d:
                problems.append(
                    f"{source} line {line} column 'end_date': must be on or after date {d_txt}, got {e_txt!r}"
                )
        if not name:
            problems.append(f"{source} line {line} column 'name': must not be empty")
        if kind not in EVENT_KINDS:
            problems.append(
                f"{source} line {line} column 'kind': must be one of {', '.join(EVENT_KINDS)}, got {kind!r}"
            )
        dates.append(d)
        ends.append(e)
        names.append(name)
        kinds.append(kind)
    if not problems:
        frame = pd.DataFrame({"date": dates, "end_date": ends, "name": names, "kind": kinds})
        frame["line"] = np.arange(len(frame)) + 2
        for name, grp in frame.sort_values("date").groupby("name", sort=False):
            starts = grp["date"].to_numpy()
            stops = grp["end_date"].to_numpy()
            overlap = np.flatnonzero(starts[1:] <= stops[:-1])
            if len(overlap):
                j = int(overlap[0])
                problems.append(
                    f"{source} line {int(grp['line'].iloc[j + 1])}: event {name!r} from {pd.Timestamp(starts[j + 1]).date()} "
                    f"overlaps the same event on line {int(grp['line'].iloc[j])} "
                    f"({pd.Timestamp(starts[j]).date()} to {pd.Timestamp(stops[j]).date()}); merge them into one row"
                )
    if problems:
        head = problems[0] if len(problems) == 1 else f"{source}: {len(problems)} problems; first: {problems[0]}"
        raise WfmInputError(head, errors=problems)
    out = pd.DataFrame(
        {
            "date": pd.to_datetime(pd.Series(dates)).astype("datetime64[ns]"),
            "end_date": pd.to_datetime(pd.Series(ends)).astype("datetime64[ns]"),
            "name": pd.Series(names, dtype="str"),
            "kind": pd.Series(kinds, dtype="str"),
        }
    )
    return out.sort_values(["date", "name"]).reset_index(drop=True)


def read_events(source: str | os.PathLike | IO[str] | pd.DataFrame) -> pd.DataFrame:
    """Read and validate a user events file (see the module docstring).

    Parameters
    ----------
    source : path, text file object or DataFrame
        ``events.csv`` (UTF-8, comma-separated) or an already-read table.

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
        return validate_events_frame(source, "events")
    name = str(getattr(source, "name", source))
    try:
        if isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as fh:
                data = fh.read()
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise WfmInputError(f"{name}: not UTF-8 text (byte {exc.start}); save the events file as UTF-8") from exc
            handle: IO[str] = io.StringIO(text)
        else:
            handle = source
        raw = pd.read_csv(handle, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError as exc:
        raise WfmInputError(f"events file {name!r} does not exist") from exc
    except pd.errors.EmptyDataError as exc:
        raise WfmInputError(f"{name}: empty file; expected header {','.join(EVENT_COLUMNS)}") from exc
    except pd.errors.ParserError as exc:
        raise WfmInputError(f"{name}: not a valid CSV ({exc})") from exc
    return validate_events_frame(raw, name)


def events_in_range(events: pd.DataFrame, start, end) -> pd.DataFrame:
    """Events overlapping the local dates ``[start, end]`` (inclusive)."""
    start = pd.Timestamp(start).tz_localize(None).normalize() if pd.Timestamp(start).tzinfo else pd.Timestamp(start).normalize()
    end = pd.Timestamp(end).tz_localize(None).normalize() if pd.Timestamp(end).tzinfo else pd.Timestamp(end).normalize()
    keep = (events["end_date"] >= start) & (events["date"] <= end)
    return events[keep].reset_index(drop=True)


def event_regressors(events: pd.DataFrame, interval_start, tz: str | None = None) -> pd.DataFrame:
    """0/1 regressors per timestamp, one column ``event_<name>`` per event name.

    Parameters
    ----------
    events : DataFrame
        From :func:`read_events`.
    interval_start : DatetimeIndex or Series
        tz-aware interval starts; an interval belongs to the event when its
        LOCAL calendar date (in ``tz``, default the timestamps' own zone) is
        within ``[date, end_date]``.
    tz : str, optional
        IANA zone for the local date.

    Returns
    -------
    DataFrame
        Indexed like ``interval_start`` (a Series keeps its index), float 0/1.
    """
    idx = pd.DatetimeIndex(interval_start)
    if idx.tz is None:
        raise WfmInputError("event_regressors: interval_start must be tz-aware (e.g. Europe/Stockholm)")
    local_day = idx.tz_convert(tz or str(idx.tz)).tz_localize(None).normalize()
    out_index = interval_start.index if isinstance(interval_start, pd.Series) else idx
    out = pd.DataFrame(index=out_index)
    for name, grp in events.groupby("name", sort=True):
        col = np.zeros(len(idx))
        for d0, d1 in zip(grp["date"], grp["end_date"]):
            col = np.maximum(col, ((local_day >= d0) & (local_day <= d1)).astype(float))
        out[f"event_{name}"] = col
    return out
