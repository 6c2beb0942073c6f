"""Risk of missing the accessibility target, from the forecast's uncertainty.

A forecast gives per interval a point (``calls_offered``) and an 80 % band
(``calls_offered_p10`` .. ``calls_offered_p90``).  We sample many plausible
days of call volumes around the point and ask, for a given plan (agents on the
phone per interval), how often the day's service level meets its target.

Sampling model (documented choice)
----------------------------------
Lognormal around the point: ``log X[d, i] = log m[i] + sigma[i] * (sqrt(rho) *
Z[d] + sqrt(1 - rho) * E[d, i])`` with ``Z`` (one per sample and local day)
and ``E`` (one per sample and interval) independent standard normals.  The
point is the median; ``sigma[i] = (log p90 - log p10) / (2 * 1.2816)`` so the
sampled 10 % and 90 % quantiles are exactly the forecast's band.  ``rho``
(``daily_share``, default 0.5) is the share of the log-variance that is common
to the whole day: forecast errors are correlated within a day (a busy day is
busy all day), which is what makes a whole day miss its target.

When the forecast carries its backtested day-level band (column
``day_calls_p90_ratio``, written when the forecast model is ``auto``: the 90th
percentile of a day's actual calls over its forecast in the backtest), the day
factor is calibrated on it instead: ``log X = log m + s_day * Z[d] +
sqrt(max(sigma^2 - s_day^2, 0)) * E`` with ``s_day = log(ratio) / 1.2816``, so
the sampled days' 90th percentile is the backtested one and the interval bands
keep their width (issue 17 item 5: half of a 15-minute band, mostly Poisson
noise, shared across the day implied a 90th-percentile day at 1.34x the
forecast where backtests show 1.08-1.32x).  ``daily_share`` then is not used.  Several
queues are pooled (calls summed, handle time call-weighted, bands summed,
i.e. errors assumed fully correlated across queues -- a cautious choice).

Per sample the service level of each interval is Erlang C (or Erlang A with
``patience_seconds``) at the sampled volume and the plan's agents; the day's
service level is the call-weighted mean over its intervals (the usual daily
figure).  Because Erlang is evaluated at the sampled *mean* arrival rate,
Poisson noise on top of it is not counted twice.

References
----------
.. [1] N. Gans, G. Koole, A. Mandelbaum, "Telephone call centers: tutorial,
   review, and research prospects", M&SOM 5(2), 2003 (staffing under arrival
   rate uncertainty).
.. [2] A. N. Avramidis, A. Deslauriers, P. L'Ecuyer, "Modeling daily arrivals
   to a telephone call center", Management Science 50(7), 2004 (a shared daily
   factor).
.. [3] Erlang C / A: see :mod:`optimiser.queueing.erlang`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from optimiser.queueing import erlang
from optimiser.queueing.on_phone import on_phone_from_schedule, scheduled_from_on_phone
from optimiser.staffing.requirement import AccessibilityTargets, required_agents
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import FORECAST_DAY_RATIO_COLUMN
from wfm.ground.timegrid import interval_minutes_of

__all__ = ["Z80", "pool_queues", "log_sigma_from_band", "day_sigma_from_ratio", "sample_calls", "daily_service_level",
           "RiskResult", "plan_risk", "ConfidencePlan", "staff_to_confidence", "check_overlap"]

#: z-score of the 90 % quantile: the p10..p90 band spans 2 * Z80 standard deviations.
Z80 = float(norm.ppf(0.9))


def pool_queues(forecast: pd.DataFrame, source: str = "forecast") -> pd.DataFrame:
    """One pooled series per interval from a long forecast frame.

    Returns a frame indexed by tz-aware ``interval_start`` with
    ``calls_offered``, ``calls_offered_p10``, ``calls_offered_p90`` (summed)
    and ``aht_seconds`` (call-weighted mean; the plain mean where no calls).
    """
    need = ["interval_start", "calls_offered", "calls_offered_p10", "calls_offered_p90", "aht_seconds"]
    day_band = FORECAST_DAY_RATIO_COLUMN in forecast.columns and \
        pd.to_numeric(forecast[FORECAST_DAY_RATIO_COLUMN], errors="coerce").notna().any()
    missing = [c for c in need if c not in forecast.columns]
    if missing:
        raise WfmInputError(f"{source} lacks column(s) {', '.join(missing)} needed for the risk "
                            f"(the forecast CSV of wfm forecast has them)")
    if len(forecast) == 0:
        raise WfmInputError(f"{source} has no rows")
    if not isinstance(forecast["interval_start"].dtype, pd.DatetimeTZDtype):
        raise WfmInputError(f"{source}: interval_start must be tz-aware, got {forecast['interval_start'].dtype}")
    f = forecast[need].copy()
    for c in need[1:]:
        f[c] = pd.to_numeric(f[c], errors="coerce").astype(float)
    for c in need[1:4]:
        bad = ~np.isfinite(f[c].to_numpy()) | (f[c].to_numpy() < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise WfmInputError(f"{source}: row {i + 1}, column {c}: must be >= 0 and finite, "
                                f"got {forecast[c].iloc[i]!r}")
    order = (f["calls_offered_p10"] <= f["calls_offered"] + 1e-9) & \
        (f["calls_offered"] <= f["calls_offered_p90"] + 1e-9)
    if not order.all():
        i = int(np.flatnonzero(~order.to_numpy())[0])
        raise WfmInputError(f"{source}: row {i + 1}: need calls_offered_p10 <= calls_offered <= "
                            f"calls_offered_p90, got {f['calls_offered_p10'].iloc[i]:g}, "
                            f"{f['calls_offered'].iloc[i]:g}, {f['calls_offered_p90'].iloc[i]:g}")
    f["work"] = f["calls_offered"] * f["aht_seconds"].fillna(0.0)
    summed = ["calls_offered", "calls_offered_p10", "calls_offered_p90", "work"]
    if day_band:  # queues pooled fully correlated, as the bands: the calls-weighted mean ratio
        ratio = pd.to_numeric(forecast[FORECAST_DAY_RATIO_COLUMN], errors="coerce").to_numpy(float)
        f["_ratio_calls"] = np.where(np.isfinite(ratio), ratio, 1.0) * f["calls_offered"]
        summed.append("_ratio_calls")
    g = f.groupby("interval_start", sort=True)
    out = g[summed].sum()
    if day_band:
        with np.errstate(invalid="ignore", divide="ignore"):
            out[FORECAST_DAY_RATIO_COLUMN] = np.where(out["calls_offered"] > 0,
                                                      out["_ratio_calls"] / out["calls_offered"], 1.0)
        out = out.drop(columns="_ratio_calls")
    mean_aht = g["aht_seconds"].mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["aht_seconds"] = np.where(out["calls_offered"] > 0, out["work"] / out["calls_offered"], mean_aht)
    bad = (out["calls_offered"] > 0) & ~(out["aht_seconds"] > 0)
    if bad.any():
        raise WfmInputError(f"{source}: aht_seconds must be > 0 where calls are forecast, got "
                            f"{out['aht_seconds'][bad].iloc[0]!r} at {out.index[bad][0]}")
    return out.drop(columns="work")


def log_sigma_from_band(calls_offered, calls_offered_p10, calls_offered_p90):
    """Log-scale standard deviation whose 10-90 % band is the forecast's band.

    ``sigma = (log p90 - log p10) / (2 * 1.2816)``; 0 where the point is 0.
    A zero lower bound with a positive point is treated as ``p10 = point^2 / p90``
    (a band symmetric in log scale around the point).
    """
    m = np.asarray(calls_offered, dtype=float)
    lo = np.asarray(calls_offered_p10, dtype=float)
    hi = np.asarray(calls_offered_p90, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        hi_eff = np.where(hi > m, hi, m)
        lo_eff = np.where(lo > 0, lo, np.where(hi_eff > 0, m * m / hi_eff, 0.0))
        sigma = np.where((m > 0) & (lo_eff > 0), (np.log(hi_eff) - np.log(lo_eff)) / (2 * Z80), 0.0)
    return np.maximum(sigma, 0.0)


def day_sigma_from_ratio(day_p90_ratio) -> np.ndarray:
    """Log-scale standard deviation of the day factor whose 90th percentile is ``day_p90_ratio``
    (``log(ratio) / 1.2816``; 0 for a ratio <= 1 or missing)."""
    r = np.asarray(day_p90_ratio, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isfinite(r) & (r > 1), np.log(np.where(r > 0, r, 1.0)) / Z80, 0.0)


def _day_factor_sigma(m: np.ndarray, sigma: np.ndarray, day_total_sigma: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The day factor's log-sd so that a day's TOTAL has log-sd ``day_total_sigma``: the intervals' own
    independent noise adds ``log(1 + sum m^2 (exp(own^2) - 1) / (sum m)^2)`` to it (two fixed-point steps)."""
    s_day = day_total_sigma.copy()
    for _ in range(2):
        own2 = np.clip(sigma * sigma - s_day * s_day, 0.0, None)
        spread = np.bincount(codes, weights=m * m * np.expm1(own2))
        total = np.bincount(codes, weights=m)
        with np.errstate(invalid="ignore", divide="ignore"):
            added = np.log1p(np.where(total > 0, spread / np.where(total > 0, total, 1.0) ** 2, 0.0))
        s_day = np.sqrt(np.clip(day_total_sigma ** 2 - added[codes], 0.0, None))
    return s_day


