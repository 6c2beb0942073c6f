"""Requirement and schedule CSV files, and the `wfm schedule` command."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from optimiser.scheduling import read_requirement_csv, read_schedule_csv
from optimiser.scheduling.io import validate_requirement
from wfm.ground.frames import SCHEDULE_COLUMNS, parse_breaks
from wfm.cli import main
from wfm.ground.errors import WfmInputError
from tests.optimiser.scheduling.sched_builders import day_profile, requirement, rules_dict


def _write_requirement(path, df):
    out = df.copy()
    out["interval_start"] = [t.isoformat() for t in out["interval_start"]]
    out.to_csv(path, index=False)
    return path


@pytest.fixture
def files(tmp_path):
    req = _write_requirement(tmp_path / "requirement.csv", requirement(day_profile({(8, 18): 2, (12, 14): 3})))
    d = rules_dict(breaks={"lunch": {"minutes": 60, "paid": False, "window_start": "02:00", "window_end": "04:00"}})
    d["shift_templates"]["day"]["breaks"] = ["lunch"]
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump(d))
    return tmp_path, req, rules


def test_cli_writes_the_schedule_csv_contract_and_it_round_trips(files, capsys):
    tmp, req, rules = files
    out = tmp / "schedule.csv"
    lp = tmp / "model.lp"
    report = tmp / "report.txt"
    code = main(["schedule", "--requirement", str(req), "--rules", str(rules), "--out", str(out),
                 "--time-limit", "20", "--solver", "highs", "--lp-file", str(lp), "--report", str(report), "--quiet"])
    assert code == 0
    header = out.read_text().splitlines()[0]
    assert header == ",".join(SCHEDULE_COLUMNS)
    sched = read_schedule_csv(out)
    assert sched["count"].sum() >= 3
    assert isinstance(sched["start"].dtype, pd.DatetimeTZDtype)
    for text, start, end in zip(sched["breaks"], sched["start"], sched["end"]):
        for brk in parse_breaks(text):
            assert start <= brk.start and brk.end <= end and not brk.paid
    text = lp.read_text()
    assert "cover_reports_Tue_0800" in text and "short_reports_Tue_0800" in text
    assert "status Optimal" in report.read_text()


def test_cli_bad_input_exits_2_with_the_reason(files, capsys):
    tmp, req, rules = files
    bad = tmp / "bad.yaml"
    d = yaml.safe_load(rules.read_text())
    d["costs"]["base_cost_per_hour"] = -3
    bad.write_text(yaml.safe_dump(d))
    assert main(["schedule", "--requirement", str(req), "--rules", str(bad), "--out", str(tmp / "s.csv")]) == 2
    assert "costs.base_cost_per_hour: costs must not be negative, got -3" in capsys.readouterr().err
    assert main(["schedule", "--requirement", str(req), "--rules", str(rules), "--out", str(tmp / "s.csv"),
                 "--objective", "max-sl"]) == 2
    assert "--headcount" in capsys.readouterr().err
    assert main(["schedule", "--requirement", str(req), "--rules", str(rules), "--out", str(tmp / "s.csv"),
                 "--time-limit", "0"]) == 2


def test_wfm_executable_runs_schedule(files):
    tmp, req, rules = files
    exe = [sys.executable, "-m", "wfm.cli"]
    out = subprocess.run(exe + ["schedule", "--requirement", str(req), "--rules", str(rules),
                                "--out", str(tmp / "s.csv"), "--solver", "cbc", "--quiet"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "status Optimal" in out.stderr and (tmp / "s.csv").exists()


def test_requirement_errors_name_file_row_and_column(tmp_path):
    df = requirement([1, 2, 3])
    path = _write_requirement(tmp_path / "r.csv", df)
    text = path.read_text().replace(",2.0", ",-2.0")
    path.write_text(text)
    with pytest.raises(WfmInputError, match=r"r\.csv: row 3, column agents_required: must be a finite number >= 0, got"):
        read_requirement_csv(path)
    naive = tmp_path / "n.csv"
    naive.write_text("interval_start,queue,agents_required\n2025-01-07 00:00,reports,1\n")
    with pytest.raises(WfmInputError, match=r"row 2, column interval_start: timestamps must carry a UTC offset"):
        read_requirement_csv(naive)
    with pytest.raises(WfmInputError, match="missing required column"):
        validate_requirement(df.drop(columns=["agents_required"]))
    with pytest.raises(WfmInputError, match="requirement file not found"):
        read_requirement_csv(tmp_path / "missing.csv")


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=3)),
                       min_size=1, max_size=6))
def test_property_requirement_values_are_accepted_only_when_finite_and_non_negative(values):
    df = requirement([0] * len(values))
    df["agents_required"] = pd.Series(values, dtype=object)
    numeric = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    valid = numeric.notna().all() and np.isfinite(numeric).all() and (numeric >= 0).all()
    if valid:
        out = validate_requirement(df)
        assert np.allclose(out["agents_required"].to_numpy(), numeric.to_numpy())
    else:
        with pytest.raises(WfmInputError, match="agents_required"):
            validate_requirement(df)
