"""The best accessibility a headcount can buy: plan the ``max-sl`` model fast, with an honest bound.

The ``max-sl`` model (:func:`optimiser.scheduling.model.add_floored_service_level`) maximises the calls
answered within T over the horizon with at most ``headcount_total`` agents, every queue-interval held
at its floor first.  Its full integer programme is hard for HiGHS: on the demo week (92,784 columns,
21,174 integers) the shift counts fixed from the LP still left a MIP that found its first plan after
181 s and stopped 49 % from its bound at 300 s -- the whole agents on the phone per queue and interval
(2,688 integers) coupled with the break counts.  So the plan is made in stages, each a solve HiGHS
finishes quickly:

1. **LP relaxation** by interior point: its optimum is the reported bound (valid: every plan of the
   model is a solution of the relaxation).
2. **Tour rounding** of the LP (:func:`optimiser.scheduling.rounding.tour_rounding`): whole tours,
   then shift counts that fit them and the contract hours.
3. **Breaks**: the shift counts fixed, the rest solved with the on-phone and break counts continuous
   (only the few tour counts whole: a small MIP); whole breaks by rounding each break rule's
   cumulative count (:func:`round_breaks_cumulative`), which keeps every break window.
4. **Whole agents on the phone**: shifts, tours, breaks and deferred work fixed, each queue-interval's
   on-phone count made whole (independent small problems per interval; HiGHS finishes them at once).

Every step has its share of the time limit, and the time limit counts from the caller's start
(model build included).  The plan of step 4 is a solution of the exact model; its objective and the
LP bound give the gap.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import pulp

from optimiser.scheduling.model import Model
from optimiser.scheduling.rounding import tour_rounding
from optimiser.scheduling.spec import Rules
from wfm.ground.solver import SolveInfo, SolveMonitor, relative_gap, solve_lp_relaxation
from wfm.ground.vocabulary import SolverStatus

#: variables fixed after the break stage: they define the plan apart from the phone allocation
FIXED_AFTER_BREAKS = ("brk_", "tour_", "defer_", "unfinished_")


def _highs(seconds: float, gap: float, msg: bool) -> pulp.HiGHS:
    return pulp.HiGHS(msg=msg, timeLimit=max(1.0, seconds), gapRel=gap)


def _has_plan(prob) -> bool:
    return prob.solverModel.getInfo().primal_solution_status == 2


def round_breaks_cumulative(model: Model) -> None:
    """Whole break counts from an LP's, with the shift counts whole: per skill group and break rule the
    cumulative count of breaks started by each time is rounded to the nearest whole number.

    The break rows (:func:`optimiser.scheduling.model.add_break_windows`) bound that cumulative count
    between whole numbers (the shifts whose window has closed, the shifts whose window has opened),
    so the rounded counts keep them, and each interval's working agents move by less than one agent
    per rule.  Sets the break variables' values and the waiting agents (``pending_``) to match."""
    names = model.prob.variablesDict()
    for ys in model.break_vars.values():
        times = sorted(ys)
        cum = np.cumsum([max(ys[b].varValue or 0.0, 0.0) for b in times])
        whole = np.floor(cum + 0.5)
        for b, x, before, after in zip(times, np.diff(np.concatenate([[0.0], whole])), cum, whole):
            ys[b].varValue = float(x)
            # pending = breaks due so far - breaks taken so far: it moves by what the rounding took back
            waiting = names.get("pending_" + ys[b].name[len("brk_"):])
            if waiting is not None:
                waiting.varValue = max((waiting.varValue or 0.0) + before - after, 0.0)


def completed_plan(model: Model) -> dict[str, float]:
    """The plan held in ``model`` (whole shift counts, continuous breaks and on-phone agents) made whole
    without a solver (:func:`round_breaks_cumulative`, :func:`floor_on_phone`): every variable's value.
    The values held in ``model`` are left as they were."""
    kept = {v.name: v.varValue for v in model.prob.variables()}
    round_breaks_cumulative(model)
    floor_on_phone(model)
    out = {v.name: (v.varValue or 0.0) for v in model.prob.variables()}
    for v in model.prob.variables():
        v.varValue = kept[v.name]
    return out


