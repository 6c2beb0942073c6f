"""`wfm accessibility` through the real CLI router: report, plan comparison, exit codes."""

import numpy as np
import pandas as pd
import pytest

from optimiser.store.repository import PlanStore
from wfm.cli import main

TZ = "Europe/Stockholm"


def _history_csv(path, within=True, day="2026-03-02", queue="reports"):
    idx = pd.date_range(day, periods=24, freq="60min", tz=TZ)
    f = pd.DataFrame({"interval_start": [t.isoformat() for t in idx], "queue": queue, "calls_offered": 40,
                      "calls_answered": 36, "calls_abandoned": 4, "aht_seconds": 300, "asa_seconds": 60})
    if within:
        f["calls_answered_within_target"] = 30
    f.to_csv(path, index=False)


def test_report_csv_and_xlsx_with_measured_share(tmp_path, capsys):
    _history_csv(tmp_path / "h.csv")
    assert main(["accessibility", str(tmp_path / "h.csv"), "--answer-within-seconds", "20",
                 "--out", str(tmp_path / "r.csv")]) == 0
    out = capsys.readouterr().out
    assert "measured" in out and "ESTIMATED" not in out
    r = pd.read_csv(tmp_path / "r.csv")
    assert r.loc[0, "service_level"] == pytest.approx(0.75)
    assert r.loc[0, "period_start"] == "2026-03-02T00:00:00+01:00"
    assert main(["accessibility", str(tmp_path / "h.csv"), "--out", str(tmp_path / "r.xlsx")]) == 0
    sheets = pd.read_excel(tmp_path / "r.xlsx", sheet_name=None)
    assert set(sheets) == {"accessibility", "notes"}
    assert "ESTIMATED" in " ".join(sheets["notes"]["meaning"])


def test_estimate_is_labelled(tmp_path, capsys):
    _history_csv(tmp_path / "h.csv", within=False)
    assert main(["accessibility", str(tmp_path / "h.csv"), "--by", "week"]) == 0
    out = capsys.readouterr().out
    assert "estimate_erlang_a" in out and "ESTIMATED with Erlang A" in out


def test_published_requirement_set_beside_actuals(tmp_path, capsys):
    _history_csv(tmp_path / "h.csv")
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    idx = pd.date_range("2026-03-02", periods=24, freq="60min", tz=TZ)
    req = pd.DataFrame({"interval_start": idx, "queue": "reports", "calls_offered": 40.0, "agents_required": 5,
                        "service_level": 0.8, "abandon_rate": 0.03, "asa_seconds": 30.0})
    store = PlanStore(url)
    saved = store.save("march", "requirement", req, expected_version=0)
    store.publish("march", saved.version)
    store.close()
    assert main(["accessibility", str(tmp_path / "h.csv"), "--answer-within-seconds", "20", "--plan", "march",
                 "--database-url", url, "--out", str(tmp_path / "r.csv")]) == 0
    r = pd.read_csv(tmp_path / "r.csv")
    assert r.loc[0, "plan_service_level"] == pytest.approx(0.8)
    assert r.loc[0, "service_level_vs_plan"] == pytest.approx(-0.05)
    assert main(["accessibility", str(tmp_path / "h.csv"), "--plan", "nothing", "--database-url", url]) == 2


@pytest.mark.parametrize("argv, message", [
    ([], "give either HISTORY or --records"),
    (["H", "--records", "x.csv"], "give either HISTORY or --records"),
    (["--records", "R"], "--records needs --queue"),
    (["H", "--answer-within-seconds", "-5"], "--answer-within-seconds must be >= 0"),
    (["H", "--from", "2026-03-05", "--to", "2026-03-04"], "last_day must be on or after .* \\(set with --to\\)"),
    (["H", "--from", "2027-01-01"], "no intervals between"),
    (["H", "--out", "report.pdf"], "written as .csv or .xlsx"),
    (["H", "--patience-seconds", "0"], "--patience-seconds must be > 0"),
])
def test_bad_input_exits_2_with_a_clear_message(tmp_path, capsys, argv, message):
    _history_csv(tmp_path / "h.csv")
    (tmp_path / "r.csv").write_text("date,q_start,q_time,outcome,ser_time\n2010-08-01,10:00:00,5,AGENT,100\n")
    argv = [str(tmp_path / "h.csv") if a == "H" else str(tmp_path / "r.csv") if a == "R" else
            str(tmp_path / a) if a.endswith((".pdf",)) else a for a in argv]
    assert main(["accessibility", *argv]) == 2
    err = capsys.readouterr().err
    assert pytest.importorskip("re").search(message, err), err


def test_records_give_a_measured_report(tmp_path, capsys):
    rows = ["date,q_start,q_time,outcome,ser_time",
            "2010-08-01,10:00:00,5,AGENT,100", "2010-08-01,10:05:00,90,AGENT,100",
            "2010-08-01,10:10:00,30,HANG,0", "2010-08-01,10:20:00,0,AGENT,60"]
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n")
    assert main(["accessibility", "--records", str(tmp_path / "r.csv"), "--queue", "bank",
                 "--answer-within-seconds", "20", "--out", str(tmp_path / "o.csv")]) == 0
    o = pd.read_csv(tmp_path / "o.csv")
    assert o.loc[0, "calls_offered"] == 4 and o.loc[0, "calls_answered_within_target"] == 2
    assert o.loc[0, "service_level"] == pytest.approx(0.5) and o.loc[0, "service_level_source"] == "measured"


def test_history_reader_refuses_more_within_target_than_answered(tmp_path, capsys):
    (tmp_path / "h.csv").write_text(
        "interval_start,queue,calls_offered,calls_answered,calls_abandoned,calls_answered_within_target\n"
        "2026-01-05T08:00:00+01:00,q,10,8,2,7\n2026-01-05T08:15:00+01:00,q,10,8,2,9\n")
    assert main(["validate", str(tmp_path / "h.csv")]) == 2
    err = capsys.readouterr().err
    assert "row 3, column calls_answered_within_target: must not exceed calls_answered; got '9'" in err
    (tmp_path / "o.csv").write_text("interval_start,queue,calls_offered,calls_answered_within_target\n"
                                    "2026-01-05T08:00:00+01:00,q,10,11\n")
    assert main(["validate", str(tmp_path / "o.csv")]) == 2
    assert "must not exceed calls_offered" in capsys.readouterr().err
