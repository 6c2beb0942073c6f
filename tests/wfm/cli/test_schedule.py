"""The ``wfm schedule`` command: the schedule CSV contract, bad input (exit 2), the installed executable."""

import subprocess
import sys

import pandas as pd
import pytest
import yaml

from tests.optimiser.scheduling.sched_builders import day_profile, requirement, rules_dict
from wfm.cli import main
from wfm.ground.frames import SCHEDULE_COLUMNS, parse_breaks
from wfm.io.requirement import write_requirement_csv
from wfm.io.schedule import read_schedule_csv


@pytest.fixture
def files(tmp_path):
    req = write_requirement_csv(requirement(day_profile({(8, 18): 2, (12, 14): 3})), tmp_path / "requirement.csv")
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
