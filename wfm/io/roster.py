"""Roster exports: CSV, Excel, JSON and one iCalendar file per agent.

:func:`export_roster` takes the roster's assignments (one row per agent and
shift: ``agent_id, name, site, skill_group, shift_id, start, end,
paid_minutes, breaks``; ``start``/``end`` tz-aware; ``breaks`` the
``START/MINUTES/paid|unpaid;...`` text of the schedule CSV) and writes, by
the suffix of ``path``:

``.csv``
    One row per agent and shift: :data:`CSV_COLUMNS`, UTF-8, ISO-8601 times
    with UTC offset, breaks in the schedule-CSV notation.
``.xlsx``
    Sheet ``Roster`` (one row per agent, one column per day, cells like
    ``07:00–16:00``, ``(+1)`` when the shift ends the next day; weekend
    columns shaded, header frozen), sheet ``Shifts`` (the CSV rows), sheet
    ``Coverage`` (when ``coverage`` is given: as given, or for a requirement
    the required vs the scheduled agents per interval) and sheet ``About``.
``.json``
    :data:`JSON_SCHEMA` (``wfm.roster/1``): agents with their shifts and
    breaks, ISO-8601 times with offset.
a directory (no suffix, or an existing directory)
    ``<agent_id>.ics`` per agent (RFC 5545): a ``VTIMEZONE`` for the zone,
    one ``VEVENT`` per shift with ``DTSTART;TZID=Europe/Stockholm``, a stable
    ``UID``, ``DTSTAMP``, ``SUMMARY`` and the breaks in ``DESCRIPTION``.

Formula injection: in CSV and XLSX every text cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'`` so a
spreadsheet shows it as text instead of evaluating it (OWASP "CSV
injection").  Numbers (also negative ones) stay numbers.  JSON and iCalendar
are not spreadsheets and carry the text unchanged.

Pseudonymisation: ``pseudonymise=True`` replaces ``agent_id`` by a salted
SHA-256 code (4 hex digits, longer if two agents would collide) and ``name``
by ``Agent <code>``.  The same agent gets the same pseudonym everywhere in one
export; with ``salt=None`` a random salt is drawn per export, so pseudonyms
cannot be linked across exports; pass ``salt`` to keep them stable.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import secrets
import tempfile
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from optimiser.queueing.on_phone import agents_on_shift
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import ROSTER_COLUMNS, parse_breaks
from wfm.ground.timegrid import interval_minutes_of, parse_offset_timestamps
from wfm.ground.vocabulary import DEFAULT_TZ
from wfm.io.common import neutralise_formula, read_csv, source_name

CSV_COLUMNS: tuple[str, ...] = ("agent_id", "name", "site", "skill_group", "shift_id", "date", "start", "end",
                                "paid_minutes", "breaks")
TEXT_COLUMNS: tuple[str, ...] = ("agent_id", "name", "site", "skill_group", "shift_id")
JSON_SCHEMA_ID = "wfm.roster/1"
EN_DASH = "\u2013"

#: JSON Schema (draft 2020-12) of the ``.json`` export.
JSON_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": JSON_SCHEMA_ID,
    "type": "object",
    "required": ["schema", "timezone", "generated_at", "pseudonymised", "agents"],
    "properties": {
        "schema": {"const": JSON_SCHEMA_ID},
        "timezone": {"type": "string", "description": "IANA zone of the local times, e.g. Europe/Stockholm"},
        "generated_at": {"type": "string", "format": "date-time"},
        "pseudonymised": {"type": "boolean"},
        "agents": {"type": "array", "items": {
            "type": "object",
            "required": ["agent_id", "name", "site", "skill_group", "paid_minutes", "shifts"],
            "properties": {
                "agent_id": {"type": "string"}, "name": {"type": "string"},
                "site": {"type": ["string", "null"]}, "skill_group": {"type": ["string", "null"]},
                "paid_minutes": {"type": "integer", "description": "sum over the agent's shifts [minutes]"},
                "shifts": {"type": "array", "items": {
                    "type": "object",
                    "required": ["shift_id", "date", "start", "end", "paid_minutes", "breaks"],
                    "properties": {
                        "shift_id": {"type": "string"},
                        "date": {"type": "string", "format": "date", "description": "local date of start"},
                        "start": {"type": "string", "format": "date-time", "description": "ISO-8601 with offset"},
                        "end": {"type": "string", "format": "date-time"},
                        "paid_minutes": {"type": "integer"},
                        "breaks": {"type": "array", "items": {
                            "type": "object", "required": ["start", "minutes", "paid"],
                            "properties": {"start": {"type": "string", "format": "date-time"},
                                           "minutes": {"type": "integer"}, "paid": {"type": "boolean"}}}},
                    }}},
            }}},
        "unfilled": {"type": "array", "description": "slots no agent could take, one item per shift", "items": {
            "type": "object", "required": ["shift_id", "date", "start", "end", "slots", "reason"],
            "properties": {"shift_id": {"type": "string"}, "skill_group": {"type": ["string", "null"]},
                           "date": {"type": "string", "format": "date"},
                           "start": {"type": "string", "format": "date-time"},
                           "end": {"type": "string", "format": "date-time"},
                           "slots": {"type": "integer", "minimum": 1}, "reason": {"type": "string"}}}},
        "coverage": {"type": "array", "items": {"type": "object"},
                     "description": "optional: the coverage frame's rows, times as ISO-8601 text"},
    },
}


# --- small pure helpers ------------------------------------------------------------

def pseudonyms(agent_ids, salt: str) -> dict[str, str]:
    """Stable salted pseudonym codes: the shortest hex prefix (>= 4) that is unique."""
    ids = sorted({str(a) for a in agent_ids})
    digests = {a: hashlib.sha256(f"{salt}\x00{a}".encode("utf-8")).hexdigest() for a in ids}
    for length in range(4, 65):
        codes = {a: d[:length] for a, d in digests.items()}
        if len(set(codes.values())) == len(codes):
            return codes
    raise AssertionError("SHA-256 collision")  # pragma: no cover


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise WfmInputError(f"tz must be an IANA time zone such as {DEFAULT_TZ}, got {tz!r}", parameter="tz") from exc


def _show(value) -> str:
    """repr of a cell value without numpy wrappers (``-5.0``, not ``np.float64(-5.0)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _hhmm(start: pd.Timestamp, end: pd.Timestamp) -> str:
    days = (end.date() - start.date()).days
    suffix = f" (+{days})" if days else ""
    return f"{start:%H:%M}{EN_DASH}{end:%H:%M}{suffix}"


# --- validation ----------------------------------------------------------------------

def validate_assignments(assignments: pd.DataFrame, tz: str = DEFAULT_TZ,
                         source: str = "assignments", rows: list[int] | None = None) -> pd.DataFrame:
    """Check the roster assignments and return a copy in ``tz``, sorted by agent and start.

    Adds ``breaks_parsed`` (a tuple of :class:`~wfm.ground.frames.Break` per row) and ``date``
    (local date of the start).  Raises :class:`WfmInputError` naming the row (``rows[i]``, the file's
    row numbers, when given; else the 0-based position in the frame) and column of the first problem.
    """
    def row(i: int) -> str:
        return f"row {rows[i] if rows is not None else i}"

    _zone(tz)
    if not isinstance(assignments, pd.DataFrame):
        raise WfmInputError(f"{source}: must be a pandas DataFrame, got {type(assignments).__name__}")
    missing = [c for c in ROSTER_COLUMNS if c not in assignments.columns]
    if missing:
        raise WfmInputError(f"{source}: missing column(s) {', '.join(missing)}; expected {', '.join(ROSTER_COLUMNS)}")
    df = assignments.loc[:, list(ROSTER_COLUMNS)].reset_index(drop=True).copy()
    for column in ("start", "end"):
        if not isinstance(df[column].dtype, pd.DatetimeTZDtype):
            raise WfmInputError(f"{source}: column {column} must hold tz-aware timestamps, got dtype "
                                f"{df[column].dtype}; localise naive times with a named zone first")
        if df[column].isna().any():
            i = int(np.flatnonzero(df[column].isna().to_numpy())[0])
            raise WfmInputError(f"{source}: {row(i)}, column {column}: missing timestamp")
        df[column] = df[column].dt.tz_convert(tz)
    bad = (df["end"] <= df["start"]).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise WfmInputError(f"{source}: {row(i)}: end must be after start, got start {df['start'].iloc[i].isoformat()} "
                            f"end {df['end'].iloc[i].isoformat()}")
    for column in ("agent_id", "name", "shift_id"):
        for i, value in enumerate(df[column]):
            if not isinstance(value, str) or value == "":
                raise WfmInputError(f"{source}: {row(i)}, column {column}: must be non-empty text, got {_show(value)}")
    for column in ("site", "skill_group"):
        values = []
        for i, value in enumerate(df[column]):
            if value is None or (isinstance(value, float) and np.isnan(value)):
                values.append(None)
            elif isinstance(value, str):
                values.append(value)
            else:
                raise WfmInputError(f"{source}: {row(i)}, column {column}: must be text, got {_show(value)}")
        df[column] = pd.Series(values, dtype=object)
    minutes = pd.to_numeric(df["paid_minutes"], errors="coerce")
    bad = (minutes.isna() | (minutes < 0) | (minutes != minutes.round())).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise WfmInputError(f"{source}: {row(i)}, column paid_minutes: must be a whole number >= 0, "
                            f"got {_show(df['paid_minutes'].iloc[i])}")
    df["paid_minutes"] = minutes.astype("int64")
    names = df.groupby("agent_id")["name"].nunique()
    if (names > 1).any():
        agent = names.index[names.to_numpy() > 1][0]
        raise WfmInputError(f"{source}: agent_id {agent!r} appears with different names "
                            f"{sorted(set(df.loc[df['agent_id'] == agent, 'name']))}")
    df["breaks_parsed"] = [parse_breaks(text, tz, where=f"{source}: {row(i)}, column breaks")
                           for i, text in enumerate(df["breaks"])]
    df["breaks"] = ["" if (b is None or (isinstance(b, float) and np.isnan(b))) else str(b) for b in df["breaks"]]
    df["date"] = [t.date() for t in df["start"]]
    return df.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)


