"""Call-backs, deferred work with deadlines, and chat with concurrency.

Call-backs.  Callers whose *offered* wait (the wait until an agent would answer)
would exceed ``callback_threshold_seconds`` are offered a call-back; a share
``callback_acceptance`` accepts and leaves the inbound queue.  Per interval the
accepted share is the fixed point

    f = callback_acceptance * P(V > threshold | arrivals calls_offered * (1 - f))

where ``P(V > t)`` is the Erlang C / Erlang A offered-wait tail
(:func:`optimiser.queueing.erlang.wait_exceeds_probability`).  The right-hand side falls
as ``f`` rises (fewer inbound calls, shorter waits), so the fixed point is
unique and found by vectorised bisection.  The remaining inbound stream is
treated as Poisson (an approximation: callers are removed state-dependently;
the simulation in :mod:`optimiser.queueing.simulation` checks it).  Accepted calls
become deferred work of ``callback_aht_seconds`` each, to be done within
``callback_window_minutes`` of the caller's interval (or the same local day).

Deferred work is placed by *water-filling*: the most constrained task first
(narrowest window, then earliest deadline), each task's agent-minutes poured
into the lowest intervals of its window
(``earliest``..``latest``) until the level is even.  This levels the combined
requirement (inbound agents on the phone + deferred agents) greedily; it is
optimal for a single task and a good heuristic for many.  The scheduling MIP
can also place deferred work itself.

Chat with concurrency.  An agent holds up to ``concurrency`` chats at once.
We model each agent as ``concurrency`` independent "slots" and the chat queue
as M/M/s on slots with the chat's wall-clock duration (which should already
include the slowdown of multitasking), then ``agents = ceil(slots /
concurrency)``.  This is the standard slot approximation (Koole 2013, ch. 8;
Tezcan & Zhang 2014 give refinements with concurrency-dependent rates).

References
----------
.. [1] G. Koole, *Call Center Optimization*, MG books, 2013 (call-backs,
   multi-chat, deferred work / "blending").
.. [2] T. Tezcan, J. Zhang, "Routing and staffing in customer service chat
   systems with impatient customers", Operations Research 62(4), 2014.
.. [3] M. Armony, C. Maglaras, "On customer contact centers with a call-back
   option", Operations Research 52(2), 2004 (call-back offers under
   Erlang-type models).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimiser.queueing import erlang
from optimiser.queueing.on_phone import scheduled_from_on_phone
from optimiser.staffing.requirement import (AccessibilityTargets, binding_target, fractional_agents, meets_targets,
                                            required_agents, staffing_table)
from wfm.ground.errors import WfmInputError

__all__ = [
    "DeferredTask",
    "callback_fraction",
    "callback_offer",
    "callback_requirement",
    "water_fill",
    "place_deferred_work",
    "window_tasks",
    "chat_required_agents",
]


def _check_share(value, name, *, closed_top=True):
    ok = 0 <= value <= 1 if closed_top else 0 <= value < 1
    if not ok or value != value:
        raise WfmInputError(f"{name} must be in [0, 1], got {value!r}", parameter=name)


def _check_positive(value, name):
    if value is None or not (value > 0) or value == float("inf"):
        raise WfmInputError(f"{name} must be > 0 and finite, got {value!r}", parameter=name)


def callback_fraction(calls_offered, interval_minutes, aht_seconds, agents, *,
                      callback_threshold_seconds, callback_acceptance, patience_seconds=None,
                      iterations: int = 50) -> np.ndarray:
    """Share of offered calls that accept a call-back (the fixed point above).

    Parameters
    ----------
    calls_offered, aht_seconds, agents : float or array-like
        Per interval [calls], [s], [agents on the phone].
    interval_minutes : float
        Interval length [min].
    callback_threshold_seconds : float
        Offer when the offered wait would exceed this [s], >= 0.
    callback_acceptance : float
        Share of offered callers who accept, in [0, 1].
    patience_seconds : float, optional
        Mean patience [s]; None: Erlang C.

    Returns
    -------
    ndarray
        Accepted share ``f`` per interval, in ``[0, callback_acceptance]``.
    """
    _check_share(callback_acceptance, "callback_acceptance")
    if not callback_threshold_seconds >= 0:
        raise WfmInputError(f"callback_threshold_seconds must be >= 0, got {callback_threshold_seconds!r}")
    calls = np.atleast_1d(np.asarray(calls_offered, dtype=float))
    aht = np.broadcast_to(np.asarray(aht_seconds, dtype=float), calls.shape)
    n = np.broadcast_to(np.asarray(agents, dtype=float), calls.shape)
    lo = np.zeros(calls.shape)
    hi = np.full(calls.shape, float(callback_acceptance))
    if callback_acceptance == 0:
        return lo
    for _ in range(iterations):
        mid = (lo + hi) / 2
        tail = erlang.wait_exceeds_probability(calls * (1 - mid), interval_minutes, aht, n,
                                               callback_threshold_seconds, patience_seconds)
        g = callback_acceptance * np.asarray(tail) - mid  # decreasing in mid
        lo = np.where(g > 0, mid, lo)
        hi = np.where(g > 0, hi, mid)
    return (lo + hi) / 2


def callback_offer(calls_offered, interval_minutes, aht_seconds, agents, *, answer_within_seconds,
                   callback_threshold_seconds, callback_acceptance, patience_seconds=None) -> pd.DataFrame:
    """The inbound queue with and without a call-back offer, for given agents.

    Returns
    -------
    DataFrame
        Per interval: ``calls_offered``, ``callbacks_accepted`` [calls],
        ``inbound_calls`` (calls that stay in the queue), and for the queue
        without / with the offer: ``service_level_without``,
        ``service_level_with`` (share of inbound calls answered within T),
        ``asa_seconds_without/with``, ``abandon_rate_without/with``.
    """
    calls = np.atleast_1d(np.asarray(calls_offered, dtype=float))
    f = callback_fraction(calls, interval_minutes, aht_seconds, agents,
                          callback_threshold_seconds=callback_threshold_seconds,
                          callback_acceptance=callback_acceptance, patience_seconds=patience_seconds)
    before = erlang.queue_metrics(calls, interval_minutes, aht_seconds, agents,
                                  answer_within_seconds, patience_seconds)
    after = erlang.queue_metrics(calls * (1 - f), interval_minutes, aht_seconds, agents,
                                 answer_within_seconds, patience_seconds)
    return pd.DataFrame({
        "calls_offered": calls, "callbacks_accepted": calls * f, "inbound_calls": calls * (1 - f),
        "service_level_without": before["service_level"].to_numpy(),
        "service_level_with": after["service_level"].to_numpy(),
        "asa_seconds_without": before["asa_seconds"].to_numpy(),
        "asa_seconds_with": after["asa_seconds"].to_numpy(),
        "abandon_rate_without": before["abandon_rate"].to_numpy(),
        "abandon_rate_with": after["abandon_rate"].to_numpy(),
    })


# ---------------------------------------------------------------------------
# deferred work placement
# ---------------------------------------------------------------------------


def water_fill(levels: np.ndarray, amount: float) -> np.ndarray:
    """Add ``amount`` to the lowest entries of ``levels`` until they are even.

    Returns the additions (same shape, >= 0, summing to ``amount``): the level
    ``h`` solves ``sum(max(0, h - levels)) = amount``.
    """
    levels = np.asarray(levels, dtype=float)
    if amount <= 0 or levels.size == 0:
        return np.zeros(levels.shape)
    order = np.sort(levels)
    k = np.arange(1, order.size + 1)
    # level needed if the k lowest entries are filled: (amount + sum of k lowest) / k
    h = (amount + np.cumsum(order)) / k
    valid = np.append(h[:-1] <= order[1:], True)
    h_star = h[np.argmax(valid)]
    return np.maximum(h_star - levels, 0.0)


@dataclass(frozen=True)
class DeferredTask:
    """Deferred work with a deadline (a call-back batch, e-service reports, email).

    Parameters
    ----------
    name : str
        Label, e.g. ``"e-service reports 2025-03-03"``.
    work_minutes : float
        Agent-minutes of work [min], >= 0.
    earliest : pandas.Timestamp
        Earliest start (tz-aware).
    latest : pandas.Timestamp
        Deadline (tz-aware): the work must be done before it.
    """

    name: str
    work_minutes: float
    earliest: pd.Timestamp
    latest: pd.Timestamp

    def __post_init__(self):
        if not (self.work_minutes >= 0) or self.work_minutes == float("inf"):
            raise WfmInputError(f"work_minutes of task {self.name!r} must be >= 0 and finite, "
                                f"got {self.work_minutes!r}")
        for attr in ("earliest", "latest"):
            t = pd.Timestamp(getattr(self, attr))
            if t.tzinfo is None:
                raise WfmInputError(f"{attr} of task {self.name!r} must be tz-aware, got {t}")
            object.__setattr__(self, attr, t)
        if not self.latest > self.earliest:
            raise WfmInputError(f"latest must be after earliest in task {self.name!r}, got "
                                f"{self.earliest.isoformat()} .. {self.latest.isoformat()}")


def place_deferred_work(base_agents: pd.Series, tasks: list[DeferredTask], interval_minutes: int,
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Place deferred tasks into the quietest feasible intervals (water-filling).

    Tasks are taken narrowest window first (then earliest deadline), so a task
    that can only go in a few intervals is not crowded out by a flexible one.

    Parameters
    ----------
    base_agents : Series
        Inbound agents needed per interval (index: tz-aware interval starts).
    tasks : list of DeferredTask
        Work to place; an interval is feasible for a task when it lies wholly
        inside ``[earliest, latest)``.
    interval_minutes : int
        Interval length [min].

    Returns
    -------
    (DataFrame, DataFrame)
        Per interval: ``base_agents``, ``deferred_agents`` (work minutes /
        interval minutes), ``total_agents``; and per task x interval the
        ``work_minutes`` placed.
    """
    if not isinstance(base_agents.index, pd.DatetimeIndex) or base_agents.index.tz is None:
        raise WfmInputError("base_agents must be indexed by tz-aware interval starts")
    starts = base_agents.index
    ends = starts + pd.Timedelta(minutes=interval_minutes)
    level = base_agents.to_numpy(dtype=float).copy()
    added = np.zeros(level.shape)
    rows = []
    # most constrained first: narrowest window, then earliest deadline
    for task in sorted(tasks, key=lambda t: (t.latest - t.earliest, t.latest, t.earliest)):
        if task.work_minutes == 0:
            continue
        window = np.flatnonzero((starts >= task.earliest) & (ends <= task.latest))
        if window.size == 0:
            raise WfmInputError(f"task {task.name!r}: no whole interval between "
                                f"{task.earliest.isoformat()} and {task.latest.isoformat()}")
        add = water_fill(level[window], task.work_minutes / interval_minutes)
        level[window] += add
        added[window] += add
        for j, a in zip(window, add):
            if a > 0:
                rows.append((task.name, starts[j], a * interval_minutes))
    per_interval = pd.DataFrame({"base_agents": base_agents.to_numpy(dtype=float),
                                 "deferred_agents": added, "total_agents": level}, index=starts)
    placements = pd.DataFrame(rows, columns=["task", "interval_start", "work_minutes"])
    return per_interval, placements


