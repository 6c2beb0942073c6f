"""Rolling-origin backtest: origins, no look-ahead, bucket table, summary, failures."""

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import HORIZON_BUCKETS, backtest_origins, rolling_origin_backtest, summarise_backtest
from wfm.ground.errors import WfmInputError

TZ = "Europe/Stockholm"


def weekly_history(days=70, queue="q", start="2024-01-01", noise=0, seed=0):
    """Hourly calls repeating every week exactly (plus optional Poisson noise)."""
    idx = pd.date_range(pd.Timestamp(start, tz=TZ), periods=days * 24, freq="60min")
    naive = idx.tz_localize(None)
    base = 10 + 5 * naive.day_of_week.to_numpy() + naive.hour.to_numpy()
    rng = np.random.default_rng(seed)
    calls = base + (rng.poisson(noise, len(idx)) if noise else 0)
    frame = pd.DataFrame({"interval_start": idx, "queue": queue, "calls_offered": calls.astype("int64")})
    frame.attrs = {"interval_minutes": 60, "tz": TZ}
    return frame


def test_origins_are_local_midnights_a_step_apart():
    h = weekly_history()
    origins = backtest_origins(h, n_origins=3, horizon_days=14, step_days=7)
    assert len(origins) == 3
    assert all(o.hour == 0 and o.minute == 0 for o in origins)
    assert [(b - a).days for a, b in zip(origins, origins[1:])] == [7, 7]
    end = h["interval_start"].iloc[-1] + pd.Timedelta(hours=1)
    assert origins[-1] + pd.Timedelta(days=14) <= end


def test_too_short_history_is_a_clear_error():
    with pytest.raises(WfmInputError, match=r"covers 10.0 days; a backtest with horizon_days=42 needs at least 44 days"):
        backtest_origins(weekly_history(days=10), n_origins=2, horizon_days=42)
    with pytest.raises(WfmInputError, match="n_origins must be a whole number >= 1, got 0"):
        backtest_origins(weekly_history(), n_origins=0)


def test_perfect_weekly_series_seasonal_naive_scores_zero():
    # a series that repeats exactly each week: the seasonal naive forecast is exact (WAPE 0)
    bt = rolling_origin_backtest(weekly_history(), ["seasonal_naive"], n_origins=2, horizon_days=14)
    assert bt.table["wape"].max() == pytest.approx(0.0)
    assert bt.table["bias"].abs().max() == pytest.approx(0.0)
    assert set(bt.table["horizon_bucket"]) == {"day 1", "days 2-7", "days 8-14"}
    assert len(bt.failures) == 0


def test_no_look_ahead():
    """A shock after the origin cannot change the forecast made at that origin."""
    h = weekly_history(noise=3)
    bt1 = rolling_origin_backtest(h, ["weekly_mean"], n_origins=1, horizon_days=7)
    origin = bt1.forecasts["origin"].iloc[0]
    shocked = h.copy()
    shocked.loc[shocked["interval_start"] >= origin, "calls_offered"] *= 5
    bt2 = rolling_origin_backtest(shocked, ["weekly_mean"], n_origins=1, horizon_days=7)
    assert np.allclose(bt1.forecasts["calls_offered"], bt2.forecasts["calls_offered"])
    assert not np.allclose(bt1.forecasts["actual"], bt2.forecasts["actual"])


def test_table_rows_model_queue_bucket_origin_and_summary():
    h = pd.concat([weekly_history(queue="a", noise=4, seed=1), weekly_history(queue="b", noise=4, seed=2)],
                  ignore_index=True)
    h.attrs = {"interval_minutes": 60, "tz": TZ}
    bt = rolling_origin_backtest(h, ["seasonal_naive", "weekly_mean"], n_origins=3, horizon_days=28, n_jobs=1)
    # 2 queues x 2 models x 3 origins x 4 buckets (28-day horizon)
    assert len(bt.table) == 2 * 2 * 3 * 4
    assert {"wape", "mase", "bias", "coverage80", "coverage95"} <= set(bt.table.columns)
    # lead days fall in their bucket
    for label, lo, hi in HORIZON_BUCKETS:
        sel = bt.forecasts[bt.forecasts["horizon_bucket"] == label]["lead_days"]
        assert ((sel >= lo) & (sel < hi)).all()
    s = summarise_backtest(bt, chosen={"a": ["weekly_mean"]})
    top = s[s["horizon_bucket"] == "all"]
    assert set(top.groupby("queue")["rank"].min()) == {1}
    assert bool(s[(s["queue"] == "a") & (s["model"] == "weekly_mean")]["chosen"].all())
    assert not s[s["queue"] == "b"]["chosen"].any()
    # mean of 4 noisy weeks beats a single noisy week on a stable pattern
    wm = top.set_index(["queue", "model"])["wape"]
    assert wm[("a", "weekly_mean")] < wm[("a", "seasonal_naive")]


def test_model_that_cannot_fit_is_reported_not_dropped():
    bt = rolling_origin_backtest(weekly_history(days=30), ["seasonal_naive", ("weekly_mean", {"n_weeks": 8})],
                                 n_origins=2, horizon_days=7)
    assert set(bt.failures["model"]) == {"weekly_mean"}
    assert bt.failures["error"].str.contains("needs at least").all()
    s = bt.summary()
    note = s[s["model"] == "weekly_mean"]["note"].iloc[0]
    assert note.startswith("failed at 2 origin(s)")


def test_closed_hours_are_not_scored():
    h = weekly_history(noise=2)
    naive = pd.DatetimeIndex(h["interval_start"]).tz_localize(None)
    h = h[(naive.hour >= 7) & (naive.hour < 21)].reset_index(drop=True)
    h.attrs = {"interval_minutes": 60, "tz": TZ}
    bt = rolling_origin_backtest(h, ["weekly_mean"], n_origins=1, horizon_days=7)
    hours = pd.DatetimeIndex(bt.forecasts["interval_start"]).tz_convert(TZ).hour
    assert ((hours >= 7) & (hours < 21)).all()
    assert len(bt.forecasts) == 7 * 14
