"""The rest of today re-forecast from the day-ahead forecast and the actuals so far.

Per queue, the ratio of the calls that came to the calls forecast over the intervals that
have ended is applied to the rest of the day, shrunk towards 1 by how much of the day has
passed -- measured as the share of the day's forecast calls in the ended intervals ``p``,
so a quiet night counts for little and the morning peak for much::

    ratio = sum(actual) / sum(forecast)          over the ended intervals
    weight = p ** shrink_power                   (p in [0, 1]; shrink_power >= 0)
    rest of day = forecast x (1 + weight (ratio - 1))

The handle time is re-forecast likewise, with the ratio of the actual handle time to the
forecast's over the ended intervals (weighted by the calls answered).  The bands of the
forecast are scaled with the calls.  ``shrink_power`` = 1 is the rule of the issue; the
benchmark (``benchmarks/intraday.py``) tuned it on some days (0.5 won, the default) and reports
on others.
With actuals equal to the forecast every ratio is 1 and the re-forecast is the forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimiser.today.actuals import day_bounds, elapsed_mask
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import FORECAST_BOUND_COLUMNS

__all__ = ["Reforecast", "reforecast_day", "PHASES", "DEFAULT_SHRINK_POWER"]

#: ``weight = share_of_day_passed ** 0.5``: chosen on the tuning days of ``benchmarks/intraday.py``
#: (demo and bank-1999, 2026-12-04) among 0, 0.5, 1, 2, 4; the issue's rule is 1.
DEFAULT_SHRINK_POWER = 0.5

#: ``phase`` of an interval of the day: ended (its actuals are known) or still to come.
PHASES: tuple[str, ...] = ("actual", "reforecast")


@dataclass(frozen=True)
class Reforecast:
    """A day re-forecast at ``now``.

    Attributes
    ----------
    forecast : DataFrame
        Every interval of the day and queue: ``interval_start``, ``queue``, ``phase``,
        ``calls_offered`` and ``aht_seconds`` (actual for ended intervals, re-forecast for
        the rest), the scaled bound columns, ``calls_offered_day_ahead``,
        ``aht_seconds_day_ahead``.
    ratios : DataFrame
        Per queue: ``calls_ratio_observed``, ``share_of_day_passed``, ``weight``,
        ``calls_ratio`` (applied), ``aht_ratio_observed``, ``aht_ratio`` (applied).
    now : Timestamp
    interval_minutes : int
    """

    forecast: pd.DataFrame
    ratios: pd.DataFrame
    now: pd.Timestamp
    interval_minutes: int

    def rest_of_day(self) -> pd.DataFrame:
        """The intervals still to come."""
        return self.forecast[self.forecast["phase"] == "reforecast"].reset_index(drop=True)


def _check_power(shrink_power) -> float:
    try:
        value = float(shrink_power)
    except (TypeError, ValueError):
        value = float("nan")
    if not np.isfinite(value) or value < 0:
        raise WfmInputError(f"shrink_power must be a finite number >= 0, got {shrink_power!r}",
                            parameter="shrink_power")
    return value


def _queue_ratios(plan: pd.DataFrame, shrink_power: float) -> pd.DataFrame:
    """Observed and applied ratios per queue from ``plan`` with ``elapsed``, ``actual_calls``, ``actual_aht``."""
    f = plan.assign(
        f_done=np.where(plan["elapsed"], plan["calls_offered"], 0.0),
        a_done=np.where(plan["elapsed"], plan["actual_calls"], 0.0))
    aht_ok = f["elapsed"] & (f["actual_answered"] > 0) & np.isfinite(f["actual_aht"]) & (f["aht_seconds"] > 0)
    f["work_actual"] = np.where(aht_ok, f["actual_answered"] * f["actual_aht"], 0.0)
    f["work_forecast"] = np.where(aht_ok, f["actual_answered"] * f["aht_seconds"], 0.0)
    g = f.groupby("queue", sort=True)
    s = g[["f_done", "a_done", "calls_offered", "work_actual", "work_forecast"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = np.where(s["f_done"] > 0, s["a_done"] / s["f_done"], 1.0)
        passed = np.where(s["calls_offered"] > 0, s["f_done"] / s["calls_offered"], 0.0)
        aht_observed = np.where(s["work_forecast"] > 0, s["work_actual"] / s["work_forecast"], 1.0)
    weight = np.clip(passed, 0.0, 1.0) ** shrink_power
    return pd.DataFrame({"calls_ratio_observed": observed, "share_of_day_passed": passed, "weight": weight,
                         "calls_ratio": 1.0 + weight * (observed - 1.0),
                         "aht_ratio_observed": aht_observed,
                         "aht_ratio": 1.0 + weight * (aht_observed - 1.0)}, index=s.index)


def reforecast_day(plan_day: pd.DataFrame, actuals: pd.DataFrame, now, *,
                   shrink_power: float = DEFAULT_SHRINK_POWER) -> Reforecast:
    """Re-forecast the rest of the day of ``now``.

    Parameters
    ----------
    plan_day : DataFrame
        The day-ahead forecast of the day (:func:`optimiser.today.actuals.day_of_plan`).
    actuals : DataFrame
        The actuals so far (:func:`optimiser.today.actuals.actuals_so_far`: every ended
        interval present, no other day, no unknown queue).
    now : timestamp
        The moment of the re-forecast.
    shrink_power : float
        ``weight = share_of_day_passed ** shrink_power``; 0 trusts the ratio fully, large
        values keep the day-ahead forecast longer.

    Returns
    -------
    Reforecast
    """
    power = _check_power(shrink_power)
    im = int(plan_day.attrs["interval_minutes"])
    tz = plan_day["interval_start"].dt.tz
    ts, _, _ = day_bounds(now, tz)
    plan = plan_day.copy()
    plan["calls_offered"] = pd.to_numeric(plan["calls_offered"]).astype(float)
    plan["aht_seconds"] = pd.to_numeric(plan["aht_seconds"]).astype(float)
    plan["elapsed"] = elapsed_mask(plan["interval_start"], im, ts)
    act = actuals.assign(queue=actuals["queue"].astype(str))
    act = act.set_index(["queue", "interval_start"])
    key = pd.MultiIndex.from_arrays([plan["queue"].astype(str), plan["interval_start"]])
    plan["actual_calls"] = act["calls_offered"].reindex(key).to_numpy(dtype=float)
    answered = act["calls_answered"] if "calls_answered" in act.columns else act["calls_offered"]
    plan["actual_answered"] = pd.to_numeric(answered.reindex(key), errors="coerce").to_numpy(dtype=float,
                                                                                            na_value=np.nan)
    aht = act["aht_seconds"] if "aht_seconds" in act.columns else pd.Series(np.nan, index=act.index)
    plan["actual_aht"] = pd.to_numeric(aht.reindex(key), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ratios = _queue_ratios(plan, power)
    r_calls = plan["queue"].astype(str).map(ratios["calls_ratio"]).to_numpy(dtype=float)
    r_aht = plan["queue"].astype(str).map(ratios["aht_ratio"]).to_numpy(dtype=float)
    done = plan["elapsed"].to_numpy()
    out = pd.DataFrame({"interval_start": plan["interval_start"], "queue": plan["queue"].astype(str),
                        "phase": np.where(done, "actual", "reforecast")})
    out["calls_offered"] = np.where(done, plan["actual_calls"], plan["calls_offered"] * r_calls)
    known_aht = done & np.isfinite(plan["actual_aht"].to_numpy())
    out["aht_seconds"] = np.where(known_aht, plan["actual_aht"],
                                  np.where(done, plan["aht_seconds"], plan["aht_seconds"] * r_aht))
    for column in FORECAST_BOUND_COLUMNS:
        if column in plan.columns:
            bound = pd.to_numeric(plan[column]).to_numpy(dtype=float)
            out[column] = np.where(done, plan["actual_calls"], bound * r_calls)
    out["calls_offered_day_ahead"] = plan["calls_offered"].to_numpy()
    out["aht_seconds_day_ahead"] = plan["aht_seconds"].to_numpy()
    out.attrs["interval_minutes"] = im
    return Reforecast(forecast=out, ratios=ratios, now=ts, interval_minutes=im)
