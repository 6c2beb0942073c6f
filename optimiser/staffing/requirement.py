"""Inverse staffing: the fewest agents per interval that meet accessibility targets.

``required_agents`` searches, for every interval at once, the smallest integer
number of agents on the phone that meets *every* target given (service level
within T seconds, average speed of answer, abandonment, occupancy), by a
vectorised bracket-and-bisect over integer arrays (each step evaluates the
queue formulas of :mod:`optimiser.queueing.erlang` for all intervals together; the
measures are monotone in the number of agents).  Shrinkage turns agents on the
phone into agents scheduled: ``agents_required = ceil(agents_on_phone / (1 -
shrinkage))`` (:func:`optimiser.queueing.on_phone.scheduled_from_on_phone`, rounded up).

``agents_required_fractional`` is the continuous requirement handed to the
optimiser: the binding target's measure is interpolated linearly between
``agents_on_phone - 1`` and ``agents_on_phone`` and the crossing point is divided
by ``1 - shrinkage`` (scheduled agents).  For Erlang C it is never below the
load (the queue needs ``agents > load`` to be stable).

References
----------
.. [1] G. Koole, *Call Center Mathematics*, 2007, ch. 4 (staffing with Erlang C).
.. [2] O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with
   impatient customers", MSOM 4(3), 2002.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from optimiser.queueing import erlang
from optimiser.queueing.on_phone import scheduled_from_on_phone
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import MAX_AGENTS
from wfm.ground.timegrid import interval_minutes_of

__all__ = [
    "AccessibilityTargets",
    "REQUIREMENT_COLUMNS",
    "required_agents",
    "service_level_curve",
    "staffing_table",
    "meets_targets",
    "fractional_agents",
    "binding_target",
    "BINDING_TARGETS",
]

#: Column order of the requirement CSV (shared contract with scheduling).
REQUIREMENT_COLUMNS: tuple[str, ...] = (
    "interval_start", "queue", "calls_offered", "aht_seconds", "load_erlangs",
    "agents_on_phone", "agents_required", "agents_required_fractional", "service_level",
    "asa_seconds", "p_wait", "abandon_rate", "occupancy", "shrinkage",
    "answer_within_seconds", "target_service_level", "patience_seconds", "binding_target",
)

_MAX_AGENTS = MAX_AGENTS  # the ground's ceiling (wfm.ground.frames)


def _fail(name, value, rule):
    if isinstance(value, (np.floating, np.integer)):
        value = value.item()
    raise WfmInputError(f"{name} must be {rule}, got {value!r}", parameter=name)


@dataclass(frozen=True)
class AccessibilityTargets:
    """Accessibility targets for one queue, validated on construction.

    Parameters
    ----------
    answer_within_seconds : float or None
        Service-level threshold T [s]; required with ``target_service_level``.
    target_service_level : float or None
        Share of offered calls to answer within T, in (0, 1).
    max_asa_seconds : float or None
        Upper bound on the average speed of answer of answered calls [s], > 0.
    max_abandon_rate : float or None
        Upper bound on the share of offered calls that hang up, in (0, 1);
        needs ``patience_seconds``.
    max_occupancy : float or None
        Upper bound on agent occupancy, in (0, 1].
    patience_seconds : float or None
        Mean caller patience [s] (Erlang A); None: infinite (Erlang C).
    shrinkage : float
        Share of paid time not on the phone, in [0, 1).
    """

    answer_within_seconds: float | None = None
    target_service_level: float | None = None
    max_asa_seconds: float | None = None
    max_abandon_rate: float | None = None
    max_occupancy: float | None = None
    patience_seconds: float | None = None
    shrinkage: float = 0.0

    def __post_init__(self):
        def num(name):
            v = getattr(self, name)
            if v is None:
                return None
            if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or math.isnan(v):
                _fail(name, v, "a number")
            return float(v)

        tsl, T = num("target_service_level"), num("answer_within_seconds")
        if tsl is not None and not 0 < tsl < 1:
            _fail("target_service_level", tsl, "in (0, 1) (a share, e.g. 0.8; 1 is unreachable)")
        if T is not None and not (0 <= T < math.inf):
            _fail("answer_within_seconds", T, ">= 0 and finite")
        if tsl is not None and T is None:
            raise WfmInputError("target_service_level needs answer_within_seconds (the T in "
                                "'80 % within T seconds')")
        asa = num("max_asa_seconds")
        if asa is not None and not (0 < asa < math.inf):
            _fail("max_asa_seconds", asa, "> 0 and finite")
        ab = num("max_abandon_rate")
        if ab is not None and not 0 < ab < 1:
            _fail("max_abandon_rate", ab, "in (0, 1)")
        occ = num("max_occupancy")
        if occ is not None and not 0 < occ <= 1:
            _fail("max_occupancy", occ, "in (0, 1]")
        pat = num("patience_seconds")
        if pat is not None and not pat > 0:
            _fail("patience_seconds", pat, "> 0 (None for infinitely patient callers)")
        shr = num("shrinkage")
        if shr is None or not 0 <= shr < 1:
            _fail("shrinkage", self.shrinkage, "in [0, 1)")
        if ab is not None and (pat is None or math.isinf(pat)):
            raise WfmInputError("max_abandon_rate needs patience_seconds: without patience "
                                "nobody hangs up (Erlang C)")
        if tsl is None and asa is None and ab is None and occ is None:
            raise WfmInputError("give at least one target: target_service_level (with "
                                "answer_within_seconds), max_asa_seconds, max_abandon_rate or "
                                "max_occupancy")

    def as_kwargs(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _broadcast_series(value, name, n, index):
    """Scalar or per-interval array/Series -> float array of length n."""
    if isinstance(value, pd.Series):
        if index is not None and not value.index.equals(index):
            raise WfmInputError(f"{name} is a Series whose index differs from calls_offered's")
        arr = value.to_numpy(dtype=float, na_value=np.nan)
    else:
        arr = np.asarray(value, dtype=float)
    try:
        return np.broadcast_to(arr, (n,)).astype(float)
    except ValueError as exc:
        raise WfmInputError(f"{name} has {arr.size} values, expected 1 or {n}") from exc


def _evaluate(calls, interval_minutes, aht, n, T, patience, with_asa=True):
    return erlang.queue_measures(calls, interval_minutes, aht, n.astype(float), patience, T, None, with_asa)


def meets_targets(measures: dict, targets: AccessibilityTargets) -> np.ndarray:
    """Per interval, whether the queue measures meet every target given.

    ``measures`` are arrays by name as :func:`optimiser.queueing.erlang.queue_measures`
    returns them (``service_level``, ``asa_seconds``, ``abandon_rate``, ``occupancy``,
    and ``stable``: an unstable Erlang C queue meets no target).  Ties count as met
    (1e-12 on the service level, 1e-15 on abandonment and occupancy: float noise).
    """
    ok = np.array(measures.get("stable", True), dtype=bool, copy=True)
    ok = np.broadcast_to(ok, np.shape(measures["service_level"])).copy()
    if targets.target_service_level is not None:
        ok &= measures["service_level"] >= targets.target_service_level - 1e-12
    if targets.max_asa_seconds is not None:
        ok &= measures["asa_seconds"] <= targets.max_asa_seconds
    if targets.max_abandon_rate is not None:
        ok &= measures["abandon_rate"] <= targets.max_abandon_rate + 1e-15
    if targets.max_occupancy is not None:
        ok &= measures["occupancy"] <= targets.max_occupancy + 1e-15
    return ok


def required_agents(calls_offered, interval_minutes, aht_seconds, *, answer_within_seconds=None,
                    target_service_level=None, max_asa_seconds=None, max_abandon_rate=None,
                    max_occupancy=None, patience_seconds=None, shrinkage=0.0) -> pd.DataFrame:
    """Fewest agents per interval meeting every target given.

    Parameters
    ----------
    calls_offered : float, array-like or Series
        Calls offered per interval [calls], >= 0.
    interval_minutes : float
        Interval length [min], > 0.
    aht_seconds : float, array-like or Series
        Average handle time [s], > 0.
    answer_within_seconds : float, optional
        Service-level threshold T [s].
    target_service_level : float, optional
        Share of offered calls answered within T, in (0, 1).
    max_asa_seconds : float, optional
        Maximum average speed of answer [s].
    max_abandon_rate : float, optional
        Maximum share of offered calls abandoning, in (0, 1); needs patience.
    max_occupancy : float, optional
        Maximum occupancy, in (0, 1].
    patience_seconds : float, optional
        Mean exponential patience [s]; None: Erlang C.
    shrinkage : float, array-like or Series
        Share of scheduled time off the phone, in [0, 1), scalar or per interval.

    Returns
    -------
    DataFrame
        One row per interval (index kept when a Series is passed) with
        ``calls_offered, aht_seconds, load_erlangs, agents_on_phone,
        agents_required, agents_required_fractional, service_level,
        asa_seconds, p_wait, abandon_rate, occupancy, shrinkage, binding_target``: the
        working, measures evaluated at ``agents_on_phone``, and which target sets the number
        (:func:`binding_target`).  Zero calls need 0 agents.
    """
    targets = AccessibilityTargets(answer_within_seconds, target_service_level, max_asa_seconds,
                                   max_abandon_rate, max_occupancy, patience_seconds,
                                   0.0 if not np.isscalar(shrinkage) else shrinkage)
    arrays, index, _ = erlang.validate_queue_inputs(calls_offered, interval_minutes, aht_seconds, None)
    calls = np.atleast_1d(np.array(arrays["calls_offered"], dtype=float)).ravel()
    n_int = calls.size
    im = np.broadcast_to(np.atleast_1d(arrays["interval_minutes"]).ravel(), (n_int,)).astype(float) \
        if np.atleast_1d(arrays["interval_minutes"]).size in (1, n_int) else None
    if im is None:
        raise WfmInputError("interval_minutes must be a scalar or one value per interval")
    aht = np.broadcast_to(np.atleast_1d(arrays["aht_seconds"]).ravel(), (n_int,)).astype(float)
    shr = _broadcast_series(shrinkage, "shrinkage", n_int, index)
    bad = ~((shr >= 0) & (shr < 1))
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        where = f"index {index[pos]!r}" if index is not None else f"position {pos}"
        raise WfmInputError(f"shrinkage must be in [0, 1), got {shr[pos]:g} at {where}")
    T = np.full(n_int, 0.0 if answer_within_seconds is None else float(answer_within_seconds))
    pat = np.full(n_int, np.inf if patience_seconds is None else float(patience_seconds))

    load = calls * aht / (60.0 * im)
    erlang_c_mode = ~np.isfinite(pat)
    if targets.max_abandon_rate is None and erlang_c_mode.all():
        n, at, below = _erlang_c_search(load, aht, T, targets)
    else:
        n, at, below = _bisect_search(calls, im, aht, load, T, pat, erlang_c_mode, targets)
    frac = fractional_agents(n, at, below, load, erlang_c_mode, targets)
    binding = binding_target(n, at, below, targets)
    required = scheduled_from_on_phone(n, shr, rounding="up")
    frame = pd.DataFrame({
        "calls_offered": calls, "aht_seconds": aht, "load_erlangs": load,
        "agents_on_phone": n.astype(np.int64), "agents_required": required.astype(np.int64),
        "agents_required_fractional": scheduled_from_on_phone(frac, shr),
        "service_level": at["service_level"], "asa_seconds": at["asa_seconds"],
        "p_wait": at["p_wait"], "abandon_rate": at["abandon_rate"],
        "occupancy": at["occupancy"], "shrinkage": shr, "binding_target": binding,
    })
    if index is not None and len(index) == len(frame):
        frame.index = index
    return frame


def _bisect_search(calls, im, aht, load, T, pat, erlang_c_mode, targets):
    """General search (Erlang A or C): bracket by doubling, then bisect, all intervals at once."""
    # lower bound that is known to fail (or -1): Erlang C needs agents > load
    lo = np.where(erlang_c_mode, np.ceil(load) - 1.0, -1.0)
    zero = load <= 1e-250  # no calls (same threshold as optimiser.queueing.erlang)
    lo = np.where(zero, -1.0, lo)
    lo = np.maximum(lo, -1.0)
    # upper bracket: square-root staffing guess, doubled until it meets
    hi = np.maximum(np.ceil(load + 3.0 * np.sqrt(load) + 1.0), lo + 1.0)
    hi = np.where(zero, 0.0, hi)
    with_asa = targets.max_asa_seconds is not None
    for _ in range(40):
        ok = meets_targets(_evaluate(calls, im, aht, hi, T, pat, with_asa), targets)
        if ok.all():
            break
        lo = np.where(ok, lo, hi)
        hi = np.where(ok, hi, np.minimum(2.0 * hi + 1.0, _MAX_AGENTS))
        if np.any(~ok & (lo >= _MAX_AGENTS)):
            pos = int(np.flatnonzero(~ok & (lo >= _MAX_AGENTS))[0])
            raise WfmInputError(f"targets cannot be met with {_MAX_AGENTS} agents at interval "
                                f"{pos} (calls_offered {calls[pos]:g}, aht_seconds {aht[pos]:g})")
    # bisect: lo fails (or is -1), hi meets
    while np.any(hi - lo > 1):
        mid = np.floor((lo + hi) / 2.0)
        active = hi - lo > 1
        ok = meets_targets(_evaluate(calls, im, aht, np.where(active, mid, hi), T, pat, with_asa), targets)
        hi = np.where(active & ok, mid, hi)
        lo = np.where(active & ~ok, mid, lo)
    n = hi
    at = _evaluate(calls, im, aht, n, T, pat)
    below = _evaluate(calls, im, aht, np.maximum(n - 1.0, 0.0), T, pat, with_asa)
    return n, at, below


def _erlang_c_search(load, aht, T, targets):
    """Erlang C fast path: walk up from the stability bound with the Erlang B recursion.

    Starts at ``n0 = floor(load) + 1`` with one incomplete-gamma evaluation of
    B(n0), then ``B(n+1) = a B(n) / (n + 1 + a B(n))`` (Koole, ch. 4) for every
    interval at once until each interval meets its targets.  Typically
    ``n - load`` is a few times ``sqrt(load)``, so a few dozen array steps.
    Returns the agents and the measures at n and n - 1.
    """
    a = load
    zero = a <= 1e-250
    n = np.where(zero, 0.0, np.floor(a) + 1.0)
    B = np.exp(erlang.log_erlang_b(a, n))
    size = a.shape
    res_n = np.zeros(size)
    keys = ("service_level", "asa_seconds", "p_wait", "occupancy")
    at = {"service_level": np.ones(size), "asa_seconds": np.zeros(size), "p_wait": np.zeros(size),
          "occupancy": np.zeros(size), "abandon_rate": np.zeros(size)}
    below = {"service_level": np.zeros(size), "asa_seconds": np.full(size, np.inf),
             "p_wait": np.ones(size), "occupancy": np.ones(size), "abandon_rate": np.zeros(size)}
    prev = {"service_level": np.zeros(size), "asa_seconds": np.full(size, np.inf),
            "p_wait": np.ones(size), "occupancy": np.ones(size)}
    found = zero.copy()
    safe_n = np.where(zero, 1.0, n)
    for _ in range(_MAX_AGENTS):
        if found.all():
            break
        gap = np.where(zero, 1.0, safe_n - a)
        rho = a / safe_n
        C = np.clip(B / (1.0 - rho * (1.0 - B)), 0.0, 1.0)
        tail = C * np.exp(-gap * T / aht)
        cur = {"service_level": np.clip(1.0 - tail, 0.0, 1.0), "asa_seconds": C * aht / gap,
               "p_wait": C, "occupancy": rho}
        ok = ~found & meets_targets(cur, targets)  # n > load here: stable
        if ok.any():
            res_n[ok] = safe_n[ok]
            for k in keys:
                at[k][ok] = cur[k][ok]
                below[k][ok] = prev[k][ok]
            found |= ok
        prev = cur
        aB = a * B
        B = aB / (safe_n + 1.0 + aB)
        safe_n = safe_n + 1.0
    else:  # pragma: no cover - needs > 200,000 agents
        raise WfmInputError(f"targets cannot be met with {_MAX_AGENTS} agents")
    return res_n, at, below


#: The targets :func:`binding_target` names, in the order a tie is resolved; ``none`` for an interval
#: without calls, ``load`` where only the queue's stability (Erlang C: more agents than the load) binds.
BINDING_TARGETS: tuple[str, ...] = ("service_level", "abandon_rate", "occupancy", "asa", "load", "none")


def _crossings(n, at, below, targets: AccessibilityTargets) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Per target given: its code, where it fails at ``n - 1`` agents, and the fractional agents at which
    its measure crosses the target between ``n - 1`` and ``n`` (linear interpolation)."""
    checks = []
    if targets.target_service_level is not None:
        checks.append(("service_level", below["service_level"], at["service_level"], targets.target_service_level,
                       True))
    if targets.max_abandon_rate is not None:
        checks.append(("abandon_rate", below["abandon_rate"], at["abandon_rate"], targets.max_abandon_rate, False))
    if targets.max_occupancy is not None:
        checks.append(("occupancy", below["occupancy"], at["occupancy"], targets.max_occupancy, False))
    if targets.max_asa_seconds is not None:
        checks.append(("asa", below["asa_seconds"], at["asa_seconds"], targets.max_asa_seconds, False))
    out = []
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for code, m0, m1, target, increasing in checks:
            fails = ((m0 < target - 1e-12) if increasing else (m0 > target)) & (n > 0)
            step = (target - m0) / (m1 - m0)
            step = np.where(np.isfinite(step), np.clip(step, 0.0, 1.0), 1.0)
            out.append((code, fails, n - 1.0 + step))
    return out


