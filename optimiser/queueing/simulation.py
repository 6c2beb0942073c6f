"""Discrete-event simulation of an inbound queue over a day or a week.

Checks the analytic staffing (stationary Erlang C / A per interval) against a
time-varying reality: arrivals are a non-homogeneous Poisson process, piecewise
constant per interval (``calls_offered`` per interval from a forecast); the
number of agents follows a plan per interval; handle times and patience are
exponential or resampled from real records; call-backs are offered to callers
whose estimated wait exceeds a threshold.

Model and policies (documented choices):

* One FCFS inbound queue.  A caller hangs up when their patience runs out
  before an agent answers (patience ``None``: nobody hangs up).
* At an interval boundary the number of agents changes to the plan's value.
  When it falls, idle agents leave first; busy agents who must leave finish
  their call first (no call is cut off).
* Call-back offer: on arrival, the estimated wait ``(queue length + 1) x
  mean AHT / agents`` (the estimate an ACD announces) is compared with
  ``callback_threshold_seconds``; above it, the caller accepts a call-back with
  probability ``callback_acceptance`` and leaves the queue.  The call-back is
  deferred work due within ``callback_window_minutes``: an agent who becomes
  free with no inbound caller waiting makes the earliest-due call-back; a
  call-back that can no longer wait (now >= deadline - its duration) goes
  before inbound callers.
* After the last interval the last interval's agents stay to empty the queue,
  so every call has an outcome.  The simulation starts empty.

Why our own simulator and not Ciw: Ciw 3.2.7 was measured on the same week
(see ``benchmarks/staffing_speed.py``) and is fast enough for the plain queue,
but a call-back that turns a waiting caller into a deferred job served by the
*same* agents in idle time (with a deadline) is not expressible with Ciw's
baulking/reneging without a second simulation pass.  The Ciw run is kept as
an independent check of the plain queue (same service level within sampling
error, test and benchmark).

References
----------
.. [1] P. A. W. Lewis, G. S. Shedler, "Simulation of nonhomogeneous Poisson
   processes by thinning", Naval Research Logistics Quarterly 26(3), 1979
   (piecewise-constant rates: Poisson counts, uniform times per interval).
.. [2] G. Koole, *Call Center Optimization*, 2013, ch. on simulation.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError

__all__ = ["SimulationResult", "simulate"]

ANSWERED, ABANDONED, CALLBACK = 0, 1, 2


@dataclass(frozen=True)
class SimulationResult:
    """Outcome of :func:`simulate`.

    Attributes
    ----------
    per_interval : DataFrame
        By arrival interval: ``calls_offered`` (simulated arrivals),
        ``callbacks_accepted``, ``inbound_calls`` (offered - call-backs),
        ``calls_answered``, ``answered_within``, ``calls_abandoned``,
        ``service_level`` (answered within T / inbound calls), ``asa_seconds``
        (mean wait of answered calls), ``abandon_rate`` (abandoned / inbound),
        ``agents``.  Ratios are NaN where there is nothing to divide by (no
        inbound call, or none answered, in that interval).
    per_day : DataFrame
        The same sums and ratios per local day.
    calls : DataFrame
        One row per simulated call: ``arrival_seconds``, ``interval``,
        ``outcome`` (answered/abandoned/callback), ``wait_seconds``.
    callbacks : dict
        ``accepted``, ``done``, ``late`` (finished after the deadline),
        ``mean_delay_seconds`` (acceptance to start of the call-back).
    """

    per_interval: pd.DataFrame
    per_day: pd.DataFrame
    calls: pd.DataFrame
    callbacks: dict = field(default_factory=dict)


def _vec(value, name, n, *, positive=True, allow_zero=False):
    if isinstance(value, pd.Series):
        arr = value.to_numpy(dtype=float)
    else:
        arr = np.asarray(value, dtype=float)
    try:
        arr = np.broadcast_to(arr, (n,)).astype(float)
    except ValueError as exc:
        raise WfmInputError(f"{name} has {arr.size} values, expected 1 or {n}") from exc
    bad = ~np.isfinite(arr) | ((arr < 0) if allow_zero else (arr <= 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        rule = ">= 0" if allow_zero else "> 0"
        raise WfmInputError(f"{name} must be {rule} and finite, got {arr[i]:g} at interval {i}")
    return arr


def _sampler(rng, samples, name):
    if samples is None:
        return None
    arr = np.asarray(samples, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise WfmInputError(f"{name} must be a non-empty 1-d array of durations [s]")
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise WfmInputError(f"{name} must hold finite durations >= 0, got {arr[i]:g} at position {i}")
    return arr


def simulate(calls_offered, agents, interval_minutes: int, *, aht_seconds=None,
             handle_times_seconds=None, patience_seconds=None, patience_samples_seconds=None,
             answer_within_seconds: float = 20.0, interval_starts=None,
             callback_threshold_seconds: float | None = None, callback_acceptance: float = 0.0,
             callback_window_minutes: float = 120.0, callback_aht_seconds: float | None = None,
             seed: int | None = None) -> SimulationResult:
    """Simulate a day or a week of one queue.

    Parameters
    ----------
    calls_offered : array-like or Series
        Expected calls per interval [calls] (the Poisson mean).
    agents : array-like or Series
        Agents on the phone per interval (whole numbers >= 0).
    interval_minutes : int
        Interval length [min].
    aht_seconds : float or array-like, optional
        Mean handle time per interval [s] for exponential handle times.
    handle_times_seconds : array-like, optional
        Real handle times [s] to resample instead (bootstrap).
    patience_seconds : float, optional
        Mean exponential patience [s]; None and no samples: nobody hangs up.
    patience_samples_seconds : array-like, optional
        Real patience values [s] to resample instead.
    answer_within_seconds : float
        Service-level threshold T [s].
    interval_starts : DatetimeIndex, optional
        tz-aware interval starts, used to label intervals and group by local
        day; default: positions, days of ``1440 / interval_minutes`` intervals.
    callback_threshold_seconds : float, optional
        Offer a call-back above this estimated wait [s]; None: no offer.
    callback_acceptance : float
        Share of offered callers who accept, in [0, 1].
    callback_window_minutes : float
        The call-back is due within this many minutes of acceptance.
    callback_aht_seconds : float, optional
        Mean duration of a call-back [s]; default the interval's AHT (or the
        resampled handle times).
    seed : int, optional
        Random seed (reproducible results).

    Returns
    -------
    SimulationResult
    """
    if isinstance(calls_offered, pd.Series) and interval_starts is None and isinstance(
            calls_offered.index, pd.DatetimeIndex):
        interval_starts = calls_offered.index
    lam = np.asarray(calls_offered, dtype=float).ravel()
    n_int = lam.size
    if n_int == 0:
        raise WfmInputError("calls_offered must have at least one interval")
    if not (isinstance(interval_minutes, (int, np.integer, float)) and interval_minutes > 0):
        raise WfmInputError(f"interval_minutes must be > 0, got {interval_minutes!r}")
    lam = _vec(lam, "calls_offered", n_int, allow_zero=True)
    plan = _vec(agents, "agents", n_int, allow_zero=True)
    if np.any(plan != np.round(plan)):
        i = int(np.flatnonzero(plan != np.round(plan))[0])
        raise WfmInputError(f"agents must be whole numbers, got {plan[i]:g} at interval {i}")
    plan = plan.astype(int)
    if handle_times_seconds is None and aht_seconds is None:
        raise WfmInputError("give aht_seconds (exponential handle times) or handle_times_seconds")
    if not answer_within_seconds >= 0:
        raise WfmInputError(f"answer_within_seconds must be >= 0, got {answer_within_seconds!r}")
    if patience_seconds is not None and not patience_seconds > 0:
        raise WfmInputError(f"patience_seconds must be > 0, got {patience_seconds!r}")
    if not 0 <= callback_acceptance <= 1:
        raise WfmInputError(f"callback_acceptance must be in [0, 1], got {callback_acceptance!r}")
    if callback_threshold_seconds is not None and not callback_threshold_seconds >= 0:
        raise WfmInputError(f"callback_threshold_seconds must be >= 0, got {callback_threshold_seconds!r}")
    if not callback_window_minutes > 0:
        raise WfmInputError(f"callback_window_minutes must be > 0, got {callback_window_minutes!r}")
    if interval_starts is not None:
        interval_starts = pd.DatetimeIndex(interval_starts)
        if len(interval_starts) != n_int:
            raise WfmInputError(f"interval_starts has {len(interval_starts)} values, expected {n_int}")
        if interval_starts.tz is None:
            raise WfmInputError("interval_starts must be tz-aware")
    rng = np.random.default_rng(seed)
    ht = _sampler(rng, handle_times_seconds, "handle_times_seconds")
    pt = _sampler(rng, patience_samples_seconds, "patience_samples_seconds")
    aht = None if aht_seconds is None else _vec(aht_seconds, "aht_seconds", n_int)

    # --- arrivals: Poisson counts, uniform times within each interval -----------
    length = interval_minutes * 60.0
    counts = rng.poisson(lam)
    idx = np.repeat(np.arange(n_int), counts)
    times = (idx + rng.random(idx.size)) * length
    order = np.argsort(times, kind="stable")
    times, idx = times[order], idx[order]
    n_calls = times.size
    if ht is not None:
        service = rng.choice(ht, size=n_calls)
        mean_aht = np.full(n_int, ht.mean())
    else:
        service = rng.exponential(aht[idx]) if n_calls else np.zeros(0)
        mean_aht = aht
    if pt is not None:
        patience = rng.choice(pt, size=n_calls)
    elif patience_seconds is not None:
        patience = rng.exponential(patience_seconds, size=n_calls)
    else:
        patience = np.full(n_calls, np.inf)
    accept = rng.random(n_calls) < callback_acceptance
    if callback_aht_seconds is not None:
        cb_service = rng.exponential(callback_aht_seconds, size=n_calls)
    else:
        cb_service = service  # the call-back takes the caller's own handle time

    outcome, wait, start = _run(times, idx, service, patience, accept, cb_service, plan, length,
                                mean_aht, callback_threshold_seconds,
                                callback_window_minutes * 60.0)
    return _summarise(times, idx, outcome, wait, start, plan, interval_minutes, interval_starts,
                      answer_within_seconds, cb_service, callback_window_minutes * 60.0)


# One pass over every arrival, departure and interval boundary, its state in local variables and closures.
# long: the simulation's tight event loop; splitting it adds a function call per event to the hot path
def _run(times, idx, service, patience, accept, cb_service, plan, length, mean_aht, threshold,
         window):
    """The event loop.  Returns outcome code, wait [s] and start time per call."""
    n_calls = times.size
    n_int = plan.size
    outcome = np.full(n_calls, -1, dtype=np.int8)
    wait = np.zeros(n_calls)
    start = np.full(n_calls, np.nan)  # inbound answer time, or call-back start time
    departures: list[float] = []  # heap of finish times of busy agents
    queue: deque[int] = deque()  # waiting inbound callers (call ids), FCFS
    callbacks: list[tuple[float, int]] = []  # heap (deadline, call id)
    idle = 0
    busy = 0
    to_leave = 0
    boundary = 0  # next interval boundary index
    i = 0  # next arrival
    inf = float("inf")
    offer = threshold is not None
    times_l = times.tolist()
    service_l = service.tolist()
    cb_l = cb_service.tolist()
    abandon_at = (times + patience).tolist()
    heappush, heappop = heapq.heappush, heapq.heappop

    def next_work(t):
        """An agent free at t: urgent call-back, inbound caller, call-back, or None."""
        if callbacks:
            deadline, cid = callbacks[0]
            if t >= deadline - cb_l[cid]:
                heappop(callbacks)
                return cid, True
        while queue:
            cid = queue.popleft()
            if abandon_at[cid] < t:
                outcome[cid] = ABANDONED
                wait[cid] = abandon_at[cid] - times_l[cid]
                continue
            return cid, False
        if callbacks:
            _, cid = heappop(callbacks)
            return cid, True
        return None, False

    def start_work(t, cid, is_cb):
        if is_cb:
            start[cid] = t
            heappush(departures, t + cb_l[cid])
        else:
            outcome[cid] = ANSWERED
            wait[cid] = t - times_l[cid]
            start[cid] = t
            heappush(departures, t + service_l[cid])

    current_agents = 0
    while True:
        t_arr = times_l[i] if i < n_calls else inf
        t_dep = departures[0] if departures else inf
        t_bnd = boundary * length if boundary < n_int else inf
        if t_bnd <= t_arr and t_bnd <= t_dep and t_bnd < inf:
            t = t_bnd
            target = int(plan[boundary])
            boundary += 1
            current_agents = target
            present = idle + busy - to_leave
            diff = target - present
            if diff > 0:
                keep = min(diff, to_leave)
                to_leave -= keep
                diff -= keep
                while diff > 0:
                    cid, is_cb = next_work(t)
                    if cid is None:
                        idle += diff
                        diff = 0
                        break
                    busy += 1
                    start_work(t, cid, is_cb)
                    diff -= 1
            elif diff < 0:
                drop = min(-diff, idle)
                idle -= drop
                to_leave += -diff - drop
            continue
        if t_dep <= t_arr:
            if t_dep == inf:
                break
            t = heappop(departures)
            busy -= 1
            if to_leave > 0:
                to_leave -= 1
                continue
            cid, is_cb = next_work(t)
            if cid is None:
                idle += 1
            else:
                busy += 1
                start_work(t, cid, is_cb)
            continue
        # arrival
        t = t_arr
        cid = i
        i += 1
        if idle > 0:
            idle -= 1
            busy += 1
            start_work(t, cid, False)
            continue
        if offer and accept[cid]:
            agents_now = max(current_agents, 1)
            estimate = (len(queue) + 1) * mean_aht[idx[cid]] / agents_now
            if estimate > threshold:
                outcome[cid] = CALLBACK
                heappush(callbacks, (t + window, cid))
                continue
        queue.append(cid)
    # callers still queued when no agent is left at all
    for cid in queue:
        if outcome[cid] == -1:
            if np.isfinite(abandon_at[cid]):
                outcome[cid] = ABANDONED
                wait[cid] = abandon_at[cid] - times_l[cid]
    return outcome, wait, start


def _summarise(times, idx, outcome, wait, start, plan, interval_minutes, starts,
               answer_within, cb_service, window):
    n_int = plan.size
    calls = pd.DataFrame({"arrival_seconds": times, "interval": idx,
                          "outcome": pd.Categorical.from_codes(
                              np.where(outcome < 0, 3, outcome),
                              ["answered", "abandoned", "callback", "unserved"]),
                          "wait_seconds": np.where(outcome == ANSWERED, wait,
                                                   np.where(outcome == ABANDONED, wait, np.nan))})
    ans = outcome == ANSWERED
    within = ans & (wait <= answer_within)
    ab = outcome == ABANDONED
    cb = outcome == CALLBACK

    def per(group_idx, n_groups):
        def s(mask, weights=None):
            return np.bincount(group_idx[mask], weights=None if weights is None else weights[mask],
                               minlength=n_groups)
        offered = np.bincount(group_idx, minlength=n_groups).astype(float)
        n_cb = s(cb).astype(float)
        inbound = offered - n_cb
        answered = s(ans).astype(float)
        wsum = s(ans, wait)
        with np.errstate(divide="ignore", invalid="ignore"):
            frame = pd.DataFrame({
                "calls_offered": offered, "callbacks_accepted": n_cb, "inbound_calls": inbound,
                "calls_answered": answered, "answered_within": s(within).astype(float),
                "calls_abandoned": s(ab).astype(float),
            })
            frame["service_level"] = np.where(inbound > 0, frame["answered_within"] / inbound, np.nan)
            frame["asa_seconds"] = np.where(answered > 0, wsum / answered, np.nan)
            frame["abandon_rate"] = np.where(inbound > 0, frame["calls_abandoned"] / inbound, np.nan)
        return frame

    per_interval = per(idx, n_int)
    per_interval["agents"] = plan
    if starts is not None:
        per_interval.index = starts
        local_day = pd.Index([t.date() for t in starts])
    else:
        per_interval.index = pd.RangeIndex(n_int, name="interval")
        local_day = pd.Index(np.arange(n_int) // max(1, int(1440 // interval_minutes)))
    day_codes, days = pd.factorize(local_day)
    per_day = per(day_codes[idx] if idx.size else np.zeros(0, dtype=int), len(days))
    per_day.index = pd.Index(days, name="day")
    n_cb = int(cb.sum())
    cb_start = start[cb]
    delay = cb_start - times[cb]
    late = int(np.sum(cb_start + cb_service[cb] > times[cb] + window))
    callbacks = {"accepted": n_cb, "done": int(np.isfinite(cb_start).sum()), "late": late,
                 "mean_delay_seconds": float(np.nanmean(delay)) if n_cb else 0.0}
    return SimulationResult(per_interval=per_interval, per_day=per_day, calls=calls,
                            callbacks=callbacks)
