"""Behaviour of the forecasting models beyond the shared contract.

Hand-checkable baselines, daylight-saving days, holidays and events learned
from the history, short histories with their fallback, interval calibration
against textbook Poisson quantiles, and bad input (messages and properties).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from wfm.ground.calendar import special_days
from forecasting.models import (
    InsufficientHistoryError,
    SeasonalNaive,
    WeeklyMean,
    fallback_for,
    horizon_intervals,
    make_model,
)
from forecasting.models.base import (
    IntervalCalibration,
    fit_interval_calibration,
    future_index,
    interval_bounds,
)
from wfm.ground.errors import WfmInputError
from wfm.io.events import read_events

TZ = "Europe/Stockholm"
BOUNDS = ["calls_offered_p025", "calls_offered_p10", "calls_offered", "calls_offered_p90", "calls_offered_p975"]


def _frame(idx: pd.DatetimeIndex, calls, interval_minutes: int = 60) -> pd.DataFrame:
    df = pd.DataFrame({"interval_start": idx, "queue": "reports", "calls_offered": np.asarray(calls, dtype="int64")})
    df.attrs = {"interval_minutes": interval_minutes, "tz": TZ}
    return df


def _allday(start: str, end: str, seed: int = 0, day_factor=None, interval_minutes: int = 60) -> pd.DataFrame:
    """24/7 queue with an intraday shape, weekends at 70 %, Poisson noise.

    ``day_factor``: dict local date -> multiplier of that day's mean.
    """
    idx = pd.date_range(pd.Timestamp(start, tz=TZ), pd.Timestamp(end, tz=TZ), freq=f"{interval_minutes}min")
    hour = idx.hour + idx.minute / 60
    lam = (interval_minutes / 60) * np.clip(40 + 30 * np.sin((hour - 7) / 14 * np.pi), 4, None)
    lam = lam * np.where(idx.day_of_week < 5, 1.0, 0.7)
    if day_factor:
        dates = idx.tz_localize(None).normalize()
        factor = pd.Series(dates).map({pd.Timestamp(k): v for k, v in day_factor.items()}).fillna(1.0).to_numpy()
        lam = lam * factor
    return _frame(idx, np.random.default_rng(seed).poisson(lam), interval_minutes)


def _daily_totals(fc: pd.DataFrame) -> pd.Series:
    local = pd.DatetimeIndex(fc["interval_start"]).tz_convert(TZ).tz_localize(None).normalize()
    return fc.groupby(local)["calls_offered"].sum()


# ---------------------------------------------------------------- baselines


def test_seasonal_naive_copies_the_same_local_interval_a_week_earlier_across_dst():
    # history ends Thu 2024-03-28; the spring-forward change is Sun 2024-03-31,
    # so Mon 2024-04-01 09:00 (+02:00) must copy Mon 2024-03-25 09:00 (+01:00):
    # the same wall-clock time, 167 (not 168) hours earlier in absolute time.
    idx = pd.date_range(pd.Timestamp("2024-03-11", tz=TZ), pd.Timestamp("2024-03-28 23:00", tz=TZ), freq="60min")
    hist = _frame(idx, np.arange(1, len(idx) + 1))
    fc = SeasonalNaive().fit(hist).predict(24 * 7)
    by_local = pd.Series(hist["calls_offered"].to_numpy(), index=idx.tz_localize(None))
    got = pd.Series(fc["calls_offered"].to_numpy(), index=pd.DatetimeIndex(fc["interval_start"]).tz_localize(None))
    assert got[pd.Timestamp("2024-04-01 09:00")] == by_local[pd.Timestamp("2024-03-25 09:00")]
    assert got[pd.Timestamp("2024-03-29 00:00")] == by_local[pd.Timestamp("2024-03-22 00:00")]
    # every forecast of the first week equals the history value one week
    # earlier in local time
    for t, v in got.items():
        if t - pd.Timedelta(days=7) <= by_local.index[-1]:
            assert v == by_local[t - pd.Timedelta(days=7)], t


def test_weekly_mean_is_the_mean_of_the_last_n_weeks_by_hand():
    idx = pd.date_range(pd.Timestamp("2024-01-01", tz=TZ), pd.Timestamp("2024-01-28 23:00", tz=TZ), freq="60min")
    calls = np.zeros(len(idx), dtype=int) + 10
    mon9 = (idx.day_of_week == 0) & (idx.hour == 9)
    calls[mon9] = [10, 20, 30, 60]  # the four Mondays at 09:00
    hist = _frame(idx, calls)
    fc = WeeklyMean(n_weeks=4).fit(hist).predict(24)
    assert fc["calls_offered"].iloc[9] == pytest.approx((10 + 20 + 30 + 60) / 4)
    fc2 = WeeklyMean(n_weeks=2).fit(hist).predict(24)
    assert fc2["calls_offered"].iloc[9] == pytest.approx((30 + 60) / 2)


def test_fall_back_day_has_25_hours_and_the_repeated_hour_gets_the_clock_value():
    idx = pd.date_range(pd.Timestamp("2024-10-07", tz=TZ), pd.Timestamp("2024-10-24 23:00", tz=TZ), freq="60min")
    hist = _frame(idx, np.arange(1, len(idx) + 1))
    n = horizon_intervals("2024-10-25 00:00", 4, 60, TZ)
    assert n == 24 + 24 + 25 + 24  # Fri, Sat, Sun 27 Oct (fall back), Mon
    fc = SeasonalNaive().fit(hist).predict(n)
    local = pd.DatetimeIndex(fc["interval_start"]).tz_convert(TZ)
    on_day = fc[local.tz_localize(None).normalize() == pd.Timestamp("2024-10-27")]
    assert len(on_day) == 25
    two_am = on_day[pd.DatetimeIndex(on_day["interval_start"]).hour == 2]["calls_offered"]
    assert len(two_am) == 2 and two_am.nunique() == 1
    week_before = hist.loc[idx.tz_localize(None) == pd.Timestamp("2024-10-20 02:00"), "calls_offered"].item()
    assert two_am.iloc[0] == week_before


def test_thirty_minute_history_is_supported():
    hist = _allday("2024-01-01", "2024-02-04 23:30", interval_minutes=30)
    for name in ("seasonal_naive", "regression"):
        fc = make_model(name).fit(hist).predict(48)
        assert len(fc) == 48
        assert (pd.DatetimeIndex(fc["interval_start"]).minute.isin([0, 30])).all()
        assert (fc["calls_offered"] > 0).all()


# ---------------------------------------------------------------- calendar


def _holiday_history(dip: float) -> pd.DataFrame:
    start, end = "2023-10-02", "2024-04-28 23:00"
    hol = special_days(start, "2024-04-28")
    factor = {d: dip for d in hol.loc[hol["kind"] == "holiday", "date"]}
    return _allday(start, end, seed=3, day_factor=factor)


@pytest.mark.parametrize("name", ["regression", "prophet"])
def test_holiday_is_forecast_lower_than_the_same_weekday_when_history_shows_it(name):
    # In the history every Swedish public holiday (Christmas, New Year, Easter,
    # ...) has 40 % of the usual calls. Forecast: Wed 1 May (Första maj) and
    # Thu 9 May 2024 (Kristi himmelsfärdsdag) vs the Wed/Thu a week apart.
    model = make_model(name).fit(_holiday_history(dip=0.4))
    daily = _daily_totals(model.predict(horizon_intervals("2024-04-29", 14, 60, TZ)))
    assert daily[pd.Timestamp("2024-05-01")] < 0.6 * daily[pd.Timestamp("2024-05-08")]
    assert daily[pd.Timestamp("2024-05-09")] < 0.6 * daily[pd.Timestamp("2024-05-02")]


@pytest.mark.parametrize("name", ["regression", "prophet"])
def test_holiday_is_not_lowered_when_history_shows_no_holiday_effect(name):
    model = make_model(name).fit(_holiday_history(dip=1.0))
    daily = _daily_totals(model.predict(horizon_intervals("2024-04-29", 14, 60, TZ)))
    ratio = daily[pd.Timestamp("2024-05-09")] / daily[pd.Timestamp("2024-05-02")]
    assert 0.85 < ratio < 1.15


@pytest.mark.parametrize("name", ["regression", "prophet"])
def test_each_event_name_gets_its_own_effect(name):
    # a media story doubles the calls, a telephony outage cuts them to 30 %
    factor = {"2024-02-14": 2.0, "2024-03-06": 0.3}
    hist = _allday("2024-01-08", "2024-03-28 23:00", seed=4, day_factor=factor)
    events = pd.DataFrame(
        {
            "date": ["2024-02-14", "2024-04-03", "2024-03-06", "2024-04-04"],
            "end_date": ["2024-02-14", "2024-04-03", "2024-03-06", ""],
            "name": ["media story", "media story", "telephony outage", "telephony outage"],
            "kind": ["media", "media", "outage", "outage"],
        }
    )
    model = make_model(name, events=read_events(events), country=None).fit(hist)
    daily = _daily_totals(model.predict(horizon_intervals("2024-03-29", 14, 60, TZ)))
    media = daily[pd.Timestamp("2024-04-03")] / daily[pd.Timestamp("2024-04-10")]  # Wed vs Wed
    outage = daily[pd.Timestamp("2024-04-04")] / daily[pd.Timestamp("2024-04-11")]  # Thu vs Thu
    assert media > 1.6
    assert outage < 0.5
    # without the events the same model sees no reason for either effect
    plain = _daily_totals(make_model(name, country=None).fit(hist).predict(horizon_intervals("2024-03-29", 14, 60, TZ)))
    assert 0.8 < plain[pd.Timestamp("2024-04-03")] / plain[pd.Timestamp("2024-04-10")] < 1.25


def test_regression_has_one_coefficient_per_event_name():
    hist = _allday("2024-01-08", "2024-02-25 23:00", seed=5, day_factor={"2024-02-07": 2.0, "2024-02-14": 0.5})
    events = read_events(pd.DataFrame({"date": ["2024-02-07", "2024-02-14"], "end_date": [None, None],
                                       "name": ["campaign", "fraud wave"], "kind": ["campaign", "fraud_wave"]}))
    model = make_model("regression", events=events, country=None).fit(hist)
    assert model.coef_["event_campaign"] == pytest.approx(np.log(2.0), abs=0.1)
    assert model.coef_["event_fraud wave"] == pytest.approx(np.log(0.5), abs=0.1)


# ---------------------------------------------------------------- short histories


@pytest.mark.parametrize(
    "name, needs",
    [("mstl", r"360 intervals \(15 days\)"), ("ets", r"336 intervals \(14 days\)"),
     ("weekly_mean", r"672 intervals \(28 days\)")],
)
def test_short_history_names_the_model_and_the_history_it_needs(name, needs):
    hist = _allday("2024-03-01", "2024-03-10 23:00")  # 10 days
    with pytest.raises(InsufficientHistoryError, match=rf"model '{name}' needs at least {needs}.*got 240 intervals \(10 days\).*fallback_for") as err:
        make_model(name).fit(hist)
    assert isinstance(err.value, WfmInputError)
    assert err.value.model == name and err.value.got_intervals == 240


def test_fallback_works_on_short_histories_and_refuses_less_than_a_day():
    ten_days = _allday("2024-03-01", "2024-03-10 23:00")
    model = fallback_for(ten_days)
    assert isinstance(model, SeasonalNaive) and model.season == "week"
    assert len(model.fit(ten_days).predict(48)) == 48
    three_days = _allday("2024-03-01", "2024-03-03 23:00")
    model = fallback_for(three_days)
    assert model.season == "day"
    fc = model.fit(three_days).predict(48)
    np.testing.assert_array_equal(fc["calls_offered"].iloc[:24], three_days["calls_offered"].iloc[-24:])
    assert model.calibration_.source == "daily_naive"
    with pytest.raises(InsufficientHistoryError, match="needs at least 24 intervals"):
        fallback_for(_allday("2024-03-01", "2024-03-01 11:00"))


def test_models_that_fit_short_histories_still_do():
    hist = _allday("2024-03-01", "2024-03-10 23:00")
    for name in ("seasonal_naive", "regression", "prophet"):
        fc = make_model(name).fit(hist).predict(24)
        assert (fc["calls_offered"] > 0).all(), name


# ---------------------------------------------------------------- intervals


def test_calibration_on_poisson_errors_recovers_poisson_quantiles():
    # Poisson(50): 2.5 %, 10 %, 90 %, 97.5 % quantiles are 37, 41, 59, 64
    # (scipy.stats.poisson.ppf([0.025, 0.1, 0.9, 0.975], 50)).
    rng = np.random.default_rng(0)
    actual = rng.poisson(50, size=20_000)
    cal = fit_interval_calibration(actual, np.full(actual.size, 50.0), "test")
    b = interval_bounds(np.array([50.0]), cal)
    expected = stats.poisson.ppf([0.025, 0.1, 0.9, 0.975], 50)
    got = [b[k][0] for k in ("calls_offered_p025", "calls_offered_p10", "calls_offered_p90", "calls_offered_p975")]
    np.testing.assert_allclose(got, expected, atol=1.5)
    fresh = rng.poisson(50, size=20_000)
    inside = (fresh >= b["calls_offered_p10"][0]) & (fresh <= b["calls_offered_p90"][0])
    assert 0.77 < inside.mean() < 0.86  # discrete: P(41 <= X <= 59) = 0.834


def test_calibration_scales_with_level_under_overdispersion():
    # negative binomial: Var = mu + mu^2 / k with k = 10 (McCullagh & Nelder 1989)
    rng = np.random.default_rng(1)
    mu = rng.choice([5.0, 50.0, 200.0], size=30_000)
    actual = rng.negative_binomial(10, 10 / (10 + mu))
    cal = fit_interval_calibration(actual, mu, "test")
    assert cal.alpha == pytest.approx(0.1, rel=0.25)
    for level in (5.0, 50.0, 200.0):
        b = interval_bounds(np.array([level]), cal)
        x = rng.negative_binomial(10, 10 / (10 + level), size=20_000)
        cover = ((x >= b["calls_offered_p10"][0]) & (x <= b["calls_offered_p90"][0])).mean()
        assert 0.74 < cover < 0.88, (level, cover)


@settings(max_examples=60, deadline=None)
@given(
    point=st.lists(st.floats(0, 1e5, allow_nan=False), min_size=1, max_size=30),
    phi=st.floats(0, 50),
    alpha=st.floats(0, 2),
    z=st.lists(st.floats(-5, 5, allow_nan=False), min_size=4, max_size=4),
)
def test_bounds_are_ordered_and_non_negative_for_any_calibration(point, phi, alpha, z):
    keys = ["calls_offered_p025", "calls_offered_p10", "calls_offered_p90", "calls_offered_p975"]
    cal = IntervalCalibration(phi, alpha, dict(zip(keys, z)), 100, "test")
    p = np.array(point)
    b = interval_bounds(p, cal)
    stack = np.vstack([b["calls_offered_p025"], b["calls_offered_p10"], p, b["calls_offered_p90"], b["calls_offered_p975"]])
    assert (stack >= 0).all()
    assert (np.diff(stack, axis=0) >= 0).all()


def test_interval_calibration_source_is_a_holdout_refit_when_history_allows():
    model = make_model("regression").fit(_allday("2024-01-01", "2024-02-25 23:00"))
    assert model.calibration_.source == "holdout"
    assert model.calibration_.n_residuals == 14 * 24


# ---------------------------------------------------------------- DST grid


@settings(max_examples=60, deadline=None)
@given(
    day=st.dates(min_value=pd.Timestamp("2023-01-01").date(), max_value=pd.Timestamp("2026-12-31").date()),
    days=st.integers(1, 60),
    interval_minutes=st.sampled_from([15, 30, 60]),
)
def test_horizon_intervals_counts_real_local_intervals(day, days, interval_minutes):
    n = horizon_intervals(pd.Timestamp(day), days, interval_minutes, TZ)
    # independent count: each local day's length from its two midnights
    mids = pd.date_range(pd.Timestamp(day), periods=days + 1, freq="D").tz_localize(TZ)
    expected = int(sum((b - a) / pd.Timedelta(minutes=interval_minutes) for a, b in zip(mids[:-1], mids[1:])))
    assert n == expected
    idx = future_index(mids[0] - pd.Timedelta(minutes=interval_minutes), n, interval_minutes, TZ)
    assert idx[0] == mids[0] and idx[-1] + pd.Timedelta(minutes=interval_minutes) == mids[-1]


def test_dst_days_have_92_and_100_quarter_hours():
    assert horizon_intervals("2024-03-31", 1, 15, TZ) == 92
    assert horizon_intervals("2024-10-27", 1, 15, TZ) == 100
    assert horizon_intervals("2024-03-30", 1, 15, TZ) == 96


# ---------------------------------------------------------------- bad input


def _good() -> pd.DataFrame:
    return _allday("2024-03-01", "2024-03-10 23:00")


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda d: d.drop(columns="calls_offered"), r"required column 'calls_offered' is missing"),
        (lambda d: d.assign(interval_start=d["interval_start"].dt.tz_localize(None)), r"'interval_start' must be tz-aware.*got dtype datetime64"),
        (lambda d: d.assign(calls_offered=d["calls_offered"].where(d.index != 17, -3)), r"row 17, column calls_offered: must be >= 0, got -3"),
        (lambda d: pd.concat([d, d.iloc[[5]]]), r"duplicate interval \(queue reports, interval_start 2024-03-01 05:00:00\+01:00\)"),
        (lambda d: d.assign(queue=np.where(d.index < 10, "tips", "reports")), r"ONE queue, got 2"),
        (lambda d: d.iloc[0:0], r"history given to seasonal_naive: no rows"),
    ],
    ids=["missing-column", "naive-timestamps", "negative-calls", "duplicate", "two-queues", "empty"],
)
def test_bad_history_is_refused_with_a_message_naming_it(mutate, match):
    bad = mutate(_good())
    bad.attrs = {"interval_minutes": 60}
    with pytest.raises(WfmInputError, match=match):
        make_model("seasonal_naive").fit(bad)


def test_off_grid_timestamp_is_refused():
    d = _good()
    d.loc[3, "interval_start"] = d.loc[3, "interval_start"] + pd.Timedelta(minutes=20)
    with pytest.raises(WfmInputError, match=r"2024-03-01 03:20:00\+01:00 is not on the 60-minute grid"):
        make_model("seasonal_naive").fit(d)


@pytest.mark.parametrize("horizon", [0, -5, 2.5, True, "28d"])
def test_bad_horizon_is_refused(horizon):
    model = make_model("seasonal_naive").fit(_good())
    with pytest.raises(WfmInputError, match=r"horizon must be a whole number of intervals >= 1, got"):
        model.predict(horizon)


def test_registry_and_hyperparameter_errors():
    with pytest.raises(WfmInputError, match=r"unknown model 'arima'; known models: \[.*'seasonal_naive'"):
        make_model("arima")
    with pytest.raises(WfmInputError, match=r"model 'ets': bad hyperparameters \['colour'\]"):
        make_model("ets", colour="blue")
    with pytest.raises(WfmInputError, match=r"n_weeks must be a whole number >= 1, got 0"):
        make_model("weekly_mean", n_weeks=0).fit(_good())
    with pytest.raises(WfmInputError, match=r"call fit\(history\) before predict"):
        make_model("ets").predict(3)


def test_bad_events_are_refused():
    # the events file's reader (wfm.io.events) names line and column; a model refuses what did not go through it
    events = pd.DataFrame({"date": ["2024-03-05", "2024-13-01"], "end_date": ["", ""], "name": ["a", "b"], "kind": ["media", "media"]})
    with pytest.raises(WfmInputError, match=r"events: column 'date' must hold local calendar dates"):
        make_model("regression", events=events).fit(_good())
    typed = pd.DataFrame({"date": pd.to_datetime(["2024-03-05"]), "end_date": pd.to_datetime(["2024-03-01"]),
                          "name": ["outage"], "kind": ["outage"]})
    with pytest.raises(WfmInputError, match=r"events: row 0 \('outage'\) needs a date and an end_date on or after it"):
        make_model("regression", events=typed).fit(_good())
    special = pd.DataFrame({"date": ["2024-03-05"], "name": ["x"], "kind": ["festival"]})
    with pytest.raises(WfmInputError, match=r"special_days column 'kind' row 0 must be holiday, eve or bridge, got 'festival'"):
        make_model("regression", special_days=special).fit(_good())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=st.integers(0, 239), value=st.sampled_from([-1, -1000, np.nan, np.inf]))
def test_any_bad_count_is_refused_naming_its_row(row, value):
    d = _good()
    calls = d["calls_offered"].astype("float64").to_numpy().copy()
    calls[row] = value
    d = d.assign(calls_offered=calls)
    with pytest.raises(WfmInputError, match=rf"history given to seasonal_naive: row {row}, column calls_offered: must be"):
        make_model("seasonal_naive").fit(d)


def test_recalibrate_from_backtest_errors_widens_the_bounds():
    hist = _allday("2024-01-01", "2024-02-25 23:00")
    model = make_model("seasonal_naive").fit(hist)
    before = model.predict(24)
    rng = np.random.default_rng(7)
    pred = rng.uniform(20, 80, 5000)
    actual = rng.negative_binomial(5, 5 / (5 + pred))  # far noisier than Poisson
    after = model.recalibrate(actual, pred).predict(24)
    assert model.calibration_.source == "backtest"
    np.testing.assert_array_equal(before["calls_offered"], after["calls_offered"])
    width = lambda f: (f["calls_offered_p90"] - f["calls_offered_p10"]).mean()
    assert width(after) > 1.5 * width(before)


def test_poisson_irls_matches_statsmodels_glm():
    # cross-check of the numpy IRLS against statsmodels' Poisson GLM
    import statsmodels.api as sm

    from forecasting.models.regression import poisson_irls

    rng = np.random.default_rng(8)
    X = np.column_stack([np.ones(400), rng.normal(size=(400, 3))])
    y = rng.poisson(np.exp(X @ np.array([2.0, 0.3, -0.2, 0.1])))
    ref = sm.GLM(y, X, family=sm.families.Poisson()).fit().params
    np.testing.assert_allclose(poisson_irls(X, y.astype(float), ridge=0.0), ref, rtol=1e-6)


def test_mstl_at_15_minutes_splits_its_hourly_forecast_so_quarters_sum_to_the_hour():
    quarter = _allday("2024-01-01", "2024-02-04 23:45", seed=9, interval_minutes=15)
    s = quarter.set_index("interval_start")["calls_offered"].resample("60min").sum()
    hourly = _frame(s.index, s.to_numpy())
    fc15 = make_model("mstl").fit(quarter).predict(4 * 48)
    fc60 = make_model("mstl").fit(hourly).predict(48)
    summed = fc15.groupby(pd.DatetimeIndex(fc15["interval_start"]).floor("60min"))["calls_offered"].sum()
    np.testing.assert_allclose(summed.to_numpy(), fc60["calls_offered"].to_numpy(), rtol=1e-6)
    # and the quarters are not a flat quarter of the hour: the profile is learned
    assert fc15["calls_offered"].iloc[:4].std() > 0


def test_fit_without_calibration_skips_the_refit_but_keeps_the_point_forecast():
    hist = _allday("2024-01-01", "2024-02-25 23:00")
    full = make_model("mstl").fit(hist)
    quick = make_model("mstl").fit(hist, calibrate=False)
    assert full.calibration_.source == "holdout"
    assert quick.calibration_.source == "daily_naive"
    a, b = full.predict(48), quick.predict(48)
    np.testing.assert_allclose(a["calls_offered"], b["calls_offered"], rtol=1e-12)
    assert (b["calls_offered_p90"] >= b["calls_offered"]).all()
