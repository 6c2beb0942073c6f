"""Schedule page: rules editor, objective, a background solve with live progress and a stop button, results."""

from __future__ import annotations

from dataclasses import replace

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from app_pages.i18n import t
from app_pages.state import (
    DEMO_RULES, background_busy, current_requirement, follow_background, save_scenario_form, show_status,
    start_background,
)
from optimiser.scheduling.problem import build_problem
from optimiser.scheduling.solve import solve
from optimiser.scheduling.views import coverage_by_interval, shift_timeline
from wfm.ground.errors import WfmInputError
from wfm.io.rules import coarsen_rules_text, rules_from_text
from wfm.io.schedule import schedule_csv_text

st.title(t("schedule_title"))
requirement = current_requirement()
if st.session_state.get("requirement") is None:
    st.caption(t("default_requirement_note"))

with st.expander(t("rules_editor"), expanded=False):
    rules_text = st.text_area(t("rules_yaml"), value=DEMO_RULES.read_text(encoding="utf-8"), height=400,
                              key="sc_rules_text")
c1, c2, c3, c4 = st.columns(4)
objective = c1.selectbox(t("objective"), ["cost", "global-sl", "max-sl"],
                         format_func=lambda o: t(f"objective_{o}"), key="sc_objective")
headcount = c2.number_input(t("headcount"), 0, 5000, 500, step=10, key="sc_headcount",
                            disabled=objective != "max-sl")
time_limit = c3.number_input(t("time_limit"), 5, 3600, 120, step=5, key="sc_time_limit")
solver_name = c4.selectbox(t("solver"), ["highs", "cbc"], key="sc_solver")
coarse = st.checkbox(t("coarse_starts"), value=True, key="sc_coarse", help=t("coarse_help"))

if st.button(t("run_schedule"), type="primary", disabled=background_busy("schedule"), key="sc_run"):
    try:
        text = coarsen_rules_text(rules_text) if coarse else rules_text
        rules = rules_from_text(text, name="rules editor")
        problem = build_problem(
            requirement, rules, objective=objective,
            headcount_total=int(headcount) if objective == "max-sl" else None,
            solver=replace(rules.solver, solver=solver_name, time_limit_seconds=float(time_limit)),
        )
    except WfmInputError as exc:
        st.error(str(exc))
        st.stop()
    start_background("schedule", lambda on_progress, should_stop: solve(problem, on_progress=on_progress,
                                                                         should_stop=should_stop))


def progress_panel(run) -> None:
    latest = run.latest()
    incumbent, bound = (latest[0], latest[1]) if latest else (None, None)
    st.progress(min(run.elapsed_seconds() / float(time_limit), 1.0),
                text=t("solving", seconds=f"{run.elapsed_seconds():.0f}"))
    p1, p2 = st.columns(2)
    p1.metric(t("incumbent"), "–" if incumbent is None else f"{incumbent:,.0f}")
    p2.metric(t("bound"), "–" if bound is None else f"{bound:,.0f}")
    if st.button(t("stop_keep_best"), key="sc_stop", disabled=run.stop_requested):
        run.stop()


result = follow_background("schedule", progress_panel)
if result is None:
    st.info(t("schedule_prompt"))
    st.stop()

show_status(result)
if not result.has_solution:
    # no plan in the time limit: the status line says why; there is nothing to chart
    st.stop()
m1, m2, m3, m4, m5 = st.columns(5)
m1.metric(t("agent_hours"), f"{result.agent_hours:,.0f}")
m2.metric(t("cost"), f"{result.cost:,.0f}")
m3.metric(t("global_sl"), "–" if result.global_service_level is None else f"{result.global_service_level:.1%}")
m4.metric(t("gap"), "–" if result.gap is None else f"{result.gap:.2%}")
m5.metric(t("shifts"), f"{int(result.shifts['count'].sum()):,}" if len(result.shifts) else "0")

cov = coverage_by_interval(result)
fig = go.Figure()
fig.add_trace(go.Scatter(x=cov["interval_start"], y=cov["agents_required"], name=t("required"), line={"color": "#d62728"}))
fig.add_trace(go.Scatter(x=cov["interval_start"], y=cov["agents_allocated"], name=t("scheduled"), line={"color": "#1f77b4"}))
fig.update_layout(height=340, margin={"t": 10}, yaxis_title=t("agents"))
st.subheader(t("coverage"))
st.plotly_chart(fig, width="stretch", key="sc_coverage")

if len(result.daily):
    st.subheader(t("predicted_by_day"))
    st.dataframe(result.daily, hide_index=True, width="stretch")

if len(result.shifts):
    st.subheader(t("timeline"))
    timeline = shift_timeline(result.shifts, limit=60)
    gantt = px.timeline(timeline, x_start="start", x_end="end", y="label", color="skill_group",
                        hover_data=["count", "breaks"])
    gantt.update_yaxes(autorange="reversed", title="")
    gantt.update_layout(height=max(300, 14 * len(timeline)), margin={"t": 10})
    st.plotly_chart(gantt, width="stretch", key="sc_gantt")

if result.shortfalls or result.explanations:
    st.subheader(t("why_short"))
    for line in result.explanations:
        st.write("• " + line)
    st.dataframe([s.__dict__ for s in result.shortfalls], width="stretch")

st.download_button(t("download_schedule"), schedule_csv_text(result.shifts), "schedule.csv", "text/csv", key="sc_download")
save_scenario_form("schedule", result.shifts, "schedule", meta={"status": result.status, "objective": result.objective_kind, "agent_hours": result.agent_hours,
                         "cost": result.cost, "global_service_level": result.global_service_level})
