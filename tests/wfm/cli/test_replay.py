"""Tests of `wfm replay` through the real CLI router (exit codes and messages)."""


import numpy as np
import pandas as pd
import pytest
import yaml

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
    ("2026-01-01", "1", r"cut 2026-01-01 is outside the history.* \(set with --cut\)"),
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
