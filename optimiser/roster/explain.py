"""Explanations: hard rules that cannot be met, per agent and date, by name.

:func:`presolve_checks` runs on a built model before solving and lists what
no roster can fix: a shift whose breaks leave more than
``max_work_without_break_hours`` of work in a row (``max_work_without_break``),
a shift too long to leave the daily rest in 24 h (``daily_rest``), a slot
that no qualified and available agent can take (``no_qualified_agent``), a
shift with more slots than qualified and available agents
(``not_enough_qualified_agents``), and an agent whose availability, skills
and fixed days off cannot give the week's ``min_hours_per_week``
(``contract_min_hours``).  :func:`postsolve_explanations` names every slot
left unfilled and every contract shortfall of the solved roster.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from optimiser.roster.result import Violation

__all__ = ["presolve_checks", "postsolve_explanations"]


def presolve_checks(m) -> list[Violation]:
    """Hard rules that cannot be met, found on the built model ``m`` (a
    :class:`~optimiser.roster.model.RosterModel`) before solving."""
    out: list[Violation] = []
    rules = m.problem.ruleset
    sh = m.shifts
    n_eligible = np.zeros(len(sh), dtype=int)
    for pos in m.eligible.values():
        n_eligible[pos] += 1
    for i, rec in enumerate(sh.itertuples(index=False)):
        if rec.longest_stretch_hours > rules.max_work_without_break_hours + 1e-9:
            out.append(Violation("", rec.day, "max_work_without_break",
                                 f"shift {rec.shift_id} ({rec.start:%H:%M}-{rec.end:%H:%M}) has "
                                 f"{rec.longest_stretch_hours:g} h of work without a break; at most "
                                 f"{rules.max_work_without_break_hours:g} h, so nobody may take it"))
        length = (rec.end - rec.start).total_seconds() / 3600
        if length > 24 - rules.min_daily_rest_hours + 1e-9:
            out.append(Violation("", rec.day, "daily_rest",
                                 f"shift {rec.shift_id} lasts {length:g} h, leaving less than "
                                 f"{rules.min_daily_rest_hours:g} h of rest in its 24 hours"))
        if n_eligible[i] == 0:
            out.append(Violation("", rec.day, "no_qualified_agent",
                                 f"shift {rec.shift_id} ({rec.skill_group}, {rec.start:%a %H:%M}-{rec.end:%H:%M}): "
                                 f"no agent with the skills who is available, allowed nights and not on a day off"))
        elif n_eligible[i] < rec.count:
            out.append(Violation("", rec.day, "not_enough_qualified_agents",
                                 f"shift {rec.shift_id} needs {rec.count} agents, only {n_eligible[i]} qualified "
                                 f"and available"))
    hours, weeks, days = sh["hours"].to_numpy(), sh["week"].to_numpy(), sh["day"].to_numpy()
    targets: dict = {}
    for (aid, label), (_var, target) in m.shortfall.items():
        if label.startswith("min_hours_per_week"):
            targets.setdefault(aid, []).append((label.split()[-1], target))
    k = min(rules.max_consecutive_days or 7, 7)
    for aid, items in targets.items():
        pos = m.eligible.get(aid, np.array([], dtype=int))
        best_per_day: dict = {}
        for q in pos:
            key = (weeks[q], days[q])
            best_per_day[key] = max(best_per_day.get(key, 0.0), hours[q])
        for wk, target in items:
            possible = sum(sorted((h for (w, _d), h in best_per_day.items() if w == wk), reverse=True)[:k])
            if possible + 1e-9 < target:
                year, week = wk.split("-W")
                out.append(Violation(aid, dt.date.fromisocalendar(int(year), int(week), 1), "contract_min_hours",
                                     f"at most {possible:g} h can be rostered in week {wk} given availability, "
                                     f"skills and days off; min_hours_per_week asks {target:g} h"))
    return out


def postsolve_explanations(m, unfilled: pd.DataFrame, shortfalls: pd.DataFrame) -> list[Violation]:
    """Unfilled slots and contract shortfalls of a solved roster, as named reasons."""
    out = []
    for rec in unfilled.itertuples(index=False):
        out.append(Violation("", rec.start.date(), "unfilled_slot",
                             f"{rec.unfilled} of shift {rec.shift_id} ({rec.skill_group}, "
                             f"{rec.start:%Y-%m-%d %H:%M}-{rec.end:%H:%M}) unfilled: {rec.reason}"))
    for rec in shortfalls.itertuples(index=False):
        out.append(Violation(rec.agent_id, None, rec.term.split()[0],
                             f"{rec.hours:g} h below the target of {rec.target:g} h ({rec.term})"))
    return out
