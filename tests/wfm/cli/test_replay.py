"""Tests of `wfm replay` and `wfm risk` through the real CLI router (exit codes and messages)."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings, strategies as st

from wfm.cli import main

from tests.optimiser.analysis.replay_builders import PROFILE, TINY_RULES, TZ

RULES = {**TINY_RULES, "service_level": {"answer_within_seconds": 20, "target_service_level": 0.8}}


@pytest.fixture
def files(tmp_path):
    idx = pd.date_range("2025-01-06", periods=24 * 7 * 5, freq="60min", tz=TZ)
    rng = np.random.default_rng(0)
    pd.DataFrame({"interval_start": [t.isoformat() for t in idx], "queue": "reports",
                  "calls_offered": rng.poisson(np.tile(PROFILE, 35)), "aht_seconds": 180.0}
                 ).to_csv(tmp_path / "history.csv", index=False)
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(RULES))
    return tmp_path


def _records(path, with_all=True):
    rng = np.random.default_rng(1)
    rows = []
    for i in range(400):
        minute = int(rng.integers(8 * 60, 20 * 60))
        clock = f"{minute // 60}:{minute % 60:02d}:00"
        hang = rng.random() < 0.2
        rows.append({"date": "2025-02-04", "vru_exit": clock, "q_start": clock,
                     "q_time": int(rng.integers(1, 120)), "outcome": "HANG" if hang else "AGENT",
                     "ser_time": 0 if hang else int(rng.exponential(180)),
                     "server": "NO_SERVER" if hang else f"S{int(rng.integers(0, 12))}"})
    df = pd.DataFrame(rows)
    if not with_all:
        df = df.drop(columns=["q_time", "outcome"])
    df.to_csv(path, index=False)


def test_replay_writes_a_self_contained_report(files, capsys):
    _records(files / "calls.csv")
    out = files / "report.html"
    code = main(["replay", str(files / "history.csv"), "--cut", "2025-02-03", "--weeks", "1",
                 "--rules", str(files / "rules.yaml"), "--records", str(files / "calls.csv"),
                 "--out", str(out), "--replications", "1", "--per-day-csv", str(files / "days.csv")])
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert "Where the gap comes from" in text and "Promised versus achieved" in text
    assert "Queueing model calibration" in text           # records given: calibration chart
    # no network needed: every <script> tag is inline (plotly.js itself is in the file)
    import re
    assert not re.search(r"<script[^>]*\ssrc=", text)
    assert "Plotly.newPlot" in text and len(text) > 1_000_000
    days = pd.read_csv(files / "days.csv")
    assert len(days) == 7
    assert np.allclose(days[["rounding", "queueing_model", "forecast"]].sum(axis=1), days["gap"])
    printed = capsys.readouterr().out
    assert "mean gap" in printed and "report written" in printed


@pytest.mark.parametrize("cut, weeks, match", [
    ("2026-01-01", "1", "outside the history"),
    ("2025-01-10", "1", "at least 14 days"),
    ("2025-02-03", "0", "--weeks must be >= 1"),
])
def test_replay_bad_cut_exits_2(files, capsys, cut, weeks, match):
    code = main(["replay", str(files / "history.csv"), "--cut", cut, "--weeks", weeks,
                 "--rules", str(files / "rules.yaml"), "--out", str(files / "r.html")])
    assert code == 2
    import re
    assert re.search(match, capsys.readouterr().err)


def test_replay_standard_error_runs_more_replications(files, capsys):
    code = main(["replay", str(files / "history.csv"), "--cut", "2025-02-03", "--weeks", "1",
                 "--rules", str(files / "rules.yaml"), "--out", str(files / "r.html"), "--replications", "2",
                 "--standard-error", "0.02", "--max-replications", "30",
                 "--per-day-csv", str(files / "days.csv")])
    assert code == 0
    days = pd.read_csv(files / "days.csv")
    assert (days["replications"] > 2).all() and (days["replications"] <= 30).all()
    assert ((days["sim_standard_error"] <= 0.02) | (days["replications"] == 30)).all()
    assert np.allclose(days[["time_variation", "queueing_residual"]].sum(axis=1), days["queueing_model"])
    assert "replications" in capsys.readouterr().out


@pytest.mark.parametrize("flags, match", [
    (["--standard-error", "2"], "--standard-error must be < 1"),
    (["--standard-error", "0.01", "--replications", "5", "--max-replications", "3"],
     "--max-replications must be >= 5"),
])
def test_replay_bad_replication_flags_exit_2(files, capsys, flags, match):
    code = main(["replay", str(files / "history.csv"), "--cut", "2025-02-03", "--weeks", "1",
                 "--rules", str(files / "rules.yaml"), "--out", str(files / "r.html"), *flags])
    assert code == 2
    assert match in capsys.readouterr().err


def test_replay_records_without_needed_columns_exit_2(files, capsys):
    _records(files / "calls.csv", with_all=False)
    code = main(["replay", str(files / "history.csv"), "--cut", "2025-02-03", "--weeks", "1",
                 "--rules", str(files / "rules.yaml"), "--records", str(files / "calls.csv"),
                 "--out", str(files / "r.html")])
    assert code == 2
    err = capsys.readouterr().err
    assert "calls.csv" in err and "q_time, outcome" in err


def _forecast_csv(path, start="2025-02-03", days=2):
    idx = pd.date_range(start, periods=24 * days, freq="60min", tz=TZ)
    m = np.tile(PROFILE, days)
    pd.DataFrame({"interval_start": [t.isoformat() for t in idx], "queue": "reports", "calls_offered": m,
                  "calls_offered_p10": m * 0.8, "calls_offered_p90": m * 1.25,
                  "calls_offered_p025": m * 0.7, "calls_offered_p975": m * 1.4, "aht_seconds": 180.0,
                  "model": "test"}).to_csv(path, index=False)


def _schedule_csv(path, start="2025-02-03", days=2, count=8):
    rows = []
    for d in range(days):
        day = pd.Timestamp(start, tz=TZ) + pd.Timedelta(days=d)
        for k, (h, n) in enumerate(((0, 2), (8, count), (12, count), (16, 3))):
            s = day + pd.Timedelta(hours=h)
            rows.append({"shift_id": f"S{d}{k}", "template": "day", "skill_group": "a",
                         "start": s.isoformat(), "end": (s + pd.Timedelta(hours=8)).isoformat(),
                         "count": n, "paid_minutes": 480, "breaks": ""})
    pd.DataFrame(rows).to_csv(path, index=False)


def test_risk_prints_probabilities_and_cost(tmp_path, capsys):
    _forecast_csv(tmp_path / "f.csv")
    _schedule_csv(tmp_path / "s.csv")
    code = main(["risk", "--schedule", str(tmp_path / "s.csv"), "--forecast", str(tmp_path / "f.csv"),
                 "--answer-within-seconds", "20", "--samples", "200", "--json",
                 "--out", str(tmp_path / "risk.csv")])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["days"] == 2
    assert out["summary"]["agent_hours_for_confidence"] >= out["summary"]["agent_hours_point"]
    for day in out["per_day"]:
        assert 0 <= day["p_meet"] <= 1
    assert len(pd.read_csv(tmp_path / "risk.csv")) == 2
    # more agents on every shift: never a lower probability
    _schedule_csv(tmp_path / "s2.csv", count=12)
    main(["risk", "--schedule", str(tmp_path / "s2.csv"), "--forecast", str(tmp_path / "f.csv"),
          "--answer-within-seconds", "20", "--samples", "200", "--json"])
    more = json.loads(capsys.readouterr().out)
    assert more["summary"]["mean_p_meet"] >= out["summary"]["mean_p_meet"]


def test_risk_schedule_and_forecast_not_overlapping_exit_2(tmp_path, capsys):
    _forecast_csv(tmp_path / "f.csv", start="2025-02-03")
    _schedule_csv(tmp_path / "s.csv", start="2025-03-03")
    code = main(["risk", "--schedule", str(tmp_path / "s.csv"), "--forecast", str(tmp_path / "f.csv")])
    assert code == 2
    err = capsys.readouterr().err
    assert "do not overlap in time" in err and "s.csv" in err and "f.csv" in err


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(["--confidence", "--samples", "--daily-share", "--target-service-level",
                        "--shrinkage"]),
       st.sampled_from(["-1", "1.5", "abc", "nan", "0"]))
def test_risk_bad_parameters_exit_2(tmp_path_factory, flag, value):
    # property: an out-of-range or non-numeric parameter exits 2 naming the flag, never runs silently
    d = tmp_path_factory.mktemp("risk")
    _forecast_csv(d / "f.csv", days=1)
    _schedule_csv(d / "s.csv", days=1)
    ok = {("--samples", "1.5"): False, ("--daily-share", "0"): True, ("--shrinkage", "0"): True}
    valid = ok.get((flag, value), False)
    import contextlib
    import io
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["risk", "--schedule", str(d / "s.csv"), "--forecast", str(d / "f.csv"),
                     "--samples", "20", flag, value])
    if valid:
        assert code == 0
    else:
        assert code == 2 and flag in err.getvalue()
