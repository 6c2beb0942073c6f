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
from optimiser.scheduling.global_sl import two_stage
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


def _two_stage_global_sl(model, settings) -> bool:
    """Large global-SL models are planned by staffing targets + covering (:mod:`.global_sl`)."""
    if model.problem.objective != "global-sl" or settings.time_limit_seconds < 20:
        return False
    return sum(1 for v in model.prob.variables() if v.cat == pulp.LpInteger) >= mip.WARM_START_MIN_INTEGERS


def _solve_global_sl(model, settings, on_progress, should_stop) -> SolveInfo:
    monitor = SolveMonitor(on_progress, should_stop, objective_offset(model.prob))
    values, bound, reason, note = two_stage(model, settings.time_limit_seconds, gap=settings.gap, msg=settings.msg,
                                            on_progress=lambda inc, bound, _t: monitor.report(inc, bound),
                                            should_stop=should_stop)
    elapsed = monitor.elapsed()
    if values is None:
        left = settings.time_limit_seconds - elapsed
        if left >= 10.0 and reason != "interrupted":
            # no two-stage plan (e.g. the LP did not finish): the rest of the time goes to the MIP itself
            info = mip.solve_highs(model, replace(settings, time_limit_seconds=left),
                                   SolveMonitor(on_progress, should_stop, objective_offset(model.prob)))
            info.message = f"{note}{info.message}"
            return info
        return SolveInfo("highs", SolverStatus.NO_SOLUTION, reason, None, bound, None, reason == "time_limit",
                         f"{note}no plan found after {elapsed:.1f} s", elapsed, progress=monitor.events)
    obj = finite(model.prob.objective.value())
    gap = relative_gap(obj, bound)
    if gap is not None and gap <= settings.gap:
        reason = "gap"
    words = {"gap": f"within the requested relative gap of {settings.gap:.2%} of the LP bound",
             "converged": "the staffing-target steps stopped improving",
             "time_limit": "the time limit ended the staffing-target steps",
             "interrupted": "stopped by the user"}[reason]
    gap_text = f"; gap to the LP bound {gap:.2%}" if gap is not None else ""
    return SolveInfo("highs", SolverStatus.FEASIBLE, reason, obj, bound, gap, reason == "time_limit",
                     f"{note}feasible, not proven optimal: {words}{gap_text}", elapsed, progress=monitor.events)


def solve_model(model, *, on_progress: ProgressCallback | None = None,
                should_stop: Callable[[], bool] | None = None) -> SolveInfo:
    """Run the solver named in the problem's settings on a built model."""
    settings = model.problem.solver
    if settings.solver not in SOLVERS:
        raise WfmInputError(f"solver must be one of {', '.join(SOLVERS)}, got {settings.solver!r}",
                            parameter="solver")
    if settings.solver == "highs" and highs_available() and _two_stage_global_sl(model, settings):
        return _solve_global_sl(model, settings, on_progress, should_stop)
    return mip.solve_mip(model, on_progress=on_progress, should_stop=should_stop)


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
    if info.status == SolverStatus.INFEASIBLE and not elastic:
        partial = solve(problem, elastic=True, on_progress=on_progress, should_stop=should_stop)
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
