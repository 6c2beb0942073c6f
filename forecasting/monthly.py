"""Long-range demand by month: volumes per queue with trend and yearly season, handle-time trend,
and the shape of an ordinary week in each month of the year.

Capacity planning looks 12-36 months ahead, where interval models have nothing to say: what
matters is the level, its trend and the yearly season.  This module gives those, per queue, from
the same long-format history frame every other model reads (``interval_start`` tz-aware, ``queue``,
``calls_offered``, optionally ``calls_answered`` and ``aht_seconds``).

:class:`MonthlyForecaster` (the model protocol: ``fit(history) -> self``, ``predict(start, months)
-> frame``) works on the calls per day of each full local calendar month:

``log y_t = a + b t + s_moy(t) + e_t``

* the trend ``b`` is a Theil-Sen slope [1]_ [2]_ (robust: a fraud-wave month does not tilt it)
  and the season ``s`` (12 values, mean 0) the median over the years of each calendar month's
  detrended value, iterated four times between the two (a robust form of the classical
  decomposition, Hyndman & Athanasopoulos [3]_, section 3.4); with fewer than
  ``min_season_months`` full months (but at least 12) the trend is left out (one yearly cycle
  cannot tell a trend from the season), with fewer than 12 the season too (the level is the
  mean of the last three months);
* the spread of the month factor ``e`` is the MAD of the residuals x 1.4826; the forecast's
  log-scale standard deviation ``h`` months past the history is
  ``sqrt(sigma^2 (1 + 1/n_m) + (h se_b)^2)`` (``n_m`` the years behind that calendar month's seasonal
  factor) with ``se_b`` from the Theil-Sen 95 % interval, and the
  residuals' lag-1 autocorrelation is kept for simulations;
* ``trend_damping`` (phi in (0, 1]) damps the trend as in Gardner & McKenzie [4]_: ``h`` months on
  adds ``b (phi + ... + phi^h)``; 1 is no damping.

Handle time: the calls-weighted mean AHT of each full month and a Theil-Sen line through the last
``aht_trend_months`` of them (no season), damped as the calls, never below half of the last
year's mean.

The fitted model also keeps, per queue and calendar month, the share of an ordinary week's calls in
each slot of the week (local wall clock, ``week_profile_``) and the handle time of each slot
relative to the queue's mean (``aht_profile_``, from :class:`forecasting.aht.AhtForecaster` without
its trend): with the monthly volumes they make the representative week of any future month.

References
----------
.. [1] Theil, H. (1950) "A rank-invariant method of linear and polynomial regression analysis",
   *Proc. KNAW* 53.
.. [2] Sen, P.K. (1968) "Estimates of the regression coefficient based on Kendall's tau",
   *JASA* 63(324), 1379-1389.
.. [3] Hyndman, R.J. & Athanasopoulos, G. (2021) *Forecasting: principles and practice*, 3rd ed.,
   OTexts.
.. [4] Gardner, E.S. & McKenzie, E. (1985) "Forecasting trends in time series", *Management
   Science* 31(10), 1237-1246.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import theilslopes

from forecasting.aht import AhtForecaster
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import check_history
from wfm.ground.timegrid import check_interval_minutes, interval_minutes_of, local_wallclock, slot_of_week
from wfm.ground.vocabulary import MINUTES_PER_DAY, MINUTES_PER_WEEK

__all__ = [
    "MONTHLY_COLUMNS",
    "MonthlyForecaster",
    "QueueMonthlyModel",
    "first_of_month",
    "month_starts",
    "monthly_totals",
]

#: Columns of :meth:`MonthlyForecaster.predict`.
MONTHLY_COLUMNS: tuple[str, ...] = (
    "month", "queue", "calls_offered", "calls_per_day", "log_sd", "aht_seconds",
)
#: The MAD of a normal sample times this is its standard deviation.
MAD_TO_SD = 1.4826
#: Smallest log-scale spread reported (a perfectly smooth series is not certain).
MIN_LOG_SD = 0.01
_SEASON_ITERATIONS = 4


def first_of_month(value, parameter: str = "month") -> dt.date:
    """The first day of the month of ``value`` (a date, a timestamp or ``YYYY-MM[-DD]`` text)."""
    if isinstance(value, pd.Timestamp):
        value = value.date()
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value).strip()
    try:
        parsed = dt.date.fromisoformat(text if len(text) > 7 else f"{text}-01")
    except ValueError:
        raise WfmInputError(f"{parameter} must be a month YYYY-MM or a date YYYY-MM-DD, got {value!r}",
                            parameter=parameter) from None
    return parsed.replace(day=1)


def month_starts(start, months: int) -> list[dt.date]:
    """``months`` consecutive first-of-month dates from the month of ``start``."""
    first = first_of_month(start, "start")
    index = first.year * 12 + first.month - 1
    return [dt.date((index + k) // 12, (index + k) % 12 + 1, 1) for k in range(int(months))]


def _days_in_month(months: list[dt.date]) -> np.ndarray:
    return np.array([pd.Timestamp(m).days_in_month for m in months], dtype=float)


@dataclass(frozen=True)
class QueueMonthlyModel:
    """What :class:`MonthlyForecaster` learned for one queue.

    Attributes
    ----------
    queue : str
    method : str
        ``trend+season``, ``season`` (12 to ``min_season_months`` full months: no trend) or
        ``level`` (fewer than 12).
    last_month : datetime.date
        The last full month of the history (t = 0).
    intercept : float
        log calls per day at t = 0 without the season [log calls/day].
    slope_per_month : float
        Trend [log calls/day per month]; ``exp(12 b) - 1`` is the yearly growth.
    slope_se : float
        Standard error of the slope [log per month].
    season : tuple of float
        Twelve log factors, January first, mean 0.
    residual_sd : float
        Spread of a month's factor [log scale].
    residual_autocorr : float
        Lag-1 autocorrelation of the monthly residuals, in [0, 0.95].
    months_used : int
        Full months fitted.
    season_years : tuple of int
        Full months of each calendar month (January first) behind its seasonal factor; the level's
        months (3) for the ``level`` method.
    aht_intercept_seconds, aht_slope_seconds_per_month, aht_floor_seconds : float
        The handle-time line at t = 0, its slope and its floor [s]; NaN when the history has no
        handle times.
    """

    queue: str
    method: str
    last_month: dt.date
    intercept: float
    slope_per_month: float
    slope_se: float
    season: tuple[float, ...]
    residual_sd: float
    residual_autocorr: float
    months_used: int
    season_years: tuple[int, ...]
    aht_intercept_seconds: float
    aht_slope_seconds_per_month: float
    aht_floor_seconds: float

    @property
    def growth_per_year(self) -> float:
        """Trend growth per year [fraction]."""
        return float(np.expm1(12.0 * self.slope_per_month))


def _calendar(history: pd.DataFrame, tz: str, minutes: int) -> pd.DataFrame:
    """One row per history row: queue, local day number, calendar month, weekday, slot of the week."""
    wall = local_wallclock(history["interval_start"], tz)
    day = wall.normalize()
    frame = pd.DataFrame({
        "queue": history["queue"].astype(str).to_numpy(),
        "day": (day.as_unit("ns").asi8 // 86_400_000_000_000).astype(np.int64),
        "ym": (wall.year.to_numpy() * 12 + wall.month.to_numpy() - 1).astype(np.int64),
        "moy": wall.month.to_numpy(),
        "weekday": wall.day_of_week.to_numpy(),
        "slot": slot_of_week(wall, minutes),
        "calls": pd.to_numeric(history["calls_offered"], errors="coerce").to_numpy(float),
    })
    if "aht_seconds" in history.columns:
        weight_col = "calls_answered" if "calls_answered" in history.columns else "calls_offered"
        w = pd.to_numeric(history[weight_col], errors="coerce").to_numpy(float)
        aht = pd.to_numeric(history["aht_seconds"], errors="coerce").to_numpy(float)
        ok = np.isfinite(w) & np.isfinite(aht) & (w > 0)
        frame["w"] = np.where(ok, w, 0.0)
        frame["wa"] = np.where(ok, w * aht, 0.0)
    else:
        frame["w"] = 0.0
        frame["wa"] = 0.0
    return frame


def _monthly_totals(cal: pd.DataFrame) -> pd.DataFrame:
    g = cal.groupby(["queue", "ym"], sort=True)
    out = g.agg(calls_offered=("calls", "sum"), days=("day", "nunique"), w=("w", "sum"), wa=("wa", "sum"))
    out = out.reset_index()
    ym = out["ym"].to_numpy()
    out["month"] = [dt.date(int(v) // 12, int(v) % 12 + 1, 1) for v in ym]
    out = out[out["days"].to_numpy() == _days_in_month(list(out["month"]))].copy()
    out["calls_per_day"] = out["calls_offered"] / out["days"]
    out["aht_seconds"] = np.where(out["w"] > 0, out["wa"] / out["w"].where(out["w"] > 0, 1.0), np.nan)
    return out[["queue", "month", "calls_offered", "days", "calls_per_day", "aht_seconds"]].reset_index(drop=True)


def monthly_totals(history: pd.DataFrame, tz: str | None = None) -> pd.DataFrame:
    """Calls and calls-weighted handle time per queue and FULL local calendar month.

    Returns
    -------
    DataFrame
        ``queue, month`` (first of month, ``datetime.date``), ``calls_offered``, ``days``,
        ``calls_per_day``, ``aht_seconds`` (NaN without handle times); only months in which every
        local day has at least one interval of that queue.
    """
    check_history(history, what="history")
    minutes = interval_minutes_of(history, what="history")
    return _monthly_totals(_calendar(history, tz or str(history["interval_start"].dt.tz), minutes))


def _theil(y: np.ndarray, t: np.ndarray) -> tuple[float, float, float]:
    """Theil-Sen slope, intercept and the slope's standard error (from its 95 % interval)."""
    if len(y) < 3:
        return 0.0, float(np.median(y)) if len(y) else 0.0, 0.0
    slope, intercept, low, high = theilslopes(y, t, alpha=0.95)
    return float(slope), float(intercept), float(max(high - low, 0.0) / (2 * 1.96))


