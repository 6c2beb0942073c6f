"""Tests of optimiser.analysis.calibration: patience estimate and the Erlang check from records."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from optimiser.queueing import erlang
from optimiser.analysis.calibration import erlang_check, estimate_patience, patience_mle, records_per_interval
from wfm.io.call_records import read_call_records
from optimiser.queueing.simulation import simulate
from wfm.ground.errors import WfmInputError

BANK = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "bank_1999" / \
    "anonymous_bank_aug_call_records.csv.gz"

HEADER = "date,vru_exit,q_start,q_time,outcome,ser_time,server\n"


def test_patience_mle_hand_case():
    # 3 queued callers waited 10, 20, 30 s; one hung up -> 60 s / 1 abandonment
    # (Mandelbaum & Zeltyn: total wait / abandonments under exponential patience)
    est = patience_mle([10, 20, 30], [False, False, True])
    assert est.patience_seconds == pytest.approx(60.0)
    assert est.abandonments == 1 and est.queued_calls == 3
    assert est.standard_error_seconds == pytest.approx(60.0)


def test_nobody_hangs_up_gives_infinite_patience():
    assert np.isinf(patience_mle([5, 6], [False, False]).patience_seconds)


@pytest.mark.parametrize("true_patience", [60.0, 180.0])
def test_patience_recovered_from_simulation(true_patience):
    # simulate an understaffed day with known exponential patience, estimate it back
    sim = simulate([60] * 32, [6] * 32, 30, aht_seconds=180, patience_seconds=true_patience, seed=3)
    calls = sim.calls
    est = patience_mle(calls["wait_seconds"].to_numpy(), (calls["outcome"] == "abandoned").to_numpy())
    # tolerance: 4 standard errors (theta / sqrt(abandonments)), a few hundred abandonments
    assert est.abandonments > 200
    assert abs(est.patience_seconds - true_patience) < 4 * est.standard_error_seconds
    assert abs(est.patience_seconds / true_patience - 1) < 0.2


def _write(tmp_path, text, name="calls.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_read_records_and_per_interval(tmp_path):
    p = _write(tmp_path, HEADER +
               "2024-03-04,08:00:05,8:00:05,0,AGENT,100,ANNA\n"      # answered at once
               "2024-03-04,08:01:00,8:01:00,30,AGENT,200,BO\n"      # waited 30 s
               "2024-03-04,08:02:00,8:02:00,50,HANG,0,NO_SERVER\n"  # hung up after 50 s
               "2024-03-04,08:03:00,0:00:00,0,HANG,0,NO_SERVER\n"   # hung up before queueing
               "2024-03-04,08:40:00,8:40:00,5,AGENT,60,ANNA\n")
    r = read_call_records(p)
    assert len(r) == 4 and r.attrs["excluded"]["hung_up_before_queue"] == 1
    assert str(r["queue_entry"].dt.tz) == "Europe/Stockholm"
    est = estimate_patience(r)
    assert est.patience_seconds == pytest.approx((0 + 30 + 50 + 5) / 1)
    pi = records_per_interval(r, 30, answer_within_seconds=20)
    first = pi.iloc[0]
    assert first["calls_offered"] == 3 and first["calls_abandoned"] == 1
    assert first["service_level"] == pytest.approx(1 / 3)
    assert first["aht_seconds"] == pytest.approx(150.0)
    assert first["agents"] == 2


def test_erlang_check_matches_erlang_functions():
    idx = pd.date_range("2024-03-04 08:00", periods=2, freq="30min", tz="Europe/Stockholm")
    pi = pd.DataFrame({"calls_offered": [100.0, 80.0], "aht_seconds": [180.0, 200.0],
                       "agents": [12.0, 11.0], "service_level": [0.8, 0.7],
                       "abandon_rate": [0.02, 0.05]}, index=idx)
    out = erlang_check(pi, 120.0, interval_minutes=30, answer_within_seconds=20)
    assert out["sl_erlang_c"].iloc[0] == pytest.approx(erlang.service_level(100, 30, 180, 12, 20))
    assert out["sl_erlang_a"].iloc[1] == pytest.approx(
        erlang.service_level(80, 30, 200, 11, 20, patience_seconds=120))
    assert out["sl_error_erlang_c"].iloc[0] == pytest.approx(out["sl_erlang_c"].iloc[0] - 0.8)
    # impatient callers make the wait shorter: Erlang A's SL >= Erlang C's
    assert (out["sl_erlang_a"] >= out["sl_erlang_c"] - 1e-12).all()


def test_records_missing_columns_named(tmp_path):
    p = _write(tmp_path, "date,q_start,outcome\n2024-03-04,8:00:00,AGENT\n")
    with pytest.raises(WfmInputError, match=r"calls.csv.*lack the column\(s\) q_time, ser_time"):
        read_call_records(p)


def test_records_bad_values_named(tmp_path):
    p = _write(tmp_path, HEADER + "2024-03-04,08:00:05,8:00:05,-3,AGENT,100,ANNA\n")
    with pytest.raises(WfmInputError, match=r"row 2, column q_time.*>= 0.*'-3'"):
        read_call_records(p)
    p = _write(tmp_path, HEADER + "2024-03-04,08:00:05,8:00:05,3,SERVED,100,ANNA\n", "o.csv")
    with pytest.raises(WfmInputError, match=r"row 2, column outcome.*'SERVED'"):
        read_call_records(p)
    with pytest.raises(WfmInputError, match="not found"):
        read_call_records(tmp_path / "nope.csv")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["date", "q_start", "q_time", "outcome", "ser_time"]),
                min_size=0, max_size=4, unique=True))
def test_any_missing_required_column_is_refused(tmp_path_factory, cols):
    # property: a records file lacking any required column is never accepted silently
    p = tmp_path_factory.mktemp("r") / "rec.csv"
    p.write_text(",".join(cols or ["x"]) + "\n" + ",".join(["1"] * max(1, len(cols))) + "\n")
    with pytest.raises(WfmInputError, match="lack the column"):
        read_call_records(p)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e4), st.booleans()), min_size=1, max_size=50))
def test_patience_mle_invariants(pairs):
    w = np.array([p[0] for p in pairs])
    a = np.array([p[1] for p in pairs])
    est = patience_mle(w, a)
    if a.any():
        assert est.patience_seconds * a.sum() == pytest.approx(w.sum())
        # more waiting observed with the same abandonments never lowers the estimate
        assert patience_mle(w + 1.0, a).patience_seconds >= est.patience_seconds
    else:
        assert np.isinf(est.patience_seconds)


@pytest.mark.skipif(not BANK.exists(), reason="bank call records not available")
def test_bank_august_patience():
    r = read_call_records(BANK, tz="Asia/Jerusalem")
    est = estimate_patience(r)
    # 28 % of queued calls abandoned (shared/data/README.md); patience a few minutes
    assert 0.15 < est.abandonments / est.queued_calls < 0.35
    assert 120 < est.patience_seconds < 900


def test_per_interval_on_a_fall_back_day_keeps_both_ambiguous_hours(tmp_path):
    # 02:30 local happens twice on 2024-10-27 in Stockholm; read as local wall time it is ambiguous
    # and refused by name -- never dropped silently
    p = _write(tmp_path, HEADER + "2024-10-27,02:30:00,2:30:00,10,AGENT,100,ANNA\n")
    with pytest.raises(WfmInputError, match=r"row 2.*does not exist or is ambiguous in Europe/Stockholm"):
        read_call_records(p)
    idx = pd.to_datetime(["2024-10-27T02:10:00+02:00", "2024-10-27T02:10:00+01:00"], utc=True).tz_convert(
        "Europe/Stockholm")
    recs = pd.DataFrame({"queue_entry": idx, "wait_seconds": [5.0, 5.0], "abandoned": [False, False],
                         "handle_seconds": [100.0, 100.0], "server": ["A", "B"]})
    pi = records_per_interval(recs, 30)
    assert len(pi) == 2 and (pi["calls_offered"] == 1).all()
