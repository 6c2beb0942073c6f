"""Tests of optimiser.replay: the history cut, the gap decomposition and one end-to-end replay."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from forecasting.history import read_history
from optimiser.replay import COMPONENTS, decompose, run_replay, split_history
from optimiser.scheduling.rules_file import parse_rules
from optimiser.staffing import AccessibilityTargets, required_agents
from wfm.errors import WfmInputError

TZ = "Europe/Stockholm"
TARGETS = AccessibilityTargets(answer_within_seconds=20, target_service_level=0.8, patience_seconds=120)
PROFILE = np.r_[np.full(8, 5.0), np.full(12, 60.0), np.full(4, 20.0)]  # calls per hour, one day

TINY_RULES = {
    "interval_minutes": 60, "cyclic": False,
    "skill_groups": {"a": {"queues": ["reports"]}},
    "contracts": {"ft": {"hours_per_week": 40, "min_hours_per_week": 0, "max_hours_per_week": 168,
                         "days_per_week": 7}},
    "headcount": [{"site": "x", "skill_group": "a", "contract": "ft", "agents": 100}],
    "breaks": {},
    "shift_templates": {"day": {"start_from": "00:00", "start_to": "23:00", "lengths_hours": [8]}},
    "costs": {"base_cost_per_hour": 100, "shortfall_penalty_per_agent_hour": 100000},
    "solver": {"time_limit_seconds": 20, "gap": 0.0},
}


def _plan(forecast, actual, extra_agents=0.0, days=2):
    idx = pd.date_range("2025-01-06", periods=24 * days, freq="60min", tz=TZ)
    fc = np.tile(forecast, days)
    req = required_agents(fc, 60, 180, answer_within_seconds=20, target_service_level=0.8,
                          patience_seconds=120)["agents_on_phone"].to_numpy(float)
    return pd.DataFrame({"queue": "reports", "interval_start": idx, "calls_forecast": fc,
                         "aht_forecast": 180.0, "agents_required_on_phone": req,
                         "agents_on_phone": req + extra_agents, "calls_actual": np.tile(actual, days)})


def test_components_telescope_to_the_gap():
    pi, pday = decompose(_plan(PROFILE, PROFILE * 1.1, extra_agents=1), 60, TARGETS, n_replications=2)
    for f in (pi.dropna(subset=["gap"]), pday):
        assert (f[list(COMPONENTS)].sum(axis=1) - f["gap"]).abs().max() < 1e-12


def test_perfect_forecast_leaves_only_queueing_and_rounding():
    # schedule = requirement exactly (no rounding) and actual = forecast (no forecast error)
    pi, pday = decompose(_plan(PROFILE, PROFILE), 60, TARGETS, n_replications=3, seed=4)
    assert (pday["forecast"] == 0).all()          # same calls, same seeds: identical simulation
    assert (pday["rounding"] == 0).all()
    assert (pday["gap"] == pday["queueing_model"]).all()
    # the time-varying simulation stays near stationary Erlang A on this day (3 replications)
    assert pday["queueing_model"].abs().max() < 0.06
    # extra scheduled agents show up as (positive) rounding, still no forecast error
    _, p2 = decompose(_plan(PROFILE, PROFILE, extra_agents=1), 60, TARGETS, n_replications=3, seed=4)
    assert (p2["rounding"] > 0.02).all() and (p2["forecast"] == 0).all()


def test_forecast_20_percent_low_shows_up_as_forecast_error():
    # actual = forecast / 0.8: the forecast is 20 % low
    _, good = decompose(_plan(PROFILE, PROFILE), 60, TARGETS, n_replications=3, seed=4)
    _, low = decompose(_plan(PROFILE, PROFILE / 0.8), 60, TARGETS, n_replications=3, seed=4)
    assert (low["forecast"] < -0.05).all()
    assert (low["forecast"].abs() > 2 * low["queueing_model"].abs()).all()
    # the model and rounding terms do not depend on the actual calls
    assert np.allclose(low["queueing_model"], good["queueing_model"])
    assert np.allclose(low["rounding"], good["rounding"])
    assert (low["achieved_service_level"] < good["achieved_service_level"]).all()
    assert (low["abandon_rate_sim_actual"] > low["abandon_rate_sim_forecast"]).all()


def _history(weeks=5):
    idx = pd.date_range("2025-01-06", periods=24 * 7 * weeks, freq="60min", tz=TZ)
    rng = np.random.default_rng(0)
    return pd.DataFrame({"interval_start": [t.isoformat() for t in idx], "queue": "reports",
                         "calls_offered": rng.poisson(np.tile(PROFILE, 7 * weeks)), "aht_seconds": 180.0})


@pytest.fixture
def history(tmp_path):
    p = tmp_path / "history.csv"
    _history().to_csv(p, index=False)
    return read_history(p)


@pytest.mark.parametrize("cut, weeks, match", [
    ("2024-12-01", 1, "outside the history"),
    ("2025-03-30", 1, "outside the history"),
    ("2025-01-13", 1, r"leaves 7.0 days of history to learn from .* at least 14 days"),
    ("2025-02-03", 2, "past the end of the history"),
    ("2025-02-03", 0, "--weeks must be a whole number >= 1"),
    ("yesterday", 1, "--cut must be a date"),
])
def test_bad_cut_is_refused(history, cut, weeks, match):
    with pytest.raises(WfmInputError, match=match):
        split_history(history, cut, weeks)


@settings(max_examples=25, deadline=None)
@given(st.integers(-20, 60), st.integers(1, 6))
def test_cut_either_refused_or_leaves_two_weeks_and_whole_window(offset_days, weeks):
    # property: any cut either raises a clear error or gives >= 14 days to learn and a full window
    h = _history()
    h["interval_start"] = pd.to_datetime(h["interval_start"], utc=True).dt.tz_convert(TZ)
    h.attrs["interval_minutes"] = 60
    cut = (pd.Timestamp("2025-01-06") + pd.Timedelta(days=offset_days)).date().isoformat()
    try:
        train, actual, cut_ts, end_ts = split_history(h, cut, weeks)
    except WfmInputError as exc:
        assert "--cut" in str(exc)
        return
    assert (cut_ts - train["interval_start"].min()) >= pd.Timedelta(days=14)
    assert len(actual) == 24 * 7 * weeks
    assert train["interval_start"].max() < cut_ts <= actual["interval_start"].min()


def test_end_to_end_replay_on_a_tiny_history(history):
    rules = parse_rules(TINY_RULES, source="tiny.yaml")
    res = run_replay(history, "2025-02-03", 1, rules, TARGETS, model="weekly_mean", n_replications=2)
    assert len(res.per_day) == 7 and len(res.per_interval) == 7 * 24
    assert res.summary["schedule_status"] == "Optimal"
    assert (res.per_interval["agents_on_phone"] >= res.per_interval["agents_required_on_phone"] - 1e-9).all()
    # whole 8-hour shifts over a peaky day: the schedule never has fewer agents than required
    assert (res.per_day["rounding"] >= -1e-9).all()
    assert res.per_day["calls_actual"].sum() == pytest.approx(
        _history().iloc[24 * 28:24 * 35]["calls_offered"].sum())
    pd.testing.assert_series_equal(res.per_day[list(COMPONENTS)].sum(axis=1), res.per_day["gap"],
                                   check_names=False)
    assert 0 <= res.summary["share_days_within_3pts_without_forecast_error"] <= 1


def test_actual_calls_on_a_fall_back_day_are_all_kept():
    # 2024-10-27 in Stockholm has 100 quarter-hours (25 hours); summing to hours keeps every call
    from optimiser.replay import actual_frame
    q = pd.date_range("2024-10-27", "2024-10-28", freq="15min", tz=TZ, inclusive="left")
    assert len(q) == 100
    a = pd.DataFrame({"interval_start": q, "queue": "reports", "calls_offered": 1, "aht_seconds": 100.0})
    hours = pd.date_range("2024-10-27", "2024-10-28", freq="60min", tz=TZ, inclusive="left")
    f = actual_frame(a, hours, 60, "reports")
    assert len(f) == 25 and (f["calls_actual"] == 4).all() and (f["aht_actual"] == 100).all()
