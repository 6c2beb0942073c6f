"""Which agents a schedule's tours need (the roster stage's agent choice)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from optimiser.roster.agents import agents_for_tours
from wfm.ground.errors import WfmInputError
from wfm.io.agents import read_agents

ROOT = Path(__file__).resolve().parents[3]


def test_agents_for_tours_takes_as_many_as_the_busiest_week_per_group_and_contract():
    agents = read_agents(ROOT / "data" / "demo_agents.csv")
    tours = pd.DataFrame({"skill_group": ["sv_all", "sv_all", "sv_all", "bilingual"],
                          "contract": ["full_time", "full_time", "full_time", "part_time"],
                          "week": [1, 1, 2, 1], "working_days": ["XXXXX--", "--XXXXX", "XXXXX--", "XXXX---"],
                          "agents": [30, 12, 40, 5]})
    chosen = agents_for_tours(agents, tours)
    counts = chosen.groupby(["skill_group", "contract"]).size().to_dict()
    # week 1 has 42 sv_all full-timers, week 2 has 40: the busiest week decides
    assert counts == {("sv_all", "full_time"): 42, ("bilingual", "part_time"): 5}
    # the first ones of the list, in list order
    first = agents[(agents["skill_group"] == "sv_all") & (agents["contract"] == "full_time")].head(42)
    assert list(chosen[chosen["skill_group"] == "sv_all"]["agent_id"]) == list(first["agent_id"])
    assert list(chosen.columns) == list(agents.columns)
    # more tours than agents: everyone of that group and contract, no more
    many = tours.assign(agents=[10_000, 0, 0, 0])
    n_all = int(((agents["skill_group"] == "sv_all") & (agents["contract"] == "full_time")).sum())
    assert len(agents_for_tours(agents, many.iloc[:1])) == n_all
    assert agents_for_tours(agents, tours.iloc[0:0]).empty
    with pytest.raises(WfmInputError, match="tours lacks column 'week'"):
        agents_for_tours(agents, tours.drop(columns=["week"]))
