"""Chart summaries: daily totals, the average week, the queue overview."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.views import average_week, daily_calls, queue_overview


def _history(start: str, days: int, tz: str = "Europe/Stockholm", minutes: int = 15) -> pd.DataFrame:
    # Build the local grid through UTC so DST days have 92/100 quarter-hours.
    first = pd.Timestamp(start, tz=tz)
    last = (first + pd.Timedelta(days=days)).tz_convert("UTC")
    idx = pd.date_range(first.tz_convert("UTC"), last, freq=f"{minutes}min", inclusive="left").tz_convert(tz)
    frames = []
    for q, calls in (("a", 1), ("b", 2)):
        frames.append(pd.DataFrame({"interval_start": idx, "queue": q, "calls_offered": calls}))
    return pd.concat(frames, ignore_index=True)


def test_daily_calls_counts_dst_days_by_their_real_length():
    # 2024-03-31 is spring-forward in Stockholm (23 h = 92 quarter-hours),
    # 2024-10-27 fall-back (25 h = 100 quarter-hours).
    spring = daily_calls(_history("2024-03-30", 3))
    a = spring[spring["queue"] == "a"].set_index("date")["calls_offered"]
    assert a[pd.Timestamp("2024-03-30")] == 96
    assert a[pd.Timestamp("2024-03-31")] == 92
    fall = daily_calls(_history("2024-10-26", 3))
    b = fall[fall["queue"] == "b"].set_index("date")["calls_offered"]
    assert b[pd.Timestamp("2024-10-27")] == 200  # 100 intervals x 2 calls


def test_daily_calls_total_equals_history_total():
    h = _history("2024-01-01", 10)
    assert daily_calls(h)["calls_offered"].sum() == h["calls_offered"].sum()


def test_average_week_is_mean_calls_per_hour_and_nan_when_closed():
    h = _history("2024-01-01", 14)  # Monday, two full weeks
    # Close Sundays entirely: their hours must be NaN, not zero.
    local = h["interval_start"].dt.tz_localize(None)
    h = h[local.dt.day_of_week != 6]
    grid = average_week(h, "b")
    assert grid.shape == (7, 24)
    assert grid.loc["Mon", 9] == pytest.approx(8.0)  # 4 quarter-hours x 2 calls
    assert grid.loc["Sun"].isna().all()
    both = average_week(h)
    assert both.loc["Tue", 0] == pytest.approx(12.0)


def test_average_week_unknown_queue_is_a_clear_error():
    with pytest.raises(ValueError, match="no history for queue 'zzz'"):
        average_week(_history("2024-01-01", 7), "zzz")


def test_naive_timestamps_are_refused():
    h = _history("2024-01-01", 1)
    h["interval_start"] = h["interval_start"].dt.tz_localize(None)
    with pytest.raises(ValueError, match="tz-aware"):
        daily_calls(h)


def test_queue_overview_weights_aht_by_answered_calls():
    h = _history("2024-01-01", 1)
    h["calls_answered"] = np.where(h.index % 2 == 0, 1, 3)
    h["aht_seconds"] = np.where(h.index % 2 == 0, 100.0, 200.0)
    ov = queue_overview(h).set_index("queue")
    # (1*100 + 3*200) / 4 = 175 s in every queue, since rows alternate evenly
    assert ov.loc["a", "aht_seconds"] == pytest.approx(175.0)
    assert ov.loc["a", "days"] == 1
    assert ov.loc["b", "calls_offered"] == 192


def test_actuals_and_forecast_sums_history_to_the_forecast_interval():
    from forecasting.views import actuals_and_forecast

    h = _history("2024-01-01", 7)  # 15-minute history, 1 call per interval in queue a
    start = pd.Timestamp("2024-01-08", tz="Europe/Stockholm")
    idx = pd.date_range(start, periods=24, freq="60min")
    fc = pd.DataFrame({"interval_start": idx, "queue": "a", "calls_offered": 5.0,
                       "calls_offered_p10": 4.0, "calls_offered_p90": 6.0,
                       "calls_offered_p025": 3.0, "calls_offered_p975": 7.0})
    out = actuals_and_forecast(h, fc, "a", days_back=2)
    past = out[out["interval_start"] < start]
    assert len(past) == 48 and (past["actual"] == 4).all()  # four quarter-hours per hour
    assert past["calls_offered"].isna().all()
    future = out[out["interval_start"] >= start]
    assert len(future) == 24 and future["actual"].isna().all()
    with pytest.raises(ValueError, match="no forecast for queue 'b'"):
        actuals_and_forecast(h, fc, "b")
