"""The hiring integer programme against a brute-force search over class sizes on small cases."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from optimiser.capacity.evaluate import evaluate_plan
from optimiser.capacity.optimise import optimise_plan
from optimiser.capacity.problem import prepare_problem
from optimiser.capacity.spec import HiringLimits, HiringPlan, HiringType, PlannedClass
from tests.optimiser.capacity.capacity_builders import hourly_history, settings, staff
from wfm.ground.vocabulary import SolverStatus

HISTORY = hourly_history(start="2023-01-01", months=36, calls_per_hour=40.0, aht_seconds=300.0)
STARTS = (dt.date(2026, 1, 5), dt.date(2026, 2, 2), dt.date(2026, 3, 2))
PERMANENT = HiringType("permanent", training_weeks=4, ramp=(0.5, 0.8), min_class=2, max_class=6,
                       cost_per_hire=1000.0, starts=STARTS)
SIZES = (0, 2, 3, 4, 5, 6)


def _problem(n_staff: int, limits: HiringLimits, types=(PERMANENT,)):
    return prepare_problem(HISTORY, staff(n_staff), settings(months=6, types=types, limits=limits))


def _reachable_meets(problem, evaluation) -> bool:
    """Meets the target in every month from the first a class can be on the phones by (March)."""
    months = evaluation.months
    return bool(months.loc[months["month"] >= dt.date(2026, 3, 1), "meets_target"].all())


def _brute_force(problem, kind=PERMANENT):
    """(cost, plan) of every plan within the limits, and the best worst reachable month's share."""
    limits = problem.settings.limits
    feasible, best_worst = [], -1.0
    for sizes in itertools.product(SIZES, repeat=len(STARTS)):
        if limits.training_seats is not None and max(sizes) > limits.training_seats:
            continue  # the classes' training never overlaps (4 weeks, 4 weeks apart): one seat limit each
        plan = HiringPlan(tuple(PlannedClass(kind.name, d, n) for d, n in zip(STARTS, sizes) if n))
        e = evaluate_plan(problem, plan, with_asa=False)
        if limits.budget is not None and e.totals["cost"] > limits.budget:
            continue
        reach = e.months["month"] >= dt.date(2026, 3, 1)
        best_worst = max(best_worst, float(e.months.loc[reach, "service_level"].min()))
        if _reachable_meets(problem, e):
            feasible.append((e.totals["cost"], sizes))
    return sorted(feasible), best_worst


def test_the_least_cost_plan_is_the_brute_force_optimum():
    problem = _problem(20, HiringLimits(lead_weeks=0.0))
    feasible, _ = _brute_force(problem)
    assert feasible, "the case must be feasible"
    result = optimise_plan(problem, time_limit_seconds=30)
    assert result.status is SolverStatus.OPTIMAL and result.meets_target and result.objective == "least-cost"
    assert _reachable_meets(problem, result.evaluation)
    assert result.evaluation.totals["cost"] == pytest.approx(feasible[0][0], rel=1e-6)
    assert result.binding == ()
    assert result.unreachable_months == (dt.date(2026, 1, 1), dt.date(2026, 2, 1))


def test_training_seats_that_keep_the_target_out_of_reach_are_named():
    problem = _problem(17, HiringLimits(lead_weeks=0.0, training_seats=2))
    feasible, best_worst = _brute_force(problem)
    assert not feasible
    result = optimise_plan(problem, time_limit_seconds=30)
    assert not result.meets_target and result.objective == "max-min"
    assert [b.parameter for b in result.binding] == ["hiring.training_seats"]
    assert "2 training seats" in result.binding[0].message
    reach = result.evaluation.months["month"] >= dt.date(2026, 3, 1)
    worst = float(result.evaluation.months.loc[reach, "service_level"].min())
    # the programme's chords under the concave curve are within a few points of the true best
    assert worst >= best_worst - 0.03
    assert all(c.hires <= 2 for c in result.plan.classes)


def test_a_budget_that_keeps_the_target_out_of_reach_is_named():
    problem = _problem(20, HiringLimits(lead_weeks=0.0))
    cheapest = _brute_force(problem)[0][0][0]
    tight = _problem(20, HiringLimits(lead_weeks=0.0, budget=0.6 * cheapest))
    assert not _brute_force(tight)[0]
    result = optimise_plan(tight, time_limit_seconds=30)
    assert not result.meets_target
    assert [b.parameter for b in result.binding] == ["hiring.budget"]
    assert result.evaluation.totals["cost"] <= 0.6 * cheapest + 1e-6


def test_time_binds_when_no_number_of_hires_can_reach_the_target():
    # only fixed-term classes of two months: the months after they leave cannot be met by any size
    temps = HiringType("temp", training_weeks=4, ramp=(0.5,), min_class=2, max_class=6, cost_per_hire=500.0,
                       fixed_term_months=2, starts=STARTS)
    problem = _problem(17, HiringLimits(lead_weeks=0.0), types=(temps,))
    result = optimise_plan(problem, time_limit_seconds=30)
    assert not result.meets_target
    assert [b.parameter for b in result.binding] == ["hiring.lead_weeks"]
    assert result.binding[0].message.startswith("time:")


def test_the_lead_time_moves_the_first_month_a_class_can_reach():
    problem = _problem(20, HiringLimits(lead_weeks=6.0))  # earliest start 2026-02-12: the March class
    result = optimise_plan(problem, time_limit_seconds=30)
    assert result.first_on_phones == dt.date(2026, 3, 30)
    assert result.unreachable_months == tuple(dt.date(2026, m, 1) for m in (1, 2, 3))
    assert all(c.start >= dt.date(2026, 2, 12) for c in result.plan.classes)


def test_an_optimised_plan_never_costs_more_than_needed_when_staff_suffice():
    problem = _problem(30, HiringLimits(lead_weeks=0.0))
    result = optimise_plan(problem, time_limit_seconds=30)
    assert result.meets_target and result.plan.classes == () and result.evaluation.totals["cost"] == 0.0
    assert np.all(result.evaluation.months["meets_target"])
