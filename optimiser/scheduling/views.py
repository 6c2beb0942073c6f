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


#: Parts of a day for summaries: (name, first hour, end hour); a night belongs to the day it starts.
DAY_PARTS: tuple[tuple[str, int, int], ...] = (("night", 22, 30), ("morning", 6, 12), ("afternoon", 12, 18),
                                               ("evening", 18, 22))


def day_part(local_starts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Weekday (0 = Monday) and part of day (:data:`DAY_PARTS`) of local timestamps; 00:00-06:00 is the
    night of the day before (Sunday night runs into Monday morning)."""
    hour = local_starts.dt.hour
    part = pd.Series("night", index=local_starts.index)
    part[(hour >= 6) & (hour < 12)] = "morning"
    part[(hour >= 12) & (hour < 18)] = "afternoon"
    part[(hour >= 18) & (hour < 22)] = "evening"
    weekday = local_starts.dt.day_of_week.where(hour >= 6, (local_starts.dt.day_of_week - 1) % 7)
    return weekday.astype(int), part


def shortfall_summary(result, tz: str | None = None) -> pd.DataFrame:
    """Where a schedule is short, grouped for reading: weekday, part of day and the rule that binds.

    Each short (queue, interval) of ``result.coverage`` is given the rule of the shortfall run it lies
    in (:attr:`Shortfall.rule`, codes of :data:`optimiser.scheduling.explain.RULE_CODES`).

    Returns
    -------
    DataFrame
        One row per (``weekday`` 0-6, ``part`` night|morning|afternoon|evening, ``rule``):
        ``intervals`` (distinct short intervals), ``agent_hours_short`` [agent-hours],
        ``agents_short_max`` [agents], ``queues`` (tuple of str); most agent-hours first.
    """
    columns = ["weekday", "part", "rule", "intervals", "agent_hours_short", "agents_short_max", "queues"]
    cov = result.coverage
    if cov.empty or "shortfall" not in cov or not (cov["shortfall"] > 1e-6).any():
        return pd.DataFrame(columns=columns)
    short = cov[cov["shortfall"] > 1e-6][["interval_start", "queue", "shortfall"]].copy()
    short["rule"] = ""
    for run in result.shortfalls:
        inside = (short["queue"] == run.queue) & (short["interval_start"] >= run.start) & \
                 (short["interval_start"] < run.end)
        short.loc[inside, "rule"] = run.rule or "penalty"
    starts = short["interval_start"]
    step = cov["interval_start"].drop_duplicates().sort_values().diff().min()
    minutes = step / pd.Timedelta(minutes=1) if pd.notna(step) else 15.0
    local = starts.dt.tz_convert(tz) if tz else starts
    short["weekday"], short["part"] = day_part(local)
    short["agent_hours"] = short["shortfall"] * minutes / 60.0
    grouped = short.groupby(["weekday", "part", "rule"], sort=False).agg(
        intervals=("interval_start", "nunique"), agent_hours_short=("agent_hours", "sum"),
        agents_short_max=("shortfall", "max"), queues=("queue", lambda q: tuple(sorted(set(q)))))
    return grouped.reset_index().sort_values("agent_hours_short", ascending=False, ignore_index=True)[columns]
