"""Call records (one row per call): the file format's one reader.

The records format is the one of the "Anonymous Bank" call records (one row per
call): ``date`` (YYYY-MM-DD), ``q_start`` (H:MM:SS, time the caller entered the
agent queue), ``q_time`` (seconds waited in the queue), ``outcome`` (``AGENT``
served, ``HANG`` hung up, ``PHANTOM`` unidentified), ``ser_time`` (handle time
[s]) and optionally ``server`` (agent name, used to count agents per interval)
and ``vru_exit`` (H:MM:SS; the queue-entry time of calls answered at once,
whose ``q_start`` reads 0:00:00).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ
from wfm.io.common import bounded_table_file

__all__ = ["OUTCOMES", "RECORD_COLUMNS", "read_call_records"]

#: Columns a records file must have (``server`` and ``vru_exit`` are optional).
RECORD_COLUMNS = ("date", "q_start", "q_time", "outcome", "ser_time")
#: Outcomes a record may have: served, hung up, unidentified.
OUTCOMES = ("AGENT", "HANG", "PHANTOM")


def read_call_records(path, tz: str = DEFAULT_TZ) -> pd.DataFrame:
    """Read call records (one row per call) and validate them strictly.

    Parameters
    ----------
    path : str or Path
        CSV (optionally gzip) with :data:`RECORD_COLUMNS`.
    tz : str
        IANA zone of the naive local ``date``/``q_start`` columns.

    Returns
    -------
    DataFrame
        One row per call that reached the agent queue (served, or hung up after
        waiting > 0 s): ``queue_entry`` (tz-aware), ``wait_seconds``,
        ``abandoned`` (bool), ``handle_seconds`` (NaN for abandoned calls),
        ``server`` (str or missing).  Calls that hung up before queueing
        (``HANG`` with ``q_time`` 0) and ``PHANTOM`` calls are excluded; their
        numbers are in ``attrs["excluded"]``.

    Raises
    ------
    WfmInputError
        Missing file or columns, unknown outcome, negative or non-numeric
        durations, unreadable dates/times -- naming file, row and column.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(bounded_table_file(path, str(path)), dtype=str, keep_default_na=False)
    except WfmInputError as exc:  # within MAX_TABLE_BYTES, gzip inflated in bounded chunks
        if str(exc) == f"{path}: file not found":
            raise WfmInputError(f"{path}: records file not found") from None
        raise
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        raise WfmInputError(f"{path}: not a readable CSV ({exc})") from exc
    missing = [c for c in RECORD_COLUMNS if c not in raw.columns]
    if missing:
        raise WfmInputError(
            f"{path}: call records lack the column(s) {', '.join(missing)} needed for calibration "
            f"(need {', '.join(RECORD_COLUMNS)}; found {', '.join(map(str, raw.columns))})")
    if len(raw) == 0:
        raise WfmInputError(f"{path}: call records have no rows")
    errors: list[str] = []
    outcome = raw["outcome"].str.strip().str.upper()
    bad = ~outcome.isin(OUTCOMES)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        errors.append(f"{path}: row {i + 2}, column outcome: must be one of {', '.join(OUTCOMES)}, "
                      f"got {raw['outcome'].iloc[i]!r} ({int(bad.sum())} such rows)")
    nums = {}
    for col in ("q_time", "ser_time"):
        v = pd.to_numeric(raw[col], errors="coerce")
        badv = v.isna() | (v < 0)
        if badv.any():
            i = int(np.flatnonzero(badv.to_numpy())[0])
            errors.append(f"{path}: row {i + 2}, column {col}: must be a number of seconds >= 0, "
                          f"got {raw[col].iloc[i]!r} ({int(badv.sum())} such rows)")
        nums[col] = v.to_numpy(dtype=float)
    # a call answered without queueing has q_start 0:00:00 in the bank's records; it entered the
    # queue (and was answered at once) when it left the voice-response unit (vru_exit)
    clock = raw["q_start"].str.strip()
    if "vru_exit" in raw.columns:
        no_queue = (pd.to_numeric(raw["q_time"], errors="coerce") == 0) & (clock == "0:00:00")
        clock = clock.where(~no_queue, raw["vru_exit"].str.strip())
    stamp = pd.to_datetime(raw["date"].str.strip() + " " + clock,
                           format="%Y-%m-%d %H:%M:%S", errors="coerce")
    badt = stamp.isna()
    if badt.any():
        i = int(np.flatnonzero(badt.to_numpy())[0])
        errors.append(f"{path}: row {i + 2}, columns date/q_start: expected YYYY-MM-DD and H:MM:SS, "
                      f"got {raw['date'].iloc[i]!r} {raw['q_start'].iloc[i]!r}")
    if errors:
        raise WfmInputError(errors[0] if len(errors) == 1 else
                            f"{path}: {len(errors)} problems in the call records", errors)
    served = (outcome == "AGENT").to_numpy()
    hung = (outcome == "HANG").to_numpy() & (nums["q_time"] > 0)
    keep = served | hung
    try:
        entry = stamp[keep].dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    except Exception as exc:
        raise WfmInputError(f"tz must be an IANA zone such as Europe/Stockholm, got {tz!r}") from exc
    out = pd.DataFrame({
        "queue_entry": entry.to_numpy(),
        "wait_seconds": nums["q_time"][keep],
        "abandoned": hung[keep],
        "handle_seconds": np.where(served[keep], nums["ser_time"][keep], np.nan),
        "server": raw["server"][keep].to_numpy() if "server" in raw.columns else pd.NA,
    })
    dst = out["queue_entry"].isna()
    if dst.any():
        i = int(np.flatnonzero(keep)[int(np.flatnonzero(dst.to_numpy())[0])])
        raise WfmInputError(f"{path}: row {i + 2}, columns date/q_start: local time "
                            f"{stamp.iloc[i]} does not exist or is ambiguous in {tz} (DST change)")
    out = out.sort_values("queue_entry", kind="stable").reset_index(drop=True)
    out.attrs["excluded"] = {"hung_up_before_queue": int(((outcome == "HANG").to_numpy()
                                                           & (nums["q_time"] == 0)).sum()),
                             "phantom": int((outcome == "PHANTOM").sum())}
    out.attrs["source"] = str(path)
    return out
