"""Combination and auto: combining rules, backtest choice, calibration, fallback."""

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import rolling_origin_backtest
from forecasting.ensemble import AutoForecaster, Combination, combine_points, select_from_backtest
from forecasting.models.base import FORECAST_COLUMNS
from wfm.ground.errors import WfmInputError

TZ = "Europe/Stockholm"


def history(days=63, noise=True, seed=0, level_shift=None):
    idx = pd.date_range(pd.Timestamp("2024-01-01", tz=TZ), periods=days * 24, freq="60min")
    naive = idx.tz_localize(None)
    mu = 20 + 10 * np.sin(np.pi * naive.hour.to_numpy() / 24) ** 2 + 3 * (naive.day_of_week.to_numpy() < 5)
    rng = np.random.default_rng(seed)
    calls = rng.poisson(mu) if noise else mu.round()
    frame = pd.DataFrame({"interval_start": idx, "queue": "q", "calls_offered": calls.astype("int64")})
    frame.attrs = {"interval_minutes": 60, "tz": TZ}
    return frame


def test_combine_points_rules():
    pts = np.array([[1.0, 10.0], [2.0, 20.0], [9.0, 30.0]])
    assert combine_points(pts, method="median") == pytest.approx([2.0, 20.0])
    assert combine_points(pts, np.array([1, 1, 2]), "weighted") == pytest.approx([(1 + 2 + 18) / 4, (10 + 20 + 60) / 4])
    with pytest.raises(WfmInputError, match="non-negative numbers with a positive sum"):
        combine_points(pts, np.array([1, -1, 1]))


def test_combination_of_identical_members_equals_the_member():
    h = history()
    single = Combination(["weekly_mean"], method="weighted").fit(h).predict(48)
    both = Combination(["weekly_mean", "weekly_mean"], method="weighted", weights=[0.3, 0.7]).fit(h).predict(48)
    from forecasting.models import make_model

    ref = make_model("weekly_mean").fit(h).predict(48)
    assert both["calls_offered"].to_numpy() == pytest.approx(ref["calls_offered"].to_numpy())
    assert single["calls_offered"].to_numpy() == pytest.approx(ref["calls_offered"].to_numpy())
    assert list(both.columns) == FORECAST_COLUMNS
    b = both
    assert (b["calls_offered_p025"] <= b["calls_offered_p10"]).all() and (b["calls_offered_p10"] <= b["calls_offered"]).all()
    assert (b["calls_offered"] <= b["calls_offered_p90"]).all() and (b["calls_offered_p90"] <= b["calls_offered_p975"]).all()


def test_combination_bad_params():
    with pytest.raises(WfmInputError, match="2 weights for 3 members"):
        Combination(["weekly_mean", "seasonal_naive", "ets"], method="weighted", weights=[1, 2]).fit(history())
    with pytest.raises(WfmInputError, match="method must be 'median' or 'weighted'"):
        Combination(["weekly_mean"], method="mean").fit(history())


def _fake_backtest(errors: dict[str, float], n=400, seed=0):
    """Backtest forecasts where model m is off by a factor (1 + e) with noise."""
    rng = np.random.default_rng(seed)
    actual = rng.poisson(50, n).astype(float)
    ts = pd.date_range(pd.Timestamp("2024-01-01", tz=TZ), periods=n, freq="60min")
    rows = []
    for m, e in errors.items():
        f = np.clip(actual * (1 + e * rng.standard_normal(n)), 0.0, None)
        rows.append(pd.DataFrame({"queue": "q", "model": m, "origin": ts[0], "interval_start": ts, "lead_days": 1.0,
                                  "actual": actual, "calls_offered": f, "calls_offered_p10": f * 0.9,
                                  "calls_offered_p90": f * 1.1, "calls_offered_p025": f * 0.8,
                                  "calls_offered_p975": f * 1.2, "mase_scale": 5.0}))
    return pd.concat(rows, ignore_index=True)


def test_select_picks_the_lowest_wape_and_keeps_the_table():
    fc = _fake_backtest({"good": 0.05, "mid": 0.3, "bad": 0.6})
    sel = select_from_backtest(fc, strategy="best", queue="q")
    assert sel.members == ("good",) and sel.label == "auto:good"
    t = sel.table
    assert t.loc[t["candidate"] == "good", "rank"].iloc[0] == 1
    assert bool(t.loc[t["candidate"] == "good", "chosen"].iloc[0])
    # a clearly worse model does not join a combination (WAPE > 1.25 x best)
    assert select_from_backtest(fc, strategy="weighted", top_k=3).members == ("good",)
    w = select_from_backtest(fc, strategy="weighted", top_k=3, max_wape_ratio=100.0)
    # inverse-WAPE weights (Stock & Watson 2004): better model, larger weight; sum 1
    assert w.weights[0] > w.weights[1] > w.weights[2] and sum(w.weights) == pytest.approx(1.0)
    assert w.members[0] == "good"
    with pytest.raises(WfmInputError, match="max_wape_ratio must be >= 1"):
        select_from_backtest(fc, max_wape_ratio=0.5)


