"""Nixtla statsforecast models behind the project's one model protocol.

statsforecast [1]_ implements ETS, MSTL, Theta and ARIMA in numba-compiled
numpy, usually 10-100x faster than the statsmodels equivalents. Two wrappers:

* :class:`SFAutoETS` (``sf_ets``): the planners' "daily volume x intraday
  curve" like :class:`forecasting.models.ets.ETS` (``level="daily"``), with
  the daily totals forecast by statsforecast ``AutoETS`` with a weekly season
  (the ETS form -- error, trend, season, additive or multiplicative, damped or
  not -- chosen by AICc [2]_) instead of one fixed Holt-Winters form;
* :class:`SFMSTL` (``sf_mstl``): statsforecast ``MSTL`` with a daily and a
  weekly season on the wall-clock series (hourly sums below an hour, split
  back with the intra-hour profile, as :class:`forecasting.models.mstl.MSTLForecaster`),
  its trend forecast by ``AutoETS`` without season (statsforecast's default).

numba compiles each function on first use in a process (a few seconds, see
``benchmarks/results/forecast_accuracy.md``); ``NIXTLA_NUMBA_CACHE=1`` is set
when this module is imported, unless the caller set it, so that the compiled
code is cached on disk and later processes (the pipeline's workers) load it.

Holidays and events are not used.

References
----------
.. [1] Garza, F., Mergenthaler Canseco, M., Challú, C. & Olivares, K.G. (2022)
   "StatsForecast: Lightning fast forecasting with statistical and
   econometric models", PyCon Salt Lake City.
.. [2] Hyndman, R.J., Koehler, A.B., Snyder, R.D. & Grose, S. (2002) "A state
   space framework for automatic forecasting using exponential smoothing
   methods", *International Journal of Forecasting* 18(3), 439-454.
.. [3] Bandara, K., Hyndman, R.J. & Bergmeir, C. (2021), see
   :mod:`forecasting.models.mstl`.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd

from forecasting.models.base import ValidatedHistory, require_days, season_length
from forecasting.models.ets import ETS
from forecasting.models.mstl import MSTLForecaster

os.environ.setdefault("NIXTLA_NUMBA_CACHE", "1")


def _fit(model, values: np.ndarray):
    """A statsforecast model fitted on ``values`` (one value per step)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(y=np.asarray(values, dtype=float))


def _predict(model, steps: int) -> np.ndarray:
    """Its forecast 1..``steps`` steps ahead."""
    return np.asarray(model.predict(h=int(steps))["mean"], dtype=float)


class SFAutoETS(ETS):
    """Daily totals by statsforecast ``AutoETS`` (weekly season) x intraday profile.

    Parameters
    ----------
    max_history_weeks : int or None
        Fit on at most the last this many weeks (default 16); None = all.
    profile_weeks : int
        Weeks used for the intraday profile (default 8).
    """

    name = "sf_ets"

    def __init__(self, max_history_weeks: int | None = 16, profile_weeks: int = 8):
        self.max_history_weeks = max_history_weeks
        self.profile_weeks = profile_weeks
        self.season = "week"
        self.damped_trend = None
        self.level = "daily"

    def _fit_smoother(self, values: np.ndarray, period: int) -> None:
        from statsforecast.models import AutoETS

        self.result_ = _fit(AutoETS(season_length=int(period)), values)

    def _smoother_path(self, steps: int) -> np.ndarray:
        return _predict(self.result_, steps)


class SFMSTL(MSTLForecaster):
    """statsforecast ``MSTL`` (daily + weekly seasons, AutoETS trend) on the wall-clock series.

    Parameters
    ----------
    max_history_weeks : int or None
        Decompose at most the last this many weeks (default 16); None = all.
    hourly_for_subhourly : bool
        Below 60-minute intervals, decompose hourly sums and split them with
        the learned intra-hour profile (True, default).
    """

    name = "sf_mstl"

    def __init__(self, max_history_weeks: int | None = 16, hourly_for_subhourly: bool = True):
        self.max_history_weeks = max_history_weeks
        self.hourly_for_subhourly = hourly_for_subhourly
        self.damped_trend = True

    def _min_history(self, interval_minutes):
        return require_days(15, interval_minutes, "more than two full weekly seasons for the weekly MSTL component")

    def _decompose(self, y: pd.Series, minutes: int) -> None:
        from statsforecast.models import MSTL

        periods = [season_length(minutes, "day"), season_length(minutes, "week")]
        self.result_ = _fit(MSTL(season_length=periods), y.to_numpy(dtype=float))

    def _path(self, steps: np.ndarray) -> np.ndarray:
        return _predict(self.result_, int(steps.max()))[steps - 1]


__all__ = ["SFAutoETS", "SFMSTL"]
