"""What the roster stage knows about agents: skill groups, queue languages, contracts, and which
agents a schedule's tours need.

The agent list, unavailability and preferences files are read by :mod:`wfm.io.agents`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError

__all__ = ["CONTRACTS", "DEFAULT_SKILL_GROUPS", "KNOWN_LANGUAGES", "QUEUE_LANGUAGE", "agents_for_tours"]

#: Skill group -> queues it covers (the demo's groups; a rules file's ``skill_groups`` replaces it).
DEFAULT_SKILL_GROUPS: dict[str, tuple[str, ...]] = {
    "sv_reports": ("reports",),
    "sv_all": ("reports", "tips", "switchboard"),
    "bilingual": ("reports", "tips", "switchboard", "english"),
}
KNOWN_LANGUAGES: tuple[str, ...] = ("sv", "en")
#: Queue -> language an agent needs to take it.
QUEUE_LANGUAGE: dict[str, str] = {"reports": "sv", "tips": "sv", "switchboard": "sv", "english": "en"}
#: Contract types of the agent list.
CONTRACTS: tuple[str, ...] = ("full_time", "part_time")


def agents_for_tours(agents: pd.DataFrame, tours: pd.DataFrame) -> pd.DataFrame:
    """The agents a schedule was built for: per skill group and contract, as many as its busiest week's
    tours (a schedule's ``tours`` frame: ``skill_group, contract, week, working_days, agents``), taken
    in the agent list's order.

    A plan for fewer operators than the list holds (``headcount_total``, or a cost plan that needs
    fewer) is then rostered onto that many people, not spread thinly over everyone. Agents of a group
    and contract the schedule has no tours for are left out; where the list has fewer agents than the
    tours, all of them are kept (the roster reports the unfilled shifts).

    Returns
    -------
    DataFrame
        A subset of ``agents`` (same columns, list order).
    """
    for col in ("skill_group", "contract", "week", "agents"):
        if col not in tours.columns:
            raise WfmInputError(f"tours lacks column {col!r} (columns: {', '.join(map(str, tours.columns))})")
    if tours.empty:
        return agents.iloc[0:0]
    per_week = tours.groupby(["skill_group", "contract", "week"])["agents"].sum()
    needed = np.ceil(per_week.groupby(level=["skill_group", "contract"]).max() - 1e-9).astype(int)
    rank = agents.groupby(["skill_group", "contract"]).cumcount()
    wanted = pd.Series([needed.get((g, c), 0) for g, c in zip(agents["skill_group"], agents["contract"])],
                       index=agents.index)
    return agents[rank < wanted]
