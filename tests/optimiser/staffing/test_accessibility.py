"""Tests of optimiser.staffing.accessibility: manager curves and their aggregation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimiser.staffing.accessibility import agents_curve, describe, period_performance, select_period, targets_curve
from optimiser.queueing.erlang import queue_metrics
from wfm.ground.errors import WfmInputError

TZ = "Europe/Stockholm"


def _week():
    idx = pd.date_range(pd.Timestamp("2025-03-03", tz=TZ), periods=7 * 96, freq="15min")
    h = idx.hour.to_numpy() + idx.minute.to_numpy() / 60
    calls = np.round(30 * np.exp(-((h - 11) / 3) ** 2) + 2)
    return pd.DataFrame({"interval_start": idx, "queue": "reports", "calls_offered": calls,
                         "aht_seconds": 300.0})


def test_period_performance_is_call_weighted():
    # two intervals: 100 and 50 calls per 30 min, 14 agents in both
    perf = period_performance(np.array([100.0, 50.0]), 30, 180, 14, 20)
    m = queue_metrics(np.array([100.0, 50.0]), 30, 180, 14, 20)
    assert m["service_level"].iloc[0] == pytest.approx(0.888, abs=5e-4)  # worked example
    expected = (100 * m["service_level"].iloc[0] + 50 * m["service_level"].iloc[1]) / 150
    assert perf["service_level"] == pytest.approx(expected)
    asa = (100 * m["asa_seconds"].iloc[0] + 50 * m["asa_seconds"].iloc[1]) / 150
    assert perf["asa_seconds"] == pytest.approx(asa)
    # occupancy = work / agent time = (10 + 5) Erlangs x 30 min / (2 x 14 x 30 min)
    assert perf["occupancy"] == pytest.approx(15 / 28)
    assert perf["agent_hours"] == pytest.approx(14.0)


def test_agents_curve_monotone_and_sentence():
    fc = _week()
    curve = agents_curve(fc, "reports", "2025-03-03", "2025-03-04", range(5, 16), 180,
                         patience_seconds=120)
    assert curve["service_level"].is_monotonic_increasing
    assert curve["abandon_rate"].is_monotonic_decreasing
    assert curve["calls_offered"].iloc[0] == fc["calls_offered"].iloc[:96].sum()
    text = describe(curve.iloc[-1], 180, "Monday 3 March")
    assert text.startswith("With 15 agents on the phone in every interval of Monday 3 March, ")
    assert "answered within 3 minutes" in text


def test_targets_curve_costs_rise_with_target():
    fc = _week()
    tc = targets_curve(fc, "reports", "2025-03-03", "2025-03-10", [0.6, 0.7, 0.8, 0.9], 180,
                       shrinkage=0.3)
    assert tc["agent_hours_on_phone"].is_monotonic_increasing
    assert (tc["service_level"] >= tc["target_service_level"] - 1e-12).all()
    assert (tc["agent_hours_scheduled"] >= tc["agent_hours_on_phone"] / 0.7 - 1e-9).all()


def test_select_period_errors_and_dst():
    fc = _week()
    assert len(select_period(fc, "reports", "2025-03-04", "2025-03-05")) == 96
    with pytest.raises(WfmInputError, match="queue 'tips' is not in the forecast"):
        select_period(fc, "tips", "2025-03-04", "2025-03-05")
    with pytest.raises(WfmInputError, match="end must be after start"):
        select_period(fc, "reports", "2025-03-05", "2025-03-04")
    with pytest.raises(WfmInputError, match="must be tz-aware"):
        select_period(fc, "reports", pd.Timestamp("2025-03-04 08:00"), "2025-03-05")
    dst = pd.DataFrame({"interval_start": pd.date_range(pd.Timestamp("2025-03-30", tz=TZ),
                                                        periods=92, freq="15min"),
                        "queue": "reports", "calls_offered": 5.0, "aht_seconds": 200.0})
    assert len(select_period(dst, "reports", "2025-03-30", "2025-03-31")) == 92
