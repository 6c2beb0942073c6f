"""Forecast average handle time (``aht_seconds``) per queue and interval.

Staffing needs the handle time of every future interval. The method, simple
and robust on purpose:

1. **interval-of-week profile** over the last ``recent_weeks`` weeks: the
   calls-weighted mean AHT of each local (weekday, time-of-day) slot, weighted
   by answered calls (offered calls if the history has no ``calls_answered``);
2. **smoothing by shrinkage**: each slot's mean is shrunk towards the mean of
   its hour of day (all weekdays), and each hour's towards the overall mean,
   with strength ``prior_calls`` (credibility weighting [1]_):
   ``slot = (W_s * m_s + k * hour) / (W_s + k)``; a slot with few calls is
   thus mostly its hour's mean;
3. **trend**: a robust Theil-Sen line [2]_ [3]_ through the calls-weighted
   weekly means of the last ``trend_weeks`` weeks, applied from the middle of
   the profile window (no trend with fewer than 8 weekly means);
4. **fallback** when calls are few (fewer than ``min_calls`` answered calls
   with a handle time in the window): the overall calls-weighted mean; with
   no handle times at all (a calls-only history), ``default_aht_seconds`` if
   given, else NaN: the calls are forecast and the handle time is left
   unknown (``source_ == "none"``) for the planner to supply at staffing.

References
----------
.. [1] Bühlmann, H. (1967) "Experience rating and credibility", *ASTIN
   Bulletin* 4(3), 199-207.
.. [2] Theil, H. (1950) "A rank-invariant method of linear and polynomial
   regression analysis", *Proc. KNAW* 53.
.. [3] Sen, P.K. (1968) "Estimates of the regression coefficient based on
   Kendall's tau", *JASA* 63(324), 1379-1389.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import theilslopes

from forecasting.models.base import validate_history
from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import local_wallclock, minute_of_week
from wfm.ground.vocabulary import MINUTES_PER_DAY

__all__ = ["AhtForecaster"]

MIN_TREND_WEEKS = 8


class AhtForecaster:
    """Interval-of-week AHT profile, shrunk towards hourly means, with a robust trend.

    Parameters
    ----------
    recent_weeks : int
        Weeks of history in the profile (default 26).
    prior_calls : float
        Shrinkage strength [calls] towards the hour / overall mean (default 200).
    trend : bool
        Apply the Theil-Sen trend of weekly means (default True).
    trend_weeks : int
        Weeks used for the trend (default 52).
    min_calls : float
        Below this many weighted calls in the window, forecast the overall
        mean everywhere (default 50).
    default_aht_seconds : float, optional
        Used when the history has no handle times at all [seconds].
    """

    name = "aht_profile"

    def __init__(self, recent_weeks: int = 26, prior_calls: float = 200.0, trend: bool = True,
                 trend_weeks: int = 52, min_calls: float = 50.0, default_aht_seconds: float | None = None):
        self.recent_weeks = recent_weeks
        self.prior_calls = prior_calls
        self.trend = trend
        self.trend_weeks = trend_weeks
        self.min_calls = min_calls
        self.default_aht_seconds = default_aht_seconds

    def _check(self) -> None:
        for pname in ("recent_weeks", "trend_weeks"):
            v = getattr(self, pname)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise WfmInputError(f"AhtForecaster: {pname} must be a whole number >= 1, got {v!r}")
        for pname in ("prior_calls", "min_calls"):
            v = getattr(self, pname)
            if not (isinstance(v, (int, float, np.number)) and np.isfinite(v) and v >= 0):
                raise WfmInputError(f"AhtForecaster: {pname} must be a number >= 0, got {v!r}")
        d = self.default_aht_seconds
        if d is not None and not (isinstance(d, (int, float, np.number)) and np.isfinite(d) and d > 0):
            raise WfmInputError(f"AhtForecaster: default_aht_seconds must be > 0, got {d!r}")

    def fit(self, history: pd.DataFrame) -> "AhtForecaster":
        """Learn the profile and trend from ONE queue's history.

        Raises
        ------
        WfmInputError
            Bad parameters or negative handle times.
        """
        self._check()
        validated = validate_history(history, "aht")
        frame = validated.frame
        self.tz_ = validated.tz
        self.interval_minutes_ = validated.interval_minutes
        self.slot_ = pd.Series(dtype=float)
        self.hour_ = pd.Series(dtype=float)
        self.slope_per_day_ = 0.0
        self.t_ref_ = frame["interval_start"].iloc[-1]
        if "aht_seconds" not in frame.columns or frame["aht_seconds"].notna().sum() == 0:
            # a calls-only history (common for public and emergency-call data):
            # the calls are forecast all the same; handle time is unknown
            self.overall_ = np.nan if self.default_aht_seconds is None else float(self.default_aht_seconds)
            self.source_ = "none" if self.default_aht_seconds is None else "default_aht_seconds"
            return self
        aht = frame["aht_seconds"].astype("float64")
        bad = aht.notna() & ~(np.isfinite(aht) & (aht >= 0))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise WfmInputError(f"aht: column 'aht_seconds' must be >= 0, got {aht.iloc[i]} at row {i} "
                                f"(interval_start {frame['interval_start'].iloc[i]})")
        wcol = "calls_answered" if "calls_answered" in frame.columns else "calls_offered"
        w = pd.to_numeric(frame[wcol], errors="coerce").astype("float64").fillna(0.0)
        ok = (aht.notna() & (w > 0)).to_numpy()
        ts = frame["interval_start"][ok]
        v = aht[ok].to_numpy()
        w = w[ok].to_numpy()
        if len(v) == 0 or w.sum() <= 0:  # no answered call with a handle time: unknown, as above
            self.overall_ = np.nan if self.default_aht_seconds is None else float(self.default_aht_seconds)
            self.source_ = "none" if self.default_aht_seconds is None else "default_aht_seconds"
            return self
        end = ts.iloc[-1]
        recent = (ts > end - pd.Timedelta(weeks=self.recent_weeks)).to_numpy()
        self.overall_ = float(np.average(v[recent], weights=w[recent]))
        self.calls_in_window_ = float(w[recent].sum())
        if self.calls_in_window_ < self.min_calls:
            self.source_ = "overall_mean (few calls)"
            return self
        slot = minute_of_week(local_wallclock(ts[recent], self.tz_))
        minute = slot % MINUTES_PER_DAY
        vw = pd.DataFrame({"slot": slot, "hour": minute // 60, "vw": v[recent] * w[recent], "w": w[recent]})
        k = float(self.prior_calls)
        hs = vw.groupby("hour")[["vw", "w"]].sum()
        self.hour_ = (hs["vw"] + k * self.overall_) / (hs["w"] + k)
        ss = vw.groupby("slot")[["vw", "w"]].sum()
        hour_of_slot = (ss.index.to_numpy() % MINUTES_PER_DAY) // 60
        self.slot_ = (ss["vw"] + k * self.hour_.reindex(hour_of_slot).to_numpy()) / (ss["w"] + k)
        self.source_ = "profile"
        # reference time: calls-weighted centre of the profile window
        t_days = ((ts[recent] - end) / pd.Timedelta(days=1)).to_numpy()
        self.t_ref_ = end + pd.Timedelta(days=float(np.average(t_days, weights=w[recent])))
        if self.trend:
            self.slope_per_day_ = self._trend(ts, v, w, end)
        return self

    def _trend(self, ts, v, w, end) -> float:
        in_window = (ts > end - pd.Timedelta(weeks=self.trend_weeks)).to_numpy()
        week = ((ts[in_window] - end) // pd.Timedelta(weeks=1)).to_numpy()
        frame = pd.DataFrame({"week": week, "vw": v[in_window] * w[in_window], "w": w[in_window]})
        weekly = frame.groupby("week")[["vw", "w"]].sum()
        weekly = weekly[weekly["w"] > 0]
        if len(weekly) < MIN_TREND_WEEKS:
            return 0.0
        means = (weekly["vw"] / weekly["w"]).to_numpy()
        slope_per_week = theilslopes(means, weekly.index.to_numpy(dtype=float))[0]
        return float(slope_per_week / 7.0) if np.isfinite(slope_per_week) else 0.0

    def predict(self, interval_start) -> pd.Series:
        """``aht_seconds`` for tz-aware future interval starts [seconds].

        Returns
        -------
        Series
            Indexed like ``interval_start`` (a Series keeps its index), > 0;
            all NaN when the history had no handle times and no
            ``default_aht_seconds`` was given (``source_ == "none"``).
        """
        if not hasattr(self, "overall_"):
            raise WfmInputError("aht: call fit(history) before predict(interval_start)")
        idx = pd.DatetimeIndex(interval_start)
        if idx.tz is None:
            raise WfmInputError("aht.predict: interval_start must be tz-aware")
        slot = minute_of_week(local_wallclock(idx, self.tz_))
        minute = slot % MINUTES_PER_DAY
        value = np.full(len(idx), self.overall_)
        if len(self.hour_):
            by_hour = self.hour_.reindex(minute // 60).to_numpy()
            value = np.where(np.isfinite(by_hour), by_hour, value)
        if len(self.slot_):
            by_slot = self.slot_.reindex(slot).to_numpy()
            value = np.where(np.isfinite(by_slot), by_slot, value)
        days = ((idx - self.t_ref_) / pd.Timedelta(days=1)).to_numpy(dtype=float)
        value = value + self.slope_per_day_ * days
        # a trend may not take handle time below a tenth of today's level
        value = np.maximum(value, 0.1 * self.overall_, )
        value = np.maximum(value, 1.0)
        index = interval_start.index if isinstance(interval_start, pd.Series) else idx
        if not np.isfinite(self.overall_):  # calls-only history: handle time unknown
            return pd.Series(np.nan, index=index, name="aht_seconds")
        return pd.Series(value, index=index, name="aht_seconds")
