"""``wfm validate FILE [--tz ZONE] [--map MAPPING]``: summary and exit 0, or errors and exit 2."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from wfm.cli import main

DATA = Path(__file__).resolve().parents[1] / "io" / "data"
WFM = Path(sys.executable).with_name("wfm")

# file, row that must be named, column that must be named (None: file-level error)
BAD = [
    ("bad_missing_column.csv", None, "calls_offered"),
    ("bad_timestamp.csv", 5, "interval_start"),
    ("bad_negative_count.csv", 7, "calls_offered"),
    ("bad_non_numeric_count.csv", 8, "calls_offered"),
    ("bad_answered_over_offered.csv", 9, "calls_offered"),
    ("bad_duplicate_interval.csv", "9 and 10", "interval_start"),
    ("bad_mixed_intervals.csv", "9 and 10", "interval_start"),
    ("bad_ambiguous_local.csv", 10, "interval_start"),
    ("bad_nonexistent_local.csv", 10, "interval_start"),
    ("bad_short_row.csv", 6, None),
    ("bad_latin1.csv", 4, None),
    ("bad_binary.csv", 2, None),
    ("bad_empty.csv", None, None),
    ("bad_header_only.csv", None, None),
]


def test_validate_good_file_prints_the_summary_and_exits_0(capsys):
    assert main(["validate", str(DATA / "weekday_centre.csv")]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "Queues:           1 (main)" in out
    assert "First interval:   2024-01-08T07:00:00+01:00" in out
    assert "Last interval:    2024-02-02T20:45:00+01:00" in out
    assert "Interval length:  15 minutes" in out
    assert "Rows:             1,116" in out
    assert "Gaps:             1 (4 missing intervals inside opening hours; not filled)" in out
    assert "main: 2024-01-17T10:00:00+01:00 to 2024-01-17T11:00:00+01:00 (4 intervals)" in out
    assert re.search(r"Closed hours:\s+1,336 intervals", out)
    assert "main: Mon–Fri 07:00–21:00; Sat–Sun closed" in out


def test_validate_with_tz_and_map(capsys):
    assert main(["validate", str(DATA / "mapped_export.csv"), "--map", str(DATA / "mapped_export.yaml"), "--tz", "Europe/Stockholm"]) == 0
    out = capsys.readouterr().out
    assert "Rows:             100 (main 100)" in out
    assert "Last interval:    2024-10-27T23:45:00+01:00" in out
    assert main(["validate", str(DATA / "good_dst.csv"), "--tz", "UTC"]) == 0
    assert "First interval:   2024-03-29T23:00:00+00:00" in capsys.readouterr().out


@pytest.mark.parametrize(("name", "row", "column"), BAD, ids=[b[0] for b in BAD])
def test_validate_bad_file_exits_2_naming_the_row_and_column(capsys, name, row, column):
    assert main(["validate", str(DATA / name)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines and all(line.startswith(f"error: {DATA / name}") for line in lines)
    if row is not None:
        assert re.search(rf"\brows? {row}\b", err), err
    if column is not None:
        assert f"column {column}" in err, err


def test_bad_zone_and_bad_mapping_exit_2(capsys, tmp_path):
    assert main(["validate", str(DATA / "good_dst.csv"), "--tz", "Mars/Olympus"]) == 2
    err = capsys.readouterr().err
    assert "tz 'Mars/Olympus' is not a known IANA time zone" in err and "(set with --tz)" in err
    (tmp_path / "m.yaml").write_text("colums: {}\n")
    assert main(["validate", str(DATA / "good_dst.csv"), "--map", str(tmp_path / "m.yaml")]) == 2
    assert "unknown mapping key 'colums'" in capsys.readouterr().err


def test_installed_wfm_command_exit_codes():
    good = subprocess.run([str(WFM), "validate", str(DATA / "good_dst.csv")], capture_output=True, text=True, timeout=120)
    assert good.returncode == 0, good.stderr
    assert "Interval length:  15 minutes" in good.stdout
    bad = subprocess.run([str(WFM), "validate", str(DATA / "bad_negative_count.csv")], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert "row 7, column calls_offered: must be a whole number >= 0 (negative); got '-3'" in bad.stderr
    assert "Traceback" not in bad.stderr


DEMO = Path(__file__).resolve().parents[3] / "data" / "demo_history.csv.gz"


@pytest.mark.skipif(not DEMO.exists(), reason="data/demo_history.csv.gz not generated yet (make demo-data)")
def test_validate_on_the_demo_exits_0_with_the_summary(capsys):
    assert main(["validate", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert "Queues:           4 (english, reports, switchboard, tips)" in out
    assert "First interval:   2023-01-01T00:00:00+01:00" in out
    assert "Last interval:    2025-12-31T23:45:00+01:00" in out
    assert "Interval length:  15 minutes" in out
