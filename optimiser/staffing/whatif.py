"""What-ifs this contact centre asks about, each compared with the baseline.

* :func:`aht_change` -- handle time up (or down) by a percentage, e.g. more
  actions in the first call.
* :func:`eservice_shift` -- a share of calls moved to e-services: calls down,
  e-service cases up, handled as deferred work (agent-minutes per case).
* :func:`pooling` -- queues or regions staffed separately versus as one pool
  with shared agents: the agents saved by pooling.

Every function takes the long forecast frame (``interval_start, queue,
calls_offered, aht_seconds``) and :class:`~optimiser.staffing.requirement.AccessibilityTargets`
and returns a :class:`WhatIfResult` with the per-interval requirement of
baseline and scenario and a one-line summary (agent-hours, peak agents).

Pooling uses one M/M/n (or M/M/n+M) queue for the pooled calls with the
call-weighted mean handle time.  That is exact when the queues share the same
AHT (and, for Erlang A, the same patience); otherwise it is the usual
approximation (the pooled service time is hyper-exponential; Erlang C with its
mean is optimistic when AHTs differ a lot).  It assumes every pooled agent can
take every call: in this centre English calls need bilingual agents.

References
----------
.. [1] G. Koole, *Call Center Optimization*, 2013, section on economies of
   scale and pooling.
.. [2] N. Gans, G. Koole, A. Mandelbaum, "Telephone call centers: tutorial,
   review, and research prospects", MSOM 5(2), 2003.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimiser.queueing.on_phone import scheduled_from_on_phone
from optimiser.staffing.deferred import place_deferred_work, window_tasks
from optimiser.staffing.requirement import AccessibilityTargets, staffing_table
from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import interval_minutes_of

__all__ = ["WhatIfResult", "aht_change", "eservice_shift", "pooling", "summarise_requirement"]


@dataclass(frozen=True)
class WhatIfResult:
    """Baseline versus scenario.

    Attributes
    ----------
    baseline, scenario : DataFrame
        Requirement tables (:func:`optimiser.staffing.requirement.staffing_table` columns).
    summary : DataFrame
        One row each for ``baseline`` and ``scenario`` (and ``difference``):
        ``agent_hours_on_phone``, ``agent_hours_scheduled``,
        ``peak_agents_required``, ``deferred_agent_hours``.
    extra : dict
        Scenario-specific numbers (e.g. e-service cases created).
    """

    baseline: pd.DataFrame
    scenario: pd.DataFrame
    summary: pd.DataFrame
    extra: dict = field(default_factory=dict)


def summarise_requirement(table: pd.DataFrame, interval_minutes: int,
                          deferred_agent_hours: float = 0.0) -> dict:
    """Agent-hours on the phone and scheduled, and the peak of ``agents_required``.

    The peak is taken over the sum across queues per interval.
    """
    hours = interval_minutes / 60.0
    per_interval = table.groupby("interval_start", sort=True)["agents_required"].sum()
    return {
        "agent_hours_on_phone": float(table["agents_on_phone"].sum() * hours),
        "agent_hours_scheduled": float(table["agents_required"].sum() * hours + deferred_agent_hours),
        "peak_agents_required": int(per_interval.max()) if len(per_interval) else 0,
        "deferred_agent_hours": float(deferred_agent_hours),
    }


def _summary(base: dict, scen: dict) -> pd.DataFrame:
    frame = pd.DataFrame([base, scen], index=["baseline", "scenario"])
    frame.loc["difference"] = frame.loc["scenario"] - frame.loc["baseline"]
    return frame


def _pct(value, name, low, high):
    if not (isinstance(value, (int, float, np.number)) and low <= value <= high):
        raise WfmInputError(f"{name} must be a number in [{low:g}, {high:g}], got {value!r}")
    return float(value)


def aht_change(forecast_df: pd.DataFrame, targets: AccessibilityTargets, aht_change_pct: float,
               *, interval_minutes: int | None = None) -> WhatIfResult:
    """Handle time multiplied by ``1 + aht_change_pct / 100`` in every interval.

    Parameters
    ----------
    aht_change_pct : float
        Change of AHT [%], e.g. 10 for +10 %; > -100.
    """
    _pct(aht_change_pct, "aht_change_pct", -99.999, 1000)
    im = interval_minutes or interval_minutes_of(forecast_df, what="forecast")
    base = staffing_table(forecast_df, targets, interval_minutes=im)
    scen_df = forecast_df.copy()
    scen_df["aht_seconds"] = scen_df["aht_seconds"] * (1 + aht_change_pct / 100.0)
    scen = staffing_table(scen_df, targets, interval_minutes=im)
    return WhatIfResult(base, scen, _summary(summarise_requirement(base, im),
                                             summarise_requirement(scen, im)),
                        {"aht_change_pct": aht_change_pct})


def place_eservice_work(requirement: pd.DataFrame, forecast_df: pd.DataFrame, share_moved: float,
                        eservice_minutes_per_case: float, *, interval_minutes: int,
                        eservice_deadline_hours: float | None = 24.0) -> pd.DataFrame:
    """The requirement with the e-service work of the calls moved away placed into it.

    Each moved call (``share_moved`` of ``forecast_df``'s ``calls_offered``, before the move)
    becomes a case needing ``eservice_minutes_per_case`` agent-minutes, due within
    ``eservice_deadline_hours`` of the interval the caller would have called in (None: the same
    local day); the work is water-filled into the quietest intervals of its window
    (:func:`optimiser.staffing.deferred.place_deferred_work`) on top of the inbound agents.

    Returns
    -------
    DataFrame
        A copy with a column ``eservice_agents`` [agents on the phone] and ``agents_required``
        including that work on top of the inbound agents and any call-back work (scheduled
        agents, rounded up).
    """
    out = requirement.copy()
    out["eservice_agents"] = 0.0
    if share_moved <= 0 or eservice_minutes_per_case <= 0:
        return out
    calls = forecast_df.assign(queue=forecast_df["queue"].astype(str)).set_index(
        ["queue", "interval_start"])["calls_offered"]
    window = None if eservice_deadline_hours is None else max(eservice_deadline_hours * 60.0 - interval_minutes, 0.0)
    # agents already busy: inbound, plus call-back work when the requirement has an offer
    busy = out["agents_on_phone"] + (out["callback_agents"] if "callback_agents" in out else 0.0)
    for queue, g in out.groupby(out["queue"].astype(str), sort=False):
        g = g.sort_values("interval_start")
        key = pd.MultiIndex.from_arrays([[queue] * len(g), g["interval_start"]])
        work = calls.reindex(key).fillna(0.0).to_numpy(float) * share_moved * eservice_minutes_per_case
        starts = pd.DatetimeIndex(g["interval_start"])
        tasks = window_tasks(starts, work, interval_minutes, window, f"e-service {queue}")
        per, _ = place_deferred_work(pd.Series(busy.loc[g.index].to_numpy(float), index=starts),
                                     tasks, interval_minutes)
        out.loc[g.index, "eservice_agents"] = per["deferred_agents"].to_numpy()
    out["agents_required"] = scheduled_from_on_phone(busy + out["eservice_agents"],
                                                     out["shrinkage"], rounding="up").astype(np.int64)
    return out


def eservice_shift(forecast_df: pd.DataFrame, targets: AccessibilityTargets, share_moved: float,
                   eservice_minutes_per_case: float, *, interval_minutes: int | None = None,
                   eservice_deadline_hours: float | None = 24.0) -> WhatIfResult:
    """A share of calls moved to e-services.

    Calls drop by ``share_moved`` in every interval; each moved call becomes an
    e-service case needing ``eservice_minutes_per_case`` agent-minutes of
    deferred work, due within ``eservice_deadline_hours`` of the interval the
    caller would have called in (``None``: by the end of that local day, never
    past the forecast's end).  The work is placed by water-filling into the
    quietest intervals of its window (:func:`optimiser.staffing.deferred.place_deferred_work`)
    on top of the scenario's inbound agents; the scenario table gains a column
    ``eservice_agents`` and its ``agents_required`` includes that work.

    Parameters
    ----------
    share_moved : float
        Share of calls moved, in [0, 1].
    eservice_minutes_per_case : float
        Agent-minutes to handle one e-service case [min], >= 0.
    eservice_deadline_hours : float or None
        Cases are due within this many hours [h], > 0; None: same local day.
    """
    _pct(share_moved, "share_moved", 0, 1)
    if not (isinstance(eservice_minutes_per_case, (int, float, np.number))
            and 0 <= eservice_minutes_per_case < np.inf):
        raise WfmInputError(f"eservice_minutes_per_case must be >= 0 and finite, got "
                            f"{eservice_minutes_per_case!r}")
    if eservice_deadline_hours is not None and not (0 < eservice_deadline_hours < np.inf):
        raise WfmInputError(f"eservice_deadline_hours must be > 0 and finite, got {eservice_deadline_hours!r}")
    im = interval_minutes or interval_minutes_of(forecast_df, what="forecast")
    base = staffing_table(forecast_df, targets, interval_minutes=im)
    scen_df = forecast_df.copy()
    scen_df["calls_offered"] = scen_df["calls_offered"] * (1 - share_moved)
    scen = staffing_table(scen_df, targets, interval_minutes=im)
    scen = place_eservice_work(scen, forecast_df, share_moved, eservice_minutes_per_case,
                               interval_minutes=im, eservice_deadline_hours=eservice_deadline_hours)
    cases = float(forecast_df["calls_offered"].sum() * share_moved)
    deferred_hours = cases * eservice_minutes_per_case / 60.0
    # deferred work is scheduled time too: divide by (1 - shrinkage)
    deferred_scheduled = scheduled_from_on_phone(deferred_hours, targets.shrinkage)
    s_scen = summarise_requirement(scen, im, deferred_scheduled)
    # agent-hours: inbound requirement without the e-service part + the exact work
    inbound_only = scheduled_from_on_phone(scen["agents_on_phone"], scen["shrinkage"], rounding="up")
    s_scen["agent_hours_scheduled"] = float(inbound_only.sum() * im / 60.0 + deferred_scheduled)
    return WhatIfResult(base, scen, _summary(summarise_requirement(base, im), s_scen),
                        {"eservice_cases": cases, "eservice_work_hours": deferred_hours,
                         "eservice_deadline_hours": eservice_deadline_hours})


def pooling(forecast_df: pd.DataFrame, targets: AccessibilityTargets,
            groups: dict[str, list[str]] | None = None, *,
            interval_minutes: int | None = None) -> WhatIfResult:
    """Queues staffed separately (baseline) versus pooled (scenario).

    Parameters
    ----------
    groups : dict of str to list of str, optional
        Pool name -> queues pooled together; queues not listed stay separate.
        Default: all queues in one pool named ``"pool"``.

    Returns
    -------
    WhatIfResult
        ``scenario`` has one row per pool x interval with ``queue`` the pool
        name; ``extra['agents_saved_peak']`` and
        ``extra['agent_hours_saved']`` give the saving.
    """
    im = interval_minutes or interval_minutes_of(forecast_df, what="forecast")
    queues = list(dict.fromkeys(forecast_df["queue"].astype(str)))
    if groups is None:
        groups = {"pool": queues}
    seen: dict[str, str] = {}
    for pool, members in groups.items():
        for q in members:
            if q not in queues:
                raise WfmInputError(f"pooling group {pool!r} names queue {q!r}, which is not in "
                                    f"the forecast (queues: {', '.join(queues)})")
            if q in seen:
                raise WfmInputError(f"queue {q!r} is in two pooling groups: {seen[q]!r} and {pool!r}")
            seen[q] = pool
    mapping = {q: seen.get(q, q) for q in queues}
    base = staffing_table(forecast_df, targets, interval_minutes=im)
    df = forecast_df.copy()
    df["queue"] = df["queue"].astype(str).map(mapping)
    df["_work"] = df["calls_offered"] * df["aht_seconds"].fillna(0.0)
    pooled = df.groupby(["queue", "interval_start"], sort=False).agg(
        calls_offered=("calls_offered", "sum"), _work=("_work", "sum")).reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled["aht_seconds"] = np.where(pooled["calls_offered"] > 0,
                                         pooled["_work"] / pooled["calls_offered"], np.nan)
    pooled = pooled.drop(columns="_work")
    pooled.attrs["interval_minutes"] = im
    scen = staffing_table(pooled, targets, interval_minutes=im)
    s_base, s_scen = summarise_requirement(base, im), summarise_requirement(scen, im)
    return WhatIfResult(base, scen, _summary(s_base, s_scen), {
        "groups": {k: list(v) for k, v in groups.items()},
        "agents_saved_peak": s_base["peak_agents_required"] - s_scen["peak_agents_required"],
        "agent_hours_saved": s_base["agent_hours_scheduled"] - s_scen["agent_hours_scheduled"],
    })
