"""The one MIP runner of every stage: HiGHS with a warm start, CBC as the fallback, an honest status.

Scheduling and rostering build PuLP models (``pulp.LpProblem``) and hand them here; nothing in
this module knows what the variables mean.

* :func:`run_mip` — the entry point: HiGHS through PuLP's ``highspy`` interface, or CBC
  (``PULP_CBC_CMD``) when HiGHS is asked for but not installed, with a note saying so;
* :func:`run_highs` / :func:`run_cbc` — one run of one solver, time limit and relative gap;
* :class:`SolveMonitor` — the progress reports (``on_progress(incumbent, bound, elapsed_seconds)``,
  on every improving solution and about once a second) and the stop request (``should_stop()``,
  polled during the search; True ends it with the best plan so far) of one solve, shared by the
  several HiGHS runs a stage may make (a warm-start phase, then the full model);
* :class:`HiGHSWithStart` — PuLP's HiGHS interface handing HiGHS a start plan;
* :func:`solve_lp_relaxation` — the LP relaxation by interior point, a valid lower bound.

Status (:class:`~wfm.ground.vocabulary.SolverStatus`), read from the solver, never assumed:

=====================  ==================================================================
``Optimal``            proven optimal (HiGHS ``kOptimal`` with the proven gap ~0; a pure LP)
``Feasible``           a plan keeping every hard rule, not proven optimal: the time limit,
                       the requested gap, a stop request or another limit ended the search
``Infeasible``         the hard rules cannot all hold
``No solution``        the search ended (time limit, stop, error) before any plan was found
=====================  ==================================================================

``stop_reason`` says why in one word: ``optimal``, ``gap``, ``time_limit``, ``interrupted``,
``limit`` (another solver limit), ``infeasible`` or ``error``.

Objective constants: PuLP does not pass an objective's constant to HiGHS, so every objective value
and bound read from HiGHS here is shifted by :func:`objective_offset` (the values reported are the
model's own).
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping

import pulp

from wfm.ground.vocabulary import SolverStatus

__all__ = [
    "HiGHSWithStart", "ProgressCallback", "SolveInfo", "SolveMonitor", "finite", "highs_available",
    "objective_offset", "plan_value", "relative_gap", "run_cbc", "run_highs", "run_mip", "solve_lp_relaxation",
]

ProgressCallback = Callable[[float | None, float | None, float], None]
#: The solvers :func:`run_mip` knows.
SOLVER_NAMES: tuple[str, ...] = ("highs", "cbc")
#: A proven gap at most this small counts as zero [fraction].
GAP_ZERO = 1e-6


@dataclass
class SolveInfo:
    """How one solve ended (see the module docstring for ``status`` and ``stop_reason``).

    ``objective`` and ``best_bound`` are in the model's own units (objective constant included),
    ``gap`` is relative [fraction], ``elapsed_seconds`` the wall-clock time of the solve [s] and
    ``progress`` the ``(incumbent, bound, elapsed_seconds)`` reports seen on the way.
    """

    solver: str
    status: SolverStatus
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

    @property
    def has_plan(self) -> bool:
        return SolverStatus(self.status).has_plan


def highs_available() -> bool:
    """True when PuLP can drive HiGHS through ``highspy`` in this interpreter."""
    try:
        return bool(pulp.HiGHS(msg=False).available())
    except Exception:  # pragma: no cover - defensive: a broken highspy is "not available"
        return False


def finite(x) -> float | None:
    """``x`` as a float, or None when it is missing, not a number, infinite or HiGHS's "infinity" (1e30)."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) and abs(x) < 1e29 else None


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """``|objective - bound| / |objective|`` [fraction]; 0 when both are ~0; None when unknown."""
    if objective is None or bound is None:
        return None
    if abs(objective) > 1e-9:
        return abs(objective - bound) / abs(objective)
    return 0.0 if abs(bound) <= 1e-9 else None


def objective_offset(prob: pulp.LpProblem) -> float:
    """The objective's constant, which PuLP does not pass to HiGHS (HiGHS's values lack it)."""
    return float(getattr(prob.objective, "constant", 0.0) or 0.0)


