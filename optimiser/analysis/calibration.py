"""Calibration of the queueing model from call records.

Two questions, answered from one record per call:

1. **How patient are the callers?**  Under exponential patience the maximum
   likelihood estimate of the mean patience is the total time spent waiting by
   *all* queued callers divided by the number who hung up (served callers'
   waits are right-censored patience values) -- the estimator used by
   Mandelbaum & Zeltyn [1]_ and Brown et al. [2]_.
2. **How well did Erlang C and Erlang A predict what happened?**  Per interval
   the calls that reached the queue, their handle time and the agents who
   answered are read from the records; Erlang C and Erlang A (with the
   estimated patience) predict service level and abandonment, which are set
   beside the observed values.

The records are read by :func:`wfm.io.call_records.read_call_records` (the file format's one home).

References
----------
.. [1] A. Mandelbaum, S. Zeltyn, "Estimating characteristics of queueing
   networks using transactional data", Queueing Systems 29, 1998; and
   "The impact of customers' patience on delay and abandonment", 2004.
.. [2] L. Brown, N. Gans, A. Mandelbaum, A. Sakov, H. Shen, S. Zeltyn, L. Zhao,
   "Statistical analysis of a telephone call center: a queueing-science
   perspective", JASA 100(469), 2005.
.. [3] O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with
   impatient customers", M&SOM 4(3), 2002 (Erlang A).
"""

from __future__ import annotations

from dataclasses import dataclass
import numpy as np
import pandas as pd

from optimiser.queueing import erlang
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ

__all__ = ["PatienceEstimate", "patience_mle",
           "estimate_patience", "records_per_interval", "erlang_check"]



@dataclass(frozen=True)
class PatienceEstimate:
    """Mean patience under exponential patience, with its standard error.

    Attributes
    ----------
    patience_seconds : float
        Estimated mean patience [s] (inf when nobody hung up).
    standard_error_seconds : float
        Asymptotic standard error [s]: ``patience / sqrt(abandonments)``.
    queued_calls : int
        Callers who reached the queue.
    abandonments : int
        Queued callers who hung up.
    total_wait_seconds : float
        Summed waiting time of all queued callers [s].
    """

    patience_seconds: float
    standard_error_seconds: float
    queued_calls: int
    abandonments: int
    total_wait_seconds: float


def patience_mle(wait_seconds, abandoned) -> PatienceEstimate:
    """Mandelbaum-Zeltyn estimate of the mean (exponential) patience.

    Parameters
    ----------
    wait_seconds : array-like
        Time in queue of every queued caller [s] (served: wait until answer,
        a censored patience; abandoned: wait until hanging up, the patience).
    abandoned : array-like of bool
        True for callers who hung up.

    Returns
    -------
    PatienceEstimate
        ``patience_seconds = sum(wait_seconds) / sum(abandoned)``.

    References
    ----------
    Mandelbaum & Zeltyn (1998, 2004); Brown et al. (2005), section 5.
    """
    w = np.asarray(wait_seconds, dtype=float).ravel()
    a = np.asarray(abandoned, dtype=bool).ravel()
    if w.size != a.size:
        raise WfmInputError(f"wait_seconds has {w.size} values but abandoned has {a.size}")
    if w.size == 0:
        raise WfmInputError("wait_seconds is empty: no queued caller to estimate patience from")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise WfmInputError(f"wait_seconds must be finite and >= 0, got {w[i]:g} at position {i}")
    n_ab = int(a.sum())
    total = float(w.sum())
    if n_ab == 0:
        return PatienceEstimate(np.inf, np.inf, int(w.size), 0, total)
    theta = total / n_ab
    return PatienceEstimate(theta, theta / np.sqrt(n_ab), int(w.size), n_ab, total)


def estimate_patience(records: pd.DataFrame) -> PatienceEstimate:
    """:func:`patience_mle` on a records frame from :func:`wfm.io.call_records.read_call_records`."""
    for col in ("wait_seconds", "abandoned"):
        if col not in records.columns:
            raise WfmInputError(f"records lack column {col} (read them with wfm.io.call_records.read_call_records)")
    return patience_mle(records["wait_seconds"], records["abandoned"])


