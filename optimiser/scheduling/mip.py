"""Solve a built scheduling model as one MIP: LP-rounding warm start, then HiGHS (or CBC).

The runner, its statuses and the CBC fallback are the ground's (:mod:`wfm.ground.solver`); what
is the scheduler's own is the warm start of large models:

1. Solve the LP relaxation by interior point (measured on the demo week: ~7-10 s, where dual
   simplex had not finished after 300 s); its optimum is a valid lower bound of the MIP.
2. Round it to whole shifts that fit whole tours (:func:`optimiser.scheduling.rounding.tour_rounding`:
   tours first, then shift counts within each day's working tours and each week's contract
   hours), fix the shift counts and solve the small MIP that is left (break counts, tours,
   allocation).  Rounding every count up instead -- still tried when the tour rounding fails --
   is infeasible on the demo week: the LP's days-off, headcount and contract-minimum rows bind,
   so the rounded shift-days exceed what whole tours can work.  Measured (2026-11-29): the
   tour-rounded plan comes 1.5-2.5 s after the LP, 0.8 % / 1.0 % / 1.5 % above the LP bound on
   the app's quick plan / the app's week with the full demo rules / the benchmark week.
3. RENS (Berthold 2014): every shift count between the floor and ceiling of its LP value
   (widened to hold the plan of 2), started from 2, until the relative gap (to the LP bound) or
   the time limit.

The full MIP then runs from that plan only if enough time is left (it re-solves the root LP by
dual simplex, which takes minutes on the demo week).

References
----------
Berthold, T. (2014). RENS: the optimal rounding. Mathematical Programming Computation 6(1), 33-54.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import pulp

from optimiser.scheduling.rounding import tour_rounding
from wfm.ground.solver import (
    HiGHSWithStart,
    SolveInfo,
    SolveMonitor,
    finite,
    highs_available,
    objective_offset,
    plan_value,
    relative_gap,
    run_highs,
    run_mip,
    solve_lp_relaxation,
)
from wfm.ground.vocabulary import SolverStatus

__all__ = ["WARM_START_MIN_INTEGERS", "lp_rounding_start", "solve_mip"]

#: Above this many integer variables, HiGHS is given a start plan from LP rounding.
WARM_START_MIN_INTEGERS = 5000
#: Less time than this left after the warm start [s]: keep its plan rather than start the full MIP,
#: which could not even finish its root LP.
FULL_MIP_MIN_SECONDS = 30.0


def _solved(prob: pulp.LpProblem) -> bool:
    return prob.solverModel.getInfo().primal_solution_status == 2


def _values(prob: pulp.LpProblem) -> dict[str, float]:
    return {v.name: (v.varValue or 0.0) for v in prob.variables()}


@dataclass
class _Rounding:
    """What the rounding steps share: the model, the LP values, the clock and the monitor."""

    model: object
    shift_vars: list
    phone_vars: list
    lp_values: dict
    phone_lp: dict
    lp_bound: float
    t0: float
    time_limit_seconds: float
    msg: bool
    monitor: SolveMonitor | None

    def left(self) -> float:
        return self.time_limit_seconds - (time.perf_counter() - self.t0)

    def stop(self) -> bool:
        return self.monitor is not None and self.monitor.stop_requested()

    def options(self, stop_gap: float | None) -> dict:
        return {} if self.monitor is None else self.monitor.highs_options(bound=self.lp_bound, stop_gap=stop_gap)


def rounded_up(model, lp_values: dict[str, float]) -> dict[str, int]:
    """Every shift count rounded up, except where a template's daily cap would be exceeded."""
    rounded = {name: math.ceil(x - 1e-6) for name, x in lp_values.items()}
    caps = {t.name: t.max_agents_per_day for t in model.problem.rules.templates if t.max_agents_per_day is not None}
    groups: dict = {}
    for sv in model.shifts:
        if sv.template in caps:
            groups.setdefault((sv.template, sv.day), []).append(sv.var.name)
    for (tname, _), names in groups.items():
        excess = sum(rounded[n] for n in names) - caps[tname]
        for n in sorted(names, key=lambda n: rounded[n] - lp_values[n], reverse=True):
            if excess <= 0:
                break
            if rounded[n] > math.floor(lp_values[n] + 1e-6):
                rounded[n] -= 1
                excess -= 1
    return rounded


def _fixed_count_plan(r: _Rounding, candidates: list, gap: float):
    """Steps 2a/2b: fix the shift counts of each candidate in turn and solve what is left.

    Returns ``(start, counts, label)`` of the first that gives a plan, else ``(None, None, "")``.
    """
    prob = r.model.prob
    for label, fixed in candidates:
        if r.stop():
            break
        for v in r.shift_vars:
            v.lowBound = v.upBound = fixed[v.name]
        share = max(1.0, r.left() * 0.4)
        # the fixed-count MIP is small (1.5-2.5 s on the demo week): let it finish rather than stop at
        # the first plan within the requested gap (on the app's quick plan: 0.68 % instead of 0.94 %)
        prob.solve(HiGHSWithStart(None, msg=r.msg, timeLimit=share, gapRel=min(gap, 0.001), **r.options(None)))
        if _solved(prob):
            return _values(prob), fixed, label
    return None, None, ""


