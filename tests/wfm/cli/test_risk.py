"""Tests of `wfm risk` through the real CLI router (exit codes and messages)."""

import contextlib
import io
import json

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from wfm.cli import main

from tests.optimiser.analysis.replay_builders import PROFILE, TZ


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
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["risk", "--schedule", str(d / "s.csv"), "--forecast", str(d / "f.csv"),
                     "--samples", "20", flag, value])
    if valid:
        assert code == 0
    else:
        assert code == 2 and flag in err.getvalue()
