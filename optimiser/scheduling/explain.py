"""Why is a plan short?  Name the intervals and the rule that binds.

The model is built with elastic shortfall slack (``short_<queue>_<interval>``,
priced at ``shortfall_penalty_per_agent_hour``), so it always returns the best
partial plan.  For each run of short intervals this module looks, after the
solve, at which rule caps coverage there, in this order:

1. the queue is closed (``opening_hours``);
2. no shift template can put an agent of a group serving the queue there;
3. ``max_agents`` of a ``limits`` entry is reached;
4. every template that could cover it is at its ``max_agents_per_day``;
5. the headcount of every skill group serving the queue is used up
   (or ``headcount_total``);
6. the contract weekly-hours maximum of those groups is reached;
7. otherwise covering it costs more than the shortfall penalty.

Messages read like "Sun 02:00-06:00 needs 14 agents (reports), 4 short;
night shifts are capped at 10 per day (shift_templates.night.max_agents_per_day)".
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from optimiser.scheduling.model import lp_name
from wfm.ground.vocabulary import WEEKDAYS

TOL = 1e-6


def _val(x) -> float:
    v = x.value() if hasattr(x, "value") else x.varValue
    return float(v) if v is not None else 0.0


def _tight(model, name: str, tol: float = 1e-5) -> bool:
    c = model.prob.constraints.get(name)
    if c is None:
        return False
    v = c.value()
    return v is not None and abs(v) <= tol


def _cover_index(model) -> dict[str, dict[int, list[int]]]:
    """group -> horizon position -> indices of the shifts covering it (built once)."""
    cached = getattr(model, "_cover_index_cache", None)
    if cached is None:
        cached = {}
        for k, sv in enumerate(model.shifts):
            per = cached.setdefault(sv.group, {})
            for x in sv.positions:
                if x >= 0:
                    per.setdefault(int(x), []).append(k)
        model._cover_index_cache = cached
    return cached


def binding_rule(model, queue: str, positions: list[int]) -> str:
    """The rule that caps coverage of ``queue`` over horizon ``positions``."""
    p = model.problem
    rules = p.rules
    if queue in model.open_mask and not model.open_mask[queue][positions].any():
        return f"the queue {queue} is closed then (opening_hours.{queue})"
    groups = [g.name for g in rules.skill_groups if queue in g.queues]
    index = _cover_index(model)
    seen = set()
    covering = []
    for g in groups:
        for i in positions:
            for k in index.get(g, {}).get(int(i), ()):
                if k not in seen:
                    seen.add(k)
                    covering.append(model.shifts[k])
    if not covering:
        return (f"no shift template lets a {' or '.join(groups)} agent work then "
                "(shift_templates: start times, lengths, days, skill_groups)")
    local = p.intervals.tz_convert(p.tz)
    for k, lim in enumerate(rules.limits):
        if lim.max_agents is None:
            continue
        qname = "all" if lim.queue == "*" else lim.queue
        if any(_tight(model, lp_name("max", k, qname, model.labels[i])) for i in positions):
            return f"at most {lim.max_agents:g} agents are allowed then (limits[{k}].max_agents)"
    templates = {}
    for sv in covering:
        templates.setdefault(sv.template, set()).add(sv.day)
    capped, uncapped = [], []
    for t in rules.templates:
        if t.name not in templates:
            continue
        if t.max_agents_per_day is None:
            uncapped.append(t.name)
            continue
        days = templates[t.name]
        at_cap = all(_tight(model, lp_name("cap", t.name, f"{WEEKDAYS[p.days[d].weekday()]}{p.days[d]:%m%d}"))
                     for d in days)
        (capped if at_cap else uncapped).append(t.name)
    if capped and not uncapped:
        caps = ", ".join(f"{name} shifts are capped at {next(t.max_agents_per_day for t in rules.templates if t.name == name)} "
                         f"per day (shift_templates.{name}.max_agents_per_day)" for name in capped)
        return caps
    weeks = {p.days.index(local[i].date()) // 7 for i in positions}
    used = []
    for g in groups:
        cap = sum(h.agents for h in rules.headcount if h.skill_group == g)
        in_tours = [sum(_val(v) for k, v in model.tours.items() if k[0] == g and k[2] == w) for w in weeks]
        if cap > 0 and all(t >= cap - TOL for t in in_tours) or cap == 0:
            used.append(g)
    if len(used) == len(groups):
        total = sum(h.agents for h in rules.headcount if h.skill_group in groups)
        return (f"the headcount of {', '.join(groups)} ({total} agents) is fully used "
                "(headcount; more staff or other shift patterns needed)")
    if rules.headcount_total is not None and all(_tight(model, lp_name("headcount_total", f"w{w + 1}")) for w in weeks):
        return f"the total headcount of {rules.headcount_total} agents is fully used (headcount_total)"
    hours_used = any(_val(sv.var) > TOL for sv in model.shifts if sv.group in groups)
    if hours_used and all(_tight(model, lp_name("hours_max", g, f"w{w + 1}")) for g in groups for w in weeks):
        return f"the contract hours of {', '.join(groups)} are used up (contracts.*.max_hours_per_week)"
    if capped:
        return (f"{', '.join(capped)} shifts are at their max_agents_per_day and the other templates "
                f"({', '.join(uncapped)}) cost more than the shortfall penalty here")
    return ("covering it costs more than the shortfall penalty "
            f"({rules.costs.shortfall_penalty_per_agent_hour:g} per agent-hour, costs.shortfall_penalty_per_agent_hour)")


def explain_shortfalls(model, runs, coverage, proven: bool = True) -> tuple[list, list[str]]:
    """Attach the binding rule to each :class:`Shortfall` run and return
    human-readable explanations, one per run.  ``proven=False`` (the solver
    stopped before optimality) adds that a longer run may cover more."""
    p = model.problem
    index = {t: i for i, t in enumerate(p.intervals)}
    step = p.intervals[1] - p.intervals[0] if len(p.intervals) > 1 else None
    out, lines = [], []
    for run in runs:
        positions = []
        t = run.start
        while t < run.end and step is not None:
            if t in index:
                positions.append(index[t])
            t = t + step
        if not positions:
            positions = [index.get(run.start, 0)]
        reason = binding_rule(model, run.queue, positions)
        if not proven:
            reason += " (the solver stopped before proving optimality: a longer run may cover more)"
        run = replace(run, reason=reason)
        out.append(run)
        lines.append(run.describe())
    return out, lines


def explain_global_sl(model) -> list[str]:
    """Periods whose global service level target is missed, in calls."""
    out = []
    for key, s in model.sl_short.items():
        short = _val(s)
        if short > TOL:
            calls = model.sl_calls.get(key, 0.0)
            out.append(f"{key}: target missed by {short:,.0f} calls of {calls:,.0f}")
    return out


def uncoverable_intervals(model) -> np.ndarray:
    """Boolean mask per queue-interval that no shift can reach (diagnostic)."""
    p = model.problem
    n = model.n_intervals
    mask = {}
    for q in p.queues:
        groups = [g.name for g in p.rules.skill_groups if q in g.queues]
        reach = np.zeros(n, bool)
        for sv in model.shifts:
            if sv.group in groups:
                ok = sv.positions[sv.positions >= 0]
                reach[ok] = True
        mask[q] = ~reach
    return mask


__all__ = ["binding_rule", "explain_shortfalls", "explain_global_sl", "uncoverable_intervals"]
