"""Summaries of interval history for charts and tables (pure functions, no UI).

The app's pages and the CLI draw these frames; keeping them here means they are
tested once, on their own, and the pages stay thin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.frames import require_columns, require_tz_aware
from wfm.ground.timegrid import interval_minutes_of
from wfm.ground.vocabulary import WEEKDAYS



def _check_history(history: pd.DataFrame) -> None:
    """The columns a chart needs, refused in the history contract's words (cheap: no cell checks)."""
    require_columns(history, ("interval_start", "queue", "calls_offered"), what="history")
    require_tz_aware(history, "interval_start", what="history")


def daily_calls(history: pd.DataFrame) -> pd.DataFrame:
    """Calls offered per local calendar day and queue.

    Parameters
    ----------
    history : DataFrame
        Canonical history (``interval_start`` tz-aware, ``queue``, ``calls_offered``).

    Returns
    -------
    DataFrame
        Columns ``date`` (local calendar day, ``datetime64`` at midnight, naive),
        ``queue``, ``calls_offered`` [calls per day]. Days are local days of the
        history's own time zone, so a DST day sums 23 or 25 hours.
    """
    _check_history(history)
    local_day = history["interval_start"].dt.tz_localize(None).dt.normalize()
    out = (
        history.assign(date=local_day)
        .groupby(["date", "queue"], as_index=False, observed=True)["calls_offered"]
        .sum()
    )
    return out.sort_values(["queue", "date"], ignore_index=True)


def average_week(history: pd.DataFrame, queue: str | None = None) -> pd.DataFrame:
    """Average calls offered per hour for each weekday and hour of day.

    Parameters
    ----------
    history : DataFrame
        Canonical history.
    queue : str, optional
        Restrict to one queue; all queues summed when omitted.

    Returns
    -------
    DataFrame
        Index ``weekday`` (``Mon`` .. ``Sun``), columns ``0`` .. ``23`` (local
        hour of day), values the mean calls offered in that hour [calls per hour]
        over the weeks seen. Hours never seen (closed) are NaN, not zero.
    """
    _check_history(history)
    frame = history if queue is None else history[history["queue"] == queue]
    if frame.empty:
        raise WfmInputError(f"no history for queue {queue!r}", parameter="queue")
    ts = frame["interval_start"]
    hourly = (
        frame.assign(
            hour_start=ts.dt.tz_localize(None).dt.floor("h"),
        )
        .groupby("hour_start", as_index=False)["calls_offered"]
        .sum()
    )
    hourly["weekday"] = hourly["hour_start"].dt.day_of_week
    hourly["hour"] = hourly["hour_start"].dt.hour
    grid = hourly.pivot_table(index="weekday", columns="hour", values="calls_offered", aggfunc="mean")
    grid = grid.reindex(index=range(7), columns=range(24))
    grid.index = pd.Index([WEEKDAYS[i] for i in grid.index], name="weekday")
    grid.columns = pd.Index([int(c) for c in grid.columns], name="hour")
    return grid.astype(float)


def queue_overview(history: pd.DataFrame) -> pd.DataFrame:
    """One row per queue: first and last interval, days, total and mean daily calls, AHT.

    ``aht_seconds`` is the call-weighted mean handle time of answered calls when the
    history has it (NaN otherwise).
    """
    _check_history(history)
    rows = []
    for queue, grp in history.groupby("queue", sort=True, observed=True):
        days = grp["interval_start"].dt.tz_localize(None).dt.normalize().nunique()
        aht = np.nan
        if "aht_seconds" in grp and grp["aht_seconds"].notna().any():
            weight = grp["calls_answered"] if "calls_answered" in grp else grp["calls_offered"]
            weight = weight.astype(float).fillna(0.0)
            ok = grp["aht_seconds"].notna() & (weight > 0)
            if ok.any():
                aht = float(np.average(grp.loc[ok, "aht_seconds"], weights=weight[ok]))
        rows.append(
            {
                "queue": queue,
                "first_interval": grp["interval_start"].min(),
                "last_interval": grp["interval_start"].max(),
                "days": int(days),
                "calls_offered": int(grp["calls_offered"].sum()),
                "calls_per_day": float(grp["calls_offered"].sum() / max(days, 1)),
                "aht_seconds": aht,
            }
        )
    return pd.DataFrame(rows)


def actuals_and_forecast(
    history: pd.DataFrame, forecast: pd.DataFrame, queue: str, *, days_back: int = 14
) -> pd.DataFrame:
    """One frame for the forecast chart: recent actuals next to the forecast and its bands.

    The history is summed to the forecast's interval length (a 15-minute history
    shown against an hourly forecast is summed per hour), and only the last
    ``days_back`` days before the forecast starts are kept.

    Returns
    -------
    DataFrame
        ``interval_start``, ``actual`` (NaN over the forecast horizon),
        ``calls_offered``, ``calls_offered_p10``, ``calls_offered_p90``,
        ``calls_offered_p025``, ``calls_offered_p975`` (NaN over the history).
    """
    _check_history(history)
    fc = forecast[forecast["queue"] == queue].sort_values("interval_start")
    if fc.empty:
        raise WfmInputError(f"no forecast for queue {queue!r}", parameter="queue")
    step = pd.Timedelta(minutes=interval_minutes_of(fc, what=f"forecast of queue {queue!r}"))
    hist = history[history["queue"] == queue]
    start = fc["interval_start"].iloc[0]
    hist = hist[(hist["interval_start"] < start) & (hist["interval_start"] >= start - pd.Timedelta(days=days_back))]
    # Floor in UTC so that DST hours are summed correctly, then back to local time.
    tz = hist["interval_start"].dt.tz if len(hist) else fc["interval_start"].dt.tz
    utc = hist["interval_start"].dt.tz_convert("UTC").dt.floor(step)
    actual = hist.groupby(utc)["calls_offered"].sum().rename("actual")
    actual.index = actual.index.tz_convert(tz)
    actual = actual.rename_axis("interval_start").reset_index()
    cols = ["interval_start", "calls_offered", "calls_offered_p10", "calls_offered_p90",
            "calls_offered_p025", "calls_offered_p975"]
    out = pd.concat([actual, fc[cols]], ignore_index=True)
    return out.sort_values("interval_start", ignore_index=True)