def _rens(r: _Rounding, start: dict | None, counts: dict, gap: float, stop_gap: float | None):
    """Step 3: each count between floor and ceil of the LP (widened to hold ``counts``), from ``start``.

    Whole on-phone agents (global-sl/max-sl) join the neighbourhood: without them the neighbourhood
    of the demo week's global-SL model was too wide for a good plan in 240 s.  Returns the better
    of ``start`` and the neighbourhood's plan, and whether it was the latter.
    """
    prob = r.model.prob
    for v in r.shift_vars:
        x = r.lp_values[v.name]
        v.lowBound = min(math.floor(x + 1e-6), counts[v.name])
        v.upBound = max(math.ceil(x - 1e-6), counts[v.name])
    for v in r.phone_vars:
        x = r.phone_lp[v.name]
        held = [] if start is None else [round(start.get(v.name, 0.0))]
        v.lowBound = min([math.floor(x + 1e-6)] + held)
        v.upBound = max([math.ceil(x - 1e-6)] + held)
    left = r.left()
    if left < 2.0:
        return start, False
    # more effort on primal heuristics: in this neighbourhood the sub-MIP heuristic finds the good
    # plans, while root cut rounds barely move its bound (demo week)
    prob.solve(HiGHSWithStart(start, msg=r.msg, timeLimit=left, gapRel=gap, mip_heuristic_effort=0.3,
                              **r.options(stop_gap)))
    if not _solved(prob):
        return start, False
    value = finite(prob.solverModel.getInfo().objective_function_value)
    value = None if value is None else value + objective_offset(prob)
    best = None if start is None else plan_value(prob, start)
    if best is None or (value is not None and value < best - 1e-6):
        return _values(prob), True
    return start, False


def lp_rounding_start(model, time_limit_seconds: float, msg: bool = False, *, gap: float = 0.005,
                      monitor: SolveMonitor | None = None, accept_gap: float | None = None,
                      stop_gap: float | None = None) -> tuple[dict[str, float] | None, float | None, str]:
    """A feasible start plan by LP rounding, and the LP bound (steps 1-3 of the module docstring).

    Parameters
    ----------
    model : optimiser.scheduling.model.Model
    time_limit_seconds : float
        Budget of the three steps [s].
    gap : float
        Relative gap at which the RENS step stops by itself [fraction].
    monitor : SolveMonitor, optional
        Progress reports (bounds are the LP bound) and the stop request; a stop skips what is left.
    accept_gap : float, optional
        The RENS step is skipped when the plan of step 2 is already within this of the LP bound.
    stop_gap : float, optional
        The RENS step is interrupted once its plan is within this of the LP bound.

    Returns
    -------
    (start, lp_bound, note)
        ``start`` (variable name -> value) is None when the time ran out; the bound includes the
        objective constant.
    """
    t0 = time.perf_counter()
    prob = model.prob
    shift_vars = [sv.var for sv in model.shifts if isinstance(sv.var, pulp.LpVariable)]
    if len(shift_vars) != len(model.shifts):
        return None, None, ""
    lp_bound = solve_lp_relaxation(prob, time_limit_seconds * 0.8, msg)
    if lp_bound is None:
        return None, None, "LP relaxation not solved in time; no start plan. "
    lp_all = _values(prob)
    phone_vars = list(getattr(model, "on_phone", {}).values())
    r = _Rounding(model, shift_vars, phone_vars, {v.name: max(lp_all[v.name], 0.0) for v in shift_vars},
                  {v.name: max(v.varValue or 0.0, 0.0) for v in phone_vars}, lp_bound, t0, time_limit_seconds,
                  msg, monitor)
    t_lp = time.perf_counter() - t0
    saved = [(v, v.lowBound, v.upBound) for v in shift_vars + phone_vars]
    how = ""
    try:
        candidates = []
        counts, why = tour_rounding(model, lp_all)
        if counts is not None:
            candidates.append(("tour rounding", counts))
        else:
            how = f"tour rounding found no plan: {why}; "
        candidates.append(("round-up", rounded_up(model, r.lp_values)))
        start, fixed, label = _fixed_count_plan(r, candidates, gap)
        if start is not None:
            how += f"{label} ({time.perf_counter() - t0 - t_lp:.1f} s after the LP)"
        gap_a = None if start is None else relative_gap(plan_value(prob, start), lp_bound)
        close = accept_gap is not None and gap_a is not None and gap_a <= accept_gap
        if not close and not r.stop():
            start, improved = _rens(r, start, fixed if fixed is not None else candidates[-1][1], gap, stop_gap)
            if improved:
                how += " then RENS" if how.endswith(")") else "RENS"
        if start is None:
            return None, lp_bound, "LP rounding found no start plan in time. "
    finally:
        for v, lo, hi in saved:
            v.lowBound, v.upBound = lo, hi
    return start, lp_bound, (f"start plan from LP rounding in {time.perf_counter() - t0:.1f} s "
                             f"(LP {t_lp:.1f} s, {how}); ")


