"""Shrinkage between scheduled and on-phone agents, and the agents a schedule puts on the phone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimiser.queueing.on_phone import (
    AGENT_TOLERANCE,
    agents_on_shift,
    on_phone_from_schedule,
    on_phone_from_scheduled,
    scheduled_from_on_phone,
    whole_agents,
)
from wfm.ground.frames import parse_breaks
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ

TZ = DEFAULT_TZ


# --- shrinkage --------------------------------------------------------------------------------------


def test_textbook_ten_on_the_phone_at_30_percent_shrinkage_need_15_scheduled():
    # 10 / (1 - 0.3) = 14.29 scheduled agents, rounded up: 15 (any WFM text, e.g. Koole 2013, ch. 9)
    assert scheduled_from_on_phone(10, 0.3) == pytest.approx(10 / 0.7)
    assert scheduled_from_on_phone(10, 0.3, rounding="up") == 15
    # and back: 15 scheduled give 10.5 on the phone, 10 whole agents for sure
    assert on_phone_from_scheduled(15, 0.3) == pytest.approx(10.5)
    assert on_phone_from_scheduled(15, 0.3, rounding="down") == 10


def test_exact_boundaries_stay_whole():
    # 21 / (1 - 0.3) is 30.000000000000004 in floating point: still 30 agents, not 31
    assert 21 / (1 - 0.3) > 30
    assert scheduled_from_on_phone(21, 0.3, rounding="up") == 30
    # 90 x (1 - 0.3) is 62.99999999999999 in floating point (solvers leave such values too): 63, not 62
    assert 90 * (1 - 0.3) < 63
    assert on_phone_from_scheduled(90, 0.3, rounding="down") == 63
    # just beyond the tolerance the rounding goes its named way
    assert whole_agents(10 + 10 * AGENT_TOLERANCE, "up") == 11
    assert whole_agents(10 - 10 * AGENT_TOLERANCE, "down") == 9
    assert whole_agents(10.0, "up") == whole_agents(10.0, "down") == 10
    # no shrinkage: the identity; zero agents stay zero
    assert scheduled_from_on_phone(7, 0.0, rounding="up") == 7
    assert scheduled_from_on_phone(0, 0.5, rounding="up") == 0


def test_shapes_and_series_index_are_kept():
    s = pd.Series([10.0, 3.0], index=pd.Index(["a", "b"]))
    out = scheduled_from_on_phone(s, 0.5, rounding="up")
    assert isinstance(out, pd.Series) and list(out.index) == ["a", "b"] and out.tolist() == [20, 6]
    arr = on_phone_from_scheduled(np.array([10.0, 4.0]), np.array([0.3, 0.5]), rounding="down")
    assert arr.tolist() == [7, 2]


@pytest.mark.parametrize("shrinkage", [1.0, -0.1, float("nan"), 1.5])
def test_bad_shrinkage_names_the_parameter(shrinkage):
    with pytest.raises(WfmInputError, match=r"shrinkage must be in \[0, 1\)") as err:
        scheduled_from_on_phone(10, shrinkage)
    assert err.value.parameter == "shrinkage"  # a single value: the parameter (a column names no parameter)
    with pytest.raises(WfmInputError, match="shrinkage must be in"):
        on_phone_from_scheduled(np.array([1.0, 2.0]), np.array([0.2, shrinkage]))


def test_rounding_must_be_named():
    with pytest.raises(WfmInputError, match="rounding must be 'up' or 'down'"):
        scheduled_from_on_phone(10, 0.3, rounding="nearest")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=5000), st.floats(min_value=0, max_value=0.95))
def test_property_rounded_up_schedule_always_covers_the_phone(agents, shrinkage):
    scheduled = scheduled_from_on_phone(agents, shrinkage, rounding="up")
    # the whole agents scheduled give at least the agents asked for, and one fewer would not
    assert on_phone_from_scheduled(scheduled, shrinkage) >= agents - AGENT_TOLERANCE
    if scheduled > 0:
        assert on_phone_from_scheduled(scheduled - 1, shrinkage) < agents
    assert on_phone_from_scheduled(scheduled, shrinkage, rounding="down") >= agents


# --- the agents a schedule puts on the phone --------------------------------------------------------


def _schedule():
    # 3 agents 08:00-10:00 with a common 15-minute break at 09:00, 2 agents 08:30-09:30
    # with a 30-minute break at 08:50 (covering 10 minutes of 08:45 and 20 of 09:00).
    sched = pd.DataFrame({
        "shift_id": ["s1", "s2"], "template": ["day", "short"], "skill_group": ["sv_all", "bilingual"],
        "start": [pd.Timestamp("2025-01-06 08:00", tz=TZ), pd.Timestamp("2025-01-06 08:30", tz=TZ)],
        "end": [pd.Timestamp("2025-01-06 10:00", tz=TZ), pd.Timestamp("2025-01-06 09:30", tz=TZ)],
        "count": [3, 2], "paid_minutes": [120, 60],
        "breaks": ["2025-01-06T09:00:00+01:00/15/paid", "2025-01-06T08:50:00+01:00/30/unpaid"],
    })
    return sched.assign(breaks=[parse_breaks(b, TZ) for b in sched["breaks"]])


def test_agents_on_shift_hand_checked():
    idx = pd.date_range("2025-01-06 08:00", periods=8, freq="15min", tz=TZ)
    got = agents_on_shift(_schedule(), idx, 15)
    # 08:45: 3 + 2 x 5/15; 09:00: the 3 on break, the 2 on break but for nothing -> 0;
    # 09:15: 3 + 2 x 10/15 (the break ends 09:20); 09:30 onwards the 3 alone
    expected = [3, 3, 5, 3 + 2 * 5 / 15, 0, 3 + 2 * 10 / 15, 3, 3]
    assert got.to_numpy() == pytest.approx(expected, abs=1e-12)
    assert list(got.index) == list(idx)


def test_on_phone_from_schedule_hand_checked():
    idx = pd.date_range("2025-01-06 08:00", periods=8, freq="15min", tz=TZ)
    sched = _schedule()
    got = on_phone_from_schedule(sched, idx, 15)
    # rounded down: 08:45 3.67 -> 3; 09:15 4.33 -> 4
    assert got.tolist() == [3, 3, 5, 3, 0, 4, 3, 3]
    only = on_phone_from_schedule(sched, idx, 15, skill_groups=["bilingual"])
    assert only.tolist() == [0, 0, 2, 0, 0, 1, 0, 0]
    assert on_phone_from_schedule(sched, idx, 15, shrinkage=0.5).tolist() == [1, 1, 2, 1, 0, 2, 1, 1]
    with pytest.raises(WfmInputError, match="shrinkage must be in"):
        on_phone_from_schedule(sched, idx, 15, shrinkage=1.0)


def test_break_tuples_count_like_break_objects():
    # parse_breaks gives wfm.ground.frames.Break objects; (start, minutes, paid) tuples are the same breaks
    sched = _schedule()
    as_tuples = sched.assign(breaks=[[(b.start, b.minutes, b.paid) for b in row] for row in sched["breaks"]])
    idx = pd.date_range("2025-01-06 08:00", periods=8, freq="15min", tz=TZ)
    pd.testing.assert_series_equal(agents_on_shift(as_tuples, idx, 15), agents_on_shift(sched, idx, 15))
    no_breaks = sched.assign(breaks=[[] for _ in range(len(sched))])
    assert not agents_on_shift(no_breaks, idx, 15).equals(agents_on_shift(sched, idx, 15))


def test_dst_night_counts_real_time():
    # a night shift 22:00 CET -> 06:00 CEST over the spring-forward night is 7 real hours
    start = pd.Timestamp("2025-03-29 22:00", tz=TZ)
    sched = pd.DataFrame({"start": [start], "end": [pd.Timestamp("2025-03-30 06:00", tz=TZ)], "count": [2]})
    idx = pd.date_range("2025-03-29 21:00", "2025-03-30 07:00", freq="60min", tz=TZ)
    got = agents_on_shift(sched, idx, 60)
    assert got.sum() == pytest.approx(2 * 7)
    assert got[pd.Timestamp("2025-03-30 03:00", tz=TZ)] == 2


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 96 * 3), st.integers(1, 60), st.integers(1, 5)), min_size=1, max_size=30),
       st.integers(0, 60))
def test_property_agent_minutes_are_conserved(shifts, offset_minutes):
    # however the shifts fall on the grid, the agent-minutes inside the window are counted exactly once
    day = pd.Timestamp("2025-06-02", tz=TZ)
    rows = pd.DataFrame({
        "start": [day + pd.Timedelta(minutes=5 * s) for s, _, _ in shifts],
        "end": [day + pd.Timedelta(minutes=5 * s + 15 * d) for s, d, _ in shifts],
        "count": [c for _, _, c in shifts]})
    idx = pd.date_range(day + pd.Timedelta(minutes=offset_minutes), periods=2 * 96, freq="15min", tz=TZ)
    got = agents_on_shift(rows, idx, 15)
    lo, hi = idx[0], idx[-1] + pd.Timedelta(minutes=15)
    inside = sum(c * max(0.0, (min(e, hi) - max(s, lo)) / pd.Timedelta(minutes=1))
                 for s, e, c in zip(rows["start"], rows["end"], rows["count"]))
    assert got.sum() * 15 == pytest.approx(inside, abs=1e-6)
    assert (got >= -1e-9).all()


def test_missing_columns_and_naive_times_are_refused():
    idx = pd.date_range("2025-01-06 08:00", periods=2, freq="15min", tz=TZ)
    with pytest.raises(WfmInputError, match="schedule lacks column"):
        agents_on_shift(pd.DataFrame({"start": []}), idx, 15)
    with pytest.raises(WfmInputError, match="interval_starts must be tz-aware"):
        agents_on_shift(_schedule(), idx.tz_localize(None), 15)