def fractional_agents(n, at, below, load, erlang_c_mode, targets: AccessibilityTargets) -> np.ndarray:
    """The continuous requirement: the binding target's crossing between ``n - 1`` and ``n`` agents.

    Parameters
    ----------
    n : ndarray
        Whole agents on the phone meeting every target (``n - 1`` does not) [agents].
    at, below : dict of ndarray
        Queue measures at ``n`` and at ``n - 1`` agents (as :func:`meets_targets` reads them).
    load : ndarray
        Offered load [Erlangs].
    erlang_c_mode : ndarray of bool
        Intervals without patience: the result is never below the load (stability).
    targets : AccessibilityTargets
        The targets.

    Returns
    -------
    ndarray
        Fractional agents on the phone in ``[n - 1, n]`` (0 where ``n`` is 0).
    """
    frac = np.where(n > 0, n - 1.0, 0.0)
    for _, fails, crossing in _crossings(n, at, below, targets):
        frac = np.where(fails, np.maximum(frac, crossing), frac)
    frac = np.where(erlang_c_mode & (n > 0), np.maximum(frac, np.minimum(load, n)), frac)
    return np.where(n > 0, frac, 0.0)


def binding_target(n, at, below, targets: AccessibilityTargets) -> np.ndarray:
    """Which target sets the requirement of each interval ("why this many").

    Of the targets that ``n - 1`` agents miss, the one whose measure crosses its target last between
    ``n - 1`` and ``n`` agents (the one :func:`fractional_agents` follows); ties go to the first of
    :data:`BINDING_TARGETS`.  An interval that needs no agent gives ``none``; one where ``n - 1`` agents
    meet every target given but cannot keep the queue stable (Erlang C) gives ``load``.

    Returns
    -------
    ndarray of str
        One code of :data:`BINDING_TARGETS` per interval.
    """
    n = np.asarray(n, dtype=float)
    code = np.where(n > 0, "load", "none").astype(object)
    best = np.full(n.shape, -np.inf)
    for name, fails, crossing in _crossings(n, at, below, targets):
        take = fails & (crossing > best + 1e-12)
        code = np.where(take, name, code)
        best = np.where(take, crossing, best)
    return code.astype(str)