def _apply_pseudonyms(df: pd.DataFrame, salt: str | None) -> pd.DataFrame:
    codes = pseudonyms(df["agent_id"], salt if salt is not None else secrets.token_hex(16))
    out = df.copy()
    out["agent_id"] = [codes[a] for a in df["agent_id"]]
    out["name"] = [f"Agent {codes[a]}" for a in df["agent_id"]]
    return out.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)


class _Shift:
    """One assignment as plain Python values (pandas row access is slow per row)."""

    __slots__ = ("agent_id", "name", "site", "skill_group", "shift_id", "start", "end", "paid_minutes",
                 "breaks", "breaks_parsed", "date")

    def __init__(self, **values):
        for key, value in values.items():
            setattr(self, key, value)


def _shifts(df: pd.DataFrame) -> list[_Shift]:
    columns = ("agent_id", "name", "site", "skill_group", "shift_id", "start", "end", "paid_minutes",
               "breaks", "breaks_parsed", "date")
    values = {c: df[c].tolist() for c in columns}
    values["paid_minutes"] = [int(m) for m in values["paid_minutes"]]
    return [_Shift(**dict(zip(columns, row))) for row in zip(*(values[c] for c in columns))]


def _by_agent(df: pd.DataFrame) -> list[tuple[str, list[_Shift]]]:
    """``[(agent_id, shifts in start order), ...]`` sorted by agent (df is sorted already)."""
    out: dict[str, list[_Shift]] = {}
    for shift in _shifts(df):
        out.setdefault(shift.agent_id, []).append(shift)
    return sorted(out.items())


