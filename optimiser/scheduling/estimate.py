"""An instant estimate of the accessibility a headcount buys, before (and while) the exact plan solves.

"With 500 operators, what share of calls is answered within 3 minutes?"  :func:`estimate_at_headcount`
answers in about a second, labelled as an estimate; the exact ``max-sl`` plan
(:mod:`optimiser.scheduling.headcount`) replaces it when it comes.

How (all on the problem's own curves, :func:`optimiser.scheduling.curves.service_curves`):

1. **Hours the headcount can work**: the headcount's agents, taken from the rules' headcount rows with
   the most weekly contract hours first (``headcount_total`` caps the sum), at their contracts'
   maximum weekly hours; times the best share of a paid shift spent working (breaks out,
   ``working_share``); minus the deferred work's agent-hours.
2. **Marginal allocation**: every agent increment of every queue-interval, valued in calls answered
   within T with the floors first (:meth:`ServiceCurves.increments`), is taken by value per scheduled
   agent (1 / (1 - shrinkage)) until the hours are spent.  For concave curves this is the best
   staffing for those hours (Fox 1966), ignoring shifts and skills.
3. **Coverage efficiency of the shift structure**: the least paid hours with which the shift templates
   (every start, length and day, breaks as the working share) cover that staffing, pooled over skill
   groups, is an LP (HiGHS through :func:`scipy.optimize.linprog`, ~0.1 s); the efficiency is the
   staffing's hours over those paid hours.  The hours of step 1 times the efficiency are allocated
   again.
4. The staffing is evaluated with Erlang (service level and abandonment per interval), summed by day
   and for the horizon.

What it leaves out, so it is optimistic: skill groups (one pool), days off and contract-hour windows,
whole shifts (the LP's fractions), the rounding of agents on the phone across queues.  Measured
against exact plans in ``benchmarks/schedule_scale.py``.

References
----------
Fox, B. (1966). Discrete optimization via marginal analysis. Management Science 13(3), 210-216.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimiser.scheduling.curves import DEFICIT_STEPS, ServiceCurves, service_curves

#: allocation rounds after the first, each after measuring the coverage efficiency of the last (one LP each;
#: on the demo week the efficiency moved by less than 0.5 point in a second round)
EFFICIENCY_ROUNDS = 1


@dataclass(frozen=True)
class AccessibilityEstimate:
    """The estimate of :func:`estimate_at_headcount` (labelled ``estimate``: not a plan).

    Attributes
    ----------
    headcount : int
        Agents the estimate staffs with [agents].
    service_level : float
        Share of the horizon's calls answered within T [fraction].
    abandon_rate : float
        Share of the horizon's calls abandoned [fraction].
    daily : pandas.DataFrame
        Per local date: ``date``, ``calls_offered``, ``service_level``, ``abandon_rate``, ``asa_seconds``.
    paid_hours : float
        Paid hours the headcount works at most over the horizon [h].
    on_phone_hours : float
        Agent-hours on the phone the estimate places [h].
    coverage_efficiency : float
        Share of the working hours the shift templates can place where they are wanted [fraction].
    intervals_below_floor : int
        Queue-intervals the estimate leaves below their floor.
    seconds : float
        Time it took [s].
    asa_seconds : float
        Mean wait of the answered calls over the horizon [s] (``inf`` when a queue-interval with calls is
        unstable under Erlang C).
    """

    headcount: int
    service_level: float
    abandon_rate: float
    daily: pd.DataFrame = field(repr=False)
    paid_hours: float
    on_phone_hours: float
    coverage_efficiency: float
    intervals_below_floor: int
    seconds: float
    label: str = "estimate"
    asa_seconds: float = float("nan")

    def describe(self) -> str:
        return (f"estimate: with {self.headcount} agents about {self.service_level:.1%} of calls answered within "
                f"the target time and {self.abandon_rate:.1%} abandoned (shift-structure efficiency "
                f"{self.coverage_efficiency:.0%}; the exact plan replaces this)")


def working_hours_available(rules, headcount: int, n_days: int) -> tuple[float, float]:
    """``(paid_hours, working_share)``: the most paid hours ``headcount`` agents of the rules' headcount
    rows work over ``n_days`` days (contracts with most weekly hours first) and the largest share of a
    paid shift spent working (breaks out) over the templates' shift lengths."""
    contracts = {c.name: c for c in rules.contracts}
    rows = sorted(rules.headcount, key=lambda h: -contracts[h.contract].max_hours_per_week)
    left, paid = headcount, 0.0
    for h in rows:
        take = min(left, h.agents)
        paid += take * contracts[h.contract].max_hours_per_week * n_days / 7.0
        left -= take
    breaks = {b.name: b for b in rules.break_rules}
    share = 0.0
    for t in rules.templates:
        for length in t.length_minutes:
            applied = [breaks[b] for b in t.breaks if length >= breaks[b].min_shift_minutes]
            paid_min = length - sum(b.minutes for b in applied if not b.paid)
            work_min = length - sum(b.minutes for b in applied)
            if paid_min > 0:
                share = max(share, work_min / paid_min)
    return paid, (share or 1.0)


