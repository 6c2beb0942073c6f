"""Roster exports read back with standard readers and compared with the roster."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import icalendar
import jsonschema
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.io.common import FORMULA_PREFIXES, neutralise_formula
from wfm.io.roster import (
    CSV_COLUMNS,
    JSON_SCHEMA,
    export_roster,
    pseudonyms,
    read_roster_csv,
    roster_file_bytes,
)
from tests.optimiser.roster.roster_builders import two_agent_roster
from wfm.ground.errors import WfmInputError

TZ = "Europe/Stockholm"
UTC = dt.timezone.utc


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=TZ)


def roster() -> pd.DataFrame:
    """Assignments in the roster engineer's shape; two shifts cross a DST change.

    2025-03-30 02:00 CET -> 03:00 CEST (spring forward), 2025-10-26 03:00 CEST ->
    02:00 CET (fall back); Sat 2025-03-29 and Sun 2025-03-30 are weekend days.
    """
    rows = [
        ("A0001", "Anna Berg", "Umeå", "sv_all", "S1", "2025-03-28 07:00", "2025-03-28 16:00", 510,
         "2025-03-28T11:30:00+01:00/30/unpaid;2025-03-28T09:15:00+01:00/15/paid"),
        ("A0001", "Anna Berg", "Umeå", "sv_all", "S2", "2025-03-29 22:00", "2025-03-30 07:00", 450,
         "2025-03-30T03:00:00+02:00/30/unpaid"),
        ("A0002", "Björn Ek", "Malmö", "bilingual", "S3", "2025-03-29 08:00", "2025-03-29 12:00", 240, ""),
        ("A0003", "Cecilia Lund", "Malmö", "sv_reports", "S4", "2025-10-25 22:00", "2025-10-26 07:00", 570,
         "2025-10-26T02:30:00+01:00/30/unpaid"),
    ]
    df = pd.DataFrame(rows, columns=["agent_id", "name", "site", "skill_group", "shift_id", "start", "end",
                                     "paid_minutes", "breaks"])
    df["start"] = pd.Series([ts(s) for s in df["start"]])
    df["end"] = pd.Series([ts(s) for s in df["end"]])
    return df


def coverage() -> pd.DataFrame:
    return pd.DataFrame({
        "interval_start": pd.date_range("2025-03-29 08:00", periods=3, freq="15min", tz=TZ),
        "queue": "reports", "agents_required": [2.0, 3.0, 1.5], "agents_allocated": [2, 1, 2],
        "difference": [0.0, -2.0, 0.5],
    })


# --- CSV -------------------------------------------------------------------------------

def test_csv_has_one_row_per_agent_and_shift_with_breaks(tmp_path):
    path = export_roster(roster(), tmp_path / "roster.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == CSV_COLUMNS
        rows = list(reader)
    src = roster().sort_values(["agent_id", "start"]).reset_index(drop=True)
    assert len(rows) == len(src)
    for row, (_, want) in zip(rows, src.iterrows()):
        assert row["agent_id"] == want["agent_id"] and row["name"] == want["name"]
        assert row["shift_id"] == want["shift_id"] and row["site"] == want["site"]
        assert pd.Timestamp(row["start"]) == want["start"] and pd.Timestamp(row["end"]) == want["end"]
        assert int(row["paid_minutes"]) == want["paid_minutes"]
        assert row["breaks"] == want["breaks"]
        assert row["date"] == want["start"].date().isoformat()
    night = rows[1]
    assert (night["start"], night["end"]) == ("2025-03-29T22:00:00+01:00", "2025-03-30T07:00:00+02:00")


# --- XLSX ------------------------------------------------------------------------------

def test_xlsx_grid_shifts_and_coverage_sheets(tmp_path):
    path = export_roster(roster(), tmp_path / "roster.xlsx", coverage=coverage())
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Roster", "Shifts", "Coverage", "About"]
    grid = wb["Roster"]
    header = [c.value for c in grid[1]]
    assert header[:5] == ["Agent ID", "Name", "Site", "Skill group", "Paid hours"]
    # One column per day from the first to the last shift date (2025-03-28 .. 2025-10-25).
    days = pd.date_range("2025-03-28", "2025-10-25", freq="D")
    assert header[5:] == [f"{d:%a %Y-%m-%d}" for d in days]
    col = {h: i + 1 for i, h in enumerate(header)}
    by_agent = {grid.cell(row=r, column=1).value: r for r in range(2, grid.max_row + 1)}
    assert sorted(by_agent) == ["A0001", "A0002", "A0003"]
    anna = by_agent["A0001"]
    assert grid.cell(row=anna, column=col["Fri 2025-03-28"]).value == "07:00\u201316:00"
    assert grid.cell(row=anna, column=col["Sat 2025-03-29"]).value == "22:00\u201307:00 (+1)"
    assert grid.cell(row=anna, column=col["Sun 2025-03-30"]).value is None
    assert grid.cell(row=anna, column=col["Paid hours"]).value == pytest.approx((510 + 450) / 60)
    assert grid.cell(row=by_agent["A0003"], column=col["Sat 2025-10-25"]).value == "22:00\u201307:00 (+1)"
    # Readable formatting: frozen header and name columns, widths, weekend shading.
    assert grid.freeze_panes == "F2"
    assert grid.column_dimensions["B"].width >= len("Cecilia Lund")
    sat = grid.cell(row=anna, column=col["Sat 2025-03-29"]).fill.fgColor.rgb
    fri = grid.cell(row=anna, column=col["Fri 2025-03-28"]).fill.fgColor.rgb
    assert sat.endswith("EDEDED") and not fri.endswith("EDEDED")
    assert grid.cell(row=1, column=1).font.bold

    shifts = wb["Shifts"]
    values = [[c.value for c in row] for row in shifts.iter_rows()]
    assert tuple(values[0]) == CSV_COLUMNS
    with open(export_roster(roster(), tmp_path / "same.csv"), newline="", encoding="utf-8") as handle:
        csv_rows = list(csv.reader(handle))[1:]
    assert [[("" if v is None else str(v)) for v in row] for row in values[1:]] == csv_rows
    assert shifts.freeze_panes == "A2"

    cov = wb["Coverage"]
    cov_rows = [[c.value for c in row] for row in cov.iter_rows()]
    assert cov_rows[0] == ["interval_start", "queue", "agents_required", "agents_allocated", "difference"]
    assert cov_rows[1] == ["2025-03-29T08:00:00+01:00", "reports", 2.0, 2, 0.0]
    assert cov_rows[2][4] == -2.0 and cov.cell(row=3, column=5).data_type == "n"  # a number stays a number


# --- JSON ------------------------------------------------------------------------------

def test_json_follows_its_schema_and_matches_the_roster(tmp_path):
    path = export_roster(roster(), tmp_path / "roster.json", coverage=coverage())
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    jsonschema.validate(doc, JSON_SCHEMA)
    assert doc["schema"] == "wfm.roster/1" and doc["timezone"] == TZ and doc["pseudonymised"] is False
    flat = [(a["agent_id"], a["name"], s["shift_id"], pd.Timestamp(s["start"]), pd.Timestamp(s["end"]),
             s["paid_minutes"]) for a in doc["agents"] for s in a["shifts"]]
    src = roster().sort_values(["agent_id", "start"])
    assert flat == list(zip(src["agent_id"], src["name"], src["shift_id"], src["start"], src["end"],
                            src["paid_minutes"]))
    anna = doc["agents"][0]
    assert anna["paid_minutes"] == 960
    assert anna["shifts"][0]["breaks"] == [
        {"start": "2025-03-28T11:30:00+01:00", "minutes": 30, "paid": False},
        {"start": "2025-03-28T09:15:00+01:00", "minutes": 15, "paid": True}]
    assert doc["coverage"][1] == {"interval_start": "2025-03-29T08:15:00+01:00", "queue": "reports",
                                  "agents_required": 3.0, "agents_allocated": 1, "difference": -2.0}


# --- iCalendar -------------------------------------------------------------------------

def _read_ics(path: Path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(path.read_bytes())


def test_ics_one_calendar_per_agent_with_vtimezone_and_dst_right(tmp_path):
    files = export_roster(roster(), tmp_path / "ics")
    assert sorted(p.name for p in files) == ["A0001.ics", "A0002.ics", "A0003.ics"]
    cal = _read_ics(tmp_path / "ics" / "A0001.ics")
    assert str(cal["VERSION"]) == "2.0" and "PRODID" in cal
    zones = list(cal.walk("VTIMEZONE"))
    assert [str(z["TZID"]) for z in zones] == [TZ]
    events = sorted(cal.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert len(events) == 2
    for event in events:
        assert event["DTSTART"].params["TZID"] == TZ and event["DTEND"].params["TZID"] == TZ
        assert {"UID", "DTSTAMP", "SUMMARY", "DESCRIPTION"} <= set(event.keys())
        assert event.decoded("DTSTAMP").tzinfo is not None
    night = events[1]
    assert str(night["SUMMARY"]) == "Shift 22:00\u201307:00 (+1) (Umeå)"
    # Spring-forward night: 22:00 CET = 21:00Z to 07:00 CEST = 05:00Z, 8 hours of real time.
    start, end = night.decoded("DTSTART"), night.decoded("DTEND")
    assert start.astimezone(UTC) == dt.datetime(2025, 3, 29, 21, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == dt.datetime(2025, 3, 30, 5, 0, tzinfo=UTC)
    # The file's own VTIMEZONE (not the reader's zoneinfo) gives the same instants.
    own = zones[0].to_tz()
    assert night["DTEND"].to_ical() == b"20250330T070000"
    assert dt.datetime(2025, 3, 30, 7, 0, tzinfo=own).astimezone(UTC) == dt.datetime(2025, 3, 30, 5, 0, tzinfo=UTC)
    assert dt.datetime(2025, 3, 29, 22, 0, tzinfo=own).astimezone(UTC) == dt.datetime(2025, 3, 29, 21, 0, tzinfo=UTC)
    assert "Break 03:00\u201303:30 (30 min, unpaid)" in str(night["DESCRIPTION"])
    day = events[0]
    description = str(day["DESCRIPTION"])
    assert description.index("Break 09:15") < description.index("Break 11:30")  # sorted by time

    # Fall-back night: 22:00 CEST = 20:00Z to 07:00 CET = 06:00Z, 10 hours of real time.
    cecilia = _read_ics(tmp_path / "ics" / "A0003.ics").walk("VEVENT")[0]
    duration = cecilia.decoded("DTEND").astimezone(UTC) - cecilia.decoded("DTSTART").astimezone(UTC)
    assert duration == dt.timedelta(hours=10)


def test_ics_uids_are_unique_and_stable_across_exports(tmp_path):
    first = export_roster(roster(), tmp_path / "one")
    second = export_roster(roster(), tmp_path / "two")
    uids = lambda files: sorted(str(e["UID"]) for p in files for e in _read_ics(p).walk("VEVENT"))  # noqa: E731
    assert uids(first) == uids(second)
    assert len(set(uids(first))) == len(roster())


# --- formula injection -----------------------------------------------------------------------

DANGEROUS = ["=HYPERLINK(\"http://x\",\"y\")", "+46 70 123", "-1+2", "@SUM(A1:A9)", "\tTab", "=cmd|' /C calc'!A0"]


def test_formula_injection_is_neutralised_in_csv_and_xlsx_not_json(tmp_path):
    df = roster().iloc[:1].copy()
    frames = []
    for i, text in enumerate(DANGEROUS):
        row = df.copy()
        row["agent_id"], row["name"], row["site"] = f"X{i}", text, text
        frames.append(row)
    df = pd.concat(frames, ignore_index=True)
    with open(export_roster(df, tmp_path / "r.csv"), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["name"] for r in rows] == ["'" + t for t in DANGEROUS]
    assert [r["site"] for r in rows] == ["'" + t for t in DANGEROUS]

    wb = openpyxl.load_workbook(export_roster(df, tmp_path / "r.xlsx"))
    for sheet in ("Roster", "Shifts"):
        for row in wb[sheet].iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet, cell.coordinate, cell.value)
    names = [wb["Roster"].cell(row=r, column=2).value for r in range(2, 2 + len(DANGEROUS))]
    assert names == ["'" + t for t in DANGEROUS]

    doc = json.loads(export_roster(df, tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [a["name"] for a in doc["agents"]] == DANGEROUS  # JSON is not a spreadsheet: text unchanged


def test_neutralise_formula_leaves_numbers_and_safe_text():
    assert neutralise_formula(-3) == -3 and neutralise_formula(-2.5) == -2.5
    assert neutralise_formula("Anna") == "Anna" and neutralise_formula("") == ""
    assert neutralise_formula("a=b") == "a=b"
    for prefix in FORMULA_PREFIXES:
        assert neutralise_formula(prefix + "x") == "'" + prefix + "x"


XLSX_SAFE = st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(
    chr(c) for c in list(range(0x00, 0x09)) + list(range(0x0B, 0x20))))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(XLSX_SAFE, min_size=1, max_size=30), site=st.text(XLSX_SAFE, min_size=1, max_size=12))
def test_arbitrary_text_round_trips_and_never_becomes_a_formula(tmp_path_factory, name, site):
    out = tmp_path_factory.mktemp("h")
    df = roster().iloc[:2].copy()
    df["name"], df["site"] = name, site
    with open(export_roster(df, out / "r.csv"), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["name"] for r in rows} == {neutralise_formula(name)}
    assert {r["site"] for r in rows} == {neutralise_formula(site)}
    wb = openpyxl.load_workbook(export_roster(df, out / "r.xlsx"))
    cell = wb["Roster"].cell(row=2, column=2)
    assert cell.value == neutralise_formula(name) and cell.data_type == "s"
    assert all(c.data_type != "f" for row in wb["Shifts"].iter_rows() for c in row)
    doc = json.loads((export_roster(df, out / "r.json")).read_text(encoding="utf-8"))
    assert doc["agents"][0]["name"] == name and doc["agents"][0]["site"] == site
    for text in (rows[0]["name"], cell.value):
        assert not text.startswith(FORMULA_PREFIXES)


# --- pseudonymisation ------------------------------------------------------------------------

def test_pseudonymised_exports_are_name_free_and_stable(tmp_path):
    src = roster()
    secrets_ = list(src["name"].unique()) + list(src["agent_id"].unique())
    paths = [export_roster(src, tmp_path / f"p.{s}", pseudonymise=True, salt="team-salt")
             for s in ("csv", "xlsx", "json")]
    paths += export_roster(src, tmp_path / "ics", pseudonymise=True, salt="team-salt")
    for path in paths:
        if path.suffix == ".xlsx":
            wb = openpyxl.load_workbook(path)
            text = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row)
        else:
            text = Path(path).read_text(encoding="utf-8")
        for secret in secrets_:
            assert secret not in text, (path, secret)
    with open(paths[0], newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    codes = pseudonyms(src["agent_id"], "team-salt")
    assert {(r["agent_id"], r["name"]) for r in rows} == {(c, f"Agent {c}") for c in codes.values()}
    # The same agent has the same pseudonym on all of its rows, different agents differ.
    by_code = pd.DataFrame(rows).groupby("agent_id")["shift_id"].apply(set).to_dict()
    assert by_code[codes["A0001"]] == {"S1", "S2"}
    assert all(re.fullmatch(r"Agent [0-9a-f]{4,}", r["name"]) for r in rows)
    doc = json.loads(paths[2].read_text(encoding="utf-8"))
    assert doc["pseudonymised"] is True and sorted(a["agent_id"] for a in doc["agents"]) == sorted(codes.values())
    # Stable with the same salt, different with another one.
    assert pseudonyms(["A0001"], "team-salt")["A0001"] == codes["A0001"]
    assert pseudonyms(["A0001"], "other-salt")["A0001"] != codes["A0001"]


def test_pseudonyms_grow_until_unique():
    ids = [f"A{i:04d}" for i in range(800)]
    codes = pseudonyms(ids, "s")
    assert len(set(codes.values())) == 800
    assert len({len(c) for c in codes.values()}) == 1 and len(next(iter(codes.values()))) >= 4


# --- bad input --------------------------------------------------------------------------------

def test_bad_assignments_are_refused_with_row_and_column(tmp_path):
    with pytest.raises(WfmInputError, match=r"unknown format '\.txt'; use \.csv, \.xlsx, \.json or a directory"):
        export_roster(roster(), tmp_path / "r.txt")
    with pytest.raises(WfmInputError, match="missing column\\(s\\) breaks"):
        export_roster(roster().drop(columns="breaks"), tmp_path / "r.csv")
    naive = roster()
    naive["start"] = naive["start"].dt.tz_localize(None)
    with pytest.raises(WfmInputError, match="column start must hold tz-aware timestamps"):
        export_roster(naive, tmp_path / "r.csv")
    backwards = roster()
    backwards.loc[2, "end"] = backwards.loc[2, "start"]
    with pytest.raises(WfmInputError, match="row 2: end must be after start"):
        export_roster(backwards, tmp_path / "r.csv")
    bad_breaks = roster()
    bad_breaks.loc[1, "breaks"] = "11:30/30"
    with pytest.raises(WfmInputError, match="row 1, column breaks: a break must be START/MINUTES/paid\\|unpaid"):
        export_roster(bad_breaks, tmp_path / "r.csv")
    minutes = roster()
    minutes["paid_minutes"] = minutes["paid_minutes"].astype(float)
    minutes.loc[3, "paid_minutes"] = -5.0
    with pytest.raises(WfmInputError, match="row 3, column paid_minutes: must be a whole number >= 0, got -5.0"):
        export_roster(minutes, tmp_path / "r.csv")
    two_names = roster()
    two_names.loc[1, "name"] = "Someone Else"
    with pytest.raises(WfmInputError, match="agent_id 'A0001' appears with different names"):
        export_roster(two_names, tmp_path / "r.csv")
    control = roster()
    control.loc[control["agent_id"] == "A0001", "name"] = "Anna\x07Berg"
    with pytest.raises(WfmInputError, match="column name: text contains control character '\\\\x07'"):
        export_roster(control, tmp_path / "r.xlsx")
    with pytest.raises(WfmInputError, match="tz must be an IANA time zone.*got 'Mars/Base'"):
        export_roster(roster(), tmp_path / "r.csv", tz="Mars/Base")
    assert not list(tmp_path.iterdir())  # nothing half-written


@settings(max_examples=30, deadline=None)
@given(column=st.sampled_from(["agent_id", "name", "shift_id"]),
       value=st.one_of(st.just(""), st.none(), st.integers(), st.floats(allow_nan=True)))
def test_missing_or_non_text_identifiers_are_refused(column, value):
    df = roster()
    df[column] = df[column].astype(object)
    df.at[2, column] = value
    with pytest.raises(WfmInputError, match=f"row 2, column {column}: must be non-empty text"):
        export_roster(df, Path("/nonexistent-dir-never-written/r.csv"))


def test_empty_roster_exports_empty_files(tmp_path):
    empty = roster().iloc[:0]
    with open(export_roster(empty, tmp_path / "e.csv"), newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [list(CSV_COLUMNS)]
    assert json.loads(export_roster(empty, tmp_path / "e.json").read_text())["agents"] == []
    assert openpyxl.load_workbook(export_roster(empty, tmp_path / "e.xlsx"))["Roster"].max_row == 1
    assert export_roster(empty, tmp_path / "ics") == []


def test_agent_ids_that_share_a_calendar_file_name_are_refused_before_writing(tmp_path):
    df = roster()
    df.loc[df["agent_id"] == "A0002", "agent_id"] = "A/1"
    df.loc[df["agent_id"] == "A0003", "agent_id"] = "A:1"
    with pytest.raises(WfmInputError, match="agent_id 'A:1' and 'A/1' map to the same calendar file name 'A_1.ics'"):
        export_roster(df, tmp_path / "ics")
    assert not (tmp_path / "ics").exists()


def test_requirement_as_coverage_gets_scheduled_agents_from_the_roster(tmp_path):
    # By hand: B works 08:05-09:00 with a break 08:30-08:40; A works 08:00-16:00 (no break in this hour).
    # 08:00 interval: A 15 + B 10 minutes -> 1 + 10/15; 08:15: 2; 08:30: A 15 + B 5 -> 1 + 5/15; 08:45: 2.
    df = pd.DataFrame({
        "agent_id": ["A", "B"], "name": ["Anna", "Bo"], "site": ["Umeå", "Umeå"],
        "skill_group": ["sv_all", "sv_all"], "shift_id": ["S1", "S2"],
        "start": [ts("2025-01-06 08:00"), ts("2025-01-06 08:05")],
        "end": [ts("2025-01-06 16:00"), ts("2025-01-06 09:00")],
        "paid_minutes": [450, 55], "breaks": ["", "2025-01-06T08:30:00+01:00/10/paid"],
    })
    starts = pd.date_range("2025-01-06 08:00", periods=4, freq="15min", tz=TZ)
    requirement = pd.DataFrame({"interval_start": list(starts) * 2, "queue": ["reports"] * 4 + ["tips"] * 4,
                                "agents_required": [1, 1, 1, 1, 0.5, 0.5, 0.5, 2.0]})
    doc = json.loads(export_roster(df, tmp_path / "r.json", coverage=requirement).read_text(encoding="utf-8"))
    cov = pd.DataFrame(doc["coverage"])
    assert list(cov.columns) == ["interval_start", "agents_required", "agents_scheduled", "difference"]
    assert cov["agents_required"].tolist() == [1.5, 1.5, 1.5, 3.0]  # summed over queues
    assert cov["agents_scheduled"].tolist() == pytest.approx([1 + 10 / 15, 2.0, 1 + 5 / 15, 2.0], abs=1e-6)
    assert cov["difference"].tolist() == pytest.approx([1 / 6, 0.5, -1 / 6, -1.0], abs=1e-6)
    sheet = openpyxl.load_workbook(export_roster(df, tmp_path / "r.xlsx", coverage=requirement))["Coverage"]
    assert [c.value for c in sheet[1]] == ["interval_start", "agents_required", "agents_scheduled", "difference"]
    assert sheet.cell(row=5, column=4).value == pytest.approx(-1.0) and sheet.cell(row=5, column=4).data_type == "n"


def test_scheduled_agents_across_the_spring_forward_night():
    from optimiser.queueing.on_phone import agents_on_shift
    from wfm.io.roster import validate_assignments

    v = validate_assignments(roster().iloc[[1]])  # 22:00 CET -> 07:00 CEST, break 03:00-03:30 CEST
    starts = pd.date_range("2025-03-29 21:45", "2025-03-30 07:00", freq="15min", tz=TZ)
    assert len(starts) == 34  # 01:45 is followed by 03:00 on this day
    got = agents_on_shift(v, starts, 15, breaks_column="breaks_parsed")
    assert got.iloc[0] == 0.0 and got.iloc[-1] == 0.0
    assert got[ts("2025-03-30 03:00")] == 0.0 and got[ts("2025-03-30 03:15")] == 0.0  # on break
    assert got.sum() * 15 == 450  # 8 real hours minus the 30-minute break = paid minutes


# --- download bytes for the app, and the roster CSV read back ------------------------------------

def test_downloads_read_back_with_standard_readers():
    a = two_agent_roster()
    rows = list(csv.DictReader(io.StringIO(roster_file_bytes(a, "csv").decode("utf-8-sig"))))
    assert len(rows) == 2 and not rows[1]["name"].startswith("=")  # formula neutralised
    wb = openpyxl.load_workbook(io.BytesIO(roster_file_bytes(a, "xlsx")))
    assert len(wb.sheetnames) >= 1
    doc = json.loads(roster_file_bytes(a, "json"))
    assert isinstance(doc, dict)
    with zipfile.ZipFile(io.BytesIO(roster_file_bytes(a, "ics"))) as zf:
        names = zf.namelist()
        assert len(names) == 2
        cal = icalendar.Calendar.from_ical(zf.read(names[0]))
        assert any(c.name == "VTIMEZONE" for c in cal.walk())
    with pytest.raises(ValueError, match="fmt must be one of"):
        roster_file_bytes(a, "pdf")


def test_pseudonymised_download_has_no_names():
    text = roster_file_bytes(two_agent_roster(), "csv", pseudonymise=True).decode("utf-8-sig")
    assert "Anna Berg" not in text and "A1," not in text


def test_roster_csv_reads_back_what_the_export_wrote(tmp_path):
    path = export_roster(roster(), tmp_path / "roster.csv")
    back = read_roster_csv(path)
    assert len(back) == len(roster()) and str(back["start"].dt.tz) == TZ
    assert set(back["breaks"]) == set(roster()["breaks"])
    text = path.read_text(encoding="utf-8")
    again = read_roster_csv(io.StringIO(text), name="upload.csv")
    pd.testing.assert_frame_equal(again, back)
    with pytest.raises(WfmInputError, match=r"upload\.csv: missing column\(s\) breaks"):
        read_roster_csv(io.StringIO(text.replace(",breaks", ",pauses", 1)), name="upload.csv")
