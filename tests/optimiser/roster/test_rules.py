"""The packaged Swedish rule set and rules-file overrides."""

from __future__ import annotations

import datetime as dt

import pytest

from optimiser.roster.rules import load_ruleset, packaged_rulesets
from wfm.ground.errors import WfmInputError


def test_sweden_has_the_working_hours_act_figures():
    r = load_ruleset("sweden")
    # Arbetstidslag (1982:673): 13 § dygnsvila 11 h, 14 § veckovila 36 h, 15 § rast after at most 5 h,
    # 5 § ordinary time 40 h/week, 10 b § total time 48 h/week on average
    assert (r.min_daily_rest_hours, r.min_weekly_rest_hours, r.max_work_without_break_hours) == (11, 36, 5)
    assert (r.max_ordinary_hours_per_week, r.max_total_hours_per_week) == (40, 48)
    assert r.night_start == dt.time(22) and r.night_end == dt.time(6)
    assert "sweden" in packaged_rulesets()


def test_rules_file_roster_section_overrides_and_the_rest_is_ignored(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\nshift_templates: {anything: 1}\nroster:\n  ruleset: sweden\n"
                    "  max_consecutive_days: 5\n  max_nights_per_week: 3\n  night_start: '23:00'\n"
                    "  penalties: {fairness_nights: 9}\n", encoding="utf-8")
    r = load_ruleset(path)
    assert r.max_consecutive_days == 5 and r.max_nights_per_week == 3 and r.night_start == dt.time(23)
    assert r.penalties.fairness_nights == 9 and r.penalties.unfilled_slot_per_hour == 1000
    assert r.min_daily_rest_hours == 11  # kept from sweden


def test_rules_file_without_roster_section_is_sweden(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\n", encoding="utf-8")
    assert load_ruleset(path).min_weekly_rest_hours == 36


@pytest.mark.parametrize("body, pattern", [
    ("roster: {max_consecutive_day: 5}", r"unknown roster rule\(s\) max_consecutive_day"),
    ("roster: {min_daily_rest_hours: -1}", r"min_daily_rest_hours must be a number > 0, got -1"),
    ("roster: {max_consecutive_days: 0}", r"max_consecutive_days must be a whole number >= 1 or null, got 0"),
    ("roster: {night_start: 'late'}", r"night_start: must be a time"),
    ("roster: {ruleset: norway}", r"roster.ruleset must be one of sweden, got 'norway'"),
    ("roster: {penalties: {fairness_nights: -2}}", r"penalties.fairness_nights must be a number >= 0"),
    ("[1, 2]", r"must be a YAML mapping"),
])
def test_bad_rules(tmp_path, body, pattern):
    path = tmp_path / "rules.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(WfmInputError, match=pattern):
        load_ruleset(path)


def test_unknown_packaged_name_and_missing_file(tmp_path):
    with pytest.raises(WfmInputError, match="unknown rule set 'finland'"):
        load_ruleset("finland")
    with pytest.raises(WfmInputError, match="rules file not found"):
        load_ruleset(tmp_path / "nope.yaml")


def test_demo_rules_file_is_read_for_its_roster_section_only():
    from pathlib import Path
    path = Path(__file__).resolve().parents[3] / "data" / "demo_rules.yaml"
    assert load_ruleset(path).min_daily_rest_hours == 11
