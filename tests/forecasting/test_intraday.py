"""Intraday split: sums preserved, closed slots 0, DST days, learned shapes, aggregation."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.intraday import aggregate_intervals, day_types, learn_intraday_profile, split_forecast
from wfm.ground.errors import WfmInputError

TZ = "Europe/Stockholm"


def quarter_history(days=28, start="2024-03-04", open_hours=(7, 21), weekend_closed=True):
    """15-min history: open 07-21 weekdays; within each hour the quarters carry 1:2:3:4 of the calls."""
    idx = pd.date_range(pd.Timestamp(start, tz=TZ), periods=days * 96, freq="15min")
    naive = idx.tz_localize(None)
    open_ = (naive.hour >= open_hours[0]) & (naive.hour < open_hours[1])
    if weekend_closed:
        open_ &= naive.day_of_week < 5
    calls = np.where(open_, 10 * (naive.minute // 15 + 1), 0)
    frame = pd.DataFrame({"interval_start": idx, "calls_offered": calls.astype("int64")})
    frame = frame[open_].reset_index(drop=True)  # closed hours have no rows
    frame.attrs = {"interval_minutes": 15, "tz": TZ}
    return frame


def hourly(values, start, tz=TZ):
    start = pd.Timestamp(start)
    start = start.tz_localize(tz) if start.tzinfo is None else start
    idx = pd.date_range(start, periods=len(values), freq="60min")
    return pd.DataFrame({"interval_start": idx, "calls_offered": np.asarray(values, dtype=float)})


def test_learned_shape_is_reproduced():
    prof = learn_intraday_profile(quarter_history(), 60, country=None)
    out = split_forecast(hourly([100.0], "2024-04-08 10:00"), prof)  # a Monday, open
    # shares 1:2:3:4 of 10 -> 10, 20, 30, 40 of 100 (by construction of the history)
    assert out["calls_offered"].to_numpy() == pytest.approx([10, 20, 30, 40])
    assert len(out) == 4


def test_closed_slots_stay_zero_and_sums_hold():
    prof = learn_intraday_profile(quarter_history(), 60, country=None)
    coarse = hourly(np.full(48, 50.0), "2024-04-08 00:00")
    out = split_forecast(coarse, prof)
    naive = pd.DatetimeIndex(out["interval_start"]).tz_localize(None)
    parent = np.repeat(np.arange(48), 4)
    sums = out.groupby(parent)["calls_offered"].sum().to_numpy()
    assert sums == pytest.approx(coarse["calls_offered"].to_numpy())  # nothing created or lost
    # hours never open get an even split only because a forecast was given for them
    assert out.attrs["uniform_splits"] == 48 - 2 * 14  # Mon+Tue open 07-21


def test_partly_open_hour_keeps_closed_quarters_zero():
    h = quarter_history()
    naive = pd.DatetimeIndex(h["interval_start"]).tz_localize(None)
    h = h[~((naive.hour == 7) & (naive.minute < 30))].reset_index(drop=True)  # opens 07:30
    h.attrs = {"interval_minutes": 15, "tz": TZ}
    prof = learn_intraday_profile(h, 60, country=None, prior_calls=1000)
    out = split_forecast(hourly([40.0], "2024-04-09 07:00"), prof)
    assert out["calls_offered"].to_numpy()[:2] == pytest.approx([0, 0])
    assert out["calls_offered"].sum() == pytest.approx(40)


@pytest.mark.parametrize("day, n", [("2024-03-31", 92), ("2024-10-27", 100), ("2024-04-01", 96)])
def test_daily_split_on_dst_days(day, n):
    # spring-forward day has 92 quarter-hours, fall-back 100 (Europe/Stockholm)
    idx = pd.date_range(pd.Timestamp("2024-01-01", tz=TZ), periods=300 * 96, freq="15min")
    h = pd.DataFrame({"interval_start": idx, "calls_offered": np.full(len(idx), 5, dtype="int64")})
    h.attrs = {"interval_minutes": 15, "tz": TZ}
    prof = learn_intraday_profile(h, 1440, country=None)
    out = split_forecast(pd.DataFrame({"interval_start": [pd.Timestamp(day, tz=TZ)], "calls_offered": [920.0]}), prof)
    assert len(out) == n
    assert out["calls_offered"].sum() == pytest.approx(920.0)
    assert out["interval_start"].is_monotonic_increasing


def test_hourly_split_across_fall_back_is_absolute_time():
    prof = learn_intraday_profile(quarter_history(open_hours=(0, 24), weekend_closed=False), 60, country=None)
    coarse = hourly(np.full(25, 8.0), "2024-10-27 00:00")  # 25 absolute hours on the fall-back day
    out = split_forecast(coarse, prof)
    assert len(out) == 100
    assert pd.DatetimeIndex(out["interval_start"]).is_unique


def test_holiday_gets_its_own_shape():
    # history: ordinary days flat; Christmas/holidays 2023 carry all calls in the first quarter
    idx = pd.date_range(pd.Timestamp("2023-11-01", tz=TZ), pd.Timestamp("2024-01-31 23:45", tz=TZ), freq="15min")
    naive = idx.tz_localize(None)
    from forecasting.models.base import special_days_frame

    sp = special_days_frame("2023-11-01", "2025-01-31", "SE")
    hol = naive.normalize().isin(pd.DatetimeIndex(sp.loc[sp["kind"] == "holiday", "date"]))
    calls = np.where(hol, np.where(naive.minute == 0, 40, 0), 10)
    h = pd.DataFrame({"interval_start": idx, "calls_offered": calls})
    h.attrs = {"interval_minutes": 15, "tz": TZ}
    prof = learn_intraday_profile(h, 60, country="SE", prior_calls=0.0)
    assert day_types(pd.DatetimeIndex(["2024-12-25"]), prof.special)[0] == "holiday"
    out_h = split_forecast(hourly([100.0], "2024-12-25 10:00"), prof)
    out_d = split_forecast(hourly([100.0], "2024-12-18 10:00"), prof)
    assert out_h["calls_offered"].to_numpy() == pytest.approx([100, 0, 0, 0])
    assert out_d["calls_offered"].to_numpy() == pytest.approx([25, 25, 25, 25])


def test_bounds_are_ordered_and_wider_relative_to_point():
    prof = learn_intraday_profile(quarter_history(), 60, country=None)
    coarse = hourly([100.0], "2024-04-08 10:00").assign(
        calls_offered_p10=85.0, calls_offered_p90=115.0, calls_offered_p025=78.0, calls_offered_p975=122.0)
    out = split_forecast(coarse, prof)
    p = out["calls_offered"]
    assert (out["calls_offered_p025"] <= out["calls_offered_p10"]).all()
    assert (out["calls_offered_p10"] <= p).all() and (p <= out["calls_offered_p90"]).all()
    assert (out["calls_offered_p90"] <= out["calls_offered_p975"]).all()
    # a part of an hour is relatively more uncertain than the hour (multinomial thinning)
    assert ((out["calls_offered_p90"] - p) / p > 0.15 - 1e-9).all()


def test_aggregate_15_to_60_and_round_trip():
    h = quarter_history()
    h["aht_seconds"] = 300.0
    h["calls_answered"] = h["calls_offered"]
    hr = aggregate_intervals(h, 60)
    assert hr.attrs["interval_minutes"] == 60
    assert hr["calls_offered"].sum() == h["calls_offered"].sum()
    assert (hr["calls_offered"] == 100).all()  # 10+20+30+40 every open hour
    assert hr["aht_seconds"].to_numpy() == pytest.approx(300.0)
    prof = learn_intraday_profile(h, 60, country=None)
    back = split_forecast(hr.head(14)[["interval_start", "calls_offered"]], prof)
    assert back["calls_offered"].to_numpy() == pytest.approx(h["calls_offered"].head(56).to_numpy())


def test_aggregate_to_local_days_and_bad_target():
    h = quarter_history()
    d = aggregate_intervals(h, 1440)
    assert (pd.DatetimeIndex(d["interval_start"]).tz_localize(None).hour == 0).all()
    assert d["calls_offered"].sum() == h["calls_offered"].sum()
    with pytest.raises(WfmInputError, match="to_minutes must divide a day and be a multiple"):
        aggregate_intervals(h, 20)


def test_bad_input():
    with pytest.raises(WfmInputError, match="parent_minutes must be 60 or 1440"):
        learn_intraday_profile(quarter_history(), 45)
    prof = learn_intraday_profile(quarter_history(), 60, country=None)
    with pytest.raises(WfmInputError, match="not the start of a whole hour"):
        split_forecast(hourly([1.0], "2024-04-08 10:15").assign(interval_start=lambda d: d["interval_start"] + pd.Timedelta(minutes=15)), prof)
    with pytest.raises(WfmInputError, match="column 'calls_offered' is missing"):
        split_forecast(pd.DataFrame({"interval_start": []}), prof)


PROFILE = learn_intraday_profile(quarter_history(days=14), 60, country=None)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0, 500), min_size=1, max_size=30), st.integers(0, 200))
def test_split_always_conserves_each_hour(values, offset_hours):
    prof = PROFILE
    start = pd.Timestamp("2024-03-20 00:00", tz=TZ) + pd.Timedelta(hours=offset_hours)
    coarse = hourly(values, start)
    out = split_forecast(coarse, prof)
    sums = out.groupby(np.repeat(np.arange(len(values)), 4))["calls_offered"].sum().to_numpy()
    assert sums == pytest.approx(np.asarray(values), abs=1e-9)
    assert (out["calls_offered"] >= 0).all()
