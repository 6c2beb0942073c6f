"""The two-stage global service-level plan (optimiser/scheduling/global_sl.py): staffing targets by
marginal allocation, covering, transfer into the global-SL model."""

import importlib
import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimiser.scheduling import build_problem, solve
from optimiser.scheduling.global_sl import marginal_targets, period_levels, two_stage
from optimiser.scheduling.model import build_model
from tests.optimiser.scheduling.sched_builders import two_queue_requirement, two_queue_rules

solve_module = importlib.import_module("optimiser.scheduling.mip")


def _answered(base, gains, k_min, n):
    return base + gains[: n - k_min].sum()


concave_rows = st.lists(st.floats(0.0, 30.0), min_size=4, max_size=4).map(lambda g: sorted(g, reverse=True))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), concave_rows, st.floats(0.0, 50.0), st.floats(1.0, 200.0)),
                min_size=1, max_size=3),
       st.floats(0.3, 0.95))
def test_marginal_targets_equal_weights_are_the_fewest_agents_reaching_the_level(rows, tau):
    # brute force over every staffing: with equal weights and concave curves, greedy marginal
    # allocation (Fox 1966) reaches the level with the fewest agents
    k_min = np.array([r[0] for r in rows])
    gains = np.array([r[1] for r in rows])
    calls = np.array([r[3] for r in rows])
    base = np.minimum([r[2] for r in rows], calls * 0.2)
    need = tau * calls.sum()
    got = marginal_targets(k_min, gains, base, calls, np.ones(len(rows)), np.zeros(len(rows), int), tau)
    best = None
    for extra in itertools.product(range(5), repeat=len(rows)):
        n = k_min + np.array(extra)
        if sum(_answered(base[j], gains[j], k_min[j], n[j]) for j in range(len(rows))) >= need - 1e-9:
            best = n.sum() if best is None else min(best, n.sum())
    reached = sum(_answered(base[j], gains[j], k_min[j], got[j]) for j in range(len(rows)))
    if best is None:  # the curves top out below the level: every listed agent
        assert np.array_equal(got, k_min + 4)
    else:
        assert reached >= need - 1e-9
        assert got.sum() == best
    assert np.all(got >= k_min)


def test_marginal_targets_removes_surplus_agents_where_they_answer_fewest_calls_per_cost():
    k_min = np.array([2, 2])
    gains = np.array([[10.0, 8.0, 1.0], [10.0, 8.0, 6.0]])
    base = np.array([50.0, 50.0])
    calls = np.array([100.0, 100.0])
    # start from every agent (answered 69 + 74 = 143 of 200); a level of 0.6 needs 120:
    # removing the 1-call agent of interval 0, then the 6-call one of interval 1 keeps 136 >= 120,
    # the next cheapest (8 calls) still leaves 128, then 120 (the other 8), then no more
    got = marginal_targets(k_min, gains, base, calls, np.ones(2), np.zeros(2, int), 0.6, start=np.array([5, 5]))
    assert got.tolist() == [3, 3]
    # a period never borrows from another: two periods each need their own level
    got = marginal_targets(k_min, gains, base, calls, np.ones(2), np.array([0, 1]), 0.65)
    assert got.tolist() == [4, 4]
    # weights: the same calls cost twice as much in interval 1, so interval 0 gets the agents
    got = marginal_targets(k_min, gains, base, calls, np.array([1.0, 2.0]), np.zeros(2, int), 0.58)
    assert got.tolist() == [4, 2]


def test_marginal_targets_refuse_a_non_positive_weight():
    with pytest.raises(ValueError, match="weight must be > 0"):
        marginal_targets(np.array([1]), np.array([[1.0]]), np.array([0.0]), np.array([1.0]), np.array([0.0]),
                         np.array([0]), 0.8)


@pytest.mark.parametrize("shrinkage", [0.0, 0.3])
def test_two_stage_plan_meets_the_target_re_evaluated_and_costs_no_more_than_per_interval_cover(shrinkage):
    req = two_queue_requirement(shrinkage)
    rules = two_queue_rules()
    model = build_model(build_problem(req, rules, objective="global-sl"))
    values, bound, reason, note = two_stage(model, 60)
    assert values is not None and reason in ("converged", "time_limit")
    levels = period_levels(model)
    assert levels and min(levels.values()) >= 0.8 - 1e-9
    cover = solve(build_problem(req, rules))
    assert cover.status == "Optimal"
    cost = model.cost_expr.value()
    assert cost <= cover.cost + 1e-6
    exact = solve(build_problem(req, rules, objective="global-sl"))
    assert exact.status == "Optimal"
    assert bound <= exact.objective + 1e-6  # the LP bound is a bound
    assert model.prob.objective.value() >= exact.objective - 1e-6  # and the exact plan is at least as good


def test_solve_takes_the_two_stage_path_for_large_global_sl_models(monkeypatch):
    # the size threshold is the switch; here every model counts as large
    monkeypatch.setattr(solve_module, "WARM_START_MIN_INTEGERS", 0)
    req = two_queue_requirement(0.1)
    rules = two_queue_rules()
    # the staffing-target steps run with a time limit of 45 s or more (TWO_STAGE_MIN_SECONDS)
    rules = replace(rules, solver=replace(rules.solver, time_limit_seconds=60))
    res = solve(build_problem(req, rules, objective="global-sl"))
    assert res.status == "Feasible" and res.stop_reason in ("gap", "converged", "time_limit")
    assert "two-stage plan" in res.message and "not proven optimal" in res.message
    assert res.global_service_level >= 0.8 - 1e-9
    assert res.best_bound is not None and res.best_bound <= res.objective + 1e-6
    assert res.gap == pytest.approx((res.objective - res.best_bound) / res.objective, abs=1e-9)
    assert not res.shortfalls


def test_a_short_time_limit_returns_the_covering_plan_never_an_empty_one(monkeypatch):
    # issue 18: global SL under a short limit wrote an empty plan with exit 0; now the plan covers every
    # interval's own requirement (which meets the weekly target too)
    monkeypatch.setattr(solve_module, "WARM_START_MIN_INTEGERS", 0)
    req = two_queue_requirement(0.1)
    rules = two_queue_rules()
    rules = replace(rules, solver=replace(rules.solver, time_limit_seconds=10))
    res = solve(build_problem(req, rules, objective="global-sl"))
    assert res.status == "Feasible" and "covering plan of every interval's own requirement" in res.message
    assert res.shifts["count"].sum() > 0 and not res.shortfalls
    assert res.global_service_level >= 0.8 - 1e-9
