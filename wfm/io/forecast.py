"""The forecast CSV: what ``wfm forecast`` and the app write, and ``wfm staff``, ``wfm replay``,
``wfm risk``, the scenario store and the app read back.

One row per queue and interval, the columns of :data:`wfm.ground.frames.FORECAST_COLUMNS`::

    interval_start,queue,calls_offered,calls_offered_p10,calls_offered_p90,calls_offered_p025,calls_offered_p975,aht_seconds,model
    2025-01-06T08:00:00+01:00,reports,41.2000,33.1000,49.8000,29.0000,54.6000,312.0000,auto:ets

``interval_start`` is ISO-8601 local time with its UTC offset (:mod:`wfm.ground.timegrid`);
numbers are written with four decimals.  The reader needs ``interval_start, queue,
calls_offered, aht_seconds`` (a hand-made forecast may have only those) and keeps any other
column it finds.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.frames import FORECAST_COLUMNS, FORECAST_OPTIONAL_COLUMNS, FORECAST_REQUIRED_COLUMNS, check_forecast
from wfm.ground.timegrid import format_offset_timestamps, parse_offset_timestamps, resolve_tz
from wfm.ground.vocabulary import DEFAULT_TZ
from wfm.io.common import write_csv
from wfm.io.common import read_csv, source_name

__all__ = ["read_forecast_csv", "write_forecast_csv"]


def read_forecast_csv(source: str | os.PathLike | IO, tz: str | None = DEFAULT_TZ) -> pd.DataFrame:
    """Read the forecast CSV into a long frame with ``interval_start`` tz-aware in zone ``tz``.

    Parameters
    ----------
    source : path or file object
        The CSV (a file object's ``name``, when it has one, names it in messages).
    tz : str
        IANA zone of the returned timestamps [default Europe/Stockholm].

    Raises
    ------
    WfmInputError
        Missing file or column, a timestamp without UTC offset, a number that is not one,
        negative calls, a missing or non-positive handle time where calls are offered, a
        repeated (queue, interval_start): the file, row (header = row 1), column and value named.
    """
    zone = resolve_tz(tz)
    name = source_name(source, "<upload>")
    df = read_csv(source, "forecast", name)
    missing = [c for c in FORECAST_REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise WfmInputError(f"{name}: missing column(s) {', '.join(missing)} "
                            f"(found {', '.join(map(str, df.columns))})")
    df["interval_start"] = parse_offset_timestamps(df["interval_start"], zone, name, "interval_start")
    numeric = [*FORECAST_COLUMNS, *FORECAST_OPTIONAL_COLUMNS]
    for col in [c for c in numeric if c in df.columns and c not in ("interval_start", "queue", "model")]:
        values = pd.to_numeric(df[col], errors="coerce")
        bad = (values.isna() & df[col].notna()).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise WfmInputError(f"{name}: row {i + 2}, column {col}: not a number, got {df[col].iloc[i]}")
        df[col] = values.astype("float64")
    df["queue"] = df["queue"].astype(str)
    check_forecast(df, what=name, row_offset=2)
    return df


def write_forecast_csv(frame: pd.DataFrame, path: str | os.PathLike | IO[str]) -> None:
    """Write the forecast CSV: :data:`~wfm.ground.frames.FORECAST_COLUMNS` (then those of
    :data:`~wfm.ground.frames.FORECAST_OPTIONAL_COLUMNS` the frame has), ISO-8601 timestamps with offset.

    The frame is checked first (:func:`wfm.ground.frames.check_forecast`); ``aht_seconds`` may
    be empty (a calls-only history: the calls are forecast, the handle time is unknown), which
    :func:`read_forecast_csv` refuses where calls are offered, because staffing needs it.
    """
    missing = [c for c in FORECAST_COLUMNS if c not in frame.columns]
    if missing:
        raise WfmInputError(f"forecast to write: missing column(s) {', '.join(missing)}")
    check_forecast(frame, what="forecast to write", need_aht=False)
    out = frame[list(FORECAST_COLUMNS) + [c for c in FORECAST_OPTIONAL_COLUMNS if c in frame.columns]].copy()
    out["interval_start"] = format_offset_timestamps(out["interval_start"])
    write_csv(out, path, float_format="%.4f")  # formula text neutralised, folder created
