"""Accessibility on actuals: how accessible were we, per day, week and queue.

From an interval history (``docs/history_format.md``) this module computes what
callers actually got -- the share of offered calls answered within the target
time T, the abandon rate and the average wait of answered calls (ASA) -- per
day, ISO week or interval and per queue (plus all queues together), and sets it
beside what a published plan promised.

What can be computed depends on what the ACD export gives:

* ``calls_answered_within_target`` (the optional history column, counted by the
  ACD against the same T): the share within T is **measured**.
* per-call records with wait times (:func:`history_from_records`): the column
  is counted from the records, so the share is **measured** too.
* only counts (offered, answered, abandoned) with ``asa_seconds`` and
  ``aht_seconds``: the share within T is **estimated** with Erlang A
  (M/M/n+M, [1]_, [2]_).  The mean patience comes from the counts
  (:func:`patience_from_counts`), and per interval the number of agents that
  makes Erlang A's ASA equal the observed ASA is found; the share within T at
  that staffing is the estimate.  It is labelled ``estimate_erlang_a`` in
  ``service_level_source`` and never mixed silently with measured values: a
  period with both says ``mixed``.
* counts without ASA or handle time: the abandon rate is exact, the share
  within T is ``unknown`` (NaN) -- nothing is invented.

Abandon rate = abandoned / offered; ASA = answered-weighted mean of the
intervals' ``asa_seconds``; service level = answered within T / offered (the
project's default "offered" definition, ``optimiser.queueing.erlang``).

References
----------
.. [1] O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with
   impatient customers", M&SOM 4(3), 2002.
.. [2] A. Mandelbaum, S. Zeltyn, "The Palm/Erlang-A queue, with applications to
   call centers", 2007.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimiser.analysis.calibration import records_per_interval
from optimiser.queueing.erlang import queue_measures
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import check_history
from wfm.ground.timegrid import interval_minutes_of

__all__ = ["ACHIEVED_COLUMNS", "PERIODS", "SOURCES", "ALL_QUEUES", "patience_from_counts",
           "estimate_within_target", "achieved_per_interval", "achieved_accessibility",
           "history_from_records", "plan_promise", "compare_with_plan", "between_days"]

#: Periods a report can be cut by.
PERIODS: tuple[str, ...] = ("interval", "day", "week")
#: Where a period's share within T comes from.
SOURCES: tuple[str, ...] = ("measured", "estimate_erlang_a", "mixed", "unknown")
#: The ``queue`` label of the all-queues rows.
ALL_QUEUES = "all"
#: Columns of the achieved-accessibility report, in order (a public contract: the CSV of ``wfm accessibility``).
ACHIEVED_COLUMNS: tuple[str, ...] = (
    "period", "period_start", "queue", "calls_offered", "calls_answered", "calls_abandoned",
    "calls_answered_within_target", "service_level", "service_level_source", "abandon_rate",
    "asa_seconds", "answer_within_seconds")
_WITHIN = "calls_answered_within_target"


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _check_answer_within(answer_within_seconds) -> float:
    try:
        value = float(answer_within_seconds)
    except (TypeError, ValueError):
        value = float("nan")
    if not np.isfinite(value) or value < 0 or isinstance(answer_within_seconds, bool):
        raise WfmInputError(f"answer_within_seconds must be a finite number of seconds >= 0, "
                            f"got {answer_within_seconds!r}", parameter="answer_within_seconds")
    return value


def patience_from_counts(history: pd.DataFrame) -> pd.Series:
    """Mean caller patience [s] per queue, estimated from interval counts.

    Under exponential patience the maximum-likelihood estimate is the total time
    all queued callers waited divided by the number who hung up (Mandelbaum &
    Zeltyn).  Interval counts give the answered callers' total wait
    (``asa_seconds x calls_answered``) but not the abandoners'; their mean wait is
    taken equal to the interval's ASA -- an approximation, measured against call
    records in ``docs/intraday.md``.  A queue with no abandons gets ``inf``
    (nobody hangs up: Erlang C); one without ASA or abandon counts gets NaN.
    """
    check_history(history, what="history")
    asa = _numbers(history, "asa_seconds")
    ans = _numbers(history, "calls_answered")
    ab = _numbers(history, "calls_abandoned")
    ok = np.isfinite(asa) & np.isfinite(ans) & np.isfinite(ab)
    frame = pd.DataFrame({"queue": history["queue"].astype(str).to_numpy(),
                          "wait": np.where(ok, asa * (ans + ab), 0.0), "ab": np.where(ok, ab, 0.0),
                          "ok": ok})
    g = frame.groupby("queue", sort=True)
    wait, abandons, usable = g["wait"].sum(), g["ab"].sum(), g["ok"].any()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (wait / abandons).where(abandons > 0, np.inf).where(usable, np.nan)
    out.name = "patience_seconds"
    return out


def _agents_matching_asa(calls, interval_minutes, aht, patience, asa_obs):
    """Smallest whole agent count whose Erlang A ASA is <= the observed ASA (vectorised bisection)."""
    load = calls * aht / (60.0 * interval_minutes)
    hi = np.ceil(load + 8.0 * np.sqrt(load) + 10.0) * np.where(np.isfinite(patience), 1.0, 2.0)
    lo = np.zeros_like(hi)  # ASA(0 agents) = inf > any observation
    while np.any(hi - lo > 1):
        mid = np.floor((lo + hi) / 2)
        res = queue_measures(calls, interval_minutes, aht, mid, patience)
        fast = res["asa_seconds"] <= asa_obs
        hi, lo = np.where(fast, mid, hi), np.where(fast, lo, mid)
    return hi


def estimate_within_target(calls_offered, calls_answered, asa_seconds, aht_seconds, *, interval_minutes: int,
                           answer_within_seconds: float, patience_seconds) -> np.ndarray:
    """Erlang A estimate of the calls answered within T per interval [calls] (NaN: cannot be estimated).

    Per interval the agent count ``n`` whose Erlang A ASA brackets the observed
    ASA is found (``n - 1`` slower, ``n`` as fast or faster); the share of offered
    calls answered within T is interpolated linearly in ASA between the two and
    capped at the calls actually answered.  Exact cases are not estimated: no
    calls answered gives 0, an ASA of 0 gives every answered call.

    Parameters
    ----------
    calls_offered, calls_answered : array-like
        Counts per interval [calls].
    asa_seconds, aht_seconds : array-like
        Observed average speed of answer and handle time [s]; NaN where unknown.
    interval_minutes : int
        Interval length [min].
    answer_within_seconds : float
        Target time T [s].
    patience_seconds : float or array-like
        Mean patience [s] (``inf``: Erlang C).
    """
    t = _check_answer_within(answer_within_seconds)
    calls = np.asarray(calls_offered, dtype=float)
    answered = np.asarray(calls_answered, dtype=float)
    asa = np.asarray(asa_seconds, dtype=float)
    aht = np.asarray(aht_seconds, dtype=float)
    patience = np.broadcast_to(np.asarray(patience_seconds, dtype=float), calls.shape).copy()
    out = np.full(calls.shape, np.nan)
    out[answered == 0] = 0.0
    out[(asa == 0) & (answered > 0)] = answered[(asa == 0) & (answered > 0)]
    todo = (answered > 0) & (asa > 0) & np.isfinite(asa) & (aht > 0) & np.isfinite(aht) & (calls > 0) \
        & ~np.isnan(patience)
    if not np.any(todo):
        return out
    c, a_obs, h, p = calls[todo], asa[todo], aht[todo], patience[todo]
    im = np.full(c.shape, float(interval_minutes))
    tt = np.full(c.shape, t)
    n_fast = _agents_matching_asa(c, im, h, p, a_obs)
    fast = queue_measures(c, im, h, n_fast, p, tt)
    slow = queue_measures(c, im, h, np.maximum(n_fast - 1, 0), p, tt)
    with np.errstate(divide="ignore", invalid="ignore"):
        span = slow["asa_seconds"] - fast["asa_seconds"]
        w = np.where(np.isfinite(span) & (span > 0), (slow["asa_seconds"] - a_obs) / span, 1.0)
    w = np.clip(np.nan_to_num(w, nan=1.0), 0.0, 1.0)
    share = (1 - w) * slow["service_level"] + w * fast["service_level"]
    out[todo] = np.minimum(share * c, answered[todo])
    return out


def achieved_per_interval(history: pd.DataFrame, answer_within_seconds: float, *,
                          patience_seconds=None) -> pd.DataFrame:
    """Each interval's counts with ``calls_answered_within_target`` and its ``service_level_source``.

    Measured where the history has the column (or records gave it), else the
    Erlang A estimate (:func:`estimate_within_target`), else unknown (NaN).
    ``patience_seconds``: one value for every queue, a ``{queue: seconds}``
    mapping, or None to estimate it per queue from the counts.
    """
    t = _check_answer_within(answer_within_seconds)
    check_history(history, what="history")
    im = interval_minutes_of(history, what=history.attrs.get("source", "history"))
    out = pd.DataFrame({"interval_start": history["interval_start"].to_numpy(),
                        "queue": history["queue"].astype(str).to_numpy()})
    out["interval_start"] = out["interval_start"].dt.tz_convert(history["interval_start"].dt.tz)
    for col in ("calls_offered", "calls_answered", "calls_abandoned", "asa_seconds", "aht_seconds", _WITHIN):
        out[col] = _numbers(history, col)
    # callers who took a call-back left the queue: they are offered calls, not queue arrivals
    queued = out["calls_offered"].to_numpy() - np.nan_to_num(_numbers(history, "callbacks_accepted"))
    measured = np.isfinite(out[_WITHIN].to_numpy())
    within = out[_WITHIN].to_numpy().copy()
    if patience_seconds is None:
        per_queue = patience_from_counts(history)
        patience = out["queue"].map(per_queue).to_numpy(dtype=float)
    elif isinstance(patience_seconds, dict):
        patience = out["queue"].map(patience_seconds).to_numpy(dtype=float)
    else:
        patience = np.full(len(out), float(patience_seconds))
    need = ~measured
    if need.any():
        within[need] = estimate_within_target(
            queued[need], out["calls_answered"].to_numpy()[need],
            out["asa_seconds"].to_numpy()[need], out["aht_seconds"].to_numpy()[need],
            interval_minutes=im, answer_within_seconds=t, patience_seconds=patience[need])
    out[_WITHIN] = within
    source = np.where(measured, "measured", np.where(np.isfinite(within), "estimate_erlang_a", "unknown"))
    # an interval with no calls has nothing to estimate: count it as measured (0 of 0)
    source = np.where(out["calls_offered"].to_numpy() == 0, "measured", source)
    out["service_level_source"] = source
    out.attrs.update(interval_minutes=im, answer_within_seconds=t)
    return out


def _period_start(interval_start: pd.Series, by: str) -> pd.Series:
    local = interval_start.dt.tz_localize(None)
    if by == "interval":
        return interval_start
    day = local.dt.normalize()
    if by == "week":
        day = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    return day.dt.tz_localize(interval_start.dt.tz, ambiguous=False, nonexistent="shift_forward")


def _summarise(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    f = frame.assign(asa_weight=frame["asa_seconds"] * frame["calls_answered"],
                     asa_calls=np.where(frame["asa_seconds"].notna(), frame["calls_answered"], 0.0),
                     is_measured=(frame["service_level_source"] == "measured") & (frame["calls_offered"] > 0),
                     is_estimate=frame["service_level_source"] == "estimate_erlang_a",
                     is_unknown=frame["service_level_source"] == "unknown")
    g = f.groupby(keys, sort=True)
    out = g[["calls_offered", "calls_answered", "calls_abandoned"]].sum(min_count=1)
    out[_WITHIN] = g[_WITHIN].sum(min_count=1)
    unknown = g["is_unknown"].any()
    out.loc[unknown, _WITHIN] = np.nan
    est, meas = g["is_estimate"].any(), g["is_measured"].any()
    out["service_level_source"] = np.where(unknown, "unknown", np.where(
        meas & est, "mixed", np.where(est, "estimate_erlang_a", "measured")))
    offered = out["calls_offered"].where(out["calls_offered"] > 0)
    out["service_level"] = out[_WITHIN] / offered
    out["abandon_rate"] = out["calls_abandoned"] / offered
    with np.errstate(invalid="ignore", divide="ignore"):
        out["asa_seconds"] = g["asa_weight"].sum() / g["asa_calls"].sum().where(g["asa_calls"].sum() > 0)
    return out.reset_index()


def achieved_accessibility(history: pd.DataFrame, answer_within_seconds: float, *, by: str = "day",
                           patience_seconds=None) -> pd.DataFrame:
    """Achieved accessibility per period and queue, with an all-queues row per period.

    Parameters
    ----------
    history : DataFrame
        Canonical history (``calls_answered``, ``calls_abandoned``,
        ``asa_seconds``, ``aht_seconds`` and ``calls_answered_within_target``
        used where present).
    answer_within_seconds : float
        Target time T [s] (the ACD's, when the history has the within-target column).
    by : {"interval", "day", "week"}
        Period: the interval, the local day, or the ISO week (Monday start).
    patience_seconds : float, dict or None
        Patience for the Erlang A estimate (see :func:`achieved_per_interval`).

    Returns
    -------
    DataFrame
        :data:`ACHIEVED_COLUMNS`; ``period_start`` is tz-aware (local midnight of
        the day or the week's Monday).
    """
    if by not in PERIODS:
        raise WfmInputError(f"by must be one of {', '.join(PERIODS)}, got {by!r}", parameter="by")
    per = achieved_per_interval(history, answer_within_seconds, patience_seconds=patience_seconds)
    per["period_start"] = _period_start(per["interval_start"], by)
    queues = _summarise(per, ["period_start", "queue"])
    total = _summarise(per, ["period_start"]).assign(queue=ALL_QUEUES) if per["queue"].nunique() > 1 else None
    out = pd.concat([queues, total], ignore_index=True) if total is not None else queues
    out["period"] = by
    out["answer_within_seconds"] = per.attrs["answer_within_seconds"]
    out = out.sort_values(["period_start", "queue"], key=lambda s: s if s.name != "queue" else
                          s.map(lambda q: (q == ALL_QUEUES, q)), kind="stable").reset_index(drop=True)
    out = out[list(ACHIEVED_COLUMNS)]
    out.attrs.update(per.attrs)
    return out


def history_from_records(records: pd.DataFrame, *, queue: str, interval_minutes: int,
                         answer_within_seconds: float) -> pd.DataFrame:
    """A canonical history frame counted from per-call records, with the within-target column measured.

    ``records`` come from :func:`wfm.io.call_records.read_call_records`
    (calls that reached the agent queue); every call counts in the interval it
    entered the queue.
    """
    t = _check_answer_within(answer_within_seconds)
    if not isinstance(queue, str) or not queue.strip():
        raise WfmInputError(f"queue must be a non-empty name, got {queue!r}", parameter="queue")
    per = records_per_interval(records, interval_minutes=interval_minutes, answer_within_seconds=t)
    out = pd.DataFrame({
        "interval_start": per.index, "queue": queue,
        "calls_offered": per["calls_offered"].round().astype("int64").to_numpy(),
        "calls_answered": pd.array(per["calls_answered"].round(), dtype="Int64"),
        "calls_abandoned": pd.array(per["calls_abandoned"].round(), dtype="Int64"),
        "aht_seconds": per["aht_seconds"].to_numpy(), "asa_seconds": per["asa_seconds"].to_numpy(),
        _WITHIN: pd.array((per["service_level"] * per["calls_offered"]).round(), dtype="Int64"),
    }).reset_index(drop=True)
    out.attrs.update(interval_minutes=int(interval_minutes), source=records.attrs.get("source", "records"))
    return out


def plan_promise(requirement: pd.DataFrame, *, by: str = "day") -> pd.DataFrame:
    """What a requirement plan promised per period and queue: calls, service level, abandon rate, ASA.

    The promise of each interval is the plan's own prediction (its
    ``service_level``, ``abandon_rate`` and ``asa_seconds`` columns at the
    agents it planned), weighted by the calls it forecast.
    """
    need = ("interval_start", "queue", "calls_offered", "service_level")
    missing = [c for c in need if c not in requirement.columns]
    if missing:
        raise WfmInputError(f"plan: a requirement with column(s) {', '.join(missing)} is needed to say what "
                            f"it promised (columns: {', '.join(map(str, requirement.columns))})")
    if by not in PERIODS:
        raise WfmInputError(f"by must be one of {', '.join(PERIODS)}, got {by!r}", parameter="by")
    calls = _numbers(requirement, "calls_offered")
    f = pd.DataFrame({"queue": requirement["queue"].astype(str).to_numpy(), "plan_calls_offered": calls,
                      "sl_calls": calls * _numbers(requirement, "service_level"),
                      "ab_calls": calls * _numbers(requirement, "abandon_rate"),
                      "asa_calls": calls * _numbers(requirement, "asa_seconds")})
    f["period_start"] = _period_start(requirement["interval_start"].reset_index(drop=True), by).to_numpy()

    def promise(keys):
        g = f.groupby(keys, sort=True)
        s = g[["plan_calls_offered", "sl_calls", "ab_calls", "asa_calls"]].sum(min_count=1)
        offered = s["plan_calls_offered"].where(s["plan_calls_offered"] > 0)
        return pd.DataFrame({"plan_calls_offered": s["plan_calls_offered"],
                             "plan_service_level": s["sl_calls"] / offered,
                             "plan_abandon_rate": s["ab_calls"] / offered,
                             "plan_asa_seconds": s["asa_calls"] / offered}).reset_index()

    total = promise(["period_start"]).assign(queue=ALL_QUEUES)
    return pd.concat([promise(["period_start", "queue"]), total], ignore_index=True)


def compare_with_plan(achieved: pd.DataFrame, requirement: pd.DataFrame) -> pd.DataFrame:
    """The achieved report with the plan's promise beside it (``plan_*`` columns, NaN where it planned nothing).

    Adds ``service_level_vs_plan`` (achieved - promised, in share points).
    """
    by = str(achieved["period"].iloc[0]) if len(achieved) else "day"
    promise = plan_promise(requirement, by=by)
    tz = achieved["period_start"].dt.tz
    promise["period_start"] = pd.to_datetime(promise["period_start"]).dt.tz_convert(tz)
    out = achieved.merge(promise, on=["period_start", "queue"], how="left")
    out["service_level_vs_plan"] = out["service_level"] - out["plan_service_level"]
    out.attrs.update(achieved.attrs)
    return out


def between_days(history: pd.DataFrame, first_day=None, last_day=None) -> pd.DataFrame:
    """The rows whose local day is within ``[first_day, last_day]`` (dates or ``YYYY-MM-DD``; None: open)."""
    def day(value, name):
        if value is None:
            return None
        try:
            return pd.Timestamp(value).date()
        except (TypeError, ValueError):
            raise WfmInputError(f"{name} must be a date YYYY-MM-DD, got {value!r}", parameter=name) from None

    first, last = day(first_day, "first_day"), day(last_day, "last_day")
    if first is not None and last is not None and last < first:
        raise WfmInputError(f"last_day must be on or after first_day, got {last} < {first}", parameter="last_day")
    local = history["interval_start"].dt.date
    keep = np.ones(len(history), dtype=bool)
    if first is not None:
        keep &= (local >= first).to_numpy()
    if last is not None:
        keep &= (local <= last).to_numpy()
    if not keep.any():
        span = f"{first or '...'} to {last or '...'}"
        raise WfmInputError(f"{history.attrs.get('source', 'history')}: no intervals between {span}",
                            parameter="first_day")
    out = history.loc[keep].reset_index(drop=True)
    out.attrs.update(history.attrs)
    return out
