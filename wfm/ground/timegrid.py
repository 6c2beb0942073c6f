"""The time grid every stage shares: interval length, timestamps, slots of the week.

One rule each, used by the importer, the models, staffing, the store and the app alike.

**Interval length** (:func:`infer_interval_minutes`, :func:`interval_minutes_of`).  The
interval length of a series of interval starts is the *most common* positive step between
consecutive starts of the same queue, measured in absolute time (so a daylight-saving change
is not a step); a tie goes to the shorter step; every queue of one frame must agree.  A length
declared with the data (``frame.attrs["interval_minutes"]``, a mapping file, a store's meta) is
used when given.  Why the most common step and not the smallest: one stray row (a 09:15 row in
a half-hourly export, a manual correction at 09:07) must not turn a whole history into a finer
grid on which most slots never have a row -- the stray row is refused, by name, where the grid
is checked (:func:`first_off_grid`) -- and gaps from closed hours or missing rows are multiples
of the interval, so they never outvote it.  On a regular series the rule equals the smallest
step.

**Timestamps in files** (:func:`parse_offset_timestamps`, :func:`format_offset_timestamps`).
Files the product writes carry ISO-8601 local times *with their UTC offset*
(``2024-03-31T03:00:00+02:00``), so a repeated fall-back hour is never ambiguous; a timestamp
without an offset is refused by the readers of those files.  (The history importer also reads
naive local times, resolving the DST hours itself; see ``wfm.io.history``.)

**Slots of the week** (:func:`local_wallclock`, :func:`minute_of_week`, :func:`slot_of_week`).
A slot is a (weekday, time of day) position of the *local* wall clock, Monday 00:00 first; the
same slot on a DST day keeps its clock time.

References
----------
.. [1] ISO 8601-1:2019, Date and time -- Representations for information interchange,
   section 4.3.13 (UTC offsets).
.. [2] IANA Time Zone Database, https://www.iana.org/time-zones.
"""

from __future__ import annotations

import zoneinfo

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DAYS_PER_WEEK, DEFAULT_TZ, MINUTES_PER_DAY

__all__ = [
    "OFFSET_PATTERN",
    "SUPPORTED_DATES",
    "check_interval_minutes",
    "first_off_grid",
    "format_offset_timestamps",
    "has_utc_offset",
    "infer_interval_minutes",
    "interval_minutes_of",
    "interval_steps",
    "local_wallclock",
    "minute_of_week",
    "outside_supported_dates",
    "parse_iso_offset",
    "parse_offset_timestamps",
    "regular_grid",
    "resolve_tz",
    "slot_of_week",
    "slots_per_week",
]

#: A UTC offset (or ``Z``) right after a clock time: ``08:15+01:00``, ``08:15:00Z``,
#: ``0815+0100``; ``2024-01-08`` (a date) does not end in an offset.
OFFSET_PATTERN = r"[0-9]{2}:?[0-9]{2}(?::?[0-9]{2}(?:[.,][0-9]+)?)? ?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)$"

#: Timestamps are held in nanoseconds; dates outside this range are refused (first, last day).
SUPPORTED_DATES: tuple[str, str] = ("1700-01-01", "2200-12-31")

_NS_PER_MINUTE = 60_000_000_000


# --------------------------------------------------------------------------- zone
def resolve_tz(tz: str | None, *, parameter: str = "tz") -> str:
    """The IANA zone ``tz`` checked, or :data:`~wfm.ground.vocabulary.DEFAULT_TZ` when None.

    Raises
    ------
    WfmInputError
        ``tz`` is not a known IANA zone name (``parameter`` names it).
    """
    zone = DEFAULT_TZ if tz is None else tz
    if not isinstance(zone, str) or not zone:
        raise WfmInputError(f"{parameter} must be an IANA time zone name such as {DEFAULT_TZ}, got {zone!r}",
                            parameter=parameter)
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise WfmInputError(f"{parameter} {zone!r} is not a known IANA time zone (e.g. {DEFAULT_TZ})",
                            parameter=parameter) from None
    return zone


