"""The requirement CSV: agents to schedule per queue and interval (written by ``wfm staff``, read by ``wfm schedule``).

Columns: ``interval_start`` (ISO-8601 with UTC offset), ``queue``, ``agents_required`` and, when the
staffing step knows them, ``calls_offered, aht_seconds, agents_required_fractional, shrinkage,
answer_within_seconds, patience_seconds, target_service_level, binding_target`` (the target that
sets the interval's number, text; and any other columns of the table written, kept as given).  The frame contract and its checks are the ground's
(:func:`wfm.ground.frames.validate_requirement`); this module is the file's one reader and writer.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from wfm.ground.frames import validate_requirement
from wfm.ground.vocabulary import DEFAULT_TZ
from wfm.io.common import FileLike, csv_text, iso_text, read_csv, source_name, write_text

__all__ = ["read_requirement_csv", "requirement_csv_text", "write_requirement_csv"]


def read_requirement_csv(source: FileLike, tz: str = DEFAULT_TZ, *, name: str | None = None) -> pd.DataFrame:
    """Read a requirement CSV into a long frame.

    Parameters
    ----------
    source : path-like or file object
        CSV with at least ``interval_start, queue, agents_required``.
    tz : str
        IANA zone the timestamps are converted to.
    name : str, optional
        How messages name the file (default its path or name).

    Returns
    -------
    pandas.DataFrame
        Sorted by queue, interval_start; ``interval_start`` tz-aware.

    Raises
    ------
    WfmInputError
        Missing file or column, unparsable or offset-less timestamp, negative
        or non-numeric requirement (file, row, column and value named).
    """
    label = name or source_name(source, "requirement")
    return validate_requirement(read_csv(source, "requirement", label), tz=tz, source=label)


def requirement_csv_text(requirement: pd.DataFrame) -> str:
    """The requirement CSV of a requirement frame, as text (times ISO-8601 with offset, columns as given)."""
    out = requirement.copy()
    out["interval_start"] = iso_text(out["interval_start"])
    return csv_text(out)


def write_requirement_csv(requirement: pd.DataFrame, target: FileLike):
    """Write the requirement CSV to a path (its folder created; the path returned) or an open file."""
    if not hasattr(target, "write"):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    return write_text(requirement_csv_text(requirement), target)
