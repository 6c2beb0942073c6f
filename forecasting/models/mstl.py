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


class MSTLForecaster(BaseForecaster):
    """MSTL (daily + weekly seasons) with a damped-trend model on the rest.

    Parameters
    ----------
    max_history_weeks : int or None
        Decompose at most the last this many weeks (default 16); None = all.
    damped_trend : bool
        Damped additive trend on the seasonally adjusted series (True) or a
        simple exponential smoothing level (False).
    """

    name = "mstl"

    def __init__(self, max_history_weeks: int | None = 16, damped_trend: bool = True):
        self.max_history_weeks = max_history_weeks
        self.damped_trend = damped_trend

    def _min_history(self, interval_minutes):
        # statsmodels' MSTL drops a period that is not shorter than half the series
        return require_days(15, interval_minutes, "more than two full weekly seasons for the weekly MSTL component")

    def _fit_model(self, validated: ValidatedHistory, y: pd.Series) -> None:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
        from statsmodels.tsa.seasonal import MSTL

        y = tail_weeks(y, self.max_history_weeks, validated.interval_minutes)
        day = season_length(validated.interval_minutes, "day")
        week = season_length(validated.interval_minutes, "week")
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

    def _predict_points(self, future):
        steps = wallclock_positions(self.last_naive_, future, self.tz_, self.interval_minutes_)
        daily = seasonal_lag_mean(self.daily_, steps, len(self.daily_), 1)
        weekly = seasonal_lag_mean(self.weekly_, steps, len(self.weekly_), 1)
        rest = np.asarray(self.rest_result_.forecast(int(steps.max())))[steps - 1]
        return daily + weekly + rest
