"""Frame contracts: each rule of the history and forecast frames refused with its name; the Break type and
the ``breaks`` column notation of schedule and roster frames."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.ground.errors import WfmInputError
from wfm.ground.frames import (
    FORECAST_COLUMNS,
    HISTORY_COLUMNS,
    ROSTER_COLUMNS,
    SCHEDULE_COLUMNS,
    Break,
    check_forecast,
    check_history,
    format_breaks,
    parse_breaks,
)

TZ = "Europe/Stockholm"


def _history() -> pd.DataFrame:
    stamps = pd.date_range("2024-01-01", periods=8, freq="15min", tz=TZ)
    return pd.DataFrame({"interval_start": stamps, "queue": "q", "calls_offered": np.arange(8)})


def _forecast() -> pd.DataFrame:
    return _history().assign(aht_seconds=180.0)


def test_the_column_contracts_are_the_public_ones():
    assert HISTORY_COLUMNS[:3] == ("interval_start", "queue", "calls_offered")
    assert FORECAST_COLUMNS == ("interval_start", "queue", "calls_offered", "calls_offered_p10", "calls_offered_p90",
                                "calls_offered_p025", "calls_offered_p975", "aht_seconds", "model")


def test_good_frames_pass():
    check_history(_history())
    check_history(_history().drop(columns="queue"), one_queue=True)
    check_forecast(_forecast())


@pytest.mark.parametrize("mutate, match", [
    (lambda d: d.drop(columns="calls_offered"), r"history: required column 'calls_offered' is missing"),
    (lambda d: d.drop(columns=["queue", "calls_offered"]), r"required columns 'queue', 'calls_offered' are missing"),
    (lambda d: d.iloc[0:0], r"history: no rows"),
    (lambda d: d.assign(interval_start=d["interval_start"].dt.tz_localize(None)), r"must be tz-aware timestamps"),
    (lambda d: d.assign(calls_offered=d["calls_offered"].where(d.index != 5, -1)), r"history: row 5, column calls_offered: must be >= 0, got -1"),
    (lambda d: d.assign(calls_offered=d["calls_offered"].astype(object).where(d.index != 2, "x")), r"row 2, column calls_offered: must be a number, got 'x'"),
    (lambda d: pd.concat([d, d.iloc[[3]]]), r"history: row 8: duplicate interval \(queue q, interval_start 2024-01-01 00:45:00\+01:00\)"),
    (lambda d: [1, 2], r"history: must be a pandas DataFrame, got list"),
])
def test_a_bad_history_is_refused_naming_the_rule(mutate, match):
    with pytest.raises(WfmInputError, match=match):
        check_history(mutate(_history()))


def test_one_queue_means_one():
    two = _history().assign(queue=["a"] * 4 + ["b"] * 4)
    check_history(two)
    with pytest.raises(WfmInputError, match=r"must hold ONE queue, got 2"):
        check_history(two, one_queue=True)


@pytest.mark.parametrize("aht, ok", [(180.0, True), (np.nan, False), (0.0, False), (-1.0, False), (np.inf, False)])
def test_forecast_aht_must_be_positive_where_calls_are_offered(aht, ok):
    frame = _forecast()
    frame.loc[3, "aht_seconds"] = aht
    if ok:
        check_forecast(frame)
    else:
        with pytest.raises(WfmInputError, match=r"forecast: row 3, column aht_seconds: must be > 0 where calls are offered"):
            check_forecast(frame)
    frame.loc[3, "calls_offered"] = 0
    if np.isnan(aht):
        check_forecast(frame)  # no calls, no handle time needed


# --- the Break type and the breaks column notation ---------------------------------------------------

def test_text_of_a_break_is_the_csv_notation():
    lunch = Break(pd.Timestamp("2025-01-06 11:30", tz=TZ), 30, False)
    coffee = Break(pd.Timestamp("2025-01-06 09:00", tz=TZ), 15, True)
    assert lunch.text() == "2025-01-06T11:30:00+01:00/30/unpaid"
    assert format_breaks([coffee, lunch]) == "2025-01-06T09:00:00+01:00/15/paid;2025-01-06T11:30:00+01:00/30/unpaid"
    assert lunch.end == pd.Timestamp("2025-01-06 12:00", tz=TZ)
    assert format_breaks([]) == ""


def test_parse_reads_back_what_format_wrote():
    text = "2025-03-30T01:45:00+01:00/30/unpaid;2025-03-30T03:15:00+02:00/15/paid"  # across the spring-forward hour
    breaks = parse_breaks(text, TZ)
    assert [b.minutes for b in breaks] == [30, 15] and [b.paid for b in breaks] == [False, True]
    assert breaks[0].end == pd.Timestamp("2025-03-30T03:15:00+02:00")  # 01:45 + 30 min is 03:15 summer time
    assert format_breaks(breaks) == text


def test_parse_converts_to_the_zone_and_keeps_the_instant():
    (b,) = parse_breaks("2025-01-06T10:30:00Z/30/unpaid", TZ)
    assert str(b.start.tz) == TZ and b.start == pd.Timestamp("2025-01-06 11:30", tz=TZ)
    assert b.in_zone("UTC").start == b.start and str(b.in_zone("UTC").start.tz) == "UTC"


@pytest.mark.parametrize("empty", ["", "  ", None, float("nan")])
def test_empty_cell_means_no_breaks(empty):
    assert parse_breaks(empty) == ()


@pytest.mark.parametrize("text, pattern", [
    ("11:30/30", r"row 5, column breaks: a break must be START/MINUTES/paid\|unpaid, got '11:30/30'"),
    ("2025-01-06T11:30:00+01:00/30/lunch", "a break must be START/MINUTES/paid|unpaid"),
    ("2025-01-06T11:30:00+01:00/half/paid", "a break must be START/MINUTES/paid|unpaid"),
    ("2025-01-06T11:30:00/30/paid", "break start must carry a UTC offset, got '2025-01-06T11:30:00'"),
    ("2025-01-06T11:30:00+01:00/0/paid", "a break must last at least 1 minute"),
    ("2025-01-06T11:30:00+01:00/-15/paid", "a break must last at least 1 minute"),
])
def test_bad_notation_is_refused_naming_the_cell(text, pattern):
    with pytest.raises(WfmInputError, match=pattern):
        parse_breaks(text, TZ, where="schedule.csv: row 5, column breaks")


def test_a_break_needs_a_tz_aware_start_and_whole_minutes():
    with pytest.raises(WfmInputError, match="tz-aware"):
        Break(pd.Timestamp("2025-01-06 11:30"), 30, False)
    with pytest.raises(WfmInputError, match="whole number of minutes >= 1"):
        Break(pd.Timestamp("2025-01-06 11:30", tz=TZ), 7.5, False)


def test_breaks_sort_by_start_and_move_to_another_start():
    a = Break(pd.Timestamp("2025-01-06 13:00", tz=TZ), 15, True)
    b = Break(pd.Timestamp("2025-01-06 09:00", tz=TZ), 15, True)
    assert sorted([a, b]) == [b, a]
    moved = b.moved_to(pd.Timestamp("2025-01-13 09:00", tz=TZ))
    assert (moved.minutes, moved.paid) == (15, True) and moved.start.day == 13


def test_the_breaks_column_is_part_of_both_frame_contracts():
    assert SCHEDULE_COLUMNS[-1] == ROSTER_COLUMNS[-1] == "breaks"


starts = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31)).map(
    lambda d: pd.Timestamp(d).floor("min").tz_localize("UTC").tz_convert(TZ))
breaks_st = st.lists(st.builds(Break, starts, st.integers(1, 240), st.booleans()), max_size=5)


@settings(max_examples=200, deadline=None)
@given(breaks_st)
def test_property_format_then_parse_is_the_identity(breaks):
    assert parse_breaks(format_breaks(breaks), TZ) == tuple(breaks)
