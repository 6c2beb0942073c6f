"""forecast(): output contract, 15-min split sums, DST, closed hours, events, auto, errors."""

import numpy as np
import pandas as pd
import pytest

from forecasting.pipeline import OUTPUT_COLUMNS, ForecastSettings, forecast
from wfm.ground.errors import WfmInputError

TZ = "Europe/Stockholm"


def make_history(days=42, end="2024-03-25", queues=("reports", "tips"), minutes=15, seed=0, closed=False):
    start = pd.Timestamp(end, tz=TZ) - pd.Timedelta(days=days)
    idx = pd.date_range(start, pd.Timestamp(end, tz=TZ) - pd.Timedelta(minutes=minutes), freq=f"{minutes}min")
    naive = idx.tz_localize(None)
    rng = np.random.default_rng(seed)
    frames = []
    for k, q in enumerate(queues):
        mu = (3 + k) * (1 + np.sin(np.pi * (naive.hour.to_numpy() + naive.minute.to_numpy() / 60) / 24) ** 2)
        mu = mu * np.where(naive.day_of_week.to_numpy() < 5, 1.0, 0.6)
        f = pd.DataFrame({"interval_start": idx, "queue": q, "calls_offered": rng.poisson(mu).astype("int64")})
        f["calls_answered"] = f["calls_offered"]
        f["aht_seconds"] = 300.0 + 30 * k
        if closed:
            keep = (naive.hour >= 7) & (naive.hour < 21) & (naive.day_of_week < 5)
            f = f[keep]
        frames.append(f)
    h = pd.concat(frames, ignore_index=True)
    h.attrs = {"interval_minutes": minutes, "tz": TZ}
    return h


def test_contract_columns_rows_and_dst_day():
    h = make_history()
    res = forecast(h, ForecastSettings(14, 15, model="weekly_mean"), n_jobs=1)
    out = res.forecast
    assert list(out.columns) == OUTPUT_COLUMNS
    assert set(out["queue"]) == {"reports", "tips"}
    per_day = out[out["queue"] == "tips"].groupby(
        pd.DatetimeIndex(out.loc[out["queue"] == "tips", "interval_start"]).tz_convert(TZ).tz_localize(None).normalize()).size()
    assert len(per_day) == 14
    assert per_day[pd.Timestamp("2024-03-31")] == 92  # spring forward: 23 hours
    assert (per_day.drop(pd.Timestamp("2024-03-31")) == 96).all()
    assert out["interval_start"].iloc[0] == pd.Timestamp("2024-03-25", tz=TZ)  # midnight after the history
    assert not out.isna().any().any()
    ordered = (out["calls_offered_p025"] <= out["calls_offered_p10"]) & (out["calls_offered_p10"] <= out["calls_offered"]) \
        & (out["calls_offered"] <= out["calls_offered_p90"]) & (out["calls_offered_p90"] <= out["calls_offered_p975"])
    assert ordered.all() and (out["calls_offered_p025"] >= 0).all()
    assert res.backtest is None and res.selection is None
    assert out["aht_seconds"][out["queue"] == "tips"].to_numpy() == pytest.approx(330.0, rel=0.02)


def test_quarter_hours_sum_to_the_hourly_forecast():
    h = make_history()
    q15 = forecast(h, ForecastSettings(7, 15, model="seasonal_naive"), n_jobs=1).forecast
    q60 = forecast(h, ForecastSettings(7, 60, model="seasonal_naive"), n_jobs=1).forecast
    hourly = q15.assign(hour=pd.DatetimeIndex(q15["interval_start"]).tz_convert("UTC").floor("60min")) \
        .groupby(["queue", "hour"])["calls_offered"].sum()
    direct = q60.set_index(["queue", pd.DatetimeIndex(q60["interval_start"]).tz_convert("UTC")])["calls_offered"]
    assert hourly.to_numpy() == pytest.approx(direct.to_numpy())
    q30 = forecast(h, ForecastSettings(7, 30, model="seasonal_naive"), n_jobs=1).forecast
    assert q30["calls_offered"].sum() == pytest.approx(q60["calls_offered"].sum())


def test_closed_hours_stay_zero():
    h = make_history(closed=True)
    out = forecast(h, ForecastSettings(7, 15, model="weekly_mean"), n_jobs=1).forecast
    naive = pd.DatetimeIndex(out["interval_start"]).tz_convert(TZ).tz_localize(None)
    closed = ~((naive.hour >= 7) & (naive.hour < 21) & (naive.day_of_week < 5))
    assert (out.loc[closed, ["calls_offered", "calls_offered_p975"]] == 0).all().all()
    assert (out.loc[~closed, "calls_offered"] > 0).all()


