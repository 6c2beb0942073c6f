"""Demand by month: a representative week per plan month, its Erlang requirement, and the month's
accessibility as a function of the operators on the phone.

For each plan month and queue, the representative week is an ordinary Monday-Sunday week of that
month: the month's calls per day (:class:`forecasting.monthly.MonthlyForecaster`: trend and yearly
season) x 7, spread over the week's slots by the calendar month's week shape, with the handle time
of the month (its trend) times each slot's handle-time factor.  The planner's what-ifs of the month
(volume change, share moved to e-services, handle-time change) are applied to it, the last two by
the staffing stage's :func:`~optimiser.staffing.compose.apply_whatifs`.

The requirement of every week comes from the one composer,
:func:`~optimiser.staffing.compose.plan_requirement` (Erlang C, or Erlang A with patience): the
fewest agents on the phone per interval that meet the targets in that interval.  A schedule
follows the requirement's shape, so ``s`` x the requirement is how ``s`` x its on-phone hours are
deployed; the month's accessibility at scale ``s`` is the calls-weighted share answered within T
over the week's intervals (and the abandon rate, occupancy, ASA), from
:mod:`optimiser.queueing.erlang` with ``s n_i`` agents in interval ``i`` (continuous in ``s``:
a fractional agent is a part-time presence over the month's weeks).

The month's **required scale** ``s*`` is the smallest ``s`` that meets the targets over the month
(share within T, and the abandon rate, occupancy and ASA where they are targets); at ``s = 1`` every interval meets them,
so ``s* <= 1``.  Required on-phone hours are ``s*`` x the requirement's hours: the month-level
target, not a flat ratio and not the sum of per-interval maxima.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.monthly import MonthlyForecaster
from optimiser.capacity.spec import CapacitySettings, MonthWhatIf
from optimiser.queueing import erlang
from optimiser.staffing.compose import WhatIfs, apply_whatifs, plan_requirement
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import MINUTES_PER_WEEK

__all__ = [
    "MonthDemand",
    "build_demand",
    "month_measures",
    "month_curves",
    "month_whatifs",
    "representative_monday",
    "required_scale",
    "target_slack",
]

#: Scales (times the required scale) at which the month curves are drawn for the integer programme.
CURVE_FACTORS: tuple[float, ...] = (0.45, 0.55, 0.65, 0.75, 0.82, 0.88, 0.94, 1.0, 1.08)
#: Precision of the required scale [scale units].
SCALE_TOLERANCE = 1e-4


@dataclass(frozen=True)
class MonthDemand:
    """The plan's demand, prepared once and used by the evaluation, the optimiser and the simulation.

    Attributes
    ----------
    months : tuple of date
        The plan's months (first days).
    monthly : DataFrame
        Per month and queue after the what-ifs: ``month, queue, calls_offered`` (in the month),
        ``aht_seconds`` (calls-weighted), ``log_sd``.
    weeks : DataFrame
        The representative weeks with their requirement: ``month`` (index of the plan month),
        ``interval_start``, ``queue``, ``calls_offered``, ``aht_seconds``, ``agents_on_phone``.
    interval_minutes : int
    answer_within_seconds, target_service_level : float
    max_abandon_rate, max_occupancy, max_asa_seconds, patience_seconds : float or None
        The targets (see :class:`~optimiser.staffing.requirement.AccessibilityTargets`).
    requirement_hours : ndarray
        On-phone agent-hours of each month's representative week in the requirement [h/week].
    required_scale : ndarray
        ``s*`` of each month (see the module docstring).
    log_sd : ndarray
        Spread of each month's total calls on the log scale (calls-weighted over queues).
    residual_sd : float
        The part of it that is month-to-month noise [log]; the rest, ``sqrt(log_sd^2 -
        residual_sd^2)``, is the uncertain trend, which grows with the horizon and persists.
    autocorr : float
        Lag-1 autocorrelation of the monthly noise (calls-weighted over queues).
    """

    months: tuple[dt.date, ...]
    monthly: pd.DataFrame
    weeks: pd.DataFrame
    interval_minutes: int
    answer_within_seconds: float
    target_service_level: float
    max_abandon_rate: float | None
    max_occupancy: float | None
    max_asa_seconds: float | None
    patience_seconds: float | None
    requirement_hours: np.ndarray
    required_scale: np.ndarray
    log_sd: np.ndarray
    residual_sd: float
    autocorr: float

    @property
    def required_hours(self) -> np.ndarray:
        """On-phone hours per week that meet the month's targets [h/week]."""
        return self.required_scale * self.requirement_hours


