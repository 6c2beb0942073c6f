"""Capacity plan page: how many to hire, when, and the accessibility each month gets (issue 20).

Widgets and rendering only: the settings come from ``wfm.io.capacity`` and ``optimiser.capacity.settings``,
the plan from ``optimiser.capacity`` (evaluate, optimise, simulate) — the same calls as ``wfm capacity``.
"""

from __future__ import annotations

import io
from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.i18n import t
from app_pages.state import DEMO_AGENTS, REPO_ROOT, require_history, save_scenario_form, session
from optimiser.capacity.evaluate import evaluate_plan
from optimiser.capacity.optimise import optimise_plan
from optimiser.capacity.problem import prepare_problem
from optimiser.capacity.settings import PLAN_COLUMNS, plan_from_frame, plan_to_frame, settings_from_mapping
from optimiser.capacity.simulate import simulate_plan
from wfm.ground.errors import WfmInputError
from wfm.io.agents import read_agents
from wfm.io.capacity import capacity_workbook_bytes, month_table_csv_text, read_capacity_settings, write_hiring_plan

DEMO_CAPACITY = REPO_ROOT / "data" / "demo_capacity.yaml"


@st.cache_data(show_spinner=False)
def _demo_agents() -> pd.DataFrame:
    return read_agents(DEMO_AGENTS)


def _settings(text: str, target: float, within: float, target_from: str | None):
    """The settings of the editor with the page's target, threshold and target window."""
    raw = read_capacity_settings(io.BytesIO(text.encode("utf-8")), name="capacity settings")
    settings = settings_from_mapping(raw)
    targets = replace(settings.targets, target_service_level=float(target), answer_within_seconds=float(within))
    return replace(settings, targets=targets, horizon=replace(settings.horizon, target_from=target_from))


def _agents():
    uploaded = st.session_state.get("cap_agents")
    return uploaded if uploaded is not None else _demo_agents()


def _run(history, text, target, within, target_from, mode, plan_frame, paths) -> dict:
    settings = _settings(text, target, within, target_from)
    problem = prepare_problem(history, _agents(), settings)
    out = {"settings": settings}
    if mode == "optimise":
        result = optimise_plan(problem, time_limit_seconds=60)
        out.update(plan=result.plan, evaluation=result.evaluation, result=result)
    else:
        plan = plan_from_frame(plan_frame.dropna(how="all"), what="hiring plan table")
        out.update(plan=plan, evaluation=evaluate_plan(problem, plan), result=None)
    out["bands"] = simulate_plan(problem, out["plan"], paths=int(paths), seed=0).bands if paths else None
    return out