def test_event_in_history_and_horizon_lowers_the_forecast():
    h = make_history(days=56, queues=("reports",), minutes=60)
    days = pd.DatetimeIndex(h["interval_start"]).tz_convert(TZ).tz_localize(None).normalize()
    outage_days = pd.to_datetime(["2024-02-06", "2024-02-20", "2024-03-05"])  # Tuesdays
    h.loc[days.isin(outage_days), "calls_offered"] = (h.loc[days.isin(outage_days), "calls_offered"] * 0.2).round().astype("int64")
    events = pd.DataFrame({"date": pd.to_datetime(["2024-02-06", "2024-02-20", "2024-03-05", "2024-03-26"]),
                           "end_date": pd.to_datetime(["2024-02-06", "2024-02-20", "2024-03-05", "2024-03-26"]),
                           "name": "outage", "kind": "outage"})
    with_ev = forecast(h, ForecastSettings(14, 60, model="regression", country=None), events=events, n_jobs=1).forecast
    without = forecast(h, ForecastSettings(14, 60, model="regression", country=None), events=None, n_jobs=1).forecast
    day = pd.DatetimeIndex(with_ev["interval_start"]).tz_convert(TZ).tz_localize(None).normalize()
    on = day == pd.Timestamp("2024-03-26")
    ratio = with_ev.loc[on, "calls_offered"].sum() / without.loc[on, "calls_offered"].sum()
    assert ratio < 0.5  # the outage effect (x0.2 in history) is applied on the future outage day
    other = day == pd.Timestamp("2024-04-02")  # the next Tuesday, no event
    # without the events file the outage Tuesdays drag the ordinary Tuesday level down
    assert with_ev.loc[other, "calls_offered"].sum() > without.loc[other, "calls_offered"].sum()


def test_auto_with_backtest_and_selection():
    h = make_history(days=49, minutes=60)
    settings = ForecastSettings(7, 60, model="auto", backtest=True, candidates=["seasonal_naive", "weekly_mean"])
    res = forecast(h, settings, n_jobs=1)
    assert res.forecast["model"].str.startswith("auto:").all()
    assert set(res.selection["queue"]) == {"reports", "tips"}
    s = res.backtest
    assert {"wape", "mase", "bias", "coverage80", "coverage95", "rank", "chosen"} <= set(s.columns)
    assert s.groupby("queue")["chosen"].any().all()
    assert set(s["horizon_bucket"]) <= {"all", "day 1", "days 2-7"}


def test_auto_on_a_short_history_falls_back_with_a_note():
    h = make_history(days=9, minutes=60)
    res = forecast(h, ForecastSettings(3, 60, model="auto", candidates=["weekly_mean"]), n_jobs=1)
    assert res.forecast["model"].str.startswith("auto:fallback").all()
    assert res.selection["note"].str.contains("no backtest possible|no candidate").all()
    assert any("auto used auto:fallback(seasonal_naive" in n for n in res.notes)
    # a named model on too short a history: the fallback is named in the output and the note says why
    named = forecast(h, ForecastSettings(3, 60, model="weekly_mean"), n_jobs=1)
    assert (named.forecast["model"] == "weekly_mean->fallback:seasonal_naive(week)").all()
    assert len(named.notes) == 2 and "needs at least 672 intervals (28 days)" in named.notes[1]
    # one day of history: a daily season
    short = forecast(make_history(days=2, minutes=60), ForecastSettings(1, 60, model="ets"), n_jobs=1)
    assert (short.forecast["model"] == "ets->fallback:seasonal_naive(day)").all()


@pytest.mark.parametrize(
    "kwargs, pattern, parameter",
    [
        (dict(model="nope"), r"unknown model 'nope'; valid models: auto, combination, .*seasonal_naive", "model"),
        (dict(horizon_days=0), r"horizon_days must be a whole number >= 1, got 0", "horizon_days"),
        (dict(interval_minutes=5), r"interval_minutes 5 is finer than the history's 15-minute intervals", "interval_minutes"),
        (dict(interval_minutes=45), r"interval_minutes must divide an hour or be whole hours, got 45", "interval_minutes"),
        (dict(interval_minutes=7), r"interval_minutes must be a whole number of minutes dividing a day", "interval_minutes"),
        (dict(queues=["x"]), r"queues: queue\(s\) \['x'\] not in the history", "queues"),
        (dict(candidates=["zzz"]), r"candidates: unknown model\(s\) \['zzz'\]", "candidates"),
        (dict(aht_seconds=-1.0), r"aht_seconds must be > 0 and at most 86,400 \(a day\), got -1.0", "aht_seconds"),
    ],
)
def test_bad_input_names_the_parameter_never_a_flag(kwargs, pattern, parameter):
    settings = dict(horizon_days=7, interval_minutes=15, model="weekly_mean")
    settings.update(kwargs)
    with pytest.raises(WfmInputError, match=pattern) as err:
        forecast(make_history(days=14), ForecastSettings(**settings), n_jobs=1)
    assert err.value.parameter == parameter and "--" not in str(err.value)


def test_calls_only_history_forecasts_calls_and_leaves_aht_empty_unless_given():
    h = make_history(days=14).drop(columns="aht_seconds")
    out = forecast(h, ForecastSettings(2, 15, model="seasonal_naive"), n_jobs=1).forecast
    assert out["aht_seconds"].isna().all() and (out["calls_offered"] > 0).any()
    out = forecast(h, ForecastSettings(2, 15, model="seasonal_naive", aht_seconds=250.0), n_jobs=1).forecast
    assert (out["aht_seconds"] == 250.0).all()
