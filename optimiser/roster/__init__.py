"""Rostering: assign scheduled shifts to named agents under working-time rules.

Modules: :mod:`~optimiser.roster.agents` (agent list and unavailability
import), :mod:`~optimiser.roster.rules` (rule sets, packaged ``sweden``),
:mod:`~optimiser.roster.model` (the MIP, one function per constraint family),
:mod:`~optimiser.roster.decompose` (:func:`solve_roster`, decomposition),
:mod:`~optimiser.roster.result` (:class:`RosterResult`, the independent
:func:`check_roster`), :mod:`~optimiser.roster.explain` (why a rule cannot be
met).  See ``docs/rostering.md``.
"""

from optimiser.roster.agents import read_agents, read_unavailability
from optimiser.roster.decompose import expand_weeks, solve_roster
from optimiser.roster.model import RosterProblem, build_model
from optimiser.roster.result import RosterResult, Violation, check_roster
from optimiser.roster.rules import RuleSet, load_ruleset

__all__ = ["RosterProblem", "RosterResult", "RuleSet", "Violation", "build_model", "check_roster",
           "expand_weeks", "load_ruleset", "read_agents", "read_unavailability", "solve_roster"]
