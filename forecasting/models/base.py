"""The forecaster protocol and the helpers every model shares.

Every model in :mod:`forecasting.models` follows the scikit-learn habit:

* ``__init__`` stores hyperparameters only, under the same names;
* ``fit(history) -> self`` learns state into attributes with a trailing
  underscore (``interval_minutes_``, ``tz_``, ``last_interval_start_``,
  ``opening_hours_``, ...);
* ``predict(horizon) -> DataFrame`` returns ``horizon`` future intervals with
  the point forecast and the 80 % and 95 % interval bounds.

This module holds what the models have in common so that no model repeats it:

* validation of the single-queue history frame (:func:`validate_history`);
* the local wall-clock grid (:func:`wallclock_series`): statistical models see
  one value per *local* interval, so the weekly season stays aligned with the
  clock across daylight-saving changes;
* the future timestamps (:func:`future_index`, :func:`horizon_intervals`),
  which continue the history grid in absolute time, so a spring-forward day has
  23 hours (92 quarter-hours) and a fall-back day 25 hours (100 quarter-hours);
* closed hours: the queue's opening hours are learned with the one rule of
  :mod:`forecasting.opening_hours` (the rule the Data page summary uses); a
  closed slot is forecast exactly 0 with 0-width bounds;
* calibrated prediction intervals (:func:`fit_interval_calibration`,
  :func:`interval_bounds`) from out-of-sample residuals with a
  quasi-Poisson / negative-binomial variance function;
* the calendar (:func:`special_days_frame`, :func:`day_calendar`) used by the
  models that take regressors, built on :mod:`wfm.ground.calendar`.

References
----------
.. [1] Hyndman, R.J. & Athanasopoulos, G. (2021) *Forecasting: principles and
   practice*, 3rd ed., OTexts, section 5.5 "Distributional forecasts and
   prediction intervals" (bootstrapped / empirical residual intervals).
.. [2] McCullagh, P. & Nelder, J.A. (1989) *Generalized Linear Models*, 2nd
   ed., Chapman & Hall, section 9.2 (quasi-likelihood, variance functions
   ``V(mu) = phi * mu`` and ``V(mu) = mu + mu**2 / k``).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from forecasting.events import event_days
from forecasting.opening_hours import QueueOpeningHours, learn_opening_hours
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import check_history
from wfm.ground.timegrid import check_interval_minutes, interval_minutes_of, local_wallclock, minute_of_week
from wfm.ground.vocabulary import DAYS_PER_WEEK, DEFAULT_TZ, MINUTES_PER_DAY

#: Quantile level of each bound column of a forecast frame.
BOUND_LEVELS: dict[str, float] = {
    "calls_offered_p025": 0.025,
    "calls_offered_p10": 0.10,
    "calls_offered_p90": 0.90,
    "calls_offered_p975": 0.975,
}

#: Columns of the frame returned by every ``predict``.
FORECAST_COLUMNS: list[str] = [
    "interval_start",
    "calls_offered",
    "calls_offered_p10",
    "calls_offered_p90",
    "calls_offered_p025",
    "calls_offered_p975",
    "model",
]


class InsufficientHistoryError(WfmInputError):
    """The history is too short for a model.

    The message names the model, the history it needs and the history it got,
    and points to :func:`forecasting.models.fallback_for`.

    Parameters
    ----------
    model : str
        Registry name of the model (e.g. ``"mstl"``).
    required_intervals : int
        Intervals of history the model needs.
    got_intervals : int
        Intervals of history it was given (first to last interval, inclusive).
    interval_minutes : int
        Interval length [minutes], used to state both lengths in days.
    reason : str
        Why the model needs that much (e.g. "two full weekly seasons").
    """

    def __init__(
        self,
        model: str,
        required_intervals: int,
        got_intervals: int,
        interval_minutes: int,
        reason: str,
    ):
        self.model = model
        self.required_intervals = int(required_intervals)
        self.got_intervals = int(got_intervals)
        req_days = required_intervals * interval_minutes / MINUTES_PER_DAY
        got_days = got_intervals * interval_minutes / MINUTES_PER_DAY
        message = (
            f"model {model!r} needs at least {required_intervals} intervals "
            f"({req_days:g} days) of history ({reason}); got {got_intervals} "
            f"intervals ({got_days:g} days) at interval_minutes={interval_minutes}. "
            "Use a longer history, or forecasting.models.fallback_for(history) "
            "which picks a model that works on short histories "
            "(seasonal naive with a daily season below one week)."
        )
        super().__init__(message)


@runtime_checkable
class Forecaster(Protocol):
    """What every forecasting model offers (see module docstring)."""

    name: str

    def fit(self, history: pd.DataFrame) -> "Forecaster": ...

    def predict(self, horizon: int) -> pd.DataFrame: ...


# --------------------------------------------------------------------------
# history validation and the local wall-clock grid
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidatedHistory:
    """A checked single-queue history.

    Attributes
    ----------
    frame : DataFrame
        Sorted by ``interval_start``, index reset, all columns kept.
    interval_minutes : int
        Interval length [minutes].
    tz : str
        IANA zone of ``interval_start``.
    """

    frame: pd.DataFrame
    interval_minutes: int
    tz: str


def validate_history(history: pd.DataFrame, model: str) -> ValidatedHistory:
    """Check a one-queue history frame and return it sorted.

    Rules: the history contract of :func:`wfm.ground.frames.check_history` for
    one queue, and every timestamp on the interval grid of
    :func:`wfm.ground.timegrid.interval_minutes_of`.

    Parameters
    ----------
    history : DataFrame
        Canonical history of one queue; ``attrs["interval_minutes"]`` is used
        when present, otherwise the interval is inferred.
    model : str
        Who asks (a model name), named in error messages.

    Raises
    ------
    WfmInputError
        Naming the column, the row and the value for the first rule broken.
    """
    what = f"history given to {model}"
    check_history(history, what=what, one_queue=True)
    calls = pd.to_numeric(history["calls_offered"], errors="coerce").astype("float64")
    frame = history.assign(calls_offered=calls).sort_values("interval_start", kind="stable").reset_index(drop=True)
    frame.attrs = dict(history.attrs)
    minutes = interval_minutes_of(frame, what=what)
    ts = history["interval_start"]
    tz = str(ts.dt.tz)
    frame.attrs = dict(history.attrs, interval_minutes=minutes, tz=tz)
    return ValidatedHistory(frame=frame, interval_minutes=minutes, tz=tz)


#: Weeks before and after a missing open slot whose same slot fills it (:func:`wallclock_series`).
GAP_FILL_WEEKS = 4


def wallclock_series(validated: ValidatedHistory, hours: QueueOpeningHours) -> pd.Series:
    """Calls on a regular grid of LOCAL wall-clock times (tz-naive index).

    The grid runs from the first to the last local interval of the history at
    ``interval_minutes``. Daylight-saving days are mapped to ordinary days:
    the repeated fall-back hour holds the MEAN of its two occurrences, the
    skipped spring-forward hour is filled like a gap. Closed slots hold 0.
    Missing rows in open slots (data gaps, the skipped hour) are filled with the
    median of the same slot in the 4 weeks before and after (:data:`GAP_FILL_WEEKS`:
    the level of the time, not of the whole history), else of that slot over the
    history, else 0. A missing row is never read as 0 calls (issue 17 item 1).
    The attribute ``attrs["filled"]`` counts the open-slot values filled.
    """
    minutes = validated.interval_minutes
    naive = local_wallclock(validated.frame["interval_start"], validated.tz)
    calls = pd.Series(validated.frame["calls_offered"].to_numpy(), index=naive)
    calls = calls.groupby(level=0).mean()
    grid = pd.date_range(calls.index[0], calls.index[-1], freq=f"{minutes}min")
    y = calls.reindex(grid)
    y[~hours.is_open_at(grid)] = 0.0
    missing = y.isna().to_numpy()
    filled = int(missing.sum())
    if filled:
        per_week = DAYS_PER_WEEK * MINUTES_PER_DAY // minutes
        near = np.vstack([y.shift(k * per_week).to_numpy() for k in range(-GAP_FILL_WEEKS, GAP_FILL_WEEKS + 1) if k])
        has_near = missing & np.isfinite(near).any(axis=0)
        if has_near.any():
            y[has_near] = np.nanmedian(near[:, has_near], axis=0)
        still = y.isna()
        if still.any():
            keys = minute_of_week(grid)
            med = y.groupby(keys).median()
            y[still] = pd.Series(keys[still.to_numpy()]).map(med).fillna(0.0).to_numpy()
    y.attrs["filled"] = filled
    y.attrs["interval_minutes"] = minutes
    return y.astype("float64")


def season_length(interval_minutes: int, season: str) -> int:
    """Intervals in a ``"day"`` or a ``"week"`` at ``interval_minutes``."""
    per_day = MINUTES_PER_DAY // interval_minutes
    if season == "day":
        return per_day
    if season == "week":
        return DAYS_PER_WEEK * per_day
    raise WfmInputError(f"season must be 'day' or 'week', got {season!r}")


# --------------------------------------------------------------------------
# the future grid
# --------------------------------------------------------------------------


def future_index(last_interval_start: pd.Timestamp, horizon: int, interval_minutes: int, tz: str) -> pd.DatetimeIndex:
    """The ``horizon`` interval starts after ``last_interval_start``.

    Continues the grid in absolute time, expressed in zone ``tz``: across a
    spring-forward change the local clock jumps (a 23-hour day), across a
    fall-back change a local hour repeats (a 25-hour day).
    """
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise WfmInputError(f"horizon must be a whole number of intervals >= 1, got {horizon!r}")
    start = pd.Timestamp(last_interval_start).tz_convert("UTC") + pd.Timedelta(minutes=interval_minutes)
    return pd.date_range(start, periods=int(horizon), freq=f"{interval_minutes}min").tz_convert(tz)


def horizon_intervals(start, days: int | float, interval_minutes: int, tz: str = DEFAULT_TZ) -> int:
    """Number of intervals in ``days`` LOCAL calendar days from ``start``.

    Parameters
    ----------
    start : Timestamp or str
        First interval start of the horizon (naive = local time in ``tz``).
    days : int or float
        Length [days] in local calendar days (e.g. 28 for "28d").
    interval_minutes : int
        Interval length [minutes].
    tz : str
        IANA zone.

    Returns
    -------
    int
        Intervals between ``start`` and the same local clock time ``days``
        later: a window holding a spring-forward day has 4 fewer quarter-hours,
        one with a fall-back day 4 more.

    Examples
    --------
    In the default zone (Europe/Stockholm):

    >>> horizon_intervals("2024-03-31 00:00", 1, 15)
    92
    >>> horizon_intervals("2024-10-27 00:00", 1, 15)
    100
    """
    check_interval_minutes(interval_minutes)
    if not days or days <= 0:
        raise WfmInputError(f"horizon days must be > 0, got {days!r}")
    t0 = pd.Timestamp(start)
    t0 = t0.tz_localize(tz) if t0.tzinfo is None else t0.tz_convert(tz)
    end_local = t0.tz_localize(None) + pd.Timedelta(days=days)
    t1 = end_local.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    return int((t1 - t0) / pd.Timedelta(minutes=interval_minutes))


def wallclock_positions(last_naive: pd.Timestamp, future: pd.DatetimeIndex, tz: str, interval_minutes: int) -> np.ndarray:
    """Steps ahead (1-based) on the wall-clock grid of each future timestamp.

    A model that forecasts the wall-clock series ``h`` steps ahead gives the
    value for the future timestamp at position ``h``; the repeated fall-back
    hour reads the same wall-clock step twice, the skipped hour is never read.
    """
    naive = local_wallclock(future, tz)
    return ((naive - last_naive) // pd.Timedelta(minutes=interval_minutes)).to_numpy().astype(np.int64)


# --------------------------------------------------------------------------
# prediction intervals
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class IntervalCalibration:
    """How prediction bounds are spread around a point forecast.

    The error variance at point forecast ``mu`` is
    ``V(mu) = phi * mu + alpha * mu**2`` (quasi-Poisson plus a negative-binomial
    term, [2]_), and the standardised error ``(y - mu) / sqrt(V(mu))`` has the
    empirical quantiles ``z`` (one per bound column) [1]_.

    Attributes
    ----------
    phi : float
        Poisson-like dispersion [calls].
    alpha : float
        Squared coefficient of variation of the multiplicative error [-].
    z : dict
        Bound column -> quantile of the standardised error.
    n_residuals : int
        Residuals used.
    source : str
        ``"holdout"`` (out-of-sample errors of a refit), ``"daily_naive"``
        (errors of a same-time-yesterday forecast, short histories) or
        ``"none"``.
    """

    phi: float
    alpha: float
    z: dict
    n_residuals: int
    source: str


def fit_interval_calibration(actual: np.ndarray, predicted: np.ndarray, source: str) -> IntervalCalibration:
    """Estimate an :class:`IntervalCalibration` from forecast errors.

    Parameters
    ----------
    actual, predicted : ndarray
        Observed calls and the forecast for the same (open) intervals [calls].
    source : str
        Where the errors come from (stored for the docs / report).

    Notes
    -----
    ``phi`` and ``alpha`` come from a non-negative least-squares fit of the
    squared errors on ``mu`` and ``mu**2``; if both are 0 (a perfect or
    constant history) the bounds collapse onto the point forecast.
    """
    a = np.asarray(actual, dtype=float)
    p = np.clip(np.asarray(predicted, dtype=float), 0.0, None)
    ok = np.isfinite(a) & np.isfinite(p)
    a, p = a[ok], p[ok]
    zero_z = {k: 0.0 for k in BOUND_LEVELS}
    if len(a) < 10:
        return IntervalCalibration(0.0, 0.0, zero_z, int(len(a)), "none")
    r = a - p
    r2 = r * r
    if not np.any(r2 > 0):
        return IntervalCalibration(0.0, 0.0, zero_z, int(len(a)), source)
    from scipy.optimize import nnls

    mu = np.maximum(p, 0.5)
    design = np.column_stack([mu, mu * mu])
    # weight rows by 1/mu so high-volume intervals do not dominate the fit
    w = 1.0 / mu
    coef, _ = nnls(design * w[:, None], r2 * w)
    phi, alpha = float(coef[0]), float(coef[1])
    if phi <= 0 and alpha <= 0:
        phi = float(np.mean(r2) / np.mean(mu))
    sd = np.sqrt(phi * mu + alpha * mu * mu)
    z_all = r / sd
    z = {k: float(np.quantile(z_all, q)) for k, q in BOUND_LEVELS.items()}
    return IntervalCalibration(phi, alpha, z, int(len(a)), source)


def interval_bounds(point: np.ndarray, calibration: IntervalCalibration) -> dict[str, np.ndarray]:
    """Bounds around ``point`` [calls], non-negative and ordered.

    Returns a dict bound column -> array, with
    ``p025 <= p10 <= point <= p90 <= p975`` and all >= 0.
    """
    p = np.clip(np.asarray(point, dtype=float), 0.0, None)
    sd = np.sqrt(calibration.phi * p + calibration.alpha * p * p)
    raw = {k: np.clip(p + calibration.z[k] * sd, 0.0, None) for k in BOUND_LEVELS}
    p10 = np.minimum(raw["calls_offered_p10"], p)
    p025 = np.minimum(raw["calls_offered_p025"], p10)
    p90 = np.maximum(raw["calls_offered_p90"], p)
    p975 = np.maximum(raw["calls_offered_p975"], p90)
    return {
        "calls_offered_p025": p025,
        "calls_offered_p10": p10,
        "calls_offered_p90": p90,
        "calls_offered_p975": p975,
    }


def daily_naive_errors(y: pd.Series, is_open: np.ndarray, interval_minutes: int) -> tuple[np.ndarray, np.ndarray]:
    """Actual and same-time-yesterday forecast on the open part of ``y``.

    The fallback source of interval calibration when the history is too short
    for a holdout refit.
    """
    lag = season_length(interval_minutes, "day")
    values = y.to_numpy()
    if len(values) <= lag:
        return np.array([]), np.array([])
    actual = values[lag:]
    pred = values[:-lag]
    keep = is_open[lag:]
    return actual[keep], pred[keep]


# --------------------------------------------------------------------------
# calendar
# --------------------------------------------------------------------------


def special_days_frame(start, end, country: str = "SE", *, bridge_days: bool = True) -> pd.DataFrame:
    """Holidays, eves and bridge days between two dates: ``date, name, kind``.

    A thin wrapper of :func:`wfm.ground.calendar.special_days` (the project's
    calendar: Swedish eves and bridge days by default, other countries by code
    through the ``holidays`` package) returning tz-naive ``datetime64`` dates.
    """
    from wfm.ground.calendar import special_days

    return _normalise_special(special_days(start, end, country, bridge_days=bridge_days))


def _normalise_special(frame: pd.DataFrame) -> pd.DataFrame:
    """``date, name, kind`` with tz-naive normalised ``datetime64`` dates."""
    missing = [c for c in ("date", "name", "kind") if c not in frame.columns]
    if missing:
        raise WfmInputError(f"special_days frame must have columns date, name, kind; missing {missing}")
    dates = pd.to_datetime(frame["date"], errors="coerce")
    if dates.isna().any():
        i = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise WfmInputError(f"special_days column 'date' row {i} must be a date, got {frame['date'].iloc[i]!r}")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    out = pd.DataFrame(
        {"date": dates.dt.normalize().to_numpy(), "name": frame["name"].astype(str).to_numpy(),
         "kind": frame["kind"].astype(str).to_numpy()}
    )
    bad = ~out["kind"].isin(["holiday", "eve", "bridge"])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise WfmInputError(
            f"special_days column 'kind' row {i} must be holiday, eve or bridge, got {out['kind'].iloc[i]!r}"
        )
    return out.sort_values(["date", "kind"]).reset_index(drop=True)


def day_calendar(days: pd.DatetimeIndex, special: pd.DataFrame, events: pd.DataFrame | None) -> pd.DataFrame:
    """Per local calendar day: special-day kind dummies and one column per event name.

    Parameters
    ----------
    days : DatetimeIndex
        tz-naive local dates (normalised).
    special : DataFrame
        ``date, name, kind`` from :func:`special_days_frame`.
    events : DataFrame or None
        The events frame (``wfm.io.events.read_events``), see :func:`forecasting.events.event_days`.

    Returns
    -------
    DataFrame
        Indexed by ``days``: ``holiday``, ``eve``, ``bridge`` (0/1) and
        ``event_<name>`` (0/1) for every event name.
    """
    days = pd.DatetimeIndex(days).normalize()
    out = pd.DataFrame(index=days)
    for kind in ("holiday", "eve", "bridge"):
        dates = pd.DatetimeIndex(special.loc[special["kind"] == kind, "date"])
        out[kind] = days.isin(dates).astype(float)
    if events is not None:
        for column, values in event_days(events, days).items():
            out[column] = values.to_numpy()
    return out


# --------------------------------------------------------------------------
# the shared fit / predict scaffolding
# --------------------------------------------------------------------------


class BaseForecaster:
    """Scaffolding shared by every model (subclass it, do not instantiate).

    Subclasses set ``name``, store their hyperparameters in ``__init__`` and
    implement:

    * ``_min_history(interval_minutes) -> (intervals, reason)``;
    * ``_fit_model(validated, y)``: learn from the checked history and its
      wall-clock series ``y`` (see :func:`wallclock_series`);
    * ``_predict_points(future) -> ndarray``: the point forecast [calls] for
      the tz-aware ``future`` timestamps (closed slots are zeroed afterwards).

    ``fit`` then calibrates the prediction intervals on a holdout: the model is
    refitted without the last ``calibration_weeks`` (2) weeks and its forecast
    of them gives out-of-sample errors at horizons of 1 to 14 days (source
    ``"holdout"``); with less history 1 week is tried. When the history is too
    short even for that, the errors of a same-time-yesterday forecast are used
    (source ``"daily_naive"``).
    """

    name: str = "base"
    #: weeks held out to calibrate the bounds (falls back to fewer, then to
    #: same-time-yesterday errors, on short histories)
    calibration_weeks: int = 2

    # -- to implement ------------------------------------------------------
    def _min_history(self, interval_minutes: int) -> tuple[int, str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _fit_model(self, validated: ValidatedHistory, y: pd.Series) -> None:  # pragma: no cover
        raise NotImplementedError

    def _predict_points(self, future: pd.DatetimeIndex) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    # -- sklearn-like helpers ---------------------------------------------
    def get_params(self) -> dict:
        """Hyperparameters as given to the constructor."""
        import inspect

        sig = inspect.signature(type(self).__init__)
        return {k: getattr(self, k) for k in sig.parameters if k != "self"}

    def clone(self) -> "BaseForecaster":
        """An unfitted copy with the same hyperparameters."""
        return type(self)(**copy.deepcopy(self.get_params()))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items() if not isinstance(v, pd.DataFrame))
        return f"{type(self).__name__}({args})"

    # -- protocol -----------------------------------------------------------
    def fit(self, history: pd.DataFrame, calibrate: bool = True) -> "BaseForecaster":
        """Learn from one queue's history; returns ``self``.

        Parameters
        ----------
        history : DataFrame
            One queue (see the module docstring).
        calibrate : bool
            Calibrate the bounds on a holdout refit (True, default). False
            skips that second fit (half the cost) and uses the cheap
            same-time-yesterday errors instead; meant for callers that
            calibrate on their own backtest errors with :meth:`recalibrate`.

        Raises
        ------
        WfmInputError
            Malformed history (see :func:`validate_history`).
        InsufficientHistoryError
            History shorter than the model needs.
        """
        validated = validate_history(history, self.name)
        self._fit_core(validated)
        self.calibration_ = self._calibrate(validated) if calibrate else self._naive_calibration(validated)
        return self

    def _fit_core(self, validated: ValidatedHistory) -> None:
        minutes = validated.interval_minutes
        first = validated.frame["interval_start"].iloc[0]
        last = validated.frame["interval_start"].iloc[-1]
        got = int((last - first) / pd.Timedelta(minutes=minutes)) + 1
        need, reason = self._min_history(minutes)
        if got < need:
            raise InsufficientHistoryError(self.name, need, got, minutes, reason)
        self.interval_minutes_ = minutes
        self.tz_ = validated.tz
        self.last_interval_start_ = last
        self.opening_hours_ = learn_opening_hours(validated.frame["interval_start"], validated.frame["calls_offered"],
                                                  minutes, tz=validated.tz)
        y = wallclock_series(validated, self.opening_hours_)
        self.last_naive_ = y.index[-1]
        self.n_filled_ = int(y.attrs.get("filled", 0))
        self._fit_model(validated, y)

    def _calibrate(self, validated: ValidatedHistory) -> IntervalCalibration:
        for weeks in range(self.calibration_weeks, 0, -1):
            calibration = self._holdout_calibration(validated, weeks)
            if calibration is not None:
                return calibration
        return self._naive_calibration(validated)

    def _naive_calibration(self, validated: ValidatedHistory) -> IntervalCalibration:
        """Calibration from same-time-yesterday errors (cheap, no refit)."""
        y = wallclock_series(validated, self.opening_hours_)
        is_open = self.opening_hours_.is_open_at(y.index)
        actual, pred = daily_naive_errors(y, is_open, validated.interval_minutes)
        return fit_interval_calibration(actual, pred, "daily_naive")

    def _holdout_calibration(self, validated: ValidatedHistory, weeks: int) -> IntervalCalibration | None:
        """Errors of a refit without the last ``weeks`` weeks, or None if too short."""
        minutes = validated.interval_minutes
        frame = validated.frame
        cut = frame["interval_start"].iloc[-1] - pd.Timedelta(days=DAYS_PER_WEEK * weeks)
        train = frame[frame["interval_start"] <= cut].reset_index(drop=True)
        test = frame[frame["interval_start"] > cut]
        if len(train) < 2 or len(test) == 0:
            return None
        train.attrs = dict(frame.attrs)
        sub = self.clone()
        try:
            sub._fit_core(ValidatedHistory(train, minutes, validated.tz))
        except InsufficientHistoryError:
            return None
        idx = pd.DatetimeIndex(test["interval_start"])
        horizon = int((idx[-1] - sub.last_interval_start_) / pd.Timedelta(minutes=minutes))
        fut = future_index(sub.last_interval_start_, horizon, minutes, validated.tz)
        pred = pd.Series(sub._masked_points(fut), index=fut).reindex(idx).to_numpy()
        keep = self.opening_hours_.is_open(idx, validated.tz)
        return fit_interval_calibration(test["calls_offered"].to_numpy()[keep], pred[keep], "holdout")

    def recalibrate(self, actual, predicted, source: str = "backtest") -> "BaseForecaster":
        """Replace the interval calibration by one from external forecast errors.

        The pipeline's rolling-origin backtest produces many more
        out-of-sample errors (several origins) than the single holdout refit
        of ``fit``; pass the observed calls and this model's forecasts of them
        (open intervals) to calibrate the bounds on those instead.

        Parameters
        ----------
        actual, predicted : array-like
            Observed calls and forecasts of the same intervals [calls].
        source : str
            Label stored in ``calibration_.source``.
        """
        self._check_fitted()
        self.calibration_ = fit_interval_calibration(np.asarray(actual), np.asarray(predicted), source)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "opening_hours_"):
            raise WfmInputError(f"{self.name}: call fit(history) before predict(horizon)")

    def _masked_points(self, future: pd.DatetimeIndex) -> np.ndarray:
        point = np.asarray(self._predict_points(future), dtype=float)
        point = np.where(np.isfinite(point), point, 0.0)
        point = np.clip(point, 0.0, None)
        point[~self.opening_hours_.is_open(future, self.tz_)] = 0.0
        return point

    def predict(self, horizon: int) -> pd.DataFrame:
        """Forecast the next ``horizon`` intervals after the history.

        Returns
        -------
        DataFrame
            Columns :data:`FORECAST_COLUMNS`; closed slots are exactly 0 with
            0-width bounds.
        """
        self._check_fitted()
        future = future_index(self.last_interval_start_, horizon, self.interval_minutes_, self.tz_)
        point = self._masked_points(future)
        bounds = interval_bounds(point, self.calibration_)
        out = pd.DataFrame({"interval_start": future, "calls_offered": point})
        for col in ("calls_offered_p10", "calls_offered_p90", "calls_offered_p025", "calls_offered_p975"):
            out[col] = bounds[col]
        out["model"] = self.name
        return out[FORECAST_COLUMNS]


class CalendarMixin:
    """Calendar regressors for models with ``country``, ``special_days``,
    ``events`` and ``bridge_days`` hyperparameters (regression, Prophet).

    ``special_days`` given by the caller wins over ``country``; ``country=None``
    and no ``special_days`` means no holiday regressors.
    """

    def _calendar(self, days: pd.DatetimeIndex) -> pd.DataFrame:
        days = pd.DatetimeIndex(days).normalize()
        if getattr(self, "special_days", None) is not None:
            special = _normalise_special(self.special_days)
        elif getattr(self, "country", None):
            special = special_days_frame(days.min(), days.max(), self.country,
                                         bridge_days=getattr(self, "bridge_days", True))
        else:
            special = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"),
                                    "name": pd.Series(dtype="str"), "kind": pd.Series(dtype="str")})
        return day_calendar(days, special, getattr(self, "events", None))


def tail_weeks(y: pd.Series, weeks: int | None, interval_minutes: int) -> pd.Series:
    """The last ``weeks`` whole weeks of ``y`` (all of ``y`` when ``weeks`` is None)."""
    if weeks is None:
        return y
    if isinstance(weeks, bool) or not isinstance(weeks, (int, np.integer)) or weeks < 2:
        raise WfmInputError(f"max_history_weeks must be None or a whole number >= 2, got {weeks!r}")
    return y.iloc[-int(weeks) * season_length(interval_minutes, "week"):]


def require_weeks(weeks: int | float, interval_minutes: int, reason: str) -> tuple[int, str]:
    """Helper for ``_min_history``: ``weeks`` weeks in intervals, with a reason."""
    return int(math.ceil(weeks * season_length(interval_minutes, "week"))), reason


def require_days(days: int | float, interval_minutes: int, reason: str) -> tuple[int, str]:
    """Helper for ``_min_history``: ``days`` days in intervals, with a reason."""
    return int(math.ceil(days * season_length(interval_minutes, "day"))), reason