def test_auto_strategy_prefers_combination_only_when_it_scores_better():
    # two equally good models with independent errors: averaging them halves the error variance
    fc = _fake_backtest({"a": 0.2, "b": 0.2})
    sel = select_from_backtest(fc, strategy="auto", top_k=2)
    assert sel.method in ("weighted", "median") and set(sel.members) == {"a", "b"}
    fc2 = _fake_backtest({"a": 0.02, "b": 0.5})
    assert select_from_backtest(fc2, strategy="auto", top_k=2).members == ("a",)


def test_combination_needs_to_beat_the_single_model_by_the_margin():
    fc = _fake_backtest({"a": 0.2, "b": 0.2, "c": 0.2})
    t = select_from_backtest(fc, strategy="auto").table
    combo = t.loc[t["kind"].isin(["contender:weighted", "contender:median"]), "wape"].min()
    single = t.loc[t["kind"] == "contender:best", "wape"].iloc[0]
    gain = 1 - combo / single  # three independent errors: the combination is ~40 % better
    assert gain > 0.2
    assert len(select_from_backtest(fc, combination_margin=gain - 0.01).members) == 3
    # asking for a bigger gain than the combination has keeps the single best model
    kept = select_from_backtest(fc, combination_margin=gain + 0.01)
    assert len(kept.members) == 1 and kept.label == f"auto:{kept.members[0]}"
    with pytest.raises(WfmInputError, match=r"combination_margin must be a fraction in \[0, 1\), got 1.5"):
        select_from_backtest(fc, combination_margin=1.5)


def test_median_of_three_ignores_one_member_gone_astray():
    # a and b are good; c is as good on average but sometimes far off:
    # the median of the three stays with a and b where c goes astray
    rng = np.random.default_rng(1)
    fc = _fake_backtest({"a": 0.1, "b": 0.1, "c": 0.1})
    c = fc["model"] == "c"
    astray = c & (rng.random(len(fc)) < 0.2)
    fc.loc[astray, "calls_offered"] = fc.loc[astray, "actual"] * 2.5
    sel = select_from_backtest(fc, strategy="median", top_k=3, max_wape_ratio=100.0)
    assert sel.method == "median" and len(sel.members) == 3
    t = sel.table.set_index("kind")
    assert t.loc["contender:median", "wape"] < t.loc["contender:weighted", "wape"]


def test_backtest_calibration_covers_about_80_percent():
    fc = _fake_backtest({"a": 0.2}, n=2000)
    sel = select_from_backtest(fc, strategy="best")
    from forecasting.models.base import interval_bounds

    b = interval_bounds(fc["calls_offered"].to_numpy(), sel.calibration)
    inside = (fc["actual"] >= b["calls_offered_p10"]) & (fc["actual"] <= b["calls_offered_p90"])
    assert 0.77 <= inside.mean() <= 0.83  # empirical quantiles of the standardised residuals
    assert sel.calibration.source == "backtest"


def test_failed_models_are_not_eligible_and_all_failed_is_an_error():
    fc = _fake_backtest({"a": 0.2, "b": 0.1})
    failures = pd.DataFrame([{"queue": "q", "model": "b", "origin": None, "error": "too short"}])
    sel = select_from_backtest(fc, failures, strategy="best")
    assert sel.members == ("a",)
    assert "not eligible: too short" in sel.table["note"].tolist()
    with pytest.raises(WfmInputError, match="no candidate model has a complete backtest"):
        select_from_backtest(fc[fc["model"] == "b"], failures)
    with pytest.raises(WfmInputError, match="strategy must be one of"):
        select_from_backtest(fc, strategy="vote")


def test_auto_on_a_small_history_end_to_end():
    h = history(days=56, seed=3)
    auto = AutoForecaster(candidates=["seasonal_naive", "weekly_mean"], horizon_days=7, n_origins=2).fit(h)
    out = auto.predict(24 * 7)
    assert len(out) == 168 and list(out.columns) == FORECAST_COLUMNS
    assert out["model"].iloc[0].startswith("auto:")
    sel = auto.selection_
    assert sel["chosen"].any()
    bt = auto.backtest_.summary()
    # the chosen model is the one with rank 1 when the single best is used
    if auto.choice_.method == "weighted" and len(auto.choice_.members) == 1:
        best = bt[(bt["horizon_bucket"] == "all") & (bt["rank"] == 1)]["model"].iloc[0]
        assert auto.choice_.members == (best,)
    # fit then predict is reproducible
    again = AutoForecaster(candidates=["seasonal_naive", "weekly_mean"], horizon_days=7, n_origins=2).fit(h).predict(168)
    pd.testing.assert_frame_equal(out, again)


def test_auto_falls_back_on_a_short_history():
    h = history(days=10)
    auto = AutoForecaster(candidates=["weekly_mean", "ets"]).fit(h)
    out = auto.predict(24)
    assert out["model"].iloc[0].startswith("auto:fallback(seasonal_naive")
    note = auto.selection_["note"].iloc[0]
    assert "no backtest possible" in note or "no candidate could be backtested" in note
    with pytest.raises(WfmInputError, match="unknown candidate model"):
        AutoForecaster(candidates=["nope"]).fit(h)


