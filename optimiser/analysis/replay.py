"""Replay: does a plan deliver what it promised, and where does the gap come from?

Cut a history at a date, run the whole pipeline on the past (forecast ->
requirement -> schedule) for the next ``weeks``, then simulate the schedule
against the calls that actually arrived.  Per queue, day and interval four
service levels (and the same for abandonment and speed of answer) are set
side by side:

===================  =====================================================
``req``              Erlang at the forecast with the *required* agents
                     (the requirement's promise, >= the target)
``plan``             Erlang at the forecast with the *scheduled* agents
``plan_tv``          the time-varying M(t)/M/n(t)(+M) model at the forecast
                     with the scheduled agents
                     (:func:`optimiser.queueing.time_varying.time_varying_queue_metrics`:
                     the plan's own, truthful promise)
``sim_forecast``     simulation of the schedule against the forecast calls
``sim_actual``       simulation of the schedule against the actual calls
                     (the achieved figure)
===================  =====================================================

so that ``achieved - promised = rounding + queueing_model + forecast`` exactly:

* **schedule rounding** = plan - req (whole shifts, breaks, rules: the
  schedule has more or fewer agents than required);
* **queueing model** = sim_forecast - plan (stationary Erlang per interval
  versus a time-varying simulation with the same calls and agents), itself
  split into **time variation** = plan_tv - plan (what stationary Erlang
  misses: backlog and busy agents carried across interval boundaries, which
  matters when the handle time is as long as an interval) and the
  **queueing residual** = sim_forecast - plan_tv (what even the time-varying
  model misses: a wait running into the next interval's agents, each call's
  own handle-time mean, resampled handle times, simulation noise);
* **forecast** = sim_actual - sim_forecast (the same simulation, seeds and
  agents; only the calls differ).

The simulation (:func:`optimiser.queueing.simulation.simulate`) draws Poisson arrivals
whose mean is the interval's count (forecast or actual), exponential handle
times at the interval's AHT or handle times resampled from call records, and
exponential patience (``patience_seconds``, e.g. estimated from records with
:func:`optimiser.analysis.calibration.estimate_patience`); ``n_replications`` runs are
pooled (or, with ``target_standard_error``, as many runs as it takes for every
day's simulated service level to have that standard error).  Identical calls
give identical simulations (common random numbers), so a perfect forecast has
a forecast term of exactly 0.

References
----------
.. [1] G. Koole, *Call Center Optimization*, 2013 (simulation of schedules).
.. [2] Garnett, Mandelbaum & Reiman 2002 (Erlang A); Erlang C via
   :mod:`optimiser.queueing.erlang`.
.. [3] Green, Kolesar & Whitt 2007 and Grassmann 1977 for the time-varying queue: see
   :mod:`optimiser.queueing.time_varying`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from forecasting.pipeline import ForecastSettings
from forecasting.pipeline import forecast as run_forecast
from optimiser.analysis.calibration import erlang_check, estimate_patience, records_per_interval
from optimiser.queueing import erlang
from optimiser.queueing.simulation import simulate
from optimiser.queueing.time_varying import time_varying_queue_metrics
from optimiser.scheduling.problem import build_problem
from optimiser.scheduling.solve import solve
from optimiser.staffing.compose import plan_requirement
from optimiser.staffing.requirement import AccessibilityTargets
from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import interval_minutes_of

__all__ = ["MIN_LEARN_DAYS", "split_history", "actual_frame", "decompose", "ReplayResult",
           "run_replay", "COMPONENTS", "QUEUEING_SPLIT"]

#: Fewest days of history before the cut to learn from.
MIN_LEARN_DAYS = 14
#: The gap components, in the order they telescope.
COMPONENTS = ("rounding", "queueing_model", "forecast")
#: The queueing-model component split in two (they sum to ``queueing_model``).
QUEUEING_SPLIT = ("time_variation", "queueing_residual")


def split_history(history: pd.DataFrame, cut, weeks: int, *, source: str = "history"):
    """Split a canonical history at local midnight of ``cut``.

    Returns ``(train, actual, cut_ts, end_ts)``: ``train`` the rows before the
    cut, ``actual`` the rows in ``[cut, cut + weeks)``.

    Raises
    ------
    WfmInputError
        ``weeks`` < 1; a cut outside the history; fewer than
        :data:`MIN_LEARN_DAYS` days before it; a replay window running past
        the end of the history.
    """
    if isinstance(weeks, bool) or not isinstance(weeks, (int, np.integer)) or weeks < 1:
        raise WfmInputError(f"weeks must be a whole number >= 1, got {weeks!r}", parameter="weeks")
    if len(history) == 0:
        raise WfmInputError(f"{source} has no rows")
    ts = history["interval_start"]
    if not isinstance(ts.dtype, pd.DatetimeTZDtype):
        raise WfmInputError(f"{source}: interval_start must be tz-aware")
    tz = str(ts.dt.tz)
    try:
        day = pd.Timestamp(cut)
    except (ValueError, TypeError) as exc:
        raise WfmInputError(f"cut must be a date YYYY-MM-DD, got {cut!r}", parameter="cut") from exc
    if day.tzinfo is not None:
        day = day.tz_convert(tz).tz_localize(None)
    if day != day.normalize():
        raise WfmInputError(f"cut must be a date (the replay starts at local midnight), got {cut!r}",
                            parameter="cut")
    cut_ts = day.tz_localize(tz)
    end_ts = (day + pd.Timedelta(days=7 * int(weeks))).tz_localize(tz)
    first, last = ts.min(), ts.max()
    minutes = interval_minutes_of(history, what=source)
    hist_end = last + pd.Timedelta(minutes=minutes)
    if cut_ts <= first or cut_ts >= hist_end:
        raise WfmInputError(
            f"cut {day.date()} is outside the {source} ({first.date()} to {last.date()}): the cut "
            f"must leave history before it to learn from and after it to replay", parameter="cut")
    learn_days = (cut_ts - first) / pd.Timedelta(days=1)
    if learn_days < MIN_LEARN_DAYS:
        raise WfmInputError(
            f"cut {day.date()} leaves {learn_days:.1f} days of {source} to learn from "
            f"(from {first.date()}); at least {MIN_LEARN_DAYS} days (two weeks) are needed", parameter="cut")
    if end_ts > hist_end:
        raise WfmInputError(
            f"cut {day.date()} with weeks {weeks} replays up to {end_ts.date()}, past the end of the "
            f"{source} ({last.date()}); use fewer weeks or an earlier cut", parameter="cut")
    train = history[ts < cut_ts].copy()
    actual = history[(ts >= cut_ts) & (ts < end_ts)].copy()
    train.attrs = dict(history.attrs)
    actual.attrs = dict(history.attrs)
    return train, actual, cut_ts, end_ts


def actual_frame(actual: pd.DataFrame, interval_starts: pd.DatetimeIndex, interval_minutes: int,
                 queue: str) -> pd.DataFrame:
    """Actual calls and AHT of one queue on the plan's interval grid (summed to the plan's intervals).

    Rows falling outside ``interval_starts`` are ignored (the caller passes the replay window).
    """
    a = actual[actual["queue"].astype(str) == queue]
    # floor in UTC: DST-safe (local offsets are whole hours, intervals divide the hour)
    start = a["interval_start"].dt.tz_convert("UTC").dt.floor(f"{interval_minutes}min").dt.tz_convert(
        interval_starts.tz)
    work = a["calls_offered"].astype(float) * (a["aht_seconds"].astype(float)
                                               if "aht_seconds" in a else np.nan)
    g = pd.DataFrame({"interval_start": start, "calls": a["calls_offered"].astype(float),
                      "work": work}).groupby("interval_start")
    out = pd.DataFrame({"calls_actual": g["calls"].sum(), "work": g["work"].sum(min_count=1)})
    out = out.reindex(interval_starts)
    out["calls_actual"] = out["calls_actual"].fillna(0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["aht_actual"] = np.where(out["calls_actual"] > 0, out["work"] / out["calls_actual"], np.nan)
    return out.drop(columns="work")


def _sim(scenarios, agents, interval_minutes, starts, targets, handle_times, n_replications, seed,
         target_standard_error=None, max_replications=None):
    """Simulate each ``(calls, aht)`` scenario with the same agents and seeds (common random numbers).

    ``n_replications`` runs per scenario; with ``target_standard_error``, more
    runs (all scenarios in lockstep, so they keep sharing seeds) until every
    day's service level in every scenario has a standard error between runs
    <= that value, or ``max_replications`` runs.  Returns, per scenario,
    pooled per-interval and per-day ratios, and the runs made, the largest
    per-day standard error (over all scenarios) and, per scenario, the largest
    per-day standard deviation of one run's daily SL.
    """
    cols = ["inbound_calls", "calls_answered", "answered_within", "calls_abandoned", "wait_sum"]
    sums_i = [None] * len(scenarios)
    sums_d = [None] * len(scenarios)
    daily = [[] for _ in scenarios]  # per-run daily service levels
    limit = n_replications if target_standard_error is None else max(max_replications or 0, n_replications)
    runs, se, sd = 0, np.nan, [np.nan] * len(scenarios)
    while runs < limit:
        for s, (calls, aht) in enumerate(scenarios):
            res = simulate(calls, agents, interval_minutes, aht_seconds=aht,
                           handle_times_seconds=handle_times, patience_seconds=targets.patience_seconds,
                           answer_within_seconds=targets.answer_within_seconds, interval_starts=starts,
                           seed=None if seed is None else seed + runs)
            wi = res.per_interval.assign(wait_sum=res.per_interval["asa_seconds"].fillna(0)
                                         * res.per_interval["calls_answered"])
            wd = res.per_day.assign(wait_sum=res.per_day["asa_seconds"].fillna(0) * res.per_day["calls_answered"])
            sums_i[s] = wi[cols] if sums_i[s] is None else sums_i[s] + wi[cols]
            sums_d[s] = wd[cols] if sums_d[s] is None else sums_d[s] + wd[cols]
            daily[s].append(res.per_day["service_level"].to_numpy(float))
        runs += 1
        if runs >= 2:
            with np.errstate(invalid="ignore"):
                sds = [np.nanstd(np.array(d), axis=0, ddof=1) for d in daily]
            sd = [float(np.nanmax(x)) if np.isfinite(x).any() else 0.0 for x in sds]
            se = max(sd) / np.sqrt(runs)
        if target_standard_error is not None and runs >= n_replications and runs >= 2 \
                and se <= target_standard_error:
            break

    def ratios(f):
        with np.errstate(invalid="ignore", divide="ignore"):
            return pd.DataFrame({
                "service_level": np.where(f["inbound_calls"] > 0, f["answered_within"] / f["inbound_calls"], np.nan),
                "abandon_rate": np.where(f["inbound_calls"] > 0, f["calls_abandoned"] / f["inbound_calls"], np.nan),
                "asa_seconds": np.where(f["calls_answered"] > 0, f["wait_sum"] / f["calls_answered"], np.nan),
            }, index=f.index)
    return ([(ratios(sums_i[s]), ratios(sums_d[s])) for s in range(len(scenarios))],
            {"replications": runs, "standard_error": se, "single_run_sd": sd})


def _erlang(calls, interval_minutes, aht, agents, targets):
    """Erlang C/A per interval; intervals without calls give SL 1, abandonment 0, ASA 0."""
    calls = np.asarray(calls, float)
    n = np.asarray(agents, float)
    aht = np.asarray(aht, float)
    sl, ab, asa = np.ones(calls.size), np.zeros(calls.size), np.zeros(calls.size)
    none = (calls > 0) & (n <= 0)
    sl[none], ab[none], asa[none] = 0.0, 1.0, np.nan
    ok = (calls > 0) & (n > 0)
    if ok.any():
        T = targets.answer_within_seconds
        pat = targets.patience_seconds
        sl[ok] = erlang.service_level(calls[ok], interval_minutes, aht[ok], n[ok], T, patience_seconds=pat)
        asa[ok] = erlang.asa_seconds(calls[ok], interval_minutes, aht[ok], n[ok], patience_seconds=pat)
        if pat is not None:
            ab[ok] = erlang.abandon_rate(calls[ok], interval_minutes, aht[ok], n[ok], pat)
    return sl, ab, asa


def decompose(plan: pd.DataFrame, interval_minutes: int, targets: AccessibilityTargets, *,
              handle_times_seconds=None, n_replications: int = 3, seed: int | None = 0,
              target_standard_error: float | None = None, max_replications: int = 400):
    """Promised versus achieved, and the gap split into rounding, queueing model and forecast.

    Parameters
    ----------
    plan : DataFrame
        One row per queue and interval: ``queue``, ``interval_start``
        (tz-aware), ``calls_forecast``, ``aht_forecast`` [s],
        ``agents_required_on_phone`` (the requirement's Erlang agents),
        ``agents_on_phone`` (scheduled agents on the phone), ``calls_actual``,
        optional ``aht_actual`` [s] (missing: the forecast AHT).
    interval_minutes : int
        Interval length [min].
    targets : AccessibilityTargets
        ``answer_within_seconds`` and ``patience_seconds`` are used (patience
        None: Erlang C, nobody hangs up in the simulation).
    handle_times_seconds : array-like, optional
        Real handle times to resample in the simulation (e.g. from records).
    n_replications : int
        Simulation runs pooled per scenario (the least, with
        ``target_standard_error``).
    seed : int, optional
        Base seed; the forecast and actual simulations use the same seeds.
    target_standard_error : float, optional
        Run more replications (forecast and actual in lockstep) until every
        day's simulated service level of the queue has at most this standard
        error between runs [fraction, e.g. 0.01 = 1 point]; None: exactly
        ``n_replications`` runs.
    max_replications : int
        Cap on the runs per queue when ``target_standard_error`` is given.

    Returns
    -------
    per_interval, per_day : DataFrame
        For ``m`` in ``service_level``, ``abandon_rate``, ``asa_seconds``:
        ``{m}_req``, ``{m}_plan``, ``{m}_plan_tv`` (the time-varying model of
        :func:`optimiser.queueing.time_varying.time_varying_queue_metrics`), ``{m}_sim_forecast``,
        ``{m}_sim_actual``; plus ``promised_service_level`` (= req),
        ``achieved_service_level`` (= sim_actual), ``gap`` (achieved -
        promised), the components ``rounding``, ``queueing_model``,
        ``forecast`` (service-level points, summing to ``gap``) and the split
        ``queueing_model = time_variation + queueing_residual``.  ``per_day``
        is indexed by queue and local day; model values are weighted by
        forecast calls, simulated values pooled; it also holds per queue the
        ``replications`` run, the largest per-day ``sim_standard_error`` and
        ``sim_single_run_sd`` (how far one simulated day scatters).
    """
    need = ["queue", "interval_start", "calls_forecast", "aht_forecast", "agents_required_on_phone",
            "agents_on_phone", "calls_actual"]
    missing = [c for c in need if c not in plan.columns]
    if missing:
        raise WfmInputError(f"plan lacks column(s) {', '.join(missing)}")
    if not (isinstance(n_replications, (int, np.integer)) and n_replications >= 1):
        raise WfmInputError(f"n_replications must be a whole number >= 1, got {n_replications!r}")
    if targets.answer_within_seconds is None:
        raise WfmInputError("the replay needs answer_within_seconds (the T of the service level)")
    if target_standard_error is not None and not (isinstance(target_standard_error, (int, float))
                                                  and 0 < target_standard_error < 1):
        raise WfmInputError(f"target_standard_error must be in (0, 1) (a share, 0.01 = 1 point), "
                            f"got {target_standard_error!r}")
    if not (isinstance(max_replications, (int, np.integer)) and max_replications >= n_replications):
        raise WfmInputError(f"max_replications must be a whole number >= n_replications "
                            f"({n_replications}), got {max_replications!r}")
    rows_i, rows_d = [], []
    for q, p in plan.groupby("queue", sort=True):
        p = p.sort_values("interval_start")
        starts = pd.DatetimeIndex(p["interval_start"])
        fc = p["calls_forecast"].to_numpy(float)
        aht_f = p["aht_forecast"].to_numpy(float)
        fill = np.nanmean(aht_f) if np.isfinite(aht_f).any() else 180.0
        aht_f = np.where(np.isfinite(aht_f) & (aht_f > 0), aht_f, fill)
        act = p["calls_actual"].to_numpy(float)
        aht_a = p["aht_actual"].to_numpy(float) if "aht_actual" in p else np.full(len(p), np.nan)
        aht_a = np.where(np.isfinite(aht_a) & (aht_a > 0), aht_a, aht_f)
        req_n = p["agents_required_on_phone"].to_numpy(float)
        n = np.floor(p["agents_on_phone"].to_numpy(float) + 1e-6)
        erl_req = _erlang(fc, interval_minutes, aht_f, req_n, targets)
        erl_plan = _erlang(fc, interval_minutes, aht_f, n, targets)
        tv = time_varying_queue_metrics(fc, n, interval_minutes, aht_f, targets.answer_within_seconds,
                                        targets.patience_seconds)
        erl_tv = (tv["service_level"].to_numpy(), tv["abandon_rate"].to_numpy(), tv["asa_seconds"].to_numpy())
        sims, info = _sim([(fc, aht_f), (act, aht_a)], n, interval_minutes, starts, targets,
                          handle_times_seconds, n_replications, seed, target_standard_error,
                          max_replications)
        (sim_f_i, sim_f_d), (sim_a_i, sim_a_d) = sims
        out = pd.DataFrame({"queue": q, "interval_start": starts, "calls_forecast": fc, "calls_actual": act,
                            "agents_required_on_phone": req_n, "agents_on_phone": n})
        for k, m in enumerate(("service_level", "abandon_rate", "asa_seconds")):
            out[f"{m}_req"] = erl_req[k]
            out[f"{m}_plan"] = erl_plan[k]
            out[f"{m}_plan_tv"] = erl_tv[k]
            out[f"{m}_sim_forecast"] = sim_f_i[m].to_numpy()
            out[f"{m}_sim_actual"] = sim_a_i[m].to_numpy()
        rows_i.append(out)
        # per day: Erlang weighted by forecast calls, simulation pooled over the day
        day = pd.Index([t.date() for t in starts], name="day")
        w = pd.Series(fc, index=day)
        d = pd.DataFrame({"queue": q, "calls_forecast": w.groupby(level=0).sum(),
                          "calls_actual": pd.Series(act, index=day).groupby(level=0).sum(),
                          "agent_hours_on_phone": pd.Series(n * interval_minutes / 60, index=day)
                          .groupby(level=0).sum()})
        for k, m in enumerate(("service_level", "abandon_rate", "asa_seconds")):
            for name, vals in (("req", erl_req[k]), ("plan", erl_plan[k]), ("plan_tv", erl_tv[k])):
                num = pd.Series(np.nan_to_num(vals) * fc, index=day).groupby(level=0).sum()
                d[f"{m}_{name}"] = np.where(d["calls_forecast"] > 0, num / d["calls_forecast"],
                                            1.0 if m == "service_level" else 0.0)
            d[f"{m}_sim_forecast"] = sim_f_d[m].reindex(d.index).to_numpy()
            d[f"{m}_sim_actual"] = sim_a_d[m].reindex(d.index).to_numpy()
        d["replications"] = info["replications"]
        d["sim_standard_error"] = info["standard_error"]
        d["sim_single_run_sd"] = info["single_run_sd"][0]  # without forecast error
        rows_d.append(d.reset_index())
    per_interval = pd.concat(rows_i, ignore_index=True)
    per_day = pd.concat(rows_d, ignore_index=True).set_index(["queue", "day"])
    for f in (per_interval, per_day):
        f["promised_service_level"] = f["service_level_req"]
        f["achieved_service_level"] = f["service_level_sim_actual"]
        f["rounding"] = f["service_level_plan"] - f["service_level_req"]
        f["queueing_model"] = f["service_level_sim_forecast"] - f["service_level_plan"]
        f["time_variation"] = f["service_level_plan_tv"] - f["service_level_plan"]
        f["queueing_residual"] = f["service_level_sim_forecast"] - f["service_level_plan_tv"]
        f["forecast"] = f["service_level_sim_actual"] - f["service_level_sim_forecast"]
        f["gap"] = f["achieved_service_level"] - f["promised_service_level"]
    return per_interval, per_day


@dataclass(frozen=True)
class ReplayResult:
    """Outcome of :func:`run_replay`.

    Attributes
    ----------
    per_interval, per_day : DataFrame
        From :func:`decompose`.
    summary : dict
        Cut, weeks, model, targets, patience used (and its source), schedule
        status, share of days whose simulated SL is within 3 points of the
        plan's promise (``service_level_plan_tv``, the time-varying model)
        without the forecast error (simulating the forecast) and with it
        (actual calls), the same without forecast error against stationary
        Erlang (``service_level_plan``), replications run and the largest
        standard error of a simulated day, share of days meeting the target,
        mean gap and components, forecast WAPE.
    forecast, requirement, shifts : DataFrame
        The pipeline's intermediate results (for the report and checks).
    calibration : DataFrame or None
        :func:`optimiser.analysis.calibration.erlang_check` of the records, if given.
    """

    per_interval: pd.DataFrame
    per_day: pd.DataFrame
    summary: dict
    forecast: pd.DataFrame
    requirement: pd.DataFrame
    shifts: pd.DataFrame
    calibration: pd.DataFrame | None = field(default=None)


def _weeks_of(tz, cut_ts, weeks):
    """Local-midnight week boundaries ``[(start, end), ...]`` (DST-safe)."""
    naive = cut_ts.tz_localize(None)
    return [((naive + pd.Timedelta(days=7 * w)).tz_localize(tz),
             (naive + pd.Timedelta(days=7 * (w + 1))).tz_localize(tz)) for w in range(weeks)]


def run_replay(history: pd.DataFrame, cut, weeks: int, rules, targets: AccessibilityTargets, *,
               model: str = "weekly_mean", records: pd.DataFrame | None = None,
               n_replications: int = 3, seed: int | None = 0, country: str | None = "SE",
               source: str = "history", target_standard_error: float | None = None,
               max_replications: int = 400) -> ReplayResult:
    """Cut, forecast, staff, schedule and replay ``weeks`` weeks of ``history``.

    Parameters
    ----------
    history : DataFrame
        Canonical history (:func:`wfm.io.history.read_history`).
    cut : str or date
        First local day of the replay.
    weeks : int
        Weeks replayed (one schedule is solved per week).
    rules : Rules
        Scheduling rules (:func:`wfm.io.rules.load_rules`).
    targets : AccessibilityTargets
        Staffing targets; its ``patience_seconds`` is replaced by the records'
        estimate when ``records`` are given.
    model : str
        Forecast model (:func:`forecasting.pipeline.model_names`).
    records : DataFrame, optional
        Call records (:func:`wfm.io.call_records.read_call_records`):
        patience estimated from them, handle times resampled from them.
    n_replications, seed, target_standard_error, max_replications
        See :func:`decompose`.
    """
    train, actual, cut_ts, end_ts = split_history(history, cut, weeks, source=source)
    minutes = int(rules.interval_minutes)
    hist_minutes = int(history.attrs.get("interval_minutes", minutes))
    if minutes % hist_minutes:
        raise WfmInputError(f"rules interval_minutes {minutes} is not a multiple of the {source}'s "
                            f"{hist_minutes}-minute intervals")
    targets, from_records = _from_records(records, targets, minutes)
    fres = run_forecast(train, ForecastSettings(horizon_days=7 * weeks, interval_minutes=minutes, model=model,
                                                country=country, random_state=0 if seed is None else seed), n_jobs=1)
    fc = fres.forecast
    fc = fc[(fc["interval_start"] >= cut_ts) & (fc["interval_start"] < end_ts)].reset_index(drop=True)
    if len(fc) == 0:
        raise WfmInputError(f"the forecast from {model} has no interval in the replay window")
    req, _ = plan_requirement(fc, targets, interval_minutes=minutes, source=f"the forecast from {model}")
    merged, shifts, statuses = _schedule_weeks(req, rules, cut_ts, weeks)
    plan = _plan_with_actuals(merged, actual, minutes)
    per_interval, per_day = decompose(plan, minutes, targets, handle_times_seconds=from_records["handle_times"],
                                      n_replications=n_replications, seed=seed,
                                      target_standard_error=target_standard_error,
                                      max_replications=max_replications)
    summary = {"cut": str(cut_ts.date()), "weeks": int(weeks), "model": model,
               "target_service_level": targets.target_service_level,
               "answer_within_seconds": targets.answer_within_seconds,
               "patience_seconds": targets.patience_seconds, "patience_source": from_records["patience_source"],
               "schedule_status": ", ".join(statuses),
               **_findings(per_day, plan, targets)}
    return ReplayResult(per_interval, per_day, summary, fc, req, shifts, from_records["calibration"])


def _from_records(records: pd.DataFrame | None, targets: AccessibilityTargets, minutes: int):
    """Targets with the records' patience, and what else the records give: handle times, Erlang check.

    Returns ``(targets, {"handle_times", "calibration", "patience_source"})`` (None and "targets"
    without records).
    """
    found = {"handle_times": None, "calibration": None, "patience_source": "targets"}
    if records is None:
        return targets, found
    est = estimate_patience(records)
    if np.isfinite(est.patience_seconds):
        targets = replace(targets, patience_seconds=float(est.patience_seconds))
        found["patience_source"] = f"records ({est.abandonments} abandonments of {est.queued_calls} queued calls)"
    handle_times = records["handle_seconds"].dropna().to_numpy(float)
    found["handle_times"] = handle_times if handle_times.size else None
    per = records_per_interval(records, minutes, targets.answer_within_seconds or 20.0)
    found["calibration"] = erlang_check(per, est.patience_seconds, interval_minutes=minutes,
                                        answer_within_seconds=targets.answer_within_seconds or 20.0)
    return targets, found


def _schedule_weeks(req: pd.DataFrame, rules, cut_ts: pd.Timestamp, weeks: int):
    """Schedule the requirement one week at a time; the requirement with the scheduled agents on the phone.

    Returns ``(requirement + agents_on_phone_sched, shifts, statuses)``.
    """
    plans, shifts_all, statuses = [], [], []
    for a, b in _weeks_of(cut_ts.tz, cut_ts, weeks):
        week = req[(req["interval_start"] >= a) & (req["interval_start"] < b)].reset_index(drop=True)
        problem = build_problem(week, rules, source=f"requirement of the week from {a.date()}")
        result = solve(problem)
        statuses.append(result.status)
        if not result.has_solution:
            raise WfmInputError(
                f"the schedule of the week from {a.date()} has no plan to replay (solver status "
                f"{result.status}: {result.message}); raise solver.time_limit_seconds in the rules file "
                f"or use coarser rules")
        shifts_all.append(result.shifts)
        # whole agents on the phone as the schedule's own evaluation counts them
        # (optimiser.scheduling.result.predict_service: allocated x (1 - shrinkage) - deferred, rounded down)
        cov = result.coverage
        plans.append(week.merge(cov[["interval_start", "queue", "agents_on_phone"]].rename(
            columns={"agents_on_phone": "agents_on_phone_sched"}), on=["interval_start", "queue"], how="left"))
    shifts = pd.concat(shifts_all, ignore_index=True) if shifts_all else pd.DataFrame()
    return pd.concat(plans, ignore_index=True), shifts, statuses


def _plan_with_actuals(merged: pd.DataFrame, actual: pd.DataFrame, minutes: int) -> pd.DataFrame:
    """The plan :func:`decompose` takes: forecast, required and scheduled agents, and the actual calls."""
    parts = []
    for q, p in merged.groupby("queue", sort=True):
        act = actual_frame(actual, pd.DatetimeIndex(p["interval_start"]), minutes, q)
        parts.append(pd.DataFrame({
            "queue": q, "interval_start": p["interval_start"].to_numpy(),
            "calls_forecast": p["calls_offered"].to_numpy(float),
            "aht_forecast": p["aht_seconds"].to_numpy(float),
            "agents_required_on_phone": p["agents_on_phone"].to_numpy(float),
            "agents_on_phone": p["agents_on_phone_sched"].fillna(0.0).to_numpy(float),
            "calls_actual": act["calls_actual"].to_numpy(), "aht_actual": act["aht_actual"].to_numpy()}))
    return pd.concat(parts, ignore_index=True)


def _findings(per_day: pd.DataFrame, plan: pd.DataFrame, targets: AccessibilityTargets) -> dict:
    """The summary's shares, means and forecast WAPE.

    The plan's own promise (the time-varying model at the forecast with the scheduled agents) is set
    against the simulation of the same plan: without forecast error (forecast calls) and with it
    (actual calls); the stationary Erlang promise beside it, for comparison.
    """
    within = (per_day["service_level_sim_forecast"] - per_day["service_level_plan_tv"]).abs() <= 0.03
    within_actual = (per_day["achieved_service_level"] - per_day["service_level_plan_tv"]).abs() <= 0.03
    within_stationary = (per_day["service_level_sim_forecast"] - per_day["service_level_plan"]).abs() <= 0.03
    meets = per_day["achieved_service_level"] >= (targets.target_service_level or 0.0) - 1e-12
    return {
        "days": int(len(per_day)),
        "share_days_within_3pts_without_forecast_error": float(within.mean()),
        "share_days_within_3pts_with_forecast_error": float(within_actual.mean()),
        "share_days_within_3pts_without_forecast_error_stationary_erlang": float(within_stationary.mean()),
        "replications": f"{int(per_day['replications'].min())}-{int(per_day['replications'].max())}",
        "max_sim_standard_error": float(per_day["sim_standard_error"].max()),
        "share_days_meeting_target": float(meets.mean()),
        "mean_gap": float(per_day["gap"].mean()),
        **{f"mean_{c}": float(per_day[c].mean()) for c in (*COMPONENTS, *QUEUEING_SPLIT)},
        "forecast_wape": float((plan["calls_forecast"] - plan["calls_actual"]).abs().sum()
                               / max(float(plan["calls_actual"].sum()), 1e-9)),
    }
