"""``wfm capacity``: evaluate and optimise from files, write the tables, refuse bad input with exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from optimiser.capacity.evaluate import MONTH_COLUMNS
from optimiser.capacity.simulate import BAND_COLUMNS
from tests.optimiser.capacity.capacity_builders import hourly_history
from wfm.cli import main

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "data"
WFM = Path(sys.executable).with_name("wfm")
SETTINGS = {
    "plan": {"start": "2026-01", "months": 6},
    "targets": {"answer_within_seconds": 60, "target_service_level": 0.8},
    "workforce": {"hours_per_fte_week": 40, "scheduling_efficiency": 1.0, "salary_per_fte_month": 100},
    "shrinkage": {"preset": "none"},
    "attrition": [{"from_months": 0, "annual_rate": 0.0}],
    "hiring": {"lead_weeks": 0, "types": [{"name": "permanent", "training_weeks": 4, "ramp": [0.5, 0.8],
                                           "min_class": 2, "max_class": 6, "cost_per_hire": 1000}]},
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("capacity")
    history = hourly_history(months=36, calls_per_hour=40.0, aht_seconds=300.0)
    history["calls_offered"] = history["calls_offered"].round().astype(int)  # a history file counts calls
    history.to_csv(d / "history.csv", index=False)
    agents = pd.read_csv(DATA / "demo_agents.csv", dtype=str, keep_default_na=False).head(20)
    agents["hire_date"] = "2020-01-06"
    agents["fte"] = "1"
    agents.to_csv(d / "agents.csv", index=False)
    (d / "settings.yaml").write_text(yaml.safe_dump(SETTINGS))
    return d


def _args(d: Path, *extra: str) -> list[str]:
    return ["capacity", str(d / "history.csv"), "--agents", str(d / "agents.csv"), "--settings",
            str(d / "settings.yaml"), *extra]


def test_evaluate_writes_the_month_table(files, tmp_path, capsys):
    plan = tmp_path / "plan.csv"
    plan.write_text("class_type,start,hires\npermanent,2026-01-05,4\n")
    assert main(_args(files, "--plan", str(plan), "--out", str(tmp_path / "m.csv"))) == 0
    out = capsys.readouterr().out
    assert "permanent    starts 2026-01-05    4 hires  on the phones 2026-02-02" in out
    table = pd.read_csv(tmp_path / "m.csv")
    assert list(table.columns) == list(MONTH_COLUMNS)
    assert table["month"].tolist() == [f"2026-{m:02d}" for m in range(1, 7)]
    assert table["hires_starting"].tolist() == [4, 0, 0, 0, 0, 0]


def test_optimise_writes_a_plan_that_evaluates_to_the_same_table(files, tmp_path, capsys):
    assert main(_args(files, "--optimise", "--plan-out", str(tmp_path / "p.csv"), "--out", str(tmp_path / "a.csv"),
                      "--xlsx", str(tmp_path / "a.xlsx"), "--simulate", "200")) == 0
    out = capsys.readouterr().out
    assert "optimised (least-cost, solver Optimal)" in out
    assert main(_args(files, "--plan", str(tmp_path / "p.csv"), "--out", str(tmp_path / "b.csv"))) == 0
    a, b = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    pd.testing.assert_frame_equal(a[list(MONTH_COLUMNS)], b)
    assert set(BAND_COLUMNS) <= set(a.columns)
    assert pd.ExcelFile(tmp_path / "a.xlsx").sheet_names == ["Months", "Classes", "Bands"]


@pytest.mark.parametrize("change, match", [
    ({"attrition": [{"from_months": 0, "annual_rate": -0.2}]},
     r"settings.yaml: attrition\[0\].annual_rate must be a share in \[0, 1\), got -0.2"),
    ({"hiring": {"types": [{"name": "permanent", "ramp": [0.5, 1.5]}]}},
     r"settings.yaml: hiring.types\[0\].ramp\[1\] must be a proficiency in \(0, 1\]"),
])
def test_bad_settings_exit_2_naming_the_parameter(files, tmp_path, capsys, change, match):
    (tmp_path / "settings.yaml").write_text(yaml.safe_dump({**SETTINGS, **change}))
    args = _args(files)
    args[args.index(str(files / "settings.yaml"))] = str(tmp_path / "settings.yaml")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and pytest.importorskip("re").search(match, err), err


def test_a_class_before_the_plan_exits_2(files, tmp_path, capsys):
    (tmp_path / "plan.csv").write_text("class_type,start,hires\npermanent,2025-11-03,4\n")
    assert main(_args(files, "--plan", str(tmp_path / "plan.csv"))) == 2
    assert "classes[0].start 2025-11-03 is before the plan's start 2026-01-01" in capsys.readouterr().err


@pytest.mark.parametrize("extra, match", [
    (("--simulate", "0"), "--simulate must be >= 1, got '0'"),
    (("--optimise", "--plan", "x.csv"), "give either --plan (evaluate it) or --optimise"),
    (("--optimise", "--time-limit", "-1"), "--time-limit must be > 0, got '-1'"),
])
def test_bad_flags_exit_2(files, capsys, extra, match):
    assert main(_args(files, *extra)) == 2
    assert match in capsys.readouterr().err


def test_agents_without_hire_dates_exit_2(files, tmp_path, capsys):
    pd.read_csv(files / "agents.csv", dtype=str, keep_default_na=False).drop(columns=["hire_date"]).to_csv(
        tmp_path / "a.csv", index=False)
    args = _args(files)
    args[args.index(str(files / "agents.csv"))] = str(tmp_path / "a.csv")
    assert main(args) == 2
    assert "the capacity plan needs the column hire_date" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_centre_through_the_entry_point(tmp_path):
    """The README's question on the demo: exit 0, the month table, no traceback."""
    proc = subprocess.run([str(WFM), "capacity", str(DATA / "demo_history.csv.gz"), "--agents",
                           str(DATA / "demo_agents.csv"), "--settings", str(DATA / "demo_capacity.yaml"), "--optimise",
                           "--out", str(tmp_path / "m.csv")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    table = pd.read_csv(tmp_path / "m.csv")
    assert len(table) == 24 and table["required_fte"].gt(0).all()
    # the Swedish summer: July needs the most operators
    assert table.loc[table["required_fte"].idxmax(), "month"].endswith("-07")


def test_two_plans_saved_as_capacity_scenarios_compare_by_month(files, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    plan = tmp_path / "plan.csv"
    plan.write_text("class_type,start,hires\npermanent,2026-01-05,4\n")
    assert main(_args(files, "--save-scenario", "hiring", "--database-url", url, "--out", str(tmp_path / "a.csv"))) == 0
    assert main(_args(files, "--plan", str(plan), "--save-scenario", "hiring", "--database-url", url)) == 0
    assert "saved scenario 'hiring' (capacity) version 2 [draft]" in capsys.readouterr().out
    assert main(["scenarios", "diff", "--name", "hiring", "--from-version", "1", "--to-version", "2",
                 "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert "(capacity): version 1 -> 2, available fte" in out
    assert "2026-06-01 20.00 24.00    4.00" in out  # the class of 4 is proficient by June
    # the month table file is a capacity scenario too
    assert main(["scenarios", "save", "--name", "from file", "--kind", "capacity", "--file", str(tmp_path / "a.csv"),
                 "--database-url", url]) == 0


def test_a_month_table_with_a_bad_month_is_refused(tmp_path, capsys):
    (tmp_path / "m.csv").write_text("month,required_fte,available_fte,service_level\n2026-13,1,2,0.8\n")
    assert main(["scenarios", "save", "--name", "x", "--kind", "capacity", "--file", str(tmp_path / "m.csv"),
                 "--database-url", f"sqlite:///{tmp_path / 's.sqlite'}"]) == 2
    assert "m.csv: row 2, column month: must be a month YYYY-MM, got '2026-13'" in capsys.readouterr().err