def test_make_forecaster_builds_auto_and_combination_and_the_registry_knows_single_models_only():
    from forecasting.ensemble import make_forecaster
    from forecasting.models import MODELS, make_model

    auto = make_forecaster("auto", candidates=["seasonal_naive", "weekly_mean"], horizon_days=7, n_origins=2)
    assert isinstance(auto, AutoForecaster) and auto.n_origins == 2
    assert isinstance(make_forecaster("combination", members=["weekly_mean"]), Combination)
    # ensembles are built by name but are not candidates of themselves, nor in the registry
    assert "auto" not in MODELS and "combination" not in MODELS
    out = auto.fit(history(days=56, seed=3)).predict(24)
    assert out["model"].iloc[0].startswith("auto:")
    with pytest.raises(WfmInputError, match=r"unknown model 'auto'; known models: \[.*'seasonal_naive'"):
        make_model("auto")
    with pytest.raises(WfmInputError, match=r"unknown model 'nope'; known models"):
        make_forecaster("nope")
    with pytest.raises(WfmInputError, match=r"model 'auto': bad hyperparameters \['colour'\]"):
        make_forecaster("auto", colour="blue")


def test_backtest_design_keeps_three_weeks_of_training():
    from forecasting.ensemble import backtest_design

    # long history: the asked design as is
    assert backtest_design(400, 6, 7, 42) == (6, 42)
    # horizon shortened first: 100 - 21 - 5*7 = 44 days of room -> 42; 80 days -> 24
    assert backtest_design(80, 6, 7, 42) == (6, 24)
    # then origins: 40 days hold 21 + (n-1)*7 + 1 only for n <= 3
    assert backtest_design(40, 6, 7, 3) == (3, 3)
    assert 40 - 21 - (3 - 1) * 7 >= 1 and 40 - 21 - (4 - 1) * 7 < 1
    # too short for any: one origin, one day (the backtest then explains)
    assert backtest_design(10, 6, 7, 7) == (1, 1)


def test_auto_on_six_weeks_uses_fewer_origins_instead_of_failing():
    # 6 origins a week apart need 21 + 35 + 1 days; 40 days of history get 3
    h = history(days=40, seed=5)
    auto = AutoForecaster(candidates=["seasonal_naive", "weekly_mean"], horizon_days=7).fit(h)
    assert auto.backtest_.forecasts["origin"].nunique() == 3
    # weekly_mean needs 4 weeks: with 3 weeks before the first origin it is
    # not eligible (the reason is kept), seasonal naive is backtested and chosen
    assert set(auto.backtest_.failures["model"]) == {"weekly_mean"}
    assert auto.predict(24)["model"].iloc[0] == "auto:seasonal_naive"
    note = auto.selection_.set_index("candidate").loc["weekly_mean", "note"]
    assert note.startswith("not eligible: model 'weekly_mean' needs at least 672 intervals")


def test_relative_wape_averages_each_queues_ratio_to_its_best():
    from forecasting.ensemble import relative_wape

    ts = pd.date_range(pd.Timestamp("2024-01-01", tz=TZ), periods=2, freq="60min")
    rows = []
    # queue x: a off by 1 and 1 of 10+10 calls (WAPE 0.1), b by 2 and 2 (0.2)
    # queue y: a 0.3, b 0.1
    for q, errs in {"x": {"a": 1.0, "b": 2.0}, "y": {"a": 3.0, "b": 1.0}}.items():
        for m, e in errs.items():
            rows.append(pd.DataFrame({"queue": q, "model": m, "origin": ts[0], "interval_start": ts, "lead_days": 0.5,
                                      "actual": [10.0, 10.0], "calls_offered": [10.0 + e, 10.0 - e]}))
    prior = relative_wape(pd.concat(rows, ignore_index=True))
    assert prior["a"] == pytest.approx((1.0 + 3.0) / 2)
    assert prior["b"] == pytest.approx((2.0 + 1.0) / 2)


def test_pooling_breaks_a_near_tie_by_the_other_queues():
    fc = _fake_backtest({"a": 0.105, "b": 0.1}, n=2000)
    t = select_from_backtest(fc, strategy="best").table.set_index("candidate")
    wa, wb = t.loc["a", "wape"], t.loc["b", "wape"]
    assert wb < wa < 1.1 * wb  # on this queue b is a hair better
    assert select_from_backtest(fc, strategy="best").members == ("b",)
    # on the other queues a was 1.0x the best and b 1.5x: the pooled ranking picks a
    prior = {"a": 1.0, "b": 1.5}
    assert select_from_backtest(fc, strategy="best", relative_prior=prior).members == ("a",)
    # no pooling: this queue's own backtest alone
    assert select_from_backtest(fc, strategy="best", relative_prior=prior, pooling=0.0).members == ("b",)
    with pytest.raises(WfmInputError, match=r"pooling must be a fraction in \[0, 1\], got 2"):
        select_from_backtest(fc, relative_prior=prior, pooling=2)
