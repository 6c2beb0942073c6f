"""Schedule page: the rules the planner chooses (kept for the roster, risk and replay), objective, a
background solve with live progress and a stop button, results in plain words."""

from __future__ import annotations

from dataclasses import replace

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from app_pages import fmt
from app_pages.describe import show_changes, show_status
from app_pages.i18n import t
from app_pages.schedule_parts import gantt_frame, schedule_inputs, shortfall_lines, shortfall_table, start_schedule
from app_pages.session import RulesChoice, ScheduleSettings, changed_inputs
from app_pages.state import (
    current_requirement, demo_rules_text, follow_run, parse_rules_text, require_forecast, rules_or_default,
    run_busy, save_scenario_form, session, show_error,
)
from optimiser.scheduling.views import coverage_by_interval, shift_timeline
from wfm.ground.errors import WfmInputError
from wfm.io.schedule import schedule_csv_text

s = session()
st.title(t("schedule_title"))
fc = require_forecast(s)
try:
    requirement = current_requirement(s, fc).value[0]
except WfmInputError as exc:
    show_error(exc)
    st.stop()
rules = rules_or_default(s)

with st.expander(t("rules_editor"), expanded=False):
    text = st.text_area(t("rules_yaml"), value=rules.text, height=400, key="sc_rules_text")
    if st.button(t("reset_rules"), key="sc_rules_reset", disabled=rules.source == "demo"):
        st.session_state.pop("sc_rules_text", None)
        s.rules = RulesChoice(text=demo_rules_text(), quick_plan=rules.quick_plan, source="demo")
        st.rerun()
quick = st.checkbox(t("coarse_starts"), value=rules.quick_plan, key="sc_coarse", help=t("coarse_help"))
if text != rules.text or quick != rules.quick_plan:
    s.rules = rules = RulesChoice(text=text, quick_plan=bool(quick),
                                  source="demo" if text == demo_rules_text() else "edited")
st.caption(t("rules_in_use", what=t("stamp_rules_demo") if rules.source == "demo" else t("stamp_rules_edited")))

ss = s.schedule_settings
objectives = ["cost", "global-sl", "max-sl"]
c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
objective = c1.selectbox(t("objective"), objectives, index=objectives.index(ss.objective),
                         format_func=lambda o: t(f"objective_{o}"), key="sc_objective")
headcount = c2.number_input(t("headcount"), 0, 5000, ss.headcount, step=10, key="sc_headcount",
                            disabled=objective != "max-sl", help=t("headcount_help"))
time_limit = c3.number_input(t("time_limit"), 5, 3600, ss.time_limit_seconds, step=5, key="sc_time_limit")
solver_name = c4.selectbox(t("solver"), ["highs", "cbc"], index=["highs", "cbc"].index(ss.solver), key="sc_solver")
s.schedule_settings = ScheduleSettings(objective, int(headcount), int(time_limit), solver_name)

if st.button(t("run_schedule"), type="primary", disabled=run_busy(s, "schedule"), key="sc_run"):
    try:
        parsed = parse_rules_text(rules.text, rules.quick_plan)
        start_schedule(s, fc, requirement, replace(parsed))
    except WfmInputError as exc:
        show_error(exc)
        st.stop()


def progress_panel(entry) -> None:
    run = entry.run
    latest = run.latest()
    incumbent, bound = (latest[0], latest[1]) if latest else (None, None)
    limit = float(entry.info.get("time_limit_seconds", 60))
    st.progress(min(run.elapsed_seconds() / limit, 1.0),
                text=t("solving", seconds=fmt.number(run.elapsed_seconds()), limit=fmt.number(limit)))
    p1, p2 = st.columns(2)
    p1.metric(t("incumbent"), "–" if incumbent is None else fmt.number(incumbent))
    p2.metric(t("bound"), "–" if bound is None else fmt.number(bound))
    if st.button(t("stop_keep_best"), key="sc_stop", disabled=run.stop_requested):
        run.stop()


