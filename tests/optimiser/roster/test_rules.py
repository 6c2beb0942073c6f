"""The packaged Swedish rule set, the roster section of the scheduling rules, and its checks."""

from __future__ import annotations

import datetime as dt

import pytest

from optimiser.roster.rules import packaged_ruleset, packaged_rulesets, ruleset_from_rules, ruleset_from_section
from tests.optimiser.scheduling.sched_builders import make_rules
from wfm.ground.errors import WfmInputError


def test_sweden_has_the_working_hours_act_figures():
    r = packaged_ruleset("sweden")
    # Arbetstidslag (1982:673): 13 § dygnsvila 11 h, 14 § veckovila 36 h, 15 § rast after at most 5 h,
    # 5 § ordinary time 40 h/week, 10 b § total time 48 h/week on average
    assert (r.min_daily_rest_hours, r.min_weekly_rest_hours, r.max_work_without_break_hours) == (11, 36, 5)
    assert (r.max_ordinary_hours_per_week, r.max_total_hours_per_week) == (40, 48)
    assert r.night_start == dt.time(22) and r.night_end == dt.time(6)
    assert "sweden" in packaged_rulesets()


def test_section_overrides_its_base_and_names_itself():
    r = ruleset_from_section({"max_consecutive_days": 5, "penalties": {"fairness_nights": 9}}, "r.yaml: roster",
                             file_name="r.yaml")
    assert r.name == "sweden+r.yaml" and r.max_consecutive_days == 5
    assert r.penalties.fairness_nights == 9 and r.penalties.unfilled_slot_per_hour == 1000
    assert ruleset_from_section(None, "r.yaml: roster") == packaged_ruleset("sweden")
    with pytest.raises(WfmInputError, match=r"r\.yaml: roster\.ruleset must be one of sweden, got 'norway'"):
        ruleset_from_section({"ruleset": "norway"}, "r.yaml: roster")
    with pytest.raises(WfmInputError, match="unknown rule set 'finland'"):
        packaged_ruleset("finland")


def test_a_schedule_rules_roster_section_gives_the_roster_its_rules():
    # the rules the planner chose for the schedule carry the roster's working-time rules
    rules = make_rules(roster={"max_consecutive_days": 4, "max_nights_per_week": 2})
    chosen = ruleset_from_rules(rules)
    assert (chosen.max_consecutive_days, chosen.max_nights_per_week) == (4, 2)
    assert chosen.min_daily_rest_hours == 11  # the rest from sweden
    assert ruleset_from_rules(make_rules()) == packaged_ruleset("sweden")
