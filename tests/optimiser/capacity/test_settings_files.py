"""Capacity settings, hiring plans and month tables: files in, clear errors, files out."""

from __future__ import annotations

import copy
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st
from openpyxl import load_workbook

from optimiser.capacity.settings import plan_from_frame, plan_to_frame, settings_from_mapping, settings_to_mapping
from optimiser.capacity.spec import HiringPlan, PlannedClass, ShrinkageProfile
from wfm.ground.errors import WfmInputError
from wfm.io.capacity import (
    capacity_workbook_bytes,
    month_table_csv_text,
    read_capacity_settings,
    read_hiring_plan,
    read_overtime,
    settings_yaml_text,
    write_hiring_plan,
)

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "data" / "demo_capacity.yaml"


@pytest.fixture(scope="module")
def demo_mapping():
    return read_capacity_settings(DEMO)


def test_the_demo_settings_load(demo_mapping):
    s = settings_from_mapping(demo_mapping)
    assert s.horizon.start == dt.date(2026, 1, 1) and s.horizon.months == 24
    assert [t.name for t in s.types] == ["permanent", "summer"]
    assert s.targets.answer_within_seconds == 180 and s.targets.target_service_level == 0.8
    # Swedish vacation: summer months lose most, July the most
    vacation = s.shrinkage.category("vacation")
    assert vacation.argmax() == 6 and vacation[5:8].sum() * 21.75 == pytest.approx(20.0)
    assert s.shrinkage.category("other").tolist() == [0.08] * 12
    assert s.what_ifs[1].month == dt.date(2027, 1, 1)


def test_settings_round_trip_through_yaml(demo_mapping):
    s = settings_from_mapping(demo_mapping)
    text = settings_yaml_text(settings_to_mapping(s))
    back = settings_from_mapping(read_capacity_settings(io.BytesIO(text.encode()), name="back.yaml"))
    assert back == s


def _broken(mapping, path: str, value):
    m = copy.deepcopy(mapping)
    node = m
    keys = path.split("/")
    for k in keys[:-1]:
        node = node[int(k)] if k.isdigit() else node[k]
    last = keys[-1]
    node[int(last) if last.isdigit() else last] = value
    return m


@pytest.mark.parametrize("path, value, match, parameter", [
    ("attrition/0/annual_rate", -0.1, r"attrition\[0\].annual_rate must be a share in \[0, 1\), got -0.1",
     "attrition[0].annual_rate"),
    ("hiring/types/0/ramp", [0.6, 1.2], r"hiring.types\[0\].ramp\[1\] must be a proficiency in \(0, 1\] "
     r"\(1 = 100 %\), got 1.2", "hiring.types[0].ramp"),
    ("hiring/types/0/min_class", 30, r"hiring.types\[0\].max_class must be a whole number >= 30, got 24",
     "hiring.types[0].max_class"),
    ("attrition/1/from_months", 6, r"attrition\[1\].from_months must be 12", "attrition[1].from_months"),
    ("plan/months", 0, r"plan.months must be a whole number in \[1, 60\], got 0", "plan.months"),
    ("plan/start", "next year", r"plan.start must be a month YYYY-MM", "plan.start"),
    ("targets/target_service_level", 1.5, r"targets.target_service_level", "targets.target_service_level"),
    ("hiring/lead_weeks", -2, r"hiring.lead_weeks must be >= 0, got -2", "hiring.lead_weeks"),
    ("workforce/scheduling_efficiency", 1.2, r"workforce.scheduling_efficiency must be in \(0, 1\]",
     "workforce.scheduling_efficiency"),
    ("overtime/max_hours_per_fte_month", 80, r"at most 50 \(arbetstidslagen 8 §\)", "overtime.max_hours_per_fte_month"),
    ("what_ifs/0/share_moved_to_eservice", 1.0, r"what_ifs\[0\].share_moved_to_eservice must be a share in \[0, 1\)",
     "what_ifs[0].share_moved_to_eservice"),
    ("hiring/types/1/starts", ["2026-13-01"], r"hiring.types\[1\].starts\[0\] must be a date YYYY-MM-DD",
     "hiring.types[1].starts[0]"),
    ("workforce/hours", 40, r"workforce: unknown key\(s\) 'hours'", "workforce.hours"),
])
def test_bad_settings_name_the_parameter(demo_mapping, path, value, match, parameter):
    with pytest.raises(WfmInputError, match=match) as info:
        settings_from_mapping(_broken(demo_mapping, path, value))
    assert info.value.parameter == parameter


