"""Solve a :class:`SchedulingProblem` and report the status honestly.

HiGHS (through PuLP's ``HiGHS`` interface to ``highspy``) is the default;
CBC (``PULP_CBC_CMD``) is the fallback, used with a message in the result
when HiGHS is not installed.  Time limit and relative gap come from
:class:`SolverSettings`.  The status distinguishes a proven optimum from a
time-limited (or gap-limited, or user-stopped) incumbent: the latter is
``Feasible``, not ``Optimal``.  Best bound and gap are read from the solver
(HiGHS ``mip_dual_bound``/``mip_gap``; CBC from its log).

Progress: with HiGHS, ``on_progress(incumbent, bound, elapsed_seconds)`` is
called on every improving solution and periodically during the search, and
``should_stop()`` is polled there; returning True interrupts the search and
the best plan found so far is returned (``stop_reason="interrupted"``).
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import time
from dataclasses import dataclass, field, replace
from typing import Callable

import pulp

from optimiser.scheduling.model import build_model
from optimiser.scheduling.result import ScheduleResult, extract_result
from optimiser.scheduling.spec import SOLVERS, SchedulingProblem
from wfm.ground.errors import WfmInputError

ProgressCallback = Callable[[float | None, float | None, float], None]


@dataclass
class SolveInfo:
    solver: str
    status: str
    stop_reason: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    hit_time_limit: bool
    message: str
    elapsed_seconds: float
    build_seconds: float = 0.0
    progress: list = field(default_factory=list)
    explanations: list = field(default_factory=list)


def highs_available() -> bool:
    """True when PuLP can drive HiGHS through highspy in this interpreter."""
    try:
        return bool(pulp.HiGHS(msg=False).available())
    except Exception:  # pragma: no cover - defensive
        return False


def _finite(x) -> float | None:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) and abs(x) < 1e29 else None


def _rel_gap(obj, bound) -> float | None:
    if obj is None or bound is None:
        return None
    return abs(obj - bound) / max(abs(obj), 1e-9) if abs(obj) > 1e-9 else (0.0 if abs(bound) <= 1e-9 else None)


#: Above this many integer variables, HiGHS is given a start plan from LP rounding.
WARM_START_MIN_INTEGERS = 5000


def _highs_with_start(start: dict[str, float] | None, **kwargs):
    """``pulp.HiGHS`` that hands a start plan (variable name -> value) to HiGHS."""
    import highspy

    class _HiGHSStart(pulp.HiGHS):
        def callSolver(self, lp):
            if start:
                sol = highspy.HighsSolution()
                values = [0.0] * len(lp.variables())
                for var in lp.variables():
                    values[var.index] = float(start.get(var.name, 0.0))
                sol.col_value = values
                sol.value_valid = True
                lp.solverModel.setSolution(sol)
            lp.solverModel.run()

    return _HiGHSStart(**kwargs)


def _objective_offset(prob) -> float:
    """The objective's constant, which PuLP does not pass to HiGHS (HiGHS's values lack it)."""
    return float(getattr(prob.objective, "constant", 0.0) or 0.0)


def _plan_value(prob, plan: dict[str, float]) -> float:
    return sum(c * plan.get(v.name, 0.0) for v, c in prob.objective.items()) + _objective_offset(prob)


def solve_lp_relaxation(prob, time_limit_seconds: float, msg: bool = False) -> float | None:
    """Solve the LP relaxation of ``prob`` by interior point (HiGHS dual simplex had not finished the demo
    week's after 300 s; IPM: 7-10 s); the variables hold its values.  Returns its optimum with the objective
    constant (a valid lower bound of the MIP), or None when it was not solved in time."""
    import highspy

    prob.solve(pulp.HiGHS(mip=False, msg=msg, timeLimit=max(1.0, time_limit_seconds), solver="ipm"))
    h = prob.solverModel
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    value = _finite(h.getInfo().objective_function_value)
    # PuLP hands HiGHS no objective constant (max-sl has one: the calls answered at the stability
    # point), so HiGHS's values are shifted by it
    return None if value is None else value + _objective_offset(prob)


def lp_rounding_start(model, time_limit_seconds: float, msg: bool = False, *, gap: float = 0.005,
                      callback=None, accept_gap: float | None = None,
                      should_stop: Callable[[], bool] | None = None) -> tuple[dict[str, float] | None, float | None, str]:
    """A feasible start plan by LP rounding, and the LP bound.

    1. Solve the LP relaxation by interior point (measured on the demo week:
       ~7-10 s, where dual simplex had not finished after 300 s); its optimum
       is a valid lower bound of the MIP.  2. Round it to whole shifts that fit
       whole tours (:func:`optimiser.scheduling.rounding.tour_rounding`: tours
       first, then shift counts within each day's working tours and each
       week's contract hours), fix the shift counts and solve the small MIP
       that is left (break counts, tours, allocation).  Rounding every count
       up instead -- still tried when the tour rounding fails -- is infeasible
       on the demo week: the LP's days-off, headcount and contract-minimum rows
       bind, so the rounded shift-days exceed what whole tours can work.
       Measured (2026-11-29): the tour-rounded plan comes 1.5-2.5 s after the
       LP, 0.8 % / 1.0 % / 1.5 % above the LP bound on the app's quick plan /
       the app's week with the full demo rules / the benchmark week.
       3. RENS: every shift count
       between the floor and ceiling of its LP value (widened to hold the plan
       of 2), started from 2, until the relative ``gap`` (to that
       neighbourhood's own bound) or the time limit.  Step 3 is skipped when
       the plan of 2 is already within ``accept_gap`` of the LP bound, or when
       ``should_stop()`` is true.
       Returns ``(start, lp_bound, note)``; ``start`` is None when the time ran
       out.  ``callback`` (a highspy MIP callback) is handed to steps 2 and 3
       with user data ``{"bound": lp_bound}`` (and ``"stop_at_gap": False`` in
       step 2, which is let finish).
    """
    from optimiser.scheduling.rounding import tour_rounding

    t0 = time.perf_counter()
    prob = model.prob
    shift_vars = [sv.var for sv in model.shifts if isinstance(sv.var, pulp.LpVariable)]
    if len(shift_vars) != len(model.shifts):
        return None, None, ""
    lp_bound = solve_lp_relaxation(prob, time_limit_seconds * 0.8, msg)
    if lp_bound is None:
        return None, None, "LP relaxation not solved in time; no start plan. "
    import highspy

    offset = _objective_offset(prob)  # HiGHS's values lack the objective constant; bounds and plans here include it
    lp_all = {v.name: (v.varValue or 0.0) for v in prob.variables()}
    lp_values = {v.name: max(lp_all[v.name], 0.0) for v in shift_vars}
    t_lp = time.perf_counter() - t0
    # whole on-phone agents (global-sl/max-sl) join the RENS neighbourhood: without them the
    # neighbourhood of the demo week's global-SL model was too wide for a good plan in 240 s
    phone_vars = list(getattr(model, "on_phone", {}).values())
    phone_lp = {v.name: max(v.varValue or 0.0, 0.0) for v in phone_vars}
    saved = [(v, v.lowBound, v.upBound) for v in shift_vars + phone_vars]
    extra = {} if callback is None else {
        "callbackTuple": (callback, {"bound": lp_bound}),
        "callbacksToActivate": [highspy.cb.HighsCallbackType.kCallbackMipImprovingSolution,
                                highspy.cb.HighsCallbackType.kCallbackMipInterrupt]}
    start, how = None, ""
    try:
        # a) whole tours first, then shift counts that fit them; b) every count rounded up (except
        #    where a template's daily cap would be exceeded), when a) finds nothing
        tried = []
        counts, why = tour_rounding(model, lp_all)
        if counts is not None:
            tried.append(("tour rounding", counts))
        else:
            how = f"tour rounding found no plan: {why}; "
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
        tried.append(("round-up", rounded))
        for label, fixed in tried:
            if should_stop is not None and should_stop():
                break
            for v in shift_vars:
                v.lowBound = v.upBound = fixed[v.name]
            share = max(1.0, (time_limit_seconds - (time.perf_counter() - t0)) * 0.4)
            # the fixed-count MIP is small (1.5-2.5 s on the demo week): let it finish rather than stop at
            # the first plan within the requested gap (on the app's quick plan: 0.68 % instead of 0.94 %)
            fixed_extra = extra and {**extra, "callbackTuple": (callback, {"bound": lp_bound, "stop_at_gap": False})}
            prob.solve(_highs_with_start(None, msg=msg, timeLimit=share, gapRel=min(gap, 0.001), **fixed_extra))
            if prob.solverModel.getInfo().primal_solution_status == 2:
                start = {v.name: (v.varValue or 0.0) for v in prob.variables()}
                rounded = fixed
                how += f"{label} ({time.perf_counter() - t0 - t_lp:.1f} s after the LP)"
                break
        gap_a = None if start is None else _rel_gap(_plan_value(prob, start), lp_bound)
        close = accept_gap is not None and gap_a is not None and gap_a <= accept_gap
        # c) RENS-style neighbourhood (Berthold 2014): each count between floor and ceil of the LP
        #    (widened to hold the rounded plan), started from a)/b) when it exists
        for v in shift_vars:
            x = lp_values[v.name]
            v.lowBound = min(math.floor(x + 1e-6), rounded[v.name])
            v.upBound = max(math.ceil(x - 1e-6), rounded[v.name])
        for v in phone_vars:
            x = phone_lp[v.name]
            held = [] if start is None else [round(start.get(v.name, 0.0))]
            v.lowBound = min([math.floor(x + 1e-6)] + held)
            v.upBound = max([math.ceil(x - 1e-6)] + held)
        left = time_limit_seconds - (time.perf_counter() - t0)
        if left >= 2.0 and not close and not (should_stop is not None and should_stop()):
            # more effort on primal heuristics: in this neighbourhood the sub-MIP heuristic finds
            # the good plans, while root cut rounds barely move its bound (demo week)
            prob.solve(_highs_with_start(start, msg=msg, timeLimit=left, gapRel=gap, mip_heuristic_effort=0.3,
                                         **extra))
            info = prob.solverModel.getInfo()
            if info.primal_solution_status == 2:
                value = _finite(info.objective_function_value)
                value = None if value is None else value + offset
                best = None if start is None else _plan_value(prob, start)
                if best is None or (value is not None and value < best - 1e-6):
                    start = {v.name: (v.varValue or 0.0) for v in prob.variables()}
                    how += " then RENS" if how.endswith(")") else "RENS"
        if start is None:
            return None, lp_bound, "LP rounding found no start plan in time. "
    finally:
        for v, lo, hi in saved:
            v.lowBound, v.upBound = lo, hi
    return start, lp_bound, (f"start plan from LP rounding in {time.perf_counter() - t0:.1f} s "
                             f"(LP {t_lp:.1f} s, {how}); ")


def _solve_highs(model, settings, on_progress, should_stop) -> SolveInfo:
    import highspy

    cbt = highspy.cb.HighsCallbackType
    events: list = []
    t0 = time.perf_counter()
    state = {"last": -1.0, "stopped": False}

    offset = _objective_offset(model.prob)  # HiGHS's values lack the objective constant (max-sl)

    def callback(cb_type, message, data_out, data_in, user_data):
        elapsed = time.perf_counter() - t0
        inc = _finite(data_out.objective_function_value)
        bound = _finite(data_out.mip_dual_bound)
        inc = None if inc is None else inc + offset
        bound = None if bound is None else bound + offset
        if isinstance(user_data, dict):  # RENS: its neighbourhood's bound is no bound of the plan; the LP's is
            bound = user_data.get("bound")
            gap = _rel_gap(inc, bound)
            if (cb_type == cbt.kCallbackMipInterrupt and gap is not None and gap <= settings.gap
                    and user_data.get("stop_at_gap", True)):
                data_in.user_interrupt = True  # within the requested gap of the LP bound: done
        if cb_type == cbt.kCallbackMipImprovingSolution or elapsed - state["last"] >= 1.0:
            state["last"] = elapsed
            events.append((inc, bound, elapsed))
            if on_progress is not None:
                on_progress(inc, bound, elapsed)
        if cb_type == cbt.kCallbackMipInterrupt and should_stop is not None and should_stop():
            state["stopped"] = True
            data_in.user_interrupt = True

    n_int = sum(1 for v in model.prob.variables() if v.cat == pulp.LpInteger)
    start, lp_bound, note = None, None, ""
    limit = settings.time_limit_seconds
    if n_int >= WARM_START_MIN_INTEGERS and limit >= 10 and not (should_stop and should_stop()):
        # The full MIP re-solves the root LP by dual simplex, which takes minutes on the demo week
        # (measured: not done after 300 s), so LP rounding + RENS gets the whole budget but a margin
        # for reading the result; the full MIP runs only if time is left after that.
        budget = limit - min(3.0, 0.05 * limit)
        start, lp_bound, note = lp_rounding_start(model, budget, settings.msg, gap=settings.gap / 2,
                                                  callback=callback, accept_gap=settings.gap,
                                                  should_stop=should_stop)
        if start is not None and on_progress is not None:
            for var in model.prob.variables():
                var.varValue = start.get(var.name, 0.0)
            inc = _finite(model.prob.objective.value())
            events.append((inc, lp_bound, time.perf_counter() - t0))
            on_progress(inc, lp_bound, time.perf_counter() - t0)
    remaining = limit - (time.perf_counter() - t0)
    if start is not None:
        for var in model.prob.variables():
            var.varValue = start.get(var.name, 0.0)
        obj = _finite(model.prob.objective.value())
        gap = _rel_gap(obj, lp_bound)
        close = gap is not None and gap <= settings.gap
        if remaining < 30.0 or close or state["stopped"]:
            # keep the start plan: it is within the requested gap of the LP bound, or too little time
            # is left for the full MIP to even solve its root LP, or the user stopped
            elapsed = time.perf_counter() - t0
            if gap is not None and gap <= 1e-9:
                status, reason, msg = "Optimal", "optimal", f"{note}proven optimal (equals the LP bound)"
            elif state["stopped"]:
                status, reason = "Feasible", "interrupted"
                msg = f"{note}feasible, not optimal: stopped by the user" + (
                    f"; gap to the LP bound {gap:.2%}" if gap is not None else "")
            elif close:
                status, reason = "Feasible", "gap"
                msg = (f"{note}feasible, not proven optimal: within the requested relative gap of "
                       f"{settings.gap:.2%} of the LP bound (gap {gap:.3%})")
            else:
                status, reason = "Feasible", "time_limit"
                msg = (f"{note}feasible, not optimal: the time limit left no room to improve the LP-rounding "
                       f"plan; gap to the LP bound {gap:.2%}" if gap is not None else note)
            return SolveInfo("highs", status, reason, obj, lp_bound, gap, reason == "time_limit", msg, elapsed,
                             progress=events)
    remaining = max(1.0, remaining)
    solver = _highs_with_start(
        start, msg=settings.msg, timeLimit=remaining, gapRel=settings.gap,
        threads=settings.threads, callbackTuple=(callback, None),
        callbacksToActivate=[cbt.kCallbackMipImprovingSolution, cbt.kCallbackMipInterrupt])
    model.prob.solve(solver)
    elapsed = time.perf_counter() - t0
    h = model.prob.solverModel
    ms = h.getModelStatus()
    info = h.getInfo()
    has_sol = info.primal_solution_status == 2
    obj = _finite(info.objective_function_value) if has_sol else None
    obj = None if obj is None else obj + offset
    bound = _finite(getattr(info, "mip_dual_bound", None))
    bound = None if bound is None else bound + offset
    if lp_bound is not None and (bound is None or lp_bound > bound):
        bound = lp_bound  # the LP relaxation bound of the rounding phase is valid and better
    if bound is not None and bound < 0 and model.problem.objective != "max-sl":
        # costs net of unpaid breaks and all penalties are >= 0, so 0 is a valid bound; HiGHS reports a
        # huge negative one (from variable bounds) when its root LP is unfinished
        bound = 0.0
    if n_int == 0:  # a pure LP: the bound is the optimum
        bound = obj
    gap = _rel_gap(obj, bound) if n_int else (0.0 if obj is not None else None)
    MS = highspy.HighsModelStatus
    hit = ms == MS.kTimeLimit
    if ms == MS.kOptimal:
        tol = max(settings.gap, 0.0)
        if gap is not None and gap > 1e-6:
            status, reason = "Feasible", "gap"
            msg = (f"feasible, not proven optimal: stopped at the requested relative gap of {tol:.2%} "
                   f"(proven gap {gap:.3%})")
        else:
            status, reason, msg = "Optimal", "optimal", "proven optimal"
    elif ms in (MS.kInfeasible, MS.kUnboundedOrInfeasible):
        status, reason, msg = "Infeasible", "infeasible", "no plan satisfies the hard rules"
    elif has_sol and ms in (MS.kTimeLimit, MS.kInterrupt, MS.kIterationLimit, MS.kSolutionLimit,
                            MS.kObjectiveBound, MS.kObjectiveTarget):
        status = "Feasible"
        reason = "time_limit" if hit else ("interrupted" if ms == MS.kInterrupt or state["stopped"] else "limit")
        gap_text = f"{gap:.2%}" if gap is not None else "unknown"
        msg = (f"feasible, not optimal: the solver stopped ({reason.replace('_', ' ')}) after {elapsed:.1f} s "
               f"with the best plan so far; gap to the bound {gap_text}")
    else:
        status, reason = "No solution", "time_limit" if hit else ("interrupted" if state["stopped"] else "error")
        msg = f"no plan found ({h.modelStatusToString(ms)}) after {elapsed:.1f} s"
    return SolveInfo("highs", status, reason, obj, bound, gap, hit, note + msg, elapsed, progress=events)


_CBC_BOUND = re.compile(r"Lower bound:\s*(-?[\d.e+-]+)")
_CBC_GAP = re.compile(r"Gap:\s*(-?[\d.e+-]+)")


def _solve_cbc(model, settings, on_progress) -> SolveInfo:
    fd, log = tempfile.mkstemp(suffix=".log", prefix="cbc_")
    os.close(fd)
    t0 = time.perf_counter()
    solver = pulp.PULP_CBC_CMD(msg=settings.msg, timeLimit=settings.time_limit_seconds, gapRel=settings.gap,
                               threads=settings.threads, logPath=log)
    try:
        model.prob.solve(solver)
    except pulp.PulpSolverError as exc:  # pragma: no cover - CBC binary broken
        return SolveInfo("cbc", "No solution", "error", None, None, None, False, f"CBC failed: {exc}",
                         time.perf_counter() - t0)
    elapsed = time.perf_counter() - t0
    text = open(log, encoding="utf-8", errors="replace").read()
    os.unlink(log)
    st, sol = model.prob.status, model.prob.sol_status
    obj = _finite(pulp.value(model.prob.objective)) if sol in (1, 2) else None
    m = _CBC_BOUND.search(text)
    bound = _finite(m.group(1)) if m else None
    hit = "Stopped on time" in text or "time limit" in text.lower() and sol == 2
    if "Result - Optimal solution found" in text and bound is None:
        bound = obj
    gap = _rel_gap(obj, bound)
    if on_progress is not None:
        on_progress(obj, bound, elapsed)
    if sol == pulp.LpSolutionOptimal and "Optimal solution found" in text and not hit:
        if "tolerance" in text.lower() and gap is not None and gap > 1e-6:
            status, reason, msg = "Feasible", "gap", f"feasible, stopped at the requested gap (proven gap {gap:.3%})"
        else:
            status, reason, msg = "Optimal", "optimal", "proven optimal"
    elif sol == pulp.LpSolutionOptimal and not hit:
        status, reason, msg = "Optimal", "optimal", "proven optimal"
    elif sol == pulp.LpSolutionIntegerFeasible or (sol == pulp.LpSolutionOptimal and hit):
        status, reason = "Feasible", "time_limit" if hit else "gap"
        msg = f"feasible, not optimal: CBC stopped ({reason.replace('_', ' ')}) after {elapsed:.1f} s"
    elif st == pulp.LpStatusInfeasible or sol == pulp.LpSolutionInfeasible:
        status, reason, msg = "Infeasible", "infeasible", "no plan satisfies the hard rules"
    else:
        status, reason, msg = "No solution", "time_limit" if hit else "error", f"no plan found after {elapsed:.1f} s"
    return SolveInfo("cbc", status, reason, obj, bound, gap, hit, msg, elapsed,
                     progress=[(obj, bound, elapsed)])


def _two_stage_global_sl(model, settings) -> bool:
    """Large global-SL models are planned by staffing targets + covering (:mod:`.global_sl`)."""
    if model.problem.objective != "global-sl" or settings.time_limit_seconds < 20:
        return False
    return sum(1 for v in model.prob.variables() if v.cat == pulp.LpInteger) >= WARM_START_MIN_INTEGERS


def _solve_global_sl(model, settings, on_progress, should_stop) -> SolveInfo:
    from optimiser.scheduling.global_sl import two_stage

    t0 = time.perf_counter()
    events: list = []

    def progress(inc, bound, elapsed):
        events.append((inc, bound, elapsed))
        if on_progress is not None:
            on_progress(inc, bound, elapsed)

    values, bound, reason, note = two_stage(model, settings.time_limit_seconds, gap=settings.gap, msg=settings.msg,
                                            on_progress=progress, should_stop=should_stop)
    elapsed = time.perf_counter() - t0
    if values is None:
        left = settings.time_limit_seconds - elapsed
        if left >= 10.0 and reason != "interrupted":
            # no two-stage plan (e.g. the LP did not finish): the rest of the time goes to the MIP itself
            info = _solve_highs(model, replace(settings, time_limit_seconds=left), on_progress, should_stop)
            info.message = f"{note}{info.message}"
            return info
        return SolveInfo("highs", "No solution", reason, None, bound, None, reason == "time_limit",
                         f"{note}no plan found after {elapsed:.1f} s", elapsed, progress=events)
    obj = _finite(model.prob.objective.value())
    gap = _rel_gap(obj, bound)
    if gap is not None and gap <= settings.gap:
        reason = "gap"
    words = {"gap": f"within the requested relative gap of {settings.gap:.2%} of the LP bound",
             "converged": "the staffing-target steps stopped improving",
             "time_limit": "the time limit ended the staffing-target steps",
             "interrupted": "stopped by the user"}[reason]
    gap_text = f"; gap to the LP bound {gap:.2%}" if gap is not None else ""
    return SolveInfo("highs", "Feasible", reason, obj, bound, gap, reason == "time_limit",
                     f"{note}feasible, not proven optimal: {words}{gap_text}", elapsed, progress=events)


def solve_model(model, *, on_progress: ProgressCallback | None = None,
                should_stop: Callable[[], bool] | None = None) -> SolveInfo:
    """Run the solver named in the problem's settings on a built model."""
    settings = model.problem.solver
    if settings.solver not in SOLVERS:
        raise WfmInputError(f"solver must be one of {', '.join(SOLVERS)}, got {settings.solver!r}")
    note = ""
    name = settings.solver
    if name == "highs" and not highs_available():
        name = "cbc"
        note = "HiGHS (highspy) is not available; fell back to CBC. "
    if name == "highs" and _two_stage_global_sl(model, settings):
        info = _solve_global_sl(model, settings, on_progress, should_stop)
    elif name == "highs":
        info = _solve_highs(model, settings, on_progress, should_stop)
    else:
        if should_stop is not None:
            note += "CBC has no progress callback: progress is reported once at the end and cannot be stopped early. "
        info = _solve_cbc(model, settings, on_progress)
    info.message = note + info.message
    return info


def solve(problem: SchedulingProblem, *, elastic: bool = True, on_progress: ProgressCallback | None = None,
          should_stop: Callable[[], bool] | None = None, lp_file: str | None = None) -> ScheduleResult:
    """Build and solve ``problem``; never raises for an infeasible plan.

    Parameters
    ----------
    problem : SchedulingProblem
    elastic : bool
        True (default): coverage has priced shortfall slack, so a partial plan
        with every shortfall named always comes back.  False: coverage is
        hard; if that is infeasible the status is ``Infeasible`` and the
        elastic model is solved too, so the result still carries the best
        partial plan and the explanation.
    on_progress : callable, optional
        ``on_progress(incumbent, bound, elapsed_seconds)``.
    should_stop : callable, optional
        Polled during the search; True stops it with the best plan so far.
    lp_file : str, optional
        Write the model to this ``.lp`` file before solving.

    Returns
    -------
    ScheduleResult
    """
    t0 = time.perf_counter()
    model = build_model(problem, elastic=elastic)
    build_seconds = time.perf_counter() - t0
    if lp_file:
        model.prob.writeLP(str(lp_file))
    info = solve_model(model, on_progress=on_progress, should_stop=should_stop)
    info.build_seconds = build_seconds
    if info.status == "Infeasible" and not elastic:
        partial = solve(problem, elastic=True, on_progress=on_progress, should_stop=should_stop)
        message = (f"{info.message}: no plan meets every rule and covers the whole requirement; "
                   f"returning the best partial plan ({partial.status.lower()} for the elastic model) "
                   f"with {len(partial.shortfalls)} shortfall period(s)")
        return replace(partial, status="Infeasible", stop_reason="infeasible", message=message,
                       objective=partial.objective, hit_time_limit=info.hit_time_limit or partial.hit_time_limit)
    result = extract_result(model, info)
    if result.has_solution and result.shortfalls:
        result = replace(result, message=result.message + f"; the plan is short in {len(result.shortfalls)} "
                         "period(s), each listed with the rule that binds")
    return result