def representative_monday(month: dt.date, tz: str) -> pd.Timestamp:
    """Monday 00:00 local of an ordinary week of ``month``: the first Monday on or after the 4th whose
    week has one UTC offset (no daylight-saving change), so the week has exactly 7 x 24 hours."""
    day = month.replace(day=4)
    monday = day + dt.timedelta(days=(7 - day.weekday()) % 7)
    for shift in (0, 7, -7, 14):
        start = pd.Timestamp(monday + dt.timedelta(days=shift)).tz_localize(tz)
        end = pd.Timestamp(monday + dt.timedelta(days=shift + 7)).tz_localize(tz)
        if start.utcoffset() == end.utcoffset():
            return start
    return pd.Timestamp(monday).tz_localize(tz)  # pragma: no cover - a zone changing offset every week


def month_whatifs(what_ifs: tuple[MonthWhatIf, ...], months: list[dt.date]) -> pd.DataFrame:
    """The what-ifs in force each plan month (a row applies from its month until the next row that
    sets the same knob): ``volume_change_pct, share_moved_to_eservice, aht_change_pct``."""
    out = pd.DataFrame({"volume_change_pct": 0.0, "share_moved_to_eservice": 0.0, "aht_change_pct": 0.0},
                       index=range(len(months)))
    for w in sorted(what_ifs, key=lambda w: (w.month.year, w.month.month)):
        first = dt.date(w.month.year, w.month.month, 1)
        idx = [k for k, m in enumerate(months) if m >= first]
        for knob in out.columns:
            value = getattr(w, knob)
            if value is not None and idx:
                out.loc[idx, knob] = float(value)
    return out


def _week_frame(forecaster: MonthlyForecaster, monthly: pd.DataFrame, months: list[dt.date],
                tz: str) -> pd.DataFrame:
    """The representative weeks (before what-ifs) of every month and queue."""
    minutes = forecaster.interval_minutes_
    n_slots = MINUTES_PER_WEEK // minutes
    queues = {q: i for i, q in enumerate(sorted(monthly["queue"].unique()))}
    # the week shapes and handle-time factors as arrays (queue x calendar month x slot, queue x slot)
    prof = forecaster.week_profile_[forecaster.week_profile_["queue"].isin(queues)]
    shares = np.zeros((len(queues), 12, n_slots))
    shares[prof["queue"].map(queues).to_numpy(), prof["month_of_year"].to_numpy() - 1, prof["slot"].to_numpy()] = \
        prof["share"].to_numpy(float)
    aht = forecaster.aht_profile_[forecaster.aht_profile_["queue"].isin(queues)]
    factors = np.ones((len(queues), n_slots))
    factors[aht["queue"].map(queues).to_numpy(), aht["slot"].to_numpy()] = aht["aht_factor"].to_numpy(float)
    cols: dict[str, list] = {"month": [], "interval_start": [], "queue": [], "calls_offered": [], "aht_seconds": []}
    for k, month in enumerate(months):
        monday = representative_monday(month, tz)
        starts = monday + pd.to_timedelta(np.arange(n_slots) * minutes, unit="min")
        for row in monthly[monthly["month"] == month].itertuples(index=False):
            i = queues[row.queue]
            cols["month"].append(np.full(n_slots, k))
            cols["interval_start"].append(starts)
            cols["queue"].append(np.full(n_slots, row.queue, dtype=object))
            cols["calls_offered"].append(row.calls_per_day * 7.0 * shares[i, month.month - 1])
            cols["aht_seconds"].append(row.aht_seconds * factors[i])
    starts = cols.pop("interval_start")
    frame = pd.DataFrame({key: np.concatenate(values) for key, values in cols.items()})
    frame.insert(1, "interval_start", starts[0].append(starts[1:]) if len(starts) > 1 else starts[0])
    frame["queue"] = frame["queue"].astype(str)
    return frame


