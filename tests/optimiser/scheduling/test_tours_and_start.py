"""Same start time within a week, and the LP-rounding start plan used for large models."""

import pulp
import pytest

from optimiser.scheduling import build_problem, solve
from optimiser.scheduling.model import build_model
from optimiser.scheduling.mip import lp_rounding_start
from tests.optimiser.scheduling.sched_builders import day_profile, make_rules, requirement


def test_same_start_within_week_gives_each_tour_one_shift_type():
    # early need Mon-Fri 06-14, late need Mon-Fri 14-22; every agent keeps one start time all week
    need = [v for d in range(7) for v in (day_profile({(6, 14): 2, (14, 22): 1}) if d < 5 else [0] * 24)]
    rules = make_rules(contracts={"ft": {"hours_per_week": 40, "min_hours_per_week": 0, "max_hours_per_week": 40,
                                         "days_per_week": 5}},
                       shift_templates={"d": {"start_times": ["06:00", "14:00"], "lengths_hours": [8]}},
                       days_off={"consecutive": True, "same_start_within_week": True})
    res = solve(build_problem(requirement(need, start="2025-01-06"), rules))
    assert res.status == "Optimal" and not res.shortfalls
    per_day = res.shifts.groupby([res.shifts["start"].dt.day_of_week, res.shifts["start"].dt.hour])["count"].sum()
    for day in range(5):
        assert per_day[(day, 6)] == 2 and per_day[(day, 14)] == 1
    assert res.tours["agents"].sum() == 3
    assert res.cost == pytest.approx(15 * 8 * 100)  # each shift priced once, though tours share variables


def test_lp_rounding_start_is_feasible_and_above_the_lp_bound():
    rules = make_rules(shift_templates={"d": {"start_from": "00:00", "start_to": "23:00", "lengths_hours": [6, 8]}})
    problem = build_problem(requirement(day_profile({(7, 11): 3.0, (11, 19): 5.0, (19, 23): 2.0})), rules)
    m = build_model(problem)
    start, bound, note = lp_rounding_start(m, 20)
    assert start is not None and "LP rounding" in note
    value = sum(coef * start[v.name] for v, coef in m.prob.objective.items())
    assert value >= bound - 1e-6
    # the start plan respects every constraint of the full model
    for name, c in m.prob.constraints.items():
        lhs = sum(coef * start[v.name] for v, coef in c.items()) + c.constant
        if c.sense == pulp.LpConstraintEQ:
            assert abs(lhs) <= 1e-6, name
        elif c.sense == pulp.LpConstraintLE:
            assert lhs <= 1e-6, name
        else:
            assert lhs >= -1e-6, name
    exact = solve(problem)
    assert bound <= exact.objective + 1e-6 <= value + 1e-6


def test_large_model_path_stops_within_the_requested_gap_of_the_lp_bound(monkeypatch):
    # the LP-rounding path (normally for >= 5000 integers) on a tiny model: it stops as soon as the plan
    # is within the requested gap of the LP bound, and the bound it reports is that LP bound, which is
    # no higher than the proven optimum
    import importlib

    solve_module = importlib.import_module("optimiser.scheduling.mip")
    rules = make_rules(shift_templates={"d": {"start_from": "00:00", "start_to": "23:00", "lengths_hours": [6, 8]}},
                       solver={"time_limit_seconds": 20, "gap": 0.2})
    problem = build_problem(requirement(day_profile({(7, 11): 3.0, (11, 19): 5.0, (19, 23): 2.0})), rules)
    exact = solve(build_problem(requirement(day_profile({(7, 11): 3.0, (11, 19): 5.0, (19, 23): 2.0})),
                                make_rules(shift_templates={"d": {"start_from": "00:00", "start_to": "23:00",
                                                                  "lengths_hours": [6, 8]}})))
    assert exact.status == "Optimal"
    monkeypatch.setattr(solve_module, "WARM_START_MIN_INTEGERS", 0)
    seen = []
    res = solve(problem, on_progress=lambda inc, bound, t: seen.append((inc, bound)))
    assert "LP rounding" in res.message
    assert res.status in ("Optimal", "Feasible") and res.stop_reason in ("optimal", "gap")
    assert res.best_bound <= exact.objective + 1e-6 <= res.objective + 1e-6
    assert res.gap <= 0.2
    assert seen and all(b is None or b <= exact.objective + 1e-6 for _, b in seen)