def window_tasks(starts: pd.DatetimeIndex, work_minutes: np.ndarray, interval_minutes: int,
                 window_minutes: float | None, label: str) -> list[DeferredTask]:
    """One :class:`DeferredTask` per interval with work, due ``window_minutes`` after the interval ends.

    ``window_minutes`` None: due at the next local midnight (the same local day,
    DST-safe).  Never due past the last interval of ``starts``; at least one interval long.
    Labels are ``"{label} {interval start}"``.
    """
    tasks = []
    step = pd.Timedelta(minutes=interval_minutes)
    for t, w in zip(starts, work_minutes):
        if w <= 0:
            continue
        if window_minutes is None:  # same local day (DST-safe: next local midnight)
            latest = (t.tz_localize(None).normalize() + pd.Timedelta(days=1)).tz_localize(t.tz)
        else:
            latest = t + step + pd.Timedelta(minutes=window_minutes)
        latest = min(latest, starts[-1] + step)
        tasks.append(DeferredTask(f"{label} {t.isoformat()}", float(w), t, max(latest, t + step)))
    return tasks


def _offer_evaluation(calls, im, aht, targets: AccessibilityTargets, threshold_seconds, acceptance):
    """``evaluate(agents) -> (accepted share, measures of the inbound queue, meets the targets)``."""
    T = 0.0 if targets.answer_within_seconds is None else targets.answer_within_seconds
    pat = targets.patience_seconds

    def evaluate(n):
        f = callback_fraction(calls, im, aht, n, callback_threshold_seconds=threshold_seconds,
                              callback_acceptance=acceptance, patience_seconds=pat)
        res = erlang.queue_measures(calls * (1 - f), np.full(calls.shape, float(im)), aht, n.astype(float),
                                    np.full(calls.shape, np.inf if pat is None else float(pat)),
                                    np.full(calls.shape, float(T)), None)
        return f, res, meets_targets(res, targets)
    return evaluate


