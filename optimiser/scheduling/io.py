"""Files in and out of the scheduler.

* :func:`read_requirement_csv` reads the requirement CSV written by
  ``wfm staff`` (columns ``interval_start, queue, agents_required`` and,
  when present, ``calls_offered, aht_seconds, agents_required_fractional,
  shrinkage, answer_within_seconds, patience_seconds``).
* :func:`build_problem` combines a requirement frame with :class:`Rules`
  into a validated :class:`SchedulingProblem`.
* :func:`write_schedule_csv` / :func:`read_schedule_csv` write and read the
  schedule CSV contract: one row per distinct shift,
  ``shift_id, template, skill_group, start, end, count, paid_minutes, breaks``
  with ``breaks`` a ``;``-separated list of ``START/MINUTES/paid|unpaid``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from optimiser.scheduling.spec import DeferredWork, Rules, SchedulingProblem
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import SCHEDULE_COLUMNS, parse_breaks
from wfm.ground.timegrid import parse_offset_timestamps

REQUIRED_COLUMNS = ("interval_start", "queue", "agents_required")
OPTIONAL_NUMERIC = ("calls_offered", "aht_seconds", "agents_required_fractional", "shrinkage",
                    "answer_within_seconds", "patience_seconds", "target_service_level")


def read_requirement_csv(path: str | Path, tz: str = "Europe/Stockholm") -> pd.DataFrame:
    """Read a requirement CSV into a long frame.

    Parameters
    ----------
    path : path-like
        CSV with at least ``interval_start, queue, agents_required``.
    tz : str
        IANA zone the timestamps are converted to [default Europe/Stockholm].

    Returns
    -------
    pandas.DataFrame
        Sorted by queue, interval_start; ``interval_start`` tz-aware.

    Raises
    ------
    WfmInputError
        Missing file or column, unparsable or offset-less timestamp, negative
        or non-numeric requirement (file, row, column and value named).
    """
    path = Path(path)
    try:
        df = pd.read_csv(path)
    except FileNotFoundError as exc:
        raise WfmInputError(f"{path}: requirement file not found") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise WfmInputError(f"{path}: not a readable CSV ({exc})") from exc
    return validate_requirement(df, tz=tz, source=str(path))


def validate_requirement(df: pd.DataFrame, tz: str = "Europe/Stockholm", source: str = "requirement") -> pd.DataFrame:
    """Check and normalise a requirement frame (see :func:`read_requirement_csv`)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise WfmInputError(
            f"{source}: missing required column(s) {', '.join(missing)}; "
            f"a requirement needs {', '.join(REQUIRED_COLUMNS)} (found {', '.join(map(str, df.columns))})")
    df = df.copy()
    if isinstance(df["interval_start"].dtype, pd.DatetimeTZDtype):
        df["interval_start"] = df["interval_start"].dt.tz_convert(tz)
    elif pd.api.types.is_datetime64_any_dtype(df["interval_start"]):
        raise WfmInputError(f"{source}: column interval_start must be tz-aware, got naive timestamps")
    else:
        df["interval_start"] = parse_offset_timestamps(df["interval_start"], tz, source, "interval_start")
    df["queue"] = df["queue"].astype(str)
    for column in ("agents_required",) + OPTIONAL_NUMERIC:
        if column not in df.columns:
            continue
        values = pd.to_numeric(df[column], errors="coerce")
        bad = (values.isna() & df[column].notna()) | ~np.isfinite(values.fillna(0)) | (values < 0)
        if column == "agents_required":
            bad |= values.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise WfmInputError(
                f"{source}: row {i + 2}, column {column}: must be a finite number >= 0, got {df[column].iloc[i]!r}")
        df[column] = values.astype("float64")
    dup = df.duplicated(["queue", "interval_start"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise WfmInputError(f"{source}: row {i + 2}: duplicate (queue, interval_start) = "
                            f"({df['queue'].iloc[i]}, {df['interval_start'].iloc[i].isoformat()})")
    return df.sort_values(["queue", "interval_start"], ignore_index=True)


def _horizon(df: pd.DataFrame, interval_minutes: int, tz: str, source: str) -> pd.DatetimeIndex:
    starts = pd.DatetimeIndex(sorted(df["interval_start"].unique())).tz_convert(tz)
    step = pd.Timedelta(minutes=interval_minutes)
    diffs = starts[1:] - starts[:-1]
    if len(starts) > 1 and (diffs != step).any():
        i = int(np.flatnonzero(diffs != step)[0])
        raise WfmInputError(
            f"{source}: interval_start must step by interval_minutes={interval_minutes} without gaps; "
            f"{starts[i].isoformat()} is followed by {starts[i + 1].isoformat()}")
    local = starts.tz_convert(tz)
    first, last = local[0], local[-1] + step
    if (first.hour, first.minute) != (0, 0) or (last.hour, last.minute) != (0, 0):
        raise WfmInputError(
            f"{source}: the horizon must consist of whole local days (start and end at 00:00 {tz}); "
            f"got {first.isoformat()} to {last.isoformat()}")
    n_days = len(set(local.date))
    if n_days > 28:
        raise WfmInputError(f"{source}: the horizon may be at most 4 weeks (28 days), got {n_days} days")
    for queue, grp in df.groupby("queue"):
        if len(grp) != len(starts):
            raise WfmInputError(
                f"{source}: queue {queue!r} has {len(grp)} intervals but the horizon has {len(starts)}; "
                "every queue needs a row for every interval")
    return starts


def _expand_deferred(rules: Rules, days: list[dt.date], tz: str) -> tuple[DeferredWork, ...]:
    out = list(rules.deferred_work)
    for item in rules.recurring_deferred_work:
        for day in days:
            if day.weekday() not in item["days"]:
                continue
            midnight = pd.Timestamp(day).tz_localize(tz)
            release = (pd.Timestamp(day) + pd.Timedelta(minutes=item["release_minutes"])).tz_localize(
                tz, nonexistent="shift_forward", ambiguous=False)
            deadline = (pd.Timestamp(day) + pd.Timedelta(minutes=item["deadline_minutes"])).tz_localize(
                tz, nonexistent="shift_forward", ambiguous=False)
            del midnight
            out.append(DeferredWork(f"{item['name']}_{day:%a}{day:%m%d}", item["queue"],
                                    float(item["workload_agent_minutes"]), release, deadline))
    return tuple(out)


def build_problem(requirement: pd.DataFrame, rules: Rules, *, objective: str | None = None,
                  headcount_total: int | None = None, solver=None, source: str = "requirement") -> SchedulingProblem:
    """Combine a requirement with rules into a validated problem.

    Parameters
    ----------
    requirement : pandas.DataFrame
        As returned by :func:`read_requirement_csv`.
    rules : Rules
        From :func:`optimiser.scheduling.rules_file.load_rules`.
    objective, headcount_total, solver : optional
        Override the rules file (CLI flags ``--objective``, ``--headcount``,
        ``--solver/--time-limit/--gap``).

    Raises
    ------
    WfmInputError
        Horizon not whole days / more than 4 weeks / gaps; a queue no skill
        group serves; ``max-sl`` without a headcount.
    """
    req = validate_requirement(requirement, tz=rules.tz, source=source)
    intervals = _horizon(req, rules.interval_minutes, rules.tz, source)
    served = {q for g in rules.skill_groups for q in g.queues}
    unserved = sorted(set(req["queue"]) - served)
    if unserved:
        raise WfmInputError(
            f"{source}: queue(s) {', '.join(unserved)} are in the requirement but no skill group in the "
            f"rules serves them (skill groups serve {', '.join(sorted(served))})")
    changes = {}
    if objective is not None:
        changes["objective"] = objective
    if headcount_total is not None:
        if headcount_total < 0:
            raise WfmInputError(f"headcount must be >= 0, got {headcount_total}")
        changes["headcount_total"] = headcount_total
    if solver is not None:
        changes["solver"] = solver
    rules = replace(rules, **changes)
    if rules.objective == "max-sl" and rules.headcount_total is None:
        raise WfmInputError("objective max-sl needs a fixed headcount: pass --headcount N "
                            "(or headcount_total in the rules file)")
    if rules.objective in ("global-sl", "max-sl"):
        need = [c for c in ("calls_offered", "aht_seconds") if c not in req.columns]
        if need:
            raise WfmInputError(
                f"{source}: objective {rules.objective} needs service-level curves, which need column(s) "
                f"{', '.join(need)} in the requirement")
    days = sorted(set(intervals.tz_convert(rules.tz).date))
    rules = replace(rules, deferred_work=_expand_deferred(rules, days, rules.tz))
    for item in rules.deferred_work:
        if item.queue not in set(req["queue"]):
            raise WfmInputError(f"deferred work {item.name!r}: queue {item.queue!r} is not in the requirement "
                                f"(queues: {', '.join(sorted(set(req['queue'])))})")
    return SchedulingProblem(requirement=req, intervals=intervals, interval_minutes=rules.interval_minutes,
                             rules=rules)


# --- schedule CSV --------------------------------------------------------------------

def write_schedule_csv(shifts: pd.DataFrame, path: str | Path) -> Path:
    """Write the schedule CSV contract.

    Parameters
    ----------
    shifts : pandas.DataFrame
        ``ScheduleResult.shifts``: columns of :data:`SCHEDULE_COLUMNS`, with
        ``start``/``end`` tz-aware and ``breaks`` already formatted.
    path : path-like
    """
    path = Path(path)
    out = shifts.loc[:, list(SCHEDULE_COLUMNS)].copy()
    out["start"] = [t.isoformat() for t in out["start"]]
    out["end"] = [t.isoformat() for t in out["end"]]
    out.to_csv(path, index=False)
    return path


def read_schedule_csv(path: str | Path, tz: str = "Europe/Stockholm") -> pd.DataFrame:
    """Read a schedule CSV written by :func:`write_schedule_csv`.

    Returns the same columns with ``start``/``end`` tz-aware, ``count`` and
    ``paid_minutes`` int64, ``breaks`` kept as text (the frame contract;
    :func:`wfm.ground.frames.parse_breaks` reads it into ``Break`` objects).
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype={"breaks": str, "shift_id": str, "template": str, "skill_group": str},
                         keep_default_na=False)
    except FileNotFoundError as exc:
        raise WfmInputError(f"{path}: schedule file not found") from exc
    missing = [c for c in SCHEDULE_COLUMNS if c not in df.columns]
    if missing:
        raise WfmInputError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(SCHEDULE_COLUMNS)}")
    df["start"] = parse_offset_timestamps(df["start"], tz, str(path), "start")
    df["end"] = parse_offset_timestamps(df["end"], tz, str(path), "end")
    for column in ("count", "paid_minutes"):
        values = pd.to_numeric(df[column], errors="coerce")
        bad = values.isna() | (values < 0) | (values != values.round())
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise WfmInputError(f"{path}: row {i + 2}, column {column}: must be a whole number >= 0, "
                                f"got {df[column].iloc[i]!r}")
        df[column] = values.astype("int64")
    bad = df["end"] <= df["start"]
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise WfmInputError(f"{path}: row {i + 2}: end must be after start, got {df['start'].iloc[i]} .. {df['end'].iloc[i]}")
    for i, text in enumerate(df["breaks"]):
        parse_breaks(text, tz, where=f"{path}: row {i + 2}, column breaks")
    return df.loc[:, list(SCHEDULE_COLUMNS)]
