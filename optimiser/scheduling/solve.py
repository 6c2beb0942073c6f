"""Solve a :class:`SchedulingProblem` and report the status honestly.

HiGHS (through PuLP's ``HiGHS`` interface to ``highspy``) is the default;
CBC (``PULP_CBC_CMD``) is the fallback, used with a message in the result
when HiGHS is not installed.  The runner and its status mapping are the
ground's (:mod:`wfm.ground.solver`, shared with rostering); the scheduler's
own parts are the LP-rounding warm start (:mod:`optimiser.scheduling.mip`)
and the two-stage plan of large global-SL models
(:mod:`optimiser.scheduling.global_sl`).  Time limit and relative gap come
from :class:`SolverSettings`.  The status distinguishes a proven optimum from
a time-limited (or gap-limited, or user-stopped) incumbent: the latter is
``Feasible``, not ``Optimal``.  Best bound and gap are read from the solver
(HiGHS ``mip_dual_bound``; CBC from its log).

Progress: with HiGHS, ``on_progress(incumbent, bound, elapsed_seconds)`` is
called on every improving solution and periodically during the search, and
``should_stop()`` is polled there; returning True interrupts the search and
the best plan found so far is returned (``stop_reason="interrupted"``).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

import pulp

from optimiser.scheduling import mip
from optimiser.scheduling.global_sl import apply, transfer, two_stage
from optimiser.scheduling.headcount import coarse_rules, describe_floors, solve_headcount
from optimiser.scheduling.model import build_model
from optimiser.scheduling.result import ScheduleResult, extract_result
from optimiser.scheduling.spec import SOLVERS, SchedulingProblem
from wfm.ground.errors import WfmInputError
from wfm.ground.solver import (
    ProgressCallback,
    SolveInfo,
    SolveMonitor,
    finite,
    highs_available,
    objective_offset,
    relative_gap,
)
from wfm.ground.vocabulary import SolverStatus


#: below this time limit [s] a large global-SL model is not planned by staffing-target steps (its LP alone
#: takes 13-25 s on the demo week): the plan covers every interval's own requirement instead
TWO_STAGE_MIN_SECONDS = 45.0


def _large(model) -> bool:
    return sum(1 for v in model.prob.variables() if v.cat == pulp.LpInteger) >= mip.WARM_START_MIN_INTEGERS


def _covering_plan(model, seconds: float, should_stop) -> tuple[dict | None, str]:
    """The plan that covers every interval's own requirement (the ``cost`` model of the same rules on the
    hourly shift grid, :func:`.headcount.coarse_rules`, whose shifts are shifts of the rules: a plan in
    seconds on the demo week), its shifts, tours and breaks fixed in ``model`` (a global-SL model) and the
    agents placed there: ``(values, note)``, values None when no covering plan came in ``seconds``."""
    t = time.perf_counter()
    problem = model.problem
    rules = coarse_rules(problem.rules) or problem.rules
    cover = replace(problem, rules=replace(rules, objective="cost", solver=replace(
        problem.solver, time_limit_seconds=max(1.0, 0.7 * seconds))))
    cm = build_model(cover)
    info = mip.solve_mip(cm, should_stop=should_stop)
    if info.objective is None or not any((sv.var.value() or 0) > 0.5 for sv in cm.shifts):
        return None, f"no covering plan in {time.perf_counter() - t:.1f} s; "
    values = transfer(cm, model, max(1.0, seconds - (time.perf_counter() - t)))
    if values is None:
        return None, f"the covering plan's agents were not placed in time ({time.perf_counter() - t:.1f} s); "
    return values, (f"covering plan of every interval's own requirement in {time.perf_counter() - t:.1f} s "
                    f"(covering gap {'n/a' if info.gap is None else f'{info.gap:.2%}'}); ")


def _solve_global_sl(model, settings, on_progress, should_stop) -> SolveInfo:
    """Large global-SL models: staffing targets + covering (:mod:`.global_sl`) when the time allows, and a plan
    that covers every interval's own requirement when it does not (or the steps found none): a time-limited
    global-SL solve returns at least that covering plan, never an empty one."""
    monitor = SolveMonitor(on_progress, should_stop, objective_offset(model.prob))
    values, bound, reason, note = None, None, "time_limit", ""
    if settings.time_limit_seconds >= TWO_STAGE_MIN_SECONDS:
        values, bound, reason, note = two_stage(
            model, settings.time_limit_seconds, gap=settings.gap, msg=settings.msg,
            on_progress=lambda inc, bound, _t: monitor.report(inc, bound), should_stop=should_stop)
    else:
        note = (f"a time limit under {TWO_STAGE_MIN_SECONDS:g} s leaves no room for the staffing-target steps; ")
    if values is None and not monitor.stop_requested():
        values, more = _covering_plan(model, settings.time_limit_seconds - monitor.elapsed(), should_stop)
        note += more
        reason = "time_limit"
    elapsed = monitor.elapsed()
    if values is None:
        return SolveInfo("highs", SolverStatus.NO_SOLUTION, reason, None, bound, None, reason == "time_limit",
                         f"{note}no plan found after {elapsed:.1f} s", elapsed, progress=monitor.events)
    apply(model, values)
    obj = finite(model.prob.objective.value())
    monitor.report(obj, bound)
    gap = relative_gap(obj, bound)
    if gap is not None and gap <= settings.gap:
        reason = "gap"
    words = {"gap": f"within the requested relative gap of {settings.gap:.2%} of the LP bound",
             "converged": "the staffing-target steps stopped improving",
             "time_limit": "the time limit ended the staffing-target steps",
             "interrupted": "stopped by the user"}[reason]
    gap_text = f"; gap to the LP bound {gap:.2%}" if gap is not None else "; no bound (the LP was not solved)"
    return SolveInfo("highs", SolverStatus.FEASIBLE, reason, obj, bound, gap, reason == "time_limit",
                     f"{note}feasible, not proven optimal: {words}{gap_text}; {describe_floors(model)}", elapsed,
                     progress=monitor.events)


def _staged_max_sl(model) -> bool:
    """Large max-sl models are planned in stages (:mod:`.headcount`): their whole MIP had no good plan
    in 300 s on the demo week."""
    return model.problem.objective == "max-sl" and _large(model)


def solve_model(model, *, on_progress: ProgressCallback | None = None,
                should_stop: Callable[[], bool] | None = None, started: float | None = None) -> SolveInfo:
    """Run the solver named in the problem's settings on a built model.  ``started`` (a
    :func:`time.perf_counter` value, default now) is when the time limit began: the staged max-sl plan
    counts the model build in it."""
    settings = model.problem.solver
    if settings.solver not in SOLVERS:
        raise WfmInputError(f"solver must be one of {', '.join(SOLVERS)}, got {settings.solver!r}",
                            parameter="solver")
    if settings.solver == "highs" and highs_available() and _staged_max_sl(model):
        monitor = SolveMonitor(on_progress, should_stop, objective_offset(model.prob))
        return solve_headcount(model, settings, monitor, started=started)
    settings = _time_left(model, started)
    if settings.solver == "highs" and highs_available() and model.problem.objective == "global-sl" and _large(model):
        return _solve_global_sl(model, settings, on_progress, should_stop)
    return mip.solve_mip(model, on_progress=on_progress, should_stop=should_stop)


def _time_left(model, started: float | None):
    """The solver settings with the time limit cut to what is left of it after the model build (counted from
    ``started``) and a margin of min(3 s, 5 %) for reading the plan; held in ``model.problem`` too."""
    settings = model.problem.solver
    if started is None:
        return settings
    limit = settings.time_limit_seconds
    left = limit - (time.perf_counter() - started) - min(3.0, 0.05 * limit)
    settings = replace(settings, time_limit_seconds=max(1.0, left))
    model.problem = replace(model.problem, rules=replace(model.problem.rules, solver=settings))
    return settings


def solve(problem: SchedulingProblem, *, elastic: bool = True, on_progress: ProgressCallback | None = None,
          should_stop: Callable[[], bool] | None = None, lp_file: str | None = None) -> ScheduleResult:
    """Build and solve ``problem``; never raises for an infeasible plan.

    Parameters
    ----------
    problem : SchedulingProblem
    elastic : bool
        True (default): coverage has priced shortfall slack, so a partial plan
        with every shortfall named always comes back.  False (or the rules'
        ``coverage: hard``): coverage is hard; if that is infeasible the status is ``Infeasible`` and the
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
    # coverage: hard in the rules is elastic=False here
    elastic = elastic and problem.rules.coverage != "hard"
    model = build_model(problem, elastic=elastic)
    build_seconds = time.perf_counter() - t0
    if lp_file:
        model.prob.writeLP(str(lp_file))
    info = solve_model(model, on_progress=on_progress, should_stop=should_stop, started=t0)
    info.build_seconds = build_seconds
    if info.status == SolverStatus.INFEASIBLE and not elastic:
        # the elastic model gets what is left of the time limit
        left = max(1.0, problem.solver.time_limit_seconds - (time.perf_counter() - t0))
        relaxed = replace(problem, rules=replace(problem.rules, coverage="elastic",
                                                 solver=replace(problem.solver, time_limit_seconds=left)))
        partial = solve(relaxed, elastic=True, on_progress=on_progress, should_stop=should_stop)
        message = (f"{info.message}: no plan meets every rule and covers the whole requirement; "
                   f"returning the best partial plan ({partial.status.lower()} for the elastic model) "
                   f"with {len(partial.shortfalls)} shortfall period(s)")
        return replace(partial, status=SolverStatus.INFEASIBLE, stop_reason="infeasible", message=message,
                       objective=partial.objective, hit_time_limit=info.hit_time_limit or partial.hit_time_limit)
    result = extract_result(model, info)
    if result.has_solution and result.shortfalls:
        result = replace(result, message=result.message + f"; the plan is short in {len(result.shortfalls)} "
                         "period(s), each listed with the rule that binds")
    return result
