"""Roster page: agents, a background roster solve under the working-time rules of the rules the schedule
was built with, for the headcount it was built for; grid, rules, fairness, downloads, publish."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from app_pages import fmt
from app_pages.describe import show_changes, show_status
from app_pages.i18n import t
from app_pages.roster_parts import (
    DOWNLOAD_HELP, agents_in_use, download_name, grid_day_labels, pick_agents, roster_inputs, roster_rule_label,
    start_roster, upload_agents_panel,
)
from app_pages.session import RosterSettings, changed_inputs
from app_pages.state import (
    can_see_names, follow_run, latest_version, plan_store_or_none, run_busy, session, show_error,
)
from optimiser.roster.views import roster_grid
from wfm.ground.errors import WfmInputError
from wfm.io.roster import DOWNLOADS, roster_file_bytes

s = session()
st.title(t("roster_title"))
if s.schedule is None or s.schedule.value.result.shifts.empty:
    st.info(t("roster_needs_schedule"))
    st.page_link("app_pages/schedule.py", label=t("go_to_schedule"), icon=":material/calendar_month:")
    st.stop()
built = s.schedule.value

upload_agents_panel(s, built)
try:
    agents, unavailability, ruleset = agents_in_use(s, built)
except WfmInputError as exc:
    show_error(exc)
    st.stop()
st.caption(t("roster_rules", name=ruleset.name, rest=fmt.number(ruleset.min_daily_rest_hours),
             weekly=fmt.number(ruleset.min_weekly_rest_hours)))

match = st.checkbox(t("match_headcount"), value=s.roster_settings.match_schedule_headcount, key="ro_match",
                    help=t("match_headcount_help"))
s.roster_settings = RosterSettings(bool(match), s.roster_settings.pseudonymise)
chosen = pick_agents(agents, built, bool(match))
st.caption(t("roster_team", n=fmt.number(len(chosen)), of=fmt.number(len(agents))))

show_names = can_see_names()
if not show_names:
    st.warning(t("names_hidden"))
with st.expander(t("agent_table", n=fmt.number(len(chosen))), expanded=False):
    table = chosen if show_names else chosen.drop(columns=["name"])
    st.dataframe(fmt.table(table), hide_index=True, width="stretch")

if st.button(t("run_roster"), type="primary", disabled=run_busy(s, "roster"), key="ro_run"):
    start_roster(s, built, chosen, unavailability, ruleset)


def waiting(entry) -> None:
    # solve_roster's default: the local search for the demo's 800 agents, stopping within its 60 s limit
    run = entry.run
    st.progress(min(run.elapsed_seconds() / 60.0, 1.0), text=t("rostering", seconds=fmt.number(run.elapsed_seconds())))


follow_run(s, "roster", waiting)
if s.roster is None:
    st.info(t("roster_prompt"))
    st.stop()

changes = changed_inputs(s.roster, roster_inputs(s))
if changes:
    show_changes(t("roster_is_stale"), changes)
result = s.roster.value
show_status(result, t("the_roster"))
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("assigned_shifts"), fmt.number(len(result.assignments)))
m2.metric(t("unfilled_slots"), fmt.number(int(result.unfilled["unfilled"].sum()) if len(result.unfilled) else 0))
m3.metric(t("hard_violations"), fmt.number(len(result.violations)))
m4.metric(t("agents_rostered"), fmt.number(result.assignments["agent_id"].nunique()))

assignments = result.assignments
if not show_names:
    assignments = assignments.assign(name=assignments["agent_id"])
st.subheader(t("roster_grid"))
grid = roster_grid(assignments)
grid.columns = grid_day_labels(grid.columns)
grid.index.name = t("agent")
st.dataframe(grid, width="stretch", height=420)

c1, c2 = st.columns(2)
with c1:
    st.subheader(t("fairness"))
    spread = result.spread.copy()
    spread["category"] = spread["category"].map(lambda c: t(f"fair_{c}"))
    st.dataframe(fmt.table(spread, kinds={"std": ("number", 2)}), hide_index=True, width="stretch")
with c2:
    st.subheader(t("rule_problems"))
    problems = pd.DataFrame([v.__dict__ for v in (*result.violations, *result.explanations)],
                            columns=["agent_id", "date", "rule", "detail"])
    if len(problems):
        problems["rule"] = problems["rule"].map(roster_rule_label)
        st.dataframe(fmt.table(problems, labels={"detail": t("detail_solver_words")}), hide_index=True,
                     width="stretch")
    else:
        st.write(t("no_rule_problems"))
if len(result.penalties):
    with st.expander(t("soft_penalties")):
        st.dataframe(fmt.table(result.penalties), hide_index=True, width="stretch")

st.subheader(t("downloads"))
pseudo = st.checkbox(t("pseudonymise"), value=s.roster_settings.pseudonymise or not show_names,
                     disabled=not show_names, key="ro_pseudo")
s.roster_settings = RosterSettings(s.roster_settings.match_schedule_headcount, bool(pseudo))
cols = st.columns(len(DOWNLOADS))
for col, fmt_name in zip(cols, DOWNLOADS):
    # Built only when clicked (an 800-agent workbook or calendar set takes seconds), not on every rerun;
    # no rerun on click, so the other buttons stay valid for the next click.
    col.download_button(t(f"download_{fmt_name}"), functools.partial(roster_file_bytes, result.assignments, fmt_name,
                                                                     pseudonymise=bool(pseudo)),
                        download_name(built, fmt_name), key=f"ro_dl_{fmt_name}", on_click="ignore",
                        help=DOWNLOAD_HELP.get(fmt_name) and t(DOWNLOAD_HELP[fmt_name]))
st.caption(t("ics_explained"))

store = plan_store_or_none()
if store is not None:
    st.subheader(t("publish"))
    with st.form("ro_publish"):
        name = st.text_input(t("scenario_name"), value="roster", key="ro_name")
        if st.form_submit_button(t("save_and_publish")):
            try:
                saved = store.save(name, "roster", result.assignments, expected_version=latest_version(store, name),
                                   meta={"hard_violations": len(result.violations), "status": str(result.status)})
                store.publish(name, saved.version)
                st.success(t("published", name=name, version=saved.version))
            except WfmInputError as exc:
                show_error(exc)