def _kept_start(model, settings, monitor: SolveMonitor, start: dict, lp_bound, note: str) -> SolveInfo | None:
    """The start plan as the answer, when it is within the requested gap of the LP bound, too little
    time is left for the full MIP to even solve its root LP, or the user stopped; else None."""
    for var in model.prob.variables():
        var.varValue = start.get(var.name, 0.0)
    obj = finite(model.prob.objective.value())
    gap = relative_gap(obj, lp_bound)
    close = gap is not None and gap <= settings.gap
    remaining = settings.time_limit_seconds - monitor.elapsed()
    if not (remaining < FULL_MIP_MIN_SECONDS or close or monitor.stopped):
        return None
    if gap is not None and gap <= 1e-9:
        status, reason, msg = SolverStatus.OPTIMAL, "optimal", f"{note}proven optimal (equals the LP bound)"
    elif monitor.stopped:
        status, reason = SolverStatus.FEASIBLE, "interrupted"
        msg = f"{note}feasible, not optimal: stopped by the user" + (
            f"; gap to the LP bound {gap:.2%}" if gap is not None else "")
    elif close:
        status, reason = SolverStatus.FEASIBLE, "gap"
        msg = (f"{note}feasible, not proven optimal: within the requested relative gap of "
               f"{settings.gap:.2%} of the LP bound (gap {gap:.3%})")
    else:
        status, reason = SolverStatus.FEASIBLE, "time_limit"
        msg = (f"{note}feasible, not optimal: the time limit left no room to improve the LP-rounding "
               f"plan; gap to the LP bound {gap:.2%}" if gap is not None else note)
    return SolveInfo("highs", status, reason, obj, lp_bound, gap, reason == "time_limit", msg, monitor.elapsed(),
                     progress=monitor.events)


def _warm_start(model, settings, monitor: SolveMonitor):
    """Steps 1-3 for a large model with time for them: ``(start, lp_bound, note)``."""
    n_int = sum(1 for v in model.prob.variables() if v.cat == pulp.LpInteger)
    limit = settings.time_limit_seconds
    if n_int < WARM_START_MIN_INTEGERS or limit < 10 or monitor.stop_requested():
        return None, None, ""
    # LP rounding + RENS get the whole budget but a margin for reading the result; the full MIP runs
    # only if time is left after that
    budget = limit - min(3.0, 0.05 * limit)
    start, lp_bound, note = lp_rounding_start(model, budget, settings.msg, gap=settings.gap / 2, monitor=monitor,
                                              accept_gap=settings.gap, stop_gap=settings.gap)
    if start is not None:
        monitor.report(plan_value(model.prob, start), lp_bound)
    return start, lp_bound, note


def solve_highs(model, settings, monitor: SolveMonitor) -> SolveInfo:
    """HiGHS on a built model, from the LP-rounding start plan when the model is large."""
    start, lp_bound, note = _warm_start(model, settings, monitor)
    if start is not None:
        kept = _kept_start(model, settings, monitor, start, lp_bound, note)
        if kept is not None:
            return kept
    # costs net of unpaid breaks and all penalties are >= 0, so 0 is a valid bound (max-sl's is not)
    floor = None if model.problem.objective == "max-sl" else 0.0
    info = run_highs(model.prob, time_limit_seconds=max(1.0, settings.time_limit_seconds - monitor.elapsed()),
                     gap=settings.gap, threads=settings.threads, msg=settings.msg, start=start, monitor=monitor,
                     lower_bound=lp_bound, objective_floor=floor)
    info.message = note + info.message
    return info


def solve_mip(model, *, on_progress=None, should_stop=None) -> SolveInfo:
    """Solve a built model as one MIP with the solver of its settings (HiGHS, CBC fallback)."""
    settings = model.problem.solver
    if settings.solver == "highs" and highs_available():
        return solve_highs(model, settings, SolveMonitor(on_progress, should_stop, objective_offset(model.prob)))
    return run_mip(model.prob, solver=settings.solver, time_limit_seconds=settings.time_limit_seconds,
                   gap=settings.gap, threads=settings.threads, msg=settings.msg, on_progress=on_progress,
                   should_stop=should_stop)
