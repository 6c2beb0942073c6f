"""Frames for showing a roster (pure functions; used by the app's Roster page).

The roster's download files are :func:`wfm.io.roster.roster_file_bytes`.
"""

from __future__ import annotations

import pandas as pd

from wfm.ground.vocabulary import DEFAULT_TZ


def roster_grid(assignments: pd.DataFrame, tz: str = DEFAULT_TZ) -> pd.DataFrame:
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
