"""Accessibility curves for managers: what N agents buy, and what a target costs.

For one queue and a period (a day or a week):

* :func:`agents_curve` -- with N agents on the phone in every interval of the
  period, the period's service level, abandonment and average speed of answer
  (call-weighted over the intervals), for a range of N: "with 40 agents on the
  phone per interval on Monday, 78 % of calls are answered within 3 minutes".
* :func:`targets_curve` -- for a range of service-level targets, the agents
  needed per interval (agent-hours, peak) and what the period then achieves.
* :func:`period_performance` -- the period's measures for any plan (agents per
  interval), call-weighted.
* :func:`describe` -- the plain-language sentence for one row of a curve.

Aggregation: the period service level and abandonment are weighted by offered
calls (total answered-within-T / total offered), the ASA by answered calls,
occupancy is total handled work / total agent time.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from optimiser.queueing import erlang
from optimiser.staffing.requirement import required_agents
from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import interval_minutes_of

__all__ = ["select_period", "period_performance", "agents_curve", "targets_curve", "describe"]


def _to_bound(value, tz, name):
    if isinstance(value, (dt.date, str)) and not isinstance(value, (dt.datetime, pd.Timestamp)):
        try:
            day = pd.Timestamp(value)
        except ValueError as exc:
            raise WfmInputError(f"{name} must be a date or tz-aware timestamp, got {value!r}") from exc
        if day.tzinfo is None:
            return day.normalize().tz_localize(tz)
        return day
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        raise WfmInputError(f"{name} must be tz-aware (or a date), got {value!r}")
    return ts


def select_period(forecast_df: pd.DataFrame, queue: str, start, end) -> pd.DataFrame:
    """Rows of ``queue`` with ``start <= interval_start < end``.

    ``start``/``end`` are tz-aware timestamps or dates (a date means local
    midnight in the frame's zone; ``end`` is exclusive).
    """
    for col in ("interval_start", "queue", "calls_offered", "aht_seconds"):
        if col not in forecast_df.columns:
            raise WfmInputError(f"forecast lacks column {col}")
    tz = forecast_df["interval_start"].dt.tz
    lo, hi = _to_bound(start, tz, "start"), _to_bound(end, tz, "end")
    if not hi > lo:
        raise WfmInputError(f"end must be after start, got {lo.isoformat()} .. {hi.isoformat()}")
    q = forecast_df["queue"].astype(str) == str(queue)
    if not q.any():
        raise WfmInputError(f"queue {queue!r} is not in the forecast "
                            f"(queues: {', '.join(sorted(forecast_df['queue'].astype(str).unique()))})")
    rows = forecast_df[q & (forecast_df["interval_start"] >= lo) & (forecast_df["interval_start"] < hi)]
    if rows.empty:
        raise WfmInputError(f"no intervals of queue {queue!r} between {lo.isoformat()} and {hi.isoformat()}")
    return rows.sort_values("interval_start")


def period_performance(calls_offered, interval_minutes, aht_seconds, agents, answer_within_seconds,
                       patience_seconds=None) -> dict:
    """Call-weighted measures of a period for agents per interval.

    Returns
    -------
    dict
        ``calls_offered`` (total), ``service_level`` (answered within T /
        offered), ``abandon_rate``, ``asa_seconds`` (mean over answered calls;
        ``inf`` if an interval with calls is unstable under Erlang C),
        ``occupancy`` (work / agent time), ``agent_hours``.
    """
    m = erlang.queue_metrics(calls_offered, interval_minutes, aht_seconds, agents,
                             answer_within_seconds, patience_seconds)
    calls = np.broadcast_to(np.asarray(calls_offered, dtype=float), (len(m),))
    n = np.broadcast_to(np.asarray(agents, dtype=float), (len(m),))
    total = calls.sum()
    answered = calls * (1 - m["abandon_rate"].to_numpy())
    with np.errstate(invalid="ignore"):
        asa_num = np.where(answered > 0, answered * m["asa_seconds"].to_numpy(), 0.0)
    agent_time = float((n * interval_minutes).sum())
    work = float((m["occupancy"].to_numpy() * n * interval_minutes).sum())
    return {
        "calls_offered": float(total),
        "service_level": float((calls * m["service_level"]).sum() / total) if total else 1.0,
        "abandon_rate": float((calls * m["abandon_rate"]).sum() / total) if total else 0.0,
        "asa_seconds": float(asa_num.sum() / answered.sum()) if answered.sum() > 0 else 0.0,
        "occupancy": work / agent_time if agent_time else 0.0,
        "agent_hours": agent_time / 60.0,
    }


def agents_curve(forecast_df: pd.DataFrame, queue: str, start, end, agents_range,
                 answer_within_seconds: float, patience_seconds=None,
                 interval_minutes: int | None = None) -> pd.DataFrame:
    """The period's measures with the same N agents on the phone in every interval.

    Returns
    -------
    DataFrame
        One row per N: ``agents``, ``service_level``, ``abandon_rate``,
        ``asa_seconds``, ``occupancy``, ``agent_hours``, ``calls_offered``.
    """
    rows = select_period(forecast_df, queue, start, end)
    im = interval_minutes or interval_minutes_of(forecast_df, what="forecast")
    out = []
    for n in agents_range:
        if n < 0 or n != int(n):
            raise WfmInputError(f"agents_range must hold whole numbers >= 0, got {n!r}")
        perf = period_performance(rows["calls_offered"].to_numpy(float), im,
                                  rows["aht_seconds"].fillna(1.0).to_numpy(float), int(n),
                                  answer_within_seconds, patience_seconds)
        out.append({"agents": int(n), **perf})
    frame = pd.DataFrame(out)
    frame.attrs.update(queue=str(queue), answer_within_seconds=answer_within_seconds,
                       start=rows["interval_start"].iloc[0], end=rows["interval_start"].iloc[-1])
    return frame


def targets_curve(forecast_df: pd.DataFrame, queue: str, start, end, target_service_levels,
                  answer_within_seconds: float, patience_seconds=None, shrinkage: float = 0.0,
                  max_abandon_rate=None, interval_minutes: int | None = None) -> pd.DataFrame:
    """Agents needed for each service-level target in a range.

    Returns
    -------
    DataFrame
        One row per target: ``target_service_level``, ``agent_hours_on_phone``,
        ``agent_hours_scheduled`` (with shrinkage), ``peak_agents_on_phone``,
        ``peak_agents_required``, and the period's achieved ``service_level``,
        ``abandon_rate``, ``asa_seconds``, ``occupancy``.
    """
    rows = select_period(forecast_df, queue, start, end)
    im = interval_minutes or interval_minutes_of(forecast_df, what="forecast")
    calls = rows["calls_offered"].to_numpy(float)
    aht = rows["aht_seconds"].fillna(1.0).to_numpy(float)
    out = []
    for target in target_service_levels:
        req = required_agents(calls, im, aht, answer_within_seconds=answer_within_seconds,
                              target_service_level=target, patience_seconds=patience_seconds,
                              max_abandon_rate=max_abandon_rate, shrinkage=shrinkage)
        perf = period_performance(calls, im, aht, req["agents_on_phone"].to_numpy(float),
                                  answer_within_seconds, patience_seconds)
        out.append({
            "target_service_level": float(target),
            "agent_hours_on_phone": float(req["agents_on_phone"].sum() * im / 60),
            "agent_hours_scheduled": float(req["agents_required"].sum() * im / 60),
            "peak_agents_on_phone": int(req["agents_on_phone"].max()),
            "peak_agents_required": int(req["agents_required"].max()),
            "service_level": perf["service_level"], "abandon_rate": perf["abandon_rate"],
            "asa_seconds": perf["asa_seconds"], "occupancy": perf["occupancy"],
        })
    return pd.DataFrame(out)


def describe(row, answer_within_seconds: float, period: str = "the period") -> str:
    """One sentence for a row of :func:`agents_curve`.

    >>> describe({"agents": 40, "service_level": 0.781, "abandon_rate": 0.05,
    ...           "asa_seconds": 62.0}, 180, "Monday 3 March")
    'With 40 agents on the phone in every interval of Monday 3 March, 78 % of calls are answered within 3 minutes; 5.0 % hang up; callers who get through wait 62 s on average.'
    """
    T = answer_within_seconds
    t_text = f"{T / 60:g} minutes" if T >= 60 and T % 60 == 0 else f"{T:g} seconds"
    asa = row["asa_seconds"]
    asa_text = "wait without limit (too few agents)" if not np.isfinite(asa) else \
        f"wait {asa:.0f} s on average"
    return (f"With {int(row['agents'])} agents on the phone in every interval of {period}, "
            f"{row['service_level'] * 100:.0f} % of calls are answered within {t_text}; "
            f"{row['abandon_rate'] * 100:.1f} % hang up; callers who get through {asa_text}.")
