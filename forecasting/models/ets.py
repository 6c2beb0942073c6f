"""Holt-Winters / ETS with an additive damped trend and an additive season.

The model runs on the local wall-clock series (one value per local interval,
see :func:`forecasting.models.base.wallclock_series`) with a weekly season by
default (168 hourly or 672 quarter-hourly values). Fitting the smoothing
parameters on two years of hourly data takes ~10 s in statsmodels, so by
default only the last ``max_history_weeks`` weeks are used: Holt-Winters
discounts old data geometrically anyway. Holidays and events are not used.

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
from wfm.errors import WfmInputError


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
    """

    name = "ets"

    def __init__(self, season: str = "week", damped_trend: bool = True, max_history_weeks: int | None = 16):
        self.season = season
        self.damped_trend = damped_trend
        self.max_history_weeks = max_history_weeks

    def _min_history(self, interval_minutes):
        if self.season not in ("week", "day"):
            raise WfmInputError(f"ETS: season must be 'week' or 'day', got {self.season!r}")
        if self.season == "week":
            return require_weeks(2, interval_minutes, "two full weekly seasons to initialise the season")
        return require_weeks(1, interval_minutes, "one week of daily seasons to initialise")

    def _fit_model(self, validated: ValidatedHistory, y: pd.Series) -> None:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        y = tail_weeks(y, self.max_history_weeks, validated.interval_minutes)
        period = season_length(validated.interval_minutes, self.season)
        values = y.to_numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on flat closed hours
            self.result_ = ExponentialSmoothing(
                values,
                trend="add" if self.damped_trend else None,
                damped_trend=bool(self.damped_trend),
                seasonal="add",
                seasonal_periods=period,
                initialization_method="heuristic",
            ).fit()

    def _predict_points(self, future):
        steps = wallclock_positions(self.last_naive_, future, self.tz_, self.interval_minutes_)
        path = np.asarray(self.result_.forecast(int(steps.max())))
        return path[steps - 1]
