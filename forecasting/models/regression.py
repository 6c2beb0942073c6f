"""Poisson regression with Fourier terms and calendar regressors.

A log-linear count model (statsmodels GLM, Poisson family, log link) for the
calls of each OPEN interval (closed slots are left out of the fit, not
modelled as zeros). Its regressors, all in local wall-clock time:

* an intercept and, optionally, a linear trend [per year];
* day-of-week level dummies (Tuesday ... Sunday);
* the intraday shape: ``daily_terms`` Fourier pairs of the time of day, plus
  deviations of that shape for Saturdays and for Sundays/holidays (a holiday
  takes the Sunday shape);
* the annual cycle: ``yearly_terms`` Fourier pairs of the day of year (only
  used when the history covers at least a year);
* special days (from ``country`` or ``special_days``): ``holiday``, ``eve``,
  ``bridge`` level dummies;
* user events: one level dummy per distinct event ``name`` over its dates.

The effects are multiplicative (log link), so a holiday that halves the calls
does so at every hour. The Poisson quasi-likelihood gives a consistent mean
forecast under over-dispersion; the spread is calibrated separately (see
:func:`forecasting.models.base.fit_interval_calibration`).

References
----------
.. [1] McCullagh, P. & Nelder, J.A. (1989) *Generalized Linear Models*, 2nd
   ed., Chapman & Hall (Poisson log-linear models, quasi-likelihood).
.. [2] Hyndman, R.J. & Athanasopoulos, G. (2021) *Forecasting: principles and
   practice*, 3rd ed., OTexts, section 7.4 (Fourier terms, dummy variables,
   trading-day and holiday regressors).
.. [3] Weinberg, J., Brown, L.D. & Stroud, J.R. (2007) "Bayesian forecasting
   of an inhomogeneous Poisson process with applications to call center
   data", *JASA* 102(480), 1185-1198 (day-of-week level times intraday
   profile for call arrivals).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from forecasting.models.base import (
    BaseForecaster,
    CalendarMixin,
    ValidatedHistory,
    local_naive,
    open_mask,
    require_days,
)
from wfm.errors import WfmInputError

DAYS_PER_YEAR = 365.25


def fourier_terms(phase: np.ndarray, n_terms: int, prefix: str) -> dict[str, np.ndarray]:
    """``sin``/``cos`` pairs ``k = 1..n_terms`` of a phase in [0, 1) cycles."""
    out = {}
    for k in range(1, n_terms + 1):
        out[f"{prefix}_sin{k}"] = np.sin(2 * np.pi * k * phase)
        out[f"{prefix}_cos{k}"] = np.cos(2 * np.pi * k * phase)
    return out


class FourierRegression(CalendarMixin, BaseForecaster):
    """Poisson GLM on Fourier terms, day-of-week and calendar regressors.

    Parameters
    ----------
    daily_terms : int
        Fourier pairs for the intraday shape (default 10; capped at half the
        intervals per day minus one).
    yearly_terms : int
        Fourier pairs for the annual cycle (default 3; 0 = none; only used if
        the history covers at least 365 days).
    trend : bool
        Include a log-linear trend [per year] (default True).
    country : str or None
        Holiday calendar code for the ``holidays`` package (default "SE",
        adding Swedish eves and bridge days); None = no holidays.
    special_days : DataFrame or None
        ``date, name, kind`` (kind in holiday|eve|bridge); overrides
        ``country`` when given.
    events : DataFrame or None
        ``date, end_date, name, kind``; every distinct ``name`` gets its own
        level effect.
    bridge_days : bool
        Add bridge days to the ``country`` calendar (default True).
    """

    name = "regression"

    def __init__(
        self,
        daily_terms: int = 10,
        yearly_terms: int = 3,
        trend: bool = True,
        country: str | None = "SE",
        special_days: pd.DataFrame | None = None,
        events: pd.DataFrame | None = None,
        bridge_days: bool = True,
    ):
        self.daily_terms = daily_terms
        self.yearly_terms = yearly_terms
        self.trend = trend
        self.country = country
        self.special_days = special_days
        self.events = events
        self.bridge_days = bridge_days

    def _min_history(self, interval_minutes):
        for pname in ("daily_terms", "yearly_terms"):
            v = getattr(self, pname)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise WfmInputError(f"FourierRegression: {pname} must be a whole number >= 0, got {v!r}")
        return require_days(7, interval_minutes, "one week to separate the day-of-week levels")

    def _design(self, index: pd.DatetimeIndex) -> pd.DataFrame:
        naive = local_naive(index, self.tz_)
        days = naive.normalize()
        cal = self._calendar(days)
        cal = cal.reset_index(drop=True)
        dow = naive.day_of_week.to_numpy()
        holiday = cal["holiday"].to_numpy() > 0
        per_day = 1440 // self.interval_minutes_
        k_daily = int(min(self.daily_terms, max(per_day // 2 - 1, 0)))
        phase_day = (naive.hour.to_numpy() * 60 + naive.minute.to_numpy()) / 1440.0
        cols: dict[str, np.ndarray] = {"intercept": np.ones(len(naive))}
        if self.trend:
            cols["trend_years"] = ((naive - self.origin_) / pd.Timedelta(days=DAYS_PER_YEAR)).to_numpy(dtype=float)
        for d, label in enumerate(["Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], start=1):
            cols[f"dow_{label}"] = (dow == d).astype(float)
        base = fourier_terms(phase_day, k_daily, "day")
        cols.update(base)
        saturday = ((dow == 5) & ~holiday).astype(float)
        sunday_like = ((dow == 6) | holiday).astype(float)
        for key, v in base.items():
            cols[f"sat_{key}"] = v * saturday
            cols[f"sunhol_{key}"] = v * sunday_like
        if self.use_yearly_:
            phase_year = (naive.day_of_year.to_numpy() - 1) / DAYS_PER_YEAR
            cols.update(fourier_terms(phase_year, int(self.yearly_terms), "year"))
        for c in cal.columns:
            cols[c] = cal[c].to_numpy(dtype=float)
        return pd.DataFrame(cols)

    def _fit_model(self, validated: ValidatedHistory, y: pd.Series) -> None:
        import statsmodels.api as sm

        frame = validated.frame
        idx = pd.DatetimeIndex(frame["interval_start"])
        keep = open_mask(idx, validated.tz, self.open_slots_)
        idx = idx[keep]
        calls = frame["calls_offered"].to_numpy()[keep]
        naive = local_naive(idx, validated.tz)
        self.origin_ = naive[0].normalize()
        span_days = (naive[-1] - naive[0]) / pd.Timedelta(days=1)
        self.use_yearly_ = bool(self.yearly_terms) and span_days >= 365
        X = self._design(idx)
        self.columns_ = list(X.columns)
        if calls.max() == 0:
            # no call at all: the Poisson MLE of every mean is 0 (log-mean -inf),
            # which IRLS cannot reach; state it directly
            self.coef_ = pd.Series(0.0, index=self.columns_)
            self.coef_["intercept"] = -np.inf
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = sm.GLM(calls, X.to_numpy(), family=sm.families.Poisson()).fit(method="IRLS", maxiter=100)
        self.coef_ = pd.Series(np.asarray(result.params), index=self.columns_)
        self.dispersion_ = float(result.pearson_chi2 / max(result.df_resid, 1))

    def _predict_points(self, future):
        X = self._design(future)
        eta = X[self.columns_].to_numpy() @ self.coef_.to_numpy()
        with np.errstate(over="ignore"):
            return np.exp(np.clip(eta, -700, 50))
