"""The time grid: one interval-length rule, one offset-timestamp parser and writer, slots of the week.

The probe of issue 15: a half-hourly series with one stray 09:15 row was 30 minutes to the
importer and 15 to the models, staffing and the store.  Now every stage gives one answer.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.io.history import validate_history_frame
from forecasting.models import make_model
from optimiser.staffing.requirement import AccessibilityTargets, staffing_table
from optimiser.store.repository import diff_frames
from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import (
    first_off_grid,
    format_offset_timestamps,
    infer_interval_minutes,
    interval_minutes_of,
    interval_steps,
    local_wallclock,
    minute_of_week,
    parse_offset_timestamps,
    resolve_tz,
    slot_of_week,
    slots_per_week,
)

TZ = "Europe/Stockholm"


def _half_hours(days: int = 21, stray: bool = False) -> pd.DataFrame:
    """Mon-Fri 08:00-17:00 at 30 minutes (a requirement-like frame: calls, AHT, agents)."""
    stamps = [t for t in pd.date_range("2024-01-01 08:00", periods=days * 48, freq="30min", tz=TZ)
              if t.weekday() < 5 and 8 <= t.hour < 17]
    if stray:
        stamps.append(pd.Timestamp("2024-01-03 09:15", tz=TZ))
    frame = pd.DataFrame({"interval_start": pd.Series(stamps).sort_values(ignore_index=True), "queue": "q"})
    frame["calls_offered"] = 20
    frame["aht_seconds"] = 180.0
    frame["agents_required"] = 3.0
    return frame


def _as_file_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"interval_start": format_offset_timestamps(frame["interval_start"]),
                         "queue": frame["queue"], "calls_offered": frame["calls_offered"].astype(str)})


def _answers(frame: pd.DataFrame) -> dict[str, object]:
    """What the importer, a model, staffing and the store say about ``frame``'s interval length."""
    out: dict[str, object] = {}
    targets = AccessibilityTargets(answer_within_seconds=20, target_service_level=0.8)
    attempts = {
        "importer": lambda: validate_history_frame(_as_file_table(frame), source="h.csv").attrs["interval_minutes"],
        "models": lambda: make_model("seasonal_naive", season="day").fit(frame.drop(columns="queue")).interval_minutes_,
        "staffing": lambda: staffing_table(frame, targets).attrs["interval_minutes"],
        # the store turns agents into agent-hours with the interval length: 3 agents -> 1.5 h per 30 min
        "store": lambda: 60 * diff_frames(frame, frame, "requirement").by_day["agent_hours_a"].iloc[0]
        / (3.0 * int((frame["interval_start"].dt.date == frame["interval_start"].dt.date.iloc[0]).sum())),
    }
    for stage, attempt in attempts.items():
        try:
            out[stage] = attempt()
        except WfmInputError as exc:
            out[stage] = str(exc)
    return out


def test_probe_a_regular_half_hourly_series_is_30_minutes_everywhere():
    answers = _answers(_half_hours())
    assert answers == {"importer": 30, "models": 30, "staffing": 30, "store": 30.0}


def test_probe_one_stray_row_is_refused_on_the_30_minute_grid_everywhere():
    # before issue 15: importer 30 (refused), models 15, staffing 15, store 15 (accepted, half the
    # slots of a 15-minute grid empty and the requirement doubled in the others)
    answers = _answers(_half_hours(stray=True))
    assert all(isinstance(a, str) for a in answers.values()), answers
    assert all("30-minute grid" in a for a in answers.values()), answers
    assert all("09:15" in a for a in answers.values()), answers


def test_the_rule_is_the_most_common_step_not_the_smallest():
    frame = _half_hours(stray=True)
    assert interval_steps(frame["interval_start"], frame["queue"]) == {"q": 30.0}
    assert infer_interval_minutes(frame["interval_start"]) == 30
    assert first_off_grid(frame["interval_start"], 30) == int(np.flatnonzero(
        frame["interval_start"] == pd.Timestamp("2024-01-03 09:15", tz=TZ))[0])
    assert first_off_grid(_half_hours()["interval_start"], 30) is None


def test_ties_go_to_the_shorter_step_and_closed_hours_never_outvote_the_interval():
    one_each = pd.Series(pd.DatetimeIndex(["2024-01-01 08:00", "2024-01-01 08:15", "2024-01-01 08:45"], tz=TZ))
    assert infer_interval_minutes(one_each) == 15
    # a night and a weekend gap of many hours, 36 quarter-hours a day
    assert infer_interval_minutes(_half_hours()["interval_start"]) == 30


def test_a_dst_change_is_not_a_step():
    spring = pd.Series(pd.date_range(pd.Timestamp("2024-03-31 00:00", tz=TZ), periods=100, freq="15min"))
    autumn = pd.Series(pd.date_range(pd.Timestamp("2024-10-27 00:00", tz=TZ), periods=100, freq="15min"))
    assert infer_interval_minutes(spring) == infer_interval_minutes(autumn) == 15
    assert interval_steps(autumn) == {"": 15.0}


