"""Demand by month: representative weeks, the composer's requirement and the required scale."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from optimiser.capacity.demand import (
    build_demand,
    month_curves,
    month_measures,
    month_whatifs,
    representative_monday,
)
from optimiser.capacity.spec import MonthWhatIf
from optimiser.queueing import erlang
from optimiser.staffing.compose import plan_requirement
from optimiser.staffing.requirement import AccessibilityTargets
from tests.optimiser.capacity.capacity_builders import hourly_history, settings

HISTORY = hourly_history(start="2023-01-01", months=36, calls_per_hour=40.0, aht_seconds=300.0)


@pytest.fixture(scope="module")
def demand():
    return build_demand(HISTORY, settings(months=4))


@pytest.mark.parametrize("month, tz", [(dt.date(2026, 3, 1), "Europe/Stockholm"), (dt.date(2026, 10, 1), "Europe/Stockholm"),
                                       (dt.date(2026, 3, 1), "America/New_York"), (dt.date(2026, 11, 1), "America/New_York")])
def test_representative_week_is_an_ordinary_week_of_the_month(month, tz):
    monday = representative_monday(month, tz)
    end = monday + pd.Timedelta(days=7)
    assert monday.weekday() == 0 and monday.month == month.month
    assert monday.utcoffset() == (monday + pd.Timedelta(days=7)).utcoffset()  # no DST change inside
    assert len(pd.date_range(monday, end, freq="h", inclusive="left")) == 168


def test_what_ifs_fill_forward_by_knob():
    months = [dt.date(2026, m, 1) for m in range(1, 6)]
    knobs = month_whatifs((MonthWhatIf(dt.date(2026, 2, 1), volume_change_pct=10.0),
                           MonthWhatIf(dt.date(2026, 4, 1), share_moved_to_eservice=0.1)), months)
    assert knobs["volume_change_pct"].tolist() == [0, 10, 10, 10, 10]
    assert knobs["share_moved_to_eservice"].tolist() == [0, 0, 0, 0.1, 0.1]
    assert knobs["aht_change_pct"].tolist() == [0] * 5


def test_weeks_carry_the_monthly_volume_and_the_composer_requirement(demand):
    weeks = demand.weeks
    assert set(weeks.groupby("month").size()) == {168}
    # 40 calls an hour on average: a week holds 40 x 168 calls
    np.testing.assert_allclose(weeks.groupby("month")["calls_offered"].sum(), 40 * 168, rtol=1e-3)
    # the requirement is the composer's, interval by interval
    first = weeks[weeks["month"] == 0].drop(columns=["agents_on_phone", "month"]).reset_index(drop=True)
    first.attrs["interval_minutes"] = 60
    req, _ = plan_requirement(first, AccessibilityTargets(answer_within_seconds=60, target_service_level=0.8))
    np.testing.assert_array_equal(weeks.loc[weeks["month"] == 0, "agents_on_phone"].to_numpy(), req["agents_on_phone"])
    np.testing.assert_allclose(demand.requirement_hours[0], req["agents_on_phone"].sum())


def test_required_scale_is_the_smallest_that_meets_the_month_target(demand):
    s = demand.required_scale
    assert np.all((s > 0.5) & (s <= 1.0))
    at = month_measures(demand, s)["service_level"]
    below = month_measures(demand, s - 1e-3)["service_level"]
    assert np.all(at >= 0.8) and np.all(below < 0.8)


def test_month_measures_are_erlang_on_the_scaled_requirement(demand):
    w = demand.weeks[demand.weeks["month"] == 1]
    agents = 0.93 * w["agents_on_phone"].to_numpy()
    sl = erlang.service_level(w["calls_offered"].to_numpy(), 60, w["aht_seconds"].to_numpy(), agents, 60)
    expected = np.sum(w["calls_offered"].to_numpy() * sl) / w["calls_offered"].sum()
    assert month_measures(demand, [1.0, 0.93, 1.0, 1.0])["service_level"][1] == pytest.approx(expected, rel=1e-12)


@hsettings(max_examples=25, deadline=None)
@given(a=st.floats(0.3, 1.5), b=st.floats(0.3, 1.5))
def test_more_operators_never_lower_the_share_within_target(demand, a, b):
    lo, hi = sorted((a, b))
    assert np.all(month_measures(demand, np.full(4, hi))["service_level"]
                  >= month_measures(demand, np.full(4, lo))["service_level"] - 1e-12)


def test_volume_and_eservice_what_ifs_change_the_calls():
    base = build_demand(HISTORY, settings(months=2))
    more = build_demand(HISTORY, settings(months=2, what_ifs=(
        MonthWhatIf(dt.date(2026, 2, 1), volume_change_pct=10.0, share_moved_to_eservice=0.2, aht_change_pct=-5.0),)))
    calls = lambda d: d.weeks.groupby("month")["calls_offered"].sum().to_numpy()  # noqa: E731
    np.testing.assert_allclose(calls(more), calls(base) * [1.0, 1.1 * 0.8])
    aht = lambda d: d.weeks.groupby("month")["aht_seconds"].mean().to_numpy()  # noqa: E731
    np.testing.assert_allclose(aht(more), aht(base) * [1.0, 0.95])
    assert more.required_hours[1] < base.required_hours[1]


def test_curves_rise_with_on_phone_hours(demand):
    hours, sl = month_curves(demand)
    assert np.all(np.diff(hours, axis=1) > 0) and np.all(np.diff(sl, axis=1) > 0)
    j = list(np.round(hours[0] / demand.required_hours[0], 6)).index(1.0)
    assert sl[0, j] == pytest.approx(month_measures(demand, demand.required_scale)["service_level"][0])


def test_abandon_target_binds_with_patience():
    targets = AccessibilityTargets(answer_within_seconds=60, target_service_level=0.5, max_abandon_rate=0.02,
                                   patience_seconds=120)
    d = build_demand(HISTORY, settings(months=1, targets=targets))
    m = month_measures(d, d.required_scale)
    assert m["abandon_rate"][0] <= 0.02 + 1e-9 and m["service_level"][0] > 0.5
    assert month_measures(d, d.required_scale - 1e-3)["abandon_rate"][0] > 0.02