def _deficit_positions(model: Model, tol: float = 1e-3) -> set[int]:
    """Horizon positions where some queue's on-phone agents (the values held) are below its floor."""
    curves = model.curves
    out = set()
    for r, (q, i) in enumerate(zip(curves.queue, curves.position)):
        if (model.on_phone[(q, i)].varValue or 0.0) < curves.floor[r] - tol:
            out.add(int(i))
    return out


def repair_neighbourhood(model: Model, counts: dict[str, int], lp_values: dict[str, float],
                         positions: set[int]) -> dict[str, tuple[int, int]]:
    """Bounds that free the shift counts around the intervals below their floor: every shift type
    covering one of ``positions`` that the LP or the rounded plan uses may move by one agent (or
    anywhere between the LP's floor and ceiling); every other count stays fixed."""
    out = {}
    for sv in model.shifts:
        name = sv.var.name
        c, x = counts[name], max(lp_values.get(name, 0.0), 0.0)
        lo, hi = c, c
        if (c > 0 or x > 1e-6) and positions.intersection(sv.positions.tolist()):
            lo = max(0, min(c - 1, math.floor(x + 1e-6)))
            hi = max(c + 1, math.ceil(x - 1e-6))
        out[name] = (lo, hi)
    return out


def _solve_shifts(model: Model, bounds: dict[str, tuple[int, int]], seconds: float, gap: float, msg: bool) -> bool:
    """Solve ``model`` with the shift counts within ``bounds`` and the break and on-phone counts
    continuous (tours stay whole); True when a plan was found.  The categories are restored."""
    relaxed = list(model.on_phone.values()) + [v for ys in model.break_vars.values() for v in ys.values()]
    for sv in model.shifts:
        sv.var.lowBound, sv.var.upBound = bounds[sv.var.name]
    for v in relaxed:
        v.cat = pulp.LpContinuous
    try:
        model.prob.solve(_highs(seconds, gap, msg))
        return _has_plan(model.prob)
    finally:
        for v in relaxed:
            v.cat = pulp.LpInteger


def _whole_on_phone(model: Model, seconds: float, msg: bool) -> bool:
    """Whole breaks (cumulative rounding), everything but the phone allocation fixed, then whole
    agents on the phone per queue-interval; True when a plan was found.  When HiGHS finds none in
    ``seconds``, the break stage's allocation is completed by :func:`floor_on_phone` instead."""
    round_breaks_cumulative(model)
    kept = {v.name: (v.varValue or 0.0) for v in model.prob.variables()}
    for v in model.prob.variables():
        if v.name.startswith(FIXED_AFTER_BREAKS):
            x = kept[v.name]
            v.lowBound = v.upBound = round(x) if v.name.startswith(("brk_", "tour_")) else x
    if seconds >= 1.0:
        model.prob.solve(_highs(seconds, 0.0005, msg))
        if _has_plan(model.prob):
            return True
    for v in model.prob.variables():
        v.varValue = kept[v.name]
    floor_on_phone(model)
    return True