def _apply_month_whatifs(weeks: pd.DataFrame, knobs: pd.DataFrame) -> pd.DataFrame:
    """Volume change, then the staffing stage's e-service share and handle-time change, per month."""
    parts = []
    for k, part in weeks.groupby("month", sort=True):
        row = knobs.iloc[int(k)]
        part = part.assign(calls_offered=part["calls_offered"] * (1.0 + row["volume_change_pct"] / 100.0))
        parts.append(apply_whatifs(part, WhatIfs(aht_change_pct=float(row["aht_change_pct"]),
                                                 share_moved_to_eservice=float(row["share_moved_to_eservice"]))))
    return pd.concat(parts, ignore_index=True)


def _monthly_after(monthly: pd.DataFrame, knobs: pd.DataFrame, months: list[dt.date]) -> pd.DataFrame:
    index = {m: k for k, m in enumerate(months)}
    k = monthly["month"].map(index).to_numpy()
    calls = monthly["calls_offered"].to_numpy() * (1 + knobs["volume_change_pct"].to_numpy()[k] / 100.0) \
        * (1 - knobs["share_moved_to_eservice"].to_numpy()[k])
    aht = monthly["aht_seconds"].to_numpy() * (1 + knobs["aht_change_pct"].to_numpy()[k] / 100.0)
    return monthly.assign(calls_offered=calls, aht_seconds=aht)[["month", "queue", "calls_offered", "aht_seconds",
                                                                   "log_sd"]]


def _fill_aht(monthly: pd.DataFrame, default_aht_seconds: float | None) -> pd.DataFrame:
    unknown = sorted(monthly.loc[~np.isfinite(monthly["aht_seconds"].to_numpy(float)), "queue"].unique())
    if unknown and default_aht_seconds is None:
        raise WfmInputError(f"the history has no handle times for queue(s) {', '.join(unknown)}; give "
                            "default_aht_seconds", parameter="default_aht_seconds")
    if unknown:
        if not (np.isfinite(default_aht_seconds) and default_aht_seconds > 0):
            raise WfmInputError(f"default_aht_seconds must be > 0, got {default_aht_seconds!r}",
                                parameter="default_aht_seconds")
        aht = monthly["aht_seconds"].to_numpy(float)
        monthly = monthly.assign(aht_seconds=np.where(np.isfinite(aht), aht, float(default_aht_seconds)))
    return monthly


def build_demand(history: pd.DataFrame | MonthlyForecaster, settings: CapacitySettings, *,
                 default_aht_seconds: float | None = None) -> MonthDemand:
    """Representative weeks, their requirement and the required scale of every plan month.

    Parameters
    ----------
    history : DataFrame or MonthlyForecaster
        The long history frame, or a forecaster already fitted on it at the plan's
        ``interval_minutes`` (the app keeps one).
    settings : CapacitySettings
    default_aht_seconds : float, optional
        Handle time of queues whose history has none [s]; default the settings' own.

    Raises
    ------
    WfmInputError
        The history cannot give monthly volumes, a queue has no handle time and no default, or a
        target cannot be met even at the requirement (not expected: it meets it in every interval).
    """
    h = settings.horizon
    if isinstance(history, MonthlyForecaster):
        forecaster = history
        if getattr(forecaster, "interval_minutes_", None) != h.interval_minutes:
            raise WfmInputError(f"the forecaster was fitted at {getattr(forecaster, 'interval_minutes_', None)}-minute "
                                f"slots; the plan needs {h.interval_minutes}", parameter="plan.interval_minutes")
    else:
        forecaster = MonthlyForecaster(interval_minutes=h.interval_minutes, tz=h.tz).fit(history)
    months = h.month_starts
    default = default_aht_seconds if default_aht_seconds is not None else settings.default_aht_seconds
    monthly = _fill_aht(forecaster.predict(h.start, h.months), default)
    knobs = month_whatifs(settings.what_ifs, months)
    weeks = _apply_month_whatifs(_week_frame(forecaster, monthly, months, h.tz), knobs)
    weeks.attrs["interval_minutes"] = h.interval_minutes
    requirement, _ = plan_requirement(weeks, settings.targets)
    weeks["agents_on_phone"] = requirement["agents_on_phone"].to_numpy(float)
    month_idx = weeks["month"].to_numpy()
    hours = np.bincount(month_idx, weights=weeks["agents_on_phone"].to_numpy() * h.interval_minutes / 60.0,
                        minlength=len(months))
    after = _monthly_after(monthly, knobs, months)
    weights = after.pivot(index="month", columns="queue", values="calls_offered").reindex(months)
    sds = after.pivot(index="month", columns="queue", values="log_sd").reindex(months)
    log_sd = (weights * sds).sum(axis=1).to_numpy() / np.maximum(weights.sum(axis=1).to_numpy(), 1e-12)
    calls_by_queue = after.groupby("queue")["calls_offered"].sum()
    total_calls = max(float(calls_by_queue.sum()), 1e-12)
    ac = sum(calls_by_queue.get(q, 0.0) * m.residual_autocorr for q, m in forecaster.models_.items()) / total_calls
    res_sd = sum(calls_by_queue.get(q, 0.0) * m.residual_sd for q, m in forecaster.models_.items()) / total_calls
    t = settings.targets
    partial = MonthDemand(tuple(months), after.reset_index(drop=True), weeks, h.interval_minutes,
                          float(t.answer_within_seconds), float(t.target_service_level), t.max_abandon_rate,
                          t.max_occupancy, t.max_asa_seconds, t.patience_seconds, hours, np.ones(len(months)), log_sd,
                          float(min(res_sd, log_sd.min())), float(ac))
    scale = required_scale(partial)
    return MonthDemand(**{**partial.__dict__, "required_scale": scale})


