"""Forecast accuracy metrics: WAPE, MASE, bias, interval coverage, pinball loss.

Pure, vectorised functions. ``actual`` and the forecasts are numbers, lists,
ndarrays or Series of the same length [calls per interval]; each function
returns one float over all the values it is given (NaN pairs are refused,
not skipped, so nothing is silently dropped). :func:`pinball_loss` can also
return the per-interval losses (same shape as the input, Series index kept).

Definitions (``a`` actual, ``f`` forecast, sums over the evaluated intervals):

* WAPE = sum|a - f| / sum a  (weighted absolute percentage error, [2]_);
* MASE = mean|a - f| / mean|y_t - y_{t-m}| over the TRAINING history ``y``
  with a weekly season ``m`` [1]_;
* bias = sum(f - a) / sum a  (> 0: over-forecast);
* coverage = share of ``a`` with ``lower <= a <= upper``;
* pinball loss of a quantile forecast ``q_f`` at level ``tau``:
  ``max(tau * (a - q_f), (tau - 1) * (a - q_f))`` [3]_.

References
----------
.. [1] Hyndman, R.J. & Koehler, A.B. (2006) "Another look at measures of
   forecast accuracy", *International Journal of Forecasting* 22(4), 679-688.
.. [2] Kolassa, S. & Schuetz, W. (2007) "Advantages of the MAD/MEAN ratio over
   the MAPE", *Foresight* 6, 40-43 (WAPE = MAD/MEAN).
.. [3] Koenker, R. & Bassett, G. (1978) "Regression quantiles",
   *Econometrica* 46(1), 33-50; Gneiting, T. & Raftery, A.E. (2007)
   "Strictly proper scoring rules, prediction, and estimation", *JASA*
   102(477), 359-378.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError

__all__ = ["wape", "mase", "bias", "coverage", "pinball_loss", "mase_scale"]


def _arrays(name: str, **values) -> list[np.ndarray]:
    """Float arrays of equal length, finite; error names the parameter."""
    out = []
    length = None
    for key, value in values.items():
        arr = np.asarray(value, dtype=float).ravel()
        if length is None:
            length = len(arr)
        elif len(arr) != length:
            raise WfmInputError(f"{name}: {key} has {len(arr)} values, expected {length} (same length as the others)")
        if not np.all(np.isfinite(arr)):
            i = int(np.flatnonzero(~np.isfinite(arr))[0])
            raise WfmInputError(f"{name}: {key} must be finite, got {arr[i]} at position {i}")
        out.append(arr)
    if length == 0:
        raise WfmInputError(f"{name}: no values to evaluate (empty input)")
    return out


def wape(actual, forecast) -> float:
    """Weighted absolute percentage error [fraction].

    Parameters
    ----------
    actual, forecast : array-like
        Observed and forecast calls [calls per interval].

    Returns
    -------
    float
        ``sum|actual - forecast| / sum(actual)``; ``nan`` when no call was
        observed (undefined), 0 for a perfect forecast.

    References
    ----------
    .. [1] Kolassa & Schuetz (2007), see the module docstring.
    """
    a, f = _arrays("wape", actual=actual, forecast=forecast)
    total = a.sum()
    if total <= 0:
        return float("nan")
    return float(np.abs(a - f).sum() / total)


def bias(actual, forecast) -> float:
    """Relative bias [fraction]: ``sum(forecast - actual) / sum(actual)``.

    Positive means the forecast is too high. ``nan`` when no call was observed.
    """
    a, f = _arrays("bias", actual=actual, forecast=forecast)
    total = a.sum()
    if total <= 0:
        return float("nan")
    return float((f - a).sum() / total)


def mase_scale(history, season_intervals: int) -> float:
    """In-sample mean absolute seasonal difference ``mean|y_t - y_{t-m}|`` [calls].

    Parameters
    ----------
    history : array-like
        Training values on a regular grid [calls per interval].
    season_intervals : int
        Season length ``m`` in intervals (a week: ``7 * 1440 / interval_minutes``).
    """
    if isinstance(season_intervals, bool) or not isinstance(season_intervals, (int, np.integer)) or season_intervals < 1:
        raise WfmInputError(f"mase: season_intervals must be a whole number >= 1, got {season_intervals!r}")
    (y,) = _arrays("mase", history=history)
    if len(y) <= season_intervals:
        raise WfmInputError(
            f"mase: history has {len(y)} values, needs more than season_intervals={season_intervals} "
            "for the seasonal-naive scale"
        )
    return float(np.mean(np.abs(y[season_intervals:] - y[:-season_intervals])))


def mase(actual, forecast, history, season_intervals: int) -> float:
    """Mean absolute scaled error with a seasonal-naive scale [ratio].

    Parameters
    ----------
    actual, forecast : array-like
        Observed and forecast calls over the evaluated intervals.
    history : array-like
        The training series the forecast was made from (regular grid).
    season_intervals : int
        Season ``m`` in intervals; the project uses a week.

    Returns
    -------
    float
        ``mean|actual - forecast| / mean|y_t - y_{t-m}|``; < 1 means better
        than the in-sample seasonal naive forecast. ``nan`` if the scale is 0
        (a perfectly periodic history).

    References
    ----------
    .. [1] Hyndman & Koehler (2006), see the module docstring.
    """
    a, f = _arrays("mase", actual=actual, forecast=forecast)
    scale = mase_scale(history, season_intervals)
    if scale <= 0:
        return float("nan")
    return float(np.mean(np.abs(a - f)) / scale)


def coverage(actual, lower, upper) -> float:
    """Share of actuals inside ``[lower, upper]`` [fraction].

    Raises
    ------
    WfmInputError
        If some ``lower > upper`` (the bounds are swapped).
    """
    a, lo, hi = _arrays("coverage", actual=actual, lower=lower, upper=upper)
    if np.any(lo > hi):
        i = int(np.flatnonzero(lo > hi)[0])
        raise WfmInputError(f"coverage: lower must be <= upper, got lower={lo[i]} > upper={hi[i]} at position {i}")
    return float(np.mean((a >= lo) & (a <= hi)))


def pinball_loss(actual, quantile_forecast, quantile: float, *, reduce: bool = True):
    """Pinball (quantile) loss of a forecast of the ``quantile`` level [calls].

    Parameters
    ----------
    actual, quantile_forecast : array-like
        Observed calls and the forecast quantile (e.g. ``calls_offered_p90``).
    quantile : float
        Level ``tau`` in (0, 1), e.g. 0.9.
    reduce : bool
        True (default): the mean loss (a float). False: the loss per value,
        same shape as ``actual`` (a Series keeps its index).

    References
    ----------
    .. [1] Koenker & Bassett (1978); Gneiting & Raftery (2007).
    """
    if not (0.0 < float(quantile) < 1.0):
        raise WfmInputError(f"pinball_loss: quantile must be in (0, 1), got {quantile!r}")
    a, q = _arrays("pinball_loss", actual=actual, quantile_forecast=quantile_forecast)
    diff = a - q
    loss = np.maximum(quantile * diff, (quantile - 1.0) * diff)
    if reduce:
        return float(loss.mean())
    if isinstance(actual, pd.Series):
        return pd.Series(loss, index=actual.index, name="pinball_loss")
    return loss.reshape(np.shape(actual)) if np.ndim(actual) else float(loss[0])