#: The file of the iCalendar export that lists the unfilled slots (one event per shift left open).
UNFILLED_ICS = "unfilled-slots.ics"


def _unfilled_rows(unfilled: pd.DataFrame | None, tz: str) -> list[dict]:
    """The slots a roster left open, one dict per shift (``RosterResult.unfilled``: ``shift_id,
    skill_group, start, end, unfilled, reason``): ``shift_id, skill_group, date, start, end`` (ISO-8601),
    ``slots`` and ``reason``."""
    if unfilled is None or len(unfilled) == 0:
        return []
    missing = [c for c in ("shift_id", "start", "end", "unfilled") if c not in unfilled.columns]
    if missing:
        raise WfmInputError(f"unfilled: missing column(s) {', '.join(missing)}", parameter="unfilled")
    rows = []
    for rec in unfilled.to_dict("records"):
        start, end = pd.Timestamp(rec["start"]).tz_convert(tz), pd.Timestamp(rec["end"]).tz_convert(tz)
        rows.append({"shift_id": str(rec["shift_id"]), "skill_group": rec.get("skill_group") or None,
                     "date": start.date().isoformat(), "start": start.isoformat(), "end": end.isoformat(),
                     "slots": int(rec["unfilled"]), "reason": str(rec.get("reason") or "")})
    return sorted(rows, key=lambda r: (r["start"], r["shift_id"]))


def _csv_rows(df: pd.DataFrame) -> list[list]:
    return [[r.agent_id, r.name, r.site, r.skill_group, r.shift_id, r.date.isoformat(),
             r.start.isoformat(), r.end.isoformat(), r.paid_minutes, r.breaks] for r in _shifts(df)]


# --- writers ---------------------------------------------------------------------------

