"""Long-range monthly volumes, handle-time trend and week shapes (forecasting.monthly)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from forecasting.monthly import MONTHLY_COLUMNS, MonthlyForecaster, first_of_month, month_starts, monthly_totals
from tests.optimiser.capacity.capacity_builders import HOURLY, hourly_history
from wfm.ground.errors import WfmInputError

SEASON = 1 + 0.15 * np.cos(2 * np.pi * (np.arange(12) - 6) / 12)  # July peak, January trough


def test_constant_history_gives_a_constant_forecast():
    f = MonthlyForecaster().fit(hourly_history(months=36, calls_per_hour=10.0))
    out = f.predict("2026-01", 12)
    assert list(out.columns) == list(MONTHLY_COLUMNS)
    np.testing.assert_allclose(out["calls_per_day"], 240.0, rtol=1e-3)
    np.testing.assert_allclose(out["aht_seconds"], 300.0)
    days = np.array([pd.Timestamp(m).days_in_month for m in out["month"]])
    np.testing.assert_allclose(out["calls_offered"], out["calls_per_day"] * days)
    assert f.models_["q"].method == "trend+season"


def test_trend_and_season_are_recovered():
    history = hourly_history(months=36, calls_per_hour=20.0, growth_per_year=0.06, season=SEASON)
    f = MonthlyForecaster().fit(history)
    model = f.models_["q"]
    assert model.growth_per_year == pytest.approx(0.06, abs=0.005)
    season = np.exp(np.asarray(model.season))
    np.testing.assert_allclose(season / season.mean(), SEASON / SEASON.mean(), rtol=0.01)
    # one year after the history's mid-point (2024-07), July is 6 % more than two years before
    out = f.predict("2026-07", 1)
    expected = 480 * SEASON[6] * 1.06 ** ((pd.Timestamp("2026-07-16") - pd.Timestamp("2023-01-01")).days / 365.25)
    assert out["calls_per_day"].iloc[0] == pytest.approx(expected, rel=0.02)


def test_one_wave_month_tilts_neither_trend_nor_season():
    history = hourly_history(months=36, calls_per_hour=20.0, season=SEASON)
    wave = history["interval_start"].dt.strftime("%Y-%m") == "2025-10"
    history.loc[wave, "calls_offered"] *= 1.5  # a fraud wave
    model = MonthlyForecaster().fit(history).models_["q"]
    assert abs(model.growth_per_year) < 0.005
    assert np.exp(model.season[9]) / np.exp(np.mean(model.season)) == pytest.approx(
        SEASON[9] / SEASON.mean(), rel=0.02)


def test_short_histories_fall_back_and_say_so():
    assert MonthlyForecaster().fit(hourly_history(months=18)).models_["q"].method == "season"
    level = MonthlyForecaster().fit(hourly_history(months=5)).models_["q"]
    assert level.method == "level" and level.slope_per_month == 0.0


def test_spread_grows_with_the_horizon_and_is_positive():
    history = hourly_history(months=36, calls_per_hour=20.0, growth_per_year=0.04, noise=0.05)
    out = MonthlyForecaster().fit(history).predict("2026-01", 24)
    assert (out["log_sd"] > 0).all() and out["log_sd"].is_monotonic_increasing


def test_damping_slows_the_trend():
    history = hourly_history(months=36, calls_per_hour=20.0, growth_per_year=0.10)
    free = MonthlyForecaster().fit(history).predict("2028-01", 1)["calls_per_day"].iloc[0]
    damped = MonthlyForecaster(trend_damping=0.9).fit(history).predict("2028-01", 1)["calls_per_day"].iloc[0]
    last = MonthlyForecaster().fit(history).predict("2025-12", 1)["calls_per_day"].iloc[0]
    assert last < damped < free


def test_week_profile_sums_to_one_and_follows_the_hours():
    f = MonthlyForecaster(interval_minutes=60).fit(hourly_history(months=13))
    prof = f.week_profile_
    sums = prof.groupby(["queue", "month_of_year"])["share"].sum()
    np.testing.assert_allclose(sums, 1.0)
    monday = prof[(prof["month_of_year"] == 3) & (prof["slot"] < 24)]["share"].to_numpy()
    np.testing.assert_allclose(monday / monday.sum(), HOURLY / HOURLY.sum(), rtol=1e-3)  # calls rounded to 0.001
    coarse = MonthlyForecaster(interval_minutes=120).fit(hourly_history(months=13)).week_profile_
    assert coarse["slot"].max() == 83
    np.testing.assert_allclose(coarse.groupby(["queue", "month_of_year"])["share"].sum(), 1.0)


def test_aht_profile_is_relative_to_the_mean():
    f = MonthlyForecaster(interval_minutes=60).fit(hourly_history(months=13, aht_seconds=200.0))
    np.testing.assert_allclose(f.aht_profile_["aht_factor"], 1.0)


def test_monthly_totals_keep_only_full_months():
    history = hourly_history(start="2024-01-01", months=3)
    history = history[history["interval_start"] >= pd.Timestamp("2024-01-10", tz="Europe/Stockholm")]
    totals = monthly_totals(history)
    assert [m for m in totals["month"]] == [dt.date(2024, 2, 1), dt.date(2024, 3, 1)]


@pytest.mark.parametrize("kwargs, match", [
    ({"trend_damping": 0.0}, r"trend_damping must be in \(0, 1\], got 0.0"),
    ({"min_season_months": 6}, r"min_season_months must be a whole number >= 12, got 6"),
    ({"interval_minutes": 7}, r"interval_minutes must be a whole number of minutes dividing a day"),
    ({"interval_minutes": 30}, r"interval_minutes must be a multiple of the history's 60-minute interval, got 30"),
])
def test_bad_parameters_are_named(kwargs, match):
    with pytest.raises(WfmInputError, match=match):
        MonthlyForecaster(**kwargs).fit(hourly_history(months=13))


def test_a_queue_without_a_full_month_is_refused():
    history = hourly_history(months=1).iloc[:200]
    with pytest.raises(WfmInputError, match="queue 'q' has no full calendar month"):
        MonthlyForecaster().fit(history)


def test_month_helpers():
    assert first_of_month("2026-03-17") == dt.date(2026, 3, 1) == first_of_month("2026-03")
    assert month_starts("2026-11", 3) == [dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)]
    with pytest.raises(WfmInputError, match="plan.start must be a month YYYY-MM"):
        first_of_month("March", "plan.start")