def _inbound_agents_with_offer(g: pd.DataFrame, im: int, targets: AccessibilityTargets, threshold_seconds: float,
                               acceptance: float):
    """The fewest inbound agents meeting the targets with the offer: bisection below the no-offer requirement.

    Each candidate is evaluated at its own call-back fixed point.  Returns the agents,
    the accepted share, the measures at those agents and the fractional agents.
    """
    calls = g["calls_offered"].to_numpy(float)
    aht = np.where(np.isnan(g["aht_seconds"].to_numpy(float)), 1.0, g["aht_seconds"].to_numpy(float))
    evaluate = _offer_evaluation(calls, im, aht, targets, threshold_seconds, acceptance)
    hi = g["agents_on_phone"].to_numpy(float)
    lo = np.full(hi.shape, -1.0)
    while np.any(hi - lo > 1):
        active = hi - lo > 1
        mid = np.where(active, np.floor((lo + hi) / 2), hi)
        _, _, ok = evaluate(np.maximum(mid, 0))
        ok = ok | (mid < 0)
        hi = np.where(active & ok, mid, hi)
        lo = np.where(active & ~ok, mid, lo)
    n = hi
    f, res, _ = evaluate(n)
    _, res_below, _ = evaluate(np.maximum(n - 1.0, 0.0))
    erlang_c_mode = np.full(n.shape, targets.patience_seconds is None or np.isinf(targets.patience_seconds))
    frac = fractional_agents(n, res, res_below, res["load_erlangs"], erlang_c_mode, targets)
    res["binding_target"] = binding_target(n, res, res_below, targets)
    return n, f, res, frac


