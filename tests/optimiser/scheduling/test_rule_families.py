"""One tiny instance per rule family: days off, headcount caps, premiums, template caps,
min/max agents, opening hours, multi-skill allocation, deferred work, DST."""

import numpy as np
import pandas as pd
import pytest

from optimiser.scheduling import build_problem, solve
from tests.optimiser.scheduling.sched_builders import TZ, day_profile, make_rules, requirement


def test_days_off_two_consecutive_days_and_daily_counts_within_tours():
    need = [3, 3, 3, 3, 3, 0, 0]
    profile = [v for n in need for v in day_profile({(8, 16): n})]
    rules = make_rules(contracts={"ft": {"hours_per_week": 40, "min_hours_per_week": 0, "max_hours_per_week": 40,
                                         "days_per_week": 5}},
                       shift_templates={"day": {"start_times": ["08:00"], "lengths_hours": [8]}})
    res = solve(build_problem(requirement(profile, start="2025-01-06"), rules))
    assert res.status == "Optimal" and not res.shortfalls
    assert res.tours["agents"].sum() == 3
    # weekday work and weekend off: the only 2-consecutive-days-off pattern that fits is Sat+Sun
    assert set(res.tours["working_days"]) == {"XXXXX--"}
    per_day = res.shifts.groupby(res.shifts["start"].dt.day_of_week)["count"].sum()
    assert per_day.to_dict() == {0: 3, 1: 3, 2: 3, 3: 3, 4: 3}


def test_headcount_cap_holds_and_names_the_binding_rule():
    rules = make_rules(headcount=[{"site": "x", "skill_group": "a", "contract": "ft", "agents": 2},
                                  {"site": "y", "skill_group": "a", "contract": "ft", "agents": 1}])
    res = solve(build_problem(requirement(day_profile({(8, 16): 5})), rules))
    assert res.tours["agents"].sum() == 3  # 2 + 1 over the two sites
    assert res.shifts["count"].sum() == 3
    assert res.shortfalls and all("headcount" in s.reason for s in res.shortfalls)
    assert res.shortfalls[0].agents_short == pytest.approx(2)


def test_premiums_are_priced_night_weekend_holiday():
    costs = {"base_cost_per_hour": 100, "night_premium_per_hour": 50, "night_start": "22:00", "night_end": "06:00",
             "weekend_premium_per_hour": 30, "holiday_premium_per_hour": 80, "extra_holidays": ["2025-01-08"],
             "shortfall_penalty_per_agent_hour": 100000}
    rules = make_rules(costs=costs, shift_templates={"n": {"start_times": ["22:00"], "lengths_hours": [8]}})
    # Tue 2025-01-07 22:00 -> Wed 06:00: 8 night hours; Wednesday is declared a holiday (6 h on it)
    profile = day_profile({(22, 24): 1}) + day_profile({(0, 6): 1})
    res = solve(build_problem(requirement(profile, start="2025-01-07"), rules))
    assert res.shifts["count"].sum() == 1
    assert res.cost == pytest.approx(8 * 100 + 8 * 50 + 6 * 80)
    # a Saturday day shift pays the weekend premium, a Friday one does not
    rules2 = make_rules(costs=costs, shift_templates={"d": {"start_times": ["08:00"], "lengths_hours": [8]}})
    prof2 = day_profile({(8, 16): 1}) + day_profile({(8, 16): 1})
    res2 = solve(build_problem(requirement(prof2, start="2025-01-10"), rules2))  # Fri + Sat
    assert res2.cost == pytest.approx(8 * 100 + 8 * (100 + 30))


def test_cheaper_day_shift_preferred_over_night_premium():
    costs = {"base_cost_per_hour": 100, "night_premium_per_hour": 50, "shortfall_penalty_per_agent_hour": 100000}
    rules = make_rules(costs=costs, shift_templates={"d": {"start_times": ["16:00", "20:00"], "lengths_hours": [4]}})
    res = solve(build_problem(requirement(day_profile({(20, 21): 1}) ), rules))
    # 20:00-24:00 has two night hours (22-24); 16:00-20:00 does not cover 20:00 -> must use 20:00
    assert res.cost == pytest.approx(4 * 100 + 2 * 50)


def test_template_cap_binds_and_is_explained():
    rules = make_rules(shift_templates={"night": {"start_times": ["22:00"], "lengths_hours": [8],
                                                  "max_agents_per_day": 10}})
    profile = day_profile({(22, 24): 14}) + day_profile({(0, 6): 14})
    res = solve(build_problem(requirement(profile), rules))
    assert res.shifts["count"].sum() == 10
    assert res.shortfalls
    s = res.shortfalls[0]
    assert s.agents_short == pytest.approx(4) and s.agents_required == pytest.approx(14)
    assert "capped at 10" in s.reason and "max_agents_per_day" in s.reason
    assert any("needs 14 agents" in e for e in res.explanations)


def test_min_and_max_agents_per_interval():
    rules = make_rules(limits=[{"queue": "*", "from": "00:00", "to": "24:00", "min_agents": 1},
                               {"queue": "*", "from": "12:00", "to": "14:00", "max_agents": 2}],
                       shift_templates={"d": {"start_from": "00:00", "start_to": "23:00", "lengths_hours": [4]}},
                       cyclic=True)
    res = solve(build_problem(requirement(day_profile({(12, 14): 5})), rules))
    gc = res.group_coverage
    hours = gc["interval_start"].dt.hour
    assert (gc["agents_working"] >= 1 - 1e-6).all()
    assert (gc.loc[(hours >= 12) & (hours < 14), "agents_working"] <= 2 + 1e-6).all()
    assert res.shortfalls and "limits[1].max_agents" in res.shortfalls[0].reason


