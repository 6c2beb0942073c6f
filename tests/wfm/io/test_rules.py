"""The YAML rules file (wfm.io.rules): demo file loads, round trip, every kind of mistake refused with
file, key path and reason (examples and hypothesis); its roster section; roster rule-set files."""

import copy
import datetime as dt

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.io.rules import dump_rules, load_rules, load_ruleset, parse_rules, rules_from_text
from wfm.ground.errors import WfmInputError
from tests.optimiser.scheduling.sched_builders import rules_dict

DEMO = "data/demo_rules.yaml"


def test_demo_rules_load_with_at_least_500_shift_types_and_800_agents():
    rules = load_rules(DEMO)
    assert sum(t.n_shift_types for t in rules.templates) >= 500
    assert sum(h.agents for h in rules.headcount) == 800
    assert {g.name for g in rules.skill_groups} == {"sv_reports", "sv_all", "bilingual"}
    assert dict((g.name, g.queues) for g in rules.skill_groups)["bilingual"] == (
        "reports", "tips", "switchboard", "english")
    assert len({h.site for h in rules.headcount}) == 6
    lunch = next(b for b in rules.break_rules if b.name == "lunch")
    assert (lunch.minutes, lunch.paid, lunch.window_start_minutes, lunch.window_end_minutes) == (30, False, 180, 300)


def test_dump_and_parse_round_trip(tmp_path):
    rules = load_rules(DEMO)
    path = tmp_path / "again.yaml"
    dump_rules(rules, path)
    again = load_rules(path)
    assert again == rules


def _write(tmp_path, data):
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_unknown_key_is_refused_with_file_and_key_path(tmp_path):
    d = rules_dict()
    d["shift_templates"]["day"]["lenghts_hours"] = [8]
    with pytest.raises(WfmInputError, match=r"rules\.yaml: shift_templates\.day\.lenghts_hours: unknown key"):
        load_rules(_write(tmp_path, d))


def test_shift_longer_than_a_day_is_refused(tmp_path):
    d = rules_dict()
    d["shift_templates"]["day"]["lengths_hours"] = [8, 25]
    with pytest.raises(WfmInputError, match=r"shift_templates\.day\.lengths_hours\[1\]: a shift may not be longer "
                                            r"than a day .* got 25 h"):
        load_rules(_write(tmp_path, d))


def test_break_window_outside_the_shift_is_refused(tmp_path):
    d = rules_dict(interval_minutes=15,
                   breaks={"lunch": {"minutes": 30, "paid": False, "window_start": "03:00", "window_end": "07:45"}})
    d["shift_templates"]["day"]["breaks"] = ["lunch"]
    with pytest.raises(WfmInputError, match=r"shift_templates\.day\.breaks\.lunch: break window outside the shift"):
        load_rules(_write(tmp_path, d))


def test_negative_cost_is_refused(tmp_path):
    d = rules_dict(costs={"base_cost_per_hour": 100, "night_premium_per_hour": -5})
    with pytest.raises(WfmInputError, match=r"costs\.night_premium_per_hour: costs must not be negative, got -5"):
        load_rules(_write(tmp_path, d))


def test_all_problems_are_listed_at_once():
    d = rules_dict(costs={"base_cost_per_hour": -1}, objective="cheapest")
    d["bogus"] = 1
    with pytest.raises(WfmInputError) as exc:
        parse_rules(d, source="r.yaml")
    assert len(exc.value.errors) == 3
    assert any("objective" in e for e in exc.value.errors)


