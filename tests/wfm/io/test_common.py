"""What every file format shares: size limits (gzip and XLSX decompressed in bounded chunks), the one
CSV writer that neutralises formula text (and its exact inverse for the readers), and output paths
checked before the work starts (issue 16, items 1, 2 and 5)."""

from __future__ import annotations

import gzip
import io
import resource
import zipfile

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.ground.errors import WfmInputError
from wfm.io import common
from wfm.io.common import (
    FORMULA_PREFIXES,
    bounded_table_file,
    check_output_path,
    check_zip_bounded,
    csv_text,
    gunzip_bounded,
    neutralise_formula,
    read_bounded,
    read_csv,
    restore_formula,
    write_csv,
)


def _zeros_gzip(n_mib: int) -> bytes:
    """``n_mib`` MiB of zero bytes as gzip: one 64 MiB member (about 64 KB) repeated, as a file may hold."""
    member = gzip.compress(bytes(64 << 20), compresslevel=9, mtime=0)
    return member * (n_mib // 64)


# --- limits ------------------------------------------------------------------------------------

def test_a_gzip_bomb_is_refused_naming_the_file_and_the_limit_without_inflating_it():
    bomb = _zeros_gzip(1024)  # 1 GiB of zeros in about 1 MB: the 970 KB file
    assert len(bomb) < 1_100_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    with pytest.raises(WfmInputError, match=r"bomb\.csv\.gz: the decompressed text is larger than the "
                                            r"268,435,456 bytes \(256 MiB\) allowed"):
        gunzip_bounded(bomb, "bomb.csv.gz")
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 400  # at most the limit plus a chunk, never the 1 GiB (the issue saw 2.2 GB)


def test_a_small_limit_refuses_at_once_and_an_exact_fit_passes():
    text = b"interval_start,queue,calls_offered\n" * 1000
    packed = gzip.compress(text, mtime=0)
    assert gunzip_bounded(packed, "h.csv.gz", max_bytes=len(text)) == text
    with pytest.raises(WfmInputError, match=r"h\.csv\.gz: the decompressed text is larger than the 1,000 bytes"):
        gunzip_bounded(packed, "h.csv.gz", max_bytes=1000)


def test_gzip_members_are_all_read_and_damage_is_named():
    two = gzip.compress(b"a,b\n", mtime=0) + gzip.compress(b"1,2\n", mtime=0)
    assert gunzip_bounded(two, "x.gz") == b"a,b\n1,2\n"
    with pytest.raises(WfmInputError, match=r"x\.gz: is not a readable gzip file"):
        gunzip_bounded(b"not gzip", "x.gz")
    with pytest.raises(WfmInputError, match=r"x\.gz: is not a readable gzip file \(it ends before"):
        gunzip_bounded(two[:20], "x.gz")


def test_a_plain_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(WfmInputError, match=r"big\.csv: the file is larger than the 1,000 bytes"):
        read_bounded(path, str(path), max_bytes=1000)
    with pytest.raises(WfmInputError, match=r"upload\.csv: the file is larger than the 1,000 bytes"):
        read_bounded(io.BytesIO(b"x" * 2000), "upload.csv", max_bytes=1000)


def test_a_workbook_that_inflates_past_the_limit_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", bytes(5_000_000))
    data = buffer.getvalue()
    assert len(data) < 20_000
    with pytest.raises(WfmInputError, match=r"a\.xlsx: the workbook, decompressed, is larger than the 1,000,000 bytes"):
        check_zip_bounded(data, "a.xlsx", max_bytes=1_000_000)
    check_zip_bounded(data, "a.xlsx", max_bytes=10_000_000)


def test_the_history_reader_takes_the_bounded_path(tmp_path, monkeypatch):
    from wfm.io.history import read_history

    monkeypatch.setattr(common, "MAX_TABLE_BYTES", 5000)
    rows = "".join(f"2025-01-06T{h:02d}:00:00+01:00,q,1\n" for h in range(24)) * 10
    path = tmp_path / "h.csv.gz"
    path.write_bytes(gzip.compress(("interval_start,queue,calls_offered\n" + rows).encode(), mtime=0))
    with pytest.raises(WfmInputError, match=r"h\.csv\.gz: the decompressed text is larger than the 5,000 bytes"):
        read_history(path)


def test_the_other_table_doors_take_the_bounded_path(tmp_path, monkeypatch):
    from wfm.io.agents import read_agents

    monkeypatch.setattr(common, "MAX_TABLE_BYTES", 100)
    path = tmp_path / "agents.csv"
    path.write_text("agent_id,name\n" + "A,B\n" * 100, encoding="utf-8")
    with pytest.raises(WfmInputError, match=r"agents\.csv: the file is larger than the 100 bytes"):
        read_agents(path)


def test_bounded_table_file_names_the_copy_and_inflates_gzip():
    buffer = bounded_table_file(gzip.compress(b"a,b\n1,2\n", mtime=0), "t.csv.gz")
    assert buffer.name == "t.csv.gz" and buffer.read() == b"a,b\n1,2\n"


# --- formula text ---------------------------------------------------------------------------------

@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_formula_text_gets_one_apostrophe_and_comes_back_exactly(prefix):
    text = prefix + 'HYPERLINK("http://x","y")'
    assert neutralise_formula(text) == "'" + text
    assert restore_formula(neutralise_formula(text)) == text


def test_numbers_and_safe_text_are_left_alone():
    assert neutralise_formula(-3) == -3 and neutralise_formula(2.5) == 2.5
    assert neutralise_formula("reports") == "reports" and neutralise_formula("a=b") == "a=b"
    assert restore_formula("'quoted") == "'quoted"  # an apostrophe the writer did not add stays


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "a", " "]), max_size=8))
def test_neutralising_is_exactly_undone_and_never_leaves_a_formula(text):
    written = neutralise_formula(text)
    assert restore_formula(written) == text
    assert not written.startswith(FORMULA_PREFIXES)


