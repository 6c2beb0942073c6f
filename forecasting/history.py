"""The summary of an accepted history: queues, span, interval length, gaps, opening hours.

:func:`summarise_history` is what ``wfm validate`` prints and what the app's Data page shows.
It learns each queue's opening hours with the one rule of :mod:`forecasting.opening_hours`
(which every forecasting model uses too, so the hours the planner is shown closed are the hours
the models forecast as 0) and reports the gaps -- missing intervals inside opening hours --
without filling them.  The history itself is read by ``wfm.io.history.read_history``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting.opening_hours import (
    CLOSED_SLOT_MAX_SHARE,
    MIN_CLOSED_MINUTES,
    QueueOpeningHours,
    learn_opening_hours,
)
from wfm.ground.frames import check_history
from wfm.ground.timegrid import interval_minutes_of, regular_grid

__all__ = ["Gap", "HistorySummary", "find_gaps", "summarise_history"]


def _fmt_ts(ts: pd.Timestamp) -> str:
    return ts.isoformat()


@dataclass(frozen=True)
class Gap:
    """A run of missing intervals inside opening hours (``end`` exclusive).

    ``whole_days`` counts the local dates in the run on which *every* open
    interval is missing -- a day the centre may have been closed (a public
    holiday) or whose data was lost; the importer cannot tell which.
    """

    queue: str
    start: pd.Timestamp
    end: pd.Timestamp
    missing_intervals: int
    whole_days: int = 0


@dataclass(frozen=True)
class HistorySummary:
    """What ``wfm validate`` prints: the shape of an accepted history."""

    source: str
    tz: str
    interval_minutes: int
    rows: int
    queues: tuple[str, ...]
    rows_per_queue: tuple[tuple[str, int], ...]
    first_interval: pd.Timestamp
    last_interval: pd.Timestamp
    calls_offered: int
    gaps: tuple[Gap, ...]
    missing_intervals: int
    opening_hours: tuple[QueueOpeningHours, ...]
    closed_intervals: int
    calls_in_closed_hours: int
    closed_max_share: float = field(default=CLOSED_SLOT_MAX_SHARE)
    min_closed_minutes: int = field(default=MIN_CLOSED_MINUTES)

    def gaps_frame(self) -> pd.DataFrame:
        """Gaps as a frame: ``queue, start, end, missing_intervals, whole_days``."""
        return pd.DataFrame(
            {
                "queue": pd.Series([g.queue for g in self.gaps], dtype="str"),
                "start": pd.Series([g.start for g in self.gaps], dtype=f"datetime64[ns, {self.tz}]"),
                "end": pd.Series([g.end for g in self.gaps], dtype=f"datetime64[ns, {self.tz}]"),
                "missing_intervals": pd.Series([g.missing_intervals for g in self.gaps], dtype="int64"),
                "whole_days": pd.Series([g.whole_days for g in self.gaps], dtype="int64"),
            }
        )

    def opening_hours_text(self) -> str:
        """One line per queue, e.g. ``reports: Mon–Sun 00:00–24:00``."""
        return "\n".join(f"{oh.queue}: {oh.text()}" for oh in self.opening_hours)

    def to_text(self, max_gaps: int = 20) -> str:
        """Multi-line summary for the CLI."""
        per_queue = ", ".join(f"{q} {n:,}" for q, n in self.rows_per_queue)
        lines = [
            f"File:             {self.source}",
            f"Queues:           {len(self.queues)} ({', '.join(self.queues)})",
            f"First interval:   {_fmt_ts(self.first_interval)}",
            f"Last interval:    {_fmt_ts(self.last_interval)}",
            f"Interval length:  {self.interval_minutes} minutes",
            f"Time zone:        {self.tz}",
            f"Rows:             {self.rows:,} ({per_queue})",
            f"Calls offered:    {self.calls_offered:,}",
            f"Gaps:             {len(self.gaps)} ({self.missing_intervals:,} missing intervals inside opening hours; not filled)",
        ]
        for g in self.gaps[:max_gaps]:
            days = f"; {g.whole_days} whole day{'s' if g.whole_days != 1 else ''} without rows: closed or lost?" if g.whole_days else ""
            lines.append(f"  {g.queue}: {_fmt_ts(g.start)} to {_fmt_ts(g.end)} ({g.missing_intervals} intervals{days})")
        if len(self.gaps) > max_gaps:
            lines.append(f"  ... and {len(self.gaps) - max_gaps} more gaps")
        lines.append(
            f"Closed hours:     {self.closed_intervals:,} intervals in closed hours "
            f"({self.calls_in_closed_hours:,} calls offered in them)"
        )
        lines.append(
            f"Opening hours (learned: closed = calls in < {self.closed_max_share:.0%} of weeks "
            f"for at least {self.min_closed_minutes} minutes in a row):"
        )
        for oh in self.opening_hours:
            lines.append(f"  {oh.queue}: {oh.text()}")
        return "\n".join(lines)


def find_gaps(
    df: pd.DataFrame, *, closed_max_share: float = CLOSED_SLOT_MAX_SHARE, min_closed_minutes: int = MIN_CLOSED_MINUTES
) -> tuple[Gap, ...]:
    """Runs of missing intervals inside each queue's learned opening hours.

    Missing rows in closed hours are not gaps.  Nothing is filled.
    """
    return summarise_history(df, closed_max_share=closed_max_share, min_closed_minutes=min_closed_minutes).gaps


def _queue_gaps(queue: str, grid: pd.DatetimeIndex, present: np.ndarray, open_mask: np.ndarray,
                minutes: int) -> list[Gap]:
    """Runs of grid intervals that are open but have no row, with the whole days among them."""
    missing = ~present & open_mask
    if not missing.any():
        return []
    day_code, _ = pd.factorize(grid.normalize())
    open_per_day = np.bincount(day_code, weights=open_mask.astype(float))
    missing_per_day = np.bincount(day_code, weights=missing.astype(float))
    full_day = (open_per_day > 0) & (missing_per_day == open_per_day)
    idx = np.flatnonzero(missing)
    starts = np.flatnonzero(np.diff(np.concatenate(([-2], idx))) != 1)
    ends = np.concatenate((starts[1:], [len(idx)])) - 1
    step = pd.Timedelta(minutes=minutes)
    return [Gap(queue, grid[idx[a]], grid[idx[b]] + step, int(b - a + 1),
                int(full_day[np.unique(day_code[idx[a]:idx[b] + 1])].sum()))
            for a, b in zip(starts, ends)]


def summarise_history(
    df: pd.DataFrame, *, closed_max_share: float = CLOSED_SLOT_MAX_SHARE, min_closed_minutes: int = MIN_CLOSED_MINUTES
) -> HistorySummary:
    """Summarise a canonical history: queues, span, interval, gaps, opening hours.

    Parameters
    ----------
    df : DataFrame
        Output of ``wfm.io.history.read_history`` (or any frame in the canonical format).
    closed_max_share : float
        A (weekday, time-of-day) slot with calls in fewer than this share of
        weeks [fraction] is closed; its missing rows are not gaps.
    min_closed_minutes : int
        Closed stretches shorter than this [minutes] between open slots count as
        open (quiet spells, not closing times).

    Returns
    -------
    HistorySummary
    """
    check_history(df)
    minutes = interval_minutes_of(df)
    tz = str(df.attrs.get("tz") or df["interval_start"].dt.tz)
    gaps: list[Gap] = []
    hours: list[QueueOpeningHours] = []
    closed_total = closed_calls = 0
    rows_per_queue: list[tuple[str, int]] = []
    for queue, g in df.groupby("queue", sort=True):
        oh = learn_opening_hours(g["interval_start"], g["calls_offered"], minutes, queue=str(queue),
                                 closed_max_share=closed_max_share, min_closed_minutes=min_closed_minutes)
        grid = regular_grid(g["interval_start"], minutes)
        position = np.searchsorted(grid.asi8, pd.DatetimeIndex(g["interval_start"]).as_unit("ns").asi8)
        present = np.zeros(len(grid), dtype=bool)
        present[position] = True
        calls = np.zeros(len(grid), dtype=np.int64)
        calls[position] = g["calls_offered"].to_numpy()
        open_mask = oh.is_open(grid)
        hours.append(oh)
        rows_per_queue.append((str(queue), len(g)))
        closed_total += int((~open_mask).sum())
        closed_calls += int(calls[~open_mask].sum())
        gaps.extend(_queue_gaps(str(queue), grid, present, open_mask, minutes))
    ts = df["interval_start"]
    return HistorySummary(
        source=str(df.attrs.get("source", "<frame>")),
        tz=tz,
        interval_minutes=minutes,
        rows=len(df),
        queues=tuple(q for q, _ in rows_per_queue),
        rows_per_queue=tuple(rows_per_queue),
        first_interval=ts.min(),
        last_interval=ts.max(),
        calls_offered=int(df["calls_offered"].sum()),
        gaps=tuple(gaps),
        missing_intervals=sum(g.missing_intervals for g in gaps),
        opening_hours=tuple(hours),
        closed_intervals=closed_total,
        calls_in_closed_hours=closed_calls,
        closed_max_share=closed_max_share,
        min_closed_minutes=min_closed_minutes,
    )