def floor_on_phone(model: Model) -> None:
    """Complete the plan held in ``model`` without a solver: each group's allocation cut to its working
    agents (after whole breaks), each queue-interval's whole on-phone agents the floor of what is
    allocated, and its curve variables (deficit steps shallow first, gains in order) set to match."""
    from optimiser.scheduling.result import coverage_frames

    _, gcov = coverage_frames(model)
    working = {(g, i): w for g, i, w in zip(gcov["skill_group"], np.tile(np.arange(model.n_intervals),
                                                                          len(gcov) // max(model.n_intervals, 1)),
                                            gcov["agents_working"])}
    per_group = {}
    for (g, q, i), v in model.alloc.items():
        per_group.setdefault((g, i), []).append(v)
    for key, vs in per_group.items():
        total = sum(v.varValue or 0.0 for v in vs)
        cap = max(working.get(key, 0.0), 0.0)
        if total > cap + 1e-9:
            for v in vs:
                v.varValue = (v.varValue or 0.0) * cap / total
    curves = model.curves
    names = model.prob.variablesDict()
    for r, (q, i) in enumerate(zip(curves.queue, curves.position)):
        whole = model.on_phone[(q, i)]
        row = model.prob.constraints[whole.name.replace("onphone_", "phone_", 1)]
        # the phone row is whole - (allocated x (1 - shrinkage) - deferred) <= 0: its slack is what is allocated
        whole.varValue = float(np.floor(max((whole.varValue or 0.0) - (row.value() or 0.0), 0.0) + 1e-6))
        _set_curve(model, names, r, tag=whole.name[len("onphone_"):], n=int(whole.varValue))


def _set_curve(model: Model, names: dict, r: int, tag: str, n: int) -> None:
    curves = model.curves
    f, top = int(curves.floor[r]), int(curves.top[r])
    short = max(f - n, 0)
    step = f / 4.0
    for k in range(4):
        var = names.get(f"floorgap_{tag}_{k + 1}")
        if var is not None:
            var.varValue = float(min(max(short - k * step, 0.0), step))
    above = max(min(n, top) - f, 0)
    for k in range(top - f):
        var = names.get(f"slinc_{tag}_{k + 1}")
        if var is not None:
            var.varValue = 1.0 if k < above else 0.0


@dataclass
class StagedPlan:
    """What :func:`plan_max_sl` returns: the plan's variable values (None: no plan in time), the LP
    bound (None: not solved in time), the time the LP took [s] and what happened, with timings."""

    values: dict | None
    lp_bound: float | None
    lp_seconds: float
    note: str


def plan_max_sl(model: Model, deadline: float, *, msg: bool = False, repair: bool = True,
                should_stop: Callable[[], bool] | None = None,
                on_plan: Callable[[dict], None] | None = None) -> StagedPlan:
    """Plan ``model`` (a ``max-sl`` model) by the stages of the module docstring before ``deadline``
    (a :func:`time.perf_counter` value).  ``repair``: free the shift counts around the intervals the
    rounding left below their floor (step 3b) when time is left.  ``on_plan(values)`` is called with the
    first complete plan (after the break stage, completed without a solver by :func:`floor_on_phone`),
    before the repair and the last stage improve it."""
    t0 = time.perf_counter()
    prob = model.prob
    steps: list[str] = []
    out = StagedPlan(None, None, 0.0, "")

    def left() -> float:
        return deadline - time.perf_counter()

    def mark(label: str, since: float) -> None:
        steps.append(f"{label} {time.perf_counter() - since:.1f} s")

    def done(what: str = "") -> StagedPlan:
        out.note = (what or f"plan in {time.perf_counter() - t0:.1f} s") + f" ({', '.join(steps)})"
        return out

    # 1. LP relaxation: at most 70 % of the time left, the rest is for the (short) stages after it
    t = time.perf_counter()
    out.lp_bound = solve_lp_relaxation(prob, 0.7 * left(), msg)
    out.lp_seconds = time.perf_counter() - t
    mark("LP", t)
    if out.lp_bound is None:
        return done("the LP relaxation was not solved in time")
    lp_all = {v.name: (v.varValue or 0.0) for v in prob.variables()}
    if should_stop is not None and should_stop():
        return done("stopped after the LP relaxation")
    # 2. tour rounding
    t = time.perf_counter()
    counts, why = tour_rounding(model, lp_all)
    mark("tour rounding", t)
    if counts is None:
        return done(f"tour rounding found no plan: {why}")
    saved = [(v, v.lowBound, v.upBound, v.cat) for v in prob.variables()]
    try:
        # 3. breaks (continuous) for the rounded counts
        t = time.perf_counter()
        # the last stage needs a few seconds (3-5 s on the demo week)
        if not _solve_shifts(model, {k: (c, c) for k, c in counts.items()}, left() - max(5.0, 0.2 * left()),
                             0.001, msg):
            return done("no break placement found in time")
        mark("breaks", t)
        if on_plan is not None:
            on_plan(completed_plan(model))
        # 3b. repair: free the counts around the intervals the rounding left below their floor
        short = _deficit_positions(model) if repair else set()
        if short and left() > 15.0 and not (should_stop is not None and should_stop()):
            _repair(model, counts, lp_all, short, 0.5 * (left() - 5.0), msg, mark)
        # 4. whole agents on the phone, everything else fixed
        for sv in model.shifts:
            sv.var.lowBound = sv.var.upBound = round(sv.var.varValue or 0.0)
        t = time.perf_counter()
        _whole_on_phone(model, left(), msg)
        mark("whole on-phone agents", t)
        out.values = {v.name: (v.varValue or 0.0) for v in prob.variables()}
    finally:
        for v, lo, hi, cat in saved:
            v.lowBound, v.upBound, v.cat = lo, hi, cat
    return done()


def positions_of_variables(model: Model) -> dict[str, int]:
    """Horizon position of each per-interval variable (allocation, on-phone and curve variables, break
    counts and waiting agents, agents on shift), by name."""
    from optimiser.scheduling.model import wrap

    out = {v.name: i for (_, _, i), v in model.alloc.items()}
    curves = model.curves
    for r, (q, i) in enumerate(zip(curves.queue, curves.position)):
        tag = model.on_phone[(q, i)].name[len("onphone_"):]
        out[f"onphone_{tag}"] = int(i)
        for k in range(int(curves.top[r] - curves.floor[r])):
            out[f"slinc_{tag}_{k + 1}"] = int(i)
        for k in range(4):
            out[f"floorgap_{tag}_{k + 1}"] = int(i)
    for ys in model.break_vars.values():
        for b, v in ys.items():
            out[v.name] = out["pending_" + v.name[len("brk_"):]] = wrap(model, b)
    for per in model.working.values():
        for i, terms in per.items():
            if terms and isinstance(terms[0][0], pulp.LpVariable) and terms[0][0].name.startswith("onshift_"):
                out[terms[0][0].name] = int(i)
    return out


def _repair(model: Model, counts, lp_all, short: set[int], seconds: float, msg: bool, mark) -> None:
    """Step 3b: re-solve with the counts around ``short`` free and everything else fixed outside the hours
    those shifts cover (a small MIP); keep the better of the two plans."""
    t = time.perf_counter()
    prob = model.prob
    kept = {v.name: (v.varValue or 0.0) for v in prob.variables()}
    before = prob.objective.value()
    bounds = repair_neighbourhood(model, counts, lp_all, short)
    window = set()
    for sv in model.shifts:
        lo, hi = bounds[sv.var.name]
        if hi > lo:
            window.update(int(x) for x in sv.positions if x >= 0)
    where = positions_of_variables(model)
    fixed = [v for v in prob.variables() if where.get(v.name, -1) >= 0 and where[v.name] not in window]
    saved = [(v, v.lowBound, v.upBound) for v in fixed]
    for v in fixed:
        v.lowBound = v.upBound = kept[v.name]
    try:
        free = sum(1 for lo, hi in bounds.values() if hi > lo)
        if not _solve_shifts(model, bounds, seconds, 0.001, msg) or prob.objective.value() > before:
            for v in prob.variables():
                v.varValue = kept.get(v.name, 0.0)
    finally:
        for v, lo, hi in saved:
            v.lowBound, v.upBound = lo, hi
    mark(f"floor repair ({len(short)} intervals, {free} counts free, {len(window)} of {model.n_intervals} "
         "intervals open)", t)


def floor_counts(model: Model) -> tuple[int, int]:
    """Queue-intervals whose whole on-phone agents (the plan held in ``model``) sit on their floor
    (``model.floors``: the service floor, and for global-sl the stability point), and below it."""
    keys = [k for k in model.floors if k in model.on_phone]
    if not keys:
        return 0, 0
    n = np.floor(np.array([model.on_phone[k].varValue or 0.0 for k in keys]) + 1e-6)
    f = np.array([model.floors[k] for k in keys])
    return int((n == f).sum()), int((n < f).sum())


def describe_floors(model: Model) -> str:
    """``"N queue-intervals sit on their floor and M below it (service_floor: ...)"`` for the plan held."""
    on, below = floor_counts(model)
    floor = model.problem.rules.service_floor
    return (f"{on} queue-intervals sit on their floor and {below} below it (service_floor: "
            f"{floor.min_service_level:.0%} within the target time, {floor.min_agents_on_phone} on the phone)")


def coarse_rules(rules: Rules, *, start_every_minutes: int = 60, lengths: int = 3) -> Rules | None:
    """The rules with shift starts on the hour and ``lengths`` lengths spread over each template's (as the
    app's quick plan), or None when that is not smaller.  Its shifts are shifts of ``rules``, so its plans
    are plans of ``rules``."""
    templates, smaller = [], False
    for t in rules.templates:
        starts = tuple(s for s in t.start_minutes if s % start_every_minutes == 0) or t.start_minutes[:1]
        all_lengths = t.length_minutes
        picks = sorted({round(i * (len(all_lengths) - 1) / max(lengths - 1, 1)) for i in range(lengths)})
        chosen = tuple(all_lengths[i] for i in picks)
        smaller |= len(starts) * len(chosen) < t.n_shift_types
        templates.append(replace(t, start_minutes=starts, length_minutes=chosen))
    return replace(rules, templates=tuple(templates)) if smaller else None


#: the full model's LP takes about this many times the coarse one's (demo week, 2026-11-30: 44.5 / 20.0 s)
FULL_LP_RATIO = 2.5
#: seconds the stages after the LP take on the demo week (rounding, breaks, whole on-phone agents; load ~4)
STAGES_SECONDS = 12.0
#: share of the time left that the hourly-grid pass gets when it runs first (its LP takes 60-70 % of it)
COARSE_SHARE = 0.9
#: the model's own pass (LP and stages) takes about this many times its build on the demo week, whatever the
#: machine's load (2026-11-30: build 5 s / LP 25 s / stages 10 s at load 3.5; 8 / 45 / 15 s at load 6); with
#: less time left than that, a first plan comes from the coarse grid
FULL_PASS_PER_BUILD_SECOND = 8.5


def _values_in(model: Model, values: dict) -> float:
    """Hold ``values`` (variable name -> value; missing names 0) in ``model``; the objective there."""
    for v in model.prob.variables():
        v.varValue = values.get(v.name, 0.0)
    return float(model.prob.objective.value())


class _Best:
    """The best plan offered so far (objective of ``model``, every variable's value), reported to ``monitor``."""

    def __init__(self, model: Model, monitor: SolveMonitor, bound: float):
        self.model, self.monitor, self.bound = model, monitor, bound
        self.objective: float | None = None
        self.values: dict | None = None

    def offer(self, values: dict) -> None:
        kept = {v.name: v.varValue for v in self.model.prob.variables()}
        obj = _values_in(self.model, values)
        for v in self.model.prob.variables():
            v.varValue = kept[v.name]
        if self.objective is None or obj < self.objective:
            self.objective, self.values = obj, values
            self.monitor.report(obj, self.bound)


def _coarse_pass(model: Model, deadline: float, best: _Best) -> tuple[StagedPlan | None, str]:
    """The quick first plan: the same problem on the coarse shift grid (:func:`coarse_rules`), whose
    plan is a plan of ``model``."""
    from optimiser.scheduling.model import build_model

    coarse = coarse_rules(model.problem.rules)
    if coarse is None:
        return None, ""
    t = time.perf_counter()
    cm = build_model(replace(model.problem, rules=coarse), curves=model.curves)
    plan = plan_max_sl(cm, deadline, msg=model.problem.solver.msg, should_stop=best.monitor.stop_requested,
                       on_plan=best.offer)
    note = f"first plan on the hourly shift grid {time.perf_counter() - t:.1f} s ({plan.note}); "
    if plan.values is not None:
        best.offer(plan.values)
    return plan, note


def solve_headcount(model: Model, settings, monitor: SolveMonitor, *, started: float | None = None) -> SolveInfo:
    """Plan a built ``max-sl`` model within ``settings.time_limit_seconds`` counted from ``started`` (a
    :func:`time.perf_counter` value: the caller's start, model build included; default now).

    A first plan comes from the coarse shift grid (:func:`coarse_rules`, when the rules are finer), then
    the model itself is planned if the time left allows its LP; the better plan is returned (and every
    complete plan on the way is reported to ``monitor``).  The bound is the model's LP bound, else the
    relaxed bound (:func:`optimiser.scheduling.estimate.relaxed_bound`); a margin of min(3 s, 5 %) is
    left for reading the plan (coverage, Erlang, explanations: 1-3 s on the demo week)."""
    from optimiser.scheduling.estimate import relaxed_bound

    limit = settings.time_limit_seconds
    started = time.perf_counter() if started is None else started
    deadline = started + limit - min(3.0, 0.05 * limit)
    build = time.perf_counter() - started
    bound = relaxed_bound(model.problem, model.curves)
    monitor.report(None, bound)
    best = _Best(model, monitor, bound)
    first, note = None, ""
    if deadline - time.perf_counter() < FULL_PASS_PER_BUILD_SECOND * build:
        # the model's own pass would likely not finish: a first plan on the coarse grid
        # most of the time: the full grid runs after it only when its LP would fit in what is left
        first, note = _coarse_pass(model, time.perf_counter() + COARSE_SHARE * (deadline - time.perf_counter()), best)
    left = deadline - time.perf_counter()
    need = (FULL_LP_RATIO * first.lp_seconds + STAGES_SECONDS) if first and first.lp_bound is not None else 0.0
    if monitor.stop_requested():
        note += "stopped by the user; "
    elif first is not None and first.lp_bound is None:
        note += "the full grid's LP (about 2.5 times the hourly grid's) cannot finish in the time left; "
    elif best.values is not None and left < need:
        note += f"no time left for the full grid ({left:.0f} s left, ~{need:.0f} s needed); "
    else:
        plan = plan_max_sl(model, deadline, msg=settings.msg, should_stop=monitor.stop_requested, on_plan=best.offer)
        note += f"full grid: {plan.note}; "
        if plan.lp_bound is not None:
            best.bound = bound = max(bound, plan.lp_bound)
        if plan.values is not None:
            best.offer(plan.values)
    found = None if best.values is None else (best.objective, best.values)
    return _outcome(model, settings, monitor, started, found, bound, note)


def _outcome(model, settings, monitor, started, best, bound, note) -> SolveInfo:
    elapsed = time.perf_counter() - started
    if best is None:
        reason = "interrupted" if monitor.stopped else "time_limit"
        return SolveInfo("highs", SolverStatus.NO_SOLUTION, reason, None, bound, None, reason == "time_limit",
                         f"{note}no plan found after {elapsed:.1f} s", elapsed, progress=monitor.events)
    obj = _values_in(model, best[1])
    gap = relative_gap(obj, bound)
    monitor.report(obj, bound)
    floors = describe_floors(model)
    reason = "gap" if gap is not None and gap <= settings.gap else ("interrupted" if monitor.stopped else "converged")
    msg = (f"{note}feasible, not proven optimal: gap to the bound {'n/a' if gap is None else f'{gap:.2%}'}; {floors}")
    return SolveInfo("highs", SolverStatus.FEASIBLE, reason, obj, bound, gap, elapsed > settings.time_limit_seconds,
                     msg, elapsed, progress=monitor.events)
