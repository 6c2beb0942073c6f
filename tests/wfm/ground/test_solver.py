"""The one MIP runner: every status path on tiny hand-built models, with the real solvers.

Hard instances are *market split* problems (Cornuejols & Dawande 1999, "A class of hard small
0-1 programs", INFORMS J. Computing 11(4)): a few equality rows over 40-50 binaries, which
branch-and-bound cannot settle in seconds.  With even coefficients and an odd right-hand side no
0-1 point meets a row exactly, so the slack form's optimum is >= 1 while its LP bound is 0: the
gap cannot close within a 1-second limit on any machine.
"""

from __future__ import annotations

import warnings

import numpy as np
import pulp
import pytest

from wfm.ground import solver as runner
from wfm.ground.solver import (
    SolveMonitor,
    objective_offset,
    plan_value,
    relative_gap,
    run_cbc,
    run_highs,
    run_mip,
    solve_lp_relaxation,
)
from wfm.ground.vocabulary import SolverStatus

warnings.filterwarnings("ignore", category=DeprecationWarning, module="pulp")


def _knapsack(constant: float = 0.0) -> pulp.LpProblem:
    """max 5a + 4b + 3c s.t. 2a + 3b + c <= 5, a,b,c in {0,1,2}: optimum a=2, c=1 -> 13 (as a minimisation: -13)."""
    prob = pulp.LpProblem("knapsack", pulp.LpMinimize)
    a, b, c = (pulp.LpVariable(n, 0, 2, cat="Integer") for n in "abc")
    prob += -5 * a - 4 * b - 3 * c + constant
    prob += 2 * a + 3 * b + c <= 5, "capacity"
    return prob


