"""The independent checker catches hand-made violations, and no solved roster
breaks a hard rule (property-based)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from tests.optimiser.roster.roster_builders import TZ, make_agent, make_shift, unavailability
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimiser.roster import check_roster, packaged_ruleset, solve_roster
from optimiser.roster.result import ASSIGNMENT_COLUMNS


def _assign(agent_id, *shifts):
    rows = []
    for s in shifts:
        rows.append({"agent_id": agent_id, "name": "x", "site": "Stockholm", "skill_group": s["skill_group"],
                     "shift_id": s["shift_id"], "start": s["start"], "end": s["end"],
                     "paid_minutes": s["paid_minutes"], "breaks": s["breaks"]})
    return pd.DataFrame(rows, columns=list(ASSIGNMENT_COLUMNS))


def _rules(violations):
    return [v.rule for v in violations]


def test_checker_catches_short_daily_rest():
    a = pd.DataFrame([make_agent("A")])
    roster = _assign("A", make_shift("late", "2026-02-02 14:00"), make_shift("early", "2026-02-03 06:00"))
    found = check_roster(roster, a, None, packaged_ruleset())
    assert _rules(found) == ["daily_rest"]
    assert found[0].date == dt.date(2026, 2, 3) and "8 h" in found[0].detail


def test_checker_catches_missing_weekly_rest():
    a = pd.DataFrame([make_agent("A", max_h=80)])
    # 08-12 every day for 7 days (28 h): the longest rest in the week is 20 h
    roster = _assign("A", *[make_shift(f"d{k}", f"2026-02-0{2 + k} 08:00", hours=4) for k in range(7)])
    found = check_roster(roster, a, None, packaged_ruleset(max_consecutive_days=None))
    assert _rules(found) == ["weekly_rest"]
    assert "20 h" in found[0].detail


def test_checker_catches_the_rest_of_the_rules():
    a = pd.DataFrame([make_agent("A", days_off=("Tue",), nights=False, max_h=10)])
    un = unavailability([("A", "2026-02-02 10:00", "2026-02-02 11:00", "training")])
    roster = _assign("A",
                     make_shift("mon", "2026-02-02 08:00"),  # unavailable 10-11
                     make_shift("tue", "2026-02-03 08:00"),  # fixed day off
                     make_shift("thu", "2026-02-05 22:00", template="night"),  # night not allowed
                     make_shift("sat", "2026-02-07 12:00", hours=8, breaks=False),  # 8 h without a break
                     make_shift("sun", "2026-02-08 12:00", group="bilingual"))  # lacks English
    found = set(_rules(check_roster(roster, a, un, packaged_ruleset())))
    assert {"unavailable", "fixed_day_off", "nights_not_allowed", "max_work_without_break", "skills",
            "max_hours_per_week"} <= found


def test_checker_catches_overlap_and_consecutive_days():
    a = pd.DataFrame([make_agent("A", max_h=48)])
    roster = _assign("A", make_shift("a", "2026-02-02 08:00"), make_shift("b", "2026-02-02 12:00"))
    assert "overlap" in _rules(check_roster(roster, a, None, packaged_ruleset()))
    roster = _assign("A", *[make_shift(f"d{k}", f"2026-02-0{2 + k} 08:00", hours=4) for k in range(4)])
    assert _rules(check_roster(roster, a, None, packaged_ruleset(max_consecutive_days=3))) == ["max_consecutive_days"]


def test_clean_roster_has_no_violations():
    a = pd.DataFrame([make_agent("A")])
    roster = _assign("A", *[make_shift(f"d{k}", f"2026-02-0{2 + k} 08:00") for k in range(5)])
    assert check_roster(roster, a, None, packaged_ruleset()) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_solved_roster_never_breaks_a_hard_rule(build, data):
    n_agents = data.draw(st.integers(1, 3))
    groups = ["sv_reports", "sv_all", "bilingual"]
    agents = [make_agent(f"A{i}", data.draw(st.sampled_from(groups)),
                         nights=data.draw(st.booleans()), max_h=data.draw(st.sampled_from([16.0, 40.0, 48.0])),
                         days_off=data.draw(st.lists(st.sampled_from(["Mon", "Wed", "Sat"]), max_size=1, unique=True)))
              for i in range(n_agents)]
    shifts = []
    for k in range(data.draw(st.integers(2, 10))):
        day = data.draw(st.integers(0, 9))
        hour = data.draw(st.sampled_from([0, 6, 8, 14, 20, 22]))
        start = pd.Timestamp(dt.datetime(2026, 3, 23, hour) + dt.timedelta(days=day), tz=TZ)  # spans the DST change
        shifts.append(make_shift(f"s{k}", start, hours=data.draw(st.sampled_from([4.0, 8.0, 10.0])),
                                 group=data.draw(st.sampled_from(groups)), count=data.draw(st.integers(1, 2))))
    un = unavailability([("A0", "2026-03-25 00:00", "2026-03-26 00:00", "leave")])
    problem = build(agents, shifts, unavail=un, max_consecutive_days=data.draw(st.sampled_from([None, 2, 5])))
    res = solve_roster(problem, decompose=data.draw(st.sampled_from(["none", "week"])),
                       method=data.draw(st.sampled_from(["mip", "local_search"])))
    assert res.violations == []
    assert check_roster(res.assignments, problem.agents, un, problem.ruleset) == []
    assert len(res.assignments) + (res.unfilled["unfilled"].sum() if len(res.unfilled) else 0) == \
        sum(s["count"] for s in shifts)