def sample_calls(calls_offered, sigma, day_codes, n_samples: int, *, daily_share: float = 0.5,
                 seed: int | None = 0, day_sigma=None) -> np.ndarray:
    """Plausible call volumes: array ``(n_samples, n_intervals)``.

    Parameters
    ----------
    calls_offered : array-like
        Point forecast (median) per interval [calls].
    sigma : array-like
        Log-scale standard deviation per interval (:func:`log_sigma_from_band`).
    day_codes : array-like of int
        Local day number of each interval (intervals of one day share a factor).
    n_samples : int
        Number of sampled histories.
    daily_share : float
        Share of the log-variance common to a whole day, in [0, 1] (without ``day_sigma``).
    seed : int, optional
        Random seed.
    day_sigma : array-like, optional
        Log-scale standard deviation of the day factor per interval (from the backtested day
        band, :func:`day_sigma_from_ratio`); the rest of ``sigma`` is the interval's own noise.
    """
    if not 0 <= daily_share <= 1:
        raise WfmInputError(f"daily_share must be in [0, 1], got {daily_share!r}")
    if not (isinstance(n_samples, (int, np.integer)) and n_samples >= 1):
        raise WfmInputError(f"n_samples must be a whole number >= 1, got {n_samples!r}")
    m = np.asarray(calls_offered, dtype=float)
    s = np.asarray(sigma, dtype=float)
    codes = np.asarray(day_codes, dtype=int)
    rng = np.random.default_rng(seed)
    z_day = rng.standard_normal((n_samples, codes.max() + 1))[:, codes]
    e = rng.standard_normal((n_samples, m.size))
    if day_sigma is not None:
        s_day = _day_factor_sigma(m, s, np.broadcast_to(np.asarray(day_sigma, dtype=float), m.shape), codes)
        own = np.sqrt(np.clip(s * s - s_day * s_day, 0.0, None))
        # the interval's own noise keeps its mean (it averages out over a day), so a day's total
        # has the backtested day band around the forecast's day total
        return m[None, :] * np.exp(s_day[None, :] * z_day + own[None, :] * e - 0.5 * own[None, :] ** 2)
    z = np.sqrt(daily_share) * z_day + np.sqrt(1 - daily_share) * e
    return m[None, :] * np.exp(s[None, :] * z)


