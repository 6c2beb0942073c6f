"""The typed result of a scheduling run.

:class:`ScheduleResult` says honestly how the solver stopped (``status`` is
``Optimal``, ``Feasible`` -- an incumbent that is *not* proven optimal, because
the time limit, the gap tolerance or a user stop ended the search --
``Infeasible`` or ``No solution``), gives the best bound and gap read from the
solver, the shifts in the schedule-CSV layout, the coverage per queue and
interval against the requirement, the predicted service level, speed of answer
and abandonment per interval and per day (through :mod:`optimiser.queueing.erlang`),
agent-hours, cost, and every shortfall with the rule that binds there.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimiser.queueing.on_phone import on_phone_from_scheduled, whole_agents
from wfm.ground.frames import SCHEDULE_COLUMNS, Break, format_breaks
from wfm.ground.vocabulary import SolverStatus


@dataclass(frozen=True)
class Shortfall:
    """A run of consecutive intervals where a queue is short of agents.

    ``agents_short`` is the largest shortfall in the run [agents],
    ``agent_hours_short`` the total [agent-hours]; ``reason`` names the rule
    that caps coverage there and ``rule`` is its code (one of
    :data:`optimiser.scheduling.explain.RULE_CODES`; see :mod:`optimiser.scheduling.explain`).
    """

    queue: str
    start: pd.Timestamp
    end: pd.Timestamp
    agents_required: float
    agents_short: float
    agent_hours_short: float
    reason: str = ""
    rule: str = ""

    def describe(self) -> str:
        same_day = self.end - self.start < pd.Timedelta(days=1) and (
            self.end.date() == self.start.date() or (self.end.hour, self.end.minute) == (0, 0))
        span = (f"{self.start:%a %H:%M}\u2013{self.end:%H:%M}" if same_day
                else f"{self.start:%a %d %b %H:%M}\u2013{self.end:%a %d %b %H:%M}")
        return (f"{self.queue} {span} needs {self.agents_required:g} agents, "
                f"{self.agents_short:g} short ({self.agent_hours_short:g} agent-hours)"
                + (f"; {self.reason}" if self.reason else ""))


@dataclass(frozen=True)
class ScheduleResult:
    """Outcome of :func:`optimiser.scheduling.solve.solve`.

    Attributes
    ----------
    solver : str
        ``highs`` or ``cbc`` (the one actually used).
    status : SolverStatus
        ``Optimal`` | ``Feasible`` | ``Infeasible`` | ``No solution`` (a ``str`` enum: it
        compares equal to, and prints as, the word).
    stop_reason : str
        ``optimal``, ``gap`` (stopped at the gap tolerance), ``time_limit``,
        ``interrupted``, ``infeasible``, ``error``, ``converged`` (the
        two-stage global-SL steps stopped changing the plan; see
        :mod:`optimiser.scheduling.global_sl`).
    objective, best_bound, gap : float or None
        Objective of the incumbent, best proven bound, relative gap [fraction]
        as reported by the solver (None when the solver does not say).
    hit_time_limit : bool
    message : str
        One human sentence about the status (and a solver fallback, if any).
    objective_kind : str
        ``cost`` | ``global-sl`` | ``max-sl``.
    elapsed_seconds : float
        Wall-clock solve time [s] (model build excluded).
    shifts : pandas.DataFrame
        Schedule CSV columns: ``shift_id, template, skill_group, start, end,
        count, paid_minutes, breaks``.
    coverage : pandas.DataFrame
        Per (queue, interval): ``agents_required``, ``agents_allocated``,
        ``deferred_agents``, ``shortfall`` and, when the requirement has
        ``calls_offered``/``aht_seconds``, ``agents_on_phone``,
        ``service_level``, ``asa_seconds``, ``abandon_rate``.
    group_coverage : pandas.DataFrame
        Per (skill group, interval): ``agents_working`` (on shift, not on break).
    daily : pandas.DataFrame
        Per (date, queue, plus queue ``all``): ``calls_offered`` and
        calls-weighted ``service_level``, ``asa_seconds``, ``abandon_rate``.
    tours : pandas.DataFrame
        Agents per skill group, contract, week and working-day pattern.
    agent_hours : float
        Paid agent-hours of all shifts [h].
    cost : float
        Shift cost with premiums, unpaid breaks deducted [currency].
    shortfalls : tuple of Shortfall
    explanations : tuple of str
        Why coverage is capped where it is short (empty when covered).
    global_service_level : float or None
        Calls-weighted predicted service level over the horizon [fraction].
    progress : tuple
        ``(incumbent, bound, elapsed_seconds)`` reports seen during the solve.
    """

    solver: str
    status: SolverStatus
    stop_reason: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    hit_time_limit: bool
    message: str
    objective_kind: str
    elapsed_seconds: float
    shifts: pd.DataFrame = field(repr=False)
    coverage: pd.DataFrame = field(repr=False)
    group_coverage: pd.DataFrame = field(repr=False)
    daily: pd.DataFrame = field(repr=False)
    tours: pd.DataFrame = field(repr=False)
    deferred: pd.DataFrame = field(repr=False)
    agent_hours: float
    cost: float
    shortfalls: tuple[Shortfall, ...] = ()
    explanations: tuple[str, ...] = ()
    global_service_level: float | None = None
    progress: tuple = ()
    build_seconds: float = 0.0

    @property
    def has_solution(self) -> bool:
        return SolverStatus(self.status).has_plan

    @property
    def is_optimal(self) -> bool:
        return self.status == SolverStatus.OPTIMAL

    def summary(self) -> str:
        parts = [f"status {self.status} ({self.stop_reason}) with {self.solver}: {self.message}"]
        if self.has_solution:
            parts.append(f"agents on shifts {int(self.shifts['count'].sum()) if len(self.shifts) else 0}, "
                         f"agent-hours {self.agent_hours:,.1f}, cost {self.cost:,.0f}")
            if self.objective is not None:
                bound = f"{self.best_bound:,.2f}" if self.best_bound is not None else "n/a"
                gap = f"{self.gap:.2%}" if self.gap is not None else "n/a"
                parts.append(f"objective {self.objective:,.2f}, best bound {bound}, gap {gap}")
            if self.global_service_level is not None:
                parts.append(f"predicted service level over the horizon {self.global_service_level:.1%}")
            if self.shortfalls:
                parts.append(f"{len(self.shortfalls)} shortfall period(s):")
                parts += [f"  - {s.describe()}" for s in self.shortfalls[:20]]
                if len(self.shortfalls) > 20:
                    parts.append(f"  ... and {len(self.shortfalls) - 20} more")
        listed = {s.describe() for s in self.shortfalls}
        parts += [f"  * {e}" for e in self.explanations if e not in listed][:20]
        return "\n".join(parts)


def _val(v) -> float:
    if v is None:
        return 0.0
    x = v.value() if hasattr(v, "value") else v.varValue
    return float(x) if x is not None else 0.0


def _round(x: float) -> int:
    return int(np.floor(x + 0.5))


def break_assignment(model) -> dict[tuple[int, str], list[int]]:
    """Per (shift index, break rule): break offsets [min after shift start],
    one per agent, by earliest-deadline matching of the aggregated break
    counts to the shifts (exact for equal-width windows, see
    :func:`optimiser.scheduling.model.add_break_windows`)."""
    p = model.problem
    im = p.interval_minutes
    rules = {b.name: b for b in p.rules.break_rules}
    out: dict[tuple[int, str], list[int]] = {}
    members = defaultdict(list)
    for k, sv in enumerate(model.shifts):
        count = _round(_val(sv.var))
        for rname in sv.breaks:
            if count > 0:
                members[(sv.group, rname)].append((sv.p0 + rules[rname].window_start_minutes // im, k, count))
    for key, items in members.items():
        rname = key[1]
        breaks = []
        for b, v in sorted(model.break_vars.get(key, {}).items()):
            breaks += [b] * _round(_val(v))
        items.sort()
        i = 0
        for _, k, count in items:
            sv = model.shifts[k]
            taken = breaks[i:i + count]
            i += count
            out[(k, rname)] = [(b - sv.p0) * im for b in taken]
    return out


def shifts_frame(model) -> pd.DataFrame:
    """Distinct shifts with their break placements, counts > 0."""
    p = model.problem
    rules = {b.name: b for b in p.rules.break_rules}
    assignment = break_assignment(model)
    rows = []
    for k, sv in enumerate(model.shifts):
        count = _round(_val(sv.var))
        if count <= 0:
            continue
        per_rule = [(rname, assignment.get((k, rname), [])) for rname in sv.breaks]
        for rname, offs in per_rule:
            if len(offs) != count:
                raise RuntimeError(f"break matching failed for {sv.name} ({rname}): {len(offs)} breaks for {count} agents")
        combos = Counter(tuple(offs[a] for _, offs in per_rule) for a in range(count))
        for combo, n in sorted(combos.items()):
            brks = []
            for (rname, _), o in zip(per_rule, combo):
                rule = rules[rname]
                brks.append(Break(sv.start + pd.Timedelta(minutes=o), rule.minutes, rule.paid))
            brks.sort(key=lambda b: b.start)
            rows.append({"template": sv.template, "skill_group": sv.group, "start": sv.start, "end": sv.end,
                         "count": n, "paid_minutes": sv.paid_minutes, "breaks": format_breaks(brks)})
    frame = pd.DataFrame(rows, columns=[c for c in SCHEDULE_COLUMNS if c != "shift_id"])
    frame = frame.sort_values(["start", "skill_group", "template", "end", "breaks"], ignore_index=True)
    frame.insert(0, "shift_id", [f"S{i + 1:05d}" for i in range(len(frame))])
    frame["count"] = frame["count"].astype("int64")
    frame["paid_minutes"] = frame["paid_minutes"].astype("int64")
    return frame


def coverage_frames(model) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coverage per queue and per skill group; spare working agents of a group
    (beyond what the model allocated) are spread over its open queues in
    proportion to their requirement, for the service-level prediction."""
    p = model.problem
    n = model.n_intervals
    groups = [g for g in p.rules.skill_groups]
    working = {g.name: np.zeros(n) for g in groups}
    for sv in model.shifts:
        c = _val(sv.var)
        if c <= 1e-9:
            continue
        for j, pos in enumerate(sv.positions):
            if pos >= 0:
                working[sv.group][pos] += c
    from optimiser.scheduling.model import wrap

    for (g, rname), ys in model.break_vars.items():
        rule = next(b for b in p.rules.break_rules if b.name == rname)
        for b, v in ys.items():
            val = _val(v)
            if val <= 1e-9:
                continue
            for j in range(b, b + rule.minutes // p.interval_minutes):
                pos = wrap(model, j)
                if pos >= 0:
                    working[g][pos] -= val
    queues = p.queues
    alloc = {q: np.zeros(n) for q in queues}
    for (g, q, i), v in model.alloc.items():
        alloc[q][i] += _val(v)
    spread = {q: alloc[q].copy() for q in queues}
    for g in groups:
        serves = [q for q in g.queues if q in queues]
        used = sum((np.array([_val(model.alloc.get((g.name, q, i))) for i in range(n)]) for q in serves), np.zeros(n))
        spare = np.maximum(working[g.name] - used, 0)
        for i in np.flatnonzero(spare > 1e-9):
            open_q = [q for q in serves if model.open_mask[q][i]]
            if not open_q:
                continue
            weights = np.array([max(model.requirement[q][i], 0.0) for q in open_q])
            weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(open_q), 1 / len(open_q))
            for q, w in zip(open_q, weights):
                spread[q][i] += spare[i] * w
    deferred = {q: np.zeros(n) for q in queues}
    queue_of = {d.name: d.queue for d in p.rules.deferred_work}
    for (name, i), v in model.deferred.items():
        deferred[queue_of[name]][i] += _val(v)
    rows = []
    for q in queues:
        short = np.array([_val(model.short.get((q, i))) for i in range(n)])
        rows.append(pd.DataFrame({
            "interval_start": p.intervals, "queue": q, "agents_required": model.requirement[q],
            "agents_allocated": spread[q], "deferred_agents": deferred[q], "shortfall": short,
        }))
    cov = pd.concat(rows, ignore_index=True)
    gcov = pd.concat([pd.DataFrame({"interval_start": p.intervals, "skill_group": g.name,
                                    "agents_working": working[g.name]}) for g in groups], ignore_index=True)
    return cov, gcov