def _queue_with_offer(queue, g: pd.DataFrame, im: int, targets: AccessibilityTargets, *, threshold_seconds,
                      acceptance, window_minutes, callback_aht_seconds) -> pd.DataFrame:
    """One queue's requirement columns with the offer, its call-back work placed within its window."""
    n, f, res, frac = _inbound_agents_with_offer(g, im, targets, threshold_seconds, acceptance)
    calls = g["calls_offered"].to_numpy(float)
    aht = np.where(np.isnan(g["aht_seconds"].to_numpy(float)), 1.0, g["aht_seconds"].to_numpy(float))
    shr = g["shrinkage"].to_numpy(float)
    accepted = calls * f
    cb_aht = aht if callback_aht_seconds is None else np.full(calls.shape, callback_aht_seconds)
    work = accepted * cb_aht / 60.0
    starts = pd.DatetimeIndex(g["interval_start"])
    tasks = window_tasks(starts, work, im, window_minutes, f"call-backs {queue}")
    per_interval, _ = place_deferred_work(pd.Series(n, index=starts), tasks, im)
    cb_agents = per_interval["deferred_agents"].to_numpy()
    return pd.DataFrame({
        "interval_start": g["interval_start"].to_numpy(), "queue": queue,
        "calls_offered": calls, "aht_seconds": g["aht_seconds"].to_numpy(float),
        "load_erlangs": res["load_erlangs"], "agents_on_phone": n.astype(np.int64),
        "agents_required": scheduled_from_on_phone(n + cb_agents, shr, rounding="up").astype(np.int64),
        # inbound part interpolated between n - 1 and n as in required_agents
        "agents_required_fractional": scheduled_from_on_phone(frac + cb_agents, shr),
        "service_level": res["service_level"], "asa_seconds": res["asa_seconds"],
        "p_wait": res["p_wait"], "abandon_rate": res["abandon_rate"],
        "occupancy": res["occupancy"], "shrinkage": shr,
        "answer_within_seconds": g["answer_within_seconds"].to_numpy(),
        "target_service_level": g["target_service_level"].to_numpy(),
        "patience_seconds": g["patience_seconds"].to_numpy(),
        "binding_target": res["binding_target"],
        "callbacks_accepted": accepted, "inbound_calls": calls - accepted,
        "agents_on_phone_without_offer": g["agents_on_phone"].to_numpy(),
        "agents_required_without_offer": g["agents_required"].to_numpy(),
        "callback_work_minutes": work, "callback_agents": cb_agents,
    })


