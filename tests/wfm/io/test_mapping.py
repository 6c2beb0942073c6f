"""The history mapping file: written and read back equal, file objects accepted, one YAML loader."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.ground.errors import WfmInputError
from wfm.io.mapping import HistoryMapping, load_mapping, write_mapping

DATA = Path(__file__).parent / "data"


def test_a_written_mapping_reads_back_equal(tmp_path):
    spec = load_mapping(DATA / "mapped_export.yaml")
    assert spec != HistoryMapping()
    write_mapping(spec, tmp_path / "m.yaml")
    assert load_mapping(tmp_path / "m.yaml") == spec
    full = HistoryMapping(columns=(("Köer", "queue"), ("Offered", "calls_offered")), timestamp_format="%d.%m.%Y %H:%M",
                          duration_format=(("aht_seconds", "hh:mm:ss"),), ignore=("Agents",), encoding="latin-1",
                          sep=";", decimal=",", interval_minutes=30, sheet="Data")
    write_mapping(full, tmp_path / "full.yaml")
    assert load_mapping(tmp_path / "full.yaml") == full


def test_file_objects_yaml_and_json():
    yaml_file = io.BytesIO(b"columns: {Offered: calls_offered}\nqueue: main\n")
    yaml_file.name = "upload.yaml"
    assert load_mapping(yaml_file) == HistoryMapping(columns=(("Offered", "calls_offered"),), queue="main")
    json_file = io.StringIO('{"queue": "main", "sep": ";"}')
    json_file.name = "upload.json"
    assert load_mapping(json_file) == HistoryMapping(queue="main", sep=";")


def test_bad_documents_are_named(tmp_path):
    (tmp_path / "bad.json").write_text("{queue: main")
    with pytest.raises(WfmInputError, match=r"bad\.json: mapping file is not valid JSON"):
        load_mapping(tmp_path / "bad.json")
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    with pytest.raises(WfmInputError, match=r"list\.yaml: mapping must be a key: value table, got list"):
        load_mapping(tmp_path / "list.yaml")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{k}: &{k} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, k in zip("abcdefg", "bcdefgh"))
    (tmp_path / "bomb.yaml").write_text(bomb)
    with pytest.raises(WfmInputError, match=r"bomb\.yaml: expands to more than"):
        load_mapping(tmp_path / "bomb.yaml")
    with pytest.raises(WfmInputError, match="mapping must be a HistoryMapping"):
        write_mapping({"queue": "main"}, tmp_path / "x.yaml")


# --- a first look at an export: separator, decimal mark, column names (the app's mapping editor) ---------------
def test_a_swedish_spreadsheet_export_is_recognised_as_semicolons_and_decimal_commas():
    from wfm.io.mapping import detect_csv_layout, export_columns

    data = "Datum;Tid;Kö;Erbjudna;Hanteringstid\n2025-01-01;08:00;tips;12;240,5\n2025-01-01;08:15;tips;10;200\n"
    assert detect_csv_layout(data.encode()) == (";", ",")
    assert export_columns(data.encode(), "export.csv", sep=";") == ["Datum", "Tid", "Kö", "Erbjudna", "Hanteringstid"]
    assert detect_csv_layout(gzip.compress(data.encode())) == (";", ",")
    # the canonical layout, a tab file with decimal points, a one-column file
    assert detect_csv_layout(b"interval_start,queue,calls_offered\n2025-01-01T08:00,tips,12\n") == (",", ".")
    assert detect_csv_layout(b"a\tb\n1.5\t2\n") == ("\t", ".")
    assert detect_csv_layout(b"only\n1\n") == (",", ".")


@settings(max_examples=40, deadline=None)
@given(sep=st.sampled_from([",", ";", "\t", "|"]), decimal=st.sampled_from([".", ","]),
       rows=st.lists(st.tuples(st.integers(0, 999), st.integers(0, 99), st.integers(1, 99)), min_size=1, max_size=20),
       n_cols=st.integers(2, 5))
def test_the_layout_a_file_was_written_with_is_the_one_detected(sep, decimal, rows, n_cols):
    from wfm.io.mapping import detect_csv_layout

    if sep == "," and decimal == ",":
        decimal = "."  # a comma-separated file cannot have bare decimal commas
    header = sep.join(f"col{i}" for i in range(n_cols))
    lines = [header] + [sep.join([f"{a}{decimal}{b}", *[str(c)] * (n_cols - 1)]) for a, b, c in rows]
    assert detect_csv_layout("\n".join(lines).encode()) == (sep, decimal)


def test_mapping_text_reads_back_equal_and_an_unreadable_workbook_is_named():
    from wfm.io.mapping import export_columns, mapping_text

    m = HistoryMapping(columns=(("Erbjudna", "calls_offered"), ("Kö", "queue")), date_column="Datum",
                       time_column="Tid", sep=";", decimal=",")
    assert load_mapping(io.StringIO(mapping_text(m))) == m
    with pytest.raises(WfmInputError, match="broken.xlsx: cannot read the column names"):
        export_columns(b"PK\x03\x04 not really a workbook", "broken.xlsx")