def plan_value(prob: pulp.LpProblem, plan: Mapping[str, float]) -> float:
    """The objective of ``plan`` (variable name -> value; missing names count 0), constant included."""
    return sum(c * plan.get(v.name, 0.0) for v, c in prob.objective.items()) + objective_offset(prob)


def _integers(prob: pulp.LpProblem) -> int:
    return sum(1 for v in prob.variables() if v.cat == pulp.LpInteger)


class HiGHSWithStart(pulp.HiGHS):
    """PuLP's HiGHS interface that hands HiGHS a start plan before it runs.

    Parameters
    ----------
    start : mapping of variable name -> value, optional
        The plan to start from.
    complete : bool
        True: the start is a whole plan (variables it does not name are 0).  False: it is
        partial and HiGHS completes the variables it does not name (a sub-MIP), e.g. a roster's
        assignments without the rest-period indicators.
    **kwargs
        As :class:`pulp.HiGHS` (``msg``, ``timeLimit``, ``gapRel``, ``threads``, callbacks, options).
    """

    def __init__(self, start: Mapping[str, float] | None = None, *, complete: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.start = dict(start) if start else {}
        self.complete = complete

    def callSolver(self, lp):
        if self.start:
            import highspy

            variables = lp.variables()
            if self.complete:
                values = [0.0] * len(variables)
                for var in variables:
                    values[var.index] = float(self.start.get(var.name, 0.0))
                sol = highspy.HighsSolution()
                sol.col_value = values
                sol.value_valid = True
                lp.solverModel.setSolution(sol)
            else:
                given = [(var.index, float(self.start[var.name])) for var in variables if var.name in self.start]
                if given:
                    idx, val = zip(*given)
                    lp.solverModel.setSolution(len(idx), list(idx), list(val))
        lp.solverModel.run()


class SolveMonitor:
    """Progress reports and the stop request of one solve, across the HiGHS runs it makes.

    Parameters
    ----------
    on_progress : callable, optional
        ``on_progress(incumbent, bound, elapsed_seconds)``; called on every improving solution and
        about once a second during a HiGHS search, and by :meth:`report`.
    should_stop : callable, optional
        Polled during a HiGHS search; True interrupts it with the best plan so far.
    offset : float
        Added to HiGHS's objective values and bounds (:func:`objective_offset`).
    """

    def __init__(self, on_progress: ProgressCallback | None = None,
                 should_stop: Callable[[], bool] | None = None, offset: float = 0.0):
        self.on_progress = on_progress
        self.should_stop = should_stop
        self.offset = offset
        self.t0 = time.perf_counter()
        self.events: list = []
        self.stopped = False
        self._last = -1.0

    def elapsed(self) -> float:
        """Seconds since the solve started [s]."""
        return time.perf_counter() - self.t0

    def stop_requested(self) -> bool:
        """True once a stop was requested (seen during a search, or ``should_stop()`` says so now)."""
        if not self.stopped and self.should_stop is not None and self.should_stop():
            self.stopped = True
        return self.stopped

    def report(self, incumbent: float | None, bound: float | None) -> None:
        """Record a progress report (incumbent and bound in the model's units) and pass it on."""
        elapsed = self.elapsed()
        self.events.append((incumbent, bound, elapsed))
        if self.on_progress is not None:
            self.on_progress(incumbent, bound, elapsed)

    def _shifted(self, value) -> float | None:
        value = finite(value)
        return None if value is None else value + self.offset

    def _callback(self, cb_type, message, data_out, data_in, user_data):
        import highspy

        kinds = highspy.cb.HighsCallbackType
        incumbent = self._shifted(data_out.objective_function_value)
        bound = self._shifted(data_out.mip_dual_bound)
        interrupt_point = cb_type == kinds.kCallbackMipInterrupt
        if user_data is not None:  # a sub-MIP: its own bound is no bound of the plan; the given one is
            bound = user_data["bound"]
            gap = relative_gap(incumbent, bound)
            stop_gap = user_data.get("stop_gap")
            if interrupt_point and stop_gap is not None and gap is not None and gap <= stop_gap:
                data_in.user_interrupt = True  # within the requested gap of the given bound: done
        if cb_type == kinds.kCallbackMipImprovingSolution or self.elapsed() - self._last >= 1.0:
            self._last = self.elapsed()
            self.report(incumbent, bound)
        if interrupt_point and self.should_stop is not None and self.should_stop():
            self.stopped = True
            data_in.user_interrupt = True

    def highs_options(self, *, bound: float | None = None, stop_gap: float | None = None) -> dict:
        """Keyword arguments for :class:`pulp.HiGHS` that wire this monitor into a run.

        ``bound`` (model units) replaces HiGHS's own bound in the reports, for a run on a restricted
        model (a neighbourhood) whose bound is not a bound of the whole model; with ``stop_gap``
        the run is interrupted once its incumbent is within that relative gap of ``bound``.
        """
        import highspy

        kinds = highspy.cb.HighsCallbackType
        data = None if bound is None else {"bound": bound, "stop_gap": stop_gap}
        return {"callbackTuple": (self._callback, data),
                "callbacksToActivate": [kinds.kCallbackMipImprovingSolution, kinds.kCallbackMipInterrupt]}


def solve_lp_relaxation(prob: pulp.LpProblem, time_limit_seconds: float, msg: bool = False) -> float | None:
    """Solve the LP relaxation of ``prob`` by interior point; the variables then hold its values.

    Interior point, because HiGHS's dual simplex had not finished the demo week's relaxation after
    300 s where IPM took 7-10 s.  Returns its optimum with the objective constant (a valid lower
    bound of the MIP), or None when it was not solved in time [model units].
    """
    import highspy

    prob.solve(pulp.HiGHS(mip=False, msg=msg, timeLimit=max(1.0, time_limit_seconds), solver="ipm"))
    h = prob.solverModel
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    value = finite(h.getInfo().objective_function_value)
    return None if value is None else value + objective_offset(prob)


def _highs_bound(info, prob, n_int, obj, lower_bound, objective_floor) -> float | None:
    bound = finite(getattr(info, "mip_dual_bound", None))
    bound = None if bound is None else bound + objective_offset(prob)
    if lower_bound is not None and (bound is None or lower_bound > bound):
        bound = lower_bound  # a bound proven elsewhere (e.g. the LP relaxation) that is better
    if objective_floor is not None and bound is not None and bound < objective_floor:
        # HiGHS reports a huge negative bound (from variable bounds) when its root LP is unfinished
        bound = objective_floor
    if n_int == 0:  # a pure LP: the bound is the optimum
        bound = obj
    return bound


def highs_outcome(prob: pulp.LpProblem, *, gap_requested: float | None, monitor: SolveMonitor,
                  lower_bound: float | None = None, objective_floor: float | None = None,
                  what: str = "plan") -> SolveInfo:
    """Read the status of the HiGHS run just made on ``prob`` (see the module docstring).

    ``lower_bound`` is a valid bound proven elsewhere (the better of it and HiGHS's is reported);
    ``objective_floor`` a value no plan can go below (0 for costs), used when HiGHS's bound is
    lower; ``what`` names a plan in the messages ("plan", "roster").
    """
    import highspy

    elapsed = monitor.elapsed()
    h = prob.solverModel
    ms, info = h.getModelStatus(), h.getInfo()
    has_sol = info.primal_solution_status == 2
    obj = monitor._shifted(info.objective_function_value) if has_sol else None
    n_int = _integers(prob)
    bound = _highs_bound(info, prob, n_int, obj, lower_bound, objective_floor)
    gap = relative_gap(obj, bound) if n_int else (0.0 if obj is not None else None)
    MS = highspy.HighsModelStatus
    hit = ms == MS.kTimeLimit
    if ms == MS.kOptimal and gap is not None and gap > GAP_ZERO:
        tol = f"{gap_requested:.2%}" if gap_requested is not None else "its default"
        status, reason = SolverStatus.FEASIBLE, "gap"
        msg = f"feasible, not proven optimal: stopped at the requested relative gap of {tol} (proven gap {gap:.3%})"
    elif ms == MS.kOptimal:
        status, reason, msg = SolverStatus.OPTIMAL, "optimal", "proven optimal"
    elif ms in (MS.kInfeasible, MS.kUnboundedOrInfeasible):
        status, reason, msg = SolverStatus.INFEASIBLE, "infeasible", f"no {what} satisfies the hard rules"
    elif has_sol:
        status = SolverStatus.FEASIBLE
        reason = "time_limit" if hit else ("interrupted" if ms == MS.kInterrupt or monitor.stopped else "limit")
        gap_text = f"{gap:.2%}" if gap is not None else "unknown"
        msg = (f"feasible, not optimal: the solver stopped ({reason.replace('_', ' ')}) after {elapsed:.1f} s "
               f"with the best {what} so far; gap to the bound {gap_text}")
    else:
        status = SolverStatus.NO_SOLUTION
        reason = "time_limit" if hit else ("interrupted" if monitor.stopped else "error")
        msg = f"no {what} found ({h.modelStatusToString(ms)}) after {elapsed:.1f} s"
    return SolveInfo("highs", status, reason, obj, bound, gap, hit, msg, elapsed, progress=monitor.events)


def run_highs(prob: pulp.LpProblem, *, time_limit_seconds: float, gap: float | None = None,
              threads: int | None = None, msg: bool = False, start: Mapping[str, float] | None = None,
              complete_start: bool = True, monitor: SolveMonitor | None = None,
              lower_bound: float | None = None, objective_floor: float | None = None,
              what: str = "plan") -> SolveInfo:
    """Solve ``prob`` with HiGHS from ``start`` and read its status honestly.

    Parameters
    ----------
    prob : pulp.LpProblem
    time_limit_seconds : float
        Wall-clock limit of this run [s].
    gap : float, optional
        Relative MIP gap at which HiGHS stops [fraction]; its default when None.
    threads : int, optional
    msg : bool
        Show HiGHS's log.
    start : mapping of variable name -> value, optional
        A start plan (see :class:`HiGHSWithStart`; ``complete_start`` as its ``complete``).
    monitor : SolveMonitor, optional
        Progress and stop request; a new one (no callbacks) when None.
    lower_bound, objective_floor, what
        As :func:`highs_outcome`.
    """
    monitor = monitor if monitor is not None else SolveMonitor(offset=objective_offset(prob))
    solver = HiGHSWithStart(start, complete=complete_start, msg=msg, timeLimit=max(1.0, time_limit_seconds),
                            gapRel=gap, threads=threads, **monitor.highs_options())
    prob.solve(solver)
    return highs_outcome(prob, gap_requested=gap, monitor=monitor, lower_bound=lower_bound,
                         objective_floor=objective_floor, what=what)


_CBC_BOUND = re.compile(r"Lower bound:\s*(-?[\d.e+-]+)")


def _cbc_status(text: str, prob: pulp.LpProblem, obj, gap, hit: bool, elapsed: float, what: str):
    st, sol = prob.status, prob.sol_status
    if sol == pulp.LpSolutionOptimal and "Optimal solution found" in text and not hit:
        if "tolerance" in text.lower() and gap is not None and gap > GAP_ZERO:
            return (SolverStatus.FEASIBLE, "gap",
                    f"feasible, not proven optimal: CBC stopped at the requested gap (proven gap {gap:.3%})")
        return SolverStatus.OPTIMAL, "optimal", "proven optimal"
    if sol == pulp.LpSolutionOptimal and not hit:
        return SolverStatus.OPTIMAL, "optimal", "proven optimal"
    if sol == pulp.LpSolutionIntegerFeasible or (sol == pulp.LpSolutionOptimal and hit):
        reason = "time_limit" if hit else "gap"
        return (SolverStatus.FEASIBLE, reason,
                f"feasible, not optimal: CBC stopped ({reason.replace('_', ' ')}) after {elapsed:.1f} s")
    if st == pulp.LpStatusInfeasible or sol == pulp.LpSolutionInfeasible:
        return SolverStatus.INFEASIBLE, "infeasible", f"no {what} satisfies the hard rules"
    return (SolverStatus.NO_SOLUTION, "time_limit" if hit else "error",
            f"no {what} found after {elapsed:.1f} s")


def run_cbc(prob: pulp.LpProblem, *, time_limit_seconds: float, gap: float | None = None,
            threads: int | None = None, msg: bool = False, on_progress: ProgressCallback | None = None,
            what: str = "plan") -> SolveInfo:
    """Solve ``prob`` with CBC (``PULP_CBC_CMD``); the bound is read from CBC's log.

    CBC has no progress callback: ``on_progress`` is called once, at the end, and a stop request
    cannot end its search early.  ``what`` names a plan in the messages.
    """
    fd, log = tempfile.mkstemp(suffix=".log", prefix="cbc_")
    os.close(fd)
    t0 = time.perf_counter()
    solver = pulp.PULP_CBC_CMD(msg=msg, timeLimit=time_limit_seconds, gapRel=gap, threads=threads, logPath=log)
    try:
        try:
            prob.solve(solver)
        except pulp.PulpSolverError as exc:  # pragma: no cover - CBC binary broken
            return SolveInfo("cbc", SolverStatus.NO_SOLUTION, "error", None, None, None, False,
                             f"CBC failed: {exc}", time.perf_counter() - t0)
        elapsed = time.perf_counter() - t0
        with open(log, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    finally:
        os.unlink(log)
    obj = finite(pulp.value(prob.objective)) if prob.sol_status in (1, 2) else None
    m = _CBC_BOUND.search(text)
    bound = finite(m.group(1)) if m else None
    hit = "Stopped on time" in text or ("time limit" in text.lower() and prob.sol_status == 2)
    if "Result - Optimal solution found" in text and bound is None:
        bound = obj
    gap_now = relative_gap(obj, bound)
    if on_progress is not None:
        on_progress(obj, bound, elapsed)
    status, reason, message = _cbc_status(text, prob, obj, gap_now, hit, elapsed, what)
    return SolveInfo("cbc", status, reason, obj, bound, gap_now, hit, message, elapsed,
                     progress=[(obj, bound, elapsed)])


def run_mip(prob: pulp.LpProblem, *, solver: str = "highs", time_limit_seconds: float, gap: float | None = None,
            threads: int | None = None, msg: bool = False, start: Mapping[str, float] | None = None,
            complete_start: bool = True, on_progress: ProgressCallback | None = None,
            should_stop: Callable[[], bool] | None = None, lower_bound: float | None = None,
            objective_floor: float | None = None, what: str = "plan") -> SolveInfo:
    """Solve ``prob`` with ``solver``; HiGHS falls back to CBC, with a note, when it is not installed.

    Parameters as :func:`run_highs` (``on_progress``/``should_stop`` as :class:`SolveMonitor`);
    CBC ignores ``start``, ``lower_bound`` and ``objective_floor``.

    Raises
    ------
    ValueError
        ``solver`` is not one of :data:`SOLVER_NAMES` (a programming error: stages validate the
        solver name where the user gives it).
    """
    if solver not in SOLVER_NAMES:
        raise ValueError(f"solver must be one of {', '.join(SOLVER_NAMES)}, got {solver!r}")
    note = ""
    if solver == "highs" and not highs_available():
        solver, note = "cbc", "HiGHS (highspy) is not available; fell back to CBC. "
    if solver == "highs":
        monitor = SolveMonitor(on_progress, should_stop, objective_offset(prob))
        info = run_highs(prob, time_limit_seconds=time_limit_seconds, gap=gap, threads=threads, msg=msg,
                         start=start, complete_start=complete_start, monitor=monitor, lower_bound=lower_bound,
                         objective_floor=objective_floor, what=what)
    else:
        if should_stop is not None:
            note += "CBC has no progress callback: progress is reported once at the end and cannot be stopped early. "
        info = run_cbc(prob, time_limit_seconds=time_limit_seconds, gap=gap, threads=threads, msg=msg,
                       on_progress=on_progress, what=what)
    info.message = note + info.message
    return info
