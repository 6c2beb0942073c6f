"""The schedule CSV: one row per distinct shift (written by ``wfm schedule``, read by ``wfm roster`` and ``wfm replay``).

Columns :data:`~wfm.ground.frames.SCHEDULE_COLUMNS`: ``shift_id, template, skill_group, start, end,
count, paid_minutes, breaks`` with ``start``/``end`` ISO-8601 with UTC offset and ``breaks`` a
``;``-separated list of ``START/MINUTES/paid|unpaid`` (:func:`wfm.ground.frames.parse_breaks`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.frames import SCHEDULE_COLUMNS, parse_breaks
from wfm.ground.timegrid import parse_offset_timestamps
from wfm.ground.vocabulary import DEFAULT_TZ
from wfm.io.common import FileLike, csv_text, iso_text, read_csv, source_name, write_text

__all__ = ["read_schedule_csv", "schedule_csv_text", "write_schedule_csv"]


def schedule_csv_text(shifts: pd.DataFrame) -> str:
    """The schedule CSV of ``shifts`` (``ScheduleResult.shifts``: tz-aware ``start``/``end``, ``breaks`` text)."""
    out = shifts.loc[:, list(SCHEDULE_COLUMNS)].copy()
    out["start"] = iso_text(out["start"])
    out["end"] = iso_text(out["end"])
    return csv_text(out)


def write_schedule_csv(shifts: pd.DataFrame, target: FileLike):
    """Write the schedule CSV to a path (returned) or an open file (see :func:`schedule_csv_text`)."""
    return write_text(schedule_csv_text(shifts), target)


def _whole_numbers(df: pd.DataFrame, label: str) -> None:
    for column in ("count", "paid_minutes"):
        values = pd.to_numeric(df[column], errors="coerce")
        bad = values.isna() | (values < 0) | (values != values.round())
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            value = df[column].iloc[i]
            value = value.item() if isinstance(value, np.generic) else value
            raise WfmInputError(f"{label}: row {i + 2}, column {column}: must be a whole number >= 0, got {value!r}")
        df[column] = values.astype("int64")


def read_schedule_csv(source: FileLike, tz: str = DEFAULT_TZ, *, name: str | None = None) -> pd.DataFrame:
    """Read a schedule CSV written by :func:`write_schedule_csv`.

    Returns the same columns with ``start``/``end`` tz-aware in ``tz``, ``count`` and ``paid_minutes``
    int64 and ``breaks`` kept as text (the frame contract), every cell of it checked.

    Raises
    ------
    WfmInputError
        Missing file or column; a timestamp without offset; a count or minutes that is not a whole
        number >= 0; an end not after its start; a break not in the notation (file, row, column).
    """
    label = name or source_name(source, "schedule")
    df = read_csv(source, "schedule", label, dtype={"breaks": str, "shift_id": str, "template": str,
                                                    "skill_group": str}, keep_default_na=False)
    missing = [c for c in SCHEDULE_COLUMNS if c not in df.columns]
    if missing:
        raise WfmInputError(f"{label}: missing column(s) {', '.join(missing)}; expected {', '.join(SCHEDULE_COLUMNS)}")
    df["start"] = parse_offset_timestamps(df["start"], tz, label, "start")
    df["end"] = parse_offset_timestamps(df["end"], tz, label, "end")
    _whole_numbers(df, label)
    bad = df["end"] <= df["start"]
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise WfmInputError(f"{label}: row {i + 2}: end must be after start, got {df['start'].iloc[i]} .. {df['end'].iloc[i]}")
    for i, text in enumerate(df["breaks"]):
        parse_breaks(text, tz, where=f"{label}: row {i + 2}, column breaks")
    return df.loc[:, list(SCHEDULE_COLUMNS)]
