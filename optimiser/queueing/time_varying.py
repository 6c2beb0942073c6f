"""The time-varying queue M(t)/M/n(t)(+M): backlog and busy agents carried across interval boundaries.

Stationary Erlang C/A per interval (:mod:`optimiser.queueing.erlang`) assumes
every interval starts in equilibrium at its own calls and agents.  When the
handle time is as long as the interval (crime reports: 15 minutes on 15-minute
intervals) and occupancy is high, the queue needs hours to settle, so the
backlog and the busy agents of earlier intervals carry over: after a peak the
queue is worse than Erlang says, before it better.
:func:`time_varying_queue_metrics` solves the birth-death chain of the number
of callers in the system exactly over the whole horizon instead
(uniformization, Grassmann 1977), carrying the state distribution from one
interval to the next.  With constant calls and agents and a stationary start
it is exactly Erlang C (Erlang A with patience).

References
----------
.. [1] L. V. Green, P. J. Kolesar, W. Whitt, "Coping with time-varying demand
   when setting staffing requirements for a service system", Production and
   Operations Management 16(1), 2007 (stationary per-interval Erlang fails when
   service times are long relative to the interval; numerical solution of the
   time-varying birth-death chain as the reference).
.. [2] W. K. Grassmann, "Transient solutions in Markovian queueing systems",
   Computers & Operations Research 4(1), 1977 (uniformization / randomization).
.. [3] A. Mandelbaum and S. Zeltyn, "Service engineering in action: the
   Palm/Erlang-A queue, with applications to call centers", 2007 (the waiting
   caller in M/M/n+M).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from optimiser.queueing import erlang
from wfm.ground.errors import WfmInputError

__all__ = ["time_varying_queue_metrics"]


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


@dataclass(frozen=True)
class _Chain:
    """The inputs of the chain, checked, as arrays: rates per second, agents per interval."""

    calls: np.ndarray  # [calls per interval]
    agents: np.ndarray  # [agents], whole
    lam: np.ndarray  # arrival rate [1/s]
    mu: np.ndarray  # service rate [1/s]
    theta: float  # abandonment rate [1/s], 0: nobody hangs up
    length: float  # interval [s]
    answer_within: float  # T [s]
    index: pd.Index | None


def _chain(calls_offered, agents, interval_minutes, aht_seconds, answer_within_seconds,
           patience_seconds, initial) -> _Chain:
    """Check the inputs (the same checks and messages as every Erlang function) and convert them."""
    arrays, index, _scalar = erlang.validate_queue_inputs(
        np.atleast_1d(calls_offered) if np.ndim(calls_offered) == 0 else calls_offered,
        interval_minutes, aht_seconds, agents)
    calls = np.asarray(arrays["calls_offered"], dtype=float).ravel()
    if calls.size == 0:
        raise WfmInputError("calls_offered must have at least one interval", parameter="calls_offered")
    n_agents = np.asarray(arrays["agents"], dtype=float).ravel()
    if np.any(n_agents != np.round(n_agents)):
        i = int(np.flatnonzero(n_agents != np.round(n_agents))[0])
        raise WfmInputError(f"agents must be whole numbers, got {n_agents[i]:g} at interval {i}", parameter="agents")
    aht = np.asarray(arrays["aht_seconds"], dtype=float).ravel()
    minutes = float(np.asarray(arrays["interval_minutes"]).ravel()[0])
    if not (answer_within_seconds is not None and answer_within_seconds >= 0):
        raise WfmInputError(f"answer_within_seconds must be >= 0, got {answer_within_seconds!r}",
                            parameter="answer_within_seconds")
    if patience_seconds is not None and not patience_seconds > 0:
        raise WfmInputError(f"patience_seconds must be > 0, got {patience_seconds!r}", parameter="patience_seconds")
    if initial not in ("stationary", "empty"):
        raise WfmInputError(f"initial must be 'stationary' or 'empty', got {initial!r}", parameter="initial")
    length = minutes * 60.0
    theta = 0.0 if patience_seconds is None else 1.0 / float(patience_seconds)
    return _Chain(calls, n_agents.astype(int), calls / length, 1.0 / aht, theta, length,
                  float(answer_within_seconds), index)


def _truncation(c: _Chain, max_in_system: int | None) -> int:
    """The largest number of callers in the system the chain keeps (see the ``max_in_system`` parameter)."""
    if max_in_system is None:
        load = c.lam / c.mu
        if c.theta > 0:
            # each queued caller hangs up at rate theta, so the queue is stochastically below the
            # M/M/inf population with arrival rate lam and rate theta: Poisson(lam / theta)
            queue = c.lam.max() / c.theta
            extra = queue + 10.0 * np.sqrt(queue) + 20.0
        else:
            extra = max(100.0, 2.0 * load.max()) + 10.0 * np.sqrt(max(load.max(), 1.0))
        max_in_system = int(np.ceil(c.agents.max() + extra))
    if int(max_in_system) < 1:
        raise WfmInputError(f"max_in_system must be >= 1, got {max_in_system!r}", parameter="max_in_system")
    return int(max_in_system)


def _death_rates(k: np.ndarray, n: int, mu: float, theta: float) -> np.ndarray:
    """Rate at which the system leaves state ``k``: ``min(k, n) mu + max(k - n, 0) theta``."""
    return np.minimum(k, n) * mu + np.maximum(k - n, 0) * theta


def _initial_state(c: _Chain, K: int, initial: str) -> np.ndarray:
    """Empty, or the stationary distribution at the first interval (log space) when it exists."""
    k = np.arange(K + 1)
    p = np.zeros(K + 1)
    if initial == "empty" or c.lam[0] == 0 or (c.theta == 0 and c.lam[0] >= c.agents[0] * c.mu[0]):
        p[0] = 1.0
        return p
    death = _death_rates(k[1:], c.agents[0], c.mu[0], c.theta)
    with np.errstate(divide="ignore"):
        logp = np.concatenate(([0.0], np.cumsum(np.log(c.lam[0]) - np.log(death))))
    p = np.exp(logp - logp.max())
    return p / p.sum()


def _advance(p: np.ndarray, birth_rate: float, death: np.ndarray, length: float):
    """The state distribution after ``length`` seconds, and its time average over them (uniformization).

    The birth rate is 0 in the last state (the truncation).
    """
    K = p.size - 1
    birth = np.full(K + 1, birth_rate)
    birth[K] = 0.0
    rate = float(birth.max() + death.max())
    if rate <= 0:  # nothing happens in this interval
        return p, p
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
    # p_avg = (1 / L) integral of p(t) dt over the interval
    return p_end / p_end.sum(), p_avg / p_avg.sum()


def _arrival_measures(p_avg: np.ndarray, n: int, mu: float, theta: float, answer_within: float):
    """Service level, abandonment and ASA of an arrival seeing ``p_avg`` (PASTA) with ``n`` agents."""
    K = p_avg.size - 1
    k = np.arange(K + 1)
    within, answered, wait = _tagged_caller(n, mu, theta, answer_within, max(K - n + 1, 1))
    a_within, a_answered, a_wait = np.ones(K + 1), np.ones(K + 1), np.zeros(K + 1)
    q = k >= n
    a_within[q], a_answered[q], a_wait[q] = within[:q.sum()], answered[:q.sum()], wait[:q.sum()]
    a_within[K] = a_answered[K] = 0.0  # an arrival at the truncation is lost
    sl = float(p_avg @ a_within)
    ab = float(p_avg[:K] @ (1.0 - a_answered[:K]))
    p_ans = float(p_avg @ a_answered)
    asa = float(p_avg @ (a_answered * np.nan_to_num(a_wait))) / p_ans if p_ans > 0 else np.nan
    return sl, ab, asa


def time_varying_queue_metrics(calls_offered, agents, interval_minutes: int, aht_seconds,
                               answer_within_seconds: float, patience_seconds: float | None = None, *,
                               initial: str = "stationary", max_in_system: int | None = None) -> pd.DataFrame:
    """Service level, abandonment and ASA of a time-varying M(t)/M/n(t)(+M) queue, per interval.

    The birth-death chain of the number of callers in the system is solved
    over the whole horizon (module docstring):

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
    c = _chain(calls_offered, agents, interval_minutes, aht_seconds, answer_within_seconds,
               patience_seconds, initial)
    K = _truncation(c, max_in_system)
    k = np.arange(K + 1)
    p = _initial_state(c, K, initial)
    n_int = c.calls.size
    sl, ab, asa, trunc = (np.empty(n_int) for _ in range(4))
    for i in range(n_int):
        n = int(c.agents[i])
        p, p_avg = _advance(p, float(c.lam[i]), _death_rates(k, n, c.mu[i], c.theta), c.length)
        trunc[i] = p_avg[K]
        if c.calls[i] <= 0:
            sl[i], ab[i], asa[i] = 1.0, 0.0, 0.0
        else:
            sl[i], ab[i], asa[i] = _arrival_measures(p_avg, n, float(c.mu[i]), c.theta, c.answer_within)
    return pd.DataFrame({"service_level": sl, "abandon_rate": ab, "asa_seconds": asa,
                         "p_truncated": trunc}, index=c.index)