def allocate(curves: ServiceCurves, budget: float) -> np.ndarray:
    """Whole on-phone agents per row: increments by value per scheduled agent until ``budget``
    scheduled agent-intervals are spent (marginal allocation)."""
    rows, _, weight, order = curves.by_value_per_agent()
    taken = order[np.cumsum(weight[order]) <= budget + 1e-9]
    return np.bincount(rows[taken], minlength=len(curves)).astype(int)


def _shift_matrix(problem) -> list[tuple[float, float, np.ndarray]]:
    """Every shift type of every day as ``(paid hours, share of its length spent working, covered
    positions)``, for the covering LP."""
    rules = problem.rules
    im = problem.interval_minutes
    n = len(problem.intervals)
    local0 = problem.intervals[0].tz_convert(problem.tz)
    first_minute = local0.hour * 60 + local0.minute
    breaks = {b.name: b for b in rules.break_rules}
    out = []
    for d, day in enumerate(problem.days):
        for t in rules.templates:
            if day.weekday() not in t.days:
                continue
            for length in t.length_minutes:
                applied = [breaks[b] for b in t.breaks if length >= breaks[b].min_shift_minutes]
                paid = (length - sum(b.minutes for b in applied if not b.paid)) / 60.0
                share = (length - sum(b.minutes for b in applied)) / length
                for s in t.start_minutes:
                    raw = np.arange((d * 1440 + s - first_minute) // im, (d * 1440 + s + length - first_minute) // im)
                    pos = raw % n if rules.cyclic else raw[(raw >= 0) & (raw < n)]
                    out.append((paid, share, pos))
    return out


def covering_paid_hours(shifts, onshift_target: np.ndarray) -> float:
    """Least paid hours of shifts (pooled, fractional) whose working agents (each shift's working share
    of an agent in every interval it covers) cover ``onshift_target`` [agents per interval]."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix

    if not shifts:
        return float("inf")
    cols = np.concatenate([np.full(len(pos), j) for j, (_, _, pos) in enumerate(shifts)])
    rows = np.concatenate([pos for _, _, pos in shifts])
    coef = np.concatenate([np.full(len(pos), -share) for _, share, pos in shifts])
    a = csr_matrix((coef, (rows, cols)), shape=(len(onshift_target), len(shifts)))
    cost = np.array([paid for paid, _, _ in shifts], float)
    res = linprog(cost, A_ub=a, b_ub=-onshift_target, bounds=(0, None), method="highs")
    return float(res.fun) if res.status == 0 else float("inf")


def estimate_at_headcount(problem, headcount: int | None = None, curves: ServiceCurves | None = None) -> AccessibilityEstimate:
    """The accessibility ``headcount`` agents buy for ``problem``'s requirement, estimated in about a second
    (see the module docstring).  ``headcount`` defaults to the rules' ``headcount_total``."""
    from optimiser.queueing.erlang import queue_metrics

    t0 = time.perf_counter()
    rules = problem.rules
    if headcount is None:
        headcount = rules.headcount_total
    if headcount is None or headcount < 0:
        raise ValueError(f"headcount must be a whole number >= 0, got {headcount}")
    curves = service_curves(problem) if curves is None else curves
    im = problem.interval_minutes
    paid, share = working_hours_available(rules, int(headcount), problem.n_days)
    deferred_hours = sum(d.workload_agent_minutes for d in rules.deferred_work) / 60.0
    working = max(paid * share - deferred_hours, 0.0)
    shifts = _shift_matrix(problem)
    efficiency = 1.0
    agents = allocate(curves, working * 60.0 / im)
    for _ in range(EFFICIENCY_ROUNDS):
        onshift = np.bincount(curves.position, weights=agents / np.maximum(1.0 - curves.shrinkage, 1e-6),
                              minlength=len(problem.intervals))
        need = covering_paid_hours(shifts, onshift)
        target_paid = onshift.sum() * im / 60.0 / share
        efficiency = float(np.clip(target_paid / need, 0.05, 1.0)) if need > 0 and np.isfinite(need) else 1.0
        agents = allocate(curves, working * efficiency * 60.0 / im)
    return _evaluate(problem, curves, agents, int(headcount), paid, efficiency, time.perf_counter() - t0, queue_metrics)


def _evaluate(problem, curves, agents, headcount, paid, efficiency, seconds, queue_metrics) -> AccessibilityEstimate:
    qm = queue_metrics(curves.calls, problem.interval_minutes, curves.aht_seconds, agents.astype(float),
                       curves.answer_within_seconds, patience_seconds=curves.patience_seconds)
    answered = curves.calls * qm["service_level"].to_numpy()
    abandoned = curves.calls * qm["abandon_rate"].to_numpy()
    got_through = curves.calls - abandoned
    with np.errstate(invalid="ignore"):
        waited = np.where(got_through > 0, got_through * qm["asa_seconds"].to_numpy(), 0.0)
    local = problem.intervals.tz_convert(problem.tz)
    dates = np.array([t.date() for t in local])[curves.position]
    frame = pd.DataFrame({"date": dates, "calls_offered": curves.calls, "answered": answered, "abandoned": abandoned,
                          "got_through": got_through, "waited": waited})
    daily = frame.groupby("date", as_index=False)[["calls_offered", "answered", "abandoned", "got_through",
                                                    "waited"]].sum()
    daily["service_level"] = daily["answered"] / daily["calls_offered"]
    daily["abandon_rate"] = daily["abandoned"] / daily["calls_offered"]
    daily["asa_seconds"] = daily["waited"] / daily["got_through"].where(daily["got_through"] > 0)
    total = max(curves.total_calls, 1e-9)
    # intervals without calls are answered by definition
    no_calls = 0.0
    return AccessibilityEstimate(
        headcount=headcount, service_level=float((answered.sum() + no_calls) / total),
        abandon_rate=float(abandoned.sum() / total),
        daily=daily[["date", "calls_offered", "service_level", "abandon_rate", "asa_seconds"]],
        paid_hours=paid, on_phone_hours=float(agents.sum() * problem.interval_minutes / 60.0),
        coverage_efficiency=efficiency, intervals_below_floor=int((agents < curves.floor).sum()), seconds=seconds,
        asa_seconds=float(waited.sum() / got_through.sum()) if got_through.sum() > 0 else 0.0)


def headcount_for_service_level(problem, target_service_level: float, curves: ServiceCurves | None = None, *,
                                most: int | None = None) -> int | None:
    """The fewest agents whose estimate (:func:`estimate_at_headcount`) answers ``target_service_level`` of the
    horizon's calls within T -- the reverse of the manager's question -- by bisection over the headcount (the
    estimate grows with it); None when even ``most`` (default: every agent of the rules' headcount rows, the
    most :func:`working_hours_available` can staff with) do not reach it."""
    if not 0 < target_service_level < 1:
        raise ValueError(f"target_service_level must be in (0, 1), got {target_service_level!r}")
    curves = service_curves(problem) if curves is None else curves
    listed = problem.rules.headcount_total or sum(h.agents for h in problem.rules.headcount)
    hi = int(most if most is not None else listed)
    if estimate_at_headcount(problem, hi, curves).service_level < target_service_level:
        return None
    lo = 0  # nobody answers nothing: below any target in (0, 1)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if estimate_at_headcount(problem, mid, curves).service_level >= target_service_level:
            hi = mid
        else:
            lo = mid
    return hi


def relaxed_bound(problem, curves: ServiceCurves) -> float:
    """A valid lower bound of the ``max-sl`` model's objective (minimised: minus the calls answered
    within T, plus the floor prices) in milliseconds: marginal allocation of the most working
    agent-intervals any plan has, shifts, skills and breaks ignored.

    Every plan's on-phone agents, divided by (1 - shrinkage), add up to at most its working
    agent-intervals, which are at most its tours' maximum contract hours times the best working
    share of a paid shift (:func:`working_hours_available`); the best value of that budget over the
    concave curves is the fractional knapsack taken by value per unit (Dantzig 1957).  The objective's
    other terms (cost tie-breaker, penalties) are >= 0 and left out.  On the demo week it lies 0.1-2 %
    under the LP bound (400-800 agents) and is used when the LP is not solved in time.
    """
    rules = problem.rules
    headcount = rules.headcount_total if rules.headcount_total is not None else sum(h.agents for h in rules.headcount)
    paid, share = working_hours_available(rules, int(headcount), problem.n_days)
    budget = paid * share * 60.0 / problem.interval_minutes
    _, values, weight, order = curves.by_value_per_agent()
    spent = np.cumsum(weight[order])
    k = int(np.searchsorted(spent, budget, side="right"))
    value = float(values[order[:k]].sum())
    if k < len(order):
        value += float(values[order[k]]) * (budget - (spent[k - 1] if k else 0.0)) / float(weight[order[k]])
    # the value of a staffing counts from nobody on the phone: every floor missed in full
    at_zero = -curves.floor_price * float(np.mean(DEFICIT_STEPS)) * float(curves.floor.sum())
    return -(at_zero + value)
