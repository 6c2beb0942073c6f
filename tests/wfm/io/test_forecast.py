"""The forecast CSV: written with offsets and four decimals, read back equal; bad files named by row."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from wfm.ground.errors import WfmInputError
from wfm.ground.frames import FORECAST_COLUMNS
from wfm.io.forecast import read_forecast_csv, write_forecast_csv

TZ = "Europe/Stockholm"


def _forecast(day: str = "2024-10-27") -> pd.DataFrame:
    """One fall-back day (100 quarter-hours) for two queues."""
    stamps = pd.date_range(pd.Timestamp(day, tz=TZ), pd.Timestamp(day, tz=TZ) + pd.Timedelta(hours=25), freq="15min",
                           inclusive="left")
    rng = np.random.default_rng(1)
    frames = []
    for q in ("reports", "tips"):
        calls = rng.uniform(0, 40, len(stamps)).round(4)
        frames.append(pd.DataFrame({"interval_start": stamps, "queue": q, "calls_offered": calls,
                                    "calls_offered_p10": calls * 0.8, "calls_offered_p90": calls * 1.2,
                                    "calls_offered_p025": calls * 0.7, "calls_offered_p975": calls * 1.3,
                                    "aht_seconds": 300.0, "model": "weekly_mean"}))
    return pd.concat(frames, ignore_index=True)


def test_written_forecast_reads_back_equal_across_the_fall_back_hour(tmp_path):
    frame = _forecast()
    write_forecast_csv(frame, tmp_path / "sub" / "f.csv")
    text = (tmp_path / "sub" / "f.csv").read_text().splitlines()
    assert text[0] == ",".join(FORECAST_COLUMNS)
    assert any(line.startswith("2024-10-27T02:00:00+02:00,reports") for line in text)
    assert any(line.startswith("2024-10-27T02:00:00+01:00,reports") for line in text)
    back = read_forecast_csv(tmp_path / "sub" / "f.csv", tz=TZ)
    assert list(back.columns) == list(FORECAST_COLUMNS)
    assert (back["interval_start"] == frame["interval_start"]).all()
    assert back["calls_offered"].to_numpy() == pytest.approx(frame["calls_offered"].to_numpy(), abs=1e-4)


def test_file_objects_and_another_zone():
    buf = io.StringIO()
    write_forecast_csv(_forecast(), buf)
    buf.seek(0)
    back = read_forecast_csv(buf, tz="UTC")
    assert str(back["interval_start"].dt.tz) == "UTC" and len(back) == 200


def _bad(tmp_path, change) -> str:
    frame = _forecast()
    write_forecast_csv(frame, tmp_path / "f.csv")
    raw = pd.read_csv(tmp_path / "f.csv", dtype=str)
    change(raw)
    raw.to_csv(tmp_path / "bad.csv", index=False)
    return str(tmp_path / "bad.csv")


@pytest.mark.parametrize("change, message", [
    (lambda r: r.loc.__setitem__((7, "calls_offered"), "-3"), r"row 9, column calls_offered: must be >= 0, got -3.0"),
    (lambda r: r.loc.__setitem__((3, "calls_offered"), "many"), r"row 5, column calls_offered: not a number, got many"),
    (lambda r: r.loc.__setitem__((4, "aht_seconds"), "0"), r"row 6, column aht_seconds: must be > 0 where calls"),
    (lambda r: r.loc.__setitem__((0, "interval_start"), "2024-10-27T00:00:00"), r"row 2, column interval_start: timestamps must carry a UTC offset"),
    (lambda r: r.drop(columns="aht_seconds", inplace=True), r"missing column\(s\) aht_seconds"),
    (lambda r: r.loc.__setitem__((1, "interval_start"), r.loc[0, "interval_start"]), r"row 3: duplicate interval"),
])
def test_a_bad_forecast_file_is_refused_naming_row_and_column(tmp_path, change, message):
    with pytest.raises(WfmInputError, match=message):
        read_forecast_csv(_bad(tmp_path, change))


def test_missing_file_and_unknown_zone(tmp_path):
    with pytest.raises(WfmInputError, match=r"nope\.csv: forecast file not found"):
        read_forecast_csv(tmp_path / "nope.csv")
    write_forecast_csv(_forecast(), tmp_path / "f.csv")
    with pytest.raises(WfmInputError, match=r"tz 'Mars/Base' is not a known IANA time zone") as err:
        read_forecast_csv(tmp_path / "f.csv", tz="Mars/Base")
    assert err.value.parameter == "tz"


def test_a_frame_that_breaks_the_contract_is_not_written(tmp_path):
    frame = _forecast()
    frame.loc[3, "aht_seconds"] = -1.0
    with pytest.raises(WfmInputError, match=r"forecast to write: row 3, column aht_seconds"):
        write_forecast_csv(frame, tmp_path / "f.csv")
    assert not (tmp_path / "f.csv").exists()
