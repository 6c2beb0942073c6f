"""The events file: strict reading (line, column, value) and writing that reads back."""

import datetime as dt
import io
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import EVENT_KINDS
from wfm.io.events import read_events, write_events_csv

GOOD = (
    "date,end_date,name,kind\n"
    "2024-05-14,2024-05-14,telephony outage,outage\n"
    "2024-10-07,2024-11-03,fraud wave,fraud_wave\n"
    "2025-02-10,,media appeal,media\n"
)


def write(tmp_path, text, name="events.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_reads_good_file(tmp_path):
    ev = read_events(write(tmp_path, GOOD))
    assert list(ev.columns) == ["date", "end_date", "name", "kind"]
    assert len(ev) == 3
    # an empty end_date is a one-day event
    media = ev[ev["name"] == "media appeal"].iloc[0]
    assert media["end_date"] == media["date"] == pd.Timestamp("2025-02-10")
    assert ev["date"].dtype == "datetime64[ns]"


@pytest.mark.parametrize(
    "line, pattern",
    [
        ("2024-13-01,,x,outage", r"line 2 column 'date': must be a date YYYY-MM-DD, got '2024-13-01'"),
        ("14/05/2024,,x,outage", r"line 2 column 'date'.*'14/05/2024'"),
        ("2024-05-14,2024-05-13,x,outage", r"line 2 column 'end_date': must be on or after date 2024-05-14"),
        ("2024-05-14,,,outage", r"line 2 column 'name': must not be empty"),
        ("2024-05-14,,x,weather", r"line 2 column 'kind': must be one of outage, rebound, campaign, fraud_wave, media, storm, other, got 'weather'"),
    ],
)
def test_bad_rows_name_line_column_value(tmp_path, line, pattern):
    with pytest.raises(WfmInputError, match=pattern):
        read_events(write(tmp_path, "date,end_date,name,kind\n" + line + "\n"))


def test_all_problems_are_listed(tmp_path):
    text = "date,end_date,name,kind\n2024-99-01,,a,outage\n2024-01-01,,b,nope\n"
    with pytest.raises(WfmInputError) as info:
        read_events(write(tmp_path, text))
    assert len(info.value.errors) == 2
    assert "2 problems" in str(info.value)


def test_header_rules(tmp_path):
    with pytest.raises(WfmInputError, match=r"missing column\(s\) \['kind'\]"):
        read_events(write(tmp_path, "date,end_date,name\n2024-01-01,,a\n"))
    with pytest.raises(WfmInputError, match=r"unknown column\(s\) \['effect'\]"):
        read_events(write(tmp_path, "date,end_date,name,kind,effect\n2024-01-01,,a,media,3\n"))
    with pytest.raises(WfmInputError, match="no events"):
        read_events(write(tmp_path, "date,end_date,name,kind\n"))
    with pytest.raises(WfmInputError, match="empty file"):
        read_events(write(tmp_path, ""))
    with pytest.raises(WfmInputError, match="does not exist"):
        read_events(tmp_path / "nope.csv")


def test_overlapping_same_name_is_refused(tmp_path):
    text = "date,end_date,name,kind\n2024-01-01,2024-01-10,wave,fraud_wave\n2024-01-05,,wave,fraud_wave\n"
    with pytest.raises(WfmInputError, match="line 3: event 'wave' from 2024-01-05 overlaps the same event on line 2"):
        read_events(write(tmp_path, text))


def test_demo_events_file_is_accepted_with_one_effect_per_name():
    from pathlib import Path

    demo = Path(__file__).resolve().parents[3] / "data" / "demo_events.csv"
    events = read_events(demo)
    assert len(events) == 7
    assert {"outage", "rebound", "storm", "fraud_wave", "media"} <= set(events["kind"])


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_never_accepts_a_garbage_kind_or_date(word):
    """Property: a row is accepted only if its kind is allowed and its date is real."""
    frame = pd.DataFrame({"date": [word], "end_date": [""], "name": ["x"], "kind": [word]})
    try:
        out = read_events(frame)
    except WfmInputError:
        return
    assert out["kind"].iloc[0] in EVENT_KINDS
    assert pd.Timestamp(word.strip()) == out["date"].iloc[0]
    raise AssertionError("a word cannot be both a kind and a date")  # pragma: no cover


@settings(max_examples=30, deadline=None)
@given(st.dates(min_value=pd.Timestamp("2000-01-01").date(), max_value=pd.Timestamp("2040-01-01").date()),
       st.integers(0, 40), st.sampled_from(EVENT_KINDS))
def test_round_trip_of_valid_rows(day, length, kind):
    end = day + pd.Timedelta(days=length)
    text = f"date,end_date,name,kind\n{day.isoformat()},{end.isoformat()},ev,{kind}\n"
    out = read_events(io.StringIO(text))
    assert out["date"].iloc[0] == pd.Timestamp(day)
    assert out["end_date"].iloc[0] == pd.Timestamp(end)
    assert out["kind"].iloc[0] == kind
    assert np.all(out["end_date"] >= out["date"])


def test_written_events_read_back_equal_and_the_demo_file_is_rewritten_byte_for_byte(tmp_path):
    from pathlib import Path

    demo = Path(__file__).resolve().parents[3] / "data" / "demo_events.csv"
    events = read_events(demo)
    write_events_csv(events, tmp_path / "e.csv")
    assert (tmp_path / "e.csv").read_bytes() == demo.read_bytes()
    pd.testing.assert_frame_equal(read_events(tmp_path / "e.csv"), events)
    buf = io.StringIO()
    write_events_csv(read_events(write(tmp_path, GOOD)), buf)
    assert buf.getvalue().splitlines()[3] == "2025-02-10,2025-02-10,media appeal,media"


def test_events_that_break_a_rule_are_not_written(tmp_path):
    bad = pd.DataFrame({"date": ["2024-05-14"], "end_date": ["2024-05-10"], "name": ["x"], "kind": ["outage"]})
    with pytest.raises(WfmInputError, match=r"events to write line 2 column 'end_date': must be on or after"):
        write_events_csv(bad, tmp_path / "e.csv")
    assert not (tmp_path / "e.csv").exists()


def test_a_binary_upload_is_read_like_a_file():
    buf = io.BytesIO(GOOD.encode("utf-8-sig"))
    buf.name = "upload.csv"
    assert len(read_events(buf)) == 3


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cell=st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=",\"\r\n"), max_size=12))
def test_property_a_date_cell_is_read_exactly_or_refused_by_line_and_column(tmp_path, cell):
    path = write(tmp_path, f"date,end_date,name,kind\n{cell},2030-01-01,x,media\n", name="prop.csv")
    text = cell.strip()
    try:
        parsed = dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        parsed = None
    if parsed is None:
        with pytest.raises(WfmInputError, match="line 2 column 'date'"):
            read_events(path)
    elif parsed > dt.date(2030, 1, 1):
        with pytest.raises(WfmInputError, match="line 2 column 'end_date'"):
            read_events(path)
    else:
        assert read_events(path)["date"].iloc[0].date() == parsed
