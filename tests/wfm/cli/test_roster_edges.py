"""``wfm roster`` on the answers the issue found wrong or missing (issue 16, item 3): a roster where
nobody is available lists every unfilled slot in every format, and ``--rules FILE`` uses the file's
own skill groups."""

from __future__ import annotations

import csv
import json

import openpyxl
import pandas as pd
import pytest
import yaml

from tests.optimiser.roster.roster_builders import make_shift
from wfm.cli import main
from wfm.io.roster import JSON_SCHEMA, UNFILLED_ICS, read_roster_csv
from wfm.io.schedule import write_schedule_csv

HEADER = ("agent_id,name,site,skill_group,skills,languages,contract,contract_hours_per_week,min_hours_per_week,"
          "max_hours_per_week,nights_allowed,fixed_days_off\n")
AGENTS = HEADER + ("A1,Anna Berg,Stockholm,sv_all,reports;tips;switchboard,sv,full_time,40,32,48,true,\n"
                   "A2,Erik Lind,Malmö,sv_reports,reports,sv,part_time,20,16,28,false,Sat;Sun\n")
ALL_AWAY = ("agent_id,start,end,reason\n"
            "A1,2026-02-01T00:00:00+01:00,2026-02-10T00:00:00+01:00,leave\n"
            "A2,2026-02-01T00:00:00+01:00,2026-02-10T00:00:00+01:00,leave\n")


@pytest.fixture
def nobody(tmp_path):
    shifts = pd.DataFrame([make_shift("mon-a", "2026-02-02 08:00", group="sv_reports", count=2),
                           make_shift("tue-b", "2026-02-03 14:00", group="sv_all")])
    sched = write_schedule_csv(shifts, tmp_path / "schedule.csv")
    (tmp_path / "agents.csv").write_text(AGENTS, encoding="utf-8")
    (tmp_path / "away.csv").write_text(ALL_AWAY, encoding="utf-8")
    return tmp_path, ["roster", "--schedule", str(sched), "--agents", str(tmp_path / "agents.csv"),
                      "--unavailability", str(tmp_path / "away.csv"), "--time-limit", "10"]


def test_nobody_available_gives_a_csv_listing_every_unfilled_slot(nobody, capsys):
    tmp, argv = nobody
    out = tmp / "roster.csv"
    assert main([*argv, "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert sorted((r["agent_id"], r["shift_id"]) for r in rows) == [("", "mon-a"), ("", "mon-a"), ("", "tue-b")]
    assert {r["start"] for r in rows if r["shift_id"] == "tue-b"} == {"2026-02-03T14:00:00+01:00"}
    back = read_roster_csv(out)
    assert len(back) == 0 and back.attrs["unfilled_slots"] == 3
    assert "unfilled_slot" in capsys.readouterr().err


def test_nobody_available_gives_json_xlsx_and_ics_listing_every_unfilled_slot(nobody):
    jsonschema = pytest.importorskip("jsonschema")
    tmp, argv = nobody
    assert main([*argv, "--out", str(tmp / "roster.json")]) == 0
    doc = json.loads((tmp / "roster.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, JSON_SCHEMA)
    assert doc["agents"] == []
    assert sorted((u["shift_id"], u["slots"]) for u in doc["unfilled"]) == [("mon-a", 2), ("tue-b", 1)]
    assert main([*argv, "--out", str(tmp / "roster.xlsx")]) == 0
    sheet = openpyxl.load_workbook(tmp / "roster.xlsx")["Unfilled"]
    assert sorted((r[0], r[5]) for r in sheet.iter_rows(min_row=2, values_only=True)) == [("mon-a", 2), ("tue-b", 1)]
    assert main([*argv, "--out", str(tmp / "ics")]) == 0
    text = (tmp / "ics" / UNFILLED_ICS).read_text(encoding="utf-8")
    assert text.count("BEGIN:VEVENT") == 2 and "UNFILLED: 2 slot(s)\\, shift mon-a" in text


def test_roster_rules_file_brings_its_own_skill_groups(tmp_path, capsys):
    rules = {"skill_groups": {"desk": {"queues": ["reports"]}}, "roster": {"ruleset": "sweden"}}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    sched = write_schedule_csv(pd.DataFrame([make_shift("mon", "2026-02-02 08:00", group="desk")]),
                               tmp_path / "schedule.csv")
    (tmp_path / "agents.csv").write_text(HEADER + "A1,Anna Berg,Umeå,desk,reports,sv,full_time,40,32,48,true,\n",
                                         encoding="utf-8")
    out = tmp_path / "roster.csv"
    assert main(["roster", "--schedule", str(sched), "--agents", str(tmp_path / "agents.csv"), "--rules",
                 str(tmp_path / "rules.yaml"), "--out", str(out), "--time-limit", "10"]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["agent_id"], r["skill_group"]) for r in rows] == [("A1", "desk")]
    # without the file, 'desk' is unknown to the default groups: refused by name
    assert main(["roster", "--schedule", str(sched), "--agents", str(tmp_path / "agents.csv"),
                 "--out", str(out), "--time-limit", "10"]) == 2
    assert "unknown skill group 'desk'" in capsys.readouterr().err


def test_a_bad_skill_group_in_the_rules_file_is_named(tmp_path, capsys):
    (tmp_path / "rules.yaml").write_text("skill_groups:\n  desk: {queues: []}\n", encoding="utf-8")
    (tmp_path / "agents.csv").write_text(AGENTS, encoding="utf-8")
    sched = write_schedule_csv(pd.DataFrame([make_shift("mon", "2026-02-02 08:00", group="sv_all")]),
                               tmp_path / "schedule.csv")
    assert main(["roster", "--schedule", str(sched), "--agents", str(tmp_path / "agents.csv"), "--rules",
                 str(tmp_path / "rules.yaml"), "--out", str(tmp_path / "r.csv")]) == 2
    assert "skill_groups.desk.queues: must be a non-empty list of queue names" in capsys.readouterr().err


def test_an_unknown_zone_is_refused_by_name(nobody, capsys):
    tmp, argv = nobody
    assert main([*argv, "--out", str(tmp / "r.csv"), "--tz", "Mars/Base"]) == 2
    assert "tz 'Mars/Base' is not a known IANA time zone (e.g. Europe/Stockholm) (set with --tz)" in capsys.readouterr().err


def test_a_bad_roster_row_is_named_by_its_row_in_the_file(tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_text("agent_id,name,site,skill_group,shift_id,date,start,end,paid_minutes,breaks\n"
                    ",,,sv_all,open,2026-02-02,2026-02-02T08:00:00+01:00,2026-02-02T16:00:00+01:00,,\n"
                    "A1,Anna,x,sv_all,s1,2026-02-02,2026-02-02T08:00:00+01:00,2026-02-02T16:00:00+01:00,450,\n"
                    ",Bo,x,sv_all,s1,2026-02-02,2026-02-02T08:00:00+01:00,2026-02-02T16:00:00+01:00,450,\n",
                    encoding="utf-8")
    assert main(["scenarios", "save", "--name", "x", "--kind", "roster", "--file", str(path),
                 "--database-url", f"sqlite:///{tmp_path / 's.sqlite'}"]) == 2
    assert f"{path}: row 4, column agent_id: must be non-empty text" in capsys.readouterr().err
