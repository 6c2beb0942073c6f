"""Rostering: assign scheduled shifts to named agents under working-time rules.

Modules: :mod:`~optimiser.roster.agents` (skill groups, queue languages,
contracts; the agent files are read by :mod:`wfm.io.agents`),
:mod:`~optimiser.roster.rules` (rule sets, packaged ``sweden``),
:mod:`~optimiser.roster.model` (the MIP, one function per constraint family),
:mod:`~optimiser.roster.decompose` (:func:`solve_roster`, decomposition),
:mod:`~optimiser.roster.result` (:class:`RosterResult`, the independent
:func:`check_roster`), :mod:`~optimiser.roster.explain` (why a rule cannot be
met).  See ``docs/rostering.md``.
"""

from optimiser.roster.decompose import expand_weeks, solve_roster
from optimiser.roster.model import RosterProblem, build_model
from optimiser.roster.result import RosterResult, Violation, check_roster
from optimiser.roster.rules import RuleSet, packaged_ruleset, ruleset_from_rules

__all__ = ["RosterProblem", "RosterResult", "RuleSet", "Violation", "build_model", "check_roster",
           "expand_weeks", "packaged_ruleset", "ruleset_from_rules", "solve_roster"]