def month_measures(demand: MonthDemand, scale, demand_factor=None, *, with_asa: bool = False) -> dict[str, np.ndarray]:
    """Each month's accessibility with ``scale`` x its requirement on the phone.

    Parameters
    ----------
    demand : MonthDemand
    scale : array-like
        One scale per plan month (on-phone hours / the requirement's hours), >= 0.
    demand_factor : array-like, optional
        One factor per month on the calls (the simulation's random demand); default 1.
    with_asa : bool
        Also the ASA (the costly part of Erlang A).

    Returns
    -------
    dict of ndarray
        Per month: ``service_level`` (share of offered calls answered within T), ``abandon_rate``,
        ``occupancy`` and, with ``with_asa``, ``asa_seconds`` (of answered calls).
    """
    n_months = len(demand.months)
    scale = np.broadcast_to(np.asarray(scale, dtype=float), (n_months,))
    factor = np.ones(n_months) if demand_factor is None else np.broadcast_to(np.asarray(demand_factor, float),
                                                                           (n_months,))
    k = demand.weeks["month"].to_numpy()
    calls = demand.weeks["calls_offered"].to_numpy(float) * factor[k]
    agents = demand.weeks["agents_on_phone"].to_numpy(float) * scale[k]
    aht = np.nan_to_num(demand.weeks["aht_seconds"].to_numpy(float), nan=1.0)
    aht = np.where(aht > 0, aht, 1.0)
    # the unchecked core (the weeks were checked when built); the costly Erlang A ASA only when asked
    ones = np.ones(len(calls))
    patience = np.inf if demand.patience_seconds is None else float(demand.patience_seconds)
    m = erlang.queue_measures(calls, demand.interval_minutes * ones, aht, agents, patience * ones,
                              demand.answer_within_seconds * ones, 5.0 * ones, with_asa=with_asa)
    total = np.bincount(k, weights=calls, minlength=n_months)
    safe = np.where(total > 0, total, 1.0)
    out = {
        "service_level": np.where(total > 0, np.bincount(k, weights=calls * m["service_level"],
                                                         minlength=n_months) / safe, 1.0),
        "abandon_rate": np.where(total > 0, np.bincount(k, weights=calls * m["abandon_rate"],
                                                        minlength=n_months) / safe, 0.0),
    }
    agent_sum = np.bincount(k, weights=agents, minlength=n_months)
    out["occupancy"] = np.where(agent_sum > 0, np.bincount(k, weights=agents * m["occupancy"],
                                                           minlength=n_months) / np.where(agent_sum > 0, agent_sum, 1), 0.0)
    if with_asa:
        answered = calls * (1 - m["abandon_rate"])
        asa = np.nan_to_num(m["asa_seconds"], nan=0.0, posinf=np.nan)
        ans = np.bincount(k, weights=answered, minlength=n_months)
        with np.errstate(invalid="ignore"):
            out["asa_seconds"] = np.where(ans > 0, np.bincount(k, weights=answered * asa, minlength=n_months)
                                          / np.where(ans > 0, ans, 1), 0.0)
    return out