def predict_service(model, coverage: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, float | None]:
    """Add predicted service level, ASA and abandonment per interval, and the
    calls-weighted daily summary.  Needs ``calls_offered`` and ``aht_seconds``."""
    from optimiser.queueing.erlang import queue_metrics

    p = model.problem
    req = p.requirement
    if not {"calls_offered", "aht_seconds"} <= set(req.columns):
        return coverage, pd.DataFrame(), None
    merged = coverage.merge(req.drop(columns=["agents_required"]), on=["interval_start", "queue"], how="left")
    shrink = merged["shrinkage"].fillna(0.0).to_numpy() if "shrinkage" in merged else 0.0
    on_phone = on_phone_from_scheduled(merged["agents_allocated"].to_numpy(), shrink)
    on_phone = whole_agents(np.maximum(on_phone - merged["deferred_agents"].to_numpy(), 0), "down")
    calls = merged["calls_offered"].fillna(0.0).to_numpy()
    aht = merged["aht_seconds"].fillna(0.0).to_numpy()
    aht = np.where(aht > 0, aht, 1.0)
    T = (merged["answer_within_seconds"].fillna(p.rules.service_level.answer_within_seconds).to_numpy()
         if "answer_within_seconds" in merged else p.rules.service_level.answer_within_seconds)
    pat = merged["patience_seconds"].fillna(np.inf).to_numpy() if "patience_seconds" in merged else None
    qm = queue_metrics(calls, p.interval_minutes, aht, on_phone, T, patience_seconds=pat)
    out = coverage.copy()
    out["calls_offered"] = calls
    out["agents_on_phone"] = on_phone
    out["service_level"] = np.where(calls > 0, qm["service_level"].to_numpy(), 1.0)
    out["asa_seconds"] = np.where(calls > 0, qm["asa_seconds"].to_numpy(), 0.0)
    out["abandon_rate"] = np.where(calls > 0, qm["abandon_rate"].to_numpy(), 0.0)
    local = out["interval_start"].dt.tz_convert(p.tz)
    out["date"] = [t.date() for t in local]
    daily_rows = []
    for (date, queue), grp in list(out.groupby(["date", "queue"])) + [((d, "all"), g) for d, g in out.groupby("date")]:
        c = grp["calls_offered"].to_numpy()
        tot = c.sum()
        w = c / tot if tot > 0 else np.zeros(len(c))
        daily_rows.append({"date": date, "queue": queue, "calls_offered": tot,
                           "service_level": float((w * grp["service_level"]).sum()) if tot > 0 else 1.0,
                           "asa_seconds": float((w * np.where(np.isfinite(grp["asa_seconds"]), grp["asa_seconds"], 3600.0)).sum()) if tot > 0 else 0.0,
                           "abandon_rate": float((w * grp["abandon_rate"]).sum()) if tot > 0 else 0.0})
    daily = pd.DataFrame(daily_rows).sort_values(["date", "queue"], ignore_index=True)
    tot = calls.sum()
    glob = float((calls * out["service_level"]).sum() / tot) if tot > 0 else None
    return out.drop(columns=["date"]), daily, glob


