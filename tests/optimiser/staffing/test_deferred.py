"""Tests of optimiser.staffing.deferred: call-back offers, deferred-work placement, chat."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimiser.staffing.deferred import (
    DeferredTask,
    callback_fraction,
    callback_offer,
    callback_requirement,
    chat_required_agents,
    place_deferred_work,
    water_fill,
)
from optimiser.queueing.erlang import p_wait, wait_exceeds_probability
from optimiser.staffing.requirement import REQUIREMENT_COLUMNS, AccessibilityTargets, required_agents, staffing_table
from wfm.ground.errors import WfmInputError

TZ = "Europe/Stockholm"


def test_water_fill_hand_checked():
    # levels 3, 1, 2, 5 and 2.5 to pour: the 1 rises to 2 (1.0 used), then the two
    # lowest (both 2) share 1.5 -> both reach 2.75, still below 3.
    np.testing.assert_allclose(water_fill([3, 1, 2, 5], 2.5), [0, 1.75, 0.75, 0])
    np.testing.assert_allclose(water_fill([1, 1], 0.0), [0, 0])


@settings(max_examples=60, deadline=None)
@given(levels=st.lists(st.floats(0, 100), min_size=1, max_size=12), amount=st.floats(0, 500))
def test_water_fill_invariants(levels, amount):
    add = water_fill(levels, amount)
    assert (add >= 0).all()
    assert add.sum() == pytest.approx(amount, abs=1e-9 * max(1, amount))
    new = np.asarray(levels) + add
    filled = add > 1e-12
    if filled.any():
        # everything filled ends at one level, and nothing unfilled is below it
        top = new[filled].max()
        assert np.allclose(new[filled], top)
        assert (new[~filled] >= top - 1e-9).all()


def test_place_deferred_work_hand_checked():
    idx = pd.date_range("2025-01-06 08:00", periods=3, freq="15min", tz=TZ)
    base = pd.Series([2.0, 0.0, 1.0], index=idx)
    # 30 agent-minutes = 2 agent-intervals, allowed in 08:15-08:45 only: levels 0 and 1
    # -> common level (2 + 0 + 1) / 2 = 1.5 -> 1.5 and 0.5 agents added
    task = DeferredTask("e-service reports", 30.0, idx[1], idx[2] + pd.Timedelta(minutes=15))
    per, placed = place_deferred_work(base, [task], 15)
    np.testing.assert_allclose(per["deferred_agents"], [0, 1.5, 0.5])
    np.testing.assert_allclose(per["total_agents"], [2, 1.5, 1.5])
    assert placed["work_minutes"].sum() == pytest.approx(30)


def test_place_deferred_work_most_constrained_first():
    # two 150-minute tasks (10 agent-intervals each); A may use 09:00 or 09:15, B only 09:15.
    # Placing B first lets A fill 09:00: levels 10 and 10 (a deadline-order greedy gives 5 / 15).
    idx = pd.date_range("2025-01-06 09:00", periods=2, freq="15min", tz=TZ)
    end = idx[1] + pd.Timedelta(minutes=15)
    tasks = [DeferredTask("A", 150.0, idx[0], end), DeferredTask("B", 150.0, idx[1], end)]
    per, placed = place_deferred_work(pd.Series([0.0, 0.0], index=idx), tasks, 15)
    np.testing.assert_allclose(per["total_agents"], [10, 10])
    assert placed.groupby("task")["work_minutes"].sum().to_dict() == pytest.approx({"A": 150, "B": 150})


def test_deferred_task_validation():
    t0 = pd.Timestamp("2025-01-06 08:00", tz=TZ)
    with pytest.raises(WfmInputError, match="work_minutes of task 'x' must be >= 0.*got -5"):
        DeferredTask("x", -5, t0, t0 + pd.Timedelta(hours=1))
    with pytest.raises(WfmInputError, match="earliest of task 'x' must be tz-aware"):
        DeferredTask("x", 5, pd.Timestamp("2025-01-06 08:00"), t0)
    with pytest.raises(WfmInputError, match="latest must be after earliest"):
        DeferredTask("x", 5, t0, t0)
    base = pd.Series([1.0], index=pd.DatetimeIndex([t0]))
    with pytest.raises(WfmInputError, match="no whole interval"):
        place_deferred_work(base, [DeferredTask("x", 5, t0, t0 + pd.Timedelta(minutes=5))], 15)


def test_callback_fraction_is_the_fixed_point():
    kw = dict(callback_threshold_seconds=60.0, callback_acceptance=0.6)
    for patience in (None, 200.0):
        calls = np.array([100.0, 130.0, 200.0])  # 200 calls: overloaded for 14 agents
        f = callback_fraction(calls, 30, 180, 14, patience_seconds=patience, **kw)
        tail = wait_exceeds_probability(calls * (1 - f), 30, 180, 14, 60.0, patience)
        np.testing.assert_allclose(f, 0.6 * tail, atol=1e-9)
        assert (np.diff(f) > 0).all()  # more calls, more call-backs
    # hand-checkable limits: nobody accepts, or no wait ever exceeds the threshold
    assert callback_fraction(100, 30, 180, 14, callback_threshold_seconds=0,
                             callback_acceptance=0.0)[0] == 0
    assert callback_fraction(100, 30, 180, 14, callback_threshold_seconds=1e7,
                             callback_acceptance=1.0)[0] < 1e-9
    # threshold 0, everyone accepts, Erlang C: f = P(wait | load 10 (1 - f));
    # overloaded 20 Erlangs on 14 agents: f must bring the load below 14 -> f > 0.3
    f = callback_fraction(200, 30, 180, 14, callback_threshold_seconds=0, callback_acceptance=1.0)[0]
    assert f > 0.3
    assert f == pytest.approx(p_wait(200 * (1 - f), 30, 180, 14), abs=1e-9)


def test_callback_offer_improves_inbound_queue():
    out = callback_offer([100.0, 125.0], 30, 180, 14, answer_within_seconds=20,
                         callback_threshold_seconds=30, callback_acceptance=0.5)
    assert (out["service_level_with"] > out["service_level_without"]).all()
    assert (out["asa_seconds_with"] < out["asa_seconds_without"]).all()
    np.testing.assert_allclose(out["inbound_calls"] + out["callbacks_accepted"], out["calls_offered"])


def _day(calls_by_hour: dict[int, float], aht=300.0, day="2025-01-07"):
    idx = pd.date_range(pd.Timestamp(day, tz=TZ), periods=96, freq="15min")
    calls = np.array([calls_by_hour.get(t.hour, 0.0) for t in idx])
    return pd.DataFrame({"interval_start": idx, "queue": "reports", "calls_offered": calls,
                         "aht_seconds": aht})


def test_callback_requirement_moves_work_off_peak_and_conserves_it():
    fc = _day({8: 20, 9: 60, 10: 60, 11: 30, 12: 10, 13: 10})
    targets = AccessibilityTargets(answer_within_seconds=180, target_service_level=0.8, shrinkage=0.2)
    out = callback_requirement(fc, targets, callback_threshold_seconds=60, callback_acceptance=0.5,
                               callback_window_minutes=120)
    assert tuple(out.columns[: len(REQUIREMENT_COLUMNS)]) == REQUIREMENT_COLUMNS
    s = out.attrs["summary"]
    assert s["peak_agents_required_with_offer"] < s["peak_agents_required_without_offer"]
    assert s["callback_work_minutes"] == pytest.approx(out["callback_agents"].sum() * 15)
    assert s["work_minutes_moved_to_other_intervals"] > 0
    busy = out["inbound_calls"] > 0
    assert (out.loc[busy, "service_level"] >= 0.8).all()
    # work created at 10:45 can only land in 10:45..12:45 (window 120 min)
    assert (out["agents_on_phone"] <= out["agents_on_phone_without_offer"]).all()
    first = out.index[out["callback_work_minutes"] > 0][0]
    assert (out.loc[: first - 1, "callback_agents"] == 0).all()
    # no offer: identical to the plain staffing table
    none = callback_requirement(fc, targets, callback_threshold_seconds=60, callback_acceptance=0.0)
    plain = staffing_table(fc, targets)
    np.testing.assert_array_equal(none["agents_required"], plain["agents_required"])
    np.testing.assert_allclose(none["agents_required_fractional"], plain["agents_required_fractional"])
    frac, n = out["agents_required_fractional"] * 0.8 - out["callback_agents"], out["agents_on_phone"]
    assert ((frac <= n + 1e-9) & (frac >= np.maximum(n - 1, 0) - 1e-9)).all()
    assert none["callbacks_accepted"].sum() == 0


def test_callback_same_day_window_stays_in_day():
    fc = pd.concat([_day({22: 40, 23: 40}), _day({}, day="2025-01-08")], ignore_index=True)
    out = callback_requirement(fc, AccessibilityTargets(180, 0.8), callback_threshold_seconds=30,
                               callback_acceptance=0.8, callback_window_minutes=None)
    next_day = out["interval_start"] >= pd.Timestamp("2025-01-08", tz=TZ)
    assert out["callback_work_minutes"].sum() > 0
    assert out.loc[next_day, "callback_agents"].sum() == 0


def test_callback_bad_inputs():
    fc = _day({9: 10})
    with pytest.raises(WfmInputError, match="callback_acceptance must be in \\[0, 1\\], got 1.5"):
        callback_requirement(fc, AccessibilityTargets(180, 0.8), callback_threshold_seconds=60,
                             callback_acceptance=1.5)
    with pytest.raises(WfmInputError, match="callback_window_minutes must be > 0"):
        callback_requirement(fc, AccessibilityTargets(180, 0.8), callback_threshold_seconds=60,
                             callback_acceptance=0.5, callback_window_minutes=0)


def test_chat_concurrency_hand_checked():
    # 60 chats / 30 min lasting 600 s each (with multitasking) -> 20 Erlangs of slots;
    # agents hold 3 chats: agents = ceil(slots / 3)
    out = chat_required_agents(60, 30, 600, 3, answer_within_seconds=60,
                               target_service_level=0.8).iloc[0]
    slots = required_agents(60, 30, 600, answer_within_seconds=60,
                            target_service_level=0.8).iloc[0]["agents_on_phone"]
    assert out["chat_slots"] == slots
    assert out["chat_agents"] == -(-slots // 3)
    assert out["load_erlangs"] == pytest.approx(20.0)
    with pytest.raises(WfmInputError, match="concurrency must be a whole number >= 1, got 0"):
        chat_required_agents(60, 30, 600, 0, max_occupancy=0.9)