def test_queues_must_agree_and_a_single_row_is_not_enough():
    a = pd.date_range("2024-01-01", periods=8, freq="15min", tz=TZ)
    b = pd.date_range("2024-01-01", periods=8, freq="30min", tz=TZ)
    stamps = pd.Series(a.append(b))
    with pytest.raises(WfmInputError, match=r"forecast: mixed interval lengths.*queue 'a' 15 min, queue 'b' 30 min"):
        infer_interval_minutes(stamps, ["a"] * 8 + ["b"] * 8, what="forecast")
    with pytest.raises(WfmInputError, match=r"history: cannot infer the interval length") as err:
        infer_interval_minutes(pd.Series(a[:1]))
    assert err.value.parameter == "interval_minutes"
    with pytest.raises(WfmInputError, match=r"7.5 minutes, does not divide a day"):
        infer_interval_minutes(pd.Series(pd.date_range("2024-01-01", periods=4, freq="450s", tz=TZ)))


def test_a_declared_length_is_used_and_checked():
    frame = _half_hours()
    frame.attrs["interval_minutes"] = 30
    assert interval_minutes_of(frame) == 30
    frame.attrs["interval_minutes"] = 60
    with pytest.raises(WfmInputError, match=r"is not on the 60-minute grid \(30 minutes after the previous start"):
        interval_minutes_of(frame)
    frame.attrs["interval_minutes"] = 7
    with pytest.raises(WfmInputError, match=r"interval_minutes must be a whole number of minutes dividing a day"):
        interval_minutes_of(frame)


def test_naive_timestamps_are_refused():
    with pytest.raises(WfmInputError, match="tz-aware"):
        infer_interval_minutes(pd.Series(pd.date_range("2024-01-01", periods=3, freq="15min")))


# --------------------------------------------------------------------------- timestamps in files
def test_offset_timestamps_round_trip_across_both_dst_changes():
    stamps = pd.Series(pd.date_range("2024-03-30 22:00", "2024-03-31 05:00", freq="15min", tz=TZ).append(
        pd.date_range("2024-10-26 23:00", "2024-10-27 04:00", freq="15min", tz=TZ)))
    text = format_offset_timestamps(stamps)
    assert "2024-10-27T02:30:00+02:00" in set(text) and "2024-10-27T02:30:00+01:00" in set(text)
    assert "2024-03-31T03:00:00+02:00" in set(text)
    back = parse_offset_timestamps(text, TZ, "f.csv", "interval_start")
    assert (back == stamps).all() and str(back.dt.tz) == TZ


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 10 * 366 * 96), min_size=1, max_size=30),
       st.sampled_from([TZ, "UTC", "America/New_York", "Australia/Lord_Howe"]))
def test_any_aware_timestamp_survives_format_then_parse(quarters, zone):
    stamps = pd.Series(pd.Timestamp("2020-01-01", tz="UTC") + pd.to_timedelta(np.array(quarters) * 15, unit="min"))
    stamps = stamps.dt.tz_convert(zone)
    back = parse_offset_timestamps(format_offset_timestamps(stamps), zone, "f.csv", "t")
    assert (back == stamps).all()


@pytest.mark.parametrize("text, rule", [
    ("2024-03-31 03:00", "timestamps must carry a UTC offset"),
    ("2024-13-31T01:45:00+01:00", "not an ISO-8601 timestamp"),
    ("", "timestamps must carry a UTC offset"),
])
def test_a_bad_timestamp_is_refused_naming_file_row_and_column(text, rule):
    values = pd.Series(["2024-03-31T01:45:00+01:00", text])
    with pytest.raises(WfmInputError, match=rf"f\.csv: row 3, column start: {rule}.*, got '{re.escape(text)}'"):
        parse_offset_timestamps(values, TZ, "f.csv", "start")


def test_resolve_tz_names_the_parameter():
    assert resolve_tz(None) == TZ
    with pytest.raises(WfmInputError, match=r"tz 'Mars/Olympus' is not a known IANA time zone") as err:
        resolve_tz("Mars/Olympus")
    assert err.value.parameter == "tz"


# --------------------------------------------------------------------------- slots of the week
def test_slots_keep_the_local_clock_on_dst_days():
    autumn = pd.date_range(pd.Timestamp("2024-10-27 00:00", tz=TZ), periods=100, freq="15min")
    wall = local_wallclock(autumn)
    slots = slot_of_week(wall, 15)
    assert slots_per_week(15) == 672
    assert slots[0] == 6 * 96  # Sunday 00:00
    # 02:00-02:45 local occur twice and map to the same four slots
    assert list(slots[8:12]) == list(slots[12:16]) == [6 * 96 + 8 + k for k in range(4)]
    assert minute_of_week(wall)[-1] == 6 * 1440 + 23 * 60 + 45