def target_slack(demand: MonthDemand, measures: dict[str, np.ndarray]) -> np.ndarray:
    """How far each month is inside its targets (>= 0 meets them): share within T, abandon rate,
    occupancy and ASA, each where it is a target."""
    slack = measures["service_level"] - demand.target_service_level
    if demand.max_abandon_rate is not None:
        slack = np.minimum(slack, demand.max_abandon_rate - measures["abandon_rate"])
    if demand.max_occupancy is not None:
        slack = np.minimum(slack, demand.max_occupancy - measures["occupancy"])
    if demand.max_asa_seconds is not None:  # in hundreds of seconds, to be of the shares' order
        slack = np.minimum(slack, (demand.max_asa_seconds - measures["asa_seconds"]) / 100.0)
    return slack


def _measure_slack(demand: MonthDemand, scale, demand_factor) -> np.ndarray:
    return target_slack(demand, month_measures(demand, scale, demand_factor,
                                         with_asa=demand.max_asa_seconds is not None))


def required_scale(demand: MonthDemand, demand_factor=None) -> np.ndarray:
    """The smallest scale of each month's requirement that meets the targets over the month.

    The bracket starts at [0.8, 1] (at 1 every interval meets the targets) and widens down or up
    until it holds the root; then Illinois (modified regula falsi) on the month's slack, all months
    at once, until the slack is within [0, 1e-4] or the bracket narrower than
    :data:`SCALE_TOLERANCE`.
    """
    n = len(demand.months)
    hi = np.ones(n)
    g_hi = _measure_slack(demand, hi, demand_factor)
    for _ in range(12):  # only when demand_factor > 1 can the requirement fall short
        short = g_hi < 0
        if not short.any():
            break
        hi = np.where(short, hi * 2.0, hi)
        g_hi = np.where(short, _measure_slack(demand, hi, demand_factor), g_hi)
    else:
        raise WfmInputError("the targets cannot be met in some month even at 4096 times the requirement",
                            parameter="targets")
    lo = 0.8 * hi
    g_lo = _measure_slack(demand, lo, demand_factor)
    for _ in range(6):
        above = g_lo >= 0
        if not above.any():
            break
        hi, g_hi = np.where(above, lo, hi), np.where(above, g_lo, g_hi)
        lo = np.where(above, np.where(lo > 0.05, lo * 0.5, 0.0), lo)
        g_lo = np.where(above, _measure_slack(demand, np.maximum(lo, 1e-9), demand_factor), g_lo)
    done = g_lo >= 0  # met even with (almost) nobody: no calls
    side = np.zeros(n)
    for _ in range(40):
        active = ~done & (hi - lo > SCALE_TOLERANCE) & (g_hi > 1e-4)
        if not active.any():
            break
        # Illinois: the end kept twice in a row counts half, so the bracket closes from both sides
        w_lo = np.where(side == 1, 0.5, 1.0)
        w_hi = np.where(side == -1, 0.5, 1.0)
        denom = w_hi * g_hi - w_lo * g_lo
        x = np.where(denom > 0, (w_hi * g_hi * lo - w_lo * g_lo * hi) / np.where(denom > 0, denom, 1), 0.5 * (lo + hi))
        x = np.clip(x, lo + 0.1 * SCALE_TOLERANCE, hi - 0.1 * SCALE_TOLERANCE)
        g = _measure_slack(demand, np.where(active, x, hi), demand_factor)
        up = active & (g >= 0)
        down = active & (g < 0)
        hi, g_hi = np.where(up, x, hi), np.where(up, g, g_hi)
        lo, g_lo = np.where(down, x, lo), np.where(down, g, g_lo)
        side = np.where(up, 1, np.where(down, -1, side))
    return np.where(done, 0.0, hi)


def month_curves(demand: MonthDemand, factors: tuple[float, ...] = CURVE_FACTORS) -> tuple[np.ndarray, np.ndarray]:
    """Points of each month's share-within-T curve against on-phone hours, for the integer programme.

    Returns
    -------
    hours : ndarray (months x points)
        On-phone hours per week [h/week] at ``factors`` x the required hours.
    service_level : ndarray (months x points)
        The month's share answered within T there.
    """
    scale = np.outer(demand.required_scale, np.asarray(factors, dtype=float))
    sl = np.column_stack([month_measures(demand, scale[:, j])["service_level"] for j in range(scale.shape[1])])
    return scale * demand.requirement_hours[:, None], sl