def tours_frame(model) -> pd.DataFrame:
    rows = defaultdict(float)
    for key, v in model.tours.items():
        g, c, w, pat = key[:4]
        rows[(g, c, w + 1, "".join("X" if i in pat else "-" for i in range(7)))] += _val(v)
    return pd.DataFrame([{"skill_group": g, "contract": c, "week": w, "working_days": pat, "agents": _round(a)}
                         for (g, c, w, pat), a in sorted(rows.items()) if _round(a) > 0],
                        columns=["skill_group", "contract", "week", "working_days", "agents"])


def deferred_frame(model) -> pd.DataFrame:
    p = model.problem
    rows = []
    for item in p.rules.deferred_work:
        done = sum(_val(v) for (name, _), v in model.deferred.items() if name == item.name) * p.interval_minutes
        rows.append({"name": item.name, "queue": item.queue, "release": item.release, "deadline": item.deadline,
                     "workload_agent_minutes": item.workload_agent_minutes, "done_agent_minutes": done,
                     "unfinished_agent_minutes": _val(model.deferred_unfinished.get(item.name))})
    return pd.DataFrame(rows, columns=["name", "queue", "release", "deadline", "workload_agent_minutes",
                                       "done_agent_minutes", "unfinished_agent_minutes"])


def shortfall_runs(model, coverage: pd.DataFrame, tol: float = 1e-6) -> list[Shortfall]:
    """Group consecutive short intervals of a queue into runs."""
    p = model.problem
    step = pd.Timedelta(minutes=p.interval_minutes)
    hours = p.interval_minutes / 60
    out = []
    for q, grp in coverage.groupby("queue", sort=True):
        short = grp["shortfall"].to_numpy()
        req = grp["agents_required"].to_numpy()
        starts = grp["interval_start"].to_numpy()
        i = 0
        n = len(short)
        while i < n:
            if short[i] <= tol:
                i += 1
                continue
            j = i
            while j + 1 < n and short[j + 1] > tol:
                j += 1
            out.append(Shortfall(str(q), pd.Timestamp(starts[i]).tz_convert(p.tz),
                                 (pd.Timestamp(starts[j]) + step).tz_convert(p.tz),
                                 float(np.round(req[i:j + 1].max(), 2)), float(np.round(short[i:j + 1].max(), 2)),
                                 float(np.round(short[i:j + 1].sum() * hours, 2))))
            j += 1
            i = j
    return out