def _robust_sd(residuals: np.ndarray) -> float:
    if len(residuals) < 3:
        return MIN_LOG_SD
    mad = float(np.median(np.abs(residuals - np.median(residuals))))
    return max(MAD_TO_SD * mad, MIN_LOG_SD)


def _autocorr(residuals: np.ndarray, sd: float) -> float:
    if len(residuals) < 6:
        return 0.0
    r = np.clip(residuals, -3 * sd, 3 * sd)  # a wave month does not make the series look persistent
    r = r - r.mean()
    denom = float((r * r).sum())
    if denom <= 0:
        return 0.0
    return float(np.clip((r[1:] * r[:-1]).sum() / denom, 0.0, 0.95))


def _fit_calls(z: np.ndarray, t: np.ndarray, moy: np.ndarray, use_trend: bool, use_season: bool):
    """Trend and season of log calls/day by alternating Theil-Sen and seasonal medians."""
    season = np.zeros(12)
    slope, intercept, se = 0.0, float(np.mean(z[-3:])), 0.0
    for _ in range(_SEASON_ITERATIONS if use_season else 1):
        adjusted = z - season[moy]
        if use_trend:
            slope, intercept, se = _theil(adjusted, t)
        else:
            intercept = float(np.median(adjusted)) if use_season else float(np.mean(adjusted[-3:]))
        if use_season:
            detrended = z - intercept - slope * t
            med = pd.Series(detrended).groupby(moy).median()
            season = np.zeros(12)
            season[med.index.to_numpy()] = med.to_numpy()
            season[med.index.to_numpy()] -= med.mean()
    return slope, intercept, se, season