def records_per_interval(records: pd.DataFrame, interval_minutes: int = 30,
                         answer_within_seconds: float = 20.0) -> pd.DataFrame:
    """What the records show per interval of queue entry.

    Returns
    -------
    DataFrame
        Indexed by tz-aware ``interval_start``: ``calls_offered`` (queued
        calls), ``calls_answered``, ``calls_abandoned``, ``aht_seconds`` (mean
        handle time of answered calls), ``service_level`` (answered within T /
        queued), ``abandon_rate``, ``asa_seconds``, ``agents`` (distinct
        ``server`` values who answered a call entering in the interval; NaN
        without a ``server`` column).
    """
    if not isinstance(interval_minutes, (int, np.integer)) or interval_minutes <= 0:
        raise WfmInputError(f"interval_minutes must be a whole number > 0, got {interval_minutes!r}")
    r = records.copy()
    # floor in UTC: DST-safe (a fall-back hour keeps its two distinct half-hours)
    tz = r["queue_entry"].dt.tz
    r["interval_start"] = r["queue_entry"].dt.tz_convert("UTC").dt.floor(
        f"{int(interval_minutes)}min").dt.tz_convert(tz)
    r["answered"] = ~r["abandoned"]
    r["within"] = r["answered"] & (r["wait_seconds"] <= answer_within_seconds)
    r["answered_wait"] = np.where(r["answered"], r["wait_seconds"], 0.0)
    g = r.groupby("interval_start")
    out = pd.DataFrame({
        "calls_offered": g.size().astype(float),
        "calls_answered": g["answered"].sum().astype(float),
        "calls_abandoned": g["abandoned"].sum().astype(float),
        "aht_seconds": g["handle_seconds"].mean(),
    })
    out["service_level"] = g["within"].sum() / out["calls_offered"]
    out["abandon_rate"] = out["calls_abandoned"] / out["calls_offered"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["asa_seconds"] = g["answered_wait"].sum() / out["calls_answered"].where(out["calls_answered"] > 0)
    if "server" in r.columns and r["server"].notna().any():
        served = r[r["answered"]]
        out["agents"] = served.groupby("interval_start")["server"].nunique().reindex(out.index).fillna(0)
    else:
        out["agents"] = np.nan
    out.attrs["interval_minutes"] = int(interval_minutes)
    return out


def erlang_check(per_interval: pd.DataFrame, patience_seconds: float, *, interval_minutes: int,
                 answer_within_seconds: float = 20.0, agents=None) -> pd.DataFrame:
    """Erlang C and Erlang A predictions beside what the records show, per interval.

    Parameters
    ----------
    per_interval : DataFrame
        From :func:`records_per_interval`.
    patience_seconds : float
        Mean patience [s] for Erlang A (e.g. from :func:`estimate_patience`).
    interval_minutes : int
        Interval length [min].
    answer_within_seconds : float
        Service-level threshold T [s].
    agents : array-like or Series, optional
        Agents on the phone per interval; default the ``agents`` column.

    Returns
    -------
    DataFrame
        The observed columns plus ``sl_erlang_c``, ``sl_erlang_a``,
        ``abandon_rate_erlang_a``, ``sl_error_erlang_c``, ``sl_error_erlang_a``,
        ``abandon_error_erlang_a`` (prediction - observed).  Intervals without
        an answered call (no AHT) or with no agents are left out of the
        predictions (NaN).
    """
    n = per_interval["agents"] if agents is None else pd.Series(np.asarray(agents, dtype=float),
                                                                index=per_interval.index)
    out = per_interval.copy()
    out["agents"] = n
    ok = out["aht_seconds"].notna() & (n > 0) & np.isfinite(n)
    sub = out[ok]
    for col in ("sl_erlang_c", "sl_erlang_a", "abandon_rate_erlang_a"):
        out[col] = np.nan
    if len(sub):
        args = (sub["calls_offered"], interval_minutes, sub["aht_seconds"], sub["agents"])
        out.loc[ok, "sl_erlang_c"] = erlang.service_level(*args, answer_within_seconds)
        out.loc[ok, "sl_erlang_a"] = erlang.service_level(*args, answer_within_seconds,
                                                          patience_seconds=patience_seconds)
        out.loc[ok, "abandon_rate_erlang_a"] = erlang.abandon_rate(*args, patience_seconds)
    out["sl_error_erlang_c"] = out["sl_erlang_c"] - out["service_level"]
    out["sl_error_erlang_a"] = out["sl_erlang_a"] - out["service_level"]
    out["abandon_error_erlang_a"] = out["abandon_rate_erlang_a"] - out["abandon_rate"]
    return out