def test_shrinkage_that_adds_up_to_one_is_refused():
    with pytest.raises(WfmInputError, match=r"the categories of calendar month 7 add up to 1.000"):
        ShrinkageProfile((("vacation", (0.1,) * 6 + (0.6,) + (0.1,) * 5), ("sick_leave", (0.4,) * 12)))


def test_a_settings_file_that_is_not_a_mapping_is_refused(tmp_path):
    (tmp_path / "s.yaml").write_text("- just\n- a list\n")
    with pytest.raises(WfmInputError, match=r"s.yaml: a capacity settings file is a mapping"):
        read_capacity_settings(str(tmp_path / "s.yaml"))


def test_hiring_plan_file_round_trip(tmp_path):
    plan = HiringPlan((PlannedClass("permanent", dt.date(2026, 3, 2), 24), PlannedClass("summer", dt.date(2026, 5, 4), 40)))
    write_hiring_plan(plan_to_frame(plan), tmp_path / "p.csv")
    assert plan_from_frame(read_hiring_plan(str(tmp_path / "p.csv"))) == plan


@pytest.mark.parametrize("text, match", [
    ("class_type,start,hires\npermanent,2026-03-02,-3\n", r"p.csv: row 2, column hires: must be a whole number >= 0"),
    ("class_type,start,hires\npermanent,2026/03/02,3\n", r"row 2, column start: must be a date YYYY-MM-DD"),
    ("class_type,start\npermanent,2026-03-02\n", r"must have the columns class_type,start,hires"),
    ("class_type,start,hires\n,2026-03-02,3\n", r"row 2, column class_type: must name a hiring class type"),
])
def test_bad_hiring_plan_files_name_row_and_column(tmp_path, text, match):
    (tmp_path / "p.csv").write_text(text)
    with pytest.raises(WfmInputError, match=match):
        read_hiring_plan(str(tmp_path / "p.csv"))


def test_overtime_file(tmp_path):
    (tmp_path / "o.csv").write_text("month,overtime_hours_per_week\n2026-07,120\n2026-08,80.5\n")
    frame = read_overtime(str(tmp_path / "o.csv"))
    assert frame["month"].tolist() == [dt.date(2026, 7, 1), dt.date(2026, 8, 1)]
    (tmp_path / "o.csv").write_text("month,overtime_hours_per_week\n2026-7,x\n")
    with pytest.raises(WfmInputError, match=r"2 problems; first: .*row 2, column month: must be a month YYYY-MM"):
        read_overtime(str(tmp_path / "o.csv"))


def test_month_table_neutralises_formulas_and_workbook_has_no_formula():
    months = pd.DataFrame({"month": [dt.date(2026, 1, 1)], "required_fte": [1.5], "note": ["=HYPERLINK(1)"]})
    classes = pd.DataFrame({"class_type": ["=cmd|' /C calc'!A0"], "start": [dt.date(2026, 3, 2)], "hires": [3]})
    text = month_table_csv_text(months)
    assert "2026-01,1.5000,'=HYPERLINK(1)" in text
    wb = load_workbook(io.BytesIO(capacity_workbook_bytes(months, classes)))
    assert wb.sheetnames == ["Months", "Classes"]
    cell = wb["Classes"]["A2"]
    assert cell.data_type == "s" and not str(cell.value).startswith("=")


@hsettings(max_examples=30, deadline=None)
@given(rate=st.floats(allow_nan=True, allow_infinity=True))
def test_any_attrition_rate_is_accepted_or_refused_by_name(demo_mapping, rate):
    try:
        s = settings_from_mapping(_broken(demo_mapping, "attrition/0/annual_rate", rate))
    except WfmInputError as exc:
        assert exc.parameter == "attrition[0].annual_rate"
    else:
        assert 0 <= s.attrition[0].annual_rate < 1
