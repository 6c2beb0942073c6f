"""Agent list, unavailability and preferences import: strict, clear errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.io.agents import AGENT_COLUMNS, read_agents, read_preferences, read_unavailability
from wfm.ground.errors import WfmInputError

ROOT = Path(__file__).resolve().parents[3]
GOOD = {"agent_id": "A0001", "name": "Maria Larsson", "site": "Örebro", "skill_group": "sv_all",
        "skills": "reports;tips;switchboard", "languages": "sv", "contract": "full_time",
        "contract_hours_per_week": "40", "min_hours_per_week": "32", "max_hours_per_week": "48",
        "nights_allowed": "true", "fixed_days_off": "Sat;Sun"}


def _write(path: Path, rows, columns=AGENT_COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(columns))
        w.writeheader()
        for r in rows:
            w.writerow(r)
    return path


def test_demo_agent_list_loads():
    agents = read_agents(ROOT / "data" / "demo_agents.csv")
    assert len(agents) == 800 and agents["agent_id"].is_unique
    assert agents["contract_hours_per_week"].max() <= 40  # Arbetstidslagen 5 §
    assert agents["max_hours_per_week"].max() <= 48  # Arbetstidslagen 10 b §
    un = read_unavailability(ROOT / "data" / "demo_agent_unavailability.csv", agents)
    assert str(un["start"].dt.tz) == "Europe/Stockholm" and len(un) > 0


def test_good_row_is_parsed(tmp_path):
    a = read_agents(_write(tmp_path / "a.csv", [GOOD]))
    row = a.iloc[0]
    assert row["skills"] == ("reports", "tips", "switchboard") and row["fixed_days_off"] == ("Sat", "Sun")
    assert row["nights_allowed"] is True or bool(row["nights_allowed"]) is True
    assert a["contract_hours_per_week"].dtype == "float64"


def test_xlsx_agent_list(tmp_path):
    path = tmp_path / "a.xlsx"
    pd.DataFrame([GOOD, {**GOOD, "agent_id": "A0002"}]).to_excel(path, index=False)
    assert list(read_agents(path)["agent_id"]) == ["A0001", "A0002"]


@pytest.mark.parametrize("column, value, pattern", [
    ("skills", "reports;traffic", r"row 2, column skills: unknown skill \(queue\) 'traffic'"),
    ("skill_group", "sv_night", r"row 2, column skill_group: unknown skill group 'sv_night'"),
    ("contract_hours_per_week", "45", r"row 2, column contract_hours_per_week: above the legal maximum .*40 h/week.*got 45"),
    ("max_hours_per_week", "50", r"row 2, column max_hours_per_week: above the legal maximum .*48 h/week.*got 50"),
    ("min_hours_per_week", "41", r"min_hours_per_week <= contract_hours_per_week"),
    ("nights_allowed", "maybe", r"row 2, column nights_allowed: must be true or false, got 'maybe'"),
    ("fixed_days_off", "Funday", r"row 2, column fixed_days_off: must be weekday names"),
    ("contract", "zero_hours", r"row 2, column contract: must be one of full_time, part_time"),
    ("languages", "sv;fi", r"unknown language 'fi'"),
    ("contract_hours_per_week", "forty", r"row 2, column contract_hours_per_week: must be a number"),
])
def test_bad_agent_values(tmp_path, column, value, pattern):
    with pytest.raises(WfmInputError, match=pattern):
        read_agents(_write(tmp_path / "a.csv", [{**GOOD, column: value}]))


def test_english_skill_needs_english(tmp_path):
    row = {**GOOD, "skill_group": "bilingual", "skills": "reports;tips;switchboard;english", "languages": "sv"}
    with pytest.raises(WfmInputError, match=r"skill 'english' needs language 'en'"):
        read_agents(_write(tmp_path / "a.csv", [row]))


def test_missing_column_and_duplicates(tmp_path):
    cols = [c for c in AGENT_COLUMNS if c != "skills"]
    with pytest.raises(WfmInputError, match=r"missing column\(s\) skills"):
        read_agents(_write(tmp_path / "a.csv", [{k: v for k, v in GOOD.items() if k != "skills"}], cols))
    with pytest.raises(WfmInputError, match=r"row 3, column agent_id: must be unique, 'A0001' already on row 2"):
        read_agents(_write(tmp_path / "b.csv", [GOOD, GOOD]))


def test_all_errors_are_listed(tmp_path):
    rows = [{**GOOD, "skills": "x"}, {**GOOD, "agent_id": "A2", "contract_hours_per_week": "45"}]
    with pytest.raises(WfmInputError) as info:
        read_agents(_write(tmp_path / "a.csv", rows))
    assert any("row 2" in e for e in info.value.errors) and any("row 3" in e for e in info.value.errors)


def _un(tmp_path, rows):
    return _write(tmp_path / "u.csv", rows, ("agent_id", "start", "end", "reason"))


def test_overlapping_unavailability_is_refused(tmp_path):
    agents = read_agents(_write(tmp_path / "a.csv", [GOOD]))
    rows = [{"agent_id": "A0001", "start": "2026-02-02T00:00:00+01:00", "end": "2026-02-09T00:00:00+01:00", "reason": "leave"},
            {"agent_id": "A0001", "start": "2026-02-05T08:00:00+01:00", "end": "2026-02-05T16:00:00+01:00", "reason": "training"}]
    with pytest.raises(WfmInputError, match=r"row 3: unavailability of agent 'A0001' overlaps row 2"):
        read_unavailability(_un(tmp_path, rows), agents)


@pytest.mark.parametrize("field, value, pattern", [
    ("start", "2026-02-02T08:00:00", r"column start: must carry a UTC offset"),
    ("end", "tomorrow", r"column end: must be an ISO-8601 timestamp"),
    ("agent_id", "A9999", r"unknown agent 'A9999'"),
    ("end", "2026-02-02T07:00:00+01:00", r"end must be after start"),
])
def test_bad_unavailability(tmp_path, field, value, pattern):
    agents = read_agents(_write(tmp_path / "a.csv", [GOOD]))
    row = {"agent_id": "A0001", "start": "2026-02-02T08:00:00+01:00", "end": "2026-02-02T16:00:00+01:00",
           "reason": "training", field: value}
    with pytest.raises(WfmInputError, match=pattern):
        read_unavailability(_un(tmp_path, [row]), agents)


def test_preferences_file(tmp_path):
    agents = read_agents(_write(tmp_path / "a.csv", [GOOD]))
    cols = ("agent_id", "kind", "day", "template", "weight")
    ok = _write(tmp_path / "p.csv", [{"agent_id": "A0001", "kind": "wanted", "day": "Fri", "template": "", "weight": "2"}],
                cols)
    assert read_preferences(ok, agents)["weight"].tolist() == [2.0]
    bad = _write(tmp_path / "q.csv", [{"agent_id": "A0001", "kind": "love", "day": "Fri", "template": "", "weight": "1"}],
                 cols)
    with pytest.raises(WfmInputError, match=r"row 2, column kind: must be wanted or unwanted"):
        read_preferences(bad, agents)


# Malformed values per column: the importer must refuse each, naming row and column.
BAD_VALUES = {
    "agent_id": st.just(""),
    "skill_group": st.text(min_size=1, max_size=8).filter(lambda s: s.strip() not in ("sv_reports", "sv_all", "bilingual")),
    "skills": st.text(alphabet="abcxyz", min_size=1, max_size=6).filter(lambda s: s not in ("tips",)),
    "languages": st.sampled_from(["", "fi", "sv;de", "en"]),
    "contract": st.text(min_size=1, max_size=6).filter(lambda s: s.strip() not in ("full_time", "part_time")),
    "contract_hours_per_week": st.one_of(st.floats(40.01, 1e6), st.floats(-1e6, -0.01), st.just("x")),
    "max_hours_per_week": st.one_of(st.floats(48.01, 1e6), st.just("nan"), st.just("")),
    "nights_allowed": st.text(max_size=5).filter(lambda s: s.strip().lower() not in ("true", "false", "1", "0", "yes", "no")),
    "fixed_days_off": st.text(alphabet="abcdefXYZ", min_size=1, max_size=5),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=st.sampled_from(sorted(BAD_VALUES)), data=st.data(), n_good=st.integers(0, 3))
def test_an_importer_never_accepts_a_malformed_agent_file(tmp_path, column, data, n_good):
    value = data.draw(BAD_VALUES[column])
    rows = [{**GOOD, "agent_id": f"G{i}"} for i in range(n_good)]
    rows.append({**GOOD, "agent_id": "BAD" if column != "agent_id" else "", column: value})
    path = _write(tmp_path / "h.csv", rows)
    with pytest.raises(WfmInputError) as info:
        read_agents(path)
    assert any(f"row {n_good + 2}" in e and str(path) in e for e in info.value.errors), info.value.errors


def test_optional_hire_date_and_fte_columns(tmp_path):
    import datetime as dt

    columns = AGENT_COLUMNS + ("hire_date", "fte")
    a = read_agents(_write(tmp_path / "a.csv", [{**GOOD, "hire_date": "2019-03-04", "fte": "0.75"}], columns))
    assert a["hire_date"].iloc[0] == dt.date(2019, 3, 4) and a["fte"].iloc[0] == 0.75
    assert list(a.columns) == list(columns)
    assert "hire_date" not in read_agents(_write(tmp_path / "b.csv", [GOOD])).columns  # still optional


@pytest.mark.parametrize("column, value, pattern", [
    ("hire_date", "2019-13-04", r"row 2, column hire_date: must be a date YYYY-MM-DD, got '2019-13-04'"),
    ("fte", "1.5", r"row 2, column fte: must be an FTE share in \(0, 1\] \(1 = full time\), got '1.5'"),
    ("fte", "0", r"row 2, column fte: must be an FTE share in \(0, 1\]"),
])
def test_bad_hire_date_and_fte(tmp_path, column, value, pattern):
    row = {**GOOD, "hire_date": "2019-03-04", "fte": "1", column: value}
    with pytest.raises(WfmInputError, match=pattern):
        read_agents(_write(tmp_path / "a.csv", [row], AGENT_COLUMNS + ("hire_date", "fte")))
