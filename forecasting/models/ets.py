"""Holt-Winters / ETS with an additive damped trend and an additive season.

Two levels (hyperparameter ``level``):

* ``"daily"`` (default): Holt-Winters with a weekly season (7 days) on the
  LOCAL daily totals, multiplied by an intraday profile: each interval of the
  week's share of its day over the last ``profile_weeks`` weeks. This is the
  planners' classic "daily volume x intraday curve"; on hourly data it had
  WAPE 0.178 on the Anonymous Bank 1999 history and 0.132 on the demo
  ``reports`` queue (6 weekly origins, 1-week horizon), against 0.261 and
  0.246 for the interval level.
* ``"interval"``: Holt-Winters directly on the local wall-clock interval series
  (see :func:`forecasting.models.base.wallclock_series`) with a weekly season
  of 168 hourly / 672 quarter-hourly values.

Fitting the smoothing parameters on two years of hourly data takes ~10 s at
the interval level, so only the last ``max_history_weeks`` weeks are used:
Holt-Winters discounts old data geometrically anyway. Holidays and events are
not used.

References
----------
.. [1] Holt, C.C. (1957/2004) "Forecasting seasonals and trends by
   exponentially weighted moving averages", *Int. J. Forecasting* 20(1), 5-10.
.. [2] Winters, P.R. (1960) "Forecasting sales by exponentially weighted
   moving averages", *Management Science* 6(3), 324-342.
.. [3] Hyndman, R.J., Koehler, A.B., Ord, J.K. & Snyder, R.D. (2008)
   *Forecasting with Exponential Smoothing: The State Space Approach*,
   Springer (ETS(A,Ad,A)).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from forecasting.models.base import (
    BaseForecaster,
    ValidatedHistory,
    require_weeks,
    season_length,
    tail_weeks,
    wallclock_positions,
)
from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import local_wallclock, minute_of_week


def daily_totals_and_profile(y: pd.Series, interval_minutes: int, profile_weeks: int) -> tuple[pd.Series, pd.Series]:
    """Local daily totals of a wall-clock series, and each interval-of-week's share of its day.

    The series is cut to whole local days (from its first midnight); the
    profile is each slot-of-week's share of its day's calls over the last
    ``profile_weeks`` weeks (a day with no call shares evenly).

    Returns
    -------
    (Series, Series)
        Daily totals indexed by local date [calls]; shares indexed by
        minute-of-week [-].
    """
    per_day = season_length(interval_minutes, "day")
    first = np.flatnonzero((y.index.hour == 0) & (y.index.minute == 0))
    y = y.iloc[first[0]:] if len(first) else y
    y = y.iloc[: len(y) // per_day * per_day]
    days = y.resample("D").sum()
    recent = y.iloc[-min(len(y), int(profile_weeks) * season_length(interval_minutes, "week")):]
    day_total = recent.resample("D").sum().reindex(recent.index.normalize()).to_numpy()
    keys = minute_of_week(pd.DatetimeIndex(recent.index))
    num = pd.Series(recent.to_numpy()).groupby(keys).sum()
    den = pd.Series(day_total).groupby(keys).sum()
    return days, (num / den.where(den > 0)).fillna(1.0 / per_day)


class ETS(BaseForecaster):
    """Holt-Winters ETS(A, Ad, A) on the wall-clock series.

    Parameters
    ----------
    season : {"week", "day"}
        Seasonal period: a week (default) or a day of intervals.
    damped_trend : bool
        Damped additive trend (True, default) or no trend (False).
    max_history_weeks : int or None
        Fit on at most the last this many weeks (default 16); None = all.
    level : {"interval", "daily"}
        ``"interval"``: Holt-Winters on the interval series itself.
        ``"daily"`` (default): Holt-Winters on local daily totals (weekly season of 7
        days) times an intraday profile per interval of the week (each
        interval's share of its day over the last ``profile_weeks`` weeks), the
        planners' classic "daily volume x intraday curve".
    profile_weeks : int
        Weeks used for the intraday profile of ``level="daily"``.
    """

    name = "ets"

    def __init__(self, season: str = "week", damped_trend: bool = True, max_history_weeks: int | None = 16,
                 level: str = "daily", profile_weeks: int = 8):
        self.season = season
        self.damped_trend = damped_trend
        self.max_history_weeks = max_history_weeks
        self.level = level
        self.profile_weeks = profile_weeks

    def _min_history(self, interval_minutes):
        if self.season not in ("week", "day"):
            raise WfmInputError(f"ETS: season must be 'week' or 'day', got {self.season!r}")
        if self.season == "week":
            return require_weeks(2, interval_minutes, "two full weekly seasons to initialise the season")
        return require_weeks(1, interval_minutes, "one week of daily seasons to initialise")

    def _fit_model(self, validated: ValidatedHistory, y: pd.Series) -> None:
        minutes = validated.interval_minutes
        if self.level not in ("interval", "daily"):
            raise WfmInputError(f"ETS: level must be 'interval' or 'daily', got {self.level!r}")
        y = tail_weeks(y, self.max_history_weeks, minutes)
        self.profile_ = None
        if self.level == "daily":
            days, self.profile_ = daily_totals_and_profile(y, minutes, self.profile_weeks)
            self.last_day_ = days.index[-1]
            values, period = days.to_numpy(), 7 if self.season == "week" else 1
        else:
            values, period = y.to_numpy(), season_length(minutes, self.season)
        self._fit_smoother(values, period)

    def _fit_smoother(self, values: np.ndarray, period: int) -> None:
        """Holt-Winters on ``values`` (daily totals or intervals) with season ``period``."""
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on flat closed hours
            self.result_ = ExponentialSmoothing(
                values,
                trend="add" if self.damped_trend else None,
                damped_trend=bool(self.damped_trend),
                seasonal="add" if period > 1 else None,
                seasonal_periods=period if period > 1 else None,
                # daily totals are few: estimate the initial states (the
                # heuristic needs 16+ days); interval level: heuristic (fast)
                initialization_method="estimated" if (self.profile_ is not None or period == 1) else "heuristic",
            ).fit()

    def _smoother_path(self, steps: int) -> np.ndarray:
        """The smoother's forecast 1..``steps`` steps ahead."""
        return np.asarray(self.result_.forecast(int(steps)))

    def _predict_points(self, future):
        if self.profile_ is None:
            steps = wallclock_positions(self.last_naive_, future, self.tz_, self.interval_minutes_)
            return self._smoother_path(int(steps.max()))[steps - 1]
        naive = local_wallclock(future, self.tz_)
        days_ahead = ((naive.normalize() - self.last_day_) // pd.Timedelta(days=1)).to_numpy().astype(np.int64)
        daily = self._smoother_path(int(max(days_ahead.max(), 1)))
        # a history ending mid-day: its last partial day was dropped, so
        # that day's future intervals are forecast as day 1 as well
        share = pd.Series(minute_of_week(naive)).map(self.profile_).fillna(0.0).to_numpy()
        return daily[np.clip(days_ahead, 1, None) - 1] * share
