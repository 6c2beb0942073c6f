"""Shift-design terms of the scheduling model: fewer shifts and fewer distinct shift types.

Planners call a schedule simple to run when it uses few distinct shifts; the classic shift-design
problem (Musliu, Schaerf & Slany 2004; Di Gaspero et al. 2007) weighs over-cover minutes against a
weight per distinct shift used, with the shifts' average length held above a minimum.  The rules'
``shift_design`` section (:class:`optimiser.scheduling.spec.ShiftDesign`) adds these to the model; one
named function per constraint family, called by :func:`optimiser.scheduling.model.build_model`:

``add_shift_type_usage``            binary ``used_<type>`` per distinct shift type (weekday x start x
                                    length, or start x length): the type's agents <= M x used
                                    (row ``typeuse_<type>``); at most ``max_shift_types`` used
                                    (row ``max_shift_types``)
``add_min_average_shift_length``    sum over agent-shifts of (length - minimum average) >= 0
                                    (row ``min_average_shift_length``)
:func:`shift_design_cost_terms`     ``cost_per_shift`` per agent-shift and ``cost_per_shift_type`` per
                                    type used, added to the plan's cost by ``set_objective``

M, the most agents one shift type may carry, is the sum over its shifts (skill groups, templates, and
days for ``start_length``) of the peak requirement under the shift, when a plan can always drop an
agent above that without uncovering an interval or breaking a rule (objective ``cost`` with an
over-staffing price, no contract minimum hours, ``min_agents`` limits or deferred work), plus the
horizon's peak for shifts longer than the minimum average (extra long shifts may lift the average);
otherwise twice the horizon's peak plus the peak under the shift.  Never above the headcount.  A tight
M is what makes the LP bound of the type variables useful.

References
----------
Musliu, N., Schaerf, A. & Slany, W. (2004). Local search for shift design. European Journal of
    Operational Research 153(1), 51-64.
Di Gaspero, L., Gärtner, J., Kortsarz, G., Musliu, N., Schaerf, A. & Slany, W. (2007). The minimum
    shift design problem. Annals of Operations Research 155, 79-105.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pulp

from wfm.ground.vocabulary import WEEKDAYS


def shift_type_key(sv, shift_type: str) -> tuple:
    """The shift type of a :class:`optimiser.scheduling.model.ShiftVar`: ``(start, length)`` or
    ``(weekday, start, length)`` [minutes after local midnight, minutes, 0 = Monday]."""
    if shift_type == "start_length":
        return (sv.start_minutes, sv.length_minutes)
    return (sv.start.weekday(), sv.start_minutes, sv.length_minutes)


def _type_label(key: tuple) -> str:
    *day, start, length = key
    text = f"{start // 60:02d}{start % 60:02d}_{length // 60}h{length % 60:02d}"
    return f"{WEEKDAYS[day[0]]}_{text}" if day else text


def _linear(terms) -> pulp.LpAffineExpression:
    out = pulp.LpAffineExpression()
    for v, c in terms:
        out.addInPlace(v * c if c != 1 else v)
    return out


def _surplus_never_needed(m) -> bool:
    """True when no rule can make a plan want more agents on a shift than the requirement under it: the cost
    objective with an over-staffing price, and no contract minimum hours, ``min_agents`` limits or deferred
    work that extra shifts could serve."""
    rules = m.problem.rules
    return (m.problem.objective == "cost" and rules.costs.overstaffing_penalty_per_agent_hour > 0
            and all(c.min_hours_per_week <= 0 for c in rules.contracts)
            and all(lim.min_agents is None for lim in rules.limits) and not rules.deferred_work)


def _type_bound(m, svs, total: np.ndarray, safe: bool) -> int:
    """The most agents one shift type may carry (see the module docstring)."""
    rules = m.problem.rules
    minimum = rules.shift_design.min_average_shift_hours
    bound = 0.0
    for sv in svs:
        span = sv.positions[sv.positions >= 0].astype(int)
        peak_span = float(total[span].max()) if len(span) else 0.0
        if not safe:
            bound += 2.0 * float(total.max()) + peak_span
        elif minimum is not None and sv.length_minutes > 60.0 * minimum:
            # a longer shift may be worth adding over the requirement to lift the average length
            bound += peak_span + float(total.max())
        else:
            # one agent more than the requirement under the shift can be dropped: nothing uncovered, no rule broken
            bound += peak_span
    heads = sum(h.agents for h in rules.headcount)
    if rules.headcount_total is not None:
        heads = min(heads, rules.headcount_total)
    if heads > 0:
        bound = min(bound, heads)
    return max(1, int(np.ceil(bound - 1e-9)))


def add_shift_type_usage(m) -> None:
    """Binary ``used_<type>`` per distinct shift type: its agents (all skill groups and templates) <= M x
    used; and at most ``max_shift_types`` types used.  Only when a type cost or cap is set."""
    design = m.problem.rules.shift_design
    if not design.counts_types:
        return
    by_type = defaultdict(list)
    for sv in m.shifts:
        by_type[shift_type_key(sv, design.shift_type)].append(sv)
    total = np.sum([np.asarray(r, float) for r in m.requirement.values()], axis=0) if m.requirement else np.zeros(1)
    safe = _surplus_never_needed(m)
    for key, svs in sorted(by_type.items()):
        label = _type_label(key)
        used = pulp.LpVariable(f"used_{label}", cat="Binary")
        m.type_used[key] = used
        bound = _type_bound(m, svs, total, safe)
        m.prob += (_linear([(sv.var, 1) for sv in svs]) - bound * used <= 0, f"typeuse_{label}")
    if design.max_shift_types is not None:
        m.prob += (pulp.lpSum(m.type_used.values()) <= design.max_shift_types, "max_shift_types")


def add_min_average_shift_length(m) -> None:
    """The plan's agent-shifts last ``min_average_shift_hours`` on average at least:
    ``sum_s count_s x (length_s - minimum) >= 0`` over every shift type of every day."""
    hours = m.problem.rules.shift_design.min_average_shift_hours
    if hours is None:
        return
    minutes = 60.0 * hours
    terms = [(sv.var, sv.length_minutes - minutes) for sv in m.shifts if sv.length_minutes != minutes]
    if terms:
        m.prob += (_linear(terms) >= 0, "min_average_shift_length")


def shift_design_cost_terms(m) -> list:
    """Objective terms ``(variable or expression, cost)``: the cost per agent-shift and per type used."""
    design = m.problem.rules.shift_design
    terms = []
    if design.cost_per_shift > 0:
        terms += [(sv.var, float(design.cost_per_shift)) for sv in m.shifts]
    if design.cost_per_shift_type > 0:
        terms += [(u, float(design.cost_per_shift_type)) for u in m.type_used.values()]
    return terms
