"""Where today will end: projected accessibility per remaining interval and for the day.

The agents actually on shift come from the published roster (or a schedule) minus the
absences reported this morning, breaks where they are placed
(:func:`agents_on_phone_today`, counted by ``optimiser.queueing.on_phone``).  The rest of
the day's re-forecast calls and handle time (:mod:`optimiser.today.reforecast`) are
evaluated with Erlang A (``optimiser.queueing.erlang``) interval by interval, all queues
pooled (the agents of the roster answer every queue of the plan, as in the risk of
``optimiser.analysis.risk``).  The day's end sums what already happened (measured or
Erlang A-estimated, :mod:`optimiser.today.achieved`) and what is projected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimiser.analysis.risk import pool_queues
from optimiser.queueing.erlang import queue_metrics
from optimiser.queueing.on_phone import agents_on_shift, on_phone_from_scheduled
from optimiser.staffing.requirement import AccessibilityTargets
from optimiser.today.achieved import achieved_per_interval
from optimiser.today.reforecast import Reforecast
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import Break, parse_breaks

__all__ = ["Projection", "agents_on_phone_today", "on_phone_from_on_shift", "shift_on_shift", "project_day",
           "parsed_breaks", "PROJECTION_COLUMNS"]

#: Columns of the per-interval projection (the CSV `wfm intraday` writes), in order.
PROJECTION_COLUMNS: tuple[str, ...] = (
    "interval_start", "phase", "calls_offered", "aht_seconds", "agents_on_phone", "service_level",
    "abandon_rate", "asa_seconds", "calls_answered_within_target", "calls_abandoned", "callbacks_accepted")


def parsed_breaks(value) -> list[Break]:
    """A roster/schedule ``breaks`` cell (text, or already parsed) as Break objects."""
    if isinstance(value, str) or value is None or (isinstance(value, float) and np.isnan(value)):
        return list(parse_breaks(value))
    return [b if isinstance(b, Break) else Break(pd.Timestamp(b[0]), int(b[1]), bool(b[2])) for b in value]


def _absence_rows(shifts: pd.DataFrame, absences: pd.DataFrame) -> pd.DataFrame:
    """The part of each shift an absence covers, as a row of count -1 (its breaks inside counted back)."""
    if absences is None or len(absences) == 0 or "agent_id" not in shifts.columns:
        return shifts.iloc[0:0]
    m = shifts.merge(absences[["agent_id", "start", "end"]].rename(columns={"start": "a0", "end": "a1"}),
                     on="agent_id", how="inner")
    m = m[(m["a0"] < m["end"]) & (m["a1"] > m["start"])]
    if len(m) == 0:
        return shifts.iloc[0:0]
    s = np.maximum(m["start"], m["a0"])
    e = np.minimum(m["end"], m["a1"])
    inside = [[b for b in parsed_breaks(row) if s_i <= b.start < e_i]
              for row, s_i, e_i in zip(m["breaks"] if "breaks" in m.columns else [None] * len(m), s, e)]
    return pd.DataFrame({"start": s.to_numpy(), "end": e.to_numpy(), "count": -1.0, "breaks": inside})


def agents_on_phone_today(shifts: pd.DataFrame, interval_starts, interval_minutes: int, *,
                          absences: pd.DataFrame | None = None, shrinkage: float = 0.0,
                          on_shift_only: bool = False) -> pd.Series:
    """Whole agents on the phone per interval: the roster's (or schedule's) shifts, minus absences.

    Parameters
    ----------
    shifts : DataFrame
        Roster rows (``agent_id``, ``start``, ``end``, ``breaks``) or schedule rows
        (``start``, ``end``, ``count``, ``breaks``); breaks as parsed lists or the text of
        the roster/schedule CSV.
    interval_starts : DatetimeIndex, tz-aware
    interval_minutes : int
    absences : DataFrame, optional
        ``agent_id``, ``start``, ``end`` (the unavailability format): the part of a shift
        each covers is taken off.
    shrinkage : float
        Share of on-shift time off the phone besides breaks (off-phone activities), in [0, 1).
    on_shift_only : bool
        Return the fractional agents on shift instead (before shrinkage and rounding).
    """
    for col in ("start", "end"):
        if col not in shifts.columns:
            raise WfmInputError(f"roster lacks column {col!r}", parameter="roster")
    rows = shifts.copy()
    rows["count"] = pd.to_numeric(rows["count"]).astype(float) if "count" in rows.columns else 1.0
    if "breaks" in rows.columns:
        rows["breaks"] = [parsed_breaks(b) for b in rows["breaks"]]
    if absences is not None and len(absences) and "agent_id" not in rows.columns:
        raise WfmInputError("absences need a roster of named agents (agent_id), not a schedule",
                            parameter="absences")
    gone = _absence_rows(rows, absences)
    parts = [rows[[c for c in ("start", "end", "count", "breaks") if c in rows.columns]], gone]
    both = pd.concat([p for p in parts if len(p)], ignore_index=True) if len(gone) else parts[0]
    on_shift = agents_on_shift(both, interval_starts, interval_minutes)
    return on_shift if on_shift_only else on_phone_from_on_shift(on_shift, shrinkage)


def on_phone_from_on_shift(on_shift: pd.Series, shrinkage: float = 0.0) -> pd.Series:
    """Whole agents on the phone from fractional agents on shift (times ``1 - shrinkage``, rounded down)."""
    on_phone = on_phone_from_scheduled(np.maximum(on_shift.to_numpy(), 0.0), shrinkage, rounding="down")
    return pd.Series(np.asarray(on_phone, dtype=float), index=on_shift.index, name="agents_on_phone")


def shift_on_shift(row: pd.Series, interval_starts, interval_minutes: int) -> pd.Series:
    """Fractional agents one roster row puts on shift per interval (its breaks off)."""
    one = pd.DataFrame({"start": [row["start"]], "end": [row["end"]],
                        "breaks": [parsed_breaks(row["breaks"]) if "breaks" in row.index else []]})
    return agents_on_shift(one, interval_starts, interval_minutes)


@dataclass(frozen=True)
class Projection:
    """The day at ``now``: per interval (actual and projected) and the day's summary.

    Attributes
    ----------
    per_interval : DataFrame
        :data:`PROJECTION_COLUMNS`, all queues pooled; ended intervals carry what happened
        (their ``service_level`` measured or Erlang A-estimated), the rest the projection.
    day : dict
        ``calls_offered``, ``service_level`` (the day's end), ``abandon_rate``,
        ``so_far_service_level``, ``rest_service_level``, ``target_service_level``,
        ``calls_short_of_target`` (calls more to answer within T to reach the target; 0 when met),
        ``callbacks_accepted`` (projected; the rest's ``calls_offered`` are the calls that stay
        in the queue).
    """

    per_interval: pd.DataFrame
    day: dict


def _rest(pooled: pd.DataFrame, agents: np.ndarray, im: int, targets: AccessibilityTargets,
          callback_calls: np.ndarray | None = None) -> pd.DataFrame:
    calls = pooled["calls_offered"].to_numpy(float)
    aht = np.where(pooled["aht_seconds"].to_numpy(float) > 0, pooled["aht_seconds"].to_numpy(float), 1.0)
    load = calls if callback_calls is None else calls + callback_calls
    m = queue_metrics(load, im, aht, agents, targets.answer_within_seconds or 0.0, targets.patience_seconds)
    return pd.DataFrame({"interval_start": pooled.index, "phase": "reforecast", "calls_offered": calls,
                         "aht_seconds": pooled["aht_seconds"].to_numpy(float), "agents_on_phone": agents,
                         "service_level": m["service_level"].to_numpy(),
                         "abandon_rate": m["abandon_rate"].to_numpy(),
                         "asa_seconds": m["asa_seconds"].to_numpy(),
                         "calls_answered_within_target": m["service_level"].to_numpy() * calls,
                         "calls_abandoned": m["abandon_rate"].to_numpy() * calls})


def _done(actuals: pd.DataFrame, agents: pd.Series, targets: AccessibilityTargets) -> pd.DataFrame:
    per = achieved_per_interval(actuals, targets.answer_within_seconds or 0.0,
                                patience_seconds=targets.patience_seconds if targets.patience_seconds else None)
    g = per.groupby("interval_start", sort=True)
    s = g[["calls_offered", "calls_abandoned", "calls_answered_within_target"]].sum(min_count=1)
    aht_w = (per["aht_seconds"] * per["calls_answered"]).groupby(per["interval_start"]).sum()
    asa_w = (per["asa_seconds"] * per["calls_answered"]).groupby(per["interval_start"]).sum()
    answered = g["calls_answered"].sum().where(lambda v: v > 0)
    offered = s["calls_offered"].where(s["calls_offered"] > 0)
    return pd.DataFrame({"interval_start": s.index, "phase": "actual", "calls_offered": s["calls_offered"].to_numpy(),
                         "aht_seconds": (aht_w / answered).to_numpy(),
                         "agents_on_phone": agents.reindex(s.index).to_numpy(),
                         "service_level": (s["calls_answered_within_target"] / offered).to_numpy(),
                         "abandon_rate": (s["calls_abandoned"] / offered).to_numpy(),
                         "asa_seconds": (asa_w / answered).to_numpy(),
                         "calls_answered_within_target": s["calls_answered_within_target"].to_numpy(),
                         "calls_abandoned": s["calls_abandoned"].to_numpy()})


def project_day(reforecast: Reforecast, actuals: pd.DataFrame, agents_on_phone: pd.Series,
                targets: AccessibilityTargets, *, inbound_share: pd.Series | None = None,
                callback_calls: pd.Series | None = None) -> Projection:
    """Project the day's accessibility at ``reforecast.now``.

    Parameters
    ----------
    reforecast : Reforecast
        The day re-forecast (:func:`optimiser.today.reforecast.reforecast_day`).
    actuals : DataFrame
        The actuals so far (the same the re-forecast used).
    agents_on_phone : Series
        Agents on the phone per interval of the day (:func:`agents_on_phone_today`, or
        after accepted actions).
    targets : AccessibilityTargets
        ``answer_within_seconds`` and ``target_service_level`` needed; ``patience_seconds``
        for Erlang A (None: Erlang C).
    inbound_share : Series, optional
        Share of each remaining interval's calls that stay in the queue when call-backs are
        offered (:mod:`optimiser.today.actions`); the rest are call-backs, served by their
        deadline and counted apart (``callbacks_accepted``), as in
        ``optimiser.staffing.deferred``.  Default 1 (no offer).
    callback_calls : Series, optional
        Call-backs made in each remaining interval [calls]: they occupy the agents (same
        handle time) but are not queue calls, so they count in no service level.
    """
    if not isinstance(targets, AccessibilityTargets) or targets.answer_within_seconds is None:
        raise WfmInputError("targets must be AccessibilityTargets with answer_within_seconds", parameter="targets")
    im = reforecast.interval_minutes
    rest = reforecast.rest_of_day()
    frames = [_done(actuals, agents_on_phone, targets)] if len(actuals) else []
    if len(rest):
        pooled = pool_queues(rest.assign(calls_offered_p10=rest["calls_offered"], calls_offered_p90=rest["calls_offered"]),
                             source="re-forecast")
        agents = agents_on_phone.reindex(pooled.index).fillna(0.0).to_numpy(float)
        share = np.ones(len(pooled)) if inbound_share is None else \
            inbound_share.reindex(pooled.index).fillna(1.0).to_numpy(float)
        extra = None if callback_calls is None else callback_calls.reindex(pooled.index).fillna(0.0).to_numpy(float)
        rest_frame = _rest(pooled.assign(calls_offered=pooled["calls_offered"] * share), agents, im, targets, extra)
        rest_frame["callbacks_accepted"] = pooled["calls_offered"].to_numpy(float) * (1.0 - share)
        frames.append(rest_frame)
    per = pd.concat(frames, ignore_index=True)
    per["callbacks_accepted"] = per["callbacks_accepted"].fillna(0.0) if "callbacks_accepted" in per else 0.0
    per = per[list(PROJECTION_COLUMNS)]
    return Projection(per_interval=per, day=_day_summary(per, targets))


def _day_summary(per: pd.DataFrame, targets: AccessibilityTargets) -> dict:
    def share(rows, column):
        offered = rows["calls_offered"].sum()
        return float(rows[column].sum() / offered) if offered > 0 else float("nan")

    done, rest = per[per["phase"] == "actual"], per[per["phase"] == "reforecast"]
    offered = float(per["calls_offered"].sum())
    within = float(per["calls_answered_within_target"].sum())
    target = targets.target_service_level
    short = max(0.0, target * offered - within) if target is not None else float("nan")
    return {"calls_offered": offered, "service_level": share(per, "calls_answered_within_target"),
            "abandon_rate": share(per, "calls_abandoned"),
            "so_far_service_level": share(done, "calls_answered_within_target"),
            "rest_service_level": share(rest, "calls_answered_within_target"),
            "target_service_level": target, "calls_short_of_target": short,
            "callbacks_accepted": float(per["callbacks_accepted"].sum())}
