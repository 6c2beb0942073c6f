"""The history mapping file: written and read back equal, file objects accepted, one YAML loader."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

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
