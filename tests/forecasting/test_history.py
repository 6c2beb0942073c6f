"""The summary of a history (``wfm validate``, the Data page): gaps, closed hours, opening hours.

The opening-hours rule itself is tested in ``tests/forecasting/test_opening_hours.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.history import find_gaps, summarise_history
from wfm.ground.errors import WfmInputError
from wfm.io.history import read_history

DATA = Path(__file__).resolve().parents[1] / "wfm" / "io" / "data"
TZ = "Europe/Stockholm"


def test_weekday_centre_has_closed_hours_and_one_gap_not_filled():
    df = read_history(DATA / "weekday_centre.csv")
    summary = summarise_history(df)
    assert summary.opening_hours_text() == "main: Mon–Fri 07:00–21:00; Sat–Sun closed"
    assert len(summary.gaps) == 1
    gap = summary.gaps[0]
    assert (gap.queue, gap.start.isoformat(), gap.end.isoformat(), gap.missing_intervals) == (
        "main", "2024-01-17T10:00:00+01:00", "2024-01-17T11:00:00+01:00", 4)
    # nothing filled: the frame has exactly the file's rows
    assert len(df) == sum(1 for _ in open(DATA / "weekday_centre.csv")) - 1 == summary.rows
    # every grid slot is present, a gap, or closed: 20 weekdays x 56 open slots
    grid = pd.date_range(df["interval_start"].min(), df["interval_start"].max(), freq="15min")
    assert summary.closed_intervals == len(grid) - 20 * 56
    assert summary.rows + summary.missing_intervals == 20 * 56
    frame = summary.gaps_frame()
    assert list(frame.columns) == ["queue", "start", "end", "missing_intervals", "whole_days"]
    assert gap.whole_days == 0
    assert frame["missing_intervals"].tolist() == [4]
    assert find_gaps(df) == summary.gaps


def test_missing_rows_on_a_fall_back_day_are_counted_as_gaps():
    df = read_history(DATA / "mapped_export.csv", mapping=DATA / "mapped_export.yaml")
    # drop the second 02:15 (CET) and 10:00-10:30: 1 + 2 intervals missing in a 24/7 day
    drop = df["interval_start"].map(pd.Timestamp.isoformat).isin(
        ["2024-10-27T02:15:00+01:00", "2024-10-27T10:00:00+01:00", "2024-10-27T10:15:00+01:00"])
    holed = df[~drop].reset_index(drop=True)
    holed.attrs.update(df.attrs)
    gaps = summarise_history(holed).gaps
    assert [(g.start.isoformat(), g.missing_intervals) for g in gaps] == [
        ("2024-10-27T02:15:00+01:00", 1), ("2024-10-27T10:00:00+01:00", 2)]


def test_summary_text_names_what_the_issue_asks_for():
    text = summarise_history(read_history(DATA / "weekday_centre.csv")).to_text()
    for part in ("Queues:           1 (main)", "First interval:   2024-01-08T07:00:00+01:00",
                 "Last interval:    2024-02-02T20:45:00+01:00", "Interval length:  15 minutes",
                 "Rows:             1,116", "Gaps:             1 (4 missing intervals",
                 "Closed hours:", "main: Mon–Fri 07:00–21:00; Sat–Sun closed"):
        assert part in text


def test_a_closed_weekday_holiday_is_a_whole_day_gap(tmp_path):
    df = read_history(DATA / "weekday_centre.csv")
    holiday = df["interval_start"].dt.strftime("%Y-%m-%d") == "2024-01-23"  # a Tuesday with no rows at all
    holed = df[~holiday].reset_index(drop=True)
    holed.attrs.update(df.attrs)
    gaps = summarise_history(holed).gaps
    whole = [g for g in gaps if g.whole_days]
    assert [(g.start.isoformat(), g.end.isoformat(), g.missing_intervals, g.whole_days) for g in whole] == [
        ("2024-01-23T07:00:00+01:00", "2024-01-23T21:00:00+01:00", 56, 1)]
    assert "(56 intervals; 1 whole day without rows: closed or lost?)" in summarise_history(holed).to_text()


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["Europe/Stockholm", "UTC"]),
    st.sampled_from([15, 30, 60]),
    st.integers(7, 21),
    st.lists(st.integers(0, 10_000), max_size=40),
    st.booleans(),
)
def test_summary_accounts_for_every_interval_and_never_fills(tz, minutes, days, holes, office_hours):
    """present + gaps + absent closed intervals == the whole grid; gaps hold no row."""
    grid = pd.date_range(pd.Timestamp("2024-10-21", tz=tz), pd.Timestamp("2024-10-21", tz=tz) + pd.Timedelta(days=days), freq=f"{minutes}min", inclusive="left")
    keep = np.ones(len(grid), dtype=bool)
    if office_hours:  # a weekday 07:00-21:00 centre
        keep &= (grid.day_of_week < 5) & (grid.hour >= 7) & (grid.hour < 21)
    for h in holes:
        keep[h % len(grid)] = False
    stamps = grid[keep]
    if len(stamps) < 2:
        return
    df = pd.DataFrame({"interval_start": stamps.as_unit("ns"), "queue": "q", "calls_offered": np.full(len(stamps), 4)})
    df.attrs.update(interval_minutes=minutes, tz=tz)
    summary = summarise_history(df)
    span = pd.date_range(stamps[0], stamps[-1], freq=f"{minutes}min")
    present = set(stamps.asi8)
    in_gaps = set()
    for gap in summary.gaps:
        run = pd.date_range(gap.start, gap.end, freq=f"{minutes}min", inclusive="left")
        assert len(run) == gap.missing_intervals
        assert not present & set(run.asi8)  # a gap never covers a row: nothing is filled
        in_gaps |= set(run.asi8)
    assert summary.rows == len(df)
    assert summary.missing_intervals == len(in_gaps)
    absent_closed = len(span) - len(stamps) - summary.missing_intervals
    assert 0 <= absent_closed <= summary.closed_intervals
    if office_hours and days >= 14 and len(holes) == 0:
        assert summary.opening_hours_text() == "q: Mon–Fri 07:00–21:00; Sat–Sun closed"




def test_a_frame_that_breaks_the_history_contract_is_refused():
    with pytest.raises(WfmInputError, match=r"history: no rows"):
        summarise_history(read_history(DATA / "weekday_centre.csv").iloc[0:0])
