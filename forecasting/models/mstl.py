"""MSTL: daily and weekly seasonal components plus a trend model on the rest.

The local wall-clock series (see
:func:`forecasting.models.base.wallclock_series`) is decomposed by MSTL into a
daily season, a weekly season (on top of the daily one) and the rest (trend +
remainder). The forecast is:

* each season: its last cycle repeated (a season drifts slowly in MSTL, so the
  last cycle is the current estimate);
* the rest: a damped-trend Holt model (statsmodels ``ExponentialSmoothing``
  without a season) on the seasonally adjusted series, so level shifts and
  trends carry forward without being extrapolated forever.

Below 60-minute intervals (``hourly_for_subhourly=True``, the default) the
decomposition runs on HOURLY sums, and each hour's forecast is split over its
sub-hourly intervals by their share of that hour in the same weeks, per
interval of the week (an intraday profile). MSTL on 15-minute data is ~16x
slower for the same result; pass ``False`` to decompose the raw grid.

Holidays and events are not used.

References
----------
.. [1] Bandara, K., Hyndman, R.J. & Bergmeir, C. (2021) "MSTL: A
   Seasonal-Trend Decomposition Algorithm for Time Series with Multiple
   Seasonal Patterns", arXiv:2107.13462.
.. [2] Cleveland, R.B., Cleveland, W.S., McRae, J.E. & Terpenning, I. (1990)
   "STL: A Seasonal-Trend Decomposition Procedure Based on Loess", *Journal of
   Official Statistics* 6(1), 3-73.
.. [3] Gardner, E.S. & McKenzie, E. (1985) "Forecasting trends in time
   series", *Management Science* 31(10), 1237-1246 (damped trend).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from forecasting.models.base import (
    BaseForecaster,
    ValidatedHistory,
    require_days,
    season_length,
    tail_weeks,
    wallclock_positions,
)
from forecasting.models.naive import seasonal_lag_mean
from wfm.ground.timegrid import local_wallclock, minute_of_week


class MSTLForecaster(BaseForecaster):
    """MSTL (daily + weekly seasons) with a damped-trend model on the rest.

    Parameters
    ----------
    max_history_weeks : int or None
        Decompose at most the last this many weeks (default 16); None = all.
    damped_trend : bool
        Damped additive trend on the seasonally adjusted series (True) or a
        simple exponential smoothing level (False).
    hourly_for_subhourly : bool
        Below 60-minute intervals, decompose hourly sums and split them with
        the learned intra-hour profile (True, default).
    """

    name = "mstl"

    def __init__(self, max_history_weeks: int | None = 16, damped_trend: bool = True,
                 hourly_for_subhourly: bool = True):
        self.max_history_weeks = max_history_weeks
        self.damped_trend = damped_trend
        self.hourly_for_subhourly = hourly_for_subhourly

    def _min_history(self, interval_minutes):
        # statsmodels' MSTL drops a period that is not shorter than half the series
        return require_days(15, interval_minutes, "more than two full weekly seasons for the weekly MSTL component")

    def _fit_model(self, validated: ValidatedHistory, y: pd.Series) -> None:
        y = tail_weeks(y, self.max_history_weeks, validated.interval_minutes)
        minutes = validated.interval_minutes
        self.share_ = None
        if self.hourly_for_subhourly and minutes < 60:
            start = np.flatnonzero(y.index.minute == 0)
            if len(start) and y.index[-1].minute == 60 - minutes:
                y = y.iloc[start[0]:]
                hourly = y.resample("60min").sum()
                hour_total = hourly.reindex(y.index.floor("60min")).to_numpy()
                keys = minute_of_week(pd.DatetimeIndex(y.index))
                num = pd.Series(y.to_numpy()).groupby(keys).sum()
                den = pd.Series(hour_total).groupby(keys).sum()
                share = (num / den.where(den > 0)).fillna(minutes / 60)
                self.share_ = share
                self.hourly_last_ = hourly.index[-1]
                self._decompose(hourly, 60)
                return
        self._decompose(y, minutes)

    def _decompose(self, y: pd.Series, minutes: int) -> None:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
        from statsmodels.tsa.seasonal import MSTL

        day = season_length(minutes, "day")
        week = season_length(minutes, "week")
        values = y.to_numpy()
        res = MSTL(values, periods=(day, week)).fit()
        seasonal = np.asarray(res.seasonal)
        self.daily_ = seasonal[-day:, 0].copy()
        self.weekly_ = seasonal[-week:, 1].copy()
        adjusted = values - seasonal.sum(axis=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.rest_result_ = ExponentialSmoothing(
                adjusted,
                trend="add" if self.damped_trend else None,
                damped_trend=bool(self.damped_trend),
                initialization_method="estimated",
            ).fit()

    def _path(self, steps: np.ndarray) -> np.ndarray:
        daily = seasonal_lag_mean(self.daily_, steps, len(self.daily_), 1)
        weekly = seasonal_lag_mean(self.weekly_, steps, len(self.weekly_), 1)
        rest = np.asarray(self.rest_result_.forecast(int(steps.max())))[steps - 1]
        return daily + weekly + rest

    def _predict_points(self, future):
        if self.share_ is None:
            return self._path(wallclock_positions(self.last_naive_, future, self.tz_, self.interval_minutes_))
        naive = local_wallclock(future, self.tz_)
        hours = ((naive.floor("60min") - self.hourly_last_) // pd.Timedelta(minutes=60)).to_numpy().astype(np.int64)
        share = pd.Series(minute_of_week(naive)).map(self.share_).fillna(self.interval_minutes_ / 60).to_numpy()
        return self._path(hours) * share
