"""Why is a plan short?  Name the intervals and the rule that binds.

The model is built with elastic shortfall slack (``short_<queue>_<interval>``,
priced at ``shortfall_penalty_per_agent_hour``), so it always returns the best
partial plan.  For each run of short intervals this module looks, after the
solve, at which rule caps coverage there, in this order:

1. the queue is closed (``opening_hours``);
2. no shift template can put an agent of a group serving the queue there;
3. no agent of those groups can have a weekly tour: every contract's minimum weekly hours is
   above what its days per week of the templates' longest paid shifts reach;
4. ``max_agents`` of a ``limits`` entry is reached;
5. every template that could cover it is at its ``max_agents_per_day``;
6. the headcount of every skill group serving the queue is used up
   (or ``headcount_total``);
7. the contract weekly-hours maximum of those groups is reached;
8. the solver stopped before proving its plan optimal (time limit, gap, user) and no rule above is
   at its limit there: the time limit, not a rule, left it short;
9. otherwise (proven optimal) the cheapest shift reaching it costs more than the shortfall penalty it
   would save, with both numbers; or, when it does not, the proof: every extra shift there costs more
   than it saves once what it changes elsewhere is counted.

Each reason is read from the model and its solution (row activities, variable values, the shifts'
costs and spans), never assumed.

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


def unreachable_contracts(model, groups: list[str]) -> list[str]:
    """Reasons, one per (skill group, contract) with agents in ``groups``, when no tour of that contract can
    reach its minimum weekly hours: days per week x the longest paid shift the group's templates offer
    (a horizon shorter than a week scales the minimum by its days / 7, as the model does)."""
    rules = model.problem.rules
    days = min(7, model.problem.n_days)
    longest = {}
    for sv in model.shifts:
        longest[sv.group] = max(longest.get(sv.group, 0), sv.paid_minutes)
    out = []
    for g in groups:
        for c in rules.contracts:
            if not any(h.skill_group == g and h.contract == c.name and h.agents > 0 for h in rules.headcount):
                continue
            on = min(c.days_per_week, days)
            most, need = on * longest.get(g, 0) / 60.0, c.min_hours_per_week * days / 7.0
            if most + TOL >= need:
                return []
            out.append(f"contract {c.name} needs at least {need:g} h a week, but a {g} agent can "
                       f"work at most {on} days x {longest.get(g, 0) / 60:g} h = {most:g} h with the "
                       f"shift templates (contracts.{c.name}.min_hours_per_week), so no {g} agent can be scheduled")
    return out


def _cheapest_cover(covering, positions: list[int]):
    """The cheapest shift among ``covering`` and the positions of ``positions`` it reaches."""
    wanted = set(int(i) for i in positions)
    best = min(covering, key=lambda sv: sv.cost)
    return best, len(wanted.intersection(int(x) for x in best.positions if x >= 0))


def _fallback(model, covering, positions, proven: bool, stop: str) -> tuple[str, str]:
    """Reasons 8 and 9 of the module docstring: a code of :data:`RULE_CODES` and the sentence."""
    rules = model.problem.rules
    if not proven:
        return "solver_stopped", (f"no rule is at its limit there: the solver stopped ({stop}) before proving its plan optimal, so "
                "the search, not a rule, left it short -- a longer time limit may cover it")
    if model.problem.objective == "max-sl":
        return "floor_elsewhere", ("the plan is proven optimal: the agents answer more calls elsewhere than the floor here is worth "
                "(service_floor)")
    sv, reached = _cheapest_cover(covering, positions)
    hours = model.problem.interval_minutes / 60.0
    saved = rules.costs.shortfall_penalty_per_agent_hour * hours * reached
    what = (f"the cheapest shift reaching it ({sv.template} {sv.start:%a %H:%M}, {sv.length_minutes / 60:g} h) "
            f"costs {sv.cost:,.0f}")
    if sv.cost > saved + TOL:
        return "penalty", (f"{what}, more than the {saved:,.0f} of shortfall penalty one more agent on it saves here "
                f"({rules.costs.shortfall_penalty_per_agent_hour:g} per agent-hour, "
                "costs.shortfall_penalty_per_agent_hour)")
    return "optimal_tradeoff", (f"{what}, less than the {saved:,.0f} of shortfall penalty it saves here, but the plan is proven "
            "optimal: adding it breaks or costs more elsewhere (days off, contract hours, breaks) than it saves")


#: Short codes of the rules :func:`binding` names, in the order they are checked (the app words them).
RULE_CODES = ("closed", "no_shift", "contract_min_hours", "interval_max", "template_cap", "group_headcount",
              "total_headcount", "contract_hours", "template_cap_cost", "solver_stopped", "floor_elsewhere",
              "penalty", "optimal_tradeoff")


def binding_rule(model, queue: str, positions: list[int], *, proven: bool = True, stop: str = "time limit") -> str:
    """The rule that caps coverage of ``queue`` over horizon ``positions`` (a sentence); see :func:`binding`."""
    return binding(model, queue, positions, proven=proven, stop=stop)[1]


def binding(model, queue: str, positions: list[int], *, proven: bool = True,
            stop: str = "time limit") -> tuple[str, str]:
    """The rule that caps coverage of ``queue`` over horizon ``positions``: its code (one of
    :data:`RULE_CODES`) and a sentence naming the rules-file key.  ``proven``: the plan is a proven optimum
    (else reasons that need optimality give way to the solver's stop, ``stop``)."""
    p = model.problem
    rules = p.rules
    if queue in model.open_mask and not model.open_mask[queue][positions].any():
        return "closed", f"the queue {queue} is closed then (opening_hours.{queue})"
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
        return "no_shift", (f"no shift template lets a {' or '.join(groups)} agent work then "
                "(shift_templates: start times, lengths, days, skill_groups)")
    no_tours = unreachable_contracts(model, groups)
    if no_tours:
        return "contract_min_hours", "; ".join(no_tours)
    local = p.intervals.tz_convert(p.tz)
    for k, lim in enumerate(rules.limits):
        if lim.max_agents is None:
            continue
        qname = "all" if lim.queue == "*" else lim.queue
        if any(_tight(model, lp_name("max", k, qname, model.labels[i])) for i in positions):
            return "interval_max", f"at most {lim.max_agents:g} agents are allowed then (limits[{k}].max_agents)"
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
        return "template_cap", caps
    weeks = {p.days.index(local[i].date()) // 7 for i in positions}
    used = []
    for g in groups:
        cap = sum(h.agents for h in rules.headcount if h.skill_group == g)
        in_tours = [sum(_val(v) for k, v in model.tours.items() if k[0] == g and k[2] == w) for w in weeks]
        if cap > 0 and all(t >= cap - TOL for t in in_tours) or cap == 0:
            used.append(g)
    if len(used) == len(groups):
        total = sum(h.agents for h in rules.headcount if h.skill_group in groups)
        return "group_headcount", (f"the headcount of {', '.join(groups)} ({total} agents) is fully used "
                "(headcount; more staff or other shift patterns needed)")
    if rules.headcount_total is not None and all(_tight(model, lp_name("headcount_total", f"w{w + 1}")) for w in weeks):
        return "total_headcount", f"the total headcount of {rules.headcount_total} agents is fully used (headcount_total)"
    hours_used = any(_val(sv.var) > TOL for sv in model.shifts if sv.group in groups)
    if hours_used and all(_tight(model, lp_name("hours_max", g, f"w{w + 1}")) for g in groups for w in weeks):
        return "contract_hours", f"the contract hours of {', '.join(groups)} are used up (contracts.*.max_hours_per_week)"
    if capped:
        rest = [sv for sv in covering if sv.template in uncapped]
        return "template_cap_cost", (f"{', '.join(capped)} shifts are at their max_agents_per_day; for the other "
                                     "templates: " + _fallback(model, rest or covering, positions, proven, stop)[1])
    return _fallback(model, covering, positions, proven, stop)


def explain_shortfalls(model, runs, coverage, proven: bool = True, stop: str = "time limit") -> tuple[list, list[str]]:
    """Attach the binding rule to each :class:`Shortfall` run and return
    human-readable explanations, one per run.  ``proven=False`` (the solver
    stopped before optimality, for the reason ``stop``) names the stop where no
    rule binds, and adds to a binding rule that a longer run may cover more."""
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
        rule, reason = binding(model, run.queue, positions, proven=proven, stop=stop)
        if model.problem.objective == "max-sl":
            floors = [model.floors.get((run.queue, i), 0) for i in positions]
            reason = f"below its floor of {max(floors)} on the phone (service_floor); {reason}"
        if not proven and "the solver stopped" not in reason:
            reason += " (the solver stopped before proving optimality: a longer run may cover more)"
        run = replace(run, reason=reason, rule=rule)
        out.append(run)
        lines.append(run.describe())
    return out, lines


def explain_min_agents(model, proven: bool = True, stop: str = "time limit") -> list[str]:
    """One line per ``limits`` entry whose elastic ``min_agents`` the plan does not meet: in how many
    intervals, by up to how many agents, from when, and the rule that binds there."""
    p = model.problem
    missed: dict[int, list[tuple[int, float]]] = {}
    for (k, i), s in model.limit_slack.items():
        x = _val(s)
        if x > TOL:
            missed.setdefault(k, []).append((i, x))
    out = []
    local = p.intervals.tz_convert(p.tz)
    for k, rows in sorted(missed.items()):
        lim = p.rules.limits[k]
        positions = sorted(i for i, _ in rows)
        queue = lim.queue if lim.queue != "*" else next(iter(p.queues), "")
        why = binding_rule(model, queue, positions, proven=proven, stop=stop) if queue else ""
        who = "agents working" if lim.queue == "*" else f"agents on {lim.queue}"
        out.append(f"limits[{k}].min_agents {lim.min_agents:g} {who} is not met in {len(rows)} interval(s) "
                   f"(up to {max(x for _, x in rows):.2g} short, first {local[positions[0]]:%a %H:%M})"
                   + (f"; {why}" if why else ""))
    return out


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


__all__ = ["RULE_CODES", "binding", "binding_rule", "explain_shortfalls", "explain_global_sl", "explain_min_agents", "uncoverable_intervals",
           "unreachable_contracts"]
