"""The words every stage shares, defined once (see ``docs/nomenclature.md``).

Nothing here imports a stage; everything here is a constant or an enum.
"""

from __future__ import annotations

from enum import Enum

#: The default IANA zone of a site (a history, a rules file or a roster without one).
DEFAULT_TZ = "Europe/Stockholm"

#: Weekday abbreviations, Monday first (``pandas.Timestamp.weekday()`` order), as used in
#: rules files, agents files, CSV columns and the app.
WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

#: Kinds of a one-off event in an events file (``docs/forecasting_models.md``): the usual
#: disruptions of a contact centre, plus the two the demo data uses (a weather ``storm`` and the
#: ``rebound`` of redials the day after an outage).
EVENT_KINDS: tuple[str, ...] = ("outage", "rebound", "campaign", "fraud_wave", "media", "storm", "other")

MINUTES_PER_DAY = 1440
DAYS_PER_WEEK = 7
MINUTES_PER_WEEK = MINUTES_PER_DAY * DAYS_PER_WEEK


class SolverStatus(str, Enum):
    """How a solve ended, honestly (PuLP keeps the same distinction in ``sol_status``).

    A ``str`` enum: each member equals its text (``SolverStatus.OPTIMAL == "Optimal"``), so the
    public outputs (CSV, JSON, the CLI's status line) keep the words they always had.
    """

    #: Proven optimal within the requested gap.
    OPTIMAL = "Optimal"
    #: A plan that keeps every hard rule, not proven optimal (time limit, stop, gap).
    FEASIBLE = "Feasible"
    #: The hard rules cannot all hold; nothing feasible exists.
    INFEASIBLE = "Infeasible"
    #: The solve stopped (time limit, stop request, error) before any plan was found.
    NO_SOLUTION = "No solution"

    def __str__(self) -> str:  # f"{status}" gives the word, not "SolverStatus.OPTIMAL"
        return self.value

    @property
    def has_plan(self) -> bool:
        """True when a plan keeping every hard rule came back (optimal or feasible)."""
        return self in (SolverStatus.OPTIMAL, SolverStatus.FEASIBLE)
