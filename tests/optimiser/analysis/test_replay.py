"""Tests of optimiser.analysis.replay: the history cut, the gap decomposition and one end-to-end replay."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from wfm.io.history import read_history
from optimiser.analysis.replay import COMPONENTS, QUEUEING_SPLIT, decompose, run_replay, split_history
from wfm.io.rules import parse_rules
from optimiser.staffing.requirement import AccessibilityTargets, required_agents
from wfm.ground.errors import WfmInputError

from tests.optimiser.analysis.replay_builders import PROFILE, TINY_RULES, TZ

TARGETS = AccessibilityTargets(answer_within_seconds=20, target_service_level=0.8, patience_seconds=120)


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


def test_queueing_model_splits_into_time_variation_and_residual():
    pi, pday = decompose(_plan(PROFILE, PROFILE * 1.1, extra_agents=1), 60, TARGETS, n_replications=2)
    for f in (pi, pday):
        assert np.allclose(f[list(QUEUEING_SPLIT)].sum(axis=1), f["queueing_model"], equal_nan=True)
        assert np.allclose(f["time_variation"], f["service_level_plan_tv"] - f["service_level_plan"])
    assert pday["service_level_plan_tv"].between(0, 1).all()


def test_more_replications_until_each_day_has_the_standard_error():
    plan = _plan(PROFILE, PROFILE)
    _, few = decompose(plan, 60, TARGETS, n_replications=2, seed=1)
    _, many = decompose(plan, 60, TARGETS, n_replications=2, seed=1, target_standard_error=0.004,
                        max_replications=300)
    assert (few["replications"] == 2).all()
    runs = int(many["replications"].iloc[0])
    # one simulated day scatters by several points: it takes more than two runs to reach 0.4 points
    assert 2 < runs <= 300 and (many["sim_single_run_sd"] > 0.004 * np.sqrt(2)).all()
    assert (many["sim_standard_error"] <= 0.004).all() or runs == 300
    assert (many["forecast"] == 0).all()  # forecast and actual simulations still share their seeds
    with pytest.raises(WfmInputError, match="target_standard_error must be in"):
        decompose(plan, 60, TARGETS, target_standard_error=2.0)
    with pytest.raises(WfmInputError, match="max_replications must be"):
        decompose(plan, 60, TARGETS, n_replications=5, target_standard_error=0.01, max_replications=3)


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
    ("2025-02-03", 0, "weeks must be a whole number >= 1"),
    ("yesterday", 1, "cut must be a date"),
])
def test_bad_cut_is_refused(history, cut, weeks, match):
    # the library names its parameters (the CLI adds the flag): never a flag in the message
    with pytest.raises(WfmInputError, match=match) as err:
        split_history(history, cut, weeks)
    assert "--" not in str(err.value)
    assert err.value.parameter == ("weeks" if weeks == 0 else "cut")


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
        assert str(exc).startswith("cut ") and exc.parameter == "cut"
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
    from optimiser.analysis.replay import actual_frame
    q = pd.date_range("2024-10-27", "2024-10-28", freq="15min", tz=TZ, inclusive="left")
    assert len(q) == 100
    a = pd.DataFrame({"interval_start": q, "queue": "reports", "calls_offered": 1, "aht_seconds": 100.0})
    hours = pd.date_range("2024-10-27", "2024-10-28", freq="60min", tz=TZ, inclusive="left")
    f = actual_frame(a, hours, 60, "reports")
    assert len(f) == 25 and (f["calls_actual"] == 4).all() and (f["aht_actual"] == 100).all()
