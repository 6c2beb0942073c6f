"""The baselines planners already use: seasonal naive and the mean of the last N weeks.

Both work on the local wall-clock series (see
:func:`forecasting.models.base.wallclock_series`), so "the same interval a week
earlier" means the same local clock time on the same weekday, also across a
daylight-saving change. Neither uses holidays or events.

References
----------
.. [1] Hyndman, R.J. & Athanasopoulos, G. (2021) *Forecasting: principles and
   practice*, 3rd ed., OTexts, section 5.2 "Some simple forecasting methods"
   (seasonal naive method).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.models.base import (
    BaseForecaster,
    ValidatedHistory,
    require_weeks,
    require_days,
    season_length,
    wallclock_positions,
)
from wfm.ground.errors import WfmInputError


def seasonal_lag_mean(values: np.ndarray, steps_ahead: np.ndarray, season_intervals: int, n_seasons: int) -> np.ndarray:
    """Mean over the last ``n_seasons`` seasons of the value ``steps_ahead`` ahead.

    For a step ``h`` the forecast is the mean of
    ``values[-1 + r - k * season_intervals]`` for ``k = 1..n_seasons`` where
    ``r = (h - 1) % season_intervals + 1``: beyond one season the last seasons
    repeat. ``n_seasons = 1`` is the seasonal naive method [1]_.
    """
    n = len(values)
    r = (np.asarray(steps_ahead, dtype=np.int64) - 1) % season_intervals + 1
    total = np.zeros(len(r))
    for k in range(1, n_seasons + 1):
        total += values[n - 1 + r - k * season_intervals]
    return total / n_seasons


class SeasonalNaive(BaseForecaster):
    """Same local interval one season earlier (a week by default).

    Parameters
    ----------
    season : {"week", "day"}
        Season length: ``"week"`` (same interval a week earlier, needs one
        week of history) or ``"day"`` (same interval yesterday, needs one day;
        the fallback for very short histories).
    """

    name = "seasonal_naive"

    def __init__(self, season: str = "week"):
        self.season = season

    def _min_history(self, interval_minutes):
        if self.season == "week":
            return require_weeks(1, interval_minutes, "one full weekly season to copy")
        if self.season == "day":
            return require_days(1, interval_minutes, "one full daily season to copy")
        raise WfmInputError(f"SeasonalNaive: season must be 'week' or 'day', got {self.season!r}")

    def _fit_model(self, validated: ValidatedHistory, y: pd.Series) -> None:
        self.season_intervals_ = season_length(validated.interval_minutes, self.season)
        self.values_ = y.to_numpy()[-self.season_intervals_:].copy()

    def _predict_points(self, future):
        steps = wallclock_positions(self.last_naive_, future, self.tz_, self.interval_minutes_)
        return seasonal_lag_mean(self.values_, steps, self.season_intervals_, 1)


class WeeklyMean(BaseForecaster):
    """Mean of the same local interval over the last ``n_weeks`` weeks.

    Parameters
    ----------
    n_weeks : int
        Weeks averaged (>= 1); the history must hold at least that many weeks.
    """

    name = "weekly_mean"

    def __init__(self, n_weeks: int = 4):
        self.n_weeks = n_weeks

    def _min_history(self, interval_minutes):
        if isinstance(self.n_weeks, bool) or not isinstance(self.n_weeks, (int, np.integer)) or self.n_weeks < 1:
            raise WfmInputError(f"WeeklyMean: n_weeks must be a whole number >= 1, got {self.n_weeks!r}")
        return require_weeks(self.n_weeks, interval_minutes, f"n_weeks={self.n_weeks} full weeks to average")

    def _fit_model(self, validated: ValidatedHistory, y: pd.Series) -> None:
        self.season_intervals_ = season_length(validated.interval_minutes, "week")
        self.values_ = y.to_numpy()[-self.season_intervals_ * self.n_weeks:].copy()

    def _predict_points(self, future):
        steps = wallclock_positions(self.last_naive_, future, self.tz_, self.interval_minutes_)
        return seasonal_lag_mean(self.values_, steps, self.season_intervals_, self.n_weeks)
