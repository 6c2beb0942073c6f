"""Data page: choose the demo or an upload, see validation, charts, gaps and opening hours."""

from __future__ import annotations

import io

import plotly.express as px
import streamlit as st

from app_pages.i18n import t
from app_pages.state import current_history
from forecasting.history import summarise_history
from wfm.io.history import read_history
from forecasting.views import average_week, daily_calls, queue_overview
from wfm.ground.errors import WfmInputError

st.title(t("data_title"))

source = st.radio(t("source"), ["demo", "upload"], format_func=lambda s: t(f"source_{s}"), horizontal=True, key="data_source")
if source == "upload":
    tz = st.text_input(t("timezone"), value="Europe/Stockholm", key="upload_tz")
    uploaded = st.file_uploader(t("upload"), type=["csv", "gz", "xlsx", "parquet"], key="upload_file")
    if uploaded is None:
        st.info(t("upload_prompt"))
        st.stop()
    buffer = io.BytesIO(uploaded.getvalue())
    buffer.name = uploaded.name
    try:
        st.session_state["uploaded_history"] = read_history(buffer, tz=tz)
    except WfmInputError as exc:
        st.session_state.pop("uploaded_history", None)
        st.error(t("errors_found", n=len(exc.errors)))
        st.dataframe({"error": exc.errors}, width="stretch")
        st.stop()
else:
    st.session_state.pop("uploaded_history", None)

history = current_history()
summary = summarise_history(history)
overview = queue_overview(history).round({"calls_per_day": 0, "aht_seconds": 0})

c1, c2, c3, c4, c5 = st.columns(5)
c1.metric(t("queues"), len(overview))
c2.metric(t("first_interval"), f"{history['interval_start'].min():%Y-%m-%d}", help=f"{history['interval_start'].min().isoformat()}")
c3.metric(t("last_interval"), f"{history['interval_start'].max():%Y-%m-%d}", help=f"{history['interval_start'].max().isoformat()}")
c4.metric(t("interval_length"), f"{summary.interval_minutes} min")
c5.metric(t("rows"), f"{len(history):,}")

st.subheader(t("overview"))
st.dataframe(overview, hide_index=True, width="stretch")

st.subheader(t("calls_by_day"))
daily = daily_calls(history)
fig = px.line(daily, x="date", y="calls_offered", color="queue", labels={"date": t("date"), "calls_offered": t("calls"), "queue": t("queue")})
st.plotly_chart(fig, width="stretch", key="daily_chart")

st.subheader(t("average_week"))
queues = [t("all_queues"), *overview["queue"].tolist()]
chosen = st.selectbox(t("queue"), queues, key="heatmap_queue")
grid = average_week(history, None if chosen == t("all_queues") else chosen)
heat = px.imshow(grid, aspect="auto", labels={"x": t("hour"), "y": t("weekday"), "color": t("calls")}, color_continuous_scale="Blues")
st.plotly_chart(heat, width="stretch", key="heatmap_chart")

col_gaps, col_open = st.columns(2)
with col_gaps:
    st.subheader(t("gaps"))
    gaps = summary.gaps_frame()
    if len(gaps) == 0:
        st.write(t("no_gaps"))
    else:
        st.dataframe(gaps, hide_index=True, width="stretch")
with col_open:
    st.subheader(t("opening_hours"))
    st.text(summary.opening_hours_text())