def service_level_curve(calls_offered, interval_minutes, aht_seconds, agents_range,
                        answer_within_seconds, patience_seconds=None) -> pd.DataFrame:
    """Service level (and the other measures) per interval for a range of agents.

    Parameters
    ----------
    calls_offered, aht_seconds : array-like or Series
        Per-interval calls [calls] and average handle time [s].
    interval_minutes : float
        Interval length [min].
    agents_range : iterable of int
        Agents on the phone to evaluate, e.g. ``range(0, 60)``.
    answer_within_seconds : float
        Threshold T [s].
    patience_seconds : float, optional
        Mean patience [s]; None for Erlang C.

    Returns
    -------
    DataFrame
        Long frame, one row per interval x agents: ``interval`` (the input's
        index label, or position), ``agents``, ``service_level``,
        ``asa_seconds``, ``abandon_rate``, ``occupancy``, ``p_wait``.
    """
    agents = np.asarray(list(agents_range), dtype=float)
    if agents.size == 0:
        raise WfmInputError("agents_range must not be empty")
    erlang.check_range(agents, "agents_range", None, low=0, low_inclusive=True)
    calls_s = calls_offered if isinstance(calls_offered, pd.Series) else pd.Series(
        np.atleast_1d(np.asarray(calls_offered, dtype=float)))
    labels = calls_s.index
    calls = np.repeat(calls_s.to_numpy(dtype=float), agents.size)
    aht_arr = aht_seconds.to_numpy(dtype=float) if isinstance(aht_seconds, pd.Series) \
        else np.asarray(aht_seconds, dtype=float)
    aht = np.repeat(np.broadcast_to(aht_arr, (len(calls_s),)), agents.size)
    m = erlang.queue_metrics(calls, interval_minutes, aht, np.tile(agents, len(calls_s)),
                             answer_within_seconds, patience_seconds)
    return pd.DataFrame({
        "interval": np.repeat(np.asarray(labels, dtype=object), agents.size),
        "agents": np.tile(agents, len(calls_s)).astype(np.int64),
        "service_level": m["service_level"].to_numpy(),
        "asa_seconds": m["asa_seconds"].to_numpy(),
        "abandon_rate": m["abandon_rate"].to_numpy(),
        "occupancy": m["occupancy"].to_numpy(),
        "p_wait": m["p_wait"].to_numpy(),
    })


