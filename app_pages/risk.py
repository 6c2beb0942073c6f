"""Risk page: how likely the current schedule meets the target each day, and the price of a confidence.

Assessed in the background against the forecast the schedule was built for (what-ifs applied), kept
per input fingerprint, so a visit with unchanged inputs shows the result at once.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from app_pages import fmt
from app_pages.describe import show_changes
from app_pages.i18n import t
from app_pages.session import RiskSettings, changed_inputs
from app_pages.state import follow_run, require_forecast, run_busy, scenario_forecast, session, start_run

s = session()
st.title(t("risk_title"))
if s.schedule is None or s.schedule.value.result.shifts.empty:
    st.info(t("roster_needs_schedule"))
    st.page_link("app_pages/schedule.py", label=t("go_to_schedule"), icon=":material/calendar_month:")
    st.stop()
fc = require_forecast(s)
changes = changed_inputs(s.schedule, {"forecast": fc.stamp, "whatifs": s.whatifs_stamp()})
if changes:
    show_changes(t("risk_schedule_mismatch"), changes)
    st.page_link("app_pages/schedule.py", label=t("go_to_schedule"), icon=":material/calendar_month:")
    st.stop()
targets = s.targets
if targets.target_service_level is None:
    st.error(t("risk_needs_target"))
    st.stop()

rs = s.risk_settings
c1, c2 = st.columns(2)
days = c1.slider(t("confidence_days"), 5, 9, rs.days_out_of_10, 1, key="rk_days", help=t("confidence_help"))
samples = c2.select_slider(t("samples"), [100, 200, 500, 1000], value=rs.samples, key="rk_samples",
                           help=t("samples_help"))
s.risk_settings = rs = RiskSettings(int(days), int(samples))
inputs = {"forecast": fc.stamp, "whatifs": s.whatifs_stamp(), "schedule": s.schedule.stamp,
          "targets": s.targets_stamp(), "risk_settings": rs.stamp}


def waiting(entry) -> None:
    run = entry.run
    st.progress(min(run.elapsed_seconds() / 120.0, 0.99), text=t("assessing", seconds=fmt.number(run.elapsed_seconds())))
    st.caption(t("assessing_note"))
    if st.button(t("stop"), key="rk_stop", disabled=run.stop_requested):
        run.stop()


follow_run(s, "risk", waiting)  # a run in flight: its progress (the page stops there); a finished one: kept
known = s.recall("risk", inputs)
if known is not None:
    s.risk = known
elif "risk" not in s.paused:
    from optimiser.analysis.risk import assess_schedule

    scenario = scenario_forecast(fc.stamp.key, s.whatifs_stamp().key, fc.value, s.whatifs)
    shifts = s.schedule.value.result.shifts
    start_run(s, "risk", lambda on_progress, should_stop: assess_schedule(
        scenario, shifts, targets, confidence=rs.confidence, n_samples=rs.samples), inputs, "risk",
        info={"abandon_on_stop": True})
    follow_run(s, "risk", waiting)
if s.risk is None or changed_inputs(s.risk, inputs):
    if s.risk is not None:
        show_changes(t("risk_is_stale"), changed_inputs(s.risk, inputs))
    else:
        st.info(t("risk_prompt"))
    if st.button(t("assess"), type="primary", key="rk_run", disabled=run_busy(s, "risk")):
        s.paused.discard("risk")
        st.rerun()
    if s.risk is None:
        st.stop()

assessed = s.risk.value
conf = s.risk.inputs["risk_settings"].fact("days_out_of_10", rs.days_out_of_10) / 10.0
m1, m2, m3 = st.columns(3)
m1.metric(t("p_meet_mean"), fmt.percent(assessed.risk.p_meet_all_days))
extra = assessed.plan.extra_agent_hours
m2.metric(t("hours_for_confidence", days=int(round(conf * 10))), fmt.number(assessed.plan.agent_hours),
          delta=None if round(extra) == 0 else f"{fmt.number(extra, sign=True)} h", delta_color="inverse")
m3.metric(t("hours_point"), fmt.number(assessed.plan.agent_hours_point))
st.caption(t("risk_sentence", target=fmt.percent(targets.target_service_level),
             within=fmt.duration_seconds(targets.answer_within_seconds), days=int(round(conf * 10))))
per_day = assessed.per_day.reset_index()
day_col = per_day.columns[0]
labels = [fmt.day(d, style="short") for d in per_day[day_col]]
fig = go.Figure()
fig.add_bar(x=labels, y=per_day["p_meet"], name=t("p_meet"))
fig.add_hline(y=conf, line_dash="dash", annotation_text=t("days_out_of_10_line", days=int(round(conf * 10))))
fig.update_layout(height=320, margin={"t": 10}, yaxis={"range": [0, 1], "tickformat": ".0%"},
                  separators=t("plotly_separators"), showlegend=False)
st.plotly_chart(fig, width="stretch", key="rk_chart")
st.dataframe(fmt.table(per_day.rename(columns={day_col: "day"}), kinds={"day": ("date",)}), hide_index=True,
             width="stretch")
st.caption(t("risk_all_queues"))
st.page_link("app_pages/replay.py", label=t("replay_hint"), icon=":material/history:")
