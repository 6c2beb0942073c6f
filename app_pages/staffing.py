"""Accessibility and staffing: targets, what-ifs, agents per interval, the accessibility curve, the working."""

from __future__ import annotations

import datetime as dt

import numpy as np
import plotly.express as px
import streamlit as st

from app_pages.i18n import t
from app_pages.state import current_forecast, save_scenario_form
from optimiser.staffing.accessibility import agents_curve, describe, select_period
from optimiser.staffing.compose import WhatIfs, plan_requirement
from optimiser.staffing.requirement import AccessibilityTargets
from optimiser.staffing.whatif import pooling
from wfm.ground.errors import WfmInputError
from wfm.io.requirement import requirement_csv_text

st.title(t("staffing_title"))
fc = current_forecast()
if st.session_state.get("forecast_result") is None:
    st.caption(t("quick_forecast_note"))

with st.expander(t("targets"), expanded=True):
    c1, c2, c3, c4, c5, c6 = st.columns(6)
    answer_within = c1.number_input(t("answer_within_seconds"), 1, 3600, 180, step=10, key="st_T")
    target_sl = c2.slider(t("target_service_level"), 0.50, 0.99, 0.80, 0.01, key="st_sl")
    max_abandon = c3.slider(t("max_abandon_rate"), 0.01, 0.50, 0.10, 0.01, key="st_ab")
    max_occ = c4.slider(t("max_occupancy"), 0.50, 1.00, 0.90, 0.01, key="st_occ")
    shrinkage = c5.slider(t("shrinkage"), 0.0, 0.6, 0.30, 0.01, key="st_shr")
    patience = c6.number_input(t("patience_seconds"), 10, 7200, 300, step=30, key="st_pat")
with st.expander(t("whatifs"), expanded=True):
    w1, w2, w3, w4 = st.columns(4)
    aht_pct = w1.slider(t("aht_change_pct"), -30, 50, 0, 1, key="st_aht")
    eservice = w2.slider(t("eservice_pct"), 0, 50, 0, 1, key="st_es")
    cb_accept = w3.slider(t("callback_pct"), 0, 100, 0, 5, key="st_cb")
    cb_threshold = w4.number_input(t("callback_threshold"), 0, 3600, 180, step=30, key="st_cbT")
    pool = st.checkbox(t("pooling"), value=False, key="st_pool")

try:
    targets = AccessibilityTargets(answer_within_seconds=float(answer_within), target_service_level=float(target_sl),
                                   max_abandon_rate=float(max_abandon), max_occupancy=float(max_occ),
                                   patience_seconds=float(patience), shrinkage=float(shrinkage))
    whatifs = WhatIfs(aht_change_pct=float(aht_pct), share_moved_to_eservice=eservice / 100.0,
                      callback_acceptance=cb_accept / 100.0, callback_threshold_seconds=float(cb_threshold))
    with st.spinner(t("computing")):
        requirement, summary = plan_requirement(fc, targets, whatifs)
except WfmInputError as exc:
    st.error(str(exc))
    st.stop()
st.session_state["requirement"] = requirement
st.session_state["targets"] = targets

m1, m2, m3, m4 = st.columns(4)
m1.metric(t("peak_agents"), f"{summary['peak_agents_required']:,}")
m2.metric(t("agent_hours_scheduled"), f"{summary['agent_hours_scheduled']:,.0f}")
m3.metric(t("agent_hours_on_phone"), f"{summary['agent_hours_on_phone']:,.0f}")
if "callbacks_accepted" in summary:
    m4.metric(t("callbacks_accepted"), f"{summary['callbacks_accepted']:,.0f}",
              delta=f"{summary['peak_agents_required'] - summary['peak_agents_required_without_offer']} {t('peak_agents_delta')}",
              delta_color="inverse")

chart = requirement.groupby(["interval_start", "queue"], as_index=False)["agents_required"].sum()
fig = px.area(chart, x="interval_start", y="agents_required", color="queue",
              labels={"interval_start": "", "agents_required": t("agents_required")})
fig.update_layout(height=360, margin={"t": 10})
st.plotly_chart(fig, width="stretch", key="st_chart")

if pool:
    result = pooling(fc, targets)
    st.subheader(t("pooling_result"))
    st.dataframe(result.summary, width="stretch")
    st.write(t("pooling_saved", hours=f"{result.extra.get('agent_hours_saved', np.nan):,.0f}",
               peak=result.extra.get("agents_saved_peak", "?")))

st.subheader(t("curve_title"))
queues = sorted(fc["queue"].unique())
days = sorted(fc["interval_start"].dt.tz_localize(None).dt.normalize().dt.date.unique())
cq, cd = st.columns(2)
queue = cq.selectbox(t("queue"), queues, key="st_curve_queue")
day = cd.selectbox(t("date"), days, key="st_curve_day")
next_day = day + dt.timedelta(days=1)
day_req = select_period(requirement, queue, day, next_day)
peak = int(max(day_req["agents_on_phone"].max(), 1))
curve = agents_curve(fc, queue, day, next_day, range(max(peak // 3, 1), int(peak * 1.5) + 2),
                     float(answer_within), float(patience))
n_agents = st.slider(t("agents_every_interval"), int(curve["agents"].min()), int(curve["agents"].max()),
                     int(np.clip(peak, curve["agents"].min(), curve["agents"].max())), key="st_curve_n")
row = curve[curve["agents"] == n_agents].iloc[0]
st.info(describe(row, float(answer_within), f"{day:%A %d %B}"))
long = curve.melt(id_vars="agents", value_vars=["service_level", "abandon_rate", "occupancy"])
st.plotly_chart(px.line(long, x="agents", y="value", color="variable", labels={"agents": t("agents")}),
                width="stretch", key="st_curve_chart")

st.subheader(t("working_table"))
st.dataframe(requirement, hide_index=True, width="stretch", height=300)
st.download_button(t("download_requirement"), requirement_csv_text(requirement), "requirement.csv", "text/csv",
                   key="st_download")
save_scenario_form("requirement", requirement, "requirement")
