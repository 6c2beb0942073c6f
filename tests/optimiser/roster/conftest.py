"""Fixtures for these tests; the plain builders live in roster_builders.py (test files import them by
that name: importing them from ``conftest`` picked whichever conftest module Python had loaded first)."""

import pandas as pd
import pytest

from tests.optimiser.roster.roster_builders import TZ, empty_unavailability


@pytest.fixture
def build():
    """``build(agents, shifts, **kw) -> RosterProblem`` with a 20 s limit and the sweden rules."""
    from optimiser.roster import RosterProblem, packaged_ruleset
    from optimiser.scheduling.spec import SolverSettings

    def _build(agents, shifts, *, unavail=None, ruleset=None, preferences=None, **rules):
        rs = ruleset or packaged_ruleset("sweden", **rules)
        return RosterProblem(shifts=pd.DataFrame(shifts), agents=pd.DataFrame(agents),
                             unavailability=unavail if unavail is not None else empty_unavailability(),
                             ruleset=rs, preferences=preferences, tz=TZ,
                             solver=SolverSettings(time_limit_seconds=20.0, gap=0.0))

    return _build