def callback_requirement(forecast_df: pd.DataFrame, targets: AccessibilityTargets, *,
                         callback_threshold_seconds: float, callback_acceptance: float,
                         callback_window_minutes: float | None = 120.0,
                         callback_aht_seconds: float | None = None,
                         interval_minutes: int | None = None, source: str = "forecast") -> pd.DataFrame:
    """Requirement table with a call-back offer, call-back work placed in quiet intervals.

    Per queue: the fewest inbound agents meeting the targets for the calls
    that stay in the queue (bisection below the no-offer requirement, each
    candidate evaluated at its own call-back fixed point), then the call-back
    work (accepted calls x ``callback_aht_seconds``, default the interval's
    AHT) is water-filled within ``callback_window_minutes`` after the caller's
    interval (``None``: until the end of the local day), never past the last
    forecast interval.

    Returns
    -------
    DataFrame
        The requirement columns (:data:`REQUIREMENT_COLUMNS`: measures are those
        of the inbound queue with the offer; ``agents_required`` includes the
        placed call-back work) followed by ``callbacks_accepted`` [calls],
        ``inbound_calls`` [calls], ``agents_on_phone_without_offer``,
        ``agents_required_without_offer``, ``callback_work_minutes`` (work
        created by the interval's callers) and ``callback_agents`` (work
        placed in the interval, in agents).  ``attrs['summary']`` has the peak
        agents with and without the offer and the work moved.
    """
    _check_share(callback_acceptance, "callback_acceptance")
    if not callback_threshold_seconds >= 0:
        raise WfmInputError(f"callback_threshold_seconds must be >= 0, got {callback_threshold_seconds!r}",
                            parameter="callback_threshold_seconds")
    if callback_window_minutes is not None:
        _check_positive(callback_window_minutes, "callback_window_minutes")
    if callback_aht_seconds is not None:
        _check_positive(callback_aht_seconds, "callback_aht_seconds")
    base = staffing_table(forecast_df, targets, interval_minutes=interval_minutes, source=source)
    im = base.attrs["interval_minutes"]
    out = pd.concat([_queue_with_offer(queue, g.sort_values("interval_start"), im, targets,
                                       threshold_seconds=callback_threshold_seconds, acceptance=callback_acceptance,
                                       window_minutes=callback_window_minutes,
                                       callback_aht_seconds=callback_aht_seconds)
                     for queue, g in base.groupby("queue", sort=False)], ignore_index=True)
    out["interval_start"] = pd.DatetimeIndex(out["interval_start"]).tz_convert(
        base["interval_start"].dt.tz)
    placed_elsewhere = float(np.maximum(out["callback_agents"] * im - out["callback_work_minutes"], 0).sum())
    out.attrs["interval_minutes"] = im
    out.attrs["summary"] = {
        "peak_agents_required_without_offer": int(out["agents_required_without_offer"].max()),
        "peak_agents_required_with_offer": int(out["agents_required"].max()),
        "callbacks_accepted": float(out["callbacks_accepted"].sum()),
        "callback_work_minutes": float(out["callback_work_minutes"].sum()),
        "work_minutes_moved_to_other_intervals": placed_elsewhere,
    }
    return out


# ---------------------------------------------------------------------------
# chat
# ---------------------------------------------------------------------------


def chat_required_agents(chats_offered, interval_minutes, chat_duration_seconds, concurrency, *,
                         answer_within_seconds=None, target_service_level=None,
                         max_asa_seconds=None, max_abandon_rate=None, max_occupancy=None,
                         patience_seconds=None, shrinkage=0.0) -> pd.DataFrame:
    """Agents for a chat queue where each agent handles ``concurrency`` chats at once.

    Slot model: ``slots`` = Erlang C/A requirement with the chat's wall-clock
    duration as handle time, agents = ``ceil(slots / concurrency)``.

    Parameters
    ----------
    chats_offered : float, array-like or Series
        Chats per interval.
    interval_minutes : float
        Interval length [min].
    chat_duration_seconds : float, array-like or Series
        Mean wall-clock duration of one chat when handled concurrently [s].
    concurrency : int
        Chats one agent holds at once, >= 1.
    Other parameters
        As in :func:`optimiser.staffing.requirement.required_agents`.

    Returns
    -------
    DataFrame
        ``required_agents`` columns for slots (``agents_on_phone`` = slots)
        plus ``chat_slots`` and ``chat_agents`` = ceil(slots / concurrency),
        ``chat_agents_required`` = ceil(chat_agents / (1 - shrinkage)).
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, (int, np.integer)) or concurrency < 1:
        raise WfmInputError(f"concurrency must be a whole number >= 1, got {concurrency!r}")
    req = required_agents(chats_offered, interval_minutes, chat_duration_seconds,
                          answer_within_seconds=answer_within_seconds,
                          target_service_level=target_service_level, max_asa_seconds=max_asa_seconds,
                          max_abandon_rate=max_abandon_rate, max_occupancy=max_occupancy,
                          patience_seconds=patience_seconds, shrinkage=shrinkage)
    req["chat_slots"] = req["agents_on_phone"]
    req["chat_agents"] = np.ceil(req["agents_on_phone"] / concurrency).astype(np.int64)
    req["chat_agents_required"] = scheduled_from_on_phone(
        req["chat_agents"], req["shrinkage"], rounding="up").astype(np.int64)
    return req