def test_opening_hours_close_a_queue():
    rules = make_rules(opening_hours={"reports": [{"from": "08:00", "to": "16:00"}]})
    res = solve(build_problem(requirement(day_profile({(6, 10): 2})), rules))
    closed = [s for s in res.shortfalls if s.start.hour == 6]
    assert closed and "closed" in closed[0].reason
    cov = res.coverage
    assert (cov.loc[cov["interval_start"].dt.hour < 8, "agents_allocated"] <= 1e-6).all()


def test_multi_skill_english_only_from_bilingual_group():
    rules = make_rules(skill_groups={"sv_reports": {"queues": ["reports"]},
                                     "bilingual": {"queues": ["reports", "english"]}},
                       headcount=[{"site": "x", "skill_group": "sv_reports", "contract": "ft", "agents": 50},
                                  {"site": "x", "skill_group": "bilingual", "contract": "ft", "agents": 50}],
                       costs={"base_cost_per_hour": 100, "shortfall_penalty_per_agent_hour": 100000})
    req = pd.concat([requirement(day_profile({(8, 16): 3}), queue="reports"),
                     requirement(day_profile({(8, 16): 2}), queue="english")])
    res = solve(build_problem(req, rules))
    assert res.status == "Optimal" and not res.shortfalls
    by_group = res.shifts.groupby("skill_group")["count"].sum().to_dict()
    assert by_group.get("bilingual", 0) >= 2
    assert sum(by_group.values()) == 5  # pooled flow: 3 + 2 agents, no more
    cov = res.coverage
    assert (cov["agents_allocated"] + 1e-6 >= cov["agents_required"]).all()


def test_deferred_work_done_in_quiet_hours_before_deadline():
    rules = make_rules(deferred_work=[{"name": "callbacks", "queue": "reports", "workload_agent_minutes": 120,
                                       "release": "08:00", "deadline": "16:00"}])
    # 3 agents 08-16 needed, but 12-16 only 1: spare capacity of the same shifts does the call-backs there
    res = solve(build_problem(requirement(day_profile({(8, 12): 3, (12, 16): 1})), rules))
    d = res.deferred.iloc[0]
    assert d["done_agent_minutes"] == pytest.approx(120)
    assert d["unfinished_agent_minutes"] == pytest.approx(0)
    cov = res.coverage
    hours = cov["interval_start"].dt.hour
    assert cov.loc[(hours < 8) | (hours >= 16), "deferred_agents"].sum() == pytest.approx(0)
    assert res.shifts["count"].sum() == 3  # no extra shift needed for the call-backs
    assert cov.loc[(hours >= 12) & (hours < 16), "deferred_agents"].sum() == pytest.approx(2)


def test_dst_spring_forward_day_has_92_quarter_hours_and_shifts_last_their_real_length():
    idx = pd.date_range(pd.Timestamp("2025-03-30", tz=TZ), pd.Timestamp("2025-03-31", tz=TZ), freq="15min",
                        inclusive="left")
    assert len(idx) == 92
    local_hour = idx.hour
    need = np.where((local_hour >= 1) & (local_hour < 9), 1.0, 0.0)
    req = pd.DataFrame({"interval_start": idx, "queue": "reports", "agents_required": need})
    rules = make_rules(interval_minutes=15, shift_templates={"d": {"start_from": "00:00", "start_to": "23:45",
                                                                     "lengths_hours": [8]}})
    res = solve(build_problem(req, rules))
    assert not res.shortfalls
    for _, row in res.shifts.iterrows():
        assert (row["end"] - row["start"]) == pd.Timedelta(hours=8)
        assert not (row["start"].hour == 2)  # 02:00-02:59 does not exist that day


def test_the_holiday_premium_uses_the_one_calendar_for_any_year_of_the_plan():
    # holidays came from a second source that covered 2023-2030 only: a 2031 plan got none, silently
    import datetime as dt

    from optimiser.scheduling.model import holiday_dates
    from optimiser.scheduling.spec import CostRules
    from wfm.ground.errors import WfmInputError

    times = pd.date_range("2030-12-31", "2031-01-07", freq="60min", tz="Europe/Stockholm")
    costs = CostRules(holiday_premium_per_hour=80, holiday_country="SE", holidays=(dt.date(2031, 1, 3),))
    assert holiday_dates(costs, times) == (dt.date(2031, 1, 1), dt.date(2031, 1, 3), dt.date(2031, 1, 6))
    with pytest.raises(WfmInputError, match=r"covers the year\(s\) \[2031\], outside costs.holiday_years \[2030\]"):
        holiday_dates(CostRules(holiday_country="SE", holiday_years=(2030,)), times)


def test_each_shortfall_carries_the_code_of_its_binding_rule():
    # headcount: 3 agents for a need of 5 -> group_headcount; a template cap -> template_cap; closed -> closed
    capped = make_rules(headcount=[{"site": "x", "skill_group": "a", "contract": "ft", "agents": 3}])
    res = solve(build_problem(requirement(day_profile({(8, 16): 5})), capped))
    assert res.shortfalls and {s.rule for s in res.shortfalls} == {"group_headcount"}
    night = make_rules(shift_templates={"night": {"start_times": ["22:00"], "lengths_hours": [8],
                                                  "max_agents_per_day": 10}})
    res = solve(build_problem(requirement(day_profile({(22, 24): 14}) + day_profile({(0, 6): 14})), night))
    assert {s.rule for s in res.shortfalls} == {"template_cap"}
    from optimiser.scheduling.explain import RULE_CODES

    assert {"group_headcount", "template_cap", "closed", "penalty"} <= set(RULE_CODES)