def _day_codes(index: pd.DatetimeIndex) -> tuple[np.ndarray, pd.Index]:
    codes, days = pd.factorize(pd.Index([t.date() for t in index]))
    return codes, pd.Index(days, name="day")


def _interval_sl(calls, interval_minutes, aht, agents, targets: AccessibilityTargets):
    """Erlang service level, calls (S, N) with per-interval aht/agents (N,)."""
    shape = calls.shape
    c = calls.ravel()
    a = np.broadcast_to(aht, shape).ravel()
    n = np.broadcast_to(agents, shape).ravel().astype(float)
    sl = np.ones(c.size)
    busy = c > 0
    zero = busy & (n <= 0)
    sl[zero] = 0.0
    ok = busy & (n > 0)
    if ok.any():
        sl[ok] = erlang.service_level(c[ok], interval_minutes, a[ok], n[ok],
                                      targets.answer_within_seconds,
                                      patience_seconds=targets.patience_seconds)
    return sl.reshape(shape)


def daily_service_level(calls, interval_sl, day_codes) -> np.ndarray:
    """Call-weighted daily service level, ``(S, N) -> (S, n_days)`` (1 on a day with no calls)."""
    calls = np.atleast_2d(calls)
    interval_sl = np.atleast_2d(interval_sl)
    codes = np.asarray(day_codes, dtype=int)
    n_days = codes.max() + 1
    onehot = np.zeros((codes.size, n_days))
    onehot[np.arange(codes.size), codes] = 1.0
    tot = calls @ onehot
    good = (calls * interval_sl) @ onehot
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, good / tot, 1.0)


