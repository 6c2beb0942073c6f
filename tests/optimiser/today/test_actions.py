"""Actions ranked by effect: predicted gains are what accepting them does; overtime keeps the rules."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from wfm.ground.frames import Break, format_breaks
from wfm.io.rules import load_ruleset
from optimiser.staffing.requirement import AccessibilityTargets
from optimiser.today.actions import CallbackSettings, apply_action, recommend_actions
from optimiser.today.projection import agents_on_phone_today
from optimiser.today.steer import steer_day
from wfm.ground.errors import WfmInputError

from tests.optimiser.today.builders import DAY, TZ, actuals_from, day_forecast

TARGETS = AccessibilityTargets(answer_within_seconds=180, target_service_level=0.8, patience_seconds=900)
RULES = load_ruleset("sweden")


def _roster(n=16, day=DAY, early=7, late=13, extra=()):
    rows = []
    for i in range(n):
        s = pd.Timestamp(day, tz=TZ) + pd.Timedelta(hours=early if i % 2 == 0 else late)
        rows.append({"agent_id": f"A{i:02d}", "name": f"Agent {i}", "site": "X", "skill_group": "sv_all",
                     "shift_id": f"S{i}", "start": s, "end": s + pd.Timedelta(hours=8), "paid_minutes": 450,
                     "breaks": format_breaks([Break(s + pd.Timedelta(hours=4), 30, False)])})
    return pd.DataFrame(rows + list(extra))


def _agents(ids, max_hours=48.0):
    n = len(ids)
    return pd.DataFrame({"agent_id": list(ids), "name": list(ids), "skills": [("reports", "tips", "switchboard")] * n,
                         "languages": [("sv",)] * n, "nights_allowed": True, "fixed_days_off": [()] * n,
                         "max_hours_per_week": max_hours, "contract_hours_per_week": 40.0,
                         "min_hours_per_week": 0.0})


def _state(factor=1.3, n=16, scale=30, now="11:00", roster=None):
    fc = day_forecast(scale=scale)
    now = pd.Timestamp(f"{DAY} {now}", tz=TZ)
    return steer_day(fc, actuals_from(fc, now, factor=factor), _roster(n) if roster is None else roster, now, TARGETS)


def test_accepting_an_action_changes_the_projection_by_the_predicted_amount():
    state = _state(factor=1.1, n=14, scale=20)
    actions = recommend_actions(state, agents=_agents(state.shifts["agent_id"]), ruleset=RULES)
    assert {a.kind for a in actions} >= {"callbacks", "overtime", "move_break"}
    base = state.projection.day["service_level"]
    for action in actions:
        after = apply_action(state, action).projection.day["service_level"]
        assert after - base == pytest.approx(action.gain, abs=1e-9), action.description
        if action.shifts is not None:  # the agents recounted from the changed roster are the action's
            recount = agents_on_phone_today(action.shifts, state.agents_on_phone.index, 30,
                                            absences=state.absences, shrinkage=state.targets.shrinkage)
            pd.testing.assert_series_equal(recount, action.agents_on_phone, check_names=False)
    # chained: a second action is evaluated from the day after the first
    first = max(actions, key=lambda a: a.gain)
    state2 = apply_action(state, first)
    for action in recommend_actions(state2, agents=_agents(state2.shifts["agent_id"]), ruleset=RULES)[:3]:
        after = apply_action(state2, action).projection.day["service_level"]
        assert after - state2.projection.day["service_level"] == pytest.approx(action.gain, abs=1e-9)


def test_actions_are_ranked_by_gain_and_overtime_helps_an_understaffed_day():
    state = _state(factor=1.1, n=14, scale=20)
    actions = recommend_actions(state, agents=_agents(state.shifts["agent_id"]), ruleset=RULES)
    gains = [a.gain for a in actions if a.kind != "time_off"]
    assert gains == sorted(gains, reverse=True)
    overtime = [a for a in actions if a.kind == "overtime"]
    assert overtime and all(a.gain > 0 for a in overtime)


def test_callbacks_help_when_a_peak_is_followed_by_quiet_hours():
    # a busy morning, a quiet evening: offering call-backs takes waiting callers out of the
    # peak and calls them back when agents are idle
    state = _state(factor=1.4, n=20, scale=25, now="09:00")
    action = next(a for a in recommend_actions(state, callbacks=CallbackSettings(callback_threshold_seconds=120,
                                                                                  callback_window_minutes=600))
                  if a.kind == "callbacks")
    assert action.callbacks_accepted > 0 and action.gain > 0.05  # measured +0.114 (0.574 -> 0.688)
    after = apply_action(state, action)
    assert after.projection.day["callbacks_accepted"] == pytest.approx(action.callbacks_accepted)
    assert after.projection.day["service_level"] - state.projection.day["service_level"] == pytest.approx(action.gain)


def test_without_agent_data_only_callbacks_are_offered():
    state = _state(factor=1.3)
    assert {a.kind for a in recommend_actions(state)} <= {"callbacks"}
    with pytest.raises(WfmInputError, match="callback_acceptance must be in"):
        CallbackSettings(callback_acceptance=1.5)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(next_start=st.integers(18, 40), max_hours=st.sampled_from([40.0, 44.0, 48.0]),
       week_shifts=st.integers(0, 4))
def test_an_overtime_offer_never_breaks_a_working_time_rule(next_start, max_hours, week_shifts):
    # agent A00 works 07-15 today; tomorrow it starts at 07:00 + next_start - 24 h (the daily
    # rest may or may not allow an extra hour); it also worked `week_shifts` 9-hour days earlier
    # this week (the weekly maximum may or may not allow one)
    day = pd.Timestamp(DAY, tz=TZ)
    extra = []
    for k in range(week_shifts):
        s = day - pd.Timedelta(days=k + 1) + pd.Timedelta(hours=8)
        if s.weekday() > day.weekday():
            continue
        extra.append({"agent_id": "A00", "name": "Agent 0", "site": "X", "skill_group": "sv_all", "shift_id": f"P{k}",
                      "start": s, "end": s + pd.Timedelta(hours=9), "paid_minutes": 540,
                      "breaks": format_breaks([Break(s + pd.Timedelta(hours=4), 30, False)])})
    t = day + pd.Timedelta(hours=15) + pd.Timedelta(hours=next_start - 8)
    extra.append({"agent_id": "A00", "name": "Agent 0", "site": "X", "skill_group": "sv_all", "shift_id": "N",
                  "start": t, "end": t + pd.Timedelta(hours=8), "paid_minutes": 450,
                  "breaks": format_breaks([Break(t + pd.Timedelta(hours=4), 30, False)])})
    roster = _roster(4, extra=extra)
    state = _state(factor=1.3, n=4, scale=10, roster=roster)
    for action in recommend_actions(state, agents=_agents(sorted(set(roster["agent_id"])), max_hours), ruleset=RULES):
        if action.kind != "overtime":
            continue
        mine = action.shifts[action.shifts["agent_id"] == action.agent_id].sort_values("start")
        rests = (mine["start"].iloc[1:].to_numpy() - mine["end"].iloc[:-1].to_numpy())
        assert (rests >= np.timedelta64(11, "h")).all(), action.description  # daily rest 11 h
        weeks = mine.assign(week=mine["start"].dt.isocalendar().week).groupby("week")["paid_minutes"].sum() / 60
        assert (weeks <= max_hours + 1e-9).all(), action.description
