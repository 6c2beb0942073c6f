"""Tests of optimiser.staffing.requirement: inverse staffing, curves and the requirement table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from optimiser.queueing.erlang import queue_metrics
from optimiser.staffing.requirement import (
    REQUIREMENT_COLUMNS,
    AccessibilityTargets,
    required_agents,
    service_level_curve,
    staffing_table,
)
from wfm.ground.errors import WfmInputError

FAST = settings(max_examples=50, deadline=None)


def test_worked_example_requirement():
    # callcentrehelper.com, "Erlang C Formula - Made Simple With an Easy Worked
    # Example" (100 calls / 30 min, AHT 180 s, target 80 % within 20 s): 13 agents
    # give 79.6 %, so 14 agents are needed, giving 88.8 %.
    req = required_agents(100, 30, 180, answer_within_seconds=20, target_service_level=0.8).iloc[0]
    assert req["agents_on_phone"] == 14
    assert req["service_level"] == pytest.approx(0.888, abs=5e-4)
    assert req["asa_seconds"] == pytest.approx(7.8, abs=0.05)
    assert queue_metrics(100, 30, 180, 13, 20)["service_level"].iloc[0] == pytest.approx(0.796, abs=5e-4)
    # a 79 % target is met by 13 agents
    assert required_agents(100, 30, 180, answer_within_seconds=20,
                           target_service_level=0.79).iloc[0]["agents_on_phone"] == 13


targets_strategy = st.fixed_dictionaries(
    {},
    optional={
        "sl": st.tuples(st.floats(0, 600), st.floats(0.05, 0.99)),
        "max_asa_seconds": st.floats(1, 600),
        "max_abandon_rate": st.floats(0.005, 0.5),
        "max_occupancy": st.floats(0.5, 1.0),
    },
)


@FAST
@given(calls=st.lists(st.floats(0, 1500), min_size=1, max_size=5), aht=st.floats(30, 900),
       patience=st.one_of(st.none(), st.floats(20, 1800)), t=targets_strategy)
def test_requirement_meets_targets_and_one_fewer_does_not(calls, aht, patience, t):
    assume(t)
    if patience is None:
        t.pop("max_abandon_rate", None)
        assume(t)
    kw = {k: v for k, v in t.items() if k != "sl"}
    T = 0.0
    if "sl" in t:
        T, tsl = t["sl"]
        kw.update(answer_within_seconds=T, target_service_level=tsl)
    req = required_agents(np.array(calls), 15, aht, patience_seconds=patience, **kw)
    n = req["agents_on_phone"].to_numpy()

    def meets(agents):
        m = queue_metrics(np.array(calls), 15, aht, agents, T, patience)
        ok = np.ones(len(calls), bool)
        if patience is None:  # Erlang C also needs a stable queue: agents > load
            load = m["load_erlangs"].to_numpy()
            ok &= (m["agents"].to_numpy() > load) | (load <= 1e-250)  # tiny loads count as none
        if "sl" in t:
            ok &= m["service_level"].to_numpy() >= t["sl"][1] - 1e-12
        if "max_asa_seconds" in kw:
            ok &= m["asa_seconds"].to_numpy() <= kw["max_asa_seconds"]
        if "max_abandon_rate" in kw:
            ok &= m["abandon_rate"].to_numpy() <= kw["max_abandon_rate"] + 1e-15
        if "max_occupancy" in kw:
            ok &= m["occupancy"].to_numpy() <= kw["max_occupancy"] + 1e-15
        return ok

    assert meets(n).all()
    fewer = n - 1
    has_fewer = fewer >= 0
    assert not meets(np.maximum(fewer, 0))[has_fewer].any()
    assert (n[np.array(calls) == 0] == 0).all()
    frac = req["agents_required_fractional"].to_numpy()
    assert np.all(frac <= n + 1e-9) and np.all(frac >= np.maximum(n - 1, 0) - 1e-9)


@settings(max_examples=15, deadline=None)
@given(calls=st.lists(st.floats(0, 800), min_size=2, max_size=4), aht=st.floats(60, 600))
def test_vectorised_requirement_equals_scalar_loop(calls, aht):
    kw = dict(answer_within_seconds=60, target_service_level=0.8, patience_seconds=180,
              max_abandon_rate=0.05)
    vec = required_agents(np.array(calls), 15, aht, **kw)
    for i, c in enumerate(calls):
        one = required_agents(c, 15, aht, **kw).iloc[0]
        assert vec["agents_on_phone"].iloc[i] == one["agents_on_phone"]


def test_shrinkage_scalar_and_series_and_float_rounding():
    idx = pd.date_range("2025-01-06 08:00", periods=3, freq="15min", tz="Europe/Stockholm")
    calls = pd.Series([100.0, 100.0, 100.0], index=idx)
    shr = pd.Series([0.0, 0.1, 0.5], index=idx)
    req = required_agents(calls, 15, 180, answer_within_seconds=20, target_service_level=0.8,
                          shrinkage=shr)
    assert req.index.equals(idx)
    n = req["agents_on_phone"].to_numpy()
    # ceil(n / (1 - s)); 18 / 0.9 is 20.000000000000004 in floating point -> still 20
    assert list(req["agents_required"]) == [n[0], math.ceil(round(n[1] / 0.9, 9)), n[2] * 2]
    r = required_agents(90, 30, 180, max_occupancy=0.5, shrinkage=0.1).iloc[0]
    assert r["agents_on_phone"] == 18 and r["agents_required"] == 20


def test_fractional_requirement_interpolates_binding_target():
    req = required_agents(100, 30, 180, answer_within_seconds=20, target_service_level=0.8).iloc[0]
    sl13 = queue_metrics(100, 30, 180, 13, 20)["service_level"].iloc[0]
    sl14 = req["service_level"]
    expected = 13 + (0.8 - sl13) / (sl14 - sl13)
    assert req["agents_required_fractional"] == pytest.approx(expected)
    # Erlang C: never below the load (10 Erlangs)
    low = required_agents(100, 30, 180, max_occupancy=1.0).iloc[0]
    assert low["agents_on_phone"] == 11 and low["agents_required_fractional"] >= 10


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        (dict(calls_offered=-1), r"calls_offered must be >= 0.*got -1"),
        (dict(aht_seconds=0), r"aht_seconds must be > 0.*got 0"),
        (dict(target_service_level=1.2), r"target_service_level must be in \(0, 1\).*got 1.2"),
        (dict(patience_seconds=0), r"patience_seconds must be > 0.*got 0"),
        (dict(shrinkage=1.0), r"shrinkage must be in \[0, 1\).*got 1"),
        (dict(max_abandon_rate=0.05), r"max_abandon_rate needs patience_seconds"),
        (dict(target_service_level=None), r"give at least one target"),
    ],
)
def test_bad_inputs(kwargs, pattern):
    base = dict(calls_offered=100, interval_minutes=30, aht_seconds=180,
                answer_within_seconds=20, target_service_level=0.8)
    base.update(kwargs)
    calls = base.pop("calls_offered")
    im = base.pop("interval_minutes")
    aht = base.pop("aht_seconds")
    with pytest.raises(WfmInputError, match=pattern):
        required_agents(calls, im, aht, **base)


@FAST
@given(bad=st.one_of(st.floats(1.0000001, 1e6), st.floats(-1e6, 0.0)))
def test_any_target_outside_unit_interval_is_refused(bad):
    with pytest.raises(WfmInputError, match="target_service_level"):
        AccessibilityTargets(answer_within_seconds=20, target_service_level=bad)


def test_service_level_curve():
    calls = pd.Series([100.0, 50.0], index=["09:00", "09:15"])
    curve = service_level_curve(calls, 30, 180, range(0, 20), 20)
    assert len(curve) == 40 and set(curve["interval"]) == {"09:00", "09:15"}
    for _, g in curve.groupby("interval"):
        assert g["service_level"].is_monotonic_increasing
    row = curve[(curve["interval"] == "09:00") & (curve["agents"] == 14)].iloc[0]
    assert row["service_level"] == pytest.approx(0.888, abs=5e-4)


def _forecast(day="2025-03-30", queues=("reports", "tips")):
    # 2025-03-30 is the Swedish spring-forward day: 92 quarter-hours
    start = pd.Timestamp(day, tz="Europe/Stockholm")
    idx = pd.date_range(start, start + pd.Timedelta(days=1), freq="15min", inclusive="left")
    idx = idx[idx < (pd.Timestamp(day) + pd.Timedelta(days=1)).tz_localize("Europe/Stockholm")]
    frames = []
    for k, q in enumerate(queues):
        h = idx.hour.to_numpy() + idx.minute.to_numpy() / 60
        calls = np.round(40 * np.exp(-((h - 11) / 3) ** 2) * (k + 1))
        frames.append(pd.DataFrame({"interval_start": idx, "queue": q, "calls_offered": calls,
                                    "aht_seconds": 240.0 + 30 * k}))
    return pd.concat(frames, ignore_index=True)


def test_staffing_table_columns_dst_and_zero_call_rows():
    fc = _forecast()
    assert (fc["queue"] == "reports").sum() == 92
    fc.loc[0, "aht_seconds"] = np.nan  # zero calls at midnight: AHT may be missing
    assert fc.loc[0, "calls_offered"] == 0
    t = staffing_table(fc, AccessibilityTargets(180, 0.8, patience_seconds=120,
                                                max_abandon_rate=0.05, shrinkage=0.35))
    assert tuple(t.columns) == REQUIREMENT_COLUMNS
    assert len(t) == len(fc) and t.attrs["interval_minutes"] == 15
    assert str(t["interval_start"].dt.tz) == "Europe/Stockholm"
    assert np.isnan(t.loc[0, "aht_seconds"]) and t.loc[0, "agents_required"] == 0
    busy = t["calls_offered"] > 0
    assert (t.loc[busy, "service_level"] >= 0.8).all()
    assert (t.loc[busy, "abandon_rate"] <= 0.05).all()
    assert (t["agents_required"] >= t["agents_on_phone"]).all()
    assert (t["target_service_level"] == 0.8).all() and (t["patience_seconds"] == 120).all()
    # working columns agree with the queue formulas
    m = queue_metrics(t.loc[busy, "calls_offered"], 15, t.loc[busy, "aht_seconds"],
                      t.loc[busy, "agents_on_phone"], 180, 120)
    np.testing.assert_allclose(m["service_level"], t.loc[busy, "service_level"])


def test_staffing_table_bad_rows_named():
    fc = _forecast(queues=("reports",))
    fc.loc[40, "aht_seconds"] = -5
    with pytest.raises(WfmInputError, match=r"aht_seconds must be > 0, got -5.0 \(row 41 of fc.csv\)"):
        staffing_table(fc, AccessibilityTargets(180, 0.8), source="fc.csv")
    fc = _forecast(queues=("reports",))
    fc["interval_start"] = fc["interval_start"].dt.tz_localize(None)
    with pytest.raises(WfmInputError, match="tz-aware"):
        staffing_table(fc, AccessibilityTargets(180, 0.8))


def test_erlang_c_fast_path_equals_general_bisection():
    # the Erlang C recursion walk and the general bracket-and-bisect search agree,
    # from tiny loads up to 4,000 Erlangs
    from optimiser.staffing.requirement import _bisect_search

    load = np.array([0.0, 0.01, 0.7, 3.2, 10.0, 57.5, 230.0, 999.9, 2500.0, 4000.0])
    aht = np.full(load.size, 300.0)
    calls = load * 900 / 300
    for kw in (dict(answer_within_seconds=180, target_service_level=0.8),
               dict(answer_within_seconds=20, target_service_level=0.95, max_asa_seconds=5),
               dict(max_occupancy=0.9)):
        fast = required_agents(calls, 15, aht, **kw)
        n, at, _ = _bisect_search(calls, np.full(load.size, 15.0), aht, load,
                                  np.full(load.size, float(kw.get("answer_within_seconds", 0))),
                                  np.full(load.size, np.inf), np.ones(load.size, bool), AccessibilityTargets(**kw))
        np.testing.assert_array_equal(fast["agents_on_phone"].to_numpy(), n)
        np.testing.assert_allclose(fast["service_level"], at["service_level"], rtol=1e-9)
        assert (fast["agents_on_phone"].to_numpy()[1:] > load[1:]).all()


@settings(max_examples=40, deadline=None)
@given(calls=st.floats(-1e6, -1e-9), patience=st.floats(-1e6, 0.0), shrink=st.floats(1.0, 1e3))
def test_bad_inputs_property(calls, patience, shrink):
    with pytest.raises(WfmInputError, match=r"calls_offered must be >= 0 and finite, got -"):
        required_agents([1.0, calls], 15, 180, max_occupancy=0.9)
    with pytest.raises(WfmInputError, match=r"patience_seconds must be > 0"):
        required_agents(10, 15, 180, max_occupancy=0.9, patience_seconds=patience)
    with pytest.raises(WfmInputError, match=r"shrinkage must be in \[0, 1\)"):
        required_agents(10, 15, 180, max_occupancy=0.9, shrinkage=shrink)
