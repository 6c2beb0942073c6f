"""Shift-design terms (issue 18 item 4): each on a tiny hand-built case where it changes the plan."""

from dataclasses import replace

import pytest

from optimiser.scheduling import build_problem, solve
from optimiser.scheduling.model import build_model
from optimiser.scheduling.spec import ShiftDesign
from tests.optimiser.scheduling.sched_builders import day_profile, make_rules, requirement


def _rules(templates, **design):
    # through the rules format: the shift_design section is read by wfm.io.rules
    rules = make_rules(shift_templates=templates,
                       costs={"base_cost_per_hour": 10, "shortfall_penalty_per_agent_hour": 100000},
                       **({"shift_design": design} if design else {}))
    assert rules.shift_design == ShiftDesign(**design)
    return rules


def _shifts(res):
    return [(s.strftime("%a %H:%M"), e.strftime("%H:%M"), int(c))
            for s, e, c in zip(res.shifts["start"], res.shifts["end"], res.shifts["count"])]


def test_cost_per_shift_prefers_one_long_shift_to_two_short_ones():
    # 08-12 and 14-18: two 4-h shifts (8 h) or one 10-h shift 08-18 (10 h, 2 h idle)
    templates = {"t": {"start_from": "08:00", "start_to": "14:00", "lengths_hours": [4, 10]}}
    need = requirement(day_profile({(8, 12): 1, (14, 18): 1}))
    plain = solve(build_problem(need, _rules(templates)))
    priced = solve(build_problem(need, _rules(templates, cost_per_shift=50.0)))
    assert plain.status == priced.status == "Optimal"
    assert plain.shifts["count"].sum() == 2 and plain.agent_hours == pytest.approx(8)
    # 10 h x 10 + 50 = 150 < 8 h x 10 + 2 x 50 = 180
    assert _shifts(priced) == [("Tue 08:00", "18:00", 1)]
    assert priced.cost == pytest.approx(150)


def _two_day_case():
    # Tuesday needs one agent 08-16, Wednesday 09-17; 8-h and 9-h shifts starting on the hour
    templates = {"t": {"start_from": "07:00", "start_to": "10:00", "lengths_hours": [8, 9]}}
    need = requirement(day_profile({(8, 16): 1}) + day_profile({(9, 17): 1}), start="2025-01-07")
    return templates, need


def test_cost_per_shift_type_start_length_shares_one_type_across_days():
    templates, need = _two_day_case()
    plain = solve(build_problem(need, _rules(templates)))
    one_type = solve(build_problem(need, _rules(templates, cost_per_shift_type=100.0, shift_type="start_length")))
    per_day = solve(build_problem(need, _rules(templates, cost_per_shift_type=100.0,
                                               shift_type="day_start_length")))
    assert plain.status == one_type.status == per_day.status == "Optimal"
    # cheapest hours: two 8-h types
    assert sorted(_shifts(plain)) == [("Tue 08:00", "16:00", 1), ("Wed 09:00", "17:00", 1)]
    # one start x length for both days: 08:00 for 9 h covers 08-17 on each day (18 h + 100 < 16 h + 200)
    assert sorted(_shifts(one_type)) == [("Tue 08:00", "17:00", 1), ("Wed 08:00", "17:00", 1)]
    # counted per weekday, the two days are two types whatever the start: the cheapest hours stay
    assert sorted(_shifts(per_day)) == sorted(_shifts(plain))
    assert one_type.cost == pytest.approx(18 * 10 + 100)


def test_max_shift_types_caps_the_distinct_types():
    templates, need = _two_day_case()
    capped = solve(build_problem(need, _rules(templates, max_shift_types=1, shift_type="start_length")))
    assert capped.status == "Optimal" and not capped.shortfalls
    assert len({(s.strftime("%H:%M"), e - s) for s, e in zip(capped.shifts["start"], capped.shifts["end"])}) == 1


