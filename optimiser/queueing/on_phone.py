"""Agents on the phone: shrinkage between scheduled and on-phone agents, and the agents a schedule puts there.

Two quantities of agents run through the whole pipeline:

* **on the phone** -- agents taking calls, what the queueing formulas of
  :mod:`optimiser.queueing.erlang` need (``agents_on_phone``);
* **scheduled** -- agents on shift and not on break; a share ``shrinkage`` of
  their time is off the phone anyway (meetings, coaching, short absences), so
  ``on_phone = scheduled x (1 - shrinkage)`` (``agents_required``).

:func:`scheduled_from_on_phone` and :func:`on_phone_from_scheduled` convert one
into the other, fractional or rounded to whole agents in the direction the
caller names: a requirement rounds the scheduled agents **up** (never fewer than
needed on the phone), a plan's on-phone agents are rounded **down** (never assume
more agents than the plan provides).  A value within :data:`AGENT_TOLERANCE` of a
whole number counts as that number in either direction: ``21 / (1 - 0.3)`` is
``30.000000000000004`` in floating point and must stay 30 agents, and a solver's
allocation of ``6.9999997`` agents (HiGHS' feasibility tolerance is 1e-7) is 7.

:func:`agents_on_shift` counts the agents a schedule has on shift and not on
break in each interval (fractional: an agent working 10 of 15 minutes counts
2/3), and :func:`on_phone_from_schedule` turns that into whole agents on the
phone; the simulation, the risk, the replay and the roster exports all count a
schedule's agents this way.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError

__all__ = [
    "AGENT_TOLERANCE",
    "ROUNDINGS",
    "scheduled_from_on_phone",
    "on_phone_from_scheduled",
    "whole_agents",
    "agents_on_shift",
    "on_phone_from_schedule",
]

#: A fractional agent count within this of a whole number is that whole number when rounding
#: (floating point and solver tolerances); 1e-6 of an agent is 1 ms of a 15-minute interval.
AGENT_TOLERANCE = 1e-6

#: The rounding directions: ``None`` keeps fractions, ``"up"`` rounds up, ``"down"`` rounds down.
ROUNDINGS = (None, "up", "down")


def _shrinkage(shrinkage) -> np.ndarray | float:
    values = shrinkage.to_numpy(dtype=float) if isinstance(shrinkage, pd.Series) else np.asarray(shrinkage, float)
    bad = ~((values >= 0) & (values < 1))
    if np.any(bad):
        first = values if values.ndim == 0 else values.ravel()[np.flatnonzero(bad.ravel())[0]]
        # a single value is the shrinkage parameter; per-interval values come from a column
        raise WfmInputError(f"shrinkage must be in [0, 1), got {float(first):g}",
                            parameter="shrinkage" if values.ndim == 0 else None)
    return values


def whole_agents(agents, rounding: str):
    """``agents`` rounded ``"up"`` (``ceil(x - tol)``) or ``"down"`` (``floor(x + tol)``) to whole agents.

    ``tol`` is :data:`AGENT_TOLERANCE`.  Numbers, arrays and Series (index kept) in,
    the same out, as floats holding whole numbers.
    """
    if rounding == "up":
        return np.ceil(agents - AGENT_TOLERANCE)
    if rounding == "down":
        return np.floor(agents + AGENT_TOLERANCE)
    raise WfmInputError(f"rounding must be 'up' or 'down', got {rounding!r}", parameter="rounding")


def _rounded(agents, rounding):
    if rounding is None:
        return agents
    return whole_agents(agents, rounding)


def scheduled_from_on_phone(agents_on_phone, shrinkage, *, rounding: str | None = None):
    """Scheduled agents giving ``agents_on_phone`` on the phone: ``agents_on_phone / (1 - shrinkage)``.

    Parameters
    ----------
    agents_on_phone : float, array-like or Series
        Agents on the phone [agents].
    shrinkage : float, array-like or Series
        Share of scheduled time off the phone, in [0, 1).
    rounding : {None, "up", "down"}
        ``None``: fractional agents; ``"up"``: whole agents, never fewer on the
        phone than asked (a requirement); ``"down"``: whole agents.

    Returns
    -------
    float, ndarray or Series
        Scheduled agents [agents], shaped like the inputs.

    Examples
    --------
    10 agents on the phone at 30 % shrinkage need 10 / 0.7 = 14.29, i.e. 15 scheduled:

    >>> float(scheduled_from_on_phone(10, 0.3, rounding="up"))
    15.0
    """
    return _rounded(agents_on_phone / (1.0 - _shrinkage(shrinkage)), rounding)


def on_phone_from_scheduled(agents_scheduled, shrinkage, *, rounding: str | None = None):
    """Agents on the phone out of ``agents_scheduled``: ``agents_scheduled x (1 - shrinkage)``.

    Parameters
    ----------
    agents_scheduled : float, array-like or Series
        Agents on shift and not on break [agents].
    shrinkage : float, array-like or Series
        Share of scheduled time off the phone, in [0, 1).
    rounding : {None, "up", "down"}
        ``None``: fractional agents; ``"down"``: whole agents, never more than
        the schedule provides (a plan's agents); ``"up"``: whole agents.

    Returns
    -------
    float, ndarray or Series
        Agents on the phone [agents], shaped like the inputs.

    Examples
    --------
    >>> float(on_phone_from_scheduled(15, 0.3, rounding="down"))
    10.0
    """
    return _rounded(agents_scheduled * (1.0 - _shrinkage(shrinkage)), rounding)


def _seconds(values) -> np.ndarray:
    """tz-aware timestamps -> seconds since the epoch (UTC, so DST needs no special case)."""
    index = pd.DatetimeIndex(values)
    if index.tz is None:
        raise WfmInputError("shift and break times must be tz-aware")
    return (index.tz_convert("UTC").tz_localize(None) - pd.Timestamp("1970-01-01")).total_seconds().to_numpy()


def _time_on(starts: np.ndarray, ends: np.ndarray, weights: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``sum_r weights[r] x |[starts[r], ends[r]] before at|`` for every time in ``at`` [agent-seconds].

    ``sum_{s_r < t} w_r (t - s_r) - sum_{e_r < t} w_r (t - e_r)``, each sum from sorted
    times and cumulative sums: exact, and linear in shifts plus intervals.
    """
    def ramp(times):
        order = np.argsort(times, kind="stable")
        t, w = times[order], weights[order]
        cw, cwt = np.concatenate(([0.0], np.cumsum(w))), np.concatenate(([0.0], np.cumsum(w * t)))
        k = np.searchsorted(t, at, side="left")
        return at * cw[k] - cwt[k]
    return ramp(starts) - ramp(ends)


def _break_spans(breaks) -> Iterable[tuple[pd.Timestamp, float]]:
    """``(start, minutes)`` of each break: ``Break`` objects (``start``, ``minutes``) or ``(start, minutes, paid)``."""
    for b in breaks or ():
        if hasattr(b, "start") and hasattr(b, "minutes"):
            yield b.start, float(b.minutes)
        else:
            yield b[0], float(b[1])


def agents_on_shift(schedule: pd.DataFrame, interval_starts, interval_minutes: int, *,
                    breaks_column: str = "breaks", skill_groups=None) -> pd.Series:
    """Agents on shift and not on break in each interval, averaged over the interval.

    An agent working 10 of 15 minutes of an interval counts 2/3.  Times are
    taken in UTC, so DST days need no special case.

    Parameters
    ----------
    schedule : DataFrame
        One row per shift (or per agent's shift): ``start``, ``end`` (tz-aware),
        optional ``count`` (agents on the shift, default 1), the breaks in
        ``breaks_column`` (per row a sequence of breaks, each a ``Break`` with
        ``start`` and ``minutes`` or a ``(start, minutes, paid)`` tuple, as
        :func:`wfm.ground.frames.parse_breaks` returns them), and
        ``skill_group`` when ``skill_groups`` is given.
    interval_starts : DatetimeIndex or Series, tz-aware
        Starts of the intervals to count.
    interval_minutes : int
        Interval length [min].
    breaks_column : str
        Column holding the parsed breaks (absent: no breaks).
    skill_groups : iterable of str, optional
        Only shifts of these skill groups (the agents who can take a queue).

    Returns
    -------
    Series
        Agents [agents, fractional] indexed by ``interval_starts``.
    """
    starts = pd.DatetimeIndex(interval_starts)
    if starts.tz is None:
        raise WfmInputError("interval_starts must be tz-aware", parameter="interval_starts")
    if not (isinstance(interval_minutes, (int, np.integer, float)) and interval_minutes > 0):
        raise WfmInputError(f"interval_minutes must be > 0, got {interval_minutes!r}", parameter="interval_minutes")
    missing = [c for c in ("start", "end") if c not in schedule.columns]
    if skill_groups is not None and "skill_group" not in schedule.columns:
        missing.append("skill_group")
    if missing:
        raise WfmInputError(f"schedule lacks column(s) {', '.join(missing)}")
    rows = schedule
    if skill_groups is not None:
        rows = rows[rows["skill_group"].astype(str).isin([str(g) for g in skill_groups])]
    length = float(interval_minutes) * 60.0
    if len(starts) == 0:
        return pd.Series(np.zeros(0), index=starts, name="agents")
    counts = rows["count"].to_numpy(float) if "count" in rows.columns else np.ones(len(rows))
    spans_start, spans_end, weights = [_seconds(rows["start"])], [_seconds(rows["end"])], [counts]
    if breaks_column in rows.columns and len(rows):
        spans = [(b_start, minutes, w) for row_breaks, w in zip(rows[breaks_column], counts)
                 for b_start, minutes in _break_spans(row_breaks)]
        if spans:
            b0 = _seconds([s for s, _, _ in spans])
            spans_start.append(b0)
            spans_end.append(b0 + np.array([m for _, m, _ in spans]) * 60.0)
            weights.append(-np.array([w for _, _, w in spans]))
    # times relative to the first interval and clipped to the window: the same integrals over the
    # window, and no cancellation between large epoch seconds
    t0 = _seconds(starts)
    origin, last = t0.min(), t0.max() + length
    at = np.concatenate((t0, t0 + length)) - origin

    def window(times):
        return np.clip(np.concatenate(times), origin, last) - origin

    on = _time_on(window(spans_start), window(spans_end), np.concatenate(weights), at)
    seconds_on = on[len(t0):] - on[:len(t0)]
    return pd.Series(seconds_on / length, index=starts, name="agents")


def on_phone_from_schedule(schedule: pd.DataFrame, interval_starts, interval_minutes: int, *,
                           shrinkage=0.0, breaks_column: str = "breaks", skill_groups=None) -> pd.Series:
    """Whole agents on the phone per interval from a schedule.

    :func:`agents_on_shift` (breaks taken off), times ``1 - shrinkage`` (time
    off the phone besides breaks), rounded *down* to whole agents, so an
    evaluation never assumes more agents than the plan provides.  Parameters as
    in :func:`agents_on_shift`; ``shrinkage`` in [0, 1).

    Returns
    -------
    Series
        Whole agents (int64) indexed by ``interval_starts``.
    """
    _shrinkage(shrinkage)
    shift = agents_on_shift(schedule, interval_starts, interval_minutes, breaks_column=breaks_column,
                            skill_groups=skill_groups)
    agents = on_phone_from_scheduled(shift.to_numpy(), shrinkage, rounding="down")
    return pd.Series(np.maximum(agents, 0).astype(np.int64), index=shift.index, name="agents")
