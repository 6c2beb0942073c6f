"""The tour-aware rounding of the LP plan (optimiser.scheduling.rounding), on a tiny week where rounding
every shift count up is infeasible, as it is on the demo week."""

import importlib
import math
from collections import defaultdict

import pulp
import pytest

from optimiser.scheduling import build_problem, solve
from optimiser.scheduling.model import build_model
from optimiser.scheduling.rounding import round_tours, tour_rounding
from optimiser.scheduling.mip import lp_rounding_start
from tests.optimiser.scheduling.sched_builders import day_profile, make_rules, requirement

# Mon-Sun, 1.1 agents needed 08-16 each day, one shift type (08:00, 8 h); 2 full-time agents
# (5 consecutive days, exactly 40 h a week). LP: 1.1 shifts a day, 1.54 tours, 61.6 paid hours
# = 1.54 x 40 (the contract minimum binds, as on the demo week). Rounding every count up gives
# 2 shifts a day = 14 shift-days, but 2 tours work only 10 days: infeasible. Rounding down gives
# 7 shifts (56 h), but 7 days need 2 tours, whose minimum is 80 h: infeasible too.
NEED = [v for _ in range(7) for v in day_profile({(8, 16): 1.1})]


def _rules(**extra):
    return make_rules(
        contracts={"ft": {"hours_per_week": 40, "min_hours_per_week": 40, "max_hours_per_week": 40,
                          "days_per_week": 5}},
        headcount=[{"site": "x", "skill_group": "a", "contract": "ft", "agents": 2}],
        shift_templates={"d": {"start_times": ["08:00"], "lengths_hours": [8]}},
        days_off={"consecutive": True}, **extra)


def _problem(**extra):
    return build_problem(requirement(NEED, start="2025-01-06"), _rules(**extra))


def _violated_rows(prob, values):
    bad = []
    for name, c in prob.constraints.items():
        lhs = sum(coef * values.get(v.name, 0.0) for v, coef in c.items()) + c.constant
        if (c.sense == pulp.LpConstraintEQ and abs(lhs) > 1e-6) or (c.sense == pulp.LpConstraintLE and lhs > 1e-6) \
                or (c.sense == pulp.LpConstraintGE and lhs < -1e-6):
            bad.append(name)
    for v in prob.variables():
        x = values.get(v.name, 0.0)
        if (v.lowBound is not None and x < v.lowBound - 1e-6) or (v.upBound is not None and x > v.upBound + 1e-6) \
                or (v.cat == pulp.LpInteger and abs(x - round(x)) > 1e-6):
            bad.append(v.name)
    return bad


def _lp(m):
    m.prob.solve(pulp.HiGHS(mip=False, msg=False))
    assert m.prob.status == pulp.LpStatusOptimal
    return {v.name: v.varValue or 0.0 for v in m.prob.variables()}


def _fixed_mip_status(m, counts):
    saved = [(sv.var, sv.var.lowBound, sv.var.upBound) for sv in m.shifts]
    for sv in m.shifts:
        sv.var.lowBound = sv.var.upBound = counts[sv.var.name]
    try:
        m.prob.solve(pulp.HiGHS(msg=False, timeLimit=10))
        return m.prob.status
    finally:
        for v, lo, hi in saved:
            v.lowBound, v.upBound = lo, hi


def test_rounding_up_or_down_is_infeasible_on_this_week():
    # the premise: both naive roundings of the LP fail on the tour rows, so the new step is needed here
    m = build_model(_problem())
    lp = _lp(m)
    xs = [lp[sv.var.name] for sv in m.shifts]
    assert sorted(round(x, 6) for x in xs if x > 1e-6) == [1.1] * 7
    assert _fixed_mip_status(m, {sv.var.name: math.ceil(lp[sv.var.name] - 1e-6) for sv in m.shifts}) \
        == pulp.LpStatusInfeasible
    assert _fixed_mip_status(m, {sv.var.name: math.floor(lp[sv.var.name] + 1e-6) for sv in m.shifts}) \
        == pulp.LpStatusInfeasible


def test_tour_rounding_fits_whole_tours_and_contract_hours():
    m = build_model(_problem())
    lp = _lp(m)
    counts, note = tour_rounding(m, lp)
    assert counts is not None, note
    per_day = defaultdict(int)
    for sv in m.shifts:
        per_day[sv.day] += counts[sv.var.name]
    # every day keeps at least its LP floor (1), no day needs more than the 2 tours, and the paid hours
    # reach the contract minimum of the tours the days need (7 working days need 2 tours: 80 h = 10 shifts)
    assert all(1 <= per_day[d] <= 2 for d in range(7))
    assert sum(per_day.values()) == 10
    # the rounded counts leave a feasible MIP (breaks, tours) ...
    assert _fixed_mip_status(m, counts) == pulp.LpStatusOptimal
    # ... whose plan passes every row of the full model
    values = {v.name: v.varValue or 0.0 for v in m.prob.variables()}
    assert _violated_rows(m.prob, values) == []


def test_round_tours_keeps_headcount_and_headcount_total():
    # a pool of 2 agents, but headcount_total allows only 1: the rounded tours are cut back to it
    m = build_model(_problem(headcount_total=1))
    lp = _lp(m)
    tours = round_tours(m, lp)
    assert sum(tours.values()) <= 1
    m2 = build_model(_problem())
    tours2 = round_tours(m2, _lp(m2))
    assert sum(tours2.values()) == 2  # 1.54 tours x 1.03, rounded up, within the headcount of 2