def staffing_table(forecast_df: pd.DataFrame, targets: AccessibilityTargets, *,
                   interval_minutes: int | None = None, source: str = "forecast") -> pd.DataFrame:
    """The requirement table (requirement CSV columns) for a forecast frame.

    Parameters
    ----------
    forecast_df : DataFrame
        Long forecast frame with at least ``interval_start`` (tz-aware),
        ``queue``, ``calls_offered`` and ``aht_seconds``.
    targets : AccessibilityTargets
        The targets; its ``shrinkage`` applies to every interval unless the
        frame has a ``shrinkage`` column (per interval).
    interval_minutes : int, optional
        Interval length [min]; inferred from the frame when omitted.
    source : str
        Name used in error messages (e.g. the file name).

    Returns
    -------
    DataFrame
        Columns :data:`REQUIREMENT_COLUMNS`, one row per forecast row, same
        order.  Rows with zero calls may have a missing ``aht_seconds``
        (kept missing in the output); they need 0 agents.
    """
    if not isinstance(targets, AccessibilityTargets):
        raise WfmInputError("targets must be an AccessibilityTargets")
    missing = [c for c in ("interval_start", "queue", "calls_offered", "aht_seconds")
               if c not in forecast_df.columns]
    if missing:
        raise WfmInputError(f"{source} lacks column(s) {', '.join(missing)}")
    ts = forecast_df["interval_start"]
    if not isinstance(ts.dtype, pd.DatetimeTZDtype):
        raise WfmInputError(f"{source}: interval_start must be tz-aware timestamps, got dtype {ts.dtype}")
    if len(forecast_df) == 0:
        raise WfmInputError(f"{source} has no rows")
    im = interval_minutes if interval_minutes is not None else interval_minutes_of(forecast_df, what=source)
    calls = pd.to_numeric(forecast_df["calls_offered"], errors="coerce").to_numpy(dtype=float)
    aht = pd.to_numeric(forecast_df["aht_seconds"], errors="coerce").to_numpy(dtype=float)
    bad_calls = ~np.isfinite(calls) | (calls < 0)
    if bad_calls.any():
        i = int(np.flatnonzero(bad_calls)[0])
        raise WfmInputError(f"calls_offered must be >= 0 and finite, got "
                            f"{forecast_df['calls_offered'].iloc[i]} (row {i + 1} of {source})")
    aht_missing_ok = np.isnan(aht) & (calls == 0)
    bad_aht = (~np.isfinite(aht) | (aht <= 0)) & ~aht_missing_ok
    if bad_aht.any():
        i = int(np.flatnonzero(bad_aht)[0])
        raise WfmInputError(f"aht_seconds must be > 0, got {float(aht[i])!r} (row {i + 1} of {source})")
    if "shrinkage" in forecast_df.columns:
        shr = pd.to_numeric(forecast_df["shrinkage"], errors="coerce").to_numpy(dtype=float)
        bad = ~((shr >= 0) & (shr < 1))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise WfmInputError(f"shrinkage must be in [0, 1), got {float(shr[i])!r} (row {i + 1} of {source})")
    else:
        shr = targets.shrinkage
    req = required_agents(
        calls, im, np.where(aht_missing_ok, 1.0, aht),
        answer_within_seconds=targets.answer_within_seconds,
        target_service_level=targets.target_service_level,
        max_asa_seconds=targets.max_asa_seconds, max_abandon_rate=targets.max_abandon_rate,
        max_occupancy=targets.max_occupancy, patience_seconds=targets.patience_seconds,
        shrinkage=shr)
    out = pd.DataFrame({
        "interval_start": forecast_df["interval_start"].to_numpy(),
        "queue": forecast_df["queue"].astype(str).to_numpy(),
    })
    out["interval_start"] = pd.DatetimeIndex(out["interval_start"]).tz_convert(ts.dt.tz) \
        if out["interval_start"].dt.tz is not None else out["interval_start"]
    for col in REQUIREMENT_COLUMNS[2:14]:
        out[col] = req[col].to_numpy()
    out["aht_seconds"] = aht  # a missing AHT on a zero-call row stays missing
    nan = np.nan
    out["answer_within_seconds"] = targets.answer_within_seconds if targets.answer_within_seconds is not None else nan
    out["target_service_level"] = targets.target_service_level if targets.target_service_level is not None else nan
    out["patience_seconds"] = targets.patience_seconds if targets.patience_seconds is not None else nan
    out["binding_target"] = req["binding_target"].to_numpy()
    out.index = forecast_df.index
    out.attrs["interval_minutes"] = im
    return out[list(REQUIREMENT_COLUMNS)]
