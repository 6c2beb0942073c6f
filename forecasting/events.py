"""Event regressors: a 0/1 column per event name, by local calendar day.

The events themselves come from the events file (``wfm.io.events.read_events``), a frame with
the columns of :data:`wfm.ground.frames.EVENT_COLUMNS`; every distinct ``name`` gets its own
regressor, so a repeated name says "the same kind of thing happened again".  The models that
take regressors (regression, Prophet) use :func:`event_days`; :func:`event_regressors` gives the
same columns per timestamp, for charts and checks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.ground.frames import check_events
from wfm.ground.timegrid import local_wallclock

__all__ = ["event_days", "event_regressors"]


def event_days(events: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Per local calendar day: ``event_<name>`` = 1.0 on the days of that event, else 0.0.

    Parameters
    ----------
    events : DataFrame
        :data:`wfm.ground.frames.EVENT_COLUMNS` (checked with :func:`wfm.ground.frames.check_events`).
    days : DatetimeIndex
        tz-naive local dates.

    Returns
    -------
    DataFrame
        Indexed by ``days`` (normalised), one float column per event name, sorted by name.
    """
    check_events(events)
    days = pd.DatetimeIndex(days).normalize()
    out = pd.DataFrame(index=days)
    for name, grp in events.groupby("name", sort=True):
        col = np.zeros(len(days))
        for d0, d1 in zip(grp["date"], grp["end_date"]):
            col = np.maximum(col, ((days >= d0) & (days <= d1)).astype(float))
        out[f"event_{name}"] = col
    return out


def event_regressors(events: pd.DataFrame, interval_start, tz: str | None = None) -> pd.DataFrame:
    """0/1 regressors per timestamp, one column ``event_<name>`` per event name.

    Parameters
    ----------
    events : DataFrame
        The events frame.
    interval_start : DatetimeIndex or Series
        tz-aware interval starts; an interval belongs to the event when its LOCAL calendar date
        (in ``tz``, default the timestamps' own zone) is within ``[date, end_date]``.
    tz : str, optional
        IANA zone for the local date.

    Returns
    -------
    DataFrame
        Indexed like ``interval_start`` (a Series keeps its index), float 0/1.
    """
    local_day = local_wallclock(interval_start, tz).normalize()
    by_day = event_days(events, local_day)
    index = interval_start.index if isinstance(interval_start, pd.Series) else pd.DatetimeIndex(interval_start)
    return pd.DataFrame(by_day.to_numpy(), index=index, columns=by_day.columns)
