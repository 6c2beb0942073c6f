"""Global service level on large models: staffing targets, then covering.

The ``global-sl`` model (:func:`optimiser.scheduling.model.add_global_service_level`)
is exact but hard for a MIP solver: on the demo week (588 shift types x 3
skill groups, 15 minutes) HiGHS found its first plan after ~100 s and, after
240 s, a plan with 8 % MORE paid agent-hours than covering every interval's own
target, 21-30 % from the LP bound.  Its LP relaxation, though, solves in
~13 s, and the covering (``cost``) model of the same rules is easy (1 % gap
in 30-60 s).  For large models this module therefore plans in two stages,
the way planners reason about a global target (Koole & van der Sluis 2003
use the same split of "how many agents where" from "which shifts"):

1. **LP relaxation** of the global-SL model (interior point); its optimum is
   the valid lower bound reported as the best bound.
2. **Staffing targets** (:func:`marginal_targets`): from the LP's whole
   on-phone agents, move one agent at a time where the answered calls gained
   per paid cost are largest until every service-level period reaches the
   level ``tau`` (or, above it, remove where the loss is smallest).  Greedy
   marginal allocation is optimal for a sum of concave curves under one
   budget-type constraint (Fox 1966); the curves are the model's own
   (:func:`optimiser.scheduling.model.sl_curves`).
3. **Covering** those targets at least cost with the ``cost`` model
   (requirement = on-phone target / (1 - shrinkage)).
4. **Transfer**: the covering plan's shifts, tours and breaks are fixed in
   the global-SL model and HiGHS places the multi-skilled agents (whole
   on-phone agents per queue and interval) where they answer most calls; the plan is re-evaluated with
   Erlang exactly as :func:`optimiser.scheduling.result.predict_service`
   does.
5. If a period misses the target, ``tau`` rises by the shortfall; if every
   period has a surplus, ``tau`` falls by ``SURPLUS_GIVEN_BACK`` of it; the cheapest plan that
   meets the target is kept, while time is left.

The result is a feasible plan of the global-SL model, never claimed optimal:
its gap is measured against the LP bound of step 1.
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pulp

from optimiser.queueing.on_phone import scheduled_from_on_phone
from optimiser.scheduling.mip import solve_mip
from optimiser.scheduling.model import Model, build_model, sl_curves, sl_period_keys
from optimiser.scheduling.result import coverage_frames, predict_service
from wfm.ground.solver import solve_lp_relaxation

#: variables of a plan that define it (shift counts or tours, break starts); the rest follows from them
PLAN_PREFIXES = ("shift_", "tour_", "brk_")
#: time limit of one covering solve [s]: on the demo week its plan came after ~60 s and had not improved at
#: 136 s (1.57 % from its LP bound), so the time is better spent on a second staffing-target step
COVERING_SECONDS_MAX = 75.0
#: share of a plan's re-evaluated surplus over the target that the next step gives back through a lower ``tau``:
#: on the demo week lowering ``tau`` by 1.22 points lowered the re-evaluated level by 1.23 (82.44 -> 81.21 %),
#: so most of it can go; the rest is a margin for the covering MIP's scatter
SURPLUS_GIVEN_BACK = 0.8


def marginal_targets(k_min: np.ndarray, gains: np.ndarray, base: np.ndarray, calls: np.ndarray,
                     weight: np.ndarray, period: np.ndarray, tau: float,
                     start: np.ndarray | None = None) -> np.ndarray:
    """Whole on-phone agents per (queue-)interval reaching ``tau`` of each period's calls at least weight.

    Parameters
    ----------
    k_min : (n,) int
        Stability floor [agents]: no interval with calls gets fewer.
    gains : (n, w) float
        Non-increasing answered-call gains of agents ``k_min+1 .. k_min+w`` [calls].
    base : (n,) float
        Calls answered within T at ``k_min`` [calls].
    calls : (n,) float
        Calls offered [calls]; intervals without calls get 0 agents.
    weight : (n,) float, > 0
        Paid cost of one on-phone agent there (e.g. hourly rate / (1 - shrinkage)).
    period : (n,) int
        Service-level period index of each interval.
    tau : float
        Share of each period's calls to answer within T [fraction].
    start : (n,) int, optional
        Where to start (e.g. the LP's floors); default ``k_min``.

    Returns
    -------
    (n,) int
        Agents: from ``start``, agents are added where ``gain / weight`` is
        largest while a period is below ``tau`` and then removed where
        ``loss / weight`` is smallest while it stays at or above ``tau``.  For
        concave curves this is the least-weight staffing reaching ``tau``
        up to one agent per period (marginal analysis, Fox 1966).  A period
        whose curves top out below ``tau`` gets every agent the curves list.
    """
    k_min = np.asarray(k_min, int)
    gains = np.asarray(gains, float)
    calls = np.asarray(calls, float)
    weight = np.asarray(weight, float)
    if np.any(weight <= 0):
        raise ValueError("weight must be > 0 for every interval")
    active = calls > 0
    n = np.where(active, np.maximum(k_min if start is None else np.asarray(start, int), k_min), 0)
    width = gains.shape[1] if gains.ndim == 2 else 0
    n = np.where(active, np.minimum(n, k_min + width), 0)
    cum = np.concatenate([np.zeros((len(k_min), 1)), np.cumsum(gains, axis=1)], axis=1) if width else \
        np.zeros((len(k_min), 1))

    def answered(j: int, agents: int) -> float:
        return float(base[j] + cum[j, agents - k_min[j]])

    for p in np.unique(period[active]):
        idx = np.flatnonzero(active & (period == p))
        need = tau * calls[idx].sum()
        have = sum(answered(j, n[j]) for j in idx)
        heap = [(-gains[j, n[j] - k_min[j]] / weight[j], j) for j in idx if n[j] - k_min[j] < width]
        heapq.heapify(heap)
        while have < need - 1e-9 and heap:
            _, j = heapq.heappop(heap)
            have += gains[j, n[j] - k_min[j]]
            n[j] += 1
            if n[j] - k_min[j] < width:
                heapq.heappush(heap, (-gains[j, n[j] - k_min[j]] / weight[j], j))
        # above the level: give back the agents that cost most per call answered
        heap = [(gains[j, n[j] - k_min[j] - 1] / weight[j], j) for j in idx if n[j] > k_min[j]]
        heapq.heapify(heap)
        while heap:
            _, j = heapq.heappop(heap)
            loss = gains[j, n[j] - k_min[j] - 1]
            if have - loss < need - 1e-9:
                continue
            have -= loss
            n[j] -= 1
            if n[j] > k_min[j]:
                heapq.heappush(heap, (gains[j, n[j] - k_min[j] - 1] / weight[j], j))
    return n


def _flat(model: Model):
    """Per (queue, interval) arrays of the global-SL curves, in model order."""
    p = model.problem
    curves = sl_curves(model)
    keys = sl_period_keys(p)
    period_index = {k: i for i, k in enumerate(dict.fromkeys(keys))}
    req = p.requirement
    rows = []
    width = max((c["gains"].shape[1] for c in curves.values()), default=0)
    for q in p.queues:
        c = curves[q]
        grp = req[req["queue"].astype(str) == q].sort_values("interval_start")
        shrink = grp["shrinkage"].fillna(0.0).to_numpy(float) if "shrinkage" in grp else np.zeros(len(grp))
        g = np.zeros((len(grp), width))
        g[:, :c["gains"].shape[1]] = c["gains"]
        for i in range(len(grp)):
            rows.append((q, i, c["k_min"][i], g[i], c["base"][i], c["calls"][i], shrink[i], period_index[keys[i]]))
    q, i, k_min, gains, base, calls, shrink, period = zip(*rows) if rows else ((),) * 8
    rate = np.asarray(model.rate_per_hour[:model.n_intervals], float)
    weight = scheduled_from_on_phone(np.maximum(rate[np.asarray(i, int)], 1e-6), np.asarray(shrink, float))
    return (list(q), np.asarray(i, int), np.asarray(k_min, int), np.asarray(gains, float).reshape(len(rows), width),
            np.asarray(base, float), np.asarray(calls, float), np.asarray(shrink, float), weight,
            np.asarray(period, int))


def covering_problem(problem, queues, index, agents_on_phone, shrink, k_min):
    """The ``cost`` problem whose requirement is the on-phone targets / (1 - shrinkage) [agents].

    Where the target is the stability floor ``k_min`` the requirement is rounded up to whole agents: a
    fraction of an agent short there leaves the queue unstable (service level ~0 when re-evaluated), and
    priced linearly at the shortfall penalty the covering plan of fractional targets left such fractions
    on the demo week (re-evaluated 79.2 % at an 80 % target).  Elsewhere a fraction short costs one
    agent's marginal gain; rounding every target up cost 2 % more agent-hours there, and a 100x penalty
    instead made the covering MIP 13 % worse in the same time.
    """
    target = {}
    for q, i, n, s, k in zip(queues, index, agents_on_phone, shrink, k_min):
        need = scheduled_from_on_phone(n, s)
        # 1e-6 over so that agents x (1 - shrinkage) never falls a rounding error under the target
        target[(q, int(i))] = (int(scheduled_from_on_phone(n, s, rounding="up")) if n <= k
                               else math.ceil(need * 1e6 - 1e-3) / 1e6)
    req = problem.requirement.copy()
    position = req.sort_values("interval_start").groupby(req["queue"].astype(str)).cumcount()
    req["agents_required"] = [target[(str(q), int(i))] for q, i in zip(req["queue"], position[req.index])]
    rules = replace(problem.rules, objective="cost")
    return replace(problem, requirement=req, rules=rules)


def transfer(source: Model, target: Model, time_limit_seconds: float, msg: bool = False) -> dict[str, float] | None:
    """Fix ``source``'s plan (shifts, tours, breaks) in ``target`` and solve the rest (allocation, on-phone agents).

    With the shifts fixed the cost is fixed, so the objective here is the penalties (stability, service-level
    shortfall) minus one unit per call answered within T: the multi-skilled agents go where they answer most,
    and the plan's surplus over the target -- what the next staffing-target step can give back -- is not
    hidden by an arbitrary feasible allocation.  Returns every variable's value in ``target`` or None when
    HiGHS found no solution in time.
    """
    values = {v.name: v.varValue for v in source.prob.variables() if v.name.startswith(PLAN_PREFIXES)}
    saved = []
    objective = target.prob.objective
    if target.penalty_expr is not None and target.sl_answered:
        # one call (weight 1) is worth far less than one agent-interval of stability shortfall (the penalty per
        # agent-hour x interval hours) or one call of service-level shortfall (the penalty per call)
        target.prob.setObjective(target.penalty_expr - pulp.lpSum(target.sl_answered.values()))
    try:
        for v in target.prob.variables():
            if v.name.startswith(PLAN_PREFIXES):
                saved.append((v, v.lowBound, v.upBound))
                x = round(values.get(v.name) or 0.0)
                v.lowBound = v.upBound = x
        target.prob.solve(pulp.HiGHS(msg=msg, timeLimit=max(1.0, time_limit_seconds), gapRel=1e-3))
        if target.prob.solverModel.getInfo().primal_solution_status != 2:
            return None
        return {v.name: (v.varValue or 0.0) for v in target.prob.variables()}
    finally:
        target.prob.setObjective(objective)
        for v, lo, hi in saved:
            v.lowBound, v.upBound = lo, hi


def apply(model: Model, values: dict[str, float]) -> None:
    for v in model.prob.variables():
        v.varValue = values.get(v.name, 0.0)


def period_levels(model: Model) -> dict[str, float]:
    """Re-evaluated service level per period of the plan held in ``model``'s variable values
    (the same Erlang evaluation as the result's)."""
    coverage, _ = coverage_frames(model)
    coverage, _, _ = predict_service(model, coverage)
    if "service_level" not in coverage:
        return {}
    p = model.problem
    period_of = dict(zip(p.intervals, sl_period_keys(p)))
    frame = pd.DataFrame({"period": coverage["interval_start"].map(period_of),
                          "answered": coverage["calls_offered"] * coverage["service_level"],
                          "calls": coverage["calls_offered"]})
    sums = frame.groupby("period")[["answered", "calls"]].sum()
    return {str(k): (a / c if c > 0 else 1.0) for k, a, c in zip(sums.index, sums["answered"], sums["calls"])}


def two_stage(model: Model, time_limit_seconds: float, *, gap: float = 0.01, msg: bool = False,
              on_progress=None, should_stop=None):
    """Plan ``model`` (a global-SL model) by staffing targets + covering; see the module docstring.

    Returns ``(values, lp_bound, stop_reason, note)``: ``values`` are every variable's value of the
    cheapest plan found that meets the target in every period (else the plan closest to it), None
    when no plan was found in time.
    """
    t0 = time.perf_counter()
    p = model.problem
    target = p.rules.service_level.target_service_level

    def left() -> float:
        return time_limit_seconds - (time.perf_counter() - t0)

    lp_bound = solve_lp_relaxation(model.prob, 0.4 * time_limit_seconds, msg)
    if lp_bound is None:
        return None, None, "time_limit", "LP relaxation not solved in time. "
    queues, index, k_min, gains, base, calls, shrink, weight, period = _flat(model)
    lp_phone = np.array([model.on_phone[(q, i)].varValue if (q, i) in model.on_phone else 0.0
                         for q, i in zip(queues, index)], float)
    start = np.floor(np.nan_to_num(lp_phone) + 1e-6).astype(int)
    best = None  # (rank, values)
    tau, tried = target, []
    stop_reason = "converged"
    step_seconds = None
    while True:
        if should_stop is not None and should_stop():
            stop_reason = "interrupted"
            break
        if step_seconds is not None and left() < step_seconds:
            stop_reason = "time_limit"
            break
        t_step = time.perf_counter()
        agents = marginal_targets(k_min, gains, base, calls, weight, period, tau, start)
        cover = covering_problem(p, queues, index, agents, shrink, k_min)
        cover = replace(cover, rules=replace(cover.rules, solver=replace(
            cover.rules.solver, time_limit_seconds=max(5.0, min(0.6 * left(), COVERING_SECONDS_MAX)), gap=gap)))
        cm = build_model(cover)
        info = solve_mip(cm, should_stop=should_stop)
        if info.objective is None:
            stop_reason = "interrupted" if info.stop_reason == "interrupted" else "time_limit"
            break
        values = transfer(cm, model, max(5.0, left()), msg)
        if values is None:
            stop_reason = "time_limit"
            break
        apply(model, values)
        levels = period_levels(model)
        meets = all(v >= target - 1e-9 for v in levels.values())
        cost = float(model.cost_expr.value() or 0.0)
        worst = min(levels.values(), default=target)
        tried.append((tau, cost, worst, time.perf_counter() - t_step, info.gap))
        # a plan that meets the target beats one that does not; then the cheaper, else the closer one
        rank = (True, -cost) if meets else (False, worst)
        if best is None or rank > best[0]:
            best = (rank, values)
            if on_progress is not None:
                on_progress(float(model.prob.objective.value() or 0.0), lp_bound, time.perf_counter() - t0)
        step_seconds = time.perf_counter() - t_step
        if worst < target:
            new_tau = tau + (target - worst) + 0.0005
        else:
            new_tau = tau - SURPLUS_GIVEN_BACK * (worst - target)
        if abs(new_tau - tau) < 0.0005 or len(tried) >= 6 or any(abs(new_tau - t[0]) < 0.0005 for t in tried):
            break
        tau = min(new_tau, 0.999)
    if best is None:
        return None, lp_bound, stop_reason, "no covering plan in time. "
    apply(model, best[1])
    steps = ", ".join(f"tau {t:.3f}: {lv:.2%} at cost {c:,.0f} ({sec:.0f} s, covering gap "
                      f"{'n/a' if g is None else f'{g:.2%}'})" for t, c, lv, sec, g in tried)
    note = (f"two-stage plan (staffing targets, then covering) in {time.perf_counter() - t0:.1f} s "
            f"[{steps}]; ")
    if not best[0][0]:
        note += "no plan found meets the service-level target in every period; the closest is returned. "
    return best[1], lp_bound, stop_reason, note
