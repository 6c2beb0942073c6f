"""One-off days: a spike and an outage are found and replaced; holidays and Poisson noise are not."""

import numpy as np
import pandas as pd

from forecasting.cleaning import find_outlier_days, replace_outlier_days
from forecasting.models import make_model

TZ = "Europe/Stockholm"


def _history(weeks: int = 10, seed: int = 0) -> pd.DataFrame:
    idx = pd.date_range(pd.Timestamp("2024-01-01", tz=TZ), periods=weeks * 7 * 24, freq="60min")
    hour = idx.hour.to_numpy()
    lam = np.where((hour >= 8) & (hour < 18), 40.0, 2.0) * np.where(idx.day_of_week < 5, 1.0, 0.5)
    calls = np.random.default_rng(seed).poisson(lam).astype(float)
    h = pd.DataFrame({"interval_start": idx, "calls_offered": calls})
    h.attrs = {"interval_minutes": 60, "tz": TZ}
    return h


def _day(h, date):
    local = h["interval_start"].dt.tz_convert(TZ).dt.tz_localize(None).dt.normalize()
    return (local == pd.Timestamp(date)).to_numpy()


def test_poisson_noise_alone_has_no_outlier_day():
    assert find_outlier_days(_history(), TZ) == []


def test_a_spike_and_an_outage_are_found_and_replaced_by_their_usual_level():
    h = _history()
    spike, outage = _day(h, "2024-02-14"), _day(h, "2024-02-20")
    h.loc[spike, "calls_offered"] *= 5
    h.loc[outage, "calls_offered"] = np.round(h.loc[outage, "calls_offered"] * 0.1)
    found = find_outlier_days(h, TZ)
    assert [d.date for d in found] == [pd.Timestamp("2024-02-14"), pd.Timestamp("2024-02-20")]
    assert found[0].calls > 4 * found[0].expected_calls and found[1].calls < 0.2 * found[1].expected_calls
    clean = replace_outlier_days(h, TZ, found)
    assert len(clean) == len(h) and (clean["interval_start"] == h["interval_start"]).all()
    usual = h.loc[_day(h, "2024-02-07"), "calls_offered"].sum()
    assert abs(clean.loc[spike, "calls_offered"].sum() - usual) < 0.25 * usual
    assert (clean.loc[~(spike | outage), "calls_offered"] == h.loc[~(spike | outage), "calls_offered"]).all()


def test_a_known_holiday_is_never_flagged():
    h = _history()
    h.loc[_day(h, "2024-02-14"), "calls_offered"] = 0.0
    assert [d.date for d in find_outlier_days(h, TZ)] == [pd.Timestamp("2024-02-14")]
    assert find_outlier_days(h, TZ, special_dates=["2024-02-14"]) == []


def test_a_spike_in_the_last_weeks_moves_the_4_week_mean_unless_cleaned():
    h = _history()
    clean_fc = make_model("weekly_mean").fit(h).predict(7 * 24)["calls_offered"].sum()
    h.loc[_day(h, "2024-03-06"), "calls_offered"] *= 5  # a Wednesday in the last 4 weeks
    spiked_fc = make_model("weekly_mean").fit(h).predict(7 * 24)["calls_offered"].sum()
    fixed = replace_outlier_days(h, TZ, find_outlier_days(h, TZ))
    fixed_fc = make_model("weekly_mean").fit(fixed).predict(7 * 24)["calls_offered"].sum()
    assert spiked_fc > 1.1 * clean_fc  # a quarter of 4x one weekday's calls
    assert abs(fixed_fc - clean_fc) < 0.02 * clean_fc