def _need_sl_target(targets):
    if not isinstance(targets, AccessibilityTargets):
        raise WfmInputError("targets must be an AccessibilityTargets")
    if targets.target_service_level is None:
        raise WfmInputError("the risk is the probability of meeting target_service_level within "
                            "answer_within_seconds: give both")


@dataclass(frozen=True)
class RiskResult:
    """Outcome of :func:`plan_risk`.

    Attributes
    ----------
    per_day : DataFrame
        Indexed by local ``day``: ``calls_offered`` (point), ``agent_hours``
        (on the phone), ``service_level_point`` (at the point forecast),
        ``p_meet`` (probability the day meets the target), ``service_level_mean``,
        ``service_level_p10`` (a bad day: 10 % of days are worse),
        ``expected_shortfall`` (E[max(0, target - daily SL)], SL share points).
    per_interval : DataFrame
        Indexed by ``interval_start``: ``calls_offered``, ``agents``,
        ``service_level_point``, ``p_meet``, ``service_level_mean``,
        ``expected_shortfall`` (SL), ``expected_agent_shortfall`` (E[max(0,
        agents needed at the sampled volume - agents)] [agents]).
    daily_sl_samples : ndarray
        ``(n_samples, n_days)`` sampled daily service levels.
    target_service_level : float
    n_samples : int
    daily_share : float
    """

    per_day: pd.DataFrame
    per_interval: pd.DataFrame
    daily_sl_samples: np.ndarray
    target_service_level: float
    n_samples: int
    daily_share: float

    @property
    def p_meet_all_days(self) -> float:
        """Mean over days of the probability of meeting the target."""
        return float(self.per_day["p_meet"].mean())


def plan_risk(pooled: pd.DataFrame, agents, interval_minutes: int, targets: AccessibilityTargets, *,
              n_samples: int = 500, daily_share: float = 0.5, seed: int | None = 0,
              agent_shortfall: bool = True) -> RiskResult:
    """Probability that a plan meets the service-level target, per day and interval.

    Parameters
    ----------
    pooled : DataFrame
        From :func:`pool_queues` (indexed by ``interval_start``).
    agents : array-like or Series
        Agents on the phone per interval of ``pooled`` [agents].
    interval_minutes : int
        Interval length [min].
    targets : AccessibilityTargets
        Needs ``target_service_level`` and ``answer_within_seconds``;
        ``patience_seconds`` switches to Erlang A.
    n_samples, daily_share, seed
        See :func:`sample_calls`; with a ``day_calls_p90_ratio`` column (the forecast's backtested
        day band) the day factor comes from it and ``daily_share`` is not used.
    agent_shortfall : bool
        Also compute the expected agent shortfall per interval (one staffing
        search per sample and interval; turn off for speed).
    """
    _need_sl_target(targets)
    idx = pd.DatetimeIndex(pooled.index)
    n = np.asarray(agents.reindex(idx) if isinstance(agents, pd.Series) else agents, dtype=float)
    if n.shape != (len(idx),):
        raise WfmInputError(f"agents has {n.size} values, expected {len(idx)} (one per interval)")
    if np.isnan(n).any() or (n < 0).any():
        i = int(np.flatnonzero(np.isnan(n) | (n < 0))[0])
        raise WfmInputError(f"agents must be >= 0, got {n[i]} at {idx[i]}")
    m = pooled["calls_offered"].to_numpy(float)
    aht = pooled["aht_seconds"].fillna(1.0).to_numpy(float)
    sigma = log_sigma_from_band(m, pooled["calls_offered_p10"], pooled["calls_offered_p90"])
    codes, days = _day_codes(idx)
    day_sigma = day_sigma_from_ratio(pooled[FORECAST_DAY_RATIO_COLUMN].to_numpy(float)) \
        if FORECAST_DAY_RATIO_COLUMN in pooled.columns else None
    x = sample_calls(m, sigma, codes, n_samples, daily_share=daily_share, seed=seed, day_sigma=day_sigma)
    tsl = targets.target_service_level
    sl = _interval_sl(x, interval_minutes, aht, n, targets)
    sl_point = _interval_sl(m[None, :], interval_minutes, aht, n, targets)[0]
    dsl = daily_service_level(x, sl, codes)
    dsl_point = daily_service_level(m[None, :], sl_point[None, :], codes)[0]
    per_interval = pd.DataFrame({
        "calls_offered": m, "agents": n, "service_level_point": sl_point,
        "p_meet": (sl >= tsl - 1e-12).mean(axis=0), "service_level_mean": sl.mean(axis=0),
        "expected_shortfall": np.clip(tsl - sl, 0, None).mean(axis=0)}, index=idx)
    if agent_shortfall:
        flat = x.ravel()
        req = required_agents(flat, interval_minutes, np.broadcast_to(aht, x.shape).ravel(),
                              answer_within_seconds=targets.answer_within_seconds,
                              target_service_level=tsl, patience_seconds=targets.patience_seconds)
        need = req["agents_on_phone"].to_numpy(float).reshape(x.shape)
        per_interval["expected_agent_shortfall"] = np.clip(need - n[None, :], 0, None).mean(axis=0)
    hours = pd.Series(n * interval_minutes / 60.0).groupby(codes).sum().to_numpy()
    per_day = pd.DataFrame({
        "calls_offered": pd.Series(m).groupby(codes).sum().to_numpy(),
        "agent_hours": hours, "service_level_point": dsl_point,
        "p_meet": (dsl >= tsl - 1e-12).mean(axis=0), "service_level_mean": dsl.mean(axis=0),
        "service_level_p10": np.quantile(dsl, 0.1, axis=0),
        "expected_shortfall": np.clip(tsl - dsl, 0, None).mean(axis=0)}, index=days)
    return RiskResult(per_day, per_interval, dsl, float(tsl), int(n_samples), float(daily_share))


