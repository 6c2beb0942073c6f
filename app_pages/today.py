"""Today page: how accessible were we, where will today end, and what to do about it (docs/intraday.md)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.i18n import t
from app_pages.state import require_history, session
from optimiser.queueing.on_phone import on_phone_from_scheduled
from optimiser.today.achieved import achieved_accessibility, between_days
from optimiser.today.actions import CallbackSettings, apply_action, recommend_actions
from optimiser.today.steer import day_ahead_plan, steer_day
from wfm.ground.errors import WfmInputError

LAST_GOOD = "today_last_good"


@st.cache_data(show_spinner=False, max_entries=8)
def _plan(_history: pd.DataFrame, source: str, day: dt.date, _targets, targets_key: str):
    return day_ahead_plan(_history, day, _targets)


def _actuals(mode: str, history: pd.DataFrame):
    if mode == "replay":
        return history, True
    path = st.text_input(t("today_actuals_path"), key="td_path")
    if not path:
        st.info(t("today_live_prompt"))
        st.stop()
    from wfm.io.history import read_history

    return read_history(path), False


def _render(state) -> None:
    day = state.projection.day
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("today_so_far"), f"{day['so_far_service_level']:.0%}")
    m2.metric(t("today_day_end"), f"{day['service_level']:.1%}",
              delta=f"{100 * (day['service_level'] - day['target_service_level']):+.1f} pts")
    m3.metric(t("today_abandon"), f"{day['abandon_rate']:.1%}")
    m4.metric(t("today_short"), f"{day['calls_short_of_target']:,.0f}")
    fc = state.reforecast.forecast.groupby(["interval_start", "phase"], as_index=False)[
        ["calls_offered", "calls_offered_day_ahead"]].sum()
    fig = go.Figure()
    for phase in ("actual", "reforecast"):
        part = fc[fc["phase"] == phase]
        fig.add_bar(x=part["interval_start"], y=part["calls_offered"], name=t(f"today_{phase}"))
    fig.add_scatter(x=fc["interval_start"], y=fc["calls_offered_day_ahead"], name=t("today_day_ahead"), mode="lines")
    fig.update_layout(height=300, margin={"t": 10}, barmode="stack")
    st.plotly_chart(fig, width="stretch", key="td_calls")
    per = state.projection.per_interval
    sl = go.Figure()
    sl.add_scatter(x=per["interval_start"], y=per["service_level"], mode="lines+markers", name=t("today_sl"))
    sl.add_hline(y=day["target_service_level"], line_dash="dash")
    sl.update_layout(height=260, margin={"t": 10}, yaxis={"range": [0, 1], "tickformat": ".0%"})
    st.plotly_chart(sl, width="stretch", key="td_sl")


s = session()
history, _ = require_history(s)  # the session's history: the demo or an accepted upload
st.title(t("today_title"))
targets = s.targets  # the targets the planner set on the Accessibility page
mode = st.radio(t("today_mode"), ["replay", "live"], format_func=lambda m: t(f"today_mode_{m}"), horizontal=True,
                key="td_mode")
last_day = history["interval_start"].max().tz_localize(None).date()
c1, c2, c3 = st.columns(3)
day = c1.date_input(t("today_day"), value=last_day - dt.timedelta(days=28), max_value=last_day, key="td_day") \
    if mode == "replay" else dt.date.today()
clock = c2.time_input(t("today_time"), value=dt.time(12, 0), step=900, key="td_time") if mode == "replay" \
    else dt.datetime.now().time()
absent = c3.slider(t("today_absent"), 0, 50, 10, 5, key="td_absent", help=t("today_absent_help"))
now = pd.Timestamp(dt.datetime.combine(day, clock))
try:
    actuals, replay = _actuals(mode, history)
    forecast, plan_agents = _plan(history, str(history.attrs.get("source")), day, targets, repr(targets))
    on_phone = pd.Series(on_phone_from_scheduled(plan_agents.to_numpy(), absent / 100.0, rounding="down"),
                         index=plan_agents.index, dtype=float)
    state = steer_day(forecast, actuals, pd.DataFrame({"start": [], "end": []}), now, targets, replay=replay,
                      agents_on_phone=on_phone)
except WfmInputError as exc:
    st.error(str(exc))
    state = st.session_state.get(LAST_GOOD)
    if state is None:
        st.stop()
    st.warning(t("today_last_good", time=f"{state.now:%Y-%m-%d %H:%M}"))
else:
    accepted_key = f"td_accepted_{day}_{clock}_{absent}"
    for action in st.session_state.get(accepted_key, []):
        state = apply_action(state, action)
    st.session_state[LAST_GOOD] = state
st.caption(t("today_agents_note"))
_render(state)

st.subheader(t("today_actions"))
threshold = st.number_input(t("today_cb_threshold"), 0.5, 60.0, 10.0, step=0.5, key="td_cb")
actions = recommend_actions(state, callbacks=CallbackSettings(callback_threshold_seconds=60.0 * float(threshold)))
if not actions:
    st.info(t("today_no_actions"))
for k, action in enumerate(actions):
    a1, a2 = st.columns([5, 1])
    a1.markdown(f"**{100 * action.gain:+.2f} pts** → {action.service_level_after:.1%} — {action.description}")
    if a2.button(t("today_accept"), key=f"td_accept_{k}"):
        key = f"td_accepted_{day}_{clock}_{absent}"
        st.session_state[key] = [*st.session_state.get(key, []), action]
        st.rerun()

st.subheader(t("today_achieved"))
try:
    week = between_days(history, day - dt.timedelta(days=7), day - dt.timedelta(days=1))
    report = achieved_accessibility(week, targets.answer_within_seconds or 0.0, by="day")
except WfmInputError as exc:
    st.info(str(exc))
else:
    st.dataframe(report, hide_index=True, width="stretch", key="td_report")
    if (report["service_level_source"] != "measured").any():
        st.caption(t("today_estimate_note"))
