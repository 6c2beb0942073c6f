"""Roster page: agents, a background roster solve under Swedish working-time rules, grid, rules, fairness, downloads, publish."""

from __future__ import annotations

import functools

import streamlit as st

from app_pages.i18n import t
from app_pages.state import (
    DEMO_AGENTS, DEMO_UNAVAILABILITY, background_busy, can_see_names, follow_background, plan_store_or_none,
    read_uploaded_agents, show_status, start_background,
)
from optimiser.roster.decompose import solve_roster
from optimiser.roster.model import RosterProblem
from optimiser.roster.rules import packaged_ruleset
from optimiser.roster.views import roster_grid
from wfm.ground.errors import WfmInputError
from wfm.io.agents import read_agents, read_unavailability
from wfm.io.roster import DOWNLOADS, roster_file_bytes


@st.cache_data(show_spinner="Reading the demo agent list…")
def demo_agents():
    agents = read_agents(DEMO_AGENTS)
    return agents, read_unavailability(DEMO_UNAVAILABILITY, agents)


st.title(t("roster_title"))
with st.expander(t("upload_agents"), expanded=False):
    up_agents = st.file_uploader(t("agents_file"), type=["csv", "xlsx"], key="ro_agents_file")
    up_unav = st.file_uploader(t("unavailability_file"), type=["csv"], key="ro_unav_file")
    if up_agents is not None and st.button(t("use_agents"), key="ro_use_agents"):
        try:
            st.session_state["roster_agents"] = read_uploaded_agents(up_agents, up_unav)
        except WfmInputError as exc:
            for message in exc.errors:
                st.error(message)
agents, unavailability = st.session_state.get("roster_agents") or demo_agents()
show_names = can_see_names()
if not show_names:
    st.warning(t("names_hidden"))
with st.expander(t("agent_table", n=len(agents)), expanded=False):
    st.dataframe(agents if show_names else agents.drop(columns=["name"]), hide_index=True, width="stretch")

schedule = st.session_state.get("schedule_result")
if schedule is None or schedule.shifts.empty:
    st.info(t("roster_needs_schedule"))
    st.stop()

if st.button(t("run_roster"), type="primary", disabled=background_busy("roster"), key="ro_run"):
    problem = RosterProblem(shifts=schedule.shifts, agents=agents, unavailability=unavailability,
                            ruleset=packaged_ruleset("sweden"))
    start_background("roster", lambda on_progress, should_stop: solve_roster(problem))


def waiting(run) -> None:
    # solve_roster's default: the local search for the demo's 800 agents, stopping within its 60 s limit
    st.progress(min(run.elapsed_seconds() / 60.0, 1.0), text=t("rostering", seconds=f"{run.elapsed_seconds():.0f}"))


result = follow_background("roster", waiting)
if result is None:
    st.info(t("roster_prompt"))
    st.stop()

show_status(result)
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("assigned_shifts"), f"{len(result.assignments):,}")
m2.metric(t("unfilled_slots"), f"{int(result.unfilled['unfilled'].sum()) if len(result.unfilled) else 0:,}")
m3.metric(t("hard_violations"), f"{len(result.violations):,}")
m4.metric(t("agents_rostered"), f"{result.assignments['agent_id'].nunique():,}")
if result.decomposed:
    st.caption(t("decomposed", how=result.decomposition))

assignments = result.assignments
if not show_names:
    assignments = assignments.assign(name=assignments["agent_id"])
st.subheader(t("roster_grid"))
st.dataframe(roster_grid(assignments), width="stretch", height=420)

c1, c2 = st.columns(2)
with c1:
    st.subheader(t("fairness"))
    st.dataframe(result.spread, width="stretch")
with c2:
    st.subheader(t("rule_problems"))
    problems = [v.__dict__ for v in (*result.violations, *result.explanations)]
    if problems:
        st.dataframe(problems, width="stretch")
    else:
        st.write(t("no_rule_problems"))
if len(result.penalties):
    with st.expander(t("soft_penalties")):
        st.dataframe(result.penalties, hide_index=True, width="stretch")

st.subheader(t("downloads"))
pseudo = st.checkbox(t("pseudonymise"), value=not show_names, disabled=not show_names, key="ro_pseudo")
cols = st.columns(len(DOWNLOADS))
for col, (fmt, filename) in zip(cols, DOWNLOADS.items()):
    # Built only when clicked (an 800-agent workbook or calendar set takes seconds), not on every rerun.
    col.download_button(fmt.upper(), functools.partial(roster_file_bytes, result.assignments, fmt, pseudonymise=pseudo),
                        filename, key=f"ro_dl_{fmt}")

store = plan_store_or_none()
if store is not None:
    st.subheader(t("publish"))
    with st.form("ro_publish"):
        name = st.text_input(t("scenario_name"), value="roster", key="ro_name")
        if st.form_submit_button(t("save_and_publish")):
            try:
                from app_pages.state import latest_version

                saved = store.save(name, "roster", result.assignments, expected_version=latest_version(store, name),
                                   meta={"hard_violations": len(result.violations), "status": result.status})
                store.publish(name, saved.version)
                st.success(t("published", name=name, version=saved.version))
            except WfmInputError as exc:
                st.error(str(exc))