def test_lp_rounding_start_uses_the_tour_rounding_and_passes_every_row():
    problem = _problem()
    m = build_model(problem)
    start, bound, note = lp_rounding_start(m, 20)
    assert start is not None and "tour rounding" in note
    assert _violated_rows(m.prob, start) == []
    value = sum(coef * start[v.name] for v, coef in m.prob.objective.items())
    exact = solve(problem)
    assert exact.status == "Optimal"
    assert bound <= exact.objective + 1e-6 <= value + 1e-6


def test_large_model_path_returns_the_tour_rounded_plan(monkeypatch):
    # through solve(): the LP-rounding path (normally >= 5000 integers), a gap wide enough that the
    # rounded plan is accepted without RENS; the result reader re-evaluates it
    solve_module = importlib.import_module("optimiser.scheduling.mip")
    monkeypatch.setattr(solve_module, "WARM_START_MIN_INTEGERS", 0)
    problem = _problem(solver={"time_limit_seconds": 20, "gap": 0.5})
    seen = []
    res = solve(problem, on_progress=lambda inc, bound, t: seen.append((inc, bound)))
    assert "tour rounding" in res.message and "RENS" not in res.message
    assert res.status in ("Feasible", "Optimal")
    assert res.tours["agents"].sum() <= 2
    per_day = res.shifts.groupby(res.shifts["start"].dt.day_of_week)["count"].sum()
    assert per_day.max() <= 2 and per_day.sum() == 10
    assert res.best_bound <= res.objective + 1e-6
    assert seen and seen[-1][0] == pytest.approx(res.objective)


def test_groups_do_not_both_round_up_what_one_of_them_supplies(monkeypatch):
    # two groups serve the same queue; the (hand-set) fractional plan has 1.5 agents of each on the one
    # shift type: each group alone would round up to 2 (4 agents for 3), step 3 takes one back
    from optimiser.scheduling import rounding

    rules = make_rules(skill_groups={"a": {"queues": ["reports"]}, "b": {"queues": ["reports"]}},
                       headcount=[{"site": "x", "skill_group": "a", "contract": "ft", "agents": 5},
                                  {"site": "x", "skill_group": "b", "contract": "ft", "agents": 5}],
                       shift_templates={"d": {"start_times": ["08:00"], "lengths_hours": [8]}})
    m = build_model(build_problem(requirement(day_profile({(8, 16): 3.0})), rules))
    values = {v.name: 0.0 for v in m.prob.variables()}
    values.update({sv.var.name: 1.5 for sv in m.shifts})
    values.update({z.name: 1.5 for z in m.tours.values()})
    assert sorted(sv.group for sv in m.shifts) == ["a", "b"]

    def total(counts):
        return sum(counts[sv.var.name] for sv in m.shifts)

    counts, note = tour_rounding(m, values)
    assert counts is not None, note
    assert total(counts) == 3 and sorted(counts.values()) == [1, 2]
    monkeypatch.setattr(rounding, "REMOVE_THRESHOLD", 0.0)  # without step 3: both round up
    assert total(tour_rounding(m, values)[0]) == 4


def test_max_sl_bound_and_objective_share_the_objective_constant(monkeypatch):
    # max-sl's objective has a constant (minus the calls answered at each interval's stability point), which
    # PuLP does not hand to HiGHS: the LP bound and HiGHS's objective must get it back, or the bound lies
    # above the plan (measured on the app's quick plan: bound -5,380 against a plan of -98,088)
    import numpy as np
    import pandas as pd

    from optimiser.staffing.requirement import required_agents
    from tests.optimiser.scheduling.sched_builders import TZ

    idx = pd.date_range(pd.Timestamp("2025-01-07", tz=TZ), periods=24, freq="60min")
    calls = np.round(20 + 180 * np.exp(-((np.asarray(idx.hour, float) - 12) / 4) ** 2))
    req = required_agents(calls, 60, 300.0, answer_within_seconds=180, target_service_level=0.8)
    frame = pd.DataFrame({"interval_start": idx, "queue": "reports", "calls_offered": calls, "aht_seconds": 300.0,
                          "agents_required": req["agents_required"].to_numpy(), "shrinkage": 0.0,
                          "answer_within_seconds": 180.0})
    rules = make_rules(shift_templates={"d": {"start_from": "00:00", "start_to": "23:00", "lengths_hours": [4, 8]}},
                       cyclic=True, service_level={"answer_within_seconds": 180, "target_service_level": 0.8,
                                                   "period": "day"},
                       contracts={"ft": {"hours_per_week": 40, "min_hours_per_week": 0, "max_hours_per_week": 168,
                                         "days_per_week": 7}})
    problem = build_problem(frame, rules, objective="max-sl", headcount_total=20)
    exact = solve(problem)  # the full MIP
    assert exact.status == "Optimal"
    assert exact.best_bound == pytest.approx(exact.objective, rel=1e-6, abs=1e-6)
    solve_module = importlib.import_module("optimiser.scheduling.mip")
    monkeypatch.setattr(solve_module, "WARM_START_MIN_INTEGERS", 0)
    seen = []
    res = solve(problem, on_progress=lambda inc, bound, t: seen.append((inc, bound)))
    # large max-sl models are planned in stages (optimiser.scheduling.headcount), the bound the model's LP
    assert "full grid" in res.message
    assert res.best_bound <= exact.objective + 1e-6 <= res.objective + 1e-6
    assert all(b is None or b <= exact.objective + 1e-6 for _, b in seen)
    assert all(i is None or i >= exact.objective - 1e-6 for i, _ in seen)
