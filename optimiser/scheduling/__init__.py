"""Shift scheduling by integer programming (PuLP; HiGHS by default, CBC fallback).

Typical use::

    from optimiser.scheduling import load_rules, read_requirement_csv, build_problem, solve
    rules = load_rules("data/demo_rules.yaml")
    problem = build_problem(read_requirement_csv("requirement.csv"), rules)
    result = solve(problem)          # ScheduleResult
    print(result.summary())

See ``docs/scheduling.md`` for the model, its approximations and the rules file.
"""

from optimiser.scheduling.io import (
    build_problem,
    read_requirement_csv,
    read_schedule_csv,
    write_schedule_csv,
)
from optimiser.scheduling.result import ScheduleResult, Shortfall
from optimiser.scheduling.rules_file import dump_rules, load_rules, parse_rules
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
    "SolverSettings", "ScheduleResult", "Shortfall", "build_problem", "read_requirement_csv",
    "read_schedule_csv", "write_schedule_csv", "load_rules", "parse_rules", "dump_rules", "solve",
]
