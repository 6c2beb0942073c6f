"""Today's actuals so far, checked against the day-ahead plan before anything is re-forecast.

The ACD export drops a history file (``docs/history_format.md``) during the day.  Before it
is used, :func:`actuals_so_far` checks what a planner would otherwise discover too late:

* the file is from another day (no row of it on the day being steered);
* a queue the plan does not know (it would be steered against nothing);
* a missing interval: every queue of the plan must have a row for every interval that has
  ended by ``now`` (a late or partial export is said, not silently read as zero calls).

In replay mode (:func:`replay_actuals`) a longer history is cut to the chosen day and
moment, so the rest of the package behaves as if it were that moment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.frames import check_forecast, check_history
from wfm.ground.timegrid import interval_minutes_of

__all__ = ["day_bounds", "day_of_plan", "actuals_so_far", "replay_actuals", "elapsed_mask"]


def _now(now, tz) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(now)
    except (TypeError, ValueError):
        raise WfmInputError(f"now must be a timestamp such as 2025-12-03T12:00, got {now!r}", parameter="now") from None
    if ts is pd.NaT:
        raise WfmInputError(f"now must be a timestamp, got {now!r}", parameter="now")
    return ts.tz_localize(tz, nonexistent="shift_forward", ambiguous=False) if ts.tzinfo is None else ts.tz_convert(tz)


def day_bounds(now, tz) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """``(now, start of its local day, start of the next local day)`` in ``tz`` (DST days are 23/25 h)."""
    ts = _now(now, tz)
    day = ts.tz_localize(None).normalize()
    start = day.tz_localize(tz, nonexistent="shift_forward", ambiguous=False)
    end = (day + pd.Timedelta(days=1)).tz_localize(tz, nonexistent="shift_forward", ambiguous=False)
    return ts, start, end


def day_of_plan(forecast: pd.DataFrame, now, *, what: str = "forecast") -> pd.DataFrame:
    """The forecast rows of the local day of ``now`` (refused when the forecast does not cover it)."""
    check_forecast(forecast, what=what)
    tz = forecast["interval_start"].dt.tz
    ts, start, end = day_bounds(now, tz)
    on_day = (forecast["interval_start"] >= start) & (forecast["interval_start"] < end)
    if not on_day.any():
        first, last = forecast["interval_start"].min(), forecast["interval_start"].max()
        raise WfmInputError(f"{what} has no interval on {start.date()} (it covers {first} to {last}); "
                            f"the day-ahead forecast must include the day being steered", parameter="now")
    out = forecast.loc[on_day].sort_values(["queue", "interval_start"], kind="stable").reset_index(drop=True)
    out.attrs.update(forecast.attrs)
    out.attrs["interval_minutes"] = interval_minutes_of(forecast, what=what)
    return out


def elapsed_mask(interval_start: pd.Series, interval_minutes: int, now: pd.Timestamp) -> np.ndarray:
    """True for intervals that have ended by ``now``."""
    return (interval_start + pd.Timedelta(minutes=interval_minutes) <= now).to_numpy()


def actuals_so_far(actuals: pd.DataFrame, plan_day: pd.DataFrame, now, *, what: str | None = None) -> pd.DataFrame:
    """Today's actual rows up to ``now``, checked against the plan's day.

    Parameters
    ----------
    actuals : DataFrame
        Canonical history rows of today (the ACD's file).
    plan_day : DataFrame
        The day-ahead forecast of the day (:func:`day_of_plan`).
    now : timestamp
        The moment being steered; intervals that end by it must all be present.
    what : str, optional
        Name in messages; default the frame's ``attrs["source"]`` (the file), else "actuals".

    Raises
    ------
    WfmInputError
        A file from another day, a queue the plan does not know, a missing interval (named).
    """
    what = what or f"actuals {actuals.attrs.get('source', '')}".strip()
    check_history(actuals, what=what)
    tz = plan_day["interval_start"].dt.tz
    ts, start, end = day_bounds(now, tz)
    im = int(plan_day.attrs.get("interval_minutes") or interval_minutes_of(plan_day, what="forecast"))
    starts = actuals["interval_start"].dt.tz_convert(tz)
    on_day = ((starts >= start) & (starts < end)).to_numpy()
    if not on_day.any():
        raise WfmInputError(f"{what} is from another day: its intervals run {starts.min()} to {starts.max()}, "
                            f"the day being steered is {start.date()}", parameter="actuals")
    if not on_day.all():
        other = sorted({str(d) for d in starts[~on_day].dt.date})
        raise WfmInputError(f"{what} holds rows of another day ({', '.join(other[:3])}) beside {start.date()}; "
                            "give today's file only (or use replay mode on a history)", parameter="actuals")
    queues = set(plan_day["queue"].astype(str))
    unknown = sorted(set(actuals["queue"].astype(str)) - queues)
    if unknown:
        raise WfmInputError(f"{what}: queue(s) {', '.join(map(repr, unknown))} are not in the plan "
                            f"(plan queues: {', '.join(sorted(queues))})", parameter="actuals")
    ahead = (starts >= ts).to_numpy()
    if ahead.any():
        raise WfmInputError(f"{what}: interval {starts[ahead].min()} has not started at now = {ts}; "
                            "is the clock or the file's zone wrong?", parameter="now")
    have = pd.MultiIndex.from_arrays([actuals["queue"].astype(str).to_numpy(), starts.to_numpy()])
    done = plan_day[elapsed_mask(plan_day["interval_start"], im, ts)]
    need = pd.MultiIndex.from_arrays([done["queue"].astype(str).to_numpy(), done["interval_start"].to_numpy()])
    missing = need.difference(have)
    if len(missing):
        q, t = missing[0]
        raise WfmInputError(f"{what}: interval {pd.Timestamp(t).tz_convert(tz)} of queue {q!r} is missing "
                            f"({len(missing)} ended interval(s) missing in all); a late or partial ACD export?",
                            parameter="actuals")
    out = actuals.assign(interval_start=starts).sort_values(["queue", "interval_start"], kind="stable")
    out = out[elapsed_mask(out["interval_start"], im, ts)].reset_index(drop=True)
    out.attrs.update(actuals.attrs)
    out.attrs["interval_minutes"] = im
    return out


def replay_actuals(history: pd.DataFrame, now, *, what: str = "history") -> pd.DataFrame:
    """Replay mode: the rows of ``history`` on the local day of ``now`` that ended by ``now``."""
    check_history(history, what=what)
    tz = history["interval_start"].dt.tz
    ts, start, _ = day_bounds(now, tz)
    im = interval_minutes_of(history, what=what)
    keep = ((history["interval_start"] >= start).to_numpy() & elapsed_mask(history["interval_start"], im, ts))
    if not keep.any():
        raise WfmInputError(f"{what} has no interval on {start.date()} before {ts}", parameter="now")
    out = history.loc[keep].reset_index(drop=True)
    out.attrs.update(history.attrs)
    out.attrs["interval_minutes"] = im
    return out