def _fte_chart(months: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    x = [f"{m:%Y-%m}" for m in months["month"]]
    fig.add_scatter(x=x, y=months["required_fte"], name=t("cap_required"), mode="lines+markers",
                    line={"color": "#d62728"})
    fig.add_scatter(x=x, y=months["available_fte"], name=t("cap_available"), mode="lines+markers",
                    line={"color": "#1f77b4"})
    fig.add_bar(x=x, y=months["trainees"], name=t("cap_trainees"), opacity=0.4)
    fig.update_layout(height=340, margin={"t": 10}, yaxis_title="FTE", legend={"orientation": "h"})
    return fig


def _service_chart(months: pd.DataFrame, bands: pd.DataFrame | None, target: float) -> go.Figure:
    fig = go.Figure()
    x = [f"{m:%Y-%m}" for m in months["month"]]
    if bands is not None:
        fig.add_scatter(x=x, y=bands["service_level_p90"], mode="lines", line={"width": 0}, showlegend=False,
                        hoverinfo="skip")
        fig.add_scatter(x=x, y=bands["service_level_p10"], mode="lines", line={"width": 0}, fill="tonexty",
                        name=t("cap_band"), fillcolor="rgba(99,110,250,0.2)")
    fig.add_scatter(x=x, y=months["service_level"], name=t("cap_within_t"), mode="lines+markers")
    fig.add_hline(y=target, line_dash="dash")
    fig.update_layout(height=340, margin={"t": 10}, yaxis={"range": [0, 1], "tickformat": ".0%"},
                      legend={"orientation": "h"})
    return fig


def _hires_chart(classes: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for kind, part in classes.groupby("class_type", sort=True):
        fig.add_bar(x=[str(d) for d in part["start"]], y=part["hires"], name=str(kind))
    fig.update_layout(height=300, margin={"t": 10}, yaxis_title=t("cap_hires"), legend={"orientation": "h"})
    return fig


st.title(t("cap_title"))
st.caption(t("cap_intro"))
history, _ = require_history(session())  # the session's history: the demo or an accepted upload
with st.expander(t("cap_settings_editor"), expanded=False):
    settings_text = st.text_area(t("cap_settings_yaml"), value=DEMO_CAPACITY.read_text(encoding="utf-8"),
                                 height=420, key="cap_settings_text")
with st.expander(t("cap_agents_upload"), expanded=False):
    agents_file = st.file_uploader(t("cap_agents_file"), type=["csv", "xlsx"], key="cap_agents_file")
    if agents_file is not None and st.button(t("use_agents"), key="cap_use_agents"):
        try:
            upload = io.BytesIO(agents_file.getvalue())
            upload.name = agents_file.name
            st.session_state["cap_agents"] = read_agents(upload)
        except WfmInputError as exc:
            st.error(str(exc))
c1, c2, c3 = st.columns(3)
target = c1.number_input(t("cap_target"), 0.05, 0.99, 0.80, 0.01, key="cap_target")
within = c2.number_input(t("cap_within"), 1, 3600, 180, 10, key="cap_within")
window = c3.text_input(t("cap_target_from"), value="2026-06", key="cap_target_from", help=t("cap_target_from_help"))
c4, c5 = st.columns(2)
mode = c4.radio(t("cap_mode"), ["optimise", "evaluate"], format_func=lambda m: t(f"cap_mode_{m}"),
                horizontal=True, key="cap_mode")
paths = c5.select_slider(t("cap_paths"), [0, 200, 500, 1000], value=1000, key="cap_paths")
plan_frame = pd.DataFrame(columns=list(PLAN_COLUMNS))
if mode == "evaluate":
    plan_frame = st.data_editor(pd.DataFrame({"class_type": ["permanent"], "start": ["2026-03-02"], "hires": [24]}),
                                num_rows="dynamic", key="cap_plan_editor")

if st.button(t("cap_run"), type="primary", key="cap_run"):
    try:
        with st.spinner(t("computing")):
            st.session_state["cap_result"] = _run(history, settings_text, target, within, window.strip() or None,
                                                  mode, plan_frame, paths)
    except WfmInputError as exc:
        st.error(str(exc))
        st.stop()

out = st.session_state.get("cap_result")
if out is None:
    st.info(t("cap_prompt"))
    st.stop()
evaluation, result, bands = out["evaluation"], out["result"], out["bands"]
months, totals = evaluation.months, evaluation.totals
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("cap_hires"), f"{totals['hires']:,}")
m2.metric(t("cap_cost"), f"{totals['cost']:,.0f}")
m3.metric(t("cap_months_meeting"), f"{totals['months_meeting_target']} / {totals['months']}")
m4.metric(t("cap_worst", month=f"{totals['worst_month']:%Y-%m}"), f"{totals['worst_service_level']:.1%}")
if result is not None:
    (st.success if result.meets_target else st.warning)(result.message)
    for note in result.notes:
        st.caption(note)
st.subheader(t("cap_fte_chart"))
st.plotly_chart(_fte_chart(months), width="stretch", key="cap_fte")
st.subheader(t("cap_service_chart"))
st.plotly_chart(_service_chart(months, bands, out["settings"].targets.target_service_level), width="stretch",
                key="cap_sl")
if not evaluation.classes.empty:
    st.subheader(t("cap_hires_chart"))
    st.plotly_chart(_hires_chart(evaluation.classes), width="stretch", key="cap_hires_chart")
    st.dataframe(evaluation.classes, hide_index=True, width="stretch")
table = months if bands is None else months.merge(bands, on="month", how="left")
st.dataframe(table, hide_index=True, width="stretch")
d1, d2, d3 = st.columns(3)
d1.download_button(t("cap_download_csv"), month_table_csv_text(months, bands), "capacity_months.csv", "text/csv",
                   key="cap_dl_csv")
d2.download_button(t("cap_download_xlsx"), capacity_workbook_bytes(months, evaluation.classes, bands),
                   "capacity_plan.xlsx", key="cap_dl_xlsx")
d3.download_button(t("cap_download_plan"), write_hiring_plan(plan_to_frame(out["plan"])), "hiring_plan.csv",
                   "text/csv", key="cap_dl_plan")
st.subheader(t("cap_save"))
save_scenario_form("capacity", table, "capacity plan",
                   meta={"hires": int(totals["hires"]), "cost": float(totals["cost"]),
                         "classes": plan_to_frame(out["plan"]).to_dict("records")})