# --------------------------------------------------------------------------- interval length
def check_interval_minutes(minutes, *, parameter: str = "interval_minutes") -> int:
    """``minutes`` as an int when it is a whole number of minutes dividing a day.

    Raises
    ------
    WfmInputError
        Not a whole number, not positive, or not a divisor of 1440 (``parameter`` named).
    """
    if isinstance(minutes, (bool, np.bool_)) or not isinstance(minutes, (int, np.integer, float, np.floating)) \
            or not float(minutes).is_integer() or minutes <= 0 or MINUTES_PER_DAY % int(minutes):
        raise WfmInputError(f"{parameter} must be a whole number of minutes dividing a day "
                            f"(e.g. 15, 30, 60), got {minutes!r}", parameter=parameter)
    return int(minutes)


def _ns(interval_start) -> np.ndarray:
    """Nanoseconds since the epoch (UTC) of tz-aware timestamps."""
    index = pd.DatetimeIndex(interval_start)
    if index.tz is None:
        raise WfmInputError(f"interval_start must be tz-aware timestamps (e.g. {DEFAULT_TZ}), got naive ones")
    return index.tz_convert("UTC").as_unit("ns").asi8


def _ordered(interval_start, queue) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(order, ns, codes, names)``: a stable order by (queue, time), the times and queue codes in
    that order, and the queue name of each code (``""`` for one unnamed queue)."""
    ns = _ns(interval_start)
    if queue is None:
        codes, names = np.zeros(len(ns), dtype=np.int64), np.array([""], dtype=object)
    else:
        values = np.asarray(queue, dtype=object)
        if len(values) != len(ns):
            raise WfmInputError(f"queue must have one value per interval_start ({len(ns)}), got {len(values)}")
        codes, names = pd.factorize(values.astype(str))
    order = np.lexsort((ns, codes))
    return order, ns[order], np.asarray(codes)[order], np.asarray(names, dtype=object)


def interval_steps(interval_start, queue=None) -> dict[str, float]:
    """The most common positive step of each queue [minutes] (see the module docstring).

    Parameters
    ----------
    interval_start : Series or DatetimeIndex of tz-aware timestamps
    queue : array-like of str, optional
        One queue name per timestamp (one queue when omitted, keyed ``""``).

    Returns
    -------
    dict
        ``{queue: minutes}`` for each queue with at least two distinct starts; ``minutes`` is a
        float (a step of 7.5 minutes stays 7.5, for the caller to refuse by name).
    """
    _, ns, codes, names = _ordered(interval_start, queue)
    same = codes[1:] == codes[:-1]
    steps = pd.DataFrame({"q": codes[1:][same], "step": np.diff(ns)[same] / _NS_PER_MINUTE})
    steps = steps[steps["step"] > 0]
    if steps.empty:
        return {}
    counts = steps.groupby(["q", "step"]).size().reset_index(name="n")
    counts = counts.sort_values(["q", "n", "step"], ascending=[True, False, True])
    found = {str(names[code]): float(group["step"].iloc[0]) for code, group in counts.groupby("q")}
    return dict(sorted(found.items()))


def infer_interval_minutes(interval_start, queue=None, *, what: str = "history") -> int:
    """The one interval length [minutes] of tz-aware interval starts (see the module docstring).

    Raises
    ------
    WfmInputError
        No queue has two distinct starts, the queues disagree, or the length is not a whole
        number of minutes dividing a day; ``what`` names the data in the message.
    """
    by_queue = interval_steps(interval_start, queue)
    if not by_queue:
        raise WfmInputError(f"{what}: cannot infer the interval length: no queue has two distinct "
                            "interval starts; give interval_minutes", parameter="interval_minutes")
    distinct = sorted(set(by_queue.values()))
    if len(distinct) > 1:
        text = ", ".join(f"queue {q!r} {m:g} min" for q, m in sorted(by_queue.items()))
        raise WfmInputError(f"{what}: mixed interval lengths: the queues' most common steps differ ({text})")
    minutes = distinct[0]
    if not minutes.is_integer() or MINUTES_PER_DAY % int(minutes):
        raise WfmInputError(f"{what}: the most common step between interval starts, {minutes:g} minutes, "
                            "does not divide a day (e.g. 15, 30, 60)")
    return int(minutes)


def interval_minutes_of(frame: pd.DataFrame, *, what: str = "history") -> int:
    """Interval length [minutes] of a long frame, every start checked to be on its grid.

    ``frame`` has a tz-aware ``interval_start`` and, optionally, a ``queue`` column; the length
    is ``attrs["interval_minutes"]`` when set, else :func:`infer_interval_minutes`.

    Raises
    ------
    WfmInputError
        The length cannot be inferred, or a start is off the grid (named, with its step).
    """
    if "interval_start" not in frame.columns:
        raise WfmInputError(f"{what}: required column 'interval_start' is missing (columns: {list(frame.columns)})")
    queue = frame["queue"].to_numpy() if "queue" in frame.columns else None
    declared = frame.attrs.get("interval_minutes")
    if declared:
        minutes = check_interval_minutes(declared, parameter="interval_minutes")
    else:
        minutes = infer_interval_minutes(frame["interval_start"], queue, what=what)
    bad = first_off_grid(frame["interval_start"], minutes, queue)
    if bad is not None:
        ts = frame["interval_start"]
        same = ts[(frame["queue"] == frame["queue"].iloc[bad]).to_numpy()] if queue is not None else ts
        before = same[same < ts.iloc[bad]]
        if (same == ts.iloc[bad]).sum() > 1 or not len(before):
            step = "it appears twice"
        else:
            step = f"{(ts.iloc[bad] - before.max()) / pd.Timedelta(minutes=1):g} minutes after the previous start"
        where = f"; queue {frame['queue'].iloc[bad]!r}" if queue is not None else ""
        raise WfmInputError(f"{what}: interval_start {ts.iloc[bad]} is not on the {minutes}-minute grid "
                            f"({step}{where})")
    return minutes


def first_off_grid(interval_start, minutes: int, queue=None) -> int | None:
    """Position (in the input order) of the first start off the ``minutes`` grid, or None.

    A start is off the grid when its step from the previous start of the same queue (absolute
    time) is not a whole positive multiple of ``minutes`` -- a duplicate start counts as off.
    """
    order, ns, codes, _ = _ordered(interval_start, queue)
    step_ns = np.diff(ns)
    bad = (codes[1:] == codes[:-1]) & ((step_ns <= 0) | (step_ns % (int(minutes) * _NS_PER_MINUTE) != 0))
    if not bad.any():
        return None
    return int(order[1:][bad].min())


def regular_grid(interval_start, minutes: int) -> pd.DatetimeIndex:
    """Every interval start from the first to the last of ``interval_start``, ``minutes`` apart in
    absolute time (a spring-forward day has 92 quarter-hours, a fall-back day 100), in their zone."""
    index = pd.DatetimeIndex(interval_start)
    if index.tz is None:
        raise WfmInputError(f"interval_start must be tz-aware timestamps (e.g. {DEFAULT_TZ}), got naive ones")
    return pd.date_range(index.min(), index.max(), freq=f"{check_interval_minutes(minutes)}min").as_unit("ns")


# --------------------------------------------------------------------------- timestamps in files
def has_utc_offset(text: pd.Series) -> np.ndarray:
    """True where a timestamp text ends in a UTC offset or ``Z`` (:data:`OFFSET_PATTERN`)."""
    return pd.Series(text, dtype="str").str.strip().str.contains(OFFSET_PATTERN, regex=True).to_numpy(dtype=bool)


def parse_iso_offset(text: pd.Series) -> pd.Series:
    """ISO-8601 texts with a UTC offset -> UTC timestamps (index reset); NaT where unreadable or
    without offset.  The resolution is whatever pandas needs; see :data:`SUPPORTED_DATES`."""
    text = pd.Series(text, dtype="str").str.strip().reset_index(drop=True)
    keep = has_utc_offset(text)
    return pd.to_datetime(text.where(keep, None), utc=True, errors="coerce", format="ISO8601")


def outside_supported_dates(stamps: pd.Series) -> np.ndarray:
    """True where a timestamp lies outside :data:`SUPPORTED_DATES` (NaT is not outside)."""
    aware = isinstance(stamps.dtype, pd.DatetimeTZDtype)
    lo, hi = (pd.Timestamp(d, tz="UTC" if aware else None) for d in SUPPORTED_DATES)
    return ((stamps < lo) | (stamps > hi)).to_numpy(dtype=bool)


def parse_offset_timestamps(values: pd.Series, tz: str, source: str, column: str,
                            row_offset: int = 2) -> pd.Series:
    """ISO-8601 texts with a UTC offset -> tz-aware timestamps in ``tz``, index kept.

    A timestamp without an offset is refused (it would be ambiguous on a DST day).

    Parameters
    ----------
    values : Series
        The column as read (text); already tz-aware timestamps are converted to ``tz``.
    tz : str
        IANA zone of the result.
    source, column : str
        File and column named in messages.
    row_offset : int
        File row of the first value (2: the header is row 1).

    Raises
    ------
    WfmInputError
        ``"<source>: row <r>, column <column>: ..."`` for the first value without an offset or
        not a timestamp.
    """
    zone = resolve_tz(tz)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert(zone)
    text = values.astype(object).where(values.notna(), "").astype(str)
    parsed = parse_iso_offset(text)
    outside = outside_supported_dates(parsed)
    bad = parsed.isna().to_numpy() | outside
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        rule = ("timestamps must carry a UTC offset (e.g. 2025-01-06T08:15:00+01:00)"
                if not has_utc_offset(text.iloc[i:i + 1])[0] else
                f"is outside the supported dates {SUPPORTED_DATES[0]} to {SUPPORTED_DATES[1]}" if outside[i]
                else "not an ISO-8601 timestamp")
        raise WfmInputError(f"{source}: row {i + row_offset}, column {column}: {rule}, got {text.iloc[i]!r}")
    return pd.Series(parsed.dt.tz_convert(zone).to_numpy(), index=values.index, name=values.name,
                     dtype=f"datetime64[ns, {zone}]")


def format_offset_timestamps(values) -> pd.Series:
    """Tz-aware timestamps -> ISO-8601 local time with its offset, ``2024-03-31T03:00:00+02:00``."""
    index = pd.DatetimeIndex(values)
    if index.tz is None:
        raise WfmInputError("timestamps to write must be tz-aware")
    text = pd.Series(index.strftime("%Y-%m-%dT%H:%M:%S%z"), dtype="str")
    out = text.str.replace(r"([+-]\d\d)(\d\d)$", r"\1:\2", regex=True)
    if isinstance(values, pd.Series):
        out.index = values.index
    return out


# --------------------------------------------------------------------------- slots of the week
def local_wallclock(interval_start, tz: str | None = None) -> pd.DatetimeIndex:
    """Local wall-clock times (tz-naive) of tz-aware timestamps, in ``tz`` (default: their own zone)."""
    index = pd.DatetimeIndex(interval_start)
    if index.tz is None:
        raise WfmInputError(f"interval_start must be tz-aware timestamps (e.g. {DEFAULT_TZ}), got naive ones")
    return index.tz_convert(tz or index.tz).tz_localize(None)


def minute_of_week(wallclock: pd.DatetimeIndex) -> np.ndarray:
    """Minutes since Monday 00:00 of local wall-clock times (tz-naive)."""
    wallclock = pd.DatetimeIndex(wallclock)
    return (wallclock.day_of_week.to_numpy() * MINUTES_PER_DAY
            + wallclock.hour.to_numpy() * 60 + wallclock.minute.to_numpy()).astype(np.int64)


def slots_per_week(interval_minutes: int) -> int:
    """Slots of ``interval_minutes`` in a week."""
    return DAYS_PER_WEEK * (MINUTES_PER_DAY // check_interval_minutes(interval_minutes))


def slot_of_week(wallclock: pd.DatetimeIndex, interval_minutes: int) -> np.ndarray:
    """Slot index ``0 .. slots_per_week - 1`` of local wall-clock times (Monday 00:00 is 0).

    A time inside a slot (08:20 on a 15-minute grid) belongs to the slot it falls in (08:15).
    """
    return minute_of_week(wallclock) // check_interval_minutes(interval_minutes)
