"""The CLI's edges (issue 16): output paths checked before the work, formula text neutralised in every
CSV written, a bounded horizon, a closed pipe, an unwritable plan store, and the last-resort handler
that never shows a traceback."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wfm.cli
from wfm.cli import EXIT_BROKEN_PIPE, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED, main
from wfm.io.roster import export_roster

TZ = "Europe/Stockholm"
REPO = Path(__file__).resolve().parents[3]
FORMULA = '=HYPERLINK("http://evil","x")'


def _history(tmp_path, queue="reports", days=28, aht="300") -> Path:
    idx = pd.date_range(pd.Timestamp("2024-01-01", tz=TZ), periods=days * 24, freq="60min")
    calls = np.random.default_rng(0).poisson(10, len(idx))
    lines = ["interval_start,queue,calls_offered,aht_seconds"]
    lines += [f"{t.isoformat()},\"{queue.replace(chr(34), chr(34) * 2)}\",{c},{aht}" for t, c in zip(idx, calls)]
    path = tmp_path / "history.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _roster(name: str, queue_group: str = "sv_all") -> pd.DataFrame:
    start = pd.Timestamp("2025-01-06 08:00", tz=TZ)
    return pd.DataFrame({"agent_id": ["A1"], "name": [name], "site": ["Umeå"], "skill_group": [queue_group],
                         "shift_id": ["S1"], "start": [start], "end": [start + pd.Timedelta(hours=8)],
                         "paid_minutes": [450], "breaks": [""]})


# --- output paths, before any work ---------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["forecast", "MISSING.csv", "--horizon", "7d", "--interval", "60min", "--out", "{bad}"],
    ["forecast", "MISSING.csv", "--horizon", "7d", "--interval", "60min", "--out", "{ok}", "--backtest", "{bad}"],
    ["staff", "--forecast", "MISSING.csv", "--out", "{bad}", "--answer-within-seconds", "20",
     "--target-service-level", "0.8"],
    ["schedule", "--requirement", "MISSING.csv", "--rules", "MISSING.yaml", "--out", "{bad}"],
    ["schedule", "--requirement", "MISSING.csv", "--rules", "MISSING.yaml", "--out", "{ok}", "--report", "{bad}"],
    ["roster", "--schedule", "MISSING.csv", "--agents", "MISSING.csv", "--out", "{bad}"],
    ["scenarios", "show", "--name", "x", "--out", "{bad}", "--database-url", "sqlite:///{tmp}/s.sqlite"],
    ["risk", "--schedule", "MISSING.csv", "--forecast", "MISSING.csv", "--out", "{bad}"],
    ["replay", "MISSING.csv", "--cut", "2025-01-06", "--weeks", "1", "--rules", "MISSING.yaml", "--out", "{bad}"],
    ["capacity", "MISSING.csv", "--agents", "MISSING.csv", "--settings", "MISSING.yaml", "--xlsx", "{bad}"],
], ids=["forecast-out", "forecast-backtest", "staff", "schedule-out", "schedule-report", "roster", "scenarios",
        "risk", "replay", "capacity"])
def test_an_output_path_that_cannot_be_written_is_refused_before_any_input_is_read(argv, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    bad = str(tmp_path / "afile" / "out.csv")  # a file where a folder should be
    argv = [a.format(bad=bad, ok=str(tmp_path / "ok.csv"), tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{bad}: cannot be written" in err and "is a file, not a folder" in err
    assert "MISSING" not in err  # refused before the inputs were read


def test_a_missing_output_folder_is_created(tmp_path, capsys):
    out = tmp_path / "new" / "deeper" / "forecast.csv"
    assert main(["forecast", str(_history(tmp_path)), "--horizon", "2d", "--interval", "60min",
                 "--model", "seasonal_naive", "--out", str(out), "--quiet", "--jobs", "1"]) == 0
    assert len(pd.read_csv(out)) == 48


def test_a_horizon_beyond_two_years_is_refused_by_name(tmp_path, capsys):
    assert main(["forecast", str(_history(tmp_path)), "--horizon", "100000d", "--interval", "60min",
                 "--out", str(tmp_path / "f.csv")]) == 2
    assert "horizon_days must be at most 731, got 100000 (set with --horizon)" in capsys.readouterr().err


@pytest.mark.parametrize("aht", ["1e308", "86401"])
def test_an_absurd_handle_time_is_refused_naming_row_and_column(aht, tmp_path, capsys):
    out = tmp_path / "f.csv"
    assert main(["forecast", str(_history(tmp_path, aht=aht)), "--horizon", "2d", "--interval", "60min",
                 "--model", "seasonal_naive", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "row 2, column aht_seconds: must be at most 86,400 seconds (a day)" in err
    assert not out.exists()


def test_an_absurd_constant_handle_time_flag_is_refused(tmp_path, capsys):
    assert main(["forecast", str(_history(tmp_path)), "--horizon", "2d", "--interval", "60min",
                 "--model", "seasonal_naive", "--out", str(tmp_path / "f.csv"), "--aht-seconds", "1e308"]) == 2
    assert "aht_seconds must be > 0 and at most 86,400" in capsys.readouterr().err


# --- formula text in every CSV written -------------------------------------------------------------

def test_forecast_backtest_and_requirement_csvs_neutralise_a_formula_queue_name(tmp_path, capsys):
    history = _history(tmp_path, queue=FORMULA)
    fc, bt, req = tmp_path / "f.csv", tmp_path / "bt.csv", tmp_path / "req.csv"
    assert main(["forecast", str(history), "--horizon", "2d", "--interval", "60min", "--model", "seasonal_naive",
                 "--out", str(fc), "--backtest", str(bt), "--quiet", "--jobs", "1"]) == 0
    assert main(["staff", "--forecast", str(fc), "--out", str(req), "--answer-within-seconds", "20",
                 "--target-service-level", "0.8"]) == 0
    for path in (fc, bt, req):
        cells = set(pd.read_csv(path, dtype=str)["queue"])
        assert cells == {"'" + FORMULA}, path.name  # what a spreadsheet shows as text
    # and the contracts read it back as the queue's real name
    from wfm.io.forecast import read_forecast_csv
    from wfm.io.requirement import read_requirement_csv
    assert set(read_forecast_csv(fc)["queue"]) == {FORMULA}
    assert set(read_requirement_csv(req)["queue"]) == {FORMULA}


def test_a_roster_saved_in_the_store_comes_back_neutralised_from_show_out(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    export_roster(_roster(FORMULA), tmp_path / "r.csv")
    assert main(["scenarios", "save", "--name", "r", "--kind", "roster", "--file", str(tmp_path / "r.csv"),
                 "--database-url", url]) == 0
    from optimiser.store import PlanStore
    assert list(PlanStore(url).load("r").frame["name"]) == [FORMULA]  # the store holds the real name
    out = tmp_path / "shown.csv"
    assert main(["scenarios", "show", "--name", "r", "--out", str(out), "--database-url", url]) == 0
    assert list(pd.read_csv(out, dtype=str)["name"]) == ["'" + FORMULA]


# --- iCalendar export of a name holding a newline -----------------------------------------------------

def test_an_ics_export_of_a_name_with_a_newline_writes_every_calendar(tmp_path):
    folder = tmp_path / "ics"
    roster = pd.concat([_roster("Erik\nLind"), _roster("Anna Berg").assign(agent_id="A2")], ignore_index=True)
    files = export_roster(roster, folder)
    assert sorted(p.name for p in files) == ["A1.ics", "A2.ics"]
    assert "X-WR-CALNAME:Roster Erik Lind" in (folder / "A1.ics").read_text(encoding="utf-8")


def test_an_ics_export_that_fails_leaves_no_partial_folder(tmp_path, monkeypatch):
    import icalendar

    calls = {"n": 0}
    real = icalendar.Calendar.to_ical

    def fail_on_second(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ValueError("boom")
        return real(self, *a, **k)

    monkeypatch.setattr(icalendar.Calendar, "to_ical", fail_on_second)
    roster = pd.concat([_roster("A"), _roster("B").assign(agent_id="A2")], ignore_index=True)
    with pytest.raises(ValueError):
        export_roster(roster, tmp_path / "ics")
    assert not (tmp_path / "ics").exists()


# --- plan store location and file mode ------------------------------------------------------------------

def test_the_store_is_created_readable_by_its_owner_only(tmp_path):
    from optimiser.store import PlanStore

    db = tmp_path / "new" / "wfm.sqlite"
    PlanStore(f"sqlite:///{db}").close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize("where", ["/proc/wfm-none/s.sqlite", "{tmp}/afile/s.sqlite"], ids=["proc", "under-a-file"])
def test_a_store_location_that_cannot_be_written_is_refused_by_name(where, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    where = where.format(tmp=tmp_path)
    assert main(["scenarios", "list", "--database-url", f"sqlite:///{where}"]) == 2
    err = capsys.readouterr().err
    assert f"plan store {where}: cannot create the database there" in err and "--database-url" in err


def test_an_unwritable_default_store_location_is_refused_by_name(tmp_path, monkeypatch, capsys):
    (tmp_path / "afile").write_text("x")
    monkeypatch.delenv("WFM_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "afile"))
    assert main(["scenarios", "list"]) == 2
    assert f"plan store {tmp_path / 'afile' / 'wfm' / 'wfm.sqlite'}: cannot create" in capsys.readouterr().err


# --- closed pipe, Ctrl-C, and the last resort -------------------------------------------------------------

def _wfm(*argv, env=None, **kw):
    env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "wfm", *argv], env=env, capture_output=True, text=True,
                          timeout=120, **kw)


def test_a_pipe_closed_early_ends_quietly(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    export_roster(_roster("Anna"), tmp_path / "r.csv")
    for i in range(3):
        assert main(["scenarios", "save", "--name", "r", "--kind", "roster", "--file", str(tmp_path / "r.csv"),
                     "--database-url", url]) == 0
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    script = f"{sys.executable} -m wfm scenarios show --name r --out {tmp_path / 'o.csv'} --database-url {url} | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", script], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.startswith("scenario 'r' (roster) version 3")
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert done.returncode in (0, EXIT_BROKEN_PIPE)
    assert (tmp_path / "o.csv").exists()  # written before the first line was printed


@pytest.mark.parametrize("exc, code", [(RuntimeError("a defect"), EXIT_INTERNAL_ERROR),
                                       (KeyboardInterrupt(), EXIT_INTERRUPTED),
                                       (BrokenPipeError(32, "Broken pipe"), EXIT_BROKEN_PIPE)],
                         ids=["defect", "ctrl-c", "broken-pipe"])
def test_an_unexpected_exception_gives_a_plain_message_and_a_log(exc, code, monkeypatch, tmp_path, capsys):
    parser = wfm.cli.build_parser()
    args = parser.parse_args(["validate", "x.csv"])

    def boom(_args):
        raise exc

    args.func = boom
    monkeypatch.setattr(wfm.cli.argparse.ArgumentParser, "parse_args", lambda self, argv=None: args)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.delenv("WFM_DEBUG", raising=False)
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    assert main(["validate", "x.csv"]) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if code == EXIT_INTERNAL_ERROR:
        assert "error: wfm validate failed unexpectedly (RuntimeError: a defect)" in err
        logs = list(tmp_path.glob("wfm-error-*.log"))
        assert len(logs) == 1 and str(logs[0]) in err
        assert "Traceback" in logs[0].read_text() and stat.S_IMODE(logs[0].stat().st_mode) == 0o600
    elif code == EXIT_INTERRUPTED:
        assert err.strip() == "interrupted"
    else:
        assert err == ""


def test_the_installed_entry_point_shows_no_traceback_for_a_defect(tmp_path):
    # a directory given as the history file is bad input (exit 2), never a traceback
    done = _wfm("validate", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr


# --- absurd numbers in the forecast and requirement doors ---------------------------------------------

def test_absurd_calls_in_a_forecast_and_absurd_agents_in_a_requirement_are_refused(tmp_path, capsys):
    fc = tmp_path / "f.csv"
    fc.write_text("interval_start,queue,calls_offered,aht_seconds\n2025-01-06T08:00:00+01:00,q,1e15,300\n"
                  "2025-01-06T09:00:00+01:00,q,5,300\n", encoding="utf-8")
    assert main(["staff", "--forecast", str(fc), "--out", str(tmp_path / "r.csv"), "--answer-within-seconds", "20",
                 "--target-service-level", "0.8"]) == 2
    assert (f"{fc}: row 2, column calls_offered: must be at most 1,000,000 calls in one interval"
            in capsys.readouterr().err)
    req = tmp_path / "req.csv"
    req.write_text("interval_start,queue,agents_required\n2025-01-06T08:00:00+01:00,q,3\n"
                   "2025-01-06T09:00:00+01:00,q,1e12\n", encoding="utf-8")
    assert main(["schedule", "--requirement", str(req), "--rules", str(REPO / "data" / "demo_rules.yaml"),
                 "--out", str(tmp_path / "s.csv")]) == 2
    assert f"{req}: row 3, column agents_required: must be at most 200,000 agents" in capsys.readouterr().err


# --- a Swedish semicolon export: the message says what the file is and how to read it -------------------

def test_a_semicolon_export_gets_a_hint_and_reads_with_the_mapping_it_names(tmp_path, capsys):
    export = tmp_path / "export.csv"
    rows = "".join(f"2025-01-06T{h:02d}:00:00+01:00;reports;{h};180,5\n" for h in range(8, 12))
    export.write_text("interval_start;queue;calls_offered;aht_seconds\n" + rows, encoding="utf-8")
    assert main(["validate", str(export)]) == 2
    err = capsys.readouterr().err
    assert f"{export}: the header is one column" in err
    assert "separated by semicolons" in err and "sep: ';' and decimal: ','" in err
    mapping = tmp_path / "map.yaml"
    mapping.write_text("sep: ';'\ndecimal: ','\n", encoding="utf-8")
    assert main(["validate", str(export), "--map", str(mapping)]) == 0


@pytest.mark.parametrize("section, key, value, rule", [
    ("costs", "base_cost_per_hour", 1e308, "must be <= 1000000000"),
    ("costs", "shortfall_penalty_per_agent_hour", 1e300, "must be <= 1000000000"),
    ("solver", "time_limit_seconds", 1e308, "must be <= 604800"),
])
def test_absurd_numbers_in_a_rules_file_are_refused_by_key(section, key, value, rule, tmp_path, capsys):
    import yaml

    rules = yaml.safe_load((REPO / "data" / "demo_rules.yaml").read_text(encoding="utf-8"))
    rules.setdefault(section, {})[key] = value
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rules), encoding="utf-8")
    req = tmp_path / "req.csv"
    req.write_text("interval_start,queue,agents_required\n2025-01-06T08:00:00+01:00,reports,3\n", encoding="utf-8")
    assert main(["schedule", "--requirement", str(req), "--rules", str(path), "--out", str(tmp_path / "s.csv")]) == 2
    assert f"{path}: {section}.{key}: {rule}" in capsys.readouterr().err


@pytest.mark.parametrize("flags, message", [
    (["--calls", "100", "--aht-seconds", "1e308"], "aht_seconds must be at most 86,400 seconds (a day), got 1e+308 "
                                                   "(set with --aht-seconds)"),
    (["--calls", "1e300", "--aht-seconds", "180"], "calls_offered must be at most 1,000,000 calls in one interval"),
])
def test_absurd_one_interval_staffing_is_refused_by_parameter(flags, message, capsys):
    assert main(["staff", *flags, "--interval-minutes", "15", "--answer-within-seconds", "20",
                 "--target-service-level", "0.8"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Warning" not in err  # refused before any maths overflowed