@dataclass(frozen=True)
class ConfidencePlan:
    """Staffing so that each day meets its target with a chosen probability.

    Attributes
    ----------
    agents : Series
        Agents on the phone per interval [agents].
    agents_point : Series
        Agents on the phone for the point forecast [agents].
    volume_quantile : float
        The per-interval volume quantile staffed for (0.5 = the point).
    confidence : float
        The requested probability of meeting the daily target.
    risk : RiskResult
        :func:`plan_risk` of ``agents`` (same samples as used for the search).
    agent_hours, agent_hours_point : float
        Scheduled agent-hours (on the phone / (1 - shrinkage)) of the two plans.
    extra_agent_hours : float
        ``agent_hours - agent_hours_point``: the price of the confidence.
    """

    agents: pd.Series
    agents_point: pd.Series
    volume_quantile: float
    confidence: float
    risk: RiskResult
    agent_hours: float
    agent_hours_point: float
    extra_agent_hours: float


def staff_to_confidence(pooled: pd.DataFrame, interval_minutes: int, targets: AccessibilityTargets, *,
                        confidence: float = 0.9, n_samples: int = 500, daily_share: float = 0.5,
                        seed: int | None = 0, tolerance: float = 0.002) -> ConfidencePlan:
    """Staff every interval for a volume quantile high enough that each day meets the target
    with probability >= ``confidence`` ("80 % within 3 minutes on 9 days out of 10").

    The quantile ``q`` is the same for all intervals (staffing each interval to
    Erlang at ``m * exp(sigma * z_q)``); ``q`` is found by bisection so that the
    *least* likely day still meets the target with probability ``confidence``
    on the sampled days (same seed, so the answer is monotone in ``q``).
    """
    _need_sl_target(targets)
    if not 0 < confidence < 1:
        raise WfmInputError(f"confidence must be in (0, 1), got {confidence!r}")
    idx = pd.DatetimeIndex(pooled.index)
    m = pooled["calls_offered"].to_numpy(float)
    aht = pooled["aht_seconds"].fillna(1.0).to_numpy(float)
    sigma = log_sigma_from_band(m, pooled["calls_offered_p10"], pooled["calls_offered_p90"])
    shrink = targets.shrinkage

    def agents_for(q):
        vol = m * np.exp(sigma * norm.ppf(q))
        req = required_agents(vol, interval_minutes, aht,
                              answer_within_seconds=targets.answer_within_seconds,
                              target_service_level=targets.target_service_level,
                              max_asa_seconds=targets.max_asa_seconds,
                              max_abandon_rate=targets.max_abandon_rate,
                              max_occupancy=targets.max_occupancy,
                              patience_seconds=targets.patience_seconds)
        return pd.Series(req["agents_on_phone"].to_numpy(float), index=idx, name="agents")

    def risk_of(agents):
        return plan_risk(pooled, agents, interval_minutes, targets, n_samples=n_samples,
                         daily_share=daily_share, seed=seed, agent_shortfall=False)

    point = agents_for(0.5)
    lo, hi = 0.5, 0.9999
    r_lo = risk_of(point)
    if r_lo.per_day["p_meet"].min() >= confidence:
        best_q, best, best_risk = 0.5, point, r_lo
    else:
        best, best_risk = agents_for(hi), None
        best_risk = risk_of(best)
        best_q = hi
        while hi - lo > tolerance:
            mid = 0.5 * (lo + hi)
            cand = agents_for(mid)
            r = risk_of(cand)
            if r.per_day["p_meet"].min() >= confidence:
                hi, best_q, best, best_risk = mid, mid, cand, r
            else:
                lo = mid
    hours = float(scheduled_from_on_phone(best.sum() * interval_minutes / 60.0, shrink))
    hours_point = float(scheduled_from_on_phone(point.sum() * interval_minutes / 60.0, shrink))
    return ConfidencePlan(best, point, float(best_q), float(confidence), best_risk, hours, hours_point,
                          hours - hours_point)


