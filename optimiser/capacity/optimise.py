"""Optimise the hiring plan: class sizes and start dates as an integer programme (PuLP, HiGHS through
the ground's one runner, :func:`wfm.ground.solver.run_mip`).

Decision variables: ``hires[c]`` (integer) and ``open[c]`` (binary) for every class that may
run — each hiring type's start dates no earlier than the recruitment lead time — and
``overtime[m]`` (on-phone hours per week) for every month.  Expected proficient FTE are linear in
the hires (:mod:`optimiser.capacity.supply`), so is the on-phone time ``A_m``.

Constraint families, one function each:

* :func:`add_class_sizes` — a class is not run or has ``min_class..max_class`` hires;
* :func:`add_training_seats` — the hires of classes in training on the same day fit the seats;
* :func:`add_total_hires` — at most ``max_hires_total`` hires;
* :func:`add_overtime_limits` — overtime per month at most the limit per proficient FTE;
* :func:`add_budget` — hiring cost, new hires' salaries in the plan and overtime within the budget;
* :func:`add_targets` — ``A_m >= `` the month's required on-phone hours (the exact threshold from
  the Erlang evaluation, :mod:`optimiser.capacity.demand`) in every month of the target window
  (from ``plan.target_from``, default the whole plan) that a class can reach (its first day on or
  after the first day a new class can be on the phones); the window's months before that get the
  overtime they need, up to its limit, before the programme is built (hiring cannot help them);
* :func:`add_service_curves` — for the max-min plan, ``u_m <= `` each month's share within T as a
  concave piecewise-linear function of ``A_m`` (the upper envelope of the curve's chords, like the
  scheduling stage's global service-level model, Koole & van der Sluis 2003), so the programme
  stays linear.

Two questions, in order:

1. **Least cost meeting the target** in every month a class can reach (hires' recruitment cost and
   salaries in the plan, overtime).
2. When no plan can, **maximise the worst reachable month's share within T** (capped at the
   target), then with that level kept, minimise the calls answered late in the other months and
   then the cost.  The binding limit is named by re-solving (1) with each limit lifted in turn
   (budget, training seats, class size, total hires): the limits whose lifting alone makes the
   target reachable bind; if none alone but all together do, they bind together; if even then it
   cannot, time binds (lead time, training and ramp leave too little of the months).

Every plan is then evaluated (:func:`~optimiser.capacity.evaluate.evaluate_plan`): the month table
reports Erlang at the plan's operators, not the programme's approximation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import pulp

from optimiser.capacity.demand import month_curves
from optimiser.capacity.evaluate import CapacityEvaluation, evaluate_plan
from optimiser.capacity.problem import CapacityProblem
from optimiser.capacity.spec import HiringLimits, HiringPlan, PlannedClass
from optimiser.capacity.supply import DAYS_PER_MONTH, ClassOption, Cohorts, training_overlaps
from wfm.ground.solver import SolveInfo, run_mip
from wfm.ground.vocabulary import SolverStatus

__all__ = [
    "BindingLimit",
    "CapacityPlanResult",
    "add_budget",
    "add_class_sizes",
    "add_overtime_limits",
    "add_service_curves",
    "add_targets",
    "add_total_hires",
    "add_training_seats",
    "optimise_plan",
    "target_window",
]

#: Weight of one call answered late (relative to one unit of cost) in the max-min plan's second step.
LATE_CALL_WEIGHT = 1e4


@dataclass(frozen=True)
class BindingLimit:
    """A limit that keeps the plan from the target: its parameter and why, in words."""

    parameter: str
    message: str


@dataclass(frozen=True)
class CapacityPlanResult:
    """The optimised plan.

    Attributes
    ----------
    status : SolverStatus
        How the last solve ended (``Optimal``, ``Feasible`` at a time limit, ...).
    meets_target : bool
        True when the plan meets the target in every month a class can reach.
    plan : HiringPlan
        The classes with hires and the overtime per month.
    evaluation : CapacityEvaluation
        The plan's month and class tables (Erlang at its operators).
    binding : tuple of BindingLimit
        Why the target is out of reach (empty when it is met).
    unreachable_months : tuple of date
        Months no class can be on the phones by their first day (recruitment lead time + training).
    first_on_phones : date or None
        The earliest day a new class can be on the phones.
    objective : str
        ``least-cost`` or ``max-min``.
    solve : SolveInfo
    message : str
    """

    status: SolverStatus
    meets_target: bool
    plan: HiringPlan
    evaluation: CapacityEvaluation
    binding: tuple[BindingLimit, ...]
    unreachable_months: tuple[dt.date, ...]
    first_on_phones: dt.date | None
    objective: str
    solve: SolveInfo
    message: str
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class _Model:
    """A built programme and what its constraint families need."""

    prob: pulp.LpProblem
    problem: CapacityProblem
    options: list[ClassOption]
    cohorts: Cohorts
    limits: HiringLimits
    max_class: np.ndarray
    reachable: np.ndarray
    hires: list = field(default_factory=list)
    opened: list = field(default_factory=list)
    overtime: list = field(default_factory=list)
    proficient: list = field(default_factory=list)
    on_phone: list = field(default_factory=list)
    cost: object = None


def _label(option: ClassOption) -> str:
    return f"{option.class_type}_{option.start:%Y%m%d}".replace(" ", "_").replace("-", "_")


def _month_label(month: dt.date) -> str:
    return f"{month:%Y%m}"


def _class_costs(problem: CapacityProblem, options: list[ClassOption], cohorts: Cohorts) -> np.ndarray:
    """Per hire of each class: its cost per hire plus its expected salary within the plan."""
    salary = problem.settings.workforce.salary_per_fte_month
    paid_months = (cohorts.alive * cohorts.paid * problem.days / DAYS_PER_MONTH).sum(axis=1)
    return np.array([problem.settings.hiring_type(o.class_type).cost_per_hire for o in options]) + salary * paid_months


def target_window(problem: CapacityProblem) -> np.ndarray:
    """Months the target applies in: from ``plan.target_from`` (all months when it is not set)."""
    start = problem.settings.horizon.target_from
    return np.array([start is None or month >= start for month in problem.months])


def _early_overtime(problem: CapacityProblem, reachable: np.ndarray) -> np.ndarray:
    """Overtime [h/week] the months of the target window no class can reach need to meet the target,
    up to its limit (0 outside the window)."""
    window = target_window(problem)
    w = problem.settings.workforce
    prof = problem.base_proficient_fte()
    cap = problem.settings.overtime.max_hours_per_fte_month / problem.weeks * prof
    need = problem.demand.required_hours / w.scheduling_efficiency - w.hours_per_fte_week * (1 - problem.shrinkage) * prof
    return np.where(reachable | ~window, 0.0, np.clip(need, 0.0, np.maximum(cap, 0.0)))


def _build(problem: CapacityProblem, options: list[ClassOption], cohorts: Cohorts, limits: HiringLimits,
           max_class: np.ndarray, reachable: np.ndarray, name: str) -> _Model:
    """Variables, the proficient FTE, on-phone hours and cost expressions."""
    m = _Model(pulp.LpProblem(name, pulp.LpMinimize), problem, options, cohorts, limits, max_class, reachable)
    for option, top in zip(options, max_class):
        label = _label(option)
        m.hires.append(pulp.LpVariable(f"hires_{label}", lowBound=0, upBound=int(top), cat="Integer"))
        m.opened.append(pulp.LpVariable(f"open_{label}", cat="Binary"))
    w = problem.settings.workforce
    base = problem.base_proficient_fte()
    per_hire = cohorts.alive * cohorts.proficient
    ot_allowed = problem.settings.overtime.max_hours_per_fte_month > 0
    early = _early_overtime(problem, reachable)
    for k, month in enumerate(problem.months):
        if not reachable[k]:
            ot = float(early[k])  # fixed: hiring cannot reach this month
        else:
            ot = pulp.LpVariable(f"overtime_{_month_label(month)}", lowBound=0) if ot_allowed else None
        m.overtime.append(ot)
        prof = pulp.lpSum(float(per_hire[c, k]) * m.hires[c] for c in range(len(options))
                          if per_hire[c, k] > 1e-12) + float(base[k])
        m.proficient.append(prof)
        hours = w.hours_per_fte_week * (1 - float(problem.shrinkage[k]))
        m.on_phone.append(w.scheduling_efficiency * (hours * prof + (ot if ot is not None else 0)))
    costs = _class_costs(problem, options, cohorts)
    ot_cost = problem.settings.overtime.cost_per_hour * problem.weeks
    m.cost = pulp.lpSum(float(costs[c]) * m.hires[c] for c in range(len(options))) + pulp.lpSum(
        float(ot_cost[k]) * ot for k, ot in enumerate(m.overtime) if ot is not None)
    return m


def add_class_sizes(m: _Model) -> None:
    """A class either does not run or has ``min_class..max_class`` hires."""
    for option, x, y, top in zip(m.options, m.hires, m.opened, m.max_class):
        kind = m.problem.settings.hiring_type(option.class_type)
        label = _label(option)
        m.prob += (x >= kind.min_class * y, f"class_min_{label}")
        m.prob += (x <= int(top) * y, f"class_max_{label}")


def add_training_seats(m: _Model) -> None:
    """Hires of the classes in training on the same day at most ``training_seats``."""
    seats = m.limits.training_seats
    if seats is None:
        return
    for day, members in training_overlaps(m.options, m.problem.settings):
        m.prob += (pulp.lpSum(m.hires[i] for i in members) <= seats, f"seats_{day:%Y%m%d}")


def add_total_hires(m: _Model) -> None:
    """At most ``max_hires_total`` hires over the plan."""
    if m.limits.max_hires_total is not None:
        m.prob += (pulp.lpSum(m.hires) <= m.limits.max_hires_total, "total_hires")


def add_overtime_limits(m: _Model) -> None:
    """Overtime per week at most ``max_hours_per_fte_month`` per proficient FTE, spread over the month."""
    limit = m.problem.settings.overtime.max_hours_per_fte_month
    for k, (ot, prof) in enumerate(zip(m.overtime, m.proficient)):
        if isinstance(ot, pulp.LpVariable):
            m.prob += (ot <= limit / float(m.problem.weeks[k]) * prof, f"overtime_max_{_month_label(m.problem.months[k])}")


def add_budget(m: _Model) -> None:
    """Hiring cost, new hires' salaries in the plan and overtime at most ``budget``."""
    if m.limits.budget is not None:
        m.prob += (m.cost <= m.limits.budget, "budget")


