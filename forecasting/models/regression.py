"""Poisson regression with Fourier terms and calendar regressors.

A log-linear count model (Poisson GLM, log link, fitted by IRLS in numpy:
the same estimates as statsmodels' ``GLM(family=Poisson())``, faster) for the
calls of each OPEN interval (closed slots are left out of the fit, not
modelled as zeros). Its regressors, all in local wall-clock time:

* an intercept and, optionally, a linear trend [per year];
* day-of-week level dummies (Tuesday ... Sunday);
* the intraday shape: ``daily_terms`` Fourier pairs of the time of day, plus
  a deviation of that shape for every weekday other than Monday and one for
  holidays (so a Friday-short week as in Israel, or a Swedish Sunday, gets its
  own profile);
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

import numpy as np
import pandas as pd

from forecasting.models.base import (
    BaseForecaster,
    CalendarMixin,
    ValidatedHistory,
    require_days,
)
from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import local_wallclock
from wfm.ground.vocabulary import MINUTES_PER_DAY

DAYS_PER_YEAR = 365.25
#: With ``halflife_weeks``, rows older than this many half-lives (weight < 1/16) are left out of the
#: fit: a 3-year history fits on its last 2 years, a third faster (issue 17 item 3).
MAX_AGE_HALFLIVES = 4


def poisson_irls(
    X: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None = None,
    ridge: float = 1e-6,
    max_iter: int = 100,
    tol: float = 1e-9,
) -> np.ndarray:
    """Poisson log-link GLM coefficients by iteratively reweighted least squares.

    Solves ``(X' W X + ridge * n * P) b = X' W z`` each iteration with working
    weights ``W = mu`` and working response ``z = eta + (y - mu) / mu`` [1]_;
    ``P`` is the identity except for the first column (the intercept, not
    penalised). The tiny ridge keeps all-zero or collinear columns (an event
    only in the future, a day type absent from the history) at coefficient 0
    instead of failing; it is the same model as statsmodels'
    ``GLM(family=Poisson())`` (checked in the tests) at a fraction of the
    cost, because it solves a p x p system instead of an n x p SVD.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Design; column 0 must be the intercept.
    y : ndarray, shape (n,)
        Counts [calls], >= 0, not all 0.
    weights : ndarray, shape (n,), optional
        Prior weight of each observation (e.g. exponential decay with age).
    ridge : float
        Penalty per observation on the non-intercept coefficients.
    """
    n, p = X.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    penalty = np.full(p, ridge * float(w.sum()))
    penalty[0] = 0.0
    b = np.zeros(p)
    b[0] = np.log(max(float(np.average(y, weights=w)), 1e-12))
    eta = X @ b
    for _ in range(max_iter):
        mu = np.exp(eta)
        z = eta + (y - mu) / mu
        xw = X * (w * mu)[:, None]
        b_new = np.linalg.solve(xw.T @ X + np.diag(penalty), xw.T @ z)
        eta_new = np.clip(X @ b_new, -50.0, 50.0)
        done = np.max(np.abs(b_new - b)) < tol * (1 + np.max(np.abs(b)))
        b, eta = b_new, eta_new
        if done:
            break
    return b


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
    halflife_weeks : float or None
        Weight each observation by ``0.5 ** (age_weeks / halflife_weeks)`` so
        the fit follows level changes (default 26); None = equal weights. Rows
        older than :data:`MAX_AGE_HALFLIVES` half-lives are left out.
    shape_terms : int
        Fourier pairs of the per-weekday and holiday deviations of the
        intraday shape (default 5, at most ``daily_terms``): same accuracy as 10
        on the bank and demo data, half the columns.
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
        halflife_weeks: float | None = 26.0,
        shape_terms: int = 5,
    ):
        self.daily_terms = daily_terms
        self.shape_terms = shape_terms
        self.yearly_terms = yearly_terms
        self.trend = trend
        self.country = country
        self.special_days = special_days
        self.events = events
        self.bridge_days = bridge_days
        self.halflife_weeks = halflife_weeks

    def _min_history(self, interval_minutes):
        for pname in ("daily_terms", "yearly_terms", "shape_terms"):
            v = getattr(self, pname)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise WfmInputError(f"FourierRegression: {pname} must be a whole number >= 0, got {v!r}")
        return require_days(7, interval_minutes, "one week to separate the day-of-week levels")

    def _design(self, index: pd.DatetimeIndex) -> pd.DataFrame:
        naive = local_wallclock(index, self.tz_)
        days = naive.normalize()
        cal = self._calendar(days)
        cal = cal.reset_index(drop=True)
        dow = naive.day_of_week.to_numpy()
        holiday = cal["holiday"].to_numpy() > 0
        per_day = MINUTES_PER_DAY // self.interval_minutes_
        k_daily = int(min(self.daily_terms, max(per_day // 2 - 1, 0)))
        phase_day = (naive.hour.to_numpy() * 60 + naive.minute.to_numpy()) / MINUTES_PER_DAY
        cols: dict[str, np.ndarray] = {"intercept": np.ones(len(naive))}
        if self.trend:
            cols["trend_years"] = ((naive - self.origin_) / pd.Timedelta(days=DAYS_PER_YEAR)).to_numpy(dtype=float)
        for d, label in enumerate(["Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], start=1):
            cols[f"dow_{label}"] = (dow == d).astype(float)
        base = fourier_terms(phase_day, k_daily, "day")
        cols.update(base)
        # the intraday shape of each weekday and of holidays, as deviations
        # from the Monday shape (weekend and Friday shapes differ by country)
        shape = fourier_terms(phase_day, int(min(self.shape_terms, k_daily)), "day")
        for d, label in enumerate(["Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], start=1):
            is_day = ((dow == d) & ~holiday).astype(float)
            for key, v in shape.items():
                cols[f"{label}_{key}"] = v * is_day
        for key, v in shape.items():
            cols[f"holiday_{key}"] = v * holiday
        if self.use_yearly_:
            phase_year = (naive.day_of_year.to_numpy() - 1) / DAYS_PER_YEAR
            cols.update(fourier_terms(phase_year, int(self.yearly_terms), "year"))
        for c in cal.columns:
            cols[c] = cal[c].to_numpy(dtype=float)
        return pd.DataFrame(cols)

    def _fit_model(self, validated: ValidatedHistory, y: pd.Series) -> None:
        frame = validated.frame
        idx = pd.DatetimeIndex(frame["interval_start"])
        keep = self.opening_hours_.is_open(idx, validated.tz)
        if self.halflife_weeks:  # rows weighing under 1/16 hardly move the fit but cost its time
            keep &= np.asarray(idx >= idx[-1] - pd.Timedelta(weeks=MAX_AGE_HALFLIVES * float(self.halflife_weeks)))
        idx = idx[keep]
        calls = frame["calls_offered"].to_numpy()[keep]
        naive = local_wallclock(idx, validated.tz)
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
        design = np.ascontiguousarray(X.to_numpy(dtype=float))
        weights = None
        if self.halflife_weeks:
            age_weeks = (naive[-1] - naive) / pd.Timedelta(weeks=1)
            weights = 0.5 ** (np.asarray(age_weeks, dtype=float) / float(self.halflife_weeks))
        self.coef_ = pd.Series(poisson_irls(design, calls.astype(float), weights), index=self.columns_)
        mu = np.exp(design @ self.coef_.to_numpy())
        # Pearson dispersion (1 = Poisson), for reports; bounds are calibrated separately
        self.dispersion_ = float(np.sum((calls - mu) ** 2 / mu) / max(len(calls) - len(self.columns_), 1))

    def _predict_points(self, future):
        X = self._design(future)
        eta = X[self.columns_].to_numpy() @ self.coef_.to_numpy()
        with np.errstate(over="ignore"):
            return np.exp(np.clip(eta, -700, 50))
