"""The schedule CSV: its one reader and writer (wfm.io.schedule)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.optimiser.scheduling.sched_builders import TZ, schedule_shifts
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import SCHEDULE_COLUMNS
from wfm.io.schedule import read_schedule_csv, schedule_csv_text, write_schedule_csv


def test_csv_text_round_trips_through_the_contract_reader(tmp_path):
    path = tmp_path / "schedule.csv"
    path.write_text(schedule_csv_text(schedule_shifts()), encoding="utf-8")
    back = read_schedule_csv(path)
    assert list(back["shift_id"]) == ["S1", "S2", "S3"]
    assert list(back["count"]) == [12, 3, 5]
    assert back["start"].iloc[0] == pd.Timestamp("2026-01-05 07:00", tz=TZ)


def test_open_files_are_read_and_written():
    buffer = io.StringIO()
    assert write_schedule_csv(schedule_shifts(), buffer) is None
    buffer.seek(0)
    back = read_schedule_csv(buffer)
    assert list(back.columns) == list(SCHEDULE_COLUMNS) and back["breaks"].iloc[0] == "2026-01-05T11:00:00+01:00/30/unpaid"


@pytest.mark.parametrize("change, pattern", [
    (lambda t: t.replace("+01:00,2026", ",2026", 1), r"row 2, column start: timestamps must carry a UTC offset"),
    (lambda t: t.replace(",12,", ",1.5,", 1), r"row 2, column count: must be a whole number >= 0, got 1\.5"),
    (lambda t: t.replace("/30/unpaid", "/30/lunch"), r"row 2, column breaks: a break must be START/MINUTES/paid\|unpaid"),
    (lambda t: t.replace("shift_id,", "id,", 1), r"missing column\(s\) shift_id"),
])
def test_bad_cells_are_refused_with_file_row_and_column(tmp_path, change, pattern):
    path = tmp_path / "schedule.csv"
    path.write_text(change(schedule_csv_text(schedule_shifts())), encoding="utf-8")
    with pytest.raises(WfmInputError, match=pattern):
        read_schedule_csv(path)
    with pytest.raises(WfmInputError, match="schedule file not found"):
        read_schedule_csv(tmp_path / "none.csv")