def add_targets(m: _Model) -> None:
    """On-phone hours at least the month's required hours, in every month a class can reach."""
    required = m.problem.demand.required_hours
    for k, month in enumerate(m.problem.months):
        if m.reachable[k]:
            m.prob += (m.on_phone[k] >= float(required[k]), f"target_{_month_label(month)}")


def add_service_curves(m: _Model) -> tuple[list, object]:
    """``u_m`` at most each chord line of the month's concave share-within-T curve; ``worst <= u_m``
    for every reachable month and ``worst <= target``.  Returns the ``u`` variables and ``worst``."""
    hours, sl = month_curves(m.problem.demand)
    target = m.problem.demand.target_service_level
    worst = pulp.LpVariable("worst_share_within_T", upBound=target)
    us = []
    for k, month in enumerate(m.problem.months):
        label = _month_label(month)
        u = pulp.LpVariable(f"share_within_T_{label}", upBound=1.0)
        us.append(u)
        for j, (slope, intercept) in enumerate(_concave_lines(hours[k], sl[k])):
            m.prob += (u <= intercept + slope * m.on_phone[k], f"curve_{label}_{j}")
        if m.reachable[k]:
            m.prob += (worst <= u, f"worst_{label}")
    return us, worst


def _concave_lines(x: np.ndarray, y: np.ndarray) -> list[tuple[float, float]]:
    """Slopes and intercepts of the upper concave envelope of the points (x, y), x increasing."""
    if x[-1] <= x[0]:  # a month without calls: always met
        return [(0.0, 1.0)]
    hull: list[int] = []
    for i in range(len(x)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            # drop b when it lies on or below the chord a-i (keeps slopes non-increasing)
            if (y[b] - y[a]) * (x[i] - x[a]) <= (y[i] - y[a]) * (x[b] - x[a]):
                hull.pop()
            else:
                break
        hull.append(i)
    lines = []
    for a, b in zip(hull[:-1], hull[1:]):
        slope = (y[b] - y[a]) / (x[b] - x[a])
        lines.append((float(slope), float(y[a] - slope * x[a])))
    return lines or [(0.0, float(y.max()))]


def _constraints(m: _Model) -> None:
    add_class_sizes(m)
    add_training_seats(m)
    add_total_hires(m)
    add_overtime_limits(m)
    add_budget(m)


def _reachable(problem: CapacityProblem, options: list[ClassOption]) -> tuple[np.ndarray, dt.date | None]:
    """Months whose first day a class can be on the phones by, and that first day."""
    firsts = [o.start + dt.timedelta(weeks=problem.settings.hiring_type(o.class_type).training_weeks) for o in options]
    first = min(firsts) if firsts else None
    reach = np.array([first is not None and month >= first for month in problem.months])
    return reach, first


def _plan_from(m: _Model) -> HiringPlan:
    classes = []
    for option, x in zip(m.options, m.hires):
        n = int(round(x.value() or 0))
        if n > 0:
            classes.append(PlannedClass(option.class_type, option.start, n))
    ot = [0.0 if v is None else (v if isinstance(v, float) else max(0.0, float(v.value() or 0.0))) for v in m.overtime]
    return HiringPlan(tuple(classes), tuple(ot) if any(o > 0 for o in ot) else ())


def _least_cost(problem, options, cohorts, limits, max_class, reachable, time_limit, solver) -> tuple[_Model, SolveInfo]:
    m = _build(problem, options, cohorts, limits, max_class, reachable, "capacity_least_cost")
    _constraints(m)
    add_targets(m)
    m.prob.setObjective(m.cost)
    info = run_mip(m.prob, solver=solver, time_limit_seconds=time_limit, gap=1e-6, objective_floor=0.0,
                   what="hiring plan")
    return m, info


def _max_min(problem, options, cohorts, limits, max_class, reachable, time_limit, solver) -> tuple[_Model, SolveInfo]:
    """Best worst month, then fewest late calls and least cost at that level."""
    m = _build(problem, options, cohorts, limits, max_class, reachable, "capacity_max_min")
    _constraints(m)
    us, worst = add_service_curves(m)
    m.prob.sense = pulp.LpMaximize
    m.prob.setObjective(worst)
    info = run_mip(m.prob, solver=solver, time_limit_seconds=time_limit / 2, gap=1e-6, what="hiring plan")
    if not info.has_plan:
        return m, info
    level = float(worst.value())
    m.prob += (worst >= level - 1e-6, "keep_worst")
    calls = problem.demand.monthly.groupby("month")["calls_offered"].sum().reindex(problem.months).to_numpy()
    target = problem.demand.target_service_level
    late = []
    for k, (u, month) in enumerate(zip(us, problem.months)):
        v = pulp.LpVariable(f"below_target_{_month_label(month)}", lowBound=0)
        m.prob += (v >= target - u, f"below_{_month_label(month)}")
        late.append(float(calls[k]) * v)
    m.prob.sense = pulp.LpMinimize
    m.prob.setObjective(LATE_CALL_WEIGHT * pulp.lpSum(late) + m.cost)
    info2 = run_mip(m.prob, solver=solver, time_limit_seconds=time_limit / 2, gap=1e-6, what="hiring plan")
    return m, (info2 if info2.has_plan else info)


def _binding(problem, options, cohorts, limits, max_class, reachable, time_limit, solver) -> tuple[BindingLimit, ...]:
    """The limits whose lifting makes the target reachable (see the module docstring)."""
    s = problem.settings
    lifts = []
    if limits.budget is not None:
        lifts.append(("hiring.budget", replace(limits, budget=None), max_class,
                      f"the budget of {limits.budget:,.0f}"))
    if limits.training_seats is not None:
        lifts.append(("hiring.training_seats", replace(limits, training_seats=None), max_class,
                      f"{limits.training_seats} training seats"))
    if limits.max_hires_total is not None:
        lifts.append(("hiring.max_hires_total", replace(limits, max_hires_total=None), max_class,
                      f"at most {limits.max_hires_total} hires in total"))
    big = np.full(len(options), 10_000.0)
    sizes = ", ".join(f"{t.name} {t.max_class}" for t in s.types)
    lifts.append(("hiring.types.max_class", limits, big, f"the largest class sizes ({sizes})"))

    def feasible(lim, top) -> bool:
        _, info = _least_cost(problem, options, cohorts, lim, top, reachable, time_limit, solver)
        return info.has_plan

    alone = [(p, text) for p, lim, top, text in lifts if feasible(lim, top)]
    if alone:
        return tuple(BindingLimit(p, f"{text} keeps the target out of reach; lifting it alone makes it reachable")
                     for p, text in alone)
    everything = HiringLimits(limits.lead_weeks, None, None, None)
    if feasible(everything, big):
        texts = " and ".join(text for _, _, _, text in lifts)
        return (BindingLimit("hiring", f"together, {texts} keep the target out of reach; no one of them alone"),)
    kinds = ", ".join(f"{t.name}: {t.training_weeks:g} weeks' training, ramp {'/'.join(f'{r:.0%}' for r in t.ramp)}"
                      for t in s.types)
    return (BindingLimit("hiring.lead_weeks",
                         f"time: with {limits.lead_weeks:g} weeks' recruitment lead time and the training and ramp "
                         f"({kinds}) no number of hires reaches the target in every month"),)


def optimise_plan(problem: CapacityProblem, *, time_limit_seconds: float = 60.0, solver: str = "highs",
                  name_binding_limit: bool = True) -> CapacityPlanResult:
    """The least-cost hiring plan that meets the target, or the best worst month when none does.

    Parameters
    ----------
    problem : CapacityProblem
    time_limit_seconds : float
        Wall-clock limit of each solve [s].
    solver : {"highs", "cbc"}
    name_binding_limit : bool
        When the target is out of reach, re-solve with each limit lifted to name the binding one.
    """
    settings = problem.settings
    options, cohorts = problem.options()
    limits = settings.limits
    max_class = np.array([settings.hiring_type(o.class_type).max_class for o in options], dtype=float)
    reachable, first = _reachable(problem, options)
    window = target_window(problem)
    unreachable = tuple(mo for mo, r, w in zip(problem.months, reachable, window) if w and not r)
    reachable = reachable & window  # the months whose target the programme must meet
    notes = []
    if unreachable:
        when = f"from {first}" if first else "not within the plan"
        notes.append(f"{len(unreachable)} month(s) before a new class can be on the phones ({when}: "
                     f"{limits.lead_weeks:g} weeks' recruitment lead time plus training): only today's staff "
                     "and overtime count there")
    m, info = _least_cost(problem, options, cohorts, limits, max_class, reachable, time_limit_seconds, solver)
    if info.has_plan:
        plan = _plan_from(m)
        evaluation = evaluate_plan(problem, plan)
        return CapacityPlanResult(info.status, True, plan, evaluation, (), unreachable, first, "least-cost", info,
                                  f"least-cost plan meeting the target in every reachable month: {info.message}",
                                  tuple(notes))
    m, info = _max_min(problem, options, cohorts, limits, max_class, reachable, time_limit_seconds, solver)
    plan = _plan_from(m) if info.has_plan else HiringPlan()
    evaluation = evaluate_plan(problem, plan)
    binding = _binding(problem, options, cohorts, limits, max_class, reachable, time_limit_seconds, solver) \
        if name_binding_limit else ()
    text = "; ".join(b.message for b in binding)
    return CapacityPlanResult(info.status, False, plan, evaluation, binding, unreachable, first, "max-min", info,
                              f"the target cannot be met in every reachable month; the plan maximises the worst "
                              f"month's share within T ({info.message}). {text}".strip(), tuple(notes))
