"""Accessibility and staffing: targets, what-ifs, what a headcount buys (the manager's answer), agents per
interval and why that many, the accessibility curve, the working.

Targets and what-ifs are applied with one button (a change to a call-back share recomputes the whole
horizon); they stay the session's until changed, and every later page uses them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import plotly.express as px
import streamlit as st

from app_pages import fmt
from app_pages.i18n import t
from app_pages.manager import manager_section
from app_pages.staffing_parts import accessibility_sentence, binding_words, curve_for, pooling_for, why_this_many
from app_pages.state import (
    current_requirement, require_forecast, save_scenario_form, scenario_forecast, session, show_error,
)
from optimiser.staffing.compose import WhatIfs
from optimiser.staffing.requirement import AccessibilityTargets
from wfm.ground.errors import WfmInputError
from wfm.io.requirement import requirement_csv_text

s = session()
st.title(t("staffing_title"))
fc = require_forecast(s)
tg, wi = s.targets, s.whatifs


def pct(value) -> int:
    return int(round(100 * (value or 0.0)))


with st.form("targets_form"):
    st.markdown(f"**{t('targets')}**")
    c1, c2, c3, c4, c5, c6 = st.columns(6)
    answer_within = c1.number_input(t("answer_within_seconds"), 1, 3600, int(tg.answer_within_seconds or 180),
                                    step=10, key="st_T", help=t("answer_within_help"))
    target_sl = c2.slider(t("target_service_level"), 50, 99, pct(tg.target_service_level) or 80, 1, format="%d %%",
                          key="st_sl")
    max_abandon = c3.slider(t("max_abandon_rate"), 1, 50, pct(tg.max_abandon_rate) or 10, 1, format="%d %%",
                            key="st_ab")
    max_occ = c4.slider(t("max_occupancy"), 50, 100, pct(tg.max_occupancy) or 90, 1, format="%d %%", key="st_occ")
    shrinkage = c5.slider(t("shrinkage"), 0, 60, pct(tg.shrinkage), 1, format="%d %%", key="st_shr",
                          help=t("shrinkage_help"))
    patience = c6.number_input(t("patience_seconds"), 10, 7200, int(tg.patience_seconds or 300), step=30,
                               key="st_pat", help=t("patience_help"))
    st.markdown(f"**{t('whatifs')}**")
    w1, w2, w3, w4 = st.columns(4)
    aht_pct = w1.slider(t("aht_change_pct"), -30, 50, int(round(wi.aht_change_pct)), 1, format="%+d %%",
                        key="st_aht")
    eservice = w2.slider(t("eservice_pct"), 0, 50, pct(wi.share_moved_to_eservice), 1, format="%d %%", key="st_es")
    cb_accept = w3.slider(t("callback_pct"), 0, 100, pct(wi.callback_acceptance), 5, format="%d %%", key="st_cb",
                          help=t("callback_help"))
    cb_threshold = w4.number_input(t("callback_threshold"), 0, 3600, int(wi.callback_threshold_seconds), step=30,
                                   key="st_cbT")
    pool = st.checkbox(t("pooling"), value=s.pooling, key="st_pool")
    if st.form_submit_button(t("apply"), type="primary"):
        try:
            s.targets = AccessibilityTargets(
                answer_within_seconds=float(answer_within), target_service_level=target_sl / 100.0,
                max_abandon_rate=max_abandon / 100.0, max_occupancy=max_occ / 100.0,
                patience_seconds=float(patience), shrinkage=shrinkage / 100.0)
            s.whatifs = WhatIfs(aht_change_pct=float(aht_pct), share_moved_to_eservice=eservice / 100.0,
                                callback_acceptance=cb_accept / 100.0, callback_threshold_seconds=float(cb_threshold))
            s.pooling = bool(pool)
            s.paused.discard("requirement")
        except WfmInputError as exc:
            show_error(exc)
            st.stop()
        st.rerun()

try:
    req_c = current_requirement(s, fc)
except WfmInputError as exc:
    show_error(exc)
    st.stop()
requirement, summary = req_c.value
minutes = int(requirement.attrs.get("interval_minutes") or fc.stamp.fact("interval_minutes") or 15)

m1, m2, m3, m4 = st.columns(4)
m1.metric(t("peak_agents"), fmt.number(summary["peak_agents_required"]), help=t("peak_agents_help"))
m2.metric(t("agent_hours_scheduled"), fmt.number(summary["agent_hours_scheduled"]), help=t("agent_hours_help"))
m3.metric(t("agent_hours_on_phone"), fmt.number(summary["agent_hours_on_phone"]))
if "callbacks_accepted" in summary:
    delta = summary["peak_agents_required"] - summary["peak_agents_required_without_offer"]
    m4.metric(t("callbacks_accepted"), fmt.number(summary["callbacks_accepted"]),
              delta=None if delta == 0 else f"{fmt.number(delta, sign=True)} {t('peak_agents_delta')}",
              delta_color="inverse")
n_days = fc.value["interval_start"].dt.date.nunique()
st.caption(t("totals_all_queues" if n_days != 1 else "totals_all_queues_one_day", days=n_days,
             queues=fc.value["queue"].nunique()))

why = why_this_many(requirement, s.targets)
if why:
    st.markdown(f"**{t('why_title')}**")
    st.info("\n\n".join(why))

scenario = scenario_forecast(fc.stamp.key, s.whatifs_stamp().key, fc.value, s.whatifs)
manager_section(s, fc, requirement)

chart = requirement.groupby(["interval_start", "queue"], as_index=False)["agents_required"].sum()
fig = px.area(chart, x="interval_start", y="agents_required", color="queue",
              labels={"interval_start": "", "agents_required": t("agents_required"), "queue": t("queue")})
fig.update_layout(height=360, margin={"t": 10}, separators=t("plotly_separators"), xaxis=fmt.DATE_AXIS)
st.plotly_chart(fig, width="stretch", key="st_chart")

if s.pooling:
    pooled = pooling_for(s, fc, scenario)
    st.subheader(t("pooling_result"))
    st.dataframe(pooled["table"], hide_index=True, width="stretch")
    st.write(pooled["sentence"])

st.subheader(t("curve_title"))
queues = sorted(fc.value["queue"].unique())
days = sorted(fc.value["interval_start"].dt.tz_localize(None).dt.normalize().dt.date.unique())
cq, cd = st.columns(2)
queue = cq.selectbox(t("queue"), queues, key="st_curve_queue", persist_state="session")
day = cd.selectbox(t("date"), days, format_func=lambda d: fmt.day(d, style="iso"), key="st_curve_day",
                   persist_state="session")
curve, peak = curve_for(s, fc, scenario, requirement, queue, day, day + dt.timedelta(days=1))
lo, hi = int(curve["agents"].min()), int(curve["agents"].max())
n_agents = st.slider(t("agents_every_interval"), lo, hi, int(np.clip(peak, lo, hi)), key="st_curve_n")
row = curve[curve["agents"] == n_agents].iloc[0]
st.info(accessibility_sentence(row, s.targets.answer_within_seconds, fmt.day(day), queue))
long = curve.melt(id_vars="agents", value_vars=["service_level", "abandon_rate", "occupancy"])
long["variable"] = long["variable"].map(lambda v: t(f"curve_{v}"))
curve_fig = px.line(long, x="agents", y="value", color="variable",
                    labels={"agents": t("agents_on_phone_axis"), "value": "", "variable": ""})
curve_fig.update_layout(separators=t("plotly_separators"), yaxis={"tickformat": ".0%"})
curve_fig.add_vline(x=n_agents, line_dash="dot")
st.plotly_chart(curve_fig, width="stretch", key="st_curve_chart")
st.caption(t("curve_note", queue=queue))

st.subheader(t("working_table"))
shown = ["interval_start", "queue", "calls_offered", "aht_seconds", "agents_on_phone", "agents_required",
         "binding_target", "service_level", "asa_seconds", "abandon_rate", "occupancy", "callbacks_accepted"]
readable = requirement.assign(binding_target=binding_words(requirement["binding_target"])) \
    if "binding_target" in requirement.columns else requirement
st.dataframe(fmt.table(readable, columns=shown, kinds={"calls_offered": ("number", 1)}),
             hide_index=True, width="stretch", height=300)
first = fc.value["interval_start"].min()
st.download_button(t("download_requirement"), requirement_csv_text(requirement), f"requirement_{first:%Y-%m-%d}_{minutes}min.csv",
                   "text/csv", key="st_download", on_click="ignore")
save_scenario_form("requirement", requirement, "requirement")
