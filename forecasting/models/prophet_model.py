"""Prophet with the holiday calendar, events and day-type intraday shapes.

Prophet [1]_ is fitted (MAP, the default; no MCMC) on the OPEN intervals only,
with ``ds`` the local wall-clock time, so closed hours are gaps rather than
zeros and daylight-saving days keep the clock-aligned daily shape. Components:

* piecewise-linear trend (Prophet default changepoints);
* weekly seasonality (``weekly_terms`` Fourier pairs);
* three conditional daily seasonalities (``daily_terms`` pairs each):
  Monday-Friday working days, Saturdays, and Sundays/holidays;
* yearly seasonality (``yearly_terms`` pairs) when the history covers a year;
* Prophet "holidays" for the special-day kinds ``holiday``, ``eve``,
  ``bridge`` and one per distinct user event ``name`` (its own effect).

``seasonality_mode="multiplicative"`` by default: a holiday scales the day.
Prediction bounds use the shared calibration on holdout errors (see
:func:`forecasting.models.base.fit_interval_calibration`), not Prophet's
Gaussian ``yhat_lower/upper``, because call counts are over-dispersed and
Prophet's band ignores that; so no uncertainty sampling is needed
(``uncertainty_samples=0``), which also makes ``predict`` fast and exactly
reproducible. ``random_state`` seeds the Stan optimiser.

References
----------
.. [1] Taylor, S.J. & Letham, B. (2018) "Forecasting at scale", *The American
   Statistician* 72(1), 37-45.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from forecasting.models.base import (
    BaseForecaster,
    CalendarMixin,
    ValidatedHistory,
    require_weeks,
    tail_weeks,
)
from wfm.ground.timegrid import local_wallclock

#: days of calendar computed beyond the history, to cover any horizon
CALENDAR_AHEAD_DAYS = 400


class ProphetForecaster(CalendarMixin, BaseForecaster):
    """Prophet (MAP fit) with holidays, events and day-type daily shapes.

    Parameters
    ----------
    daily_terms : int
        Fourier order of each daily seasonality (default 8).
    weekly_terms : int
        Fourier order of the weekly seasonality (default 3).
    yearly_terms : int
        Fourier order of the yearly seasonality (default 5), used only when
        the history covers at least 730 days (as Prophet's own "auto").
    seasonality_mode : {"multiplicative", "additive"}
        How seasons and holidays combine with the trend.
    changepoint_prior_scale : float
        Trend flexibility (Prophet default 0.05).
    country, special_days, events, bridge_days
        Calendar, as in :class:`forecasting.models.regression.FourierRegression`.
    max_history_weeks : int or None
        Fit on at most the last this many weeks (default 105, just over the
        730 days Prophet wants for a yearly season); None = all.
    random_state : int
        Seed of the Stan optimiser (default 0).
    """

    name = "prophet"

    def __init__(
        self,
        daily_terms: int = 8,
        weekly_terms: int = 3,
        yearly_terms: int = 5,
        seasonality_mode: str = "multiplicative",
        changepoint_prior_scale: float = 0.05,
        country: str | None = "SE",
        special_days: pd.DataFrame | None = None,
        events: pd.DataFrame | None = None,
        bridge_days: bool = True,
        max_history_weeks: int | None = 105,
        random_state: int = 0,
    ):
        self.daily_terms = daily_terms
        self.weekly_terms = weekly_terms
        self.yearly_terms = yearly_terms
        self.seasonality_mode = seasonality_mode
        self.changepoint_prior_scale = changepoint_prior_scale
        self.country = country
        self.special_days = special_days
        self.events = events
        self.bridge_days = bridge_days
        self.max_history_weeks = max_history_weeks
        self.random_state = random_state

    def _min_history(self, interval_minutes):
        return require_weeks(1, interval_minutes, "one week for the weekly seasonality")

    def _frame(self, naive: pd.DatetimeIndex, cal: pd.DataFrame) -> pd.DataFrame:
        days = naive.normalize()
        holiday = cal["holiday"].reindex(days).to_numpy() > 0
        dow = naive.day_of_week.to_numpy()
        return pd.DataFrame(
            {
                "ds": naive,
                "is_workday": (dow < 5) & ~holiday,
                "is_saturday": (dow == 5) & ~holiday,
                "is_sunday_or_holiday": (dow == 6) | holiday,
            }
        )

    def _fit_model(self, validated: ValidatedHistory, y: pd.Series) -> None:
        from prophet import Prophet

        y = tail_weeks(y, self.max_history_weeks, validated.interval_minutes)
        aware = y.index.tz_localize(validated.tz, ambiguous=True, nonexistent="shift_forward")
        keep = self.opening_hours_.is_open(aware, validated.tz)
        y = y[keep]
        naive = pd.DatetimeIndex(y.index)
        days = pd.date_range(naive[0].normalize(), naive[-1].normalize() + pd.Timedelta(days=CALENDAR_AHEAD_DAYS), freq="D")
        self.calendar_ = self._calendar(days)
        holidays = [
            pd.DataFrame({"holiday": col, "ds": self.calendar_.index[self.calendar_[col].to_numpy() > 0]})
            for col in self.calendar_.columns
        ]
        holidays = pd.concat(holidays, ignore_index=True) if holidays else None
        if holidays is not None and len(holidays) == 0:
            holidays = None
        span_days = (naive[-1] - naive[0]) / pd.Timedelta(days=1)
        model = Prophet(
            growth="linear",
            daily_seasonality=False,
            weekly_seasonality=int(self.weekly_terms) if self.weekly_terms else False,
            yearly_seasonality=int(self.yearly_terms) if (self.yearly_terms and span_days >= 730) else False,
            holidays=holidays,
            seasonality_mode=self.seasonality_mode,
            changepoint_prior_scale=self.changepoint_prior_scale,
            uncertainty_samples=0,
        )
        period_days = 1.0
        for cond in ("is_workday", "is_saturday", "is_sunday_or_holiday"):
            model.add_seasonality(name=f"daily_{cond}", period=period_days,
                                  fourier_order=int(self.daily_terms), condition_name=cond)
        df = self._frame(naive, self.calendar_)
        df["y"] = y.to_numpy()
        # drop day types absent from the history (Prophet rejects an
        # all-False condition): those days get no daily shape
        for cond in ("is_workday", "is_saturday", "is_sunday_or_holiday"):
            if not df[cond].any():
                model.seasonalities.pop(f"daily_{cond}", None)
        logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
        logging.getLogger("prophet").setLevel(logging.WARNING)
        self.model_ = model.fit(df, seed=int(self.random_state))

    def _predict_points(self, future):
        naive = local_wallclock(future, self.tz_)
        days = naive.normalize()
        missing = days.difference(self.calendar_.index)
        cal = self.calendar_
        if len(missing):
            cal = pd.concat([cal, self._calendar(pd.DatetimeIndex(missing.unique()))]).sort_index()
            cal = cal[~cal.index.duplicated()].fillna(0.0)
        df = self._frame(naive, cal)
        return self.model_.predict(df)["yhat"].to_numpy()
