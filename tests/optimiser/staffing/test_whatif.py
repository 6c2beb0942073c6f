"""Tests of optimiser.staffing.whatif: AHT change, e-service shift, pooling (hand-checkable)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from optimiser.staffing.requirement import AccessibilityTargets, staffing_table
from optimiser.staffing.whatif import aht_change, eservice_shift, pooling
from wfm.ground.errors import WfmInputError

TZ = "Europe/Stockholm"


def textbook_erlang_c_sl(calls, minutes, aht, n, t):
    """Independent Erlang C service level: B by recursion, C = nB / (n - a(1 - B)) (Koole ch. 4)."""
    a = calls * aht / (60 * minutes)
    if n <= a:
        return 0.0
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    c = n * b / (n - a * (1 - b))
    return 1 - c * math.exp(-(n - a) * t / aht)


def textbook_requirement(calls, minutes, aht, t, target):
    n = 1
    while textbook_erlang_c_sl(calls, minutes, aht, n, t) < target:
        n += 1
    return n


def _frame(rows):
    """rows: list of (queue, calls, aht) for two 30-minute intervals each."""
    idx = pd.date_range("2025-01-07 09:00", periods=2, freq="30min", tz=TZ)
    out = [pd.DataFrame({"interval_start": idx, "queue": q, "calls_offered": float(c),
                         "aht_seconds": float(a)}) for q, c, a in rows]
    return pd.concat(out, ignore_index=True)


TARGETS = AccessibilityTargets(answer_within_seconds=20, target_service_level=0.8)


def test_pooling_two_identical_queues_hand_checked():
    fc = _frame([("north", 100, 180), ("south", 100, 180)])
    res = pooling(fc, TARGETS)
    separate = 2 * textbook_requirement(100, 30, 180, 20, 0.8)  # 2 x 14 (worked example)
    pooled = textbook_requirement(200, 30, 180, 20, 0.8)
    assert separate == 28
    assert pooled == 24  # SL(23) < 0.8 <= SL(24) for 20 Erlangs
    assert res.extra["agents_saved_peak"] == separate - pooled == 4
    assert res.summary.loc["baseline", "peak_agents_required"] == 28
    assert res.summary.loc["scenario", "peak_agents_required"] == 24
    # 2 intervals x 30 min x 4 agents saved = 4 agent-hours
    assert res.extra["agent_hours_saved"] == pytest.approx(4.0)
    assert set(res.scenario["queue"]) == {"pool"}


def test_pooling_groups_and_weighted_aht():
    fc = _frame([("reports", 100, 180), ("tips", 50, 360), ("english", 10, 300)])
    res = pooling(fc, TARGETS, {"swedish": ["reports", "tips"]})
    assert set(res.scenario["queue"]) == {"swedish", "english"}
    sw = res.scenario[res.scenario["queue"] == "swedish"].iloc[0]
    assert sw["calls_offered"] == 150
    assert sw["aht_seconds"] == pytest.approx((100 * 180 + 50 * 360) / 150)  # 240 s
    assert res.extra["agents_saved_peak"] >= 0
    with pytest.raises(WfmInputError, match="names queue 'police', which is not in the forecast"):
        pooling(fc, TARGETS, {"x": ["police"]})
    with pytest.raises(WfmInputError, match="queue 'tips' is in two pooling groups"):
        pooling(fc, TARGETS, {"a": ["tips"], "b": ["tips"]})


def test_aht_up_ten_percent():
    fc = _frame([("reports", 100, 180)])
    res = aht_change(fc, TARGETS, 10)
    assert res.scenario["aht_seconds"].iloc[0] == pytest.approx(198)
    assert res.baseline["agents_on_phone"].iloc[0] == 14
    assert res.scenario["agents_on_phone"].iloc[0] == textbook_requirement(100, 30, 198, 20, 0.8)
    assert res.summary.loc["difference", "agent_hours_on_phone"] > 0
    with pytest.raises(WfmInputError, match="aht_change_pct must be a number"):
        aht_change(fc, TARGETS, -100)


def test_eservice_shift_hand_checked():
    fc = _frame([("reports", 100, 180)])
    targets = AccessibilityTargets(answer_within_seconds=20, target_service_level=0.8, shrinkage=0.2)
    res = eservice_shift(fc, targets, share_moved=0.2, eservice_minutes_per_case=15)
    # 200 calls in total, 20 % moved = 40 cases x 15 min = 10 agent-hours of e-service work,
    # scheduled with 20 % shrinkage: 10 / 0.8 = 12.5 hours
    assert res.extra["eservice_cases"] == pytest.approx(40)
    assert res.extra["eservice_work_hours"] == pytest.approx(10)
    assert res.summary.loc["scenario", "deferred_agent_hours"] == pytest.approx(12.5)
    assert (res.scenario["calls_offered"] == 80).all()
    expected = staffing_table(fc.assign(calls_offered=80.0), targets)
    np.testing.assert_array_equal(res.scenario["agents_on_phone"], expected["agents_on_phone"])
    # the work is placed within its deadline: all 600 agent-minutes land in the two intervals
    assert (res.scenario["eservice_agents"] * 30).sum() == pytest.approx(600)
    assert (res.scenario["agents_required"] >= expected["agents_required"]).all()
    with pytest.raises(WfmInputError, match="eservice_deadline_hours must be > 0"):
        eservice_shift(fc, targets, share_moved=0.2, eservice_minutes_per_case=15,
                       eservice_deadline_hours=0)
    with pytest.raises(WfmInputError, match=r"share_moved must be a number in \[0, 1\], got 1.5"):
        eservice_shift(fc, targets, share_moved=1.5, eservice_minutes_per_case=15)