class MonthlyForecaster:
    """Calls per month per queue with trend and yearly season, the handle-time trend, and the
    shape of an ordinary week in each calendar month.

    Parameters
    ----------
    interval_minutes : int, optional
        Slot length of the week shapes [min]: the history's interval (default) or a multiple of
        it that divides a day.
    min_season_months : int
        Full months needed to estimate the trend beside the yearly season (default 24: two of
        each calendar month); from 12 months the season alone is estimated.
    trend_damping : float
        Damping factor phi per month, in (0, 1]; 1 (default) keeps the trend undamped.
    aht_trend_months : int
        Months of handle-time means in its trend (default 24).
    tz : str, optional
        Zone of the local calendar; default the history's own.

    Attributes
    ----------
    models_ : dict of str to QueueMonthlyModel
        Per queue, what was learned of the monthly volumes and handle time.
    week_profile_ : DataFrame
        ``queue, month_of_year`` (1-12), ``slot`` (0 .. slots per week - 1, Monday 00:00 local
        first), ``share``: for each queue and calendar month (all years together), the mean calls
        of each wall-clock slot over the days of that weekday in that month, normalised to sum to
        1 over the week; a calendar month the history does not cover takes the queue's all-year
        shape.
    aht_profile_ : DataFrame
        ``queue, slot, aht_factor``: each slot's handle time relative to the queue's
        calls-weighted mean (:class:`forecasting.aht.AhtForecaster`'s slot profile, shrunk towards
        hourly means, without its trend; coarser slots take the calls-weighted mean of their
        sub-slots); 1 everywhere for a queue without handle times.
    interval_minutes_ : int
        Slot length of the profiles [min].
    """

    def __init__(self, interval_minutes: int | None = None, min_season_months: int = 24,
                 trend_damping: float = 1.0, aht_trend_months: int = 24, tz: str | None = None):
        self.interval_minutes = interval_minutes
        self.min_season_months = min_season_months
        self.trend_damping = trend_damping
        self.aht_trend_months = aht_trend_months
        self.tz = tz

    def _check(self) -> None:
        for name, low in (("min_season_months", 12), ("aht_trend_months", 2)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
                raise WfmInputError(f"{name} must be a whole number >= {low}, got {v!r}", parameter=name)
        phi = self.trend_damping
        if isinstance(phi, bool) or not isinstance(phi, (int, float, np.number)) or not 0 < phi <= 1:
            raise WfmInputError(f"trend_damping must be in (0, 1], got {phi!r}", parameter="trend_damping")

    def fit(self, history: pd.DataFrame) -> "MonthlyForecaster":
        """Learn the monthly models and the week shapes of every queue.

        Raises
        ------
        WfmInputError
            Bad parameters, a history that breaks the history contract, a slot length that is not a
            multiple of the history's interval, or a queue without one full calendar month.
        """
        self._check()
        check_history(history, what="history")
        base = interval_minutes_of(history, what="history")
        minutes = base if self.interval_minutes is None else check_interval_minutes(self.interval_minutes)
        if minutes % base:
            raise WfmInputError(f"interval_minutes must be a multiple of the history's {base}-minute interval, "
                                f"got {minutes}", parameter="interval_minutes")
        self.tz_ = self.tz or str(history["interval_start"].dt.tz)
        self.interval_minutes_ = minutes
        cal = _calendar(history, self.tz_, base)
        totals = _monthly_totals(cal)
        self.models_: dict[str, QueueMonthlyModel] = {}
        for queue in sorted(cal["queue"].unique()):
            rows = totals[totals["queue"] == queue]
            if rows.empty:
                raise WfmInputError(f"history: queue {queue!r} has no full calendar month; monthly volumes "
                                    "need at least one month with every day present", parameter="history")
            self.models_[queue] = self._fit_queue(queue, rows)
        self.totals_ = totals
        fine = _week_shares(cal, base)
        self.week_profile_ = _coarsen_shares(fine, base, minutes)
        self.aht_profile_ = _aht_factors(history, fine, base, minutes, self.tz_)
        return self

    def _fit_queue(self, queue: str, rows: pd.DataFrame) -> QueueMonthlyModel:
        months = list(rows["month"])
        last = months[-1]
        t = np.array([(m.year - last.year) * 12 + m.month - last.month for m in months], dtype=float)
        moy = np.array([m.month - 1 for m in months])
        z = np.log(np.maximum(rows["calls_per_day"].to_numpy(float), 1e-3))
        n = len(z)
        use_trend = n >= self.min_season_months
        use_season = n >= 12
        slope, intercept, se, season = _fit_calls(z, t, moy, use_trend, use_season)
        resid = z - intercept - slope * t - season[moy]
        sd = _spread(z - intercept - slope * t, moy, resid, use_season)
        method = "trend+season" if use_trend else ("season" if use_season else "level")
        aht = rows["aht_seconds"].to_numpy(float)
        ok = np.isfinite(aht)
        if ok.any():
            recent = ok & (t > -self.aht_trend_months)
            a_slope, a_int, _ = _theil(aht[recent], t[recent]) if recent.sum() >= 6 else \
                (0.0, float(np.mean(aht[recent] if recent.any() else aht[ok])), 0.0)
            floor = 0.5 * float(np.mean(aht[ok][-12:]))
        else:
            a_slope, a_int, floor = 0.0, np.nan, np.nan
        counts = np.bincount(moy, minlength=12) if use_season else np.full(12, min(n, 3))
        return QueueMonthlyModel(queue, method, last, float(intercept), float(slope), float(se),
                                 tuple(float(v) for v in season), float(sd), _autocorr(resid, sd), n,
                                 tuple(int(c) for c in counts),
                                 float(a_int), float(a_slope), float(floor))

    def _steps(self, months: list[dt.date], last: dt.date) -> tuple[np.ndarray, np.ndarray]:
        """Trend steps (damped) and months past the history of each forecast month."""
        h = np.array([(m.year - last.year) * 12 + m.month - last.month for m in months], dtype=float)
        ahead = np.maximum(h, 0.0)
        phi = float(self.trend_damping)
        if phi >= 1.0:
            return h, ahead
        damped = phi * (1 - phi ** ahead) / (1 - phi)
        return np.where(h > 0, damped, h), ahead

    def predict(self, start, months: int) -> pd.DataFrame:
        """Calls and handle time per queue for ``months`` calendar months from ``start``.

        Returns
        -------
        DataFrame
            :data:`MONTHLY_COLUMNS`: ``month`` (first of month, ``datetime.date``), ``queue``,
            ``calls_offered`` (expected calls in the month), ``calls_per_day``, ``log_sd`` (spread
            of the month's volume on the log scale), ``aht_seconds`` (the month's mean handle
            time; NaN when the history had none).
        """
        if not hasattr(self, "models_"):
            raise WfmInputError("MonthlyForecaster: call fit(history) before predict(start, months)")
        if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
            raise WfmInputError(f"months must be a whole number >= 1, got {months!r}", parameter="months")
        starts = month_starts(start, months)
        days = _days_in_month(starts)
        moy = np.array([m.month - 1 for m in starts])
        parts = []
        for queue, model in self.models_.items():
            steps, ahead = self._steps(starts, model.last_month)
            z = model.intercept + model.slope_per_month * steps + np.asarray(model.season)[moy]
            # a new month's own noise, the error of its seasonal factor (a median of that month's years:
            # about sigma^2 / n of them) and the trend's error growing with the horizon
            n_years = np.maximum(np.asarray(model.season_years, dtype=float)[moy], 1.0)
            log_sd = np.sqrt(model.residual_sd ** 2 * (1.0 + 1.0 / n_years) + (model.slope_se * ahead) ** 2)
            per_day = np.exp(z + 0.5 * log_sd ** 2)  # the mean of the log-normal month factor
            aht = model.aht_intercept_seconds + model.aht_slope_seconds_per_month * steps
            aht = np.maximum(aht, model.aht_floor_seconds)
            parts.append(pd.DataFrame({
                "month": starts, "queue": queue, "calls_offered": per_day * days, "calls_per_day": per_day,
                "log_sd": log_sd, "aht_seconds": aht,
            }))
        return pd.concat(parts, ignore_index=True)[list(MONTHLY_COLUMNS)]


def _spread(detrended: np.ndarray, moy: np.ndarray, resid: np.ndarray, use_season: bool) -> float:
    """Spread of a month's factor [log]: leave-one-year-out seasonal residuals when the season was
    fitted (a median of three years would otherwise hide a third of the residuals as zeros)."""
    if not use_season:
        return _robust_sd(resid)
    loo = []
    for k in range(12):
        idx = np.flatnonzero(moy == k)
        if len(idx) < 2:
            continue
        for i in idx:
            others = detrended[idx[idx != i]]
            # the left-out value minus the others' median, scaled to one observation's spread
            loo.append((detrended[i] - np.median(others)) / np.sqrt(1.0 + 1.0 / len(others)))
    return _robust_sd(np.asarray(loo)) if len(loo) >= 6 else _robust_sd(resid)


def _week_shares(cal: pd.DataFrame, minutes: int) -> pd.DataFrame:
    """Share of the week's calls per queue, calendar month and slot at the history's resolution."""
    n_slots = MINUTES_PER_WEEK // minutes
    slot_weekday = (np.arange(n_slots) * minutes) // MINUTES_PER_DAY
    n_days = cal.groupby(["queue", "moy", "weekday"])["day"].nunique()
    sums = cal.groupby(["queue", "moy", "slot"])["calls"].sum()
    rows = []
    for queue in sorted(cal["queue"].unique()):
        per_moy = {}
        q_sums, q_days = sums.loc[queue], n_days.loc[queue]
        for moy in sorted(set(q_sums.index.get_level_values(0))):
            calls = q_sums.loc[moy].reindex(range(n_slots), fill_value=0.0).to_numpy()
            days = q_days.loc[moy].reindex(range(7), fill_value=0).to_numpy()[slot_weekday]
            per_moy[moy] = np.where(days > 0, calls / np.maximum(days, 1), 0.0)
        fallback = np.mean(list(per_moy.values()), axis=0)
        for moy in range(1, 13):
            mean = per_moy.get(moy, fallback)
            total = mean.sum()
            share = mean / total if total > 0 else np.full(n_slots, 1.0 / n_slots)
            rows.append(pd.DataFrame({"queue": queue, "month_of_year": moy, "slot": np.arange(n_slots),
                                      "share": share}))
    return pd.concat(rows, ignore_index=True)


def _coarsen_shares(fine: pd.DataFrame, base: int, minutes: int) -> pd.DataFrame:
    if minutes == base:
        return fine
    out = fine.assign(slot=fine["slot"] * base // minutes)
    return out.groupby(["queue", "month_of_year", "slot"], as_index=False)["share"].sum()


def _aht_factors(history: pd.DataFrame, fine: pd.DataFrame, base: int, minutes: int, tz: str) -> pd.DataFrame:
    """Each slot's handle time relative to the queue's mean, from AhtForecaster's slot profile."""
    # a reference week (Monday 2024-01-08, no DST change) at the history's resolution
    ref = pd.date_range(pd.Timestamp("2024-01-08"), periods=MINUTES_PER_WEEK // base,
                        freq=f"{base}min").tz_localize(tz)
    fine_slot = np.arange(len(ref))
    coarse = fine_slot * base // minutes
    shares = fine.groupby(["queue", "slot"])["share"].mean()
    rows = []
    for queue, part in history.groupby(history["queue"].astype(str), sort=True):
        model = AhtForecaster(trend=False).fit(part.drop(columns=["queue"]))
        aht = model.predict(ref).to_numpy(float)
        n = MINUTES_PER_WEEK // minutes
        if not np.isfinite(model.overall_) or not np.isfinite(aht).all():
            factor = np.ones(n)
        else:
            w = shares.loc[queue].reindex(fine_slot, fill_value=0.0).to_numpy() + 1e-9
            slot_aht = np.bincount(coarse, weights=w * aht, minlength=n) / np.bincount(coarse, weights=w, minlength=n)
            factor = slot_aht / float(np.sum(w * aht) / np.sum(w))
        rows.append(pd.DataFrame({"queue": queue, "slot": np.arange(n), "aht_factor": factor}))
    return pd.concat(rows, ignore_index=True)
