"""Each roster rule on its own tiny hand-built instance, checked by the
independent checker and by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from tests.optimiser.roster.roster_builders import TZ, make_agent, make_shift, unavailability

from optimiser.roster import check_roster, solve_roster
from optimiser.roster.model import build_model, longest_work_without_break_hours
from wfm.ground.frames import parse_breaks


def _shifts_of(result, agent_id):
    return result.assignments.loc[result.assignments["agent_id"] == agent_id, "shift_id"].tolist()


def _unfilled(result):
    return int(result.unfilled["unfilled"].sum()) if len(result.unfilled) else 0


def test_eleven_hour_rest_violation_is_impossible(build):
    # 14-22 then 06-14 the next day: 8 h of rest < 11 h (Arbetstidslagen 13 §)
    shifts = [make_shift("late", "2026-02-02 14:00"), make_shift("early", "2026-02-03 06:00")]
    res = solve_roster(build([make_agent("A")], shifts, max_consecutive_days=None), decompose="none")
    assert len(_shifts_of(res, "A")) == 1
    assert _unfilled(res) == 1
    assert res.violations == []
    assert any(v.rule == "unfilled_slot" for v in res.explanations)


def test_exactly_eleven_hours_of_rest_is_allowed(build):
    # 14-22 then 09-17: 11 h of rest, both may be worked
    shifts = [make_shift("late", "2026-02-02 14:00"), make_shift("next", "2026-02-03 09:00")]
    res = solve_roster(build([make_agent("A")], shifts), decompose="none")
    assert sorted(_shifts_of(res, "A")) == ["late", "next"]


def test_unavailable_agent_is_never_assigned(build):
    agents = [make_agent("A"), make_agent("B")]
    shifts = [make_shift("s1", "2026-02-02 08:00", count=2)]
    un = unavailability([("A", "2026-02-02 12:00", "2026-02-02 13:00", "training")])
    res = solve_roster(build(agents, shifts, unavail=un), decompose="none")
    assert _shifts_of(res, "A") == []
    assert _shifts_of(res, "B") == ["s1"]
    assert _unfilled(res) == 1


def _daily_shifts(days, first="2026-02-02"):
    d0 = pd.Timestamp(first).date()
    return [make_shift(f"d{k}", f"{d0 + dt.timedelta(days=k)} 08:00") for k in range(days)]


def _assert_weekly_rest(assign, first, days, hours=36):
    starts = sorted(assign["start"])
    ends = sorted(assign["end"])
    d0 = pd.Timestamp(first).date()
    for k in range(days - 6):
        w0 = pd.Timestamp(dt.datetime.combine(d0 + dt.timedelta(days=k), dt.time()), tz=TZ)
        w1 = pd.Timestamp(dt.datetime.combine(d0 + dt.timedelta(days=k + 7), dt.time()), tz=TZ)
        t, best = w0, pd.Timedelta(0)
        for s, e in zip(starts, ends):
            if e <= w0 or s >= w1:
                continue
            best, t = max(best, s - t), max(t, e)
        best = max(best, w1 - t)
        assert best >= pd.Timedelta(hours=hours), f"window from {w0}: longest rest {best}"


@pytest.mark.parametrize("decompose", ["none", "week"])
def test_weekly_rest_holds_across_week_boundaries(build, decompose):
    # one agent, a 08-16 shift offered every day for 14 days; no day limit, only the 36 h rest
    shifts = _daily_shifts(14)
    res = solve_roster(build([make_agent("A", contract=40, max_h=48)], shifts, max_consecutive_days=None),
                       decompose=decompose)
    assert res.violations == []
    _assert_weekly_rest(res.assignments, "2026-02-02", 14)
    # and the agent does work: at least 5 shifts a week are possible under 48 h/week
    assert len(res.assignments) >= 10


def test_max_consecutive_days(build):
    shifts = _daily_shifts(7)
    res = solve_roster(build([make_agent("A")], shifts, max_consecutive_days=3), decompose="none")
    days = sorted(t.date() for t in res.assignments["start"])
    run = longest = 0
    prev = None
    for d in days:
        run = run + 1 if prev and (d - prev).days == 1 else 1
        longest, prev = max(longest, run), d
    assert longest == 3  # reaches the limit (contract pushes for hours) but never exceeds it
    assert res.violations == []


def test_contract_max_hours_per_week(build):
    # 16 h/week max; 8 h shifts with a 30-min unpaid break are 7.5 paid hours: at most 2
    shifts = _daily_shifts(5)
    res = solve_roster(build([make_agent("A", contract=16, max_h=16)], shifts), decompose="none")
    assert len(res.assignments) == 2
    assert res.assignments["paid_minutes"].sum() / 60 <= 16


def test_contract_shortfall_is_reported(build):
    # min 30 h/week but only two 7.5 h shifts offered in the week: explained per agent
    shifts = [make_shift("mon", "2026-02-02 08:00"), make_shift("sun", "2026-02-08 08:00")]
    res = solve_roster(build([make_agent("A", contract=40, min_h=30)], shifts), decompose="none")
    rules = {(v.agent_id, v.rule) for v in res.explanations}
    assert ("A", "contract_min_hours") in rules
    assert ("A", "min_hours_per_week") in rules  # after solving: 15 h below 30 h
    assert (res.penalties["term"].str.contains("shortfall")).any()


def test_skills_and_languages(build):
    agents = [make_agent("SV", "sv_reports"), make_agent("BI", "bilingual")]
    shifts = [make_shift("en", "2026-02-02 08:00", group="bilingual"),
              make_shift("rep", "2026-02-02 09:00", group="sv_reports", count=2)]
    res = solve_roster(build(agents, shifts), decompose="none")
    assert _shifts_of(res, "SV") == ["rep"]
    assert _shifts_of(res, "BI") in (["en"], ["rep"])
    # the bilingual shift can only go to BI; the sv_reports one to either
    assert "en" not in _shifts_of(res, "SV")
    assert res.violations == []


def test_fixed_days_off_and_nights(build):
    agents = [make_agent("A", days_off=("Wed",), nights=False)]
    shifts = [make_shift("wed", "2026-02-04 08:00"),  # a Wednesday
              make_shift("tue_night", "2026-02-03 22:00", template="night"),  # runs into Wednesday, and is a night
              make_shift("thu", "2026-02-05 08:00")]
    res = solve_roster(build(agents, shifts), decompose="none")
    assert _shifts_of(res, "A") == ["thu"]


def test_no_break_for_more_than_five_hours(build):
    s = make_shift("long", "2026-02-02 08:00", hours=8, breaks=False)
    assert longest_work_without_break_hours(s["start"], s["end"], parse_breaks(s["breaks"], TZ)) == 8
    res = solve_roster(build([make_agent("A")], [s]), decompose="none")
    assert res.assignments.empty
    assert any(v.rule == "max_work_without_break" for v in res.explanations)


@pytest.mark.parametrize("wanted_by", ["A", "B"])
def test_preferences_respected_when_free(build, wanted_by):
    agents = [make_agent("A", contract=8), make_agent("B", contract=8)]
    prefs = pd.DataFrame([{"agent_id": wanted_by, "kind": "wanted", "day": "Mon", "template": "day", "weight": 1.0}])
    res = solve_roster(build(agents, [make_shift("mon", "2026-02-02 08:00")], preferences=prefs), decompose="none")
    assert _shifts_of(res, wanted_by) == ["mon"]
    why = res.penalties[res.penalties["agent_id"] == wanted_by]
    assert (why["shift_id"] == "mon").any() and (why["value"] < 0).all()


def test_unwanted_day_avoided_when_someone_else_can(build):
    agents = [make_agent("A", contract=8), make_agent("B", contract=8)]
    prefs = pd.DataFrame([{"agent_id": "A", "kind": "unwanted", "day": "2026-02-02", "template": "", "weight": 2.0}])
    res = solve_roster(build(agents, [make_shift("mon", "2026-02-02 08:00")], preferences=prefs), decompose="none")
    assert _shifts_of(res, "B") == ["mon"]


def test_fairness_spread_of_nights_is_reported_and_even(build):
    # C may not work nights: counted in the per-agent frame, left out of the nights spread
    agents = [make_agent("A", contract=16), make_agent("B", contract=16), make_agent("C", contract=16, nights=False)]
    shifts = [make_shift(f"n{k}", f"2026-02-0{2 + k} 22:00", template="night") for k in range(4)]
    res = solve_roster(build(agents, shifts, max_consecutive_days=None), decompose="none")
    per = res.fairness.set_index("agent_id")
    assert per.loc["A", "nights"] + per.loc["B", "nights"] == 4 and per.loc["C", "nights"] == 0
    spread = res.spread.set_index("category")
    assert spread.at["nights", "spread"] == 0
    assert set(spread.index) == {"nights", "weekends", "holidays", "paid_hours"}


def test_decomposition_says_so(build):
    shifts = _daily_shifts(14)
    res = solve_roster(build([make_agent("A"), make_agent("B")], shifts), decompose="auto", max_variables=10)
    assert res.decomposed
    assert res.decomposition.startswith("week") and "auto" in res.decomposition
    mono = solve_roster(build([make_agent("A"), make_agent("B")], shifts), decompose="none")
    assert not mono.decomposed and mono.decomposition.startswith("none")
    assert res.violations == [] and mono.violations == []


def test_slot_nobody_qualified_can_take_is_explained(build):
    res = solve_roster(build([make_agent("A", "sv_reports")], [make_shift("en", "2026-02-02 08:00", group="bilingual")]),
                       decompose="none")
    v = [v for v in res.explanations if v.rule == "no_qualified_agent"]
    assert v and v[0].date == dt.date(2026, 2, 2)


def test_agent_who_cannot_reach_min_hours_is_explained_before_solving(build):
    un = unavailability([("A", "2026-02-02 00:00", "2026-02-07 00:00", "part_time")])  # a fixed pattern, not leave
    problem = build([make_agent("A", contract=40, min_h=32)], _daily_shifts(7), unavail=un)
    from optimiser.roster.explain import presolve_checks
    found = presolve_checks(build_model(problem))
    assert any(v.rule == "contract_min_hours" and v.agent_id == "A" for v in found)


def test_each_constraint_family_has_named_rows(build):
    m = build_model(build([make_agent("A")], _daily_shifts(8), max_nights_per_week=1))
    names = set(m.prob.constraints)
    for prefix in ("cover_", "rest36_", "maxh_", "consec_", "avgh_"):
        assert any(n.startswith(prefix) for n in names), prefix
    m2 = build_model(build([make_agent("A")], [make_shift("a", "2026-02-02 14:00"),
                                                 make_shift("b", "2026-02-03 06:00")]))
    assert any(n.startswith("rest11_") for n in m2.prob.constraints)


def test_status_is_honest(build):
    res = solve_roster(build([make_agent("A")], _daily_shifts(2)), decompose="none")
    assert res.status == "Optimal" and res.solver == "highs" and not res.hit_time_limit


def test_contract_targets_lose_a_fifth_per_weekday_of_leave_of_at_least_four_hours(build):
    from optimiser.roster.model import contract_targets, prepare_model

    un = unavailability([
        ("A", "2026-02-02 08:00", "2026-02-02 13:00", "leave"),      # Mon, 5 h: counts
        ("A", "2026-02-03 08:00", "2026-02-03 11:00", "training"),   # Tue, 3 h: too short
        ("A", "2026-02-04 00:00", "2026-02-05 00:00", "part_time"),  # Wed: a pattern, not leave
        ("A", "2026-02-05 20:00", "2026-02-06 04:00", "training"),   # Thu 20-24 and Fri 00-04: 4 h on each
        ("A", "2026-02-07 00:00", "2026-02-08 00:00", "leave"),      # Sat: not a weekday
        ("B", "2026-02-02 00:00", "2026-02-03 00:00", "leave"),
    ])
    problem = build([make_agent("A", contract=40, min_h=32), make_agent("B", contract=40, min_h=32),
                     make_agent("C", contract=40, min_h=32)], _daily_shifts(7), unavail=un)
    tg = contract_targets(prepare_model(problem))
    # Mon, Thu and Fri lost for A: 3 x 40/5 = 24 h off both the period's and the week's target
    assert tg["A"]["target"] == pytest.approx(16.0) and tg["A"]["weeks"] == {"2026-W06": pytest.approx(8.0)}
    assert tg["B"]["target"] == pytest.approx(32.0) and tg["B"]["weeks"] == {"2026-W06": pytest.approx(24.0)}
    assert tg["C"]["target"] == pytest.approx(40.0) and tg["C"]["weeks"] == {"2026-W06": pytest.approx(32.0)}
