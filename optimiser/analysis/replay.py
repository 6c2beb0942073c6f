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
                     with the scheduled agents (:func:`time_varying_queue_metrics`:
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
.. [3] L. V. Green, P. J. Kolesar, W. Whitt, "Coping with time-varying demand
   when setting staffing requirements for a service system", Production and
   Operations Management 16(1), 2007 (stationary per-interval Erlang fails when
   service times are long relative to the interval; numerical solution of the
   time-varying birth-death chain as the reference).
.. [4] W. K. Grassmann, "Transient solutions in Markovian queueing systems",
   Computers & Operations Research 4(1), 1977 (uniformization / randomization).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from optimiser.queueing import erlang
from optimiser.queueing.simulation import simulate
from optimiser.staffing.requirement import AccessibilityTargets, staffing_table
from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import interval_minutes_of

__all__ = ["MIN_LEARN_DAYS", "split_history", "actual_frame", "decompose", "ReplayResult",
           "run_replay", "COMPONENTS", "QUEUEING_SPLIT", "time_varying_queue_metrics"]

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
        raise WfmInputError(f"--weeks must be a whole number >= 1, got {weeks!r}")
    if len(history) == 0:
        raise WfmInputError(f"{source} has no rows")
    ts = history["interval_start"]
    if not isinstance(ts.dtype, pd.DatetimeTZDtype):
        raise WfmInputError(f"{source}: interval_start must be tz-aware")
    tz = str(ts.dt.tz)
    try:
        day = pd.Timestamp(cut)
    except (ValueError, TypeError) as exc:
        raise WfmInputError(f"--cut must be a date YYYY-MM-DD, got {cut!r}") from exc
    if day.tzinfo is not None:
        day = day.tz_convert(tz).tz_localize(None)
    if day != day.normalize():
        raise WfmInputError(f"--cut must be a date (the replay starts at local midnight), got {cut!r}")
    cut_ts = day.tz_localize(tz)
    end_ts = (day + pd.Timedelta(days=7 * int(weeks))).tz_localize(tz)
    first, last = ts.min(), ts.max()
    minutes = interval_minutes_of(history, what=source)
    hist_end = last + pd.Timedelta(minutes=minutes)
    if cut_ts <= first or cut_ts >= hist_end:
        raise WfmInputError(
            f"--cut {day.date()} is outside the {source} ({first.date()} to {last.date()}): the cut "
            f"must leave history before it to learn from and after it to replay")
    learn_days = (cut_ts - first) / pd.Timedelta(days=1)
    if learn_days < MIN_LEARN_DAYS:
        raise WfmInputError(
            f"--cut {day.date()} leaves {learn_days:.1f} days of {source} to learn from "
            f"(from {first.date()}); at least {MIN_LEARN_DAYS} days (two weeks) are needed")
    if end_ts > hist_end:
        raise WfmInputError(
            f"--cut {day.date()} with --weeks {weeks} replays up to {end_ts.date()}, past the end of the "
            f"{source} ({last.date()}); use fewer weeks or an earlier cut")
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


# --- the time-varying queue model: the plan's own promise --------------------------------------------


def _poisson_weights(rate_time: float):
    """Poisson(``rate_time``) pmf and ``P(N >= j + 1)`` for ``j = 0..J`` (all but ~1e-12 of the mass)."""
    j = np.arange(int(np.ceil(rate_time + 10.0 * np.sqrt(rate_time) + 20)) + 1)
    return stats.poisson.pmf(j, rate_time), stats.poisson.sf(j, rate_time)


def _tagged_caller(n: int, mu: float, theta: float, answer_within: float, size: int):
    """A caller with ``j`` callers ahead in the queue (``j = 0..size-1``) and ``n`` agents.

    The caller moves up at rate ``r_j = n mu + j theta`` (an agent frees, or one
    ahead hangs up) and hangs up at rate ``theta``.  Returns P(answered within
    ``answer_within``), P(answered) and E[wait | answered] [s] (M/M/n+M, FCFS).
    """
    j = np.arange(size)
    r = n * mu + j * theta
    if theta == 0.0:
        if r[0] <= 0:
            return np.zeros(size), np.zeros(size), np.full(size, np.nan)
        # j + 1 agent releases at rate n mu: Gamma(j + 1, n mu) <= T
        return stats.poisson.sf(j, r[0] * answer_within), np.ones(size), (j + 1) / r[0]
    p_answered = np.cumprod(r / (r + theta))
    wait = np.cumsum(1.0 / (r + theta))  # each stage lasts Exp(r_j + theta), whichever event ends it
    rate = float(r[-1] + theta)
    pmf, _ = _poisson_weights(rate * answer_within)
    move, stay = r / rate, 1.0 - (r + theta) / rate
    reached = np.zeros(size)  # P(answered within m uniformized jumps | j ahead)
    within = np.zeros(size)
    for m in range(1, pmf.size):
        reached = move * np.concatenate(([1.0], reached[:-1])) + stay * reached
        within += pmf[m] * reached
    return within, p_answered, wait


def time_varying_queue_metrics(calls_offered, agents, interval_minutes: int, aht_seconds,
                               answer_within_seconds: float, patience_seconds: float | None = None, *,
                               initial: str = "stationary", max_in_system: int | None = None) -> pd.DataFrame:
    """Service level, abandonment and ASA of a time-varying M(t)/M/n(t)(+M) queue, per interval.

    Stationary Erlang C/A per interval assumes every interval starts in
    equilibrium at its own calls and agents.  When the handle time is as long
    as the interval (crime reports: 15 minutes on 15-minute intervals) and
    occupancy is high, the queue needs hours to settle, so the backlog and the
    busy agents of earlier intervals carry over: after a peak the queue is
    worse than Erlang says, before it better.  This function solves the
    birth-death chain of the number of callers in the system exactly over the
    whole horizon instead (uniformization, Grassmann 1977), carrying the state
    distribution from one interval to the next:

    * arrivals Poisson at ``calls_offered / interval`` (constant within an
      interval), exponential handle times at the interval's AHT, exponential
      patience (``None``: nobody hangs up, Erlang C), ``agents[i]`` agents in
      interval ``i`` (FCFS);
    * an arriving caller sees the interval's time-averaged distribution
      (PASTA); with ``k >= n`` callers in the system they wait for
      ``k - n + 1`` moves up the queue (:func:`_tagged_caller`), with the
      interval's agents.

    With constant calls and agents and ``initial="stationary"`` the result is
    exactly Erlang C (Erlang A with patience) of :mod:`optimiser.queueing.erlang`.

    Parameters
    ----------
    calls_offered : array-like or Series
        Expected calls per interval [calls].
    agents : array-like or Series
        Agents on the phone per interval (whole numbers >= 0).
    interval_minutes : int
        Interval length [min].
    aht_seconds : float or array-like
        Mean handle time per interval [s].
    answer_within_seconds : float
        Service-level threshold T [s].
    patience_seconds : float, optional
        Mean exponential patience [s]; None: no abandonment (Erlang C).
    initial : {"stationary", "empty"}
        State at the start: stationary at the first interval's calls and agents
        (a horizon cut out of a running centre; empty when that queue has no
        equilibrium: no patience and load >= agents) or empty (as
        :func:`optimiser.queueing.simulation.simulate` starts).
    max_in_system : int, optional
        Truncation of the chain [callers]; default generous: agents + the
        larger of 100 and twice the load, + 10 sqrt(load) (no patience), or
        agents + ``q + 10 sqrt(q) + 20`` with ``q`` = arrival rate x patience
        (the queue is stochastically below Poisson(q)).  The probability of
        the last state is returned as ``p_truncated``.

    Returns
    -------
    DataFrame
        ``service_level`` (answered within T / offered), ``abandon_rate``,
        ``asa_seconds`` (mean wait of answered calls), ``p_truncated``; indexed
        like ``calls_offered`` when it is a Series.  Intervals without calls
        get service level 1, abandonment 0, ASA 0 (nobody to measure).

    References
    ----------
    .. [1] Green, Kolesar & Whitt 2007 (time-varying demand and staffing).
    .. [2] Grassmann 1977 (uniformization).
    .. [3] Mandelbaum & Zeltyn 2007 (the waiting caller in M/M/n+M).
    """
    # the same input checks (and messages) as every Erlang function
    arrays, index, _scalar = erlang._validate_core(np.atleast_1d(calls_offered) if np.ndim(calls_offered) == 0
                                            else calls_offered, interval_minutes, aht_seconds, agents)
    calls = np.asarray(arrays["calls_offered"], dtype=float).ravel()
    n_int = calls.size
    if n_int == 0:
        raise WfmInputError("calls_offered must have at least one interval")
    n_agents = np.asarray(arrays["agents"], dtype=float).ravel()
    if np.any(n_agents != np.round(n_agents)):
        i = int(np.flatnonzero(n_agents != np.round(n_agents))[0])
        raise WfmInputError(f"agents must be whole numbers, got {n_agents[i]:g} at interval {i}")
    n_agents = n_agents.astype(int)
    aht = np.asarray(arrays["aht_seconds"], dtype=float).ravel()
    interval_minutes = float(np.asarray(arrays["interval_minutes"]).ravel()[0])
    if not (answer_within_seconds is not None and answer_within_seconds >= 0):
        raise WfmInputError(f"answer_within_seconds must be >= 0, got {answer_within_seconds!r}")
    if patience_seconds is not None and not patience_seconds > 0:
        raise WfmInputError(f"patience_seconds must be > 0, got {patience_seconds!r}")
    if initial not in ("stationary", "empty"):
        raise WfmInputError(f"initial must be 'stationary' or 'empty', got {initial!r}")
    length = float(interval_minutes) * 60.0
    lam, mu = calls / length, 1.0 / aht
    theta = 0.0 if patience_seconds is None else 1.0 / float(patience_seconds)
    load = lam / mu
    if max_in_system is None:
        if theta > 0:
            # each queued caller hangs up at rate theta, so the queue is stochastically below the
            # M/M/inf population with arrival rate lam and rate theta: Poisson(lam / theta)
            queue = lam.max() / theta
            extra = queue + 10.0 * np.sqrt(queue) + 20.0
        else:
            extra = max(100.0, 2.0 * load.max()) + 10.0 * np.sqrt(max(load.max(), 1.0))
        max_in_system = int(np.ceil(n_agents.max() + extra))
    K = int(max_in_system)
    if K < 1:
        raise WfmInputError(f"max_in_system must be >= 1, got {max_in_system!r}")
    k = np.arange(K + 1)
    if initial == "empty" or lam[0] == 0 or (theta == 0 and lam[0] >= n_agents[0] * mu[0]):
        p = np.zeros(K + 1)
        p[0] = 1.0
    else:  # stationary birth-death distribution at the first interval, in log space
        death = np.minimum(k[1:], n_agents[0]) * mu[0] + np.maximum(k[1:] - n_agents[0], 0) * theta
        with np.errstate(divide="ignore"):
            logp = np.concatenate(([0.0], np.cumsum(np.log(lam[0]) - np.log(death))))
        p = np.exp(logp - logp.max())
        p /= p.sum()
    sl, ab, asa, trunc = (np.empty(n_int) for _ in range(4))
    for i in range(n_int):
        n = int(n_agents[i])
        birth = np.full(K + 1, lam[i])
        birth[K] = 0.0
        death = np.minimum(k, n) * mu[i] + np.maximum(k - n, 0) * theta
        rate = float(birth.max() + death.max())
        if rate <= 0:  # nothing happens in this interval
            p_avg = p
        else:
            up, down = birth / rate, death / rate
            stay = 1.0 - up - down
            pmf, tail = _poisson_weights(rate * length)
            v = p
            p_end, p_avg = pmf[0] * v, tail[0] * v
            for j in range(1, pmf.size):
                nv = stay * v
                nv[1:] += up[:-1] * v[:-1]
                nv[:-1] += down[1:] * v[1:]
                v = nv
                p_end += pmf[j] * v
                p_avg += tail[j] * v
            p = p_end / p_end.sum()
            p_avg = p_avg / p_avg.sum()  # = (1 / L) integral of p(t) dt over the interval
        if calls[i] <= 0:
            sl[i], ab[i], asa[i], trunc[i] = 1.0, 0.0, 0.0, p_avg[K]
            continue
        within, answered, wait = _tagged_caller(n, float(mu[i]), theta, float(answer_within_seconds),
                                                max(K - n + 1, 1))
        a_within, a_answered, a_wait = np.ones(K + 1), np.ones(K + 1), np.zeros(K + 1)
        q = k >= n
        a_within[q], a_answered[q], a_wait[q] = within[:q.sum()], answered[:q.sum()], wait[:q.sum()]
        a_within[K] = a_answered[K] = 0.0  # an arrival at the truncation is lost
        sl[i] = float(p_avg @ a_within)
        ab[i] = float(p_avg[:K] @ (1.0 - a_answered[:K]))
        p_ans = float(p_avg @ a_answered)
        asa[i] = float(p_avg @ (a_answered * np.nan_to_num(a_wait))) / p_ans if p_ans > 0 else np.nan
        trunc[i] = p_avg[K]
    return pd.DataFrame({"service_level": sl, "abandon_rate": ab, "asa_seconds": asa,
                         "p_truncated": trunc}, index=index)


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
        :func:`time_varying_queue_metrics`), ``{m}_sim_forecast``,
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
        Canonical history (:func:`forecasting.history.read_history`).
    cut : str or date
        First local day of the replay.
    weeks : int
        Weeks replayed (one schedule is solved per week).
    rules : Rules
        Scheduling rules (:func:`optimiser.scheduling.rules_file.load_rules`).
    targets : AccessibilityTargets
        Staffing targets; its ``patience_seconds`` is replaced by the records'
        estimate when ``records`` are given.
    model : str
        Forecast model (:func:`forecasting.pipeline.model_names`).
    records : DataFrame, optional
        Call records (:func:`optimiser.analysis.calibration.read_call_records`):
        patience estimated from them, handle times resampled from them.
    n_replications, seed, target_standard_error, max_replications
        See :func:`decompose`.
    """
    from dataclasses import replace

    from forecasting.pipeline import forecast as run_forecast
    from optimiser.analysis.calibration import erlang_check, estimate_patience, records_per_interval
    from optimiser.scheduling.io import build_problem
    from optimiser.scheduling.solve import solve

    train, actual, cut_ts, end_ts = split_history(history, cut, weeks, source=source)
    minutes = int(rules.interval_minutes)
    hist_minutes = int(history.attrs.get("interval_minutes", minutes))
    if minutes % hist_minutes:
        raise WfmInputError(f"rules interval_minutes {minutes} is not a multiple of the {source}'s "
                            f"{hist_minutes}-minute intervals")
    handle_times, calibration, patience_source = None, None, "targets"
    if records is not None:
        est = estimate_patience(records)
        if np.isfinite(est.patience_seconds):
            targets = replace(targets, patience_seconds=float(est.patience_seconds))
            patience_source = f"records ({est.abandonments} abandonments of {est.queued_calls} queued calls)"
        handle_times = records["handle_seconds"].dropna().to_numpy(float)
        if handle_times.size == 0:
            handle_times = None
        per = records_per_interval(records, minutes, targets.answer_within_seconds or 20.0)
        calibration = erlang_check(per, est.patience_seconds, interval_minutes=minutes,
                                   answer_within_seconds=targets.answer_within_seconds or 20.0)
    fres = run_forecast(train, horizon_days=7 * weeks, interval_minutes=minutes, model=model,
                        country=country, n_jobs=1, random_state=0 if seed is None else seed)
    fc = fres.forecast
    fc = fc[(fc["interval_start"] >= cut_ts) & (fc["interval_start"] < end_ts)].reset_index(drop=True)
    if len(fc) == 0:
        raise WfmInputError(f"the forecast from {model} has no interval in the replay window")
    req = staffing_table(fc, targets, interval_minutes=minutes)
    plans, shifts_all, statuses = [], [], []
    for a, b in _weeks_of(cut_ts.tz, cut_ts, weeks):
        week = req[(req["interval_start"] >= a) & (req["interval_start"] < b)].reset_index(drop=True)
        problem = build_problem(week, rules, source=f"requirement of the week from {a.date()}")
        result = solve(problem)
        statuses.append(result.status)
        if result.status not in ("Optimal", "Feasible"):
            raise WfmInputError(
                f"the schedule of the week from {a.date()} has no plan to replay (solver status "
                f"{result.status}: {result.message}); raise solver.time_limit_seconds in the rules file "
                f"or use coarser rules")
        shifts_all.append(result.shifts)
        # whole agents on the phone as the schedule's own evaluation counts them
        # (optimiser.scheduling.result.predict_service: allocated x (1 - shrinkage) - deferred, rounded down)
        cov = result.coverage
        merged = week.merge(cov[["interval_start", "queue", "agents_on_phone"]].rename(
            columns={"agents_on_phone": "agents_on_phone_sched"}), on=["interval_start", "queue"], how="left")
        plans.append(merged)
    merged = pd.concat(plans, ignore_index=True)
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
    plan = pd.concat(parts, ignore_index=True)
    per_interval, per_day = decompose(plan, minutes, targets, handle_times_seconds=handle_times,
                                      n_replications=n_replications, seed=seed,
                                      target_standard_error=target_standard_error,
                                      max_replications=max_replications)
    # the plan's own promise (the time-varying model at the forecast with the scheduled agents)
    # against the simulation of the same plan: without forecast error (forecast calls) and with it
    # (actual calls); the stationary Erlang promise beside it, for comparison
    within = (per_day["service_level_sim_forecast"] - per_day["service_level_plan_tv"]).abs() <= 0.03
    within_actual = (per_day["achieved_service_level"] - per_day["service_level_plan_tv"]).abs() <= 0.03
    within_stationary = (per_day["service_level_sim_forecast"] - per_day["service_level_plan"]).abs() <= 0.03
    meets = per_day["achieved_service_level"] >= (targets.target_service_level or 0.0) - 1e-12
    summary = {
        "cut": str(cut_ts.date()), "weeks": int(weeks), "model": model,
        "target_service_level": targets.target_service_level,
        "answer_within_seconds": targets.answer_within_seconds,
        "patience_seconds": targets.patience_seconds, "patience_source": patience_source,
        "schedule_status": ", ".join(statuses),
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
    shifts = pd.concat(shifts_all, ignore_index=True) if shifts_all else pd.DataFrame()
    return ReplayResult(per_interval, per_day, summary, fc, req, shifts, calibration)