follow_run(s, "schedule", progress_panel)
if s.schedule is None:
    st.info(t("schedule_prompt"))
    st.stop()

built = s.schedule.value
result = built.result
changes = changed_inputs(s.schedule, schedule_inputs(s, fc))
if changes:
    show_changes(t("schedule_is_stale"), changes)
show_status(result, t("the_schedule"))
if not result.has_solution:
    st.stop()  # no plan in the time limit: the status line says why; there is nothing to chart or download
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("agent_hours"), fmt.number(result.agent_hours), help=t("agent_hours_paid_help"))
m2.metric(t("cost"), fmt.number(result.cost), help=t("cost_help"))
m3.metric(t("global_sl"), "–" if result.global_service_level is None else fmt.percent(result.global_service_level, 1),
          help=t("global_sl_help", within=fmt.duration_seconds(s.targets.answer_within_seconds)))
m4.metric(t("shifts"), fmt.number(int(result.shifts["count"].sum()) if len(result.shifts) else 0))
if built.settings.objective == "max-sl":
    st.caption(t("built_for_headcount", n=fmt.number(built.settings.headcount)))

cov = coverage_by_interval(result)
fig = go.Figure()
fig.add_trace(go.Scatter(x=cov["interval_start"], y=cov["agents_required"], name=t("required"), line={"color": "#d62728"}))
fig.add_trace(go.Scatter(x=cov["interval_start"], y=cov["agents_allocated"], name=t("scheduled"), line={"color": "#1f77b4"}))
fig.update_layout(height=340, margin={"t": 10}, yaxis_title=t("agents"), separators=t("plotly_separators"),
                  xaxis=fmt.DATE_AXIS)
st.subheader(t("coverage"))
st.plotly_chart(fig, width="stretch", key="sc_coverage")

if len(result.daily):
    st.subheader(t("predicted_by_day"))
    daily = result.daily.copy()
    daily["queue"] = daily["queue"].replace({"all": t("all_queues")})
    st.dataframe(fmt.table(daily, kinds={"calls_offered": ("number", 0), "asa_seconds": ("number", 0)}),
                 hide_index=True, width="stretch")

if len(result.shifts):
    st.subheader(t("timeline"))
    timeline = gantt_frame(shift_timeline(result.shifts, limit=60))
    gantt = px.timeline(timeline, x_start="start", x_end="end", y="label", color="skill_group",
                        hover_data=["count"], labels={"skill_group": t("skill_group"), "count": t("agents"),
                                                      "label": "", "start": t("start"), "end": t("end")})
    gantt.update_yaxes(autorange="reversed", title="")
    gantt.update_layout(height=max(300, 14 * len(timeline)), margin={"t": 10}, legend_title_text=t("skill_group"),
                        xaxis={"tickformat": "%Y-%m-%d %H:%M"})
    st.plotly_chart(gantt, width="stretch", key="sc_gantt")

if result.shortfalls or result.explanations:
    st.subheader(t("why_short"))
    for line in shortfall_lines(result, s.schedule.stamp.key):
        st.markdown(f"- {line}")
    with st.expander(t("why_short_details")):
        st.dataframe(shortfall_table(result), hide_index=True, width="stretch")

first = result.shifts["start"].min() if len(result.shifts) else None
name = f"schedule_{first:%Y-%m-%d}_{built.horizon_days}d_{built.settings.objective}.csv" if first is not None \
    else "schedule.csv"
st.download_button(t("download_schedule"), schedule_csv_text(result.shifts), name, "text/csv", key="sc_download",
                   on_click="ignore")
save_scenario_form("schedule", result.shifts, "schedule",
                   meta={"status": str(result.status), "objective": result.objective_kind,
                         "agent_hours": result.agent_hours, "cost": result.cost,
                         "global_service_level": result.global_service_level})
