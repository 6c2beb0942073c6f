"""AHT forecast: profile by interval of week, shrinkage, trend, fallbacks, errors."""

import numpy as np
import pandas as pd
import pytest

from forecasting.aht import AhtForecaster
from wfm.ground.errors import WfmInputError

TZ = "Europe/Stockholm"


def history(weeks=20, slope_per_week=0.0, calls=50, start="2024-01-01"):
    idx = pd.date_range(pd.Timestamp(start, tz=TZ), periods=weeks * 7 * 24, freq="60min")
    naive = idx.tz_localize(None)
    weeks_from_start = (idx - idx[0]) / pd.Timedelta(weeks=1)
    aht = 300.0 + 60.0 * (naive.hour >= 12) + slope_per_week * np.asarray(weeks_from_start)
    frame = pd.DataFrame({"interval_start": idx, "calls_offered": calls, "calls_answered": calls,
                          "aht_seconds": aht})
    frame.attrs = {"interval_minutes": 60, "tz": TZ}
    return frame


def test_profile_reproduces_interval_of_week_levels():
    h = history()
    f = AhtForecaster(trend=False).fit(h)
    future = pd.date_range(h["interval_start"].iloc[-1] + pd.Timedelta(hours=1), periods=24, freq="60min")
    out = f.predict(future)
    hours = future.tz_localize(None).hour
    # each slot holds 50 calls x 20 weeks; the 200-call prior towards the hour (and the hour's
    # towards the overall 330 s) moves the level by well under 1 %
    assert out[hours < 12].to_numpy() == pytest.approx(300.0, rel=0.01)
    assert out[hours >= 12].to_numpy() == pytest.approx(360.0, rel=0.01)
    assert (out[hours < 12] > 300.0).all() and (out[hours >= 12] < 360.0).all()  # shrunk towards 330
    exact = AhtForecaster(trend=False, prior_calls=0).fit(h).predict(future)
    assert exact[hours < 12].to_numpy() == pytest.approx(300.0, rel=1e-9)


def test_trend_is_extrapolated():
    # 2 s per week increase: Theil-Sen recovers it exactly on a noiseless line (Sen 1968)
    h = history(weeks=30, slope_per_week=2.0)
    f = AhtForecaster(trend=True, recent_weeks=4).fit(h)
    assert f.slope_per_day_ * 7 == pytest.approx(2.0, rel=1e-6)
    t1 = h["interval_start"].iloc[-1] + pd.Timedelta(weeks=4)
    t0 = h["interval_start"].iloc[-1] + pd.Timedelta(weeks=2)
    diff = f.predict(pd.DatetimeIndex([t1])).iloc[0] - f.predict(pd.DatetimeIndex([t0])).iloc[0]
    assert diff == pytest.approx(4.0, rel=1e-6)


def test_sparse_slot_is_shrunk_towards_its_hour():
    h = history(weeks=8, calls=100)
    naive = pd.DatetimeIndex(h["interval_start"]).tz_localize(None)
    one = (naive.day_of_week == 2) & (naive.hour == 10)
    h.loc[one, "calls_answered"] = 1  # only a few calls in Wednesday 10:00
    h.loc[one, "aht_seconds"] = 900.0
    f = AhtForecaster(trend=False, prior_calls=200).fit(h)
    wed10 = pd.DatetimeIndex([pd.Timestamp("2030-01-02 10:00", tz=TZ)])  # a Wednesday
    value = f.predict(wed10).iloc[0]
    assert 300.0 < value < 400.0  # pulled far from 900 towards the ~300 s hour mean
    f0 = AhtForecaster(trend=False, prior_calls=0).fit(h)
    assert f0.predict(wed10).iloc[0] == pytest.approx(900.0)


def test_few_calls_give_the_overall_mean():
    h = history(weeks=2, calls=1)
    f = AhtForecaster(min_calls=10_000).fit(h)
    assert f.source_.startswith("overall_mean")
    v = f.predict(pd.date_range(pd.Timestamp("2030-01-01", tz=TZ), periods=5, freq="60min"))
    assert np.allclose(v, v.iloc[0])


def test_calls_only_history_leaves_handle_time_unknown_or_uses_the_default():
    h = history().drop(columns="aht_seconds")
    f = AhtForecaster().fit(h)
    assert f.source_ == "none"
    assert f.predict(pd.DatetimeIndex([pd.Timestamp("2030-01-01", tz=TZ)])).isna().all()
    f = AhtForecaster(default_aht_seconds=240).fit(h)
    assert (f.predict(pd.DatetimeIndex([pd.Timestamp("2030-01-01", tz=TZ)])) == 240).all()


def test_bad_values_and_params():
    h = history()
    h.loc[5, "aht_seconds"] = -3.0
    with pytest.raises(WfmInputError, match="'aht_seconds' must be >= 0, got -3.0 at row 5"):
        AhtForecaster().fit(h)
    with pytest.raises(WfmInputError, match="recent_weeks must be a whole number >= 1, got 0"):
        AhtForecaster(recent_weeks=0).fit(history())
    with pytest.raises(WfmInputError, match="tz-aware"):
        AhtForecaster().fit(history()).predict(pd.DatetimeIndex(["2030-01-01"]))


def test_series_index_is_kept_and_values_positive():
    f = AhtForecaster().fit(history(weeks=9, slope_per_week=-30.0))  # steep fall: clipped, never <= 0
    s = pd.Series(pd.date_range(pd.Timestamp("2031-01-01", tz=TZ), periods=3, freq="60min"), index=[4, 5, 6])
    out = f.predict(s)
    assert list(out.index) == [4, 5, 6]
    assert (out > 0).all()