def test_overlapping_break_windows_and_unknown_names_are_refused():
    d = rules_dict(breaks={"a": {"minutes": 30, "window_start": "02:00", "window_end": "03:00"},
                           "b": {"minutes": 15, "window_start": "03:00", "window_end": "04:00"}})
    d["shift_templates"]["day"]["breaks"] = ["a", "b"]
    with pytest.raises(WfmInputError, match="overlap"):
        parse_rules(d)
    d2 = rules_dict(headcount=[{"site": "x", "skill_group": "nope", "contract": "ft", "agents": 3}])
    with pytest.raises(WfmInputError, match=r"headcount\[0\]\.skill_group: must name a skill group"):
        parse_rules(d2)


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(WfmInputError, match="nope.yaml: rules file not found"):
        load_rules(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n")
    with pytest.raises(WfmInputError, match="not valid YAML"):
        load_rules(bad)


_PATHS = [("costs",), ("shift_templates", "day"), ("contracts", "ft"), ("solver",), (), ("skill_groups", "a")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.sampled_from(_PATHS), key=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=3, max_size=12))
def test_property_any_unknown_key_anywhere_is_refused_never_ignored(where, key):
    d = rules_dict(costs={"base_cost_per_hour": 100}, solver={"name": "highs"})
    node = d
    for part in where:
        node = node[part]
    if key in node or key in {"version", "timezone", "interval_minutes", "cyclic", "objective", "headcount_total",
                              "skill_groups", "contracts", "headcount", "days_off", "breaks", "shift_templates",
                              "costs", "limits", "opening_hours", "deferred_work", "service_level", "solver",
                              "roster",
                              "start_from", "start_to", "start_every_minutes", "start_times", "lengths_hours",
                              "days", "breaks", "max_agents_per_day", "hours_per_week", "min_hours_per_week",
                              "max_hours_per_week", "days_per_week", "name", "time_limit_seconds", "gap",
                              "threads", "msg", "queues", "base_cost_per_hour", "night_premium_per_hour",
                              "night_start", "night_end", "weekend_premium_per_hour", "holiday_premium_per_hour",
                              "holiday_country", "holiday_years", "extra_holidays",
                              "shortfall_penalty_per_agent_hour", "overstaffing_penalty_per_agent_hour"}:
        return
    node[key] = 1
    with pytest.raises(WfmInputError, match=f"unknown key '{key}'"):
        parse_rules(copy.deepcopy(d), source="fuzz.yaml")


@settings(max_examples=40, deadline=None)
@given(key=st.sampled_from(["base_cost_per_hour", "night_premium_per_hour", "weekend_premium_per_hour",
                            "holiday_premium_per_hour", "shortfall_penalty_per_agent_hour",
                            "overstaffing_penalty_per_agent_hour"]),
       value=st.floats(max_value=-1e-9, min_value=-1e9))
def test_property_negative_costs_are_always_refused(key, value):
    d = rules_dict(costs={key: value})
    with pytest.raises(WfmInputError, match=rf"costs\.{key}: costs must not be negative"):
        parse_rules(d)


def test_coarsened_rules_keep_the_families_and_shrink_the_templates():
    from pathlib import Path

    import yaml

    from wfm.io.rules import coarsen_rules_text, parse_rules

    text = (Path(__file__).resolve().parents[3] / "data" / "demo_rules.yaml").read_text(encoding="utf-8")
    small = yaml.safe_load(coarsen_rules_text(text))
    day = small["shift_templates"]["day"]
    assert day["start_every_minutes"] == 60 and day["lengths_hours"] == [6, 8, 10]
    assert small["breaks"] == yaml.safe_load(text)["breaks"]
    parse_rules(small, source="coarsened")  # still a valid rules file
    with pytest.raises(WfmInputError, match="lengths must be >= 1, got 0"):
        coarsen_rules_text(text, lengths=0)


# --- the roster rule set of a rules file (wfm roster --rules) ---------------------------------------

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


def test_roster_section_is_part_of_the_rules_file_and_round_trips(tmp_path):
    d = rules_dict(roster={"ruleset": "sweden", "max_consecutive_days": 5, "penalties": {"fairness_nights": 9}})
    rules = parse_rules(d, source="r.yaml")
    assert rules.roster["max_consecutive_days"] == 5
    again = load_rules(_write(tmp_path, yaml.safe_load(dump_rules(rules))))
    assert again == rules and again.roster == rules.roster
    # the same file gives wfm roster the same rule set
    assert load_ruleset(_write(tmp_path, d)).max_consecutive_days == 5


def test_bad_roster_section_is_listed_with_the_other_problems():
    d = rules_dict(roster={"max_consecutive_days": 0, "ruleset": "sweden"}, objective="cheapest")
    with pytest.raises(WfmInputError) as exc:
        parse_rules(d, source="r.yaml")
    assert len(exc.value.errors) == 2
    assert any("r.yaml: roster: max_consecutive_days must be a whole number >= 1" in e for e in exc.value.errors)
    with pytest.raises(WfmInputError, match=r"r\.yaml: roster: must be a mapping"):
        parse_rules(rules_dict(roster=[1]), source="r.yaml")


def test_rules_are_read_from_an_open_file_and_from_text():
    import io

    text = yaml.safe_dump(rules_dict(objective="cost"))
    assert load_rules(io.StringIO(text)) == rules_from_text(text) == load_rules(io.BytesIO(text.encode()))
    with pytest.raises(WfmInputError, match=r"editor: objective: must be one of"):
        rules_from_text(text.replace("objective: cost", "objective: cheapest"), name="editor")
