"""Property-based tests of the history importer (hypothesis).

1. Random valid histories written to CSV (with UTC offsets, or as naive local
   time in chronological order) read back exactly.
2. Random malformations of a valid file (a cell replaced by nasty text, a
   column dropped, a row duplicated or deleted, garbage bytes inserted, the file
   truncated) are either accepted *exactly* -- the frame equals what an
   independent, plain-Python reading of the same bytes gives -- or refused with
   :class:`WfmInputError` whose every message has the documented shape
   (``docs/history_format.md``, "Error messages").  Never another exception.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.io.history import read_history
from wfm.io.mapping import ALLOWED_INTERVAL_MINUTES
from wfm.ground.errors import WfmInputError

ZONES = ["Europe/Stockholm", "UTC", "America/New_York", "Asia/Kolkata"]
# Starts near DST changes so that spring-forward and fall-back nights are common.
BASES = ["2024-03-30 22:00", "2024-10-26 22:00", "2024-03-09 22:00", "2024-11-02 22:00", "2024-06-01 00:00"]
QUEUE_ALPHABET = "abcåäöXYZ_-,\"' 0123456789"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def documented_error(source: str) -> re.Pattern[str]:
    """The message shape promised in docs/history_format.md."""
    where = r"(, rows? [0-9]+(?:(?:, [0-9]+)*(?: and | to )[0-9]+)?)?(, column (?:'[^']*'|[^:',]+))?"
    return re.compile(rf"^{re.escape(source)}{where}: \S", re.S)


@st.composite
def histories(draw):
    tz = draw(st.sampled_from(ZONES))
    minutes = draw(st.sampled_from(ALLOWED_INTERVAL_MINUTES))
    names = draw(st.lists(st.text(QUEUE_ALPHABET, min_size=1, max_size=8).map(str.strip).filter(bool), min_size=1, max_size=3, unique=True))
    optional = draw(st.sets(st.sampled_from(["calls_answered", "calls_abandoned", "aht_seconds", "asa_seconds", "callbacks_accepted"])))
    base = pd.Timestamp(draw(st.sampled_from(BASES)), tz=tz)
    records = []
    for name in names:
        first = base + pd.Timedelta(minutes=minutes * draw(st.integers(0, 4 * 60 // minutes)))
        n = draw(st.integers(2, 30))
        for ts in pd.date_range(first, periods=n, freq=f"{minutes}min"):
            offered = draw(st.integers(0, 500))
            answered = draw(st.integers(0, offered)) if "calls_answered" in optional else None
            left = offered - (answered or 0)
            abandoned = draw(st.integers(0, left)) if "calls_abandoned" in optional else None
            left -= abandoned or 0
            callbacks = draw(st.one_of(st.none(), st.integers(0, left))) if "callbacks_accepted" in optional else None
            aht = asa = None
            if "aht_seconds" in optional:
                low = 0.5 if answered else 0.0
                aht = draw(st.one_of(st.none(), st.floats(low, 3600, allow_nan=False)))
            if "asa_seconds" in optional:
                asa = draw(st.one_of(st.none(), st.floats(0, 600, allow_nan=False)))
            records.append((ts, name, offered, answered, abandoned, aht, asa, callbacks))
    columns = ["interval_start", "queue", "calls_offered"] + [c for c in ("calls_answered", "calls_abandoned", "aht_seconds", "asa_seconds", "callbacks_accepted") if c in optional]
    return tz, minutes, columns, records


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_csv(columns, records, naive: bool) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    full = ("interval_start", "queue", "calls_offered", "calls_answered", "calls_abandoned", "aht_seconds", "asa_seconds", "callbacks_accepted")
    for rec in records:
        values = dict(zip(full, rec))
        ts = values["interval_start"]
        values["interval_start"] = ts.strftime("%Y-%m-%d %H:%M") if naive else ts.isoformat()
        writer.writerow([_cell(values[c]) for c in columns])
    return buf.getvalue()


def expected_frame(columns, records, tz) -> pd.DataFrame:
    full = ("interval_start", "queue", "calls_offered", "calls_answered", "calls_abandoned", "aht_seconds", "asa_seconds", "callbacks_accepted")
    data = {c: [dict(zip(full, r))[c] for r in records] for c in columns}
    return _typed(data, tz)


def _typed(data: dict, tz: str) -> pd.DataFrame:
    frame = {}
    for c, values in data.items():
        if c == "interval_start":
            frame[c] = pd.Series(pd.to_datetime(list(values), utc=True).tz_convert(tz), dtype=f"datetime64[ns, {tz}]")
        elif c == "queue":
            frame[c] = pd.Series(values, dtype="str")
        elif c == "calls_offered":
            frame[c] = pd.Series(values, dtype="int64")
        elif c in ("aht_seconds", "asa_seconds"):
            frame[c] = pd.Series([np.nan if v is None else v for v in values], dtype="float64")
        else:
            frame[c] = pd.Series(pd.array(values, dtype="Int64"))
    return pd.DataFrame(frame).sort_values(["queue", "interval_start"], kind="stable").reset_index(drop=True)


@SETTINGS
@given(histories(), st.booleans())
def test_valid_history_round_trips_exactly(tmp_path, history, naive):
    tz, minutes, columns, records = history
    path = tmp_path / "h.csv"
    path.write_text(to_csv(columns, records, naive), encoding="utf-8")
    try:
        got = read_history(path, tz=tz)
    except WfmInputError as exc:
        # Naive local time is refused only where it really is ambiguous: a queue
        # whose rows hold just part of a repeated fall-back hour.
        assert naive, exc.errors
        assert all("this local time is ambiguous" in m for m in exc.errors), exc.errors
        return
    pd.testing.assert_frame_equal(got, expected_frame(columns, records, tz), check_exact=True)
    assert got.attrs["interval_minutes"] == minutes
    assert got.attrs["tz"] == tz


NASTY = ["", " ", "-1", "1.5", "1e3", "abc", "NaN", "inf", "-0", "0x10", "１２", "٣", "+5", "00012", "12,5", "1 000", "9" * 25,
         "2024-13-01T00:00:00+01:00", "2024-03-31 02:30", "2024-10-27T02:30:00+02:00", "\"", "växel", "reports",
         "0001-01-01T00:00:00+01:00", "9999-12-31T23:45:00+00:00", "2024-02-30T00:00:00+01:00", "2024-01-08T08:00:00+14:00",
         "2024-01-08T08:00:00Z", "2024-01-08", "08:00", "1:30", "True"]


@st.composite
def mutations(draw):
    history = draw(histories())
    text = to_csv(history[2], history[3], naive=False)
    lines = text.split("\n")[:-1]
    kind = draw(st.sampled_from(["cell", "drop_column", "duplicate_row", "delete_row", "garbage", "truncate", "header"]))
    data = text.encode("utf-8")
    if kind == "cell":
        i = draw(st.integers(1, len(lines) - 1))
        fields = next(csv.reader([lines[i]]))
        j = draw(st.integers(0, len(fields) - 1))
        fields[j] = draw(st.one_of(st.sampled_from(NASTY), st.text(max_size=6)))
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(fields)
        lines[i] = buf.getvalue()
        data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    elif kind == "drop_column":
        rows = list(csv.reader(lines))
        j = draw(st.integers(0, len(rows[0]) - 1))
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([r[:j] + r[j + 1:] for r in rows])
        data = buf.getvalue().encode("utf-8")
    elif kind in ("duplicate_row", "delete_row"):
        i = draw(st.integers(1, len(lines) - 1))
        lines = lines[: i + 1] + [lines[i]] + lines[i + 1:] if kind == "duplicate_row" else lines[:i] + lines[i + 1:]
        data = ("\n".join(lines) + "\n").encode("utf-8")
    elif kind == "garbage":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    elif kind == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    else:
        header = next(csv.reader([lines[0]]))
        j = draw(st.integers(0, len(header) - 1))
        header[j] = draw(st.sampled_from(["Queue", "", "interval_start", "calls", "aht_seconds ", "Start: local", "a,b", "it's"]))
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(header)
        lines[0] = buf.getvalue()
        data = ("\n".join(lines) + "\n").encode("utf-8")
    return history[0], kind, data


def oracle(data: bytes, tz: str) -> pd.DataFrame:
    """An independent, plain-Python reading of a canonical CSV (no pandas parsers).

    Lenient where the importer is strict is fine (it is only consulted when the
    importer accepted the file); it must never be lenient in a way that changes
    a value.
    """
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    while body and all(f == "" for f in body[-1]):
        body.pop()
    assert all(len(r) == len(header) for r in body)
    data_by_col: dict[str, list] = {}
    for k, col in enumerate(header):
        cells = [r[k].strip() if col != "queue" else r[k] for r in body]
        if col == "interval_start":
            values = [pd.Timestamp(c) for c in cells]
            assert all(v.tzinfo is not None for v in values)
        elif col == "queue":
            values = cells
        elif col in ("aht_seconds", "asa_seconds"):
            values = [None if c == "" else float(c) for c in cells]
            assert all(v is None or (math.isfinite(v) and v >= 0) for v in values)
        else:
            values = [None if c == "" else float(c) for c in cells]
            assert all(v is None or (v >= 0 and v == int(v)) for v in values)
            values = [None if v is None else int(v) for v in values]
        data_by_col[col] = values
    return _typed(data_by_col, tz)


@SETTINGS
@given(mutations())
def test_malformed_file_is_accepted_exactly_or_refused_with_the_documented_error(tmp_path, case):
    tz, kind, data = case
    path = tmp_path / "m.csv"
    path.write_bytes(data)
    try:
        got = read_history(path, tz=tz)
    except WfmInputError as exc:
        pattern = documented_error(str(path))
        assert exc.errors, "an error with no messages"
        for message in exc.errors:
            assert pattern.match(message), f"undocumented message shape ({kind}): {message!r}"
        assert pattern.match(str(exc)), str(exc)
        return
    # accepted: it must be exactly what the bytes say
    want = oracle(data, tz)
    pd.testing.assert_frame_equal(got, want[list(got.columns)], check_exact=True)
    assert list(got.columns) == [c for c in ("interval_start", "queue", "calls_offered", "calls_answered", "calls_abandoned",
                                              "aht_seconds", "asa_seconds", "callbacks_accepted") if c in want.columns]


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(["x.csv", "x.csv.gz", "x.xlsx", "x.parquet"]))
def test_random_bytes_never_crash(data, name):
    buffer = io.BytesIO(data)
    buffer.name = name
    try:
        read_history(buffer)
    except WfmInputError as exc:
        pattern = documented_error(name)
        assert all(pattern.match(m) for m in exc.errors), exc.errors


@pytest.mark.parametrize("source", ["h.csv", "/tmp/with, comma/h.csv"])
def test_documented_pattern_matches_the_fixture_messages(source):
    pattern = documented_error(source)
    assert pattern.match(f"{source}, row 7, column calls_offered: must be a whole number >= 0 (negative); got '-3'")
    assert pattern.match(f"{source}, rows 9 and 10, column interval_start: duplicate interval")
    assert pattern.match(f"{source}, rows 42 to 53, column interval_start: mixed interval lengths")
    assert pattern.match(f"{source}: the file is empty")
    assert not pattern.match(f"{source} row 7 calls_offered bad")


DATA = Path(__file__).parent / "data"


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["history.xlsx", "history.parquet", "good_dst.csv.gz"]), st.data())
def test_corrupted_binary_files_are_refused_cleanly_or_read(name, data):
    """Flip bytes in a valid XLSX / Parquet / gzip file: a WfmInputError, or a valid frame."""
    raw = bytearray((DATA / name).read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    buffer = io.BytesIO(bytes(raw))
    buffer.name = name
    try:
        df = read_history(buffer)
    except WfmInputError as exc:
        pattern = documented_error(name)
        assert all(pattern.match(m) for m in exc.errors), exc.errors
        return
    assert str(df["interval_start"].dtype).startswith("datetime64[ns, ")
    assert (df["calls_offered"] >= 0).all()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histories())
def test_valid_history_round_trips_through_parquet(tmp_path, history):
    tz, minutes, columns, records = history
    frame = expected_frame(columns, records, tz)
    frame.to_parquet(tmp_path / "h.parquet", index=False)
    got = read_history(tmp_path / "h.parquet", tz=tz)
    pd.testing.assert_frame_equal(got, frame, check_exact=True)
    assert got.attrs["interval_minutes"] == minutes