def write_roster_csv(df: pd.DataFrame, path: Path, unfilled: list[dict] = ()) -> Path:
    """The CSV: one row per assignment, then one row per unfilled slot (empty ``agent_id``, ``name``,
    ``site``, ``paid_minutes`` and ``breaks``)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for row in _csv_rows(df):
            writer.writerow(["" if v is None else neutralise_formula(v) for v in row])
        for u in unfilled:
            row = ["", "", "", u["skill_group"] or "", u["shift_id"], u["date"], u["start"], u["end"], "", ""]
            writer.writerows([[neutralise_formula(v) for v in row]] * u["slots"])
    return path


def roster_to_json(df: pd.DataFrame, tz: str, pseudonymised: bool, coverage: pd.DataFrame | None,
                   unfilled: list[dict] = ()) -> dict:
    agents = []
    for agent_id, group in _by_agent(df):
        first = group[0]
        shifts = [{
            "shift_id": r.shift_id, "date": r.date.isoformat(), "start": r.start.isoformat(),
            "end": r.end.isoformat(), "paid_minutes": r.paid_minutes,
            "breaks": [{"start": b.start.isoformat(), "minutes": b.minutes, "paid": b.paid} for b in r.breaks_parsed],
        } for r in group]
        agents.append({"agent_id": agent_id, "name": first.name, "site": first.site,
                       "skill_group": first.skill_group, "paid_minutes": sum(r.paid_minutes for r in group),
                       "shifts": shifts})
    out = {"schema": JSON_SCHEMA_ID, "timezone": tz,
           "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "pseudonymised": bool(pseudonymised), "agents": agents, "unfilled": list(unfilled)}
    if coverage is not None:
        out["coverage"] = [{k: _json_value(v) for k, v in row.items()}
                           for row in _coverage_text(_coverage_frame(coverage, df)).to_dict(orient="records")]
    return out


def _json_value(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _coverage_frame(coverage: pd.DataFrame, df: pd.DataFrame) -> pd.DataFrame:
    """The frame behind the Coverage sheet / JSON array.

    A requirement (``interval_start``, ``agents_required``, optionally per
    ``queue``; e.g. the requirement CSV) with neither ``agents_scheduled``
    nor ``agents_allocated`` becomes, per interval, the required agents
    summed over queues, the agents the roster schedules
    (:func:`optimiser.queueing.on_phone.agents_on_shift`) and ``difference`` = scheduled - required.  A
    frame that already has one of those columns (e.g. the scheduler's
    coverage) is written as given.
    """
    if not isinstance(coverage, pd.DataFrame):
        raise WfmInputError(f"coverage: must be a pandas DataFrame, got {type(coverage).__name__}")
    if "interval_start" not in coverage.columns:
        raise WfmInputError(f"coverage: needs column interval_start; got {', '.join(map(str, coverage.columns))}")
    if {"agents_scheduled", "agents_allocated"} & set(coverage.columns) or "agents_required" not in coverage.columns:
        return coverage
    if not isinstance(coverage["interval_start"].dtype, pd.DatetimeTZDtype):
        raise WfmInputError(f"coverage: column interval_start must hold tz-aware timestamps, "
                            f"got dtype {coverage['interval_start'].dtype}")
    required = pd.to_numeric(coverage["agents_required"], errors="coerce")
    if required.isna().any() or (required < 0).any():
        i = int(np.flatnonzero((required.isna() | (required < 0)).to_numpy())[0])
        raise WfmInputError(f"coverage: row {i}, column agents_required: must be a number >= 0, "
                            f"got {_show(coverage['agents_required'].iloc[i])}")
    total = required.groupby(coverage["interval_start"].dt.tz_convert(df["start"].dt.tz if len(df) else "UTC")).sum()
    starts = total.index
    interval_minutes = interval_minutes_of(coverage, what="coverage")
    out = pd.DataFrame({"interval_start": starts, "agents_required": total.to_numpy(dtype="float64")})
    on_shift = agents_on_shift(df, starts, interval_minutes, breaks_column="breaks_parsed")
    out["agents_scheduled"] = np.round(on_shift.to_numpy(), 6)
    out["difference"] = out["agents_scheduled"] - out["agents_required"]
    return out


def _coverage_text(coverage: pd.DataFrame) -> pd.DataFrame:
    """Coverage frame with timestamp columns as ISO-8601 text (validated)."""
    if not isinstance(coverage, pd.DataFrame):
        raise WfmInputError(f"coverage: must be a pandas DataFrame, got {type(coverage).__name__}")
    if "interval_start" not in coverage.columns:
        raise WfmInputError(f"coverage: needs column interval_start; got {', '.join(map(str, coverage.columns))}")
    out = coverage.reset_index(drop=True).copy()
    for column in out.columns:
        dtype = out[column].dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            out[column] = pd.Series([t.isoformat() for t in out[column]], dtype=object)
        elif pd.api.types.is_datetime64_dtype(dtype):
            raise WfmInputError(f"coverage: column {column} holds naive timestamps; make them tz-aware first")
        else:
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def write_roster_json(df: pd.DataFrame, path: Path, tz: str, pseudonymised: bool,
                      coverage: pd.DataFrame | None, unfilled: list[dict] = ()) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(roster_to_json(df, tz, pseudonymised, coverage, unfilled), handle, ensure_ascii=False, indent=1,
                  allow_nan=False)
        handle.write("\n")
    return path


#: Control characters an .xlsx cell cannot hold unchanged (XML forbids most; a
#: carriage return comes back as a line feed), refused instead of altered.
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b-\x1f]")


def _xlsx_text(value, where: str):
    if isinstance(value, str):
        match = _ILLEGAL_XLSX.search(value)
        if match:
            raise WfmInputError(f"{where}: text contains control character {match.group()!r} that an Excel "
                                f"workbook cannot hold unchanged, got {value!r}")
        if len(value) > 32767:
            raise WfmInputError(f"{where}: text longer than Excel's 32,767 characters ({len(value)})")
        return neutralise_formula(value)
    return value


class _Styles:
    """The workbook's few styles (openpyxl is imported only when a workbook is written)."""

    def __init__(self):
        from openpyxl.styles import Alignment, Font, PatternFill

        self.bold = Font(bold=True)
        self.header = PatternFill("solid", fgColor="DDE3EA")
        self.weekend = PatternFill("solid", fgColor="EDEDED")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.center = Alignment(horizontal="center")


