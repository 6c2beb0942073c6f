"""Frames for charts of a schedule result (pure functions, used by the app's Schedule page).

The schedule CSV as text for a download is :func:`wfm.io.schedule.schedule_csv_text`.
"""

from __future__ import annotations

import pandas as pd


def coverage_by_interval(result) -> pd.DataFrame:
    """Required and allocated agents per interval, summed over queues.

    Returns
    -------
    DataFrame
        ``interval_start``, ``agents_required``, ``agents_allocated``, ``shortfall`` [agents].
    """
    cov = result.coverage
    cols = [c for c in ("agents_required", "agents_allocated", "shortfall") if c in cov.columns]
    return cov.groupby("interval_start", as_index=False)[cols].sum().sort_values("interval_start", ignore_index=True)


def shift_timeline(shifts: pd.DataFrame, *, limit: int = 60) -> pd.DataFrame:
    """The ``limit`` most staffed distinct shifts, labelled for a Gantt chart.

    Returns
    -------
    DataFrame
        The shift columns plus ``label`` (e.g. ``"sv_all Mon 07:00-16:00 x12"``),
        sorted by start; ``start``/``end`` converted to naive local time for plotting.
    """
    if limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit}")
    top = shifts.sort_values("count", ascending=False).head(limit).sort_values(["start", "skill_group"]).copy()
    top["label"] = [
        f"{g} {s:%a %H:%M}-{e:%H:%M} x{int(c)}"
        for g, s, e, c in zip(top["skill_group"], top["start"], top["end"], top["count"])
    ]
    top["start"] = top["start"].map(lambda ts: ts.tz_localize(None))
    top["end"] = top["end"].map(lambda ts: ts.tz_localize(None))
    return top.reset_index(drop=True)
