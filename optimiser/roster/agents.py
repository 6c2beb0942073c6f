"""What the roster stage knows about agents: skill groups, queue languages, contracts.

The agent list, unavailability and preferences files are read by :mod:`wfm.io.agents`.
"""

from __future__ import annotations

__all__ = ["CONTRACTS", "DEFAULT_SKILL_GROUPS", "KNOWN_LANGUAGES", "QUEUE_LANGUAGE"]

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
