"""Requirement + rules -> a validated :class:`SchedulingProblem` (the scheduler's door).

The requirement frame is checked by the ground's contract
(:func:`wfm.ground.frames.validate_requirement`); this module adds what the
scheduler needs of it: a horizon of whole local days (at most 4 weeks) on one
interval grid with every queue on every interval, every queue served by a skill
group, service-level columns for the SL objectives, and the recurring deferred
work of the rules expanded onto the horizon's days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd

from optimiser.scheduling.spec import DeferredWork, Rules, SchedulingProblem
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import validate_requirement

__all__ = ["build_problem", "expand_deferred", "horizon_intervals"]


def horizon_intervals(df: pd.DataFrame, interval_minutes: int, tz: str, source: str) -> pd.DatetimeIndex:
    """The horizon's interval starts: consecutive, whole local days, at most 4 weeks, every queue on each."""
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


def expand_deferred(rules: Rules, days: list[dt.date], tz: str) -> tuple[DeferredWork, ...]:
    """The rules' one-off deferred work plus its recurring items, one per day of ``days`` they fall on."""
    out = list(rules.deferred_work)
    for item in rules.recurring_deferred_work:
        for day in days:
            if day.weekday() not in item["days"]:
                continue
            release = (pd.Timestamp(day) + pd.Timedelta(minutes=item["release_minutes"])).tz_localize(
                tz, nonexistent="shift_forward", ambiguous=False)
            deadline = (pd.Timestamp(day) + pd.Timedelta(minutes=item["deadline_minutes"])).tz_localize(
                tz, nonexistent="shift_forward", ambiguous=False)
            out.append(DeferredWork(f"{item['name']}_{day:%a}{day:%m%d}", item["queue"],
                                    float(item["workload_agent_minutes"]), release, deadline))
    return tuple(out)


def build_problem(requirement: pd.DataFrame, rules: Rules, *, objective: str | None = None,
                  headcount_total: int | None = None, solver=None, source: str = "requirement") -> SchedulingProblem:
    """Combine a requirement with rules into a validated problem.

    Parameters
    ----------
    requirement : pandas.DataFrame
        A requirement frame (:func:`wfm.ground.frames.validate_requirement`;
        e.g. from :func:`wfm.io.requirement.read_requirement_csv`).
    rules : Rules
        E.g. from :func:`wfm.io.rules.load_rules`.
    objective, headcount_total, solver : optional
        Override the rules' objective, ``headcount_total`` and solver settings.

    Raises
    ------
    WfmInputError
        Horizon not whole days / more than 4 weeks / gaps; a queue no skill
        group serves; ``max-sl`` without a headcount.
    """
    req = validate_requirement(requirement, tz=rules.tz, source=source)
    intervals = horizon_intervals(req, rules.interval_minutes, rules.tz, source)
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
            raise WfmInputError(f"headcount_total must be >= 0, got {headcount_total}", parameter="headcount_total")
        changes["headcount_total"] = headcount_total
    if solver is not None:
        changes["solver"] = solver
    rules = replace(rules, **changes)
    if rules.objective == "max-sl" and rules.headcount_total is None:
        raise WfmInputError("objective max-sl needs a fixed headcount: headcount_total (in the rules file or "
                            "given here) must be set", parameter="headcount_total")
    if rules.objective in ("global-sl", "max-sl"):
        need = [c for c in ("calls_offered", "aht_seconds") if c not in req.columns]
        if need:
            raise WfmInputError(
                f"{source}: objective {rules.objective} needs service-level curves, which need column(s) "
                f"{', '.join(need)} in the requirement")
    days = sorted(set(intervals.tz_convert(rules.tz).date))
    rules = replace(rules, deferred_work=expand_deferred(rules, days, rules.tz))
    for item in rules.deferred_work:
        if item.queue not in set(req["queue"]):
            raise WfmInputError(f"deferred work {item.name!r}: queue {item.queue!r} is not in the requirement "
                                f"(queues: {', '.join(sorted(set(req['queue'])))})")
    return SchedulingProblem(requirement=req, intervals=intervals, interval_minutes=rules.interval_minutes,
                             rules=rules)