def _market_split(m: int, n: int, seed: int, *, slack: bool, parity: bool = False):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 100, size=(m, n))
    if parity:
        a = 2 * (a // 2)
    b = a.sum(axis=1) // 2
    if parity:
        b = b | 1
    prob = pulp.LpProblem("market_split", pulp.LpMinimize)
    x = [pulp.LpVariable(f"x{j}", cat="Binary") for j in range(n)]
    sp = [pulp.LpVariable(f"sp{i}", 0) for i in range(m)] if slack else []
    sm = [pulp.LpVariable(f"sm{i}", 0) for i in range(m)] if slack else []
    prob += (pulp.lpSum(sp) + pulp.lpSum(sm)) if slack else pulp.lpSum(x)
    for i in range(m):
        row = pulp.lpSum(int(a[i, j]) * x[j] for j in range(n))
        prob += (row + sp[i] - sm[i] if slack else row) == int(b[i]), f"split{i}"
    # a plan for the slack form: nothing chosen, every row's slack takes up its right-hand side
    start = {**{f"x{j}": 0.0 for j in range(n)}, **{f"sp{i}": float(b[i]) for i in range(m)},
             **{f"sm{i}": 0.0 for i in range(m)}}
    return prob, start


def test_optimal_is_proven_with_bound_equal_to_the_objective():
    info = run_highs(_knapsack(), time_limit_seconds=10, gap=0.0)
    assert info.status == SolverStatus.OPTIMAL and info.stop_reason == "optimal"
    assert info.objective == pytest.approx(-13) and info.best_bound == pytest.approx(-13)
    assert info.gap == pytest.approx(0.0) and not info.hit_time_limit and info.has_plan
    assert info.message == "proven optimal"


def test_objective_constant_is_part_of_the_objective_and_the_bound():
    # PuLP does not pass the constant to HiGHS; the runner adds it back to both
    prob = _knapsack(constant=100.0)
    assert objective_offset(prob) == 100.0
    info = run_highs(prob, time_limit_seconds=10, gap=0.0)
    assert info.objective == pytest.approx(87) and info.best_bound == pytest.approx(87)
    assert plan_value(prob, {"a": 2, "c": 1}) == pytest.approx(87)


def test_time_limit_with_an_incumbent_is_feasible_not_optimal():
    prob, start = _market_split(5, 40, 1, slack=True, parity=True)
    info = run_highs(prob, time_limit_seconds=1, gap=0.0, start=start)
    assert info.status == SolverStatus.FEASIBLE and info.status != SolverStatus.OPTIMAL
    assert info.stop_reason == "time_limit" and info.hit_time_limit
    assert info.objective is not None and info.objective >= 1 - 1e-6  # parity: no exact split exists
    assert info.best_bound is not None and info.best_bound <= info.objective
    assert info.gap > 0 and "not optimal" in info.message


def test_stop_request_keeps_the_start_plan_as_feasible_and_reports_progress():
    prob, start = _market_split(5, 40, 1, slack=True, parity=True)
    seen = []
    monitor = SolveMonitor(lambda inc, bound, t: seen.append((inc, bound, t)), lambda: True, objective_offset(prob))
    info = run_highs(prob, time_limit_seconds=30, gap=0.0, start=start, monitor=monitor)
    assert info.status == SolverStatus.FEASIBLE and info.stop_reason == "interrupted"
    assert not info.hit_time_limit and info.elapsed_seconds < 30
    assert info.objective <= plan_value(prob, start) + 1e-6
    assert seen and info.progress == seen and all(t >= 0 for _, _, t in seen)


def test_infeasible_rules_are_infeasible():
    prob = pulp.LpProblem("clash", pulp.LpMinimize)
    x = pulp.LpVariable("x", 0, 10, cat="Integer")
    prob += x
    prob += x >= 3, "at_least_3"
    prob += x <= 2, "at_most_2"
    info = run_highs(prob, time_limit_seconds=10, what="roster")
    assert info.status == SolverStatus.INFEASIBLE and info.stop_reason == "infeasible"
    assert info.objective is None and not info.has_plan
    assert info.message == "no roster satisfies the hard rules"


def test_parity_market_split_is_proven_infeasible():
    # even coefficients, odd right-hand sides: HiGHS's presolve proves it at once
    prob, _ = _market_split(5, 40, 4, slack=False, parity=True)
    assert run_highs(prob, time_limit_seconds=10).status == SolverStatus.INFEASIBLE


def test_time_limit_before_any_plan_is_no_solution():
    prob, _ = _market_split(6, 50, 2, slack=False)
    info = run_highs(prob, time_limit_seconds=1, gap=0.0)
    assert info.status == SolverStatus.NO_SOLUTION and info.stop_reason == "time_limit"
    assert info.hit_time_limit and info.objective is None and not info.has_plan
    assert info.message.startswith("no plan found (Time limit reached)")


def test_stop_before_any_plan_is_no_solution_interrupted():
    prob, _ = _market_split(6, 50, 2, slack=False)
    info = run_mip(prob, time_limit_seconds=30, should_stop=lambda: True)
    assert info.status == SolverStatus.NO_SOLUTION and info.stop_reason == "interrupted"
    assert not info.hit_time_limit and info.elapsed_seconds < 30


def test_partial_start_is_completed_by_highs():
    # only x0..x39 given (all 0): HiGHS fills the slack variables itself
    prob, start = _market_split(5, 40, 1, slack=True, parity=True)
    partial = {k: v for k, v in start.items() if k.startswith("x")}
    info = run_highs(prob, time_limit_seconds=1, gap=0.0, start=partial, complete_start=False)
    assert info.status == SolverStatus.FEASIBLE and info.objective is not None


def test_missing_highs_falls_back_to_cbc_with_a_note(monkeypatch):
    monkeypatch.setattr(runner, "highs_available", lambda: False)
    seen = []
    info = run_mip(_knapsack(), solver="highs", time_limit_seconds=20, gap=0.0,
                   on_progress=lambda *a: seen.append(a), should_stop=lambda: False)
    assert info.solver == "cbc" and info.status == SolverStatus.OPTIMAL
    assert info.objective == pytest.approx(-13) and info.best_bound == pytest.approx(-13)
    assert info.message.startswith("HiGHS (highspy) is not available; fell back to CBC. ")
    assert "cannot be stopped early" in info.message
    assert len(seen) == 1  # CBC reports once, at the end


def test_cbc_statuses_optimal_and_infeasible():
    assert run_cbc(_knapsack(), time_limit_seconds=20, gap=0.0).status == SolverStatus.OPTIMAL
    prob = pulp.LpProblem("clash", pulp.LpMinimize)
    x = pulp.LpVariable("x", 0, 10, cat="Integer")
    prob += x
    prob += x >= 3
    prob += x <= 2
    info = run_cbc(prob, time_limit_seconds=20)
    assert info.status == SolverStatus.INFEASIBLE and info.stop_reason == "infeasible"


def test_cbc_time_limit_with_an_incumbent_is_feasible():
    prob, _ = _market_split(5, 40, 1, slack=True, parity=True)
    info = run_cbc(prob, time_limit_seconds=1, gap=0.0)
    assert info.status == SolverStatus.FEASIBLE and info.stop_reason == "time_limit" and info.hit_time_limit


def test_lp_relaxation_is_a_lower_bound_of_the_mip():
    prob = _knapsack(constant=100.0)
    lp = solve_lp_relaxation(prob, 10)
    assert lp == pytest.approx(100 - 3 * 2 - 5 * 1.5)  # c=2 (best ratio), then a=1.5 fills the capacity
    assert lp <= run_highs(_knapsack(constant=100.0), time_limit_seconds=10, gap=0.0).objective


def test_unknown_solver_is_a_programming_error():
    with pytest.raises(ValueError, match="solver must be one of highs, cbc, got 'gurobi'"):
        run_mip(_knapsack(), solver="gurobi", time_limit_seconds=1)


@pytest.mark.parametrize("objective, bound, gap", [(100.0, 99.0, 0.01), (0.0, 0.0, 0.0), (None, 1.0, None),
                                                   (0.0, 1.0, None), (-50.0, -55.0, 0.1)])
def test_relative_gap(objective, bound, gap):
    assert relative_gap(objective, bound) == (pytest.approx(gap) if gap is not None else None)
