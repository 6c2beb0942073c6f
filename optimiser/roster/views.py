"""Frames and files for showing and downloading a roster (pure functions; used by the app's Roster page)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

from wfm.io.roster import export_roster

#: Download formats and their file names.
DOWNLOADS: dict[str, str] = {"csv": "roster.csv", "xlsx": "roster.xlsx", "json": "roster.json", "ics": "roster-ics.zip"}


def roster_grid(assignments: pd.DataFrame, tz: str = "Europe/Stockholm") -> pd.DataFrame:
    """Agent x local day grid of shift times (``"07:00–16:00"``), empty where the agent is off.

    Returns
    -------
    DataFrame
        Index ``agent`` (``"name (agent_id)"``), one column per local date of the
        roster (``YYYY-MM-DD Ddd``), text cells. A shift belongs to the day it starts.
    """
    if assignments.empty:
        return pd.DataFrame(index=pd.Index([], name="agent"))
    start = assignments["start"].dt.tz_convert(tz)
    end = assignments["end"].dt.tz_convert(tz)
    frame = pd.DataFrame({
        "agent": assignments["name"].astype(str) + " (" + assignments["agent_id"].astype(str) + ")",
        "day": start.dt.strftime("%Y-%m-%d %a"),
        "text": start.dt.strftime("%H:%M") + "–" + end.dt.strftime("%H:%M"),
    })
    grid = frame.groupby(["agent", "day"])["text"].agg(" / ".join).unstack("day")
    return grid.reindex(columns=sorted(grid.columns)).fillna("").sort_index()


def roster_file_bytes(assignments: pd.DataFrame, fmt: str, *, coverage: pd.DataFrame | None = None,
                      pseudonymise: bool = False, tz: str = "Europe/Stockholm") -> bytes:
    """The roster export in ``fmt`` (``csv``, ``xlsx``, ``json`` or ``ics`` = a zip of one .ics per agent)."""
    if fmt not in DOWNLOADS:
        raise ValueError(f"fmt must be one of {', '.join(DOWNLOADS)}, got {fmt!r}")
    with tempfile.TemporaryDirectory() as tmp:
        if fmt == "ics":
            folder = Path(tmp) / "ics"
            files = export_roster(assignments, folder, pseudonymise=pseudonymise, tz=tz)
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in sorted(files):
                    zf.write(f, arcname=Path(f).name)
            return buf.getvalue()
        target = Path(tmp) / DOWNLOADS[fmt]
        export_roster(assignments, target, coverage=coverage, pseudonymise=pseudonymise, tz=tz)
        return target.read_bytes()
