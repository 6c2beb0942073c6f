"""Evaluating a hiring plan: the month table on small hand-built cases."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from optimiser.capacity.evaluate import CLASS_COLUMNS, MONTH_COLUMNS, evaluate_plan
from optimiser.capacity.problem import prepare_problem
from optimiser.capacity.spec import HiringPlan, HiringType, Overtime, PlannedClass
from tests.optimiser.capacity.capacity_builders import hourly_history, settings, staff
from wfm.ground.errors import WfmInputError

HISTORY = hourly_history(start="2023-01-01", months=36, calls_per_hour=40.0, aht_seconds=300.0)


@pytest.fixture(scope="module")
def problem():
    return prepare_problem(HISTORY, staff(15), settings(months=6))


def test_no_hires_and_no_attrition_keep_everything_constant(problem):
    table = evaluate_plan(problem).months
    assert list(table.columns) == list(MONTH_COLUMNS)
    np.testing.assert_allclose(table["headcount"], 15.0)
    np.testing.assert_allclose(table["proficient_fte"], 15.0)
    np.testing.assert_allclose(table["available_fte"], 15.0)
    # flat demand: every month has the same requirement and the same accessibility
    assert np.ptp(table["required_fte"]) / table["required_fte"].mean() < 0.01
    assert np.ptp(table["service_level"]) < 0.01
    np.testing.assert_allclose(table["gap_fte"], table["available_fte"] - table["required_fte"])
    assert (table["meets_target"] == (table["service_level"] >= 0.8)).all()


def test_required_fte_is_the_required_hours_over_on_phone_hours_per_fte(problem):
    table = evaluate_plan(problem).months
    np.testing.assert_allclose(table["required_fte"], table["required_on_phone_hours_per_week"] / 40.0)
    assert (table["required_fte"] <= table["interval_requirement_fte"]).all()


def test_a_class_counts_after_training_by_the_ramp(problem):
    plan = HiringPlan((PlannedClass("permanent", dt.date(2026, 2, 2), 10),))
    base = evaluate_plan(problem).months
    table = evaluate_plan(problem, plan).months
    extra = (table["proficient_fte"] - base["proficient_fte"]).to_numpy()
    assert extra[0] == 0 and extra[1] == 0  # February: 4 weeks of training from the 2nd
    assert 0 < extra[2] < 10 * 0.5 + 1e-9  # March: at 50 %
    assert extra[-1] == pytest.approx(10.0)  # fully proficient by June
    assert table["hires_starting"].tolist() == [0, 10, 0, 0, 0, 0]
    assert table["trainees"].iloc[1] == pytest.approx(10 * 27 / 28)  # 27 of February's 28 days
    np.testing.assert_allclose(table["headcount"].iloc[1:], 25.0)
    assert table["hiring_cost"].sum() == 10 * 1000.0


@hsettings(max_examples=20, deadline=None)
@given(a=st.integers(0, 20), b=st.integers(0, 20), month=st.integers(1, 5))
def test_more_hires_never_lower_the_projected_accessibility(problem, a, b, month):
    lo, hi = sorted((a, b))
    start = dt.date(2026, month, 1)
    plans = [HiringPlan((PlannedClass("permanent", start, n),)) if n else HiringPlan() for n in (lo, hi)]
    sl = [evaluate_plan(problem, p, with_asa=False).months["service_level"].to_numpy() for p in plans]
    assert np.all(sl[1] >= sl[0] - 1e-12)


def test_overtime_adds_on_phone_hours(problem):
    ot = HiringPlan((), tuple([40.0] * 6))
    table = evaluate_plan(problem, ot).months
    base = evaluate_plan(problem).months
    np.testing.assert_allclose(table["available_fte"] - base["available_fte"], 1.0)  # 40 h / 40 h per FTE
    assert (table["service_level"] > base["service_level"]).all()


def test_class_table_and_totals(problem):
    temp = settings(months=6, types=(HiringType("temp", training_weeks=2, ramp=(), min_class=2, max_class=9,
                                                cost_per_hire=500.0, fixed_term_months=2),))
    p = prepare_problem(HISTORY, staff(15), temp)
    e = evaluate_plan(p, HiringPlan((PlannedClass("temp", dt.date(2026, 3, 2), 4),)))
    assert list(e.classes.columns) == list(CLASS_COLUMNS)
    row = e.classes.iloc[0]
    assert row["on_phones_from"] == dt.date(2026, 3, 16) and row["ends"] is not None
    assert e.totals["hires"] == 4 and e.totals["cost"] == pytest.approx(
        e.months[["hiring_cost", "new_hire_salary_cost", "overtime_cost"]].to_numpy().sum())
    assert e.months["headcount"].iloc[-1] == pytest.approx(15.0)  # the temps have left


@pytest.mark.parametrize("plan, match", [
    (HiringPlan((PlannedClass("permanent", dt.date(2025, 12, 1), 5),)),
     r"classes\[0\].start 2025-12-01 is before the plan's start 2026-01-01"),
    (HiringPlan((PlannedClass("permanent", dt.date(2026, 3, 2), 25),)),
     r"classes\[0\].hires must be 0 or in \[1, 20\] \(the permanent class size\), got 25"),
    (HiringPlan((PlannedClass("nurse", dt.date(2026, 3, 2), 5),)), r"no hiring class type named 'nurse'"),
    (HiringPlan((PlannedClass("permanent", dt.date(2026, 7, 1), 5),)), r"classes\[0\].start 2026-07-01 is after"),
    (HiringPlan((), (1.0, 2.0)), r"overtime_hours_per_week must hold one value per plan month \(6\), got 2"),
])
def test_bad_plans_are_refused_naming_the_class(problem, plan, match):
    with pytest.raises(WfmInputError, match=match):
        evaluate_plan(problem, plan)


def test_overtime_limit_settings_are_checked():
    with pytest.raises(WfmInputError, match=r"overtime.max_hours_per_fte_month must be at most 50"):
        settings(overtime=Overtime(max_hours_per_fte_month=60))
