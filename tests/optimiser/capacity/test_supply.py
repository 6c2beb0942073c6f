"""Supply: headcount, attrition, training and ramp, transfers, on small hand-built cases."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from optimiser.capacity.spec import AttritionBand, HiringLimits, HiringType, Transfer
from optimiser.capacity.supply import (
    DAYS_PER_MONTH,
    ClassOption,
    class_cohorts,
    class_options,
    cumulative_hazard,
    proficiency,
    staff_cohorts,
    training_overlaps,
    transfer_fte,
)
from tests.optimiser.capacity.capacity_builders import settings, staff
from wfm.ground.errors import WfmInputError


def test_zero_attrition_and_no_hires_keep_headcount_constant():
    s = settings(months=12)
    c = staff_cohorts(staff(25, fte=0.8), s)
    np.testing.assert_allclose(c.expected("headcount"), 25.0)
    np.testing.assert_allclose(c.expected("proficient"), 25 * 0.8)
    np.testing.assert_allclose(c.expected("paid"), 25 * 0.8)
    np.testing.assert_allclose(c.stay, 1.0)


def test_a_yearly_rate_leaves_that_share_in_a_year():
    # one band of 12 % a year: of 100 operators 88 are expected on the first day of the 13th month
    s = settings(months=13, attrition=(AttritionBand(0, None, 0.12),))
    c = staff_cohorts(staff(100), s)
    days = (dt.date(2027, 1, 1) - dt.date(2026, 1, 1)).days
    assert c.expected("headcount")[12] == pytest.approx(100 * 0.88 ** (days / 365.25), rel=1e-9)
    assert np.all(np.diff(c.expected("headcount")) < 0)


def test_attrition_follows_the_tenure_band():
    bands = (AttritionBand(0, 6, 0.5), AttritionBand(6, None, 0.1))
    h = cumulative_hazard(np.array([0.0, 6 * DAYS_PER_MONTH, 12 * DAYS_PER_MONTH]), bands)
    assert h[0] == 0
    assert h[1] == pytest.approx(-np.log(0.5) / 2, rel=1e-9)  # half a year at 50 % a year
    assert h[2] - h[1] == pytest.approx(-np.log(0.9) / 2, rel=1e-9)


def test_a_trainee_class_adds_nothing_until_training_ends_then_follows_the_ramp():
    kind = HiringType("new", training_weeks=4, ramp=(0.5, 0.8), min_class=1, max_class=10)
    s = settings(months=4, types=(kind,))
    c = class_cohorts([ClassOption("new", dt.date(2026, 1, 1))], s)
    per_hire = c.alive[0] * c.proficient[0]
    # January: 28 days in training, then 3 days at 50 %
    assert per_hire[0] == pytest.approx(3 * 0.5 / 31)
    # tenure t (days since the start) counts 0.5 while t - 28 < 30.44 days, then 0.8, then 1
    days = np.arange((dt.date(2026, 5, 1) - dt.date(2026, 1, 1)).days)
    expected_daily = np.where(days < 28, 0.0, np.where(days - 28 < DAYS_PER_MONTH, 0.5,
                                                      np.where(days - 28 < 2 * DAYS_PER_MONTH, 0.8, 1.0)))
    bounds = [0, 31, 59, 90, 120]
    expected = [expected_daily[a:b].mean() for a, b in zip(bounds[:-1], bounds[1:])]
    np.testing.assert_allclose(per_hire, expected)
    np.testing.assert_allclose(c.alive[0] * c.paid[0], 1.0)  # paid from the first day
    assert c.training_days[0, 0] == 28 and c.training_days[0, 1] == 0


def test_a_class_starting_mid_plan_counts_from_its_start():
    kind = HiringType("new", training_weeks=0, ramp=(), min_class=1, max_class=10)
    s = settings(months=3, types=(kind,))
    c = class_cohorts([ClassOption("new", dt.date(2026, 2, 15))], s)
    np.testing.assert_allclose(c.alive[0] * c.proficient[0], [0.0, 14 / 28, 1.0])


def test_a_fixed_term_class_leaves_when_its_contract_ends():
    kind = HiringType("temp", training_weeks=0, ramp=(), min_class=1, max_class=10, fixed_term_months=1)
    s = settings(months=3, types=(kind,))
    c = class_cohorts([ClassOption("temp", dt.date(2026, 1, 1))], s)
    end_day = DAYS_PER_MONTH  # 30.44 days: employed on days 0..30 (31 days), all of January
    assert c.alive[0, 0] * c.proficient[0, 0] == pytest.approx(np.sum(np.arange(31) < end_day) / 31)
    assert c.stay[0, 0] == 0.0  # gone on 1 February
    np.testing.assert_allclose(c.alive[0, 1:], 0.0)


def test_staff_still_new_follow_the_first_type_training_and_ramp():
    s = settings(months=2)  # permanent: 4 weeks' training, ramp 0.5, 0.8
    c = staff_cohorts(staff(1, hired="2025-12-25"), s)
    first_month = proficiency(np.arange(31) + 7, s.types[0]).mean()
    assert c.proficient[0, 0] == pytest.approx(first_month)
    assert c.training_days[0, 0] == 21


def test_transfers_move_proficient_fte_from_their_month():
    s = settings(months=3, transfers=(Transfer(dt.date(2026, 2, 1), -4.0, "to investigations"),))
    np.testing.assert_allclose(transfer_fte(s), [0.0, -4.0, -4.0])


def test_class_options_respect_the_lead_time():
    kind = HiringType("p", starts=(dt.date(2026, 1, 5), dt.date(2026, 3, 2)), min_class=1, max_class=5)
    s = settings(months=6, types=(kind,), limits=HiringLimits(lead_weeks=4))
    assert [o.start for o in class_options(s)] == [dt.date(2026, 3, 2)]
    assert [o.start for o in class_options(s, respect_lead_time=False)] == [dt.date(2026, 1, 5), dt.date(2026, 3, 2)]
    monthly = class_options(settings(months=3))
    assert [o.start for o in monthly] == [dt.date(2026, 1, 5), dt.date(2026, 2, 2), dt.date(2026, 3, 2)]
    assert all(o.start.weekday() == 0 for o in monthly)


def test_training_overlaps_are_the_classes_in_training_together():
    kind = HiringType("p", training_weeks=6, starts=(dt.date(2026, 1, 5), dt.date(2026, 2, 2), dt.date(2026, 4, 6)),
                      min_class=1, max_class=5)
    s = settings(months=6, types=(kind,))
    options = class_options(s)
    sets = [members for _, members in training_overlaps(options, s)]
    assert (0, 1) in sets and (2,) in sets and (0,) not in sets


@pytest.mark.parametrize("fte, hired, match", [
    (1.5, "2020-01-01", r"agent A000: fte must be a share in \(0, 1\], got 1.5"),
    (0.0, "2020-01-01", r"agent A000: fte must be a share"),
    (1.0, "2026-02-01", r"agent A000: hire_date 2026-02-01 is after the plan's start 2026-01-01"),
    (1.0, "yesterday", r"agent A000: hire_date must be a date YYYY-MM-DD, got 'yesterday'"),
])
def test_bad_staff_is_refused_naming_the_agent(fte, hired, match):
    frame = pd.DataFrame({"agent_id": ["A000"], "hire_date": [hired], "fte": [fte]})
    with pytest.raises(WfmInputError, match=match):
        staff_cohorts(frame, settings())


@hsettings(max_examples=30, deadline=None)
@given(rate=st.floats(0.0, 0.9), tenure_years=st.floats(0.0, 30.0))
def test_headcount_never_grows_without_hires(rate, tenure_years):
    hired = (dt.date(2026, 1, 1) - dt.timedelta(days=int(tenure_years * 365))).isoformat()
    s = settings(months=12, attrition=(AttritionBand(0, 12, min(0.95, rate * 1.5)), AttritionBand(12, None, rate)))
    heads = staff_cohorts(staff(3, hired=hired), s).expected("headcount")
    assert np.all(np.diff(heads) <= 1e-12) and heads[0] == pytest.approx(3.0)
