"""Shift scheduling by integer programming (PuLP; HiGHS by default, CBC fallback).

Typical use (the files are read by :mod:`wfm.io`)::

    from wfm.io.requirement import read_requirement_csv
    from wfm.io.rules import load_rules
    from optimiser.scheduling import build_problem, solve
    rules = load_rules("data/demo_rules.yaml")
    problem = build_problem(read_requirement_csv("requirement.csv", rules.tz), rules)
    result = solve(problem)          # ScheduleResult
    print(result.summary())

See ``docs/scheduling.md`` for the model, its approximations and the rules file.
"""

from optimiser.scheduling.problem import build_problem
from optimiser.scheduling.result import ScheduleResult, Shortfall
from optimiser.scheduling.solve import solve
from optimiser.scheduling.spec import (
    BreakRule,
    Contract,
    CostRules,
    SchedulingProblem,
    ShiftTemplate,
    SkillGroup,
    SolverSettings,
)

__all__ = [
    "BreakRule", "Contract", "CostRules", "SchedulingProblem", "ShiftTemplate", "SkillGroup",
    "SolverSettings", "ScheduleResult", "Shortfall", "build_problem", "solve",
]