def test_the_one_csv_writer_neutralises_every_text_cell_and_the_reader_restores_it(tmp_path):
    frame = pd.DataFrame({"queue": ['=HYPERLINK("x")', "reports"], "calls": [-1.0, 2.0]})
    text = csv_text(frame)
    assert "'=HYPERLINK" in text and "-1.0" in text  # a negative number is not text
    path = write_csv(frame, tmp_path / "new" / "t.csv")
    assert path.exists()
    back = read_csv(path, "test", str(path))
    pd.testing.assert_frame_equal(back, frame)


# --- output paths ---------------------------------------------------------------------------------

def test_output_paths_are_checked_and_named(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(WfmInputError, match=r"--out .*file/x\.csv: cannot be written, .*file is a file, not a folder"):
        check_output_path(tmp_path / "file" / "x.csv", "--out")
    with pytest.raises(WfmInputError, match=r"--out .*: is a folder; give a file name"):
        check_output_path(tmp_path, "--out")
    with pytest.raises(WfmInputError, match=r"--out must be a directory, got the file '.*file'"):
        check_output_path(tmp_path / "file", "--out", directory=True)
    with pytest.raises(WfmInputError, match=r"--out /proc/wfm-no/x\.csv: cannot create the folder /proc/wfm-no"):
        check_output_path("/proc/wfm-no/x.csv", "--out")
    assert check_output_path(tmp_path / "a" / "b" / "x.csv", "--out") == tmp_path / "a" / "b" / "x.csv"
    assert (tmp_path / "a" / "b").is_dir()


def test_a_parquet_file_of_too_many_rows_is_refused_from_its_footer(tmp_path, monkeypatch):
    from wfm.io.history import read_history

    stamps = pd.date_range("2025-01-06", periods=5000, freq="15min", tz="Europe/Stockholm")
    frame = pd.DataFrame({"interval_start": stamps, "queue": "q", "calls_offered": 1})
    path = tmp_path / "h.parquet"
    frame.to_parquet(path, index=False)
    assert path.stat().st_size < 60_000  # a repeated value compresses to almost nothing
    monkeypatch.setattr(common, "MAX_TABLE_ROWS", 1000)
    with pytest.raises(WfmInputError, match=r"h\.parquet: has 5,000 rows, more than the 1,000 allowed"):
        read_history(path)
    monkeypatch.setattr(common, "MAX_TABLE_ROWS", 10_000)
    assert len(read_history(path)) == 5000
