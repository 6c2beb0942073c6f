"""Replay page: cut the history, plan the past, and see whether the plan delivered against the real calls."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app_pages.i18n import t
from app_pages.state import (
    DEMO_RULES, background_busy, current_history, default_targets, follow_background, start_background,
)
from optimiser.analysis.replay import run_replay
from optimiser.analysis.report import replay_report_html
from wfm.io.rules import coarsen_rules_text, rules_from_text

st.title(t("replay_title"))
history = current_history()
last_day = history["interval_start"].max().tz_localize(None).date()
first_day = history["interval_start"].min().tz_localize(None).date()
c1, c2, c3, c4 = st.columns(4)
cut = c1.date_input(t("cut_date"), value=last_day - dt.timedelta(days=27), min_value=first_day,
                    max_value=last_day, key="rp_cut")
weeks = c2.number_input(t("weeks"), 1, 4, 1, key="rp_weeks")
replications = c3.number_input(t("replications"), 1, 10, 3, key="rp_reps")
# One simulated day scatters by up to ~14 points on long calls: average runs until each day is this precise.
precision_points = c4.number_input(t("sim_precision"), 0.0, 5.0, 1.0, step=0.5, key="rp_se",
                                   help=t("sim_precision_help"))
targets = st.session_state.get("targets") or default_targets()

if st.button(t("run_replay"), type="primary", disabled=background_busy("replay"), key="rp_run"):
    rules = rules_from_text(coarsen_rules_text(DEMO_RULES.read_text(encoding="utf-8")), name=str(DEMO_RULES))
    start_background("replay", lambda on_progress, should_stop: run_replay(
        history, cut, int(weeks), rules, targets, n_replications=int(replications),
        target_standard_error=(precision_points / 100.0) if precision_points > 0 else None, max_replications=400))


def waiting(run) -> None:
    st.progress(0.0, text=t("replaying", seconds=f"{run.elapsed_seconds():.0f}"))


result = follow_background("replay", waiting)
if result is None:
    st.info(t("replay_prompt"))
    st.stop()

s = result.summary
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("within_3_no_fc"), f"{s['share_days_within_3pts_without_forecast_error']:.0%}")
m2.metric(t("within_3_fc"), f"{s['share_days_within_3pts_with_forecast_error']:.0%}")
m3.metric(t("days_meeting_target"), f"{s['share_days_meeting_target']:.0%}")
m4.metric(t("forecast_wape"), f"{s['forecast_wape']:.1%}")
st.write(t("gap_sentence", gap=f"{100 * s['mean_gap']:+.1f}", rounding=f"{100 * s['mean_rounding']:+.1f}",
           queueing=f"{100 * s['mean_queueing_model']:+.1f}", forecast=f"{100 * s['mean_forecast']:+.1f}"))
st.dataframe(result.per_day, width="stretch")
st.download_button(t("download_report"), replay_report_html(result), "replay.html", "text/html", key="rp_download")
