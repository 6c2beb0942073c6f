"""Scheduler explanations come from the model (issue 16 item 4): each cause of a short plan built on a tiny
instance, and the reason checked -- never "covering costs more" when that is not what binds."""

from optimiser.scheduling import build_problem, solve
from optimiser.scheduling.explain import binding_rule
from optimiser.scheduling.model import build_model
from optimiser.scheduling.result import extract_result
from tests.optimiser.scheduling.sched_builders import day_profile, make_rules, requirement
from wfm.ground.solver import SolveInfo
from wfm.ground.vocabulary import SolverStatus


def _reasons(res) -> str:
    return " | ".join(s.reason for s in res.shortfalls)


def test_unreachable_contract_hours_are_named_with_the_numbers():
    # 8-hour shifts on at most 4 days reach 32 h, the contract needs 36 h: no agent can be scheduled
    rules = make_rules(contracts={"ft": {"hours_per_week": 36, "min_hours_per_week": 36, "max_hours_per_week": 40,
                                         "days_per_week": 4}})
    res = solve(build_problem(requirement(day_profile({(8, 16): 3}) * 7), rules))
    assert res.shortfalls and res.shifts["count"].sum() == 0
    reason = _reasons(res)
    assert "contract ft needs at least 36 h a week" in reason and "4 days x 8 h = 32 h" in reason
    assert "costs more" not in reason


def test_proven_shortfall_names_the_cheapest_shift_and_the_penalty_it_would_save():
    # one hour needs an agent, the only shift is 8 h at 100/h = 800; the penalty for the hour is 500
    rules = make_rules(costs={"base_cost_per_hour": 100, "shortfall_penalty_per_agent_hour": 500})
    res = solve(build_problem(requirement(day_profile({(10, 11): 1})), rules))
    assert res.status == "Optimal" and len(res.shortfalls) == 1
    reason = res.shortfalls[0].reason
    assert "costs 800" in reason and "more than the 500 of shortfall penalty" in reason


def test_a_plan_stopped_by_the_time_limit_names_the_stop_not_a_rule():
    # the same instance read as if the solver had stopped at the time limit with nothing covered
    rules = make_rules(costs={"base_cost_per_hour": 100, "shortfall_penalty_per_agent_hour": 100000})
    problem = build_problem(requirement(day_profile({(8, 16): 3})), rules)
    model = build_model(problem)
    for v in model.prob.variables():
        v.varValue = 0.0
    for s in model.short.values():
        s.varValue = 3.0 if s.name.endswith(("0800", "0900", "1000", "1100", "1200", "1300", "1400", "1500")) else 0.0
    info = SolveInfo("highs", SolverStatus.FEASIBLE, "time_limit", 1.0, 0.5, 0.5, True, "stopped", 5.0)
    res = extract_result(model, info)
    reason = _reasons(res)
    assert res.shortfalls and "at the time limit" in reason and "50.0% from its bound" in reason
    assert "costs more" not in reason and "penalty" not in reason


def test_headcount_binds_before_cost():
    rules = make_rules(headcount=[{"site": "x", "skill_group": "a", "contract": "ft", "agents": 2}])
    res = solve(build_problem(requirement(day_profile({(8, 16): 3})), rules))
    assert res.shortfalls and "headcount" in _reasons(res)


def test_an_elastic_min_agents_that_cannot_be_met_is_explained():
    rules = make_rules(headcount=[{"site": "x", "skill_group": "a", "contract": "ft", "agents": 1}],
                       limits=[{"queue": "*", "from": "08:00", "to": "12:00", "min_agents": 3}])
    res = solve(build_problem(requirement(day_profile({(8, 16): 1})), rules))
    lines = [e for e in res.explanations if "min_agents" in e]
    assert len(lines) == 1 and "limits[0].min_agents 3" in lines[0] and "4 interval(s)" in lines[0]
    assert "headcount" in lines[0]


def test_binding_rule_without_a_solution_value_is_the_time_limit_when_not_proven():
    rules = make_rules()
    model = build_model(build_problem(requirement(day_profile({(8, 9): 1})), rules))
    for v in model.prob.variables():
        v.varValue = 0.0
    text = binding_rule(model, "reports", [8], proven=False, stop="at the time limit, 92.0% from its bound")
    assert "the solver stopped (at the time limit, 92.0% from its bound)" in text