def test_min_average_shift_length_lengthens_the_short_shift():
    # two agents 08-12, one 12-16; shifts start at 08:00 and last 4 or 8 h
    templates = {"t": {"start_times": ["08:00"], "lengths_hours": [4, 8]}}
    need = requirement(day_profile({(8, 12): 2, (12, 16): 1}))
    plain = solve(build_problem(need, _rules(templates)))
    long_ = solve(build_problem(need, _rules(templates, min_average_shift_hours=7.0)))
    assert plain.status == long_.status == "Optimal"
    assert sorted(_shifts(plain)) == [("Tue 08:00", "12:00", 1), ("Tue 08:00", "16:00", 1)]
    # (4 + 8) / 2 = 6 h < 7 h: the 4-h shift becomes 8 h (4 hours more, the only way)
    assert _shifts(long_) == [("Tue 08:00", "16:00", 2)]


def test_hard_coverage_is_infeasible_where_elastic_coverage_plans_the_shortfall():
    templates = {"t": {"start_from": "08:00", "start_to": "16:00", "lengths_hours": [8]}}
    rules = replace(make_rules(shift_templates=templates,
                               headcount=[{"site": "x", "skill_group": "a", "contract": "ft", "agents": 1}]))
    need = requirement(day_profile({(8, 16): 2}))
    elastic = solve(build_problem(need, rules))
    hard = solve(build_problem(need, replace(rules, coverage="hard")))
    assert elastic.status == "Optimal" and elastic.shortfalls
    # coverage: hard proves infeasibility and still carries the best partial plan with its shortfalls named
    assert hard.status == "Infeasible" and hard.shortfalls and "no plan meets every rule" in hard.message


def test_type_bound_is_the_requirement_under_the_shift_when_surplus_is_never_needed():
    templates, need = _two_day_case()
    rules = replace(_rules(templates, cost_per_shift_type=5.0, shift_type="day_start_length"),
                    costs=replace(make_rules().costs, overstaffing_penalty_per_agent_hour=1.0))
    rules = replace(rules, contracts=tuple(replace(c, min_hours_per_week=0) for c in rules.contracts))
    model = build_model(build_problem(need, rules))
    rows = {name: c for name, c in model.prob.constraints.items() if name.startswith("typeuse_")}
    assert rows
    for c in rows.values():
        used = [v for v in c if v.name.startswith("used_")]
        assert len(used) == 1
        # peak requirement under one shift of one group on one day: 1 agent
        assert -c[used[0]] == pytest.approx(1.0)


def test_shift_design_and_coverage_round_trip_through_the_rules_format():
    from wfm.io.rules import dump_rules, rules_from_text

    rules = make_rules(shift_design={"cost_per_shift": 5, "cost_per_shift_type": 60, "shift_type": "start_length",
                                     "max_shift_types": 4, "min_average_shift_hours": 7.7},
                       service_floor={"min_service_level": 0.4, "min_agents_on_phone": 2}, coverage="hard")
    again = rules_from_text(dump_rules(rules))
    assert again.shift_design == rules.shift_design == ShiftDesign(5.0, 60.0, "start_length", 4, 7.7)
    assert again.service_floor == rules.service_floor and again.coverage == "hard"


@pytest.mark.parametrize("section, value, words", [
    ("shift_design", {"shift_type": "day"}, "shift_design.shift_type: must be one of day_start_length, start_length"),
    ("shift_design", {"max_shift_types": 0}, "shift_design.max_shift_types: must be >= 1"),
    ("shift_design", {"cost_per_shift": -1}, "shift_design.cost_per_shift: must be >= 0"),
    ("shift_design", {"min_average_shift_hours": 0}, "shift_design.min_average_shift_hours: must be > 0"),
    ("shift_design", {"costs_per_shift": 1}, "costs_per_shift"),
    ("service_floor", {"min_service_level": 1.0}, "service_floor.min_service_level: must be <= 0.999"),
    ("service_floor", {"min_agents_on_phone": 1.5}, "service_floor.min_agents_on_phone: must be a whole number"),
    ("coverage", "strict", "coverage: must be one of elastic, hard"),
])
def test_bad_shift_design_floor_and_coverage_keys_are_refused_with_the_key_path(section, value, words):
    from wfm.ground.errors import WfmInputError

    with pytest.raises(WfmInputError) as err:
        make_rules(**{section: value})
    assert "test_rules.yaml" in str(err.value) and words in str(err.value)
