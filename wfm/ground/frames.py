"""Frame contracts: the columns of the long frames that flow between stages, and their checks.

A stage checks a frame at its door with one of these, so every stage refuses the same bad
frame with the same words.  Files are read (and their rows named) by ``wfm.io``; these checks
are about frames already in memory, and name the frame (``what``) and the row position.

* history -- :data:`HISTORY_COLUMNS`, :func:`check_history` (``wfm.io.history`` reads files);
* forecast -- :data:`FORECAST_COLUMNS`, :func:`check_forecast` (``wfm.io.forecast``);
* schedule and roster -- :data:`SCHEDULE_COLUMNS`, :data:`ROSTER_COLUMNS` and their ``breaks`` cell
  notation: the :class:`Break` type, :func:`parse_breaks`, :func:`format_breaks` (``wfm.io.schedule``,
  ``wfm.io.roster`` read and write the files).
* events -- :data:`EVENT_COLUMNS`, :func:`check_events` (``wfm.io.events``).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import parse_offset_timestamps
from wfm.ground.vocabulary import DEFAULT_TZ, EVENT_KINDS

__all__ = [
    "BREAK_NOTATION",
    "Break",
    "EVENT_COLUMNS",
    "FORECAST_BOUND_COLUMNS",
    "FORECAST_COLUMNS",
    "FORECAST_DAY_RATIO_COLUMN",
    "FORECAST_OPTIONAL_COLUMNS",
    "FORECAST_REQUIRED_COLUMNS",
    "HISTORY_COLUMNS",
    "HISTORY_COUNT_COLUMNS",
    "HISTORY_REQUIRED_COLUMNS",
    "HISTORY_SECONDS_COLUMNS",
    "MAX_AGENTS",
    "MAX_CALLS_PER_INTERVAL",
    "MAX_DURATION_SECONDS",
    "ROSTER_COLUMNS",
    "SCHEDULE_COLUMNS",
    "check_events",
    "check_forecast",
    "check_history",
    "format_breaks",
    "parse_breaks",
    "REQUIREMENT_NUMERIC_COLUMNS",
    "REQUIREMENT_REQUIRED_COLUMNS",
    "require_columns",
    "require_tz_aware",
    "validate_requirement",
]

# --------------------------------------------------------------------------- history
#: Columns of the canonical history frame, in order (``docs/history_format.md``).
HISTORY_COLUMNS: tuple[str, ...] = (
    "interval_start",
    "queue",
    "calls_offered",
    "calls_answered",
    "calls_abandoned",
    "aht_seconds",
    "asa_seconds",
    "callbacks_accepted",
    "calls_answered_within_target",
)
#: Columns every history has.
HISTORY_REQUIRED_COLUMNS: tuple[str, ...] = ("interval_start", "queue", "calls_offered")
#: Whole-number count columns of a history [calls].
HISTORY_COUNT_COLUMNS: tuple[str, ...] = ("calls_offered", "calls_answered", "calls_abandoned", "callbacks_accepted",
                                          "calls_answered_within_target")
#: Duration columns of a history [seconds].
HISTORY_SECONDS_COLUMNS: tuple[str, ...] = ("aht_seconds", "asa_seconds")
#: Longest handle time or wait taken as real [seconds]: a day.  An average above it is a unit or typing
#: error (1e308 once gave a forecast of ``inf``), refused where it is read.
MAX_DURATION_SECONDS = 86_400
#: Most calls offered in one interval of a forecast taken as real [calls] (a national number's busiest
#: quarter-hour holds a few hundred); more is a typing or unit error, refused by name.
MAX_CALLS_PER_INTERVAL = 1_000_000
#: Most agents asked for in one interval [agents]: the staffing search's ceiling, and a requirement's.
MAX_AGENTS = 200_000

# --------------------------------------------------------------------------- forecast
#: Bound columns of a forecast: 80 % (p10, p90) and 95 % (p025, p975) prediction intervals [calls].
FORECAST_BOUND_COLUMNS: tuple[str, ...] = ("calls_offered_p10", "calls_offered_p90",
                                           "calls_offered_p025", "calls_offered_p975")
#: Columns of the forecast frame and CSV, in order (a public contract, ``docs/forecasting_pipeline.md``).
FORECAST_COLUMNS: tuple[str, ...] = ("interval_start", "queue", "calls_offered", *FORECAST_BOUND_COLUMNS,
                                     "aht_seconds", "model")
#: Optional forecast column, after ``model`` when present: the 90th percentile of a day's actual calls
#: over its forecast calls in ``auto``'s backtest, per queue [ratio] -- the calibrated day-level band
#: the risk uses (``optimiser.analysis.risk``), instead of one implied by the interval bands.
FORECAST_DAY_RATIO_COLUMN = "day_calls_p90_ratio"
FORECAST_OPTIONAL_COLUMNS: tuple[str, ...] = (FORECAST_DAY_RATIO_COLUMN,)
#: Columns a forecast must have to be staffed.
FORECAST_REQUIRED_COLUMNS: tuple[str, ...] = ("interval_start", "queue", "calls_offered", "aht_seconds")


# --------------------------------------------------------------------------- events
#: Columns of the events frame and file, in order: local calendar dates ``date`` to ``end_date``
#: (inclusive), the event's ``name`` (one regressor per name) and its ``kind`` (:data:`EVENT_KINDS`).
EVENT_COLUMNS: tuple[str, ...] = ("date", "end_date", "name", "kind")


# --------------------------------------------------------------------------- checks
def require_columns(frame, columns, *, what: str) -> None:
    """Refuse anything but a DataFrame holding every column of ``columns``."""
    if not isinstance(frame, pd.DataFrame):
        raise WfmInputError(f"{what}: must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        verb = "column {} is".format(names) if len(missing) == 1 else "columns {} are".format(names)
        raise WfmInputError(f"{what}: required {verb} missing (columns: {', '.join(map(str, frame.columns))})")


def require_tz_aware(frame: pd.DataFrame, column: str, *, what: str) -> None:
    """Refuse a timestamp column that is not tz-aware."""
    if not isinstance(frame[column].dtype, pd.DatetimeTZDtype):
        raise WfmInputError(f"{what}: column {column!r} must be tz-aware timestamps (e.g. {DEFAULT_TZ}), "
                            f"got dtype {frame[column].dtype}")


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _shown(value) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _cell_error(what: str, row: int, column: str, rule: str, value) -> WfmInputError:
    return WfmInputError(f"{what}: row {row}, column {column}: {rule}, got {_shown(value)}")


def _require_counts(frame: pd.DataFrame, column: str, *, what: str, row_offset: int) -> None:
    """Finite numbers >= 0; the first bad row named by its rule (number, finite, >= 0)."""
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    for bad, rule in ((np.isnan(values), "must be a number"), (np.isinf(values), "must be finite"),
                      (values < 0, "must be >= 0")):
        if bad.any():
            i = _first(bad)
            raise _cell_error(what, i + row_offset, column, rule, raw.iloc[i])


def _require_unique(frame: pd.DataFrame, keys: list[str], *, what: str, row_offset: int) -> None:
    dup = frame.duplicated(keys).to_numpy()
    if dup.any():
        i = _first(dup)
        shown = ", ".join(f"{k} {frame[k].iloc[i]}" for k in keys)
        raise WfmInputError(f"{what}: row {i + row_offset}: duplicate interval ({shown}); one row per interval "
                            "and queue")


def check_history(frame, *, what: str = "history", one_queue: bool = False, row_offset: int = 0) -> None:
    """Check a history frame in memory: the contract a stage relies on.

    Rules: a DataFrame with ``interval_start`` (tz-aware) and ``calls_offered`` (finite, >= 0);
    a ``queue`` column (optional when ``one_queue``, then it may hold one queue at most); at
    least one row; no two rows for the same queue and interval.

    Raises
    ------
    WfmInputError
        Naming ``what``, the row (its position plus ``row_offset``: 2 for the rows of a file
        with a header), the column and the value of the first rule broken.
    """
    required = [c for c in HISTORY_REQUIRED_COLUMNS if not (one_queue and c == "queue")]
    require_columns(frame, required, what=what)
    if len(frame) == 0:
        raise WfmInputError(f"{what}: no rows")
    if one_queue and "queue" in frame.columns:
        queues = pd.unique(frame["queue"].astype(str))
        if len(queues) > 1:
            raise WfmInputError(f"{what}: must hold ONE queue, got {len(queues)}: {list(queues)[:5]} "
                                "(fit one model per queue)")
    require_tz_aware(frame, "interval_start", what=what)
    _require_counts(frame, "calls_offered", what=what, row_offset=row_offset)
    keys = ["queue", "interval_start"] if "queue" in frame.columns else ["interval_start"]
    _require_unique(frame, keys, what=what, row_offset=row_offset)


def check_forecast(frame, *, what: str = "forecast", row_offset: int = 0, need_aht: bool = True) -> None:
    """Check a forecast frame in memory (:data:`FORECAST_REQUIRED_COLUMNS` at least).

    Rules: tz-aware ``interval_start``; ``calls_offered`` finite and >= 0; ``aht_seconds`` > 0
    and at most :data:`MAX_DURATION_SECONDS` where calls are offered (it may be empty where none are; with ``need_aht=False`` -- a
    calls-only forecast, which cannot be staffed yet -- it may be empty anywhere); at least one
    row; one row per queue and interval.  Rows are named by position plus ``row_offset``.
    """
    require_columns(frame, FORECAST_REQUIRED_COLUMNS, what=what)
    if len(frame) == 0:
        raise WfmInputError(f"{what}: no rows")
    require_tz_aware(frame, "interval_start", what=what)
    _require_counts(frame, "calls_offered", what=what, row_offset=row_offset)
    calls = pd.to_numeric(frame["calls_offered"], errors="coerce").to_numpy(dtype="float64")
    bad = calls > MAX_CALLS_PER_INTERVAL
    if bad.any():
        i = _first(bad)
        raise _cell_error(what, i + row_offset, "calls_offered", f"must be at most {MAX_CALLS_PER_INTERVAL:,} calls "
                          "in one interval", frame["calls_offered"].iloc[i])
    aht = pd.to_numeric(frame["aht_seconds"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = (np.isnan(aht) & (calls > 0) & need_aht) | (aht <= 0) | np.isinf(aht)
    if bad.any():
        i = _first(bad)
        raise _cell_error(what, i + row_offset, "aht_seconds", "must be > 0 where calls are offered",
                          frame["aht_seconds"].iloc[i])
    bad = aht > MAX_DURATION_SECONDS
    if bad.any():
        i = _first(bad)
        raise _cell_error(what, i + row_offset, "aht_seconds", f"must be at most {MAX_DURATION_SECONDS:,} "
                          "seconds (a day)", frame["aht_seconds"].iloc[i])
    _require_unique(frame, ["queue", "interval_start"], what=what, row_offset=row_offset)


def check_events(frame, *, what: str = "events") -> None:
    """Check an events frame in memory (as ``wfm.io.events.read_events`` returns it).

    Rules: :data:`EVENT_COLUMNS`; ``date`` and ``end_date`` tz-naive ``datetime64`` local dates with
    ``end_date >= date``; ``name`` not empty; ``kind`` one of :data:`EVENT_KINDS`.
    """
    require_columns(frame, EVENT_COLUMNS, what=what)
    for column in ("date", "end_date"):
        dtype = frame[column].dtype
        if not pd.api.types.is_datetime64_dtype(dtype) or isinstance(dtype, pd.DatetimeTZDtype):
            raise WfmInputError(f"{what}: column {column!r} must hold local calendar dates (tz-naive datetime64), "
                                f"got dtype {dtype}; read an events file with its reader")
    bad = (frame["date"].isna() | frame["end_date"].isna() | (frame["end_date"] < frame["date"])).to_numpy()
    if bad.any():
        i = _first(bad)
        raise WfmInputError(f"{what}: row {i} ({frame['name'].iloc[i]!r}) needs a date and an end_date on or after "
                            f"it, got {frame['date'].iloc[i]} to {frame['end_date'].iloc[i]}")
    names = frame["name"].astype(str).str.strip()
    bad = (names == "").to_numpy() | ~frame["kind"].isin(EVENT_KINDS).to_numpy()
    if bad.any():
        i = _first(bad)
        raise WfmInputError(f"{what}: row {i} needs a name and a kind among {', '.join(EVENT_KINDS)}, "
                            f"got name {frame['name'].iloc[i]!r}, kind {frame['kind'].iloc[i]!r}")


# ============================================================================================
# Schedule and roster frames (scheduling, rostering, their files)
# ============================================================================================

#: The schedule: one row per distinct shift (``wfm schedule``'s CSV, ``ScheduleResult.shifts``).
SCHEDULE_COLUMNS: tuple[str, ...] = ("shift_id", "template", "skill_group", "start", "end", "count",
                                     "paid_minutes", "breaks")
#: A roster: one row per agent and shift (``RosterResult.assignments``, the roster exports' input).
ROSTER_COLUMNS: tuple[str, ...] = ("agent_id", "name", "site", "skill_group", "shift_id", "start", "end",
                                   "paid_minutes", "breaks")
#: How a break is written in the ``breaks`` column (several joined by ``;``).
BREAK_NOTATION = "START/MINUTES/paid|unpaid"


@dataclass(frozen=True, order=True)
class Break:
    """One break inside a shift.

    Attributes
    ----------
    start : pandas.Timestamp
        When the break starts, tz-aware.
    minutes : int
        Its length [min], > 0.
    paid : bool
        Paid breaks count as working time in ``paid_minutes``; unpaid ones do not.

    The ``breaks`` column of the schedule and roster frames holds the text form (:meth:`text`,
    joined by ``;`` in :func:`format_breaks`), because those frames are also the files, the plan
    store's payload and what a page shows; code that works with breaks reads them once with
    :func:`parse_breaks` and uses these objects.
    """

    start: pd.Timestamp
    minutes: int
    paid: bool

    def __post_init__(self):
        if not isinstance(self.start, pd.Timestamp) or self.start.tzinfo is None:
            raise WfmInputError(f"a break start must be a tz-aware timestamp, got {self.start!r}")
        if isinstance(self.minutes, bool) or not isinstance(self.minutes, (int, np.integer)) or self.minutes < 1:
            raise WfmInputError(f"a break must last a whole number of minutes >= 1, got {self.minutes!r}")
        if type(self.minutes) is not int:
            object.__setattr__(self, "minutes", int(self.minutes))
        if type(self.paid) is not bool:
            object.__setattr__(self, "paid", bool(self.paid))

    @functools.cached_property
    def end(self) -> pd.Timestamp:
        """When the break ends (exclusive); computed once (tz-aware arithmetic is slow)."""
        return self.start + dt.timedelta(minutes=self.minutes)

    def text(self) -> str:
        """``2025-01-06T11:30:00+01:00/30/unpaid``: the break in the ``breaks`` column notation."""
        return f"{self.start.isoformat()}/{self.minutes}/{'paid' if self.paid else 'unpaid'}"

    def in_zone(self, tz: str) -> "Break":
        """The same break with its start shown in zone ``tz``."""
        return Break(self.start.tz_convert(tz), self.minutes, self.paid)

    def moved_to(self, start: pd.Timestamp) -> "Break":
        """The same break starting at ``start`` (e.g. the same wall time a week later)."""
        return Break(start, self.minutes, self.paid)


def _is_empty(text) -> bool:
    return text is None or (isinstance(text, float) and math.isnan(text)) or str(text).strip() == ""


def parse_breaks(text, tz: str = DEFAULT_TZ, where: str = "breaks") -> tuple[Break, ...]:
    """Read the ``breaks`` column notation (``START/MINUTES/paid|unpaid;...``) into breaks.

    Parameters
    ----------
    text : str or None
        The cell; empty (or None / NaN) means no breaks.
    tz : str
        Zone the starts are converted to.
    where : str
        Names the cell in messages (``"schedule.csv: row 5, column breaks"``).

    Returns
    -------
    tuple of Break
        In the order written.

    Raises
    ------
    WfmInputError
        A part that is not ``START/MINUTES/paid|unpaid``, a start without a UTC offset, or a
        length that is not a whole number of minutes >= 1.
    """
    if _is_empty(text):
        return ()
    out = []
    for part in str(text).split(";"):
        pieces = part.split("/")
        if len(pieces) != 3 or pieces[2] not in ("paid", "unpaid"):
            raise WfmInputError(f"{where}: a break must be {BREAK_NOTATION}, got {part!r}")
        try:
            start = pd.Timestamp(pieces[0])
            minutes = int(pieces[1])
        except ValueError as exc:
            raise WfmInputError(f"{where}: a break must be {BREAK_NOTATION}, got {part!r}") from exc
        if start is pd.NaT or start.tzinfo is None:
            raise WfmInputError(f"{where}: break start must carry a UTC offset, got {pieces[0]!r}")
        if minutes < 1:
            raise WfmInputError(f"{where}: a break must last at least 1 minute, got {part!r}")
        out.append(Break(start.tz_convert(tz), minutes, pieces[2] == "paid"))
    return tuple(out)


def format_breaks(breaks: Iterable[Break]) -> str:
    """The ``breaks`` column notation of ``breaks`` (inverse of :func:`parse_breaks`)."""
    return ";".join(b.text() for b in breaks)


# ============================================================================================
# Requirement frame (staffing -> scheduling; the requirement CSV)
# ============================================================================================

#: Columns every requirement has: agents to schedule per queue and interval.
REQUIREMENT_REQUIRED_COLUMNS: tuple[str, ...] = ("interval_start", "queue", "agents_required")
#: Optional numeric columns a requirement may carry (the service-level curves need the first two).
REQUIREMENT_NUMERIC_COLUMNS: tuple[str, ...] = ("calls_offered", "aht_seconds", "agents_required_fractional",
                                                "shrinkage", "answer_within_seconds", "patience_seconds",
                                                "target_service_level")


def validate_requirement(df: pd.DataFrame, tz: str = DEFAULT_TZ, source: str = "requirement") -> pd.DataFrame:
    """Check and normalise a requirement frame.

    ``interval_start`` becomes tz-aware in ``tz`` (text must carry a UTC offset; naive timestamps
    are refused), ``queue`` text, the numeric columns float64 (finite, >= 0; ``agents_required``
    present on every row); one row per (queue, interval_start).  Rows are named as in the CSV
    (header = row 1).

    Returns
    -------
    pandas.DataFrame
        A copy sorted by queue and interval_start.

    Raises
    ------
    WfmInputError
        Naming ``source``, the row, the column, the rule and the value.
    """
    missing = [c for c in REQUIREMENT_REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise WfmInputError(
            f"{source}: missing required column(s) {', '.join(missing)}; a requirement needs "
            f"{', '.join(REQUIREMENT_REQUIRED_COLUMNS)} (found {', '.join(map(str, df.columns))})")
    df = df.copy()
    if isinstance(df["interval_start"].dtype, pd.DatetimeTZDtype):
        df["interval_start"] = df["interval_start"].dt.tz_convert(tz)
    elif pd.api.types.is_datetime64_any_dtype(df["interval_start"]):
        raise WfmInputError(f"{source}: column interval_start must be tz-aware, got naive timestamps")
    else:
        df["interval_start"] = parse_offset_timestamps(df["interval_start"], tz, source, "interval_start")
    df["queue"] = df["queue"].astype(str)
    for column in ("agents_required",) + REQUIREMENT_NUMERIC_COLUMNS:
        if column not in df.columns:
            continue
        values = pd.to_numeric(df[column], errors="coerce")
        bad = (values.isna() & df[column].notna()) | ~np.isfinite(values.fillna(0)) | (values < 0)
        if column == "agents_required":
            bad |= values.isna()
        if bad.any():
            i = _first(bad)
            raise WfmInputError(
                f"{source}: row {i + 2}, column {column}: must be a finite number >= 0, got {df[column].iloc[i]!r}")
        if column == "agents_required" and (values > MAX_AGENTS).any():
            i = _first(values > MAX_AGENTS)
            raise WfmInputError(f"{source}: row {i + 2}, column {column}: must be at most {MAX_AGENTS:,} agents, "
                                f"got {df[column].iloc[i]!r}")
        df[column] = values.astype("float64")
    dup = df.duplicated(["queue", "interval_start"])
    if dup.any():
        i = _first(dup)
        raise WfmInputError(f"{source}: row {i + 2}: duplicate (queue, interval_start) = "
                            f"({df['queue'].iloc[i]}, {df['interval_start'].iloc[i].isoformat()})")
    return df.sort_values(["queue", "interval_start"], ignore_index=True)