def _put(ws, row, column, value, where):
    """A cell whose text is never a formula (see :func:`neutralise_formula`)."""
    cell = ws.cell(row=row, column=column, value=_xlsx_text(value, where))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula
    return cell


def _roster_sheet(ws, df: pd.DataFrame, style: _Styles) -> None:
    """One row per agent, one column per day, cells like ``07:00–16:00``; weekends shaded, header frozen."""
    from openpyxl.utils import get_column_letter

    ws.title = "Roster"
    days = [] if df.empty else [d.date() for d in pd.date_range(min(df["date"]), max(df["date"]), freq="D")]
    fixed = ["Agent ID", "Name", "Site", "Skill group", "Paid hours"]
    for j, title in enumerate(fixed, start=1):
        c = ws.cell(row=1, column=j, value=title)
        c.font, c.fill = style.bold, style.header
    for j, day in enumerate(days, start=len(fixed) + 1):
        c = ws.cell(row=1, column=j, value=f"{day:%a %Y-%m-%d}")
        c.font, c.fill, c.alignment = style.bold, (style.weekend if day.weekday() >= 5 else style.header), style.center
    day_col = {day: j for j, day in enumerate(days, start=len(fixed) + 1)}
    grid_widths = {j: 12 for j in day_col.values()}
    for i, (agent_id, group) in enumerate(_by_agent(df), start=2):
        first = group[0]
        where = f"Roster sheet, agent {agent_id!r}"
        for j, (column, value) in enumerate(zip(("agent_id", "name", "site", "skill_group"),
                                                (agent_id, first.name, first.site, first.skill_group)), start=1):
            _put(ws, i, j, value, f"{where}, column {column}")
        ws.cell(row=i, column=5, value=round(sum(r.paid_minutes for r in group) / 60.0, 2))
        cells: dict = {}
        for r in group:
            cells.setdefault(r.date, []).append(_hhmm(r.start, r.end))
        for day, texts in cells.items():
            c = ws.cell(row=i, column=day_col[day], value="\n".join(texts))
            c.alignment = style.wrap
            grid_widths[day_col[day]] = max(grid_widths[day_col[day]], max(len(t) for t in texts) + 2)
        for day, j in day_col.items():
            if day.weekday() >= 5:
                ws.cell(row=i, column=j).fill = style.weekend
    ws.freeze_panes = ws.cell(row=2, column=len(fixed) + 1)
    widths = {1: max([10] + [len(str(a)) + 2 for a in df["agent_id"]]),
              2: max([12] + [len(str(n)) + 2 for n in df["name"]]),
              3: max([8] + [len(str(s)) + 2 for s in df["site"] if s is not None]),
              4: max([12] + [len(str(s)) + 2 for s in df["skill_group"] if s is not None]), 5: 11}
    for j, w in {**widths, **grid_widths}.items():
        ws.column_dimensions[get_column_letter(j)].width = min(w, 60)


