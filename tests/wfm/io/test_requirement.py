"""The requirement CSV: its one reader and writer (wfm.io.requirement) and the frame contract's checks."""

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.optimiser.scheduling.sched_builders import requirement
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import MAX_AGENTS, validate_requirement
from wfm.io.requirement import read_requirement_csv, requirement_csv_text, write_requirement_csv


def _write_requirement(path, df):
    return write_requirement_csv(df, path)


def test_writer_and_reader_round_trip_through_a_path_and_an_open_file(tmp_path):
    df = requirement([1, 2.5, 3])
    df["calls_offered"] = [10.0, 20.0, 30.0]
    path = write_requirement_csv(df, tmp_path / "sub" / "requirement.csv")  # the folder is created
    assert path.read_text(encoding="utf-8").splitlines()[1].startswith("2025-01-07T00:00:00+01:00,reports,1")
    back = read_requirement_csv(path)
    # the same rows and values (the reader gives nanosecond timestamps whatever the unit written)
    pd.testing.assert_frame_equal(back, validate_requirement(df), check_dtype=False)
    assert str(back["interval_start"].dt.tz) == "Europe/Stockholm"
    buffer = io.StringIO(requirement_csv_text(df))
    pd.testing.assert_frame_equal(read_requirement_csv(buffer), back)
    binary = io.BytesIO()
    write_requirement_csv(df, binary)
    binary.seek(0)
    pd.testing.assert_frame_equal(read_requirement_csv(binary, name="upload.csv"), back)


def test_messages_name_an_open_file_by_its_name():
    buffer = io.StringIO("interval_start,queue,agents_required\n2025-01-07T00:00:00+01:00,reports,x\n")
    with pytest.raises(WfmInputError, match=r"upload\.csv: row 2, column agents_required"):
        read_requirement_csv(buffer, name="upload.csv")


def test_requirement_errors_name_file_row_and_column(tmp_path):
    df = requirement([1, 2, 3])
    path = _write_requirement(tmp_path / "r.csv", df)
    text = path.read_text().replace(",2.0", ",-2.0")
    path.write_text(text)
    with pytest.raises(WfmInputError, match=r"r\.csv: row 3, column agents_required: must be a finite number >= 0, got"):
        read_requirement_csv(path)
    naive = tmp_path / "n.csv"
    naive.write_text("interval_start,queue,agents_required\n2025-01-07 00:00,reports,1\n")
    with pytest.raises(WfmInputError, match=r"row 2, column interval_start: timestamps must carry a UTC offset"):
        read_requirement_csv(naive)
    with pytest.raises(WfmInputError, match="missing required column"):
        validate_requirement(df.drop(columns=["agents_required"]))
    with pytest.raises(WfmInputError, match="requirement file not found"):
        read_requirement_csv(tmp_path / "missing.csv")


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=3)),
                       min_size=1, max_size=6))
def test_property_requirement_values_are_accepted_only_when_finite_and_non_negative(values):
    df = requirement([0] * len(values))
    df["agents_required"] = pd.Series(values, dtype=object)
    numeric = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    valid = (numeric.notna().all() and np.isfinite(numeric).all() and (numeric >= 0).all()
             and (numeric <= MAX_AGENTS).all())
    if valid:
        out = validate_requirement(df)
        assert np.allclose(out["agents_required"].to_numpy(), numeric.to_numpy())
    else:
        with pytest.raises(WfmInputError, match="agents_required"):
            validate_requirement(df)
