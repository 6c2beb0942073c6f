"""One-off days in a history: found, and replaced by what that day usually looks like.

A day with five times the usual calls (an outage elsewhere, a news story) or a
fraction of them (a telephony fault) says nothing about next week, yet a
4-week mean carries a quarter of it into every forecast of that weekday and a
trend model may read it as a new level. :func:`find_outlier_days` flags such
days robustly and :func:`replace_outlier_days` replaces their intervals by the
median of the same local slot on the same weekday in the surrounding weeks
(the day keeps its row set; nothing is dropped). Known special days (holidays,
eves, bridge days of the country's calendar) are never flagged: they are
predictable and the calendar models learn them.

Rule, per local calendar day ``t`` with total ``D_t`` (open rows only):

* reference ``R_t``: the median total of the same weekday in the ``window``
  weeks before and after (at least 2 of them present);
* ``x_t = log((D_t + 1) / (R_t + 1))``; the scale ``s`` is 1.4826 times the
  median absolute ``x`` over all days (a robust standard deviation [1]_),
  floored at 0.05;
* a day is an outlier when ``|x_t| > z * s`` (``z`` = 5 by default) AND its
  total is at least ``min_ratio`` (1.5) times off the reference either way AND
  ``|D_t - R_t| > 4 sqrt(R_t)`` (more than Poisson noise).

References
----------
.. [1] Rousseeuw, P.J. & Croux, C. (1993) "Alternatives to the median absolute
   deviation", *JASA* 88(424), 1273-1283.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import local_wallclock

__all__ = ["OutlierDay", "find_outlier_days", "replace_outlier_days"]


@dataclass(frozen=True)
class OutlierDay:
    """A day replaced as one-off.

    Attributes
    ----------
    date : Timestamp
        Local calendar date (tz-naive).
    calls : float
        Its total calls [calls].
    expected_calls : float
        The same weekday's median in the surrounding weeks [calls].
    """

    date: pd.Timestamp
    calls: float
    expected_calls: float

    def text(self) -> str:
        return f"{self.date.date()}: {self.calls:,.0f} calls where {self.expected_calls:,.0f} were usual"


def find_outlier_days(history: pd.DataFrame, tz: str, special_dates=(), *, window: int = 3, z: float = 5.0,
                      min_ratio: float = 1.5) -> list[OutlierDay]:
    """One-off days of a ONE-queue history (see the module docstring for the rule).

    Parameters
    ----------
    history : DataFrame
        ``interval_start`` (tz-aware) and ``calls_offered`` of one queue.
    tz : str
        IANA zone whose calendar days are judged.
    special_dates : iterable of date-like
        Local dates never flagged (holidays, eves, bridge days).
    window : int
        Weeks before and after whose same weekday make the reference (default 3).
    z : float
        Robust z-score threshold (default 5).
    min_ratio : float
        A day must be at least this many times above or below its reference (default 1.5).
    """
    if window < 1 or z <= 0 or min_ratio < 1:
        raise WfmInputError(f"find_outlier_days: window must be >= 1, z > 0 and min_ratio >= 1, "
                            f"got window={window!r}, z={z!r}, min_ratio={min_ratio!r}")
    if len(history) == 0:
        return []
    naive = local_wallclock(history["interval_start"], tz)
    totals = pd.Series(history["calls_offered"].to_numpy(float)).groupby(naive.normalize()).sum()
    grid = pd.date_range(totals.index.min(), totals.index.max(), freq="D")
    daily = totals.reindex(grid)
    special = set(pd.DatetimeIndex(pd.to_datetime(list(special_dates))).normalize()) if len(special_dates) else set()
    usual = daily.where(~grid.isin(list(special)))  # a known special day is no reference for the others
    refs = []
    for k in list(range(-window, 0)) + list(range(1, window + 1)):
        refs.append(usual.shift(7 * k).to_numpy())
    ref_stack = np.vstack(refs)
    enough = np.sum(np.isfinite(ref_stack), axis=0) >= 2
    ref = np.full(ref_stack.shape[1], np.nan)
    ref[enough] = np.nanmedian(ref_stack[:, enough], axis=0)
    d = daily.to_numpy()
    ok = np.isfinite(d) & np.isfinite(ref)
    x = np.full(len(d), np.nan)
    x[ok] = np.log((d[ok] + 1.0) / (ref[ok] + 1.0))
    if ok.sum() < 7:
        return []
    scale = max(1.4826 * float(np.nanmedian(np.abs(x[ok]))), 0.05)
    out = []
    for i in np.flatnonzero(ok):
        ratio = (d[i] + 1.0) / (ref[i] + 1.0)
        if (abs(x[i]) > z * scale and max(ratio, 1 / ratio) >= min_ratio
                and abs(d[i] - ref[i]) > 4 * np.sqrt(max(ref[i], 1.0)) and grid[i] not in special):
            out.append(OutlierDay(grid[i], float(d[i]), float(ref[i])))
    return out


def replace_outlier_days(history: pd.DataFrame, tz: str, days: list[OutlierDay], *, window: int = 3) -> pd.DataFrame:
    """A copy of ``history`` whose rows on ``days`` hold the median of the same slot in the surrounding weeks.

    Only ``calls_offered`` changes; rows, order and ``attrs`` are kept. A slot
    with no neighbour keeps its value.
    """
    out = history.copy()
    out.attrs = dict(history.attrs)
    if not days:
        return out
    naive = local_wallclock(history["interval_start"], tz)
    calls = pd.Series(history["calls_offered"].to_numpy(float), index=naive)
    calls = calls[~calls.index.duplicated()]
    bad = {d.date for d in days}
    values = out["calls_offered"].to_numpy(float).copy()
    on_bad = np.flatnonzero(np.isin(naive.normalize(), list(bad)))
    for i in on_bad:
        t = naive[i]
        near = [t + pd.Timedelta(days=7 * k) for k in range(-window, window + 1) if k]
        near = [n for n in near if n.normalize() not in bad]
        vals = calls.reindex(near).dropna().to_numpy()
        if len(vals):
            values[i] = float(np.median(vals))
    out["calls_offered"] = values
    return out