def stop_words(info) -> str:
    """Why the solver stopped, in words with the gap: ``"at the time limit, 12.5 % from its bound"``."""
    why = {"time_limit": "at the time limit", "gap": "at the requested gap", "interrupted": "on the user's request",
           "converged": "when its steps stopped improving"}.get(info.stop_reason, info.stop_reason or "early")
    return why + (f", {info.gap:.1%} from its bound" if info.gap is not None else ", with no bound known")


def extract_result(model, info) -> ScheduleResult:
    """Read the solution values of ``model`` into a :class:`ScheduleResult`."""
    from optimiser.scheduling.explain import explain_min_agents, explain_shortfalls

    if SolverStatus(info.status).has_plan:
        shifts = shifts_frame(model)
        coverage, gcov = coverage_frames(model)
        coverage, daily, glob = predict_service(model, coverage)
        runs = shortfall_runs(model, coverage)
        proven, stop = info.status == SolverStatus.OPTIMAL, stop_words(info)
        runs, explanations = explain_shortfalls(model, runs, coverage, proven=proven, stop=stop)
        explanations += explain_min_agents(model, proven=proven, stop=stop)
        tours = tours_frame(model)
        deferred = deferred_frame(model)
        agent_hours = float((shifts["count"] * shifts["paid_minutes"]).sum() / 60.0) if len(shifts) else 0.0
        cost = float(model.cost_expr.value() or 0.0) if model.cost_expr is not None else 0.0
        for key, s in model.sl_short.items():
            if _val(s) > 1e-6:
                explanations.append(f"global service level for {key} misses its target by {_val(s):,.0f} calls "
                                    f"({_val(s) / max(model.sl_calls.get(key, 1), 1):.1%} of the period's calls)")
        for name, u in model.deferred_unfinished.items():
            if _val(u) > 1e-6:
                explanations.append(f"deferred work {name}: {_val(u):,.0f} agent-minutes not done before its deadline")
    else:
        empty = pd.DataFrame()
        shifts = pd.DataFrame(columns=list(SCHEDULE_COLUMNS))
        coverage = gcov = daily = tours = deferred = empty
        runs, explanations, glob, agent_hours, cost = [], list(info.explanations), None, 0.0, 0.0
    return ScheduleResult(
        solver=info.solver, status=info.status, stop_reason=info.stop_reason, objective=info.objective,
        best_bound=info.best_bound, gap=info.gap, hit_time_limit=info.hit_time_limit, message=info.message,
        objective_kind=model.problem.objective, elapsed_seconds=info.elapsed_seconds, shifts=shifts,
        coverage=coverage, group_coverage=gcov, daily=daily, tours=tours, deferred=deferred,
        agent_hours=agent_hours, cost=cost, shortfalls=tuple(runs), explanations=tuple(explanations),
        global_service_level=glob, progress=tuple(info.progress), build_seconds=info.build_seconds,
    )
