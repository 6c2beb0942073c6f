"""The Roster page's agents (demo or uploaded, read with the schedule's skill groups and rule set),
the team for the schedule's headcount, the background roster solve, and file names."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages import fmt
from app_pages.i18n import t
from app_pages.session import BuiltSchedule, Computed, Session, Stamp
from app_pages.state import DEMO_AGENTS, DEMO_UNAVAILABILITY, roster_ruleset, show_error, start_run
from wfm.ground.errors import WfmInputError

DOWNLOAD_HELP = {"csv": "download_csv_help", "xlsx": "download_xlsx_help", "json": "download_json_help",
                 "ics": "download_ics_help"}


def _skill_groups(built: BuiltSchedule) -> dict[str, tuple[str, ...]]:
    return {g.name: tuple(g.queues) for g in built.parsed_rules.skill_groups}


@st.cache_data(show_spinner=False, max_entries=4)
def _read_agent_files(key: str, agents_name: str, agents_bytes: bytes, unav_name: str | None,
                      unav_bytes: bytes | None, rules_text: str, skill_groups: tuple):
    """Read an agent list (and unavailability) with the strict library readers, under their own file names
    so messages name the file the planner chose; nothing is executed or unpickled."""
    from wfm.io.agents import read_agents, read_unavailability

    ruleset = roster_ruleset(rules_text)
    a_file = io.BytesIO(agents_bytes)
    a_file.name = Path(agents_name).name
    agents = read_agents(a_file, skill_groups=dict(skill_groups), ruleset=ruleset)
    if unav_bytes is None:
        return agents, None
    u_file = io.BytesIO(unav_bytes)
    u_file.name = Path(unav_name).name
    return agents, read_unavailability(u_file, agents)


def _empty_unavailability(tz: str) -> pd.DataFrame:
    return pd.DataFrame({"agent_id": pd.Series(dtype="str"), "start": pd.Series(dtype=f"datetime64[ns, {tz}]"),
                         "end": pd.Series(dtype=f"datetime64[ns, {tz}]"), "reason": pd.Series(dtype="str")})


def upload_agents_panel(s: Session, built: BuiltSchedule) -> None:
    """Upload an agent list (and unavailability); kept as the session's agents once accepted."""
    with st.expander(t("upload_agents"), expanded=False):
        up_agents = st.file_uploader(t("agents_file"), type=["csv", "xlsx"], key="ro_agents_file")
        up_unav = st.file_uploader(t("unavailability_file"), type=["csv"], key="ro_unav_file")
        if up_agents is not None and st.button(t("use_agents"), key="ro_use_agents"):
            data = up_agents.getvalue()
            unav = up_unav.getvalue() if up_unav is not None else None
            key = hashlib.sha256(data + b"\0" + (unav or b"")).hexdigest()[:16]
            s.agents = Computed({"agents": (up_agents.name, data), "unavailability": (
                up_unav.name if up_unav is not None else None, unav)},
                Stamp(f"agents:{key}", "agents", (("source", "upload"), ("file_name", up_agents.name))), {})
        if s.agents is not None:
            st.caption(t("agents_upload_in_use", name=s.agents.stamp.fact("file_name")))
            if st.button(t("use_demo_agents"), key="ro_demo_agents"):
                s.agents = None
                st.rerun()


def agents_in_use(s: Session, built: BuiltSchedule):
    """The agents, their unavailability and the working-time rule set of the rules the schedule was built
    with. Raises WfmInputError for a refused agent file or rules section."""
    ruleset = roster_ruleset(built.rules.text)
    groups = tuple(sorted(_skill_groups(built).items()))
    if s.agents is None:
        name, data, un_name, un_data = DEMO_AGENTS.name, DEMO_AGENTS.read_bytes(), DEMO_UNAVAILABILITY.name, \
            DEMO_UNAVAILABILITY.read_bytes()
    else:
        (name, data), (un_name, un_data) = s.agents.value["agents"], s.agents.value["unavailability"]
    key = hashlib.sha256(data + b"\0" + (un_data or b"")).hexdigest()[:16]
    agents, unavailability = _read_agent_files(key, name, data, un_name, un_data, built.rules.text, groups)
    if unavailability is None:
        unavailability = _empty_unavailability(built.parsed_rules.tz)
    return agents, unavailability, ruleset


def pick_agents(agents: pd.DataFrame, built: BuiltSchedule, match: bool) -> pd.DataFrame:
    """The agents to roster: as many per skill group and contract as the schedule's tours, or everyone."""
    from optimiser.roster.agents import agents_for_tours

    if not match or built.result.tours.empty:
        return agents
    return agents_for_tours(agents, built.result.tours)


def agents_stamp(s: Session) -> Stamp:
    return s.agents.stamp if s.agents is not None else Stamp("agents:demo", "agents", (("source", "demo"),))


def roster_inputs(s: Session) -> dict[str, Stamp]:
    settings = s.roster_settings
    return {"schedule": s.schedule.stamp, "agents": agents_stamp(s),
            "roster_settings": Stamp(f"roster_settings:{settings.match_schedule_headcount}", "roster_settings")}


def start_roster(s: Session, built: BuiltSchedule, agents: pd.DataFrame, unavailability: pd.DataFrame,
                 ruleset) -> None:
    """Roster the schedule's shifts onto ``agents`` under ``ruleset`` in the background."""
    from optimiser.roster.decompose import solve_roster
    from optimiser.roster.model import RosterProblem

    try:
        un = unavailability[unavailability["agent_id"].isin(agents["agent_id"])]
        problem = RosterProblem(shifts=built.result.shifts, agents=agents, unavailability=un, ruleset=ruleset,
                                skill_groups=_skill_groups(built), tz=built.parsed_rules.tz)
    except WfmInputError as exc:
        show_error(exc)
        return
    start_run(s, "roster", lambda on_progress, should_stop: solve_roster(problem), roster_inputs(s), "roster",
              (("agents", len(agents)),))


def grid_day_labels(columns) -> list[str]:
    """The roster grid's day columns (``2026-01-05 Mon``) as ``mån 5 jan`` / ``Mon 5 Jan``."""
    return [fmt.day(dt.date.fromisoformat(str(c).split(" ")[0]), style="short") for c in columns]


def download_name(built: BuiltSchedule, fmt_name: str) -> str:
    """``roster_2026-01-05_7d.xlsx``; the calendar set is ``roster_2026-01-05_7d_calendars.zip``."""
    first = built.result.shifts["start"].min()
    stem = f"roster_{first:%Y-%m-%d}_{built.horizon_days}d"
    return f"{stem}_calendars.zip" if fmt_name == "ics" else f"{stem}.{fmt_name}"


def roster_rule_label(code: str) -> str:
    """A roster rule's code (``daily_rest``) in the planner's words; an unknown code as it is."""
    from app_pages.i18n import TEXT

    return t(f"vrule_{code}") if f"vrule_{code}" in TEXT else code
