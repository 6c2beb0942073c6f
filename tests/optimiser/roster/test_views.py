"""Roster grid for the app's Roster page."""

from __future__ import annotations

from optimiser.roster.views import roster_grid
from tests.optimiser.roster.roster_builders import two_agent_roster


def test_grid_has_one_row_per_agent_and_local_times():
    grid = roster_grid(two_agent_roster())
    assert list(grid.index) == ["=cmd() (A2)", "Anna Berg (A1)"]
    # 22:00 + 8 elapsed hours across the DST change ends at 07:00 local, not 06:00
    assert grid.loc["Anna Berg (A1)", "2026-03-28 Sat"] == "22:00–07:00"
    assert grid.loc["=cmd() (A2)", "2026-03-30 Mon"] == "07:00–16:00"
    assert grid.loc["Anna Berg (A1)", "2026-03-30 Mon"] == ""
