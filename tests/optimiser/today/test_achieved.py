"""Accessibility on actuals (optimiser.today.achieved): measured, estimated and compared with a plan."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from optimiser.queueing import erlang
from optimiser.today.achieved import (
    ACHIEVED_COLUMNS,
    achieved_accessibility,
    between_days,
    compare_with_plan,
    estimate_within_target,
    history_from_records,
    patience_from_counts,
)
from wfm.ground.errors import WfmInputError

TZ = "Europe/Stockholm"
BANK = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "bank_1999" / "anonymous_bank_aug_call_records.csv.gz"


def _history(days=2, start="2026-03-02", queues=("a", "b"), calls=40, answered=36, abandoned=4, asa=60.0,
             aht=300.0, within=None, interval_minutes=60):
    idx = pd.date_range(start, periods=24 * 60 // interval_minutes * days, freq=f"{interval_minutes}min", tz=TZ)
    frames = []
    for q in queues:
        f = pd.DataFrame({"interval_start": idx, "queue": q, "calls_offered": calls,
                          "calls_answered": pd.array([answered] * len(idx), dtype="Int64"),
                          "calls_abandoned": pd.array([abandoned] * len(idx), dtype="Int64"),
                          "aht_seconds": aht, "asa_seconds": asa})
        if within is not None:
            f["calls_answered_within_target"] = pd.array([within] * len(idx), dtype="Int64")
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    out.attrs["interval_minutes"] = interval_minutes
    return out


def test_measured_share_is_the_count_over_offered():
    h = _history(within=30)
    r = achieved_accessibility(h, 20, by="day")
    assert list(r.columns) == list(ACHIEVED_COLUMNS)
    assert set(r["service_level_source"]) == {"measured"}
    assert np.allclose(r["service_level"], 30 / 40)
    assert np.allclose(r["abandon_rate"], 4 / 40)
    assert np.allclose(r["asa_seconds"], 60.0)
    # two days x (two queues + all)
    assert list(r["queue"]) == ["a", "b", "all"] * 2
    assert r.loc[r["queue"] == "all", "calls_offered"].tolist() == [2 * 24 * 40] * 2


def test_estimate_recovers_erlang_a_when_the_data_is_erlang_a():
    # Build intervals whose observed ASA and answered count ARE Erlang A at a known staffing:
    # the estimate must give back Erlang A's share within T at that staffing.
    calls = np.array([30.0, 60.0, 120.0, 200.0])
    aht, patience, T = 240.0, 600.0, 30.0
    n = np.array([4.0, 6.0, 9.0, 14.0])
    asa = erlang.asa_seconds(calls, 60, aht, n, patience_seconds=patience)
    sl = erlang.service_level(calls, 60, aht, n, T, patience_seconds=patience)
    ab = erlang.abandon_rate(calls, 60, aht, n, patience)
    answered = calls * (1 - ab)
    est = estimate_within_target(calls, answered, asa, np.full(4, aht), interval_minutes=60,
                                 answer_within_seconds=T, patience_seconds=patience)
    assert np.allclose(est, sl * calls, rtol=1e-6)


def test_estimate_with_infinite_patience_is_erlang_c():
    calls, aht, n, T = np.array([50.0, 80.0]), 180.0, np.array([4.0, 6.0]), 20.0
    asa = erlang.asa_seconds(calls, 60, aht, n)
    est = estimate_within_target(calls, calls, asa, np.full(2, aht), interval_minutes=60,
                                 answer_within_seconds=T, patience_seconds=np.inf)
    assert np.allclose(est, erlang.service_level(calls, 60, aht, n, T) * calls, rtol=1e-6)


def test_exact_cases_are_not_estimated():
    est = estimate_within_target([10, 10, 10], [0, 10, 8], [np.nan, 0.0, np.nan], [200.0, 200.0, 200.0],
                                 interval_minutes=15, answer_within_seconds=20, patience_seconds=300.0)
    assert est[0] == 0.0 and est[1] == 10.0 and np.isnan(est[2])


@settings(max_examples=40, deadline=None)
@given(asa_low=st.floats(1.0, 400.0), extra=st.floats(1.0, 600.0), calls=st.integers(5, 300),
       T=st.sampled_from([0.0, 20.0, 60.0, 180.0]))
def test_a_slower_answer_never_estimates_more_calls_within_target(asa_low, extra, calls, T):
    est = estimate_within_target([calls, calls], [calls, calls], [asa_low, asa_low + extra], [300.0, 300.0],
                                 interval_minutes=30, answer_within_seconds=T, patience_seconds=900.0)
    assert 0 <= est[1] <= est[0] + 1e-9 <= calls + 1e-9


def test_estimated_and_unknown_are_labelled_never_mixed_silently():
    h = _history(days=1)
    r = achieved_accessibility(h, 20)
    assert set(r["service_level_source"]) == {"estimate_erlang_a"}
    assert r["service_level"].between(0, 36 / 40).all()
    no_asa = h.drop(columns=["asa_seconds"])
    u = achieved_accessibility(no_asa, 20)
    assert set(u["service_level_source"]) == {"unknown"}
    assert u["service_level"].isna().all()
    assert np.allclose(u["abandon_rate"], 0.1)  # exact without any model
    mixed = h.assign(calls_answered_within_target=pd.array([30] * 24 + [None] * 24, dtype="Int64"))
    m = achieved_accessibility(mixed, 20)
    assert dict(zip(m["queue"], m["service_level_source"])) == {"a": "measured", "b": "estimate_erlang_a",
                                                                  "all": "mixed"}


def test_patience_from_counts_is_total_wait_over_abandons():
    h = _history(days=1, asa=100.0, answered=8, abandoned=2, calls=10)
    p = patience_from_counts(h)
    assert np.allclose(p, 100.0 * 10 / 2)
    no_abandon = _history(days=1, abandoned=0, answered=40)
    assert np.isinf(patience_from_counts(no_abandon)).all()


def test_week_starts_on_monday_local_and_interval_period_keeps_intervals():
    h = _history(days=8, start="2026-03-04")  # a Wednesday
    w = achieved_accessibility(h, 20, by="week", patience_seconds=600.0)
    starts = sorted(set(w["period_start"]))
    assert [s.strftime("%a %Y-%m-%d") for s in starts] == ["Mon 2026-03-02", "Mon 2026-03-09"]
    assert w.loc[w["queue"] == "a", "calls_offered"].tolist() == [5 * 24 * 40, 3 * 24 * 40]
    i = achieved_accessibility(h, 20, by="interval", patience_seconds=600.0)
    assert len(i) == 8 * 24 * 3
    with pytest.raises(WfmInputError, match="by must be one of"):
        achieved_accessibility(h, 20, by="month")
    with pytest.raises(WfmInputError, match="answer_within_seconds must be"):
        achieved_accessibility(h, -1)


def test_between_days_and_its_errors():
    h = _history(days=3)
    assert between_days(h, "2026-03-03", "2026-03-03")["interval_start"].dt.day.unique().tolist() == [3]
    with pytest.raises(WfmInputError, match="no intervals between"):
        between_days(h, "2027-01-01")
    with pytest.raises(WfmInputError, match="last_day must be on or after"):
        between_days(h, "2026-03-03", "2026-03-02")
    with pytest.raises(WfmInputError, match="first_day must be a date"):
        between_days(h, "soon")


def test_plan_promise_is_call_weighted_and_set_beside_actuals():
    h = _history(days=1, within=30, queues=("a",))
    req = pd.DataFrame({"interval_start": h["interval_start"], "queue": "a",
                        "calls_offered": np.r_[np.full(12, 10.0), np.full(12, 30.0)],
                        "service_level": np.r_[np.full(12, 0.5), np.full(12, 0.9)],
                        "abandon_rate": 0.05, "asa_seconds": 40.0, "agents_required": 3})
    out = compare_with_plan(achieved_accessibility(h, 20), req)
    row = out[out["queue"] == "a"].iloc[0]
    assert row["plan_calls_offered"] == 480
    assert row["plan_service_level"] == pytest.approx((120 * 0.5 + 360 * 0.9) / 480)
    assert row["service_level_vs_plan"] == pytest.approx(0.75 - row["plan_service_level"])
    with pytest.raises(WfmInputError, match="needed to say what it promised"):
        compare_with_plan(achieved_accessibility(h, 20), req.drop(columns=["service_level"]))


@pytest.mark.skipif(not BANK.exists(), reason="reference data ../shared/data not present")
def test_bank_records_measured_and_the_estimate_against_them():
    from wfm.io.call_records import read_call_records

    records = read_call_records(BANK, tz="Asia/Jerusalem")
    h = history_from_records(records, queue="bank", interval_minutes=30, answer_within_seconds=60)
    measured = achieved_accessibility(h, 60, by="day")
    assert set(measured["service_level_source"]) == {"measured"}
    # measured = the records' own count of answered calls that waited <= 60 s
    answered_fast = int((~records["abandoned"] & (records["wait_seconds"] <= 60)).sum())
    assert measured["calls_answered_within_target"].sum() == answered_fast
    assert measured["calls_offered"].sum() == len(records)
    est = achieved_accessibility(h.drop(columns=["calls_answered_within_target"]), 60, by="day")
    error = (est["service_level"] - measured["service_level"]).abs()
    assert error.mean() < 0.03  # measured 0.012 on this month (docs/intraday.md)