def check_overlap(pooled_index: pd.DatetimeIndex, schedule: pd.DataFrame, *, schedule_source="schedule",
                  forecast_source="forecast") -> None:
    """Refuse a schedule and a forecast that do not overlap in time."""
    if len(schedule) == 0:
        raise WfmInputError(f"{schedule_source} has no shifts")
    s0, s1 = pd.Timestamp(schedule["start"].min()), pd.Timestamp(schedule["end"].max())
    f0, f1 = pooled_index.min(), pooled_index.max()
    if s1 <= f0 or s0 > f1:
        raise WfmInputError(
            f"{schedule_source} ({s0.isoformat()} to {s1.isoformat()}) and {forecast_source} "
            f"({f0.isoformat()} to {f1.isoformat()}) do not overlap in time: the risk needs the "
            f"forecast of the days the schedule covers")


@dataclass(frozen=True)
class ScheduleRisk:
    """A schedule's risk against a forecast, and what staffing to a confidence would cost.

    ``per_day`` is :attr:`RiskResult.per_day` plus ``agent_hours_for_confidence`` [h on the phone];
    ``schedule_agent_hours`` [h scheduled] is the plan's agents on the phone / (1 - shrinkage).
    """

    risk: RiskResult
    plan: ConfidencePlan
    per_day: pd.DataFrame
    schedule_agent_hours: float
    interval_minutes: int


def assess_schedule(forecast: pd.DataFrame, schedule: pd.DataFrame, targets: AccessibilityTargets, *,
                    confidence: float = 0.9, n_samples: int = 500, daily_share: float = 0.5,
                    seed: int | None = 0, forecast_source: str = "forecast",
                    schedule_source: str = "schedule") -> ScheduleRisk:
    """Risk of a schedule (schedule-CSV frame) against a forecast frame, as ``wfm risk`` and the app report it.

    The forecast is pooled over queues, cut to the schedule's span (the two must overlap), the schedule
    turned into agents on the phone per interval, then :func:`plan_risk` and :func:`staff_to_confidence`.
    """
    from wfm.ground.frames import parse_breaks

    minutes = interval_minutes_of(forecast, what=forecast_source)
    pooled = pool_queues(forecast, source=forecast_source)
    check_overlap(pd.DatetimeIndex(pooled.index), schedule, schedule_source=schedule_source,
                  forecast_source=forecast_source)
    s0, s1 = schedule["start"].min(), schedule["end"].max()
    pooled = pooled[(pooled.index >= s0) & (pooled.index < s1)]
    tz = str(pd.DatetimeIndex(pooled.index).tz)
    breaks = [parse_breaks(text, tz, where=f"{schedule_source}: row {i + 1}, column breaks")
              for i, text in enumerate(schedule["breaks"])] if "breaks" in schedule else None
    agents = on_phone_from_schedule(schedule.assign(breaks=breaks) if breaks is not None else schedule,
                                    pooled.index, minutes, shrinkage=targets.shrinkage)
    risk = plan_risk(pooled, agents, minutes, targets, n_samples=n_samples, daily_share=daily_share, seed=seed)
    plan = staff_to_confidence(pooled, minutes, targets, confidence=confidence, n_samples=n_samples,
                               daily_share=daily_share, seed=seed)
    per_day = risk.per_day.copy()
    per_day["agent_hours_for_confidence"] = (plan.agents.groupby([t.date() for t in plan.agents.index])
                                             .sum().reindex(per_day.index).to_numpy() * minutes / 60.0)
    hours = float(scheduled_from_on_phone(agents.sum() * minutes / 60.0, targets.shrinkage))
    return ScheduleRisk(risk=risk, plan=plan, per_day=per_day, schedule_agent_hours=hours, interval_minutes=minutes)
