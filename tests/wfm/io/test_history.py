"""The strict history reader: formats, time zones, mapping, every error kind, the writer.

Fixture files live in ``tests/wfm/io/data`` (regenerate with
``tests/wfm/io/data/make_history_fixtures.py``); small cases are written
inline with ``tmp_path``.  The summary (gaps, opening hours) is tested in
``tests/forecasting/test_history.py``.
"""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.history import summarise_history
from wfm.ground.errors import MAX_ERRORS, WfmInputError
from wfm.io.history import history_to_csv_bytes, read_history, validate_history_frame, write_history_csv
from wfm.io.mapping import ALLOWED_INTERVAL_MINUTES, HistoryMapping, load_mapping, write_mapping

DATA = Path(__file__).parent / "data"
TZ = "Europe/Stockholm"
HEADER = "interval_start,queue,calls_offered,calls_answered,calls_abandoned,aht_seconds"


def _write(tmp_path: Path, lines: list[str], name: str = "h.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _day(start: str, periods: int, queue: str = "q", minutes: int = 15, offered: int = 5) -> list[str]:
    stamps = pd.date_range(pd.Timestamp(start, tz=TZ), periods=periods, freq=f"{minutes}min")
    return [f"{t.isoformat()},{queue},{offered},{offered},0,200.0" for t in stamps]


# --------------------------------------------------------------------------- good files
def test_good_csv_matches_an_independent_parse_exactly():
    df = read_history(DATA / "good_dst.csv")
    raw = pd.read_csv(DATA / "good_dst.csv")
    expected = pd.DataFrame({
        "interval_start": pd.to_datetime(raw["interval_start"], utc=True).dt.tz_convert(TZ).astype(f"datetime64[ns, {TZ}]"),
        "queue": raw["queue"].astype("str"),
        "calls_offered": raw["calls_offered"].astype("int64"),
        "calls_answered": raw["calls_answered"].astype("Int64"),
        "calls_abandoned": raw["calls_abandoned"].astype("Int64"),
        "aht_seconds": raw["aht_seconds"].astype("float64"),
    }).sort_values(["queue", "interval_start"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(df, expected, check_exact=True)
    assert df.attrs["interval_minutes"] == 15
    assert df.attrs["tz"] == TZ
    assert str(df["interval_start"].dtype) == f"datetime64[ns, {TZ}]"


def test_spring_forward_day_has_92_quarter_hours_and_is_not_a_gap():
    df = read_history(DATA / "good_dst.csv")
    local_day = df["interval_start"].dt.strftime("%Y-%m-%d")
    per_day = df[df["queue"] == "reports"].groupby(local_day).size()
    # IANA tzdb: Europe/Stockholm skips 02:00-03:00 on 2024-03-31 -> 23 h = 92 quarter-hours
    assert per_day.to_dict() == {"2024-03-30": 96, "2024-03-31": 92, "2024-04-01": 96}
    summary = summarise_history(df)
    assert summary.gaps == ()
    assert summary.missing_intervals == 0


def test_csv_gz_parquet_and_xlsx_read_the_same_values():
    csv = read_history(DATA / "good_dst.csv")
    pd.testing.assert_frame_equal(read_history(DATA / "good_dst.csv.gz"), csv, check_exact=True)
    pd.testing.assert_frame_equal(read_history(DATA / "history.parquet"), csv, check_exact=True)
    xlsx = read_history(DATA / "history.xlsx")  # first 96 reports rows, naive local datetime cells
    pd.testing.assert_frame_equal(xlsx, csv.iloc[:96].reset_index(drop=True), check_exact=True)


def test_file_like_with_a_name_and_bytes_with_a_format():
    data = (DATA / "good_dst.csv").read_bytes()
    buffer = io.BytesIO(data)
    buffer.name = "upload.csv"
    from_buffer = read_history(buffer)
    pd.testing.assert_frame_equal(from_buffer, read_history(data, format="csv"), check_exact=True)
    assert from_buffer.attrs["source"] == "upload.csv"
    with pytest.raises(WfmInputError, match="bytes without a name"):
        read_history(data)


def test_offsets_are_converted_to_the_requested_zone_keeping_the_instant():
    stockholm = read_history(DATA / "good_dst.csv")
    utc = read_history(DATA / "good_dst.csv", tz="UTC")
    assert utc.attrs["tz"] == "UTC"
    assert (utc["interval_start"].dt.tz_convert(TZ) == stockholm["interval_start"]).all()


def test_naive_local_times_are_read_in_the_named_zone(tmp_path):
    lines = [HEADER] + [f"2024-06-03 {h:02d}:{m:02d},q,1,1,0,100" for h in (8, 9) for m in (0, 30)]
    df = read_history(_write(tmp_path, lines), tz="America/New_York")
    assert df["interval_start"].iloc[0] == pd.Timestamp("2024-06-03 08:00", tz="America/New_York")
    assert df.attrs["interval_minutes"] == 30


def test_mapped_export_with_date_time_columns_and_mm_ss_handle_time():
    df = read_history(DATA / "mapped_export.csv", mapping=DATA / "mapped_export.yaml")
    raw = pd.read_csv(DATA / "mapped_export.csv")
    assert len(df) == len(raw) == 100  # fall-back day 2024-10-27: 25 h = 100 quarter-hours
    assert set(df["queue"]) == {"main"}
    assert list(df.columns) == ["interval_start", "queue", "calls_offered", "calls_answered", "aht_seconds"]
    # the repeated hour was listed twice in order: first pass CEST (+02:00), second CET (+01:00)
    two = df[df["interval_start"].dt.strftime("%H:%M") == "02:00"]["interval_start"]
    assert [t.isoformat() for t in two] == ["2024-10-27T02:00:00+02:00", "2024-10-27T02:00:00+01:00"]
    # mm:ss -> seconds, in file order (file order is chronological)
    mmss = raw["Handle time"].str.split(":", expand=True).astype(int)
    assert df["aht_seconds"].tolist() == (mmss[0] * 60 + mmss[1]).astype(float).tolist()
    assert df["calls_offered"].tolist() == raw["Offered"].tolist()
    assert summarise_history(df).gaps == ()


def test_mapping_as_dict_json_and_dataclass_agree(tmp_path):
    import json

    import yaml

    spec = yaml.safe_load((DATA / "mapped_export.yaml").read_text())
    (tmp_path / "m.json").write_text(json.dumps(spec))
    a = read_history(DATA / "mapped_export.csv", mapping=spec)
    b = read_history(DATA / "mapped_export.csv", mapping=tmp_path / "m.json")
    c = read_history(DATA / "mapped_export.csv", mapping=load_mapping(spec))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    assert isinstance(load_mapping(spec), HistoryMapping)


def test_semicolon_separator_and_decimal_comma(tmp_path):
    lines = ["Start;Kö;Erbjudna;Samtalstid"] + [f"2024-01-08T{h:02d}:00:00+01:00;växel;{h};{h},5" for h in range(8, 12)]
    mapping = {"columns": {"Start": "interval_start", "Kö": "queue", "Erbjudna": "calls_offered", "Samtalstid": "aht_seconds"},
               "sep": ";", "decimal": ","}
    df = read_history(_write(tmp_path, lines), mapping=mapping)
    assert df["aht_seconds"].tolist() == [8.5, 9.5, 10.5, 11.5]
    assert df["queue"].unique().tolist() == ["växel"]
    assert df.attrs["interval_minutes"] == 60


def test_optional_columns_and_empty_optional_cells_are_kept_as_missing(tmp_path):
    lines = ["interval_start,queue,calls_offered,calls_answered,asa_seconds,callbacks_accepted"]
    lines += ["2024-01-08T08:00:00+01:00,q,10,7,12.5,3", "2024-01-08T08:15:00+01:00,q,0,,,"]
    df = read_history(_write(tmp_path, lines))
    assert df["calls_answered"].tolist()[0] == 7 and df["calls_answered"].isna().tolist() == [False, True]
    assert np.isnan(df["asa_seconds"].iloc[1]) and df["asa_seconds"].iloc[0] == 12.5
    assert str(df["callbacks_accepted"].dtype) == "Int64"


def test_bom_and_trailing_blank_lines_are_accepted(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeff" + "\n".join([HEADER, *_day("2024-01-08 08:00", 4)]) + "\n\n\n").encode("utf-8"))
    assert len(read_history(path)) == 4


def test_latin1_file_is_read_when_its_encoding_is_stated():
    df = read_history(DATA / "bad_latin1.csv", mapping={"encoding": "latin-1"})
    assert "växel" in set(df["queue"])


@pytest.mark.parametrize("minutes", ALLOWED_INTERVAL_MINUTES)
def test_every_allowed_interval_length_is_inferred(tmp_path, minutes):
    path = _write(tmp_path, [HEADER, *_day("2024-01-08 00:00", 30, minutes=minutes)])
    assert read_history(path).attrs["interval_minutes"] == minutes


def test_validate_history_frame_accepts_a_loaded_table_and_does_not_modify_it():
    raw = pd.read_csv(DATA / "good_dst.csv")
    before = raw.copy()
    df = validate_history_frame(raw, source="upload.csv")
    pd.testing.assert_frame_equal(raw, before)
    pd.testing.assert_frame_equal(df, read_history(DATA / "good_dst.csv"), check_exact=True)


def test_single_row_per_queue_needs_a_declared_interval(tmp_path):
    path = _write(tmp_path, [HEADER, *_day("2024-01-08 08:00", 1)])
    with pytest.raises(WfmInputError, match=r"cannot infer the interval length.*interval_minutes"):
        read_history(path)
    assert read_history(path, mapping={"interval_minutes": 15}).attrs["interval_minutes"] == 15


def test_declared_interval_must_agree_with_the_data(tmp_path):
    path = _write(tmp_path, [HEADER, *_day("2024-01-08 08:00", 8)])
    with pytest.raises(WfmInputError, match=r"mixed interval lengths: the mapping says 30 minutes"):
        read_history(path, mapping={"interval_minutes": 30})


# --------------------------------------------------------------------------- the bad-file fixtures
BAD_FILES = [
    ("bad_missing_column.csv", r"bad_missing_column\.csv, column calls_offered: required column is missing"),
    ("bad_timestamp.csv", r"row 5, column interval_start: is not a valid ISO-8601 timestamp.*got '2024-01-08T0l:00:00\+01:00'"),
    ("bad_negative_count.csv", r"row 7, column calls_offered: must be a whole number >= 0 \(negative\); got '-3'"),
    ("bad_non_numeric_count.csv", r"row 8, column calls_offered: must be a whole number >= 0; got 'twelve'"),
    ("bad_answered_over_offered.csv", r"row 9, column calls_offered: calls_answered \+ calls_abandoned must not exceed calls_offered; got .* = 12 \+ 3 = 15 > calls_offered = 14"),
    ("bad_duplicate_interval.csv", r"rows 9 and 10, column interval_start: duplicate interval 2024-01-08T01:45:00\+01:00 for queue 'reports'"),
    ("bad_mixed_intervals.csv", r"rows 9 and 10, column interval_start: mixed interval lengths: step of 25 minutes"),
    ("bad_ambiguous_local.csv", r"row 10, column interval_start: this local time is ambiguous in Europe/Stockholm.*got '2024-10-27 02:00'"),
    ("bad_nonexistent_local.csv", r"row 10, column interval_start: this local time does not exist in Europe/Stockholm.*got '2024-03-31 02:00'"),
    ("bad_empty.csv", r"bad_empty\.csv: the file is empty"),
    ("bad_header_only.csv", r"bad_header_only\.csv: has a header but no data rows"),
    ("bad_binary.csv", r"bad_binary\.csv: is not a text file"),
    ("bad_latin1.csv", r"bad_latin1\.csv, row 4: is not valid utf-8 text"),
    ("bad_short_row.csv", r"bad_short_row\.csv, row 6: has 3 fields, the header has 6"),
]


@pytest.mark.parametrize(("name", "pattern"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_each_bad_file_is_refused_naming_row_and_column(name, pattern):
    with pytest.raises(WfmInputError, match=pattern) as info:
        read_history(DATA / name)
    assert isinstance(info.value, ValueError)
    assert all(str(DATA / name) in m for m in info.value.errors)


def test_ambiguous_and_nonexistent_rows_are_all_listed():
    with pytest.raises(WfmInputError) as info:
        read_history(DATA / "bad_ambiguous_local.csv")
    rows = [int(re.search(r"row (\d+)", m).group(1)) for m in info.value.errors]
    assert rows == [10, 11, 12, 13]  # 02:00, 02:15, 02:30, 02:45 listed once each


def test_repeated_hour_listed_out_of_order_is_refused(tmp_path):
    times = ["01:45", "02:00", "02:15", "02:00", "02:15", "02:30", "02:45", "02:30", "02:45", "03:00"]
    path = _write(tmp_path, [HEADER, *[f"2024-10-27 {t},q,1,1,0,100" for t in times]])
    with pytest.raises(WfmInputError, match=r"row 3, column interval_start: this local time is ambiguous"):
        read_history(path)


def test_repeated_hour_in_two_runs_per_queue_with_queues_interleaved_is_resolved(tmp_path):
    times = ["01:45"] + [f"02:{m:02d}" for m in (0, 15, 30, 45)] * 2 + ["03:00"]
    lines = [HEADER]
    for t in times:
        lines += [f"2024-10-27 {t},a,1,1,0,100", f"2024-10-27 {t},b,2,2,0,100"]
    df = read_history(_write(tmp_path, lines))
    assert df.groupby("queue").size().tolist() == [10, 10]
    assert df.groupby("queue")["interval_start"].apply(lambda s: s.diff().dropna().eq(pd.Timedelta("15min")).all()).all()


# --------------------------------------------------------------------------- more rules, inline
@pytest.mark.parametrize(
    ("line", "pattern"),
    [
        ("2024-01-08T08:15:00+01:00,q,2.5,0,0,0", r"row 3, column calls_offered: must be a whole number >= 0 \(not a whole number\); got '2.5'"),
        ("2024-01-08T08:15:00+01:00,q,,0,0,0", r"row 3, column calls_offered: is required; got an empty cell"),
        ("2024-01-08T08:15:00+01:00,q,3,x,0,0", r"row 3, column calls_answered: must be a whole number >= 0; got 'x'"),
        ("2024-01-08T08:15:00+01:00,q,3,3,0,-1", r"row 3, column aht_seconds: must be a finite number of seconds >= 0; got '-1'"),
        ("2024-01-08T08:15:00+01:00,q,3,3,0,inf", r"row 3, column aht_seconds: must be a number of seconds >= 0; got 'inf'"),
        ("2024-01-08T08:15:00+01:00,q,3,3,0,0", r"row 3, column aht_seconds: must be > 0 when calls_answered > 0; got '0'"),
        ("2024-01-08T08:15:00+01:00, q,3,3,0,100", r"row 3, column queue: must not start or end with spaces; got ' q'"),
        ("2024-01-08T08:15:00+01:00,,3,3,0,100", r"row 3, column queue: is required; got an empty cell"),
        (",q,3,3,0,100", r"row 3, column interval_start: is required; got an empty cell"),
        ("2024-01-08 08:15,q,3,3,0,100", r"some timestamps have a UTC offset and others do not \(first odd one: row 3\)"),
        ("2024-01-08T08:17:00+01:00,q,3,3,0,100", r"row 3, column interval_start: is not on the 15-minute grid"),
        (",,,,,", r"row 3, column \(all\): the row is blank"),
        ("2024-01-08T08:15:00+01:00,q,3,3,0,100,7", r"row 3: has 7 fields, the header has 6"),
    ],
)
def test_cell_rules(tmp_path, line, pattern):
    lines = [HEADER, "2024-01-08T08:00:00+01:00,q,1,1,0,100", line, *_day("2024-01-08 08:30", 6)]
    with pytest.raises(WfmInputError, match=pattern):
        read_history(_write(tmp_path, lines))


def test_callbacks_count_towards_the_offered_total(tmp_path):
    lines = ["interval_start,queue,calls_offered,calls_answered,calls_abandoned,callbacks_accepted",
             "2024-01-08T08:00:00+01:00,q,10,6,2,2", "2024-01-08T08:15:00+01:00,q,10,6,2,3"]
    with pytest.raises(WfmInputError, match=r"row 3, column calls_offered: calls_answered \+ calls_abandoned \+ callbacks_accepted must not exceed.* = 6 \+ 2 \+ 3 = 11 > calls_offered = 10"):
        read_history(_write(tmp_path, lines))


def test_interval_length_not_in_the_allowed_list(tmp_path):
    path = _write(tmp_path, [HEADER, *_day("2024-01-08 00:00", 10, minutes=20)])
    with pytest.raises(WfmInputError, match=r"interval length of 20 minutes \(most common step\) is not one of \(5, 6, 10, 15, 30, 60\)"):
        read_history(path)


def test_queues_with_different_interval_lengths(tmp_path):
    path = _write(tmp_path, [HEADER, *_day("2024-01-08 00:00", 10, "a", 15), *_day("2024-01-08 00:00", 10, "b", 30)])
    with pytest.raises(WfmInputError, match=r"mixed interval lengths: queues use different steps \(queue 'a' 15 min, queue 'b' 30 min\)"):
        read_history(path)


def test_a_stretch_at_a_coarser_resolution_is_mixed_not_a_gap(tmp_path):
    lines = [HEADER, *_day("2024-01-08 00:00", 40, minutes=15), *_day("2024-01-08 10:00", 12, minutes=30)]
    with pytest.raises(WfmInputError, match=r"rows 42 to 53, column interval_start: mixed interval lengths: queue 'q' has 11 consecutive 30-minute steps"):
        read_history(_write(tmp_path, lines))


def test_every_error_is_reported_and_the_list_is_capped(tmp_path):
    lines = [HEADER] + [f"{t},q,-1,0,0,100" for t in pd.date_range(pd.Timestamp("2024-01-08", tz=TZ), periods=80, freq="15min").map(pd.Timestamp.isoformat)]
    with pytest.raises(WfmInputError, match=r"80 errors found") as info:
        read_history(_write(tmp_path, lines))
    assert len(info.value.errors) == MAX_ERRORS + 1
    assert info.value.errors[-1].endswith("... and 30 more errors")
    assert "row 2, column calls_offered" in info.value.errors[0]


def test_unknown_column_must_be_mapped_or_ignored(tmp_path):
    lines = [HEADER + ",agents", *[r + ",4" for r in _day("2024-01-08 08:00", 4)]]
    path = _write(tmp_path, lines)
    with pytest.raises(WfmInputError, match=r"column agents: is not a canonical column"):
        read_history(path)
    assert "agents" not in read_history(path, mapping={"ignore": ["agents"]}).columns


def test_duplicate_and_nameless_header_columns(tmp_path):
    with pytest.raises(WfmInputError, match=r"row 1: column name 'queue' appears more than once"):
        read_history(_write(tmp_path, ["interval_start,queue,queue,calls_offered", "2024-01-08T08:00:00+01:00,a,a,1"]))
    with pytest.raises(WfmInputError, match=r"row 1: column 3 of the header has no name"):
        read_history(_write(tmp_path, ["interval_start,queue,,calls_offered", "2024-01-08T08:00:00+01:00,a,a,1"]))


@pytest.mark.parametrize(
    ("mapping", "pattern"),
    [
        ({"colums": {}}, r"unknown mapping key 'colums'"),
        ({"columns": {"Offered": "offered"}}, r"'Offered' maps to 'offered', which is not a canonical column"),
        ({"duration_format": {"aht_seconds": "minutes"}}, r"'aht_seconds' has format 'minutes', allowed: seconds, mm:ss, hh:mm:ss"),
        ({"date_column": "Date"}, r"'date_column' and 'time_column' must be given together"),
        ({"interval_minutes": 7}, r"'interval_minutes' must be one of \(5, 6, 10, 15, 30, 60\), got 7"),
        ({"decimal": ","}, r"'decimal' and 'sep' are both ','"),
        ({"encoding": "klingon"}, r"unknown encoding 'klingon'"),
        ([1, 2], r"mapping must be a key: value table"),
    ],
)
def test_mapping_errors_name_the_key(mapping, pattern):
    with pytest.raises(WfmInputError, match=pattern):
        load_mapping(mapping)


def test_mapping_file_errors(tmp_path):
    with pytest.raises(WfmInputError, match=r"nope\.yaml: mapping file not found"):
        load_mapping(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns: [unclosed\n")
    with pytest.raises(WfmInputError, match=r"bad\.yaml: not valid YAML"):
        load_mapping(bad)


def test_mapping_names_a_column_the_file_lacks():
    with pytest.raises(WfmInputError, match=r"column Offered: named in the mapping but not in the file"):
        read_history(DATA / "good_dst.csv", mapping={"columns": {"Offered": "calls_offered"}})


def test_mapped_export_without_its_mapping_lists_the_unknown_columns():
    with pytest.raises(WfmInputError, match=r"column Handle time: is not a canonical column") as info:
        read_history(DATA / "mapped_export.csv")
    assert any("column interval_start: required column is missing" in m for m in info.value.errors)


def test_mm_ss_cell_that_is_not_mm_ss(tmp_path):
    lines = ["Date,Time,Offered,Handle time", "08/01/2024,08:00,3,4:05", "08/01/2024,08:15,3,4:65"]
    spec = {"columns": {"Offered": "calls_offered", "Handle time": "aht_seconds"}, "date_column": "Date", "time_column": "Time",
            "date_format": "%d/%m/%Y", "duration_format": {"aht_seconds": "mm:ss"}, "queue": "main"}
    with pytest.raises(WfmInputError, match=r"row 3, column aht_seconds: must be a duration written mm:ss; got '4:65'"):
        read_history(_write(tmp_path, lines), mapping=spec)


def test_date_not_in_the_stated_format(tmp_path):
    lines = ["Date,Time,Offered", "08/01/2024,08:00,3", "2024-01-08,08:15,3"]
    spec = {"columns": {"Offered": "calls_offered"}, "date_column": "Date", "time_column": "Time", "date_format": "%d/%m/%Y", "queue": "main"}
    with pytest.raises(WfmInputError, match=r"row 3, column Date\+Time: does not match the format '%d/%m/%Y %H:%M'; got '2024-01-08 08:15'"):
        read_history(_write(tmp_path, lines), mapping=spec)


@pytest.mark.parametrize(
    ("name", "content", "pattern"),
    [
        ("h.txt", b"a,b\n1,2\n", r"h\.txt: unknown file type: the name must end in \.csv, \.csv\.gz, \.xlsx or \.parquet"),
        ("h.xlsx", b"interval_start,queue\n", r"h\.xlsx: is not an XLSX file"),
        ("h.parquet", b"interval_start,queue\n", r"h\.parquet: is not a Parquet file"),
        ("h.parquet", b"PAR1 garbage PAR1", r"h\.parquet: is not a readable Parquet file"),
        ("h.csv.gz", b"not gzip at all", r"h\.csv\.gz: is not a readable gzip file"),
        ("h.csv", gzip.compress(b"a,b\n", mtime=0), r"h\.csv: is not a text file: it is gzip-compressed"),
        ("h.csv", b"PK\x03\x04rest", r"h\.csv: is not a text file: it looks like a ZIP/XLSX file"),
        ("h.csv", b"interval_start,queue,calls_offered\n2024-01-08T08:00:00+01:00,q\x07,1\n", r"h\.csv: is not a text file: control character '\\x07' in row 2"),
        ("h.csv", b"   \n\n", r"h\.csv: the file is empty"),
    ],
)
def test_file_level_errors(tmp_path, name, content, pattern):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(WfmInputError, match=pattern):
        read_history(path)


def test_missing_file_and_bad_zone(tmp_path):
    with pytest.raises(WfmInputError, match=r"nope\.csv: file not found"):
        read_history(tmp_path / "nope.csv")
    with pytest.raises(WfmInputError, match=r"tz 'Europe/Stokholm' is not a known IANA time zone"):
        read_history(DATA / "good_dst.csv", tz="Europe/Stokholm")


def test_xlsx_with_a_value_outside_the_header_and_an_empty_sheet(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["interval_start", "queue", "calls_offered"])
    sheet.append(["2024-01-08T08:00:00+01:00", "q", 1, "stray"])
    book.save(tmp_path / "stray.xlsx")
    with pytest.raises(WfmInputError, match=r"stray\.xlsx, row 2: has a value beyond the last header column \('stray'\)"):
        read_history(tmp_path / "stray.xlsx")
    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    with pytest.raises(WfmInputError, match=r"empty\.xlsx: the file is empty"):
        read_history(tmp_path / "empty.xlsx")


def test_xlsx_cells_with_seconds_are_refused(tmp_path):
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["interval_start", "queue", "calls_offered"])
    sheet.append([dt.datetime(2024, 1, 8, 8, 0, 0), "q", 1])
    sheet.append([dt.datetime(2024, 1, 8, 8, 15, 30), "q", 1])
    book.save(tmp_path / "secs.xlsx")
    with pytest.raises(WfmInputError, match=r"secs\.xlsx, row 3, column interval_start: an interval start must be on a whole minute"):
        read_history(tmp_path / "secs.xlsx")


def test_crlf_line_endings_and_quoted_fields(tmp_path):
    lines = [HEADER, *[r.replace(",q,", ',"q, main",') for r in _day("2024-01-08 08:00", 4)]]
    path = tmp_path / "crlf.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    df = read_history(path)
    assert df["queue"].unique().tolist() == ["q, main"] and len(df) == 4


def test_timestamp_format_with_offset_and_naive(tmp_path):
    lines = ["interval_start,queue,calls_offered", "08.01.2024 08:00 +0100,q,1", "08.01.2024 08:30 +0100,q,2"]
    df = read_history(_write(tmp_path, lines), mapping={"timestamp_format": "%d.%m.%Y %H:%M %z"})
    assert df["interval_start"].iloc[1] == pd.Timestamp("2024-01-08 08:30", tz=TZ)
    naive = ["interval_start,queue,calls_offered", "08.01.2024 08:00,q,1", "08.01.2024 08:30,q,2"]
    df = read_history(_write(tmp_path, naive, "n.csv"), mapping={"timestamp_format": "%d.%m.%Y %H:%M"}, tz="Europe/London")
    assert df["interval_start"].iloc[0] == pd.Timestamp("2024-01-08 08:00", tz="Europe/London")


def test_xlsx_export_with_date_and_time_cells_and_a_mapping(tmp_path):
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Date", "Time", "Offered", "Handle time"])
    for i in range(8):
        sheet.append([dt.datetime(2024, 10, 20), dt.time(1 + i // 4, (i % 4) * 15), 3 + i, dt.time(0, 4, 5)])
    book.save(tmp_path / "export.xlsx")
    spec = {"columns": {"Offered": "calls_offered", "Handle time": "aht_seconds"}, "date_column": "Date", "time_column": "Time",
            "queue": "main", "duration_format": {"aht_seconds": "mm:ss"}}
    df = read_history(tmp_path / "export.xlsx", mapping=spec)
    assert df["interval_start"].iloc[0].isoformat() == "2024-10-20T01:00:00+02:00"
    assert df["calls_offered"].tolist() == list(range(3, 11))
    assert (df["aht_seconds"] == 245.0).all()  # a 00:04:05 time cell is 4 min 5 s


def test_parquet_with_a_missing_required_value_names_the_row(tmp_path):
    frame = pd.DataFrame({"interval_start": pd.date_range("2024-01-01", periods=4, freq="30min"), "queue": "a",
                          "calls_offered": [1.0, 2.0, None, 3.0]})
    frame.to_parquet(tmp_path / "p.parquet")
    with pytest.raises(WfmInputError, match=r"p\.parquet, row 4, column calls_offered: is required; got an empty cell"):
        read_history(tmp_path / "p.parquet")


def test_constant_queue_and_a_queue_column_conflict():
    with pytest.raises(WfmInputError, match=r"good_dst\.csv: the mapping gives a constant 'queue' but the file also has a queue column"):
        read_history(DATA / "good_dst.csv", mapping={"queue": "main"})


def test_xlsx_with_several_sheets_needs_the_sheet_named(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    calls = book.active
    calls.title = "Calls"
    calls.append(["interval_start", "queue", "calls_offered"])
    for line in _day("2024-01-08 08:00", 4):
        ts, queue, offered = line.split(",")[:3]
        calls.append([ts, queue, int(offered)])
    book.create_sheet("Notes").append(["free text"])
    book.save(tmp_path / "book.xlsx")
    with pytest.raises(WfmInputError, match=r"book\.xlsx: has 2 sheets \(Calls, Notes\); name the one to read with 'sheet'"):
        read_history(tmp_path / "book.xlsx")
    with pytest.raises(WfmInputError, match=r"book\.xlsx: has no sheet 'Data' \(sheets: Calls, Notes\)"):
        read_history(tmp_path / "book.xlsx", mapping={"sheet": "Data"})
    assert len(read_history(tmp_path / "book.xlsx", mapping={"sheet": "Calls"})) == 4


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+01:00", "2500-01-01T00:00:00+01:00"])
def test_dates_outside_the_supported_range_are_refused(tmp_path, stamp):
    lines = [HEADER, f"{stamp},q,1,1,0,100", *_day("2024-01-08 08:00", 4)]
    with pytest.raises(WfmInputError, match=r"row 2, column interval_start: is outside the supported dates 1700-01-01 to 2200-12-31"):
        read_history(_write(tmp_path, lines))


def test_parquet_timestamp_outside_the_range_is_one_error(tmp_path):
    stamps = pd.Series(pd.to_datetime(["2500-01-01 00:00", "2024-01-01 00:15"], format="ISO8601").as_unit("us"))
    pd.DataFrame({"interval_start": stamps, "queue": "q", "calls_offered": [1, 2]}).to_parquet(tmp_path / "o.parquet")
    with pytest.raises(WfmInputError) as info:
        read_history(tmp_path / "o.parquet")
    assert len(info.value.errors) == 1 and "row 2, column interval_start: is outside the supported dates" in info.value.errors[0]


def test_a_date_without_time_is_not_read_as_a_utc_offset(tmp_path):
    # "2024-01-08" ends in "-08", which is not an offset: found by the malformation property test
    lines = [HEADER, "2024-01-08,q,1,1,0,100", *_day("2024-01-08 08:00", 4)]
    with pytest.raises(WfmInputError, match=r"some timestamps have a UTC offset and others do not \(first odd one: row 2\)"):
        read_history(_write(tmp_path, lines))


# --------------------------------------------------------------------------- the zone of a file with UTC offsets
def _offset_file(tmp_path: Path, zone: str, start: str = "2017-01-02", days: int = 365, name: str = "z.csv") -> Path:
    stamps = pd.date_range(pd.Timestamp(start, tz=zone), periods=days * 24, freq="60min")
    return _write(tmp_path, [HEADER] + [f"{t.isoformat()},q,3,3,0,100" for t in stamps], name)


def test_offsets_that_fit_the_default_zone_keep_it_and_say_nothing(tmp_path):
    df = read_history(_offset_file(tmp_path, TZ))
    assert df.attrs["tz"] == TZ and "tz_inferred" not in df.attrs


def test_offsets_only_one_zone_fits_are_read_in_that_zone_and_said(tmp_path):
    path = _offset_file(tmp_path, "Asia/Jerusalem")
    df = read_history(path)
    assert df.attrs["tz"] == "Asia/Jerusalem" and df.attrs["tz_inferred"] is True
    assert "+02:00, +03:00" in df.attrs["tz_note"] and "holidays of IL" in df.attrs["tz_note"]
    first = pd.Timestamp("2017-01-02", tz="Asia/Jerusalem")
    assert df["interval_start"].iloc[0] == first  # the instant and the local day are the file's
    expected = pd.date_range(first, periods=365 * 24, freq="60min")
    assert (df["interval_start"].dt.hour.to_numpy() == expected.hour).all()  # local wall clock of the file


def test_us_mountain_offsets_without_a_zone_are_refused_naming_offsets_zones_and_tz(tmp_path):
    """issue 17: a -07:00/-06:00 file was silently re-cut to Stockholm days; several zones fit it."""
    path = _offset_file(tmp_path, "America/Denver")
    with pytest.raises(WfmInputError) as exc:
        read_history(path)
    message = str(exc.value)
    assert exc.value.parameter == "tz"
    assert "-07:00, -06:00" in message and "America/Denver" in message and "America/Edmonton" in message
    assert "Europe/Stockholm" in message and "set tz" in message
    given = read_history(path, tz="America/Denver")  # a zone given is the zone used
    assert given.attrs["tz"] == "America/Denver" and "tz_inferred" not in given.attrs
    expected = pd.date_range(pd.Timestamp("2017-01-02", tz="America/Denver"), periods=365 * 24, freq="60min")
    assert (given["interval_start"].dt.hour.to_numpy() == expected.hour).all()


def test_a_file_written_in_utc_without_a_zone_is_refused_saying_utc_names_no_days(tmp_path):
    path = _offset_file(tmp_path, "UTC", days=30)
    with pytest.raises(WfmInputError, match=r"\+00:00 \(the file is written in UTC") as exc:
        read_history(path)
    assert exc.value.parameter == "tz"
    assert read_history(path, tz=TZ).attrs["tz"] == TZ


def test_offsets_that_no_zone_has_are_refused(tmp_path):
    stamps = pd.date_range(pd.Timestamp("2024-01-08 08:00", tz="UTC"), periods=8, freq="30min")
    lines = [HEADER] + [f"{(t + pd.Timedelta(hours=5)).strftime('%Y-%m-%dT%H:%M:%S')}+05:{'17'},q,1,1,0,100"
                        for t in stamps]
    with pytest.raises(WfmInputError, match="no zone of the tz database fits") as exc:
        read_history(_write(tmp_path, lines))
    assert exc.value.parameter == "tz"


def test_parquet_stored_with_its_zone_is_read_in_it(tmp_path):
    stamps = pd.date_range(pd.Timestamp("2024-06-03 08:00", tz="America/New_York"), periods=8, freq="30min")
    frame = pd.DataFrame({"interval_start": stamps, "queue": "q", "calls_offered": 1})
    frame.to_parquet(tmp_path / "h.parquet")
    df = read_history(tmp_path / "h.parquet")
    assert df.attrs["tz"] == "America/New_York" and df.attrs["tz_inferred"] is True
    assert read_history(tmp_path / "h.parquet", tz=TZ).attrs["tz"] == TZ


def test_a_header_line_with_a_lone_carriage_return_is_refused_not_a_crash():
    """Found by test_random_bytes_never_crash (hypothesis): b'\\r!' raised the csv module's own error."""
    with pytest.raises(WfmInputError, match="header line cannot be read"):
        read_history(io.BytesIO(b"\r!"), format="csv")
