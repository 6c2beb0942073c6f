"""Risk page: how likely the current schedule meets the target each day, and the price of a confidence."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from app_pages.i18n import t
from app_pages.state import current_forecast, default_targets
from optimiser.analysis.risk import assess_schedule
from wfm.ground.errors import WfmInputError

st.title(t("risk_title"))
schedule = st.session_state.get("schedule_result")
if schedule is None or schedule.shifts.empty:
    st.info(t("roster_needs_schedule"))
    st.stop()
targets = st.session_state.get("targets") or default_targets()
if targets.target_service_level is None:
    st.error(t("risk_needs_target"))
    st.stop()
c1, c2 = st.columns(2)
confidence = c1.slider(t("confidence"), 0.50, 0.99, 0.90, 0.01, key="rk_conf")
samples = c2.select_slider(t("samples"), [100, 200, 500, 1000], value=200, key="rk_samples")
try:
    with st.spinner(t("computing")):
        assessed = assess_schedule(current_forecast(), schedule.shifts, targets, confidence=float(confidence),
                                   n_samples=int(samples))
except WfmInputError as exc:
    st.error(str(exc))
    st.stop()

m1, m2, m3 = st.columns(3)
m1.metric(t("p_meet_mean"), f"{assessed.risk.p_meet_all_days:.0%}")
m2.metric(t("hours_for_confidence"), f"{assessed.plan.agent_hours:,.0f}",
          delta=f"{assessed.plan.extra_agent_hours:+,.0f} h", delta_color="inverse")
m3.metric(t("hours_point"), f"{assessed.plan.agent_hours_point:,.0f}")
st.caption(t("risk_sentence", target=f"{targets.target_service_level:.0%}",
             minutes=f"{targets.answer_within_seconds / 60:g}", conf=f"{confidence:.0%}"))
per_day = assessed.per_day.reset_index()
fig = go.Figure()
fig.add_bar(x=per_day["day"].astype(str), y=per_day["p_meet"], name=t("p_meet"))
fig.add_hline(y=confidence, line_dash="dash")
fig.update_layout(height=320, margin={"t": 10}, yaxis={"range": [0, 1], "tickformat": ".0%"})
st.plotly_chart(fig, width="stretch", key="rk_chart")
st.dataframe(per_day, hide_index=True, width="stretch")
st.caption(t("replay_hint"))
