"""Replay page: cut the history, plan the past with the rules chosen on the Schedule page, and see
whether the plan delivered against the real calls."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app_pages import fmt
from app_pages.describe import show_changes
from app_pages.i18n import t
from app_pages.session import ReplaySettings, changed_inputs
from app_pages.state import (
    follow_run, history_stamp, parse_rules_text, require_history, rules_or_default, run_busy, session, show_error,
    start_run,
)
from optimiser.analysis.report import replay_report_html
from wfm.ground.errors import WfmInputError

s = session()
st.title(t("replay_title"))
history, h_stamp = require_history(s)
rules = rules_or_default(s)
last_day = history["interval_start"].max().tz_localize(None).date()
first_day = history["interval_start"].min().tz_localize(None).date()
rp = s.replay_settings
default_cut = rp.cut if rp.cut is not None and first_day <= rp.cut <= last_day else last_day - dt.timedelta(days=27)
c1, c2, c3, c4 = st.columns(4)
cut = c1.date_input(t("cut_date"), value=max(default_cut, first_day), min_value=first_day, max_value=last_day,
                    key="rp_cut", format="YYYY-MM-DD")
weeks = c2.number_input(t("weeks"), 1, 4, rp.weeks, key="rp_weeks")
replications = c3.number_input(t("replications"), 1, 10, rp.replications, key="rp_reps")
# One simulated day scatters by up to ~14 points on long calls: average runs until each day is this precise.
precision_points = c4.number_input(t("sim_precision"), 0.0, 5.0, float(rp.precision_points), step=0.5, key="rp_se",
                                   help=t("sim_precision_help"))
s.replay_settings = rp = ReplaySettings(cut, int(weeks), int(replications), float(precision_points))
st.caption(t("replay_uses", rules=t("stamp_rules_demo") if rules.source == "demo" else t("stamp_rules_edited"),
             quick=t("quick_plan_short") if rules.quick_plan else t("full_rules_short")))
inputs = {"history": history_stamp(s), "rules": rules.stamp, "targets": s.targets_stamp(), "replay_settings": rp.stamp}

if st.button(t("run_replay"), type="primary", disabled=run_busy(s, "replay"), key="rp_run"):
    from optimiser.analysis.replay import run_replay

    try:
        parsed = parse_rules_text(rules.text, rules.quick_plan)
    except WfmInputError as exc:
        show_error(exc)
        st.stop()
    targets = s.targets
    start_run(s, "replay", lambda on_progress, should_stop: run_replay(
        history, rp.cut, rp.weeks, parsed, targets, n_replications=rp.replications,
        target_standard_error=(rp.precision_points / 100.0) if rp.precision_points > 0 else None,
        max_replications=400), inputs, "replay", info={"abandon_on_stop": True})


def waiting(entry) -> None:
    run = entry.run
    st.progress(0.0, text=t("replaying", seconds=fmt.number(run.elapsed_seconds())))
    if st.button(t("stop"), key="rp_stop", disabled=run.stop_requested):
        run.stop()


follow_run(s, "replay", waiting)
known = s.recall("replay", inputs)
if known is not None:
    s.replay = known
if s.replay is None:
    st.info(t("replay_prompt"))
    st.stop()
changes = changed_inputs(s.replay, inputs)
if changes:
    show_changes(t("replay_is_stale"), changes)

result = s.replay.value
r = result.summary
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("within_3_no_fc"), fmt.percent(r["share_days_within_3pts_without_forecast_error"]))
m2.metric(t("within_3_fc"), fmt.percent(r["share_days_within_3pts_with_forecast_error"]))
m3.metric(t("days_meeting_target"), fmt.percent(r["share_days_meeting_target"]))
m4.metric(t("forecast_wape"), fmt.percent(r["forecast_wape"], 1))
st.write(t("gap_sentence", gap=fmt.points(r["mean_gap"]), rounding=fmt.points(r["mean_rounding"]),
           queueing=fmt.points(r["mean_queueing_model"]), forecast=fmt.points(r["mean_forecast"])))
st.dataframe(fmt.table(result.per_day, index=True), hide_index=True, width="stretch")
st.download_button(t("download_report"), replay_report_html(result), f"replay_{r['cut']}_{r['days']}d.html",
                   "text/html", key="rp_download", on_click="ignore")