def _shifts_sheet(ws, df: pd.DataFrame, style: _Styles) -> None:
    """The CSV rows."""
    from openpyxl.utils import get_column_letter

    for j, title in enumerate(CSV_COLUMNS, start=1):
        c = ws.cell(row=1, column=j, value=title)
        c.font, c.fill = style.bold, style.header
    for i, row in enumerate(_csv_rows(df), start=2):
        for j, (column, value) in enumerate(zip(CSV_COLUMNS, row), start=1):
            _put(ws, i, j, value, f"Shifts sheet, row {i}, column {column}")
    ws.freeze_panes = "A2"
    for j, column in enumerate(CSV_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = {"start": 27, "end": 27, "breaks": 60,
                                                            "date": 12}.get(column, 14)


def _coverage_sheet(ws, df: pd.DataFrame, coverage: pd.DataFrame, style: _Styles) -> None:
    from openpyxl.utils import get_column_letter

    cov = _coverage_text(_coverage_frame(coverage, df))
    for j, column in enumerate(cov.columns, start=1):
        c = _put(ws, 1, j, str(column), f"Coverage sheet, header {column!r}")
        c.font, c.fill = style.bold, style.header
        ws.column_dimensions[get_column_letter(j)].width = 27 if column == "interval_start" else 18
    for i, values in enumerate(cov.itertuples(index=False, name=None), start=2):
        for j, (column, value) in enumerate(zip(cov.columns, values), start=1):
            _put(ws, i, j, _json_value(value), f"Coverage sheet, row {i}, column {column}")
    ws.freeze_panes = "B2"


def _about_sheet(ws, df: pd.DataFrame, tz: str, pseudonymised: bool, style: _Styles) -> None:
    for i, (key, value) in enumerate([
        ("Time zone", tz), ("Generated at (UTC)", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")),
        ("Pseudonymised", "yes" if pseudonymised else "no"),
        ("Agents", int(df["agent_id"].nunique())), ("Shifts", int(len(df))),
        ("Note", "Text starting with = + - @ is shown with a leading ' so it is never run as a formula."),
    ], start=1):
        ws.cell(row=i, column=1, value=key).font = style.bold
        ws.cell(row=i, column=2, value=value)
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 80


def _unfilled_sheet(ws, unfilled: list[dict], style: _Styles) -> None:
    titles = ("Shift", "Skill group", "Date", "Start", "End", "Slots", "Reason")
    for j, title in enumerate(titles, start=1):
        c = ws.cell(row=1, column=j, value=title)
        c.font, c.fill = style.bold, style.header
    for i, u in enumerate(unfilled, start=2):
        for j, key in enumerate(("shift_id", "skill_group", "date", "start", "end", "slots", "reason"), start=1):
            _put(ws, i, j, u[key], f"Unfilled sheet, row {i}, column {titles[j - 1]}")
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDEFG", (14, 14, 12, 27, 27, 7, 60)):
        ws.column_dimensions[letter].width = width


def write_roster_xlsx(df: pd.DataFrame, path: Path, tz: str, pseudonymised: bool,
                      coverage: pd.DataFrame | None, unfilled: list[dict] = ()) -> Path:
    """The workbook: sheets Roster, Shifts, Unfilled (when slots were left open), Coverage (when
    ``coverage`` is given) and About."""
    from openpyxl import Workbook

    style = _Styles()
    wb = Workbook()
    _roster_sheet(wb.active, df, style)
    _shifts_sheet(wb.create_sheet("Shifts"), df, style)
    if unfilled:
        _unfilled_sheet(wb.create_sheet("Unfilled"), list(unfilled), style)
    if coverage is not None:
        _coverage_sheet(wb.create_sheet("Coverage"), df, coverage, style)
    _about_sheet(wb.create_sheet("About"), df, tz, pseudonymised, style)
    wb.save(path)
    return path


_SAFE_FILE = re.compile(r"[^A-Za-z0-9._-]")


def _one_line(text) -> str:
    """Text for a one-line calendar property: line breaks and other control characters as spaces."""
    return " ".join("".join(" " if ord(c) < 32 or c == "\x7f" else c for c in str(text)).split())


def _unfilled_calendar(unfilled: list[dict], vtimezone, zone, stamp) -> bytes:
    """One calendar with an event per shift left open (the planner's list of slots to fill)."""
    import icalendar

    cal = icalendar.Calendar()
    for key, value in (("prodid", "-//wfm//roster export//EN"), ("version", "2.0"), ("calscale", "GREGORIAN"),
                       ("method", "PUBLISH"), ("x-wr-calname", "Unfilled slots")):
        cal.add(key, value)
    if vtimezone is not None:
        cal.add_component(vtimezone)
    for u in unfilled:
        start, end = pd.Timestamp(u["start"]), pd.Timestamp(u["end"])
        event = icalendar.Event()
        uid_key = f"unfilled|{u['shift_id']}|{start.tz_convert('UTC').isoformat()}"
        event.add("uid", hashlib.sha256(uid_key.encode("utf-8")).hexdigest()[:32] + "@wfm-roster")
        event.add("dtstamp", stamp)
        event.add("dtstart", start.to_pydatetime().astimezone(zone))
        event.add("dtend", end.to_pydatetime().astimezone(zone))
        event.add("summary", f"UNFILLED: {u['slots']} slot(s), shift {_one_line(u['shift_id'])}")
        event.add("description", _one_line(f"skill group {u['skill_group'] or '-'}: {u['reason']}"))
        cal.add_component(event)
    return cal.to_ical()


def write_roster_ics(df: pd.DataFrame, directory: Path, tz: str, unfilled: list[dict] = ()) -> list[Path]:
    import icalendar

    zone = _zone(tz)
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    files: dict[str, str] = {}
    for agent_id in sorted(df["agent_id"].unique()):  # check every name before writing any file
        file_name = _SAFE_FILE.sub("_", agent_id) + ".ics"
        if file_name.lower() in files:
            raise WfmInputError(f"agent_id {agent_id!r} and {files[file_name.lower()]!r} map to the same "
                                f"calendar file name {file_name!r}")
        files[file_name.lower()] = agent_id
    if unfilled and UNFILLED_ICS in files:
        raise WfmInputError(f"agent_id {files[UNFILLED_ICS]!r} maps to {UNFILLED_ICS!r}, the file of the unfilled "
                            "slots; rename the agent")
    calendars: dict[Path, bytes] = {}  # every calendar built before any file is written: no partial folder
    vtimezone = None
    if len(df) or unfilled:
        first = min(([df["start"].min()] if len(df) else []) + [pd.Timestamp(u["start"]) for u in unfilled])
        last = max(([df["end"].max()] if len(df) else []) + [pd.Timestamp(u["end"]) for u in unfilled])
        # One VTIMEZONE (from zoneinfo) covering a year either side of all shifts, shared by every file.
        vtimezone = icalendar.Timezone.from_tzinfo(
            zone, tzid=tz, first_date=(first.to_pydatetime() - dt.timedelta(days=366)).date(),
            last_date=(last.to_pydatetime() + dt.timedelta(days=366)).date())
    for agent_id, group in _by_agent(df):
        file_name = _SAFE_FILE.sub("_", agent_id) + ".ics"
        cal = icalendar.Calendar()
        cal.add("prodid", "-//wfm//roster export//EN")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", f"Roster {_one_line(group[0].name)}")
        cal.add("x-wr-timezone", tz)
        cal.add_component(vtimezone)
        for r in group:
            event = icalendar.Event()
            start_utc = r.start.tz_convert("UTC")
            uid_key = f"{agent_id}|{r.shift_id}|{start_utc.isoformat()}"
            event.add("uid", hashlib.sha256(uid_key.encode("utf-8")).hexdigest()[:32] + "@wfm-roster")
            event.add("dtstamp", stamp)
            event.add("dtstart", r.start.to_pydatetime().astimezone(zone))
            event.add("dtend", r.end.to_pydatetime().astimezone(zone))
            where = f" ({_one_line(r.site)})" if r.site else ""
            event.add("summary", f"Shift {_hhmm(r.start, r.end)}{where}")
            lines = [f"Shift {_one_line(r.shift_id)}, skill group {_one_line(r.skill_group or '-')}, "
                     f"paid {r.paid_minutes} min"]
            for b in sorted(r.breaks_parsed):
                lines.append(f"Break {b.start:%H:%M}{EN_DASH}{b.end:%H:%M} ({b.minutes} min, "
                             f"{'paid' if b.paid else 'unpaid'})")
            event.add("description", "\n".join(lines))
            event.add("categories", ["Work"])
            event.add("transp", "OPAQUE")
            cal.add_component(event)
        calendars[directory / file_name] = cal.to_ical()
    if unfilled:
        calendars[directory / UNFILLED_ICS] = _unfilled_calendar(list(unfilled), vtimezone, zone, stamp)
    directory.mkdir(parents=True, exist_ok=True)
    for path, data in calendars.items():
        path.write_bytes(data)
    return list(calendars)


def export_roster(assignments: pd.DataFrame, path, *, coverage: pd.DataFrame | None = None,
                  pseudonymise: bool = False, tz: str = DEFAULT_TZ, salt: str | None = None,
                  unfilled: pd.DataFrame | None = None):
    """Write the roster to ``path``; the format follows its suffix.

    Parameters
    ----------
    assignments : pandas.DataFrame
        ``agent_id, name, site, skill_group, shift_id, start, end,
        paid_minutes, breaks`` (``start``/``end`` tz-aware).
    path : path-like
        ``*.csv``, ``*.xlsx``, ``*.json``, or a directory (no suffix, or an
        existing directory) for one ``.ics`` per agent.
    coverage : pandas.DataFrame, optional
        Written to the XLSX ``Coverage`` sheet and the JSON ``coverage``
        array.  Either a coverage frame (``interval_start`` plus e.g.
        ``queue``, ``agents_required``, ``agents_allocated`` or
        ``agents_scheduled``), written as given, or a requirement
        (``interval_start``, ``agents_required``[, ``queue``]), turned into
        scheduled vs required per interval (see :func:`optimiser.queueing.on_phone.agents_on_shift`).
    pseudonymise : bool, default False
        Replace ``agent_id`` and ``name`` by salted-hash pseudonyms.
    tz : str, default :data:`~wfm.ground.vocabulary.DEFAULT_TZ`
        Zone of the local times written.
    salt : str, optional
        Pseudonym salt; default a random one per export.
    unfilled : pandas.DataFrame, optional
        The slots left open (``RosterResult.unfilled``: ``shift_id, skill_group, start, end, unfilled,
        reason``), listed in every format: CSV rows with an empty ``agent_id`` (one per slot), the
        JSON ``unfilled`` array, the XLSX ``Unfilled`` sheet, the calendar :data:`UNFILLED_ICS`.  A roster
        in which nobody could be placed is still written, listing every slot.

    Returns
    -------
    pathlib.Path or list of pathlib.Path
        The file written, or the ``.ics`` files for a directory.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".json") and not (suffix == "" or path.is_dir()):
        raise WfmInputError(f"roster output {path}: unknown format {path.suffix!r}; use .csv, .xlsx, .json "
                            f"or a directory (one .ics file per agent)")
    df = validate_assignments(assignments, tz)
    open_slots = _unfilled_rows(unfilled, tz)
    if pseudonymise:
        df = _apply_pseudonyms(df, salt)
    if suffix == ".csv":
        return write_roster_csv(df, path, open_slots)
    if suffix == ".json":
        return write_roster_json(df, path, tz, pseudonymise, coverage, open_slots)
    if suffix == ".xlsx":
        return write_roster_xlsx(df, path, tz, pseudonymise, coverage, open_slots)
    return write_roster_ics(df, path, tz, open_slots)


def read_roster_csv(source, tz: str = DEFAULT_TZ, *, name: str | None = None) -> pd.DataFrame:
    """Read a roster CSV (the layout of the ``.csv`` export, :data:`CSV_COLUMNS`) back into assignments.

    Parameters
    ----------
    source : path-like or file object
    tz : str
        Zone the times are converted to.
    name : str, optional
        How messages name the file (default its path or name).

    Returns
    -------
    pandas.DataFrame
        :data:`ROSTER_COLUMNS` (then any other columns but ``date``), ``start``/``end`` tz-aware,
        ``paid_minutes`` int64, empty ``site``/``skill_group`` as None; every row checked as
        :func:`validate_assignments` checks it.  Rows of unfilled slots (empty ``agent_id`` and
        ``name``, as :func:`export_roster` writes them) are not assignments: they are counted in
        ``attrs["unfilled_slots"]``.
    """
    label = name or source_name(source, "roster")
    text_columns = ("agent_id", "name", "site", "skill_group", "shift_id", "breaks")
    df = read_csv(source, "roster", label, dtype={c: str for c in text_columns}, keep_default_na=False)
    missing = [c for c in ROSTER_COLUMNS if c not in df.columns]
    if missing:
        raise WfmInputError(f"{label}: missing column(s) {', '.join(missing)}; expected {', '.join(ROSTER_COLUMNS)}")
    open_slot = ((df["agent_id"] == "") & (df["name"] == "")).to_numpy()  # rows of unfilled slots (the writer's)
    unfilled_slots = int(open_slot.sum())
    file_rows = [int(i) + 2 for i in np.flatnonzero(~open_slot)]  # the header is row 1
    df = df.loc[~open_slot].reset_index(drop=True)
    for column in ("start", "end"):
        df[column] = parse_offset_timestamps(df[column], tz, label, column)
    for column in ("site", "skill_group"):
        df[column] = df[column].astype(object).where(df[column] != "", None)
    validate_assignments(df, tz, source=label, rows=file_rows)  # raises on bad rows, naming the file's row
    df["paid_minutes"] = pd.to_numeric(df["paid_minutes"]).astype("int64")
    df.attrs["unfilled_slots"] = unfilled_slots
    return df.loc[:, list(ROSTER_COLUMNS) + [c for c in df.columns if c not in ROSTER_COLUMNS and c != "date"]]


#: Download formats of :func:`roster_file_bytes` and their file names.
DOWNLOADS: dict[str, str] = {"csv": "roster.csv", "xlsx": "roster.xlsx", "json": "roster.json", "ics": "roster-ics.zip"}


def roster_file_bytes(assignments: pd.DataFrame, fmt: str, *, coverage: pd.DataFrame | None = None,
                      pseudonymise: bool = False, tz: str = DEFAULT_TZ) -> bytes:
    """The roster export in ``fmt`` (``csv``, ``xlsx``, ``json`` or ``ics`` = a zip of one .ics per agent)."""
    if fmt not in DOWNLOADS:
        raise WfmInputError(f"fmt must be one of {', '.join(DOWNLOADS)}, got {fmt!r}", parameter="fmt")
    with tempfile.TemporaryDirectory() as tmp:
        if fmt == "ics":
            folder = Path(tmp) / "ics"
            files = export_roster(assignments, folder, pseudonymise=pseudonymise, tz=tz)
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in sorted(files):
                    zf.write(f, arcname=Path(f).name)
            return buf.getvalue()
        target = Path(tmp) / DOWNLOADS[fmt]
        export_roster(assignments, target, coverage=coverage, pseudonymise=pseudonymise, tz=tz)
        return target.read_bytes()
