"""Roster grid and download bytes, read back with standard readers."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import openpyxl
import pandas as pd
import pytest
from icalendar import Calendar

from optimiser.roster.views import roster_file_bytes, roster_grid

TZ = "Europe/Stockholm"


def _assignments():
    d = pd.Timestamp("2026-03-28 22:00", tz=TZ)  # a night shift over the spring-forward change
    day = pd.Timestamp("2026-03-30 07:00", tz=TZ)
    return pd.DataFrame({
        "agent_id": ["A1", "A2"], "name": ["Anna Berg", "=cmd()"], "site": ["Umea", "Malmo"],
        "skill_group": ["sv_all", "sv_reports"], "shift_id": ["S1", "S2"],
        "start": [d, day], "end": [d + pd.Timedelta(hours=8), day + pd.Timedelta(hours=9)],
        "paid_minutes": [450, 510], "breaks": ["", "2026-03-30T11:00:00+02:00/30/unpaid"],
    })


def test_grid_has_one_row_per_agent_and_local_times():
    grid = roster_grid(_assignments())
    assert list(grid.index) == ["=cmd() (A2)", "Anna Berg (A1)"]
    # 22:00 + 8 elapsed hours across the DST change ends at 07:00 local, not 06:00
    assert grid.loc["Anna Berg (A1)", "2026-03-28 Sat"] == "22:00–07:00"
    assert grid.loc["=cmd() (A2)", "2026-03-30 Mon"] == "07:00–16:00"
    assert grid.loc["Anna Berg (A1)", "2026-03-30 Mon"] == ""


def test_downloads_read_back_with_standard_readers():
    a = _assignments()
    rows = list(csv.DictReader(io.StringIO(roster_file_bytes(a, "csv").decode("utf-8-sig"))))
    assert len(rows) == 2 and not rows[1]["name"].startswith("=")  # formula neutralised
    wb = openpyxl.load_workbook(io.BytesIO(roster_file_bytes(a, "xlsx")))
    assert len(wb.sheetnames) >= 1
    doc = json.loads(roster_file_bytes(a, "json"))
    assert isinstance(doc, dict)
    with zipfile.ZipFile(io.BytesIO(roster_file_bytes(a, "ics"))) as zf:
        names = zf.namelist()
        assert len(names) == 2
        cal = Calendar.from_ical(zf.read(names[0]))
        assert any(c.name == "VTIMEZONE" for c in cal.walk())
    with pytest.raises(ValueError, match="fmt must be one of"):
        roster_file_bytes(a, "pdf")


def test_pseudonymised_download_has_no_names():
    text = roster_file_bytes(_assignments(), "csv", pseudonymise=True).decode("utf-8-sig")
    assert "Anna Berg" not in text and "A1," not in text
