"""Data page: choose the demo or an upload (with its column mapping), see validation, charts, gaps and opening hours.

An accepted upload stays the session's history until the planner chooses another file or the demo;
a refused one stays refused (with its full error list), and the other pages say so instead of
silently using the demo.
"""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from app_pages import fmt
from app_pages.i18n import t
from app_pages.state import current_history, history_views, history_week, session
from app_pages.upload import opening_hours_lines, upload_panel

s = session()
st.title(t("data_title"))

sources = ["demo", "upload"]
source = st.radio(t("source"), sources, index=sources.index(s.source), format_func=lambda v: t(f"source_{v}"),
                  horizontal=True, key="data_source", persist_state="session")
s.source = source
if source == "upload":
    upload_panel(s)

now = current_history(s)
if now is None:
    st.stop()  # the upload panel said why (nothing chosen yet, or refused)
history, stamp = now
summary, overview, daily = history_views(stamp.key, history)

c1, c2, c3, c4, c5 = st.columns(5)
c1.metric(t("queues"), fmt.number(len(overview)))
c2.metric(t("first_interval"), fmt.day(summary.first_interval, style="iso"), help=summary.first_interval.isoformat())
c3.metric(t("last_interval"), fmt.day(summary.last_interval, style="iso"), help=summary.last_interval.isoformat())
c4.metric(t("interval_length"), f"{summary.interval_minutes} min")
c5.metric(t("rows"), fmt.number(summary.rows))

st.subheader(t("overview"))
st.dataframe(fmt.table(overview, kinds={"calls_per_day": ("number", 0), "aht_seconds": ("number", 0),
                                        "first_interval": ("timestamp",), "last_interval": ("timestamp",)}),
             hide_index=True, width="stretch")

st.subheader(t("calls_by_day"))
fig = px.line(daily, x="date", y="calls_offered", color="queue",
              labels={"date": t("date"), "calls_offered": t("calls_per_day_axis"), "queue": t("queue")})
fig.update_layout(separators=t("plotly_separators"), legend_title_text=t("queue"))
st.plotly_chart(fig, width="stretch", key="daily_chart")

st.subheader(t("average_week"))
queues = ["", *overview["queue"].tolist()]
chosen = st.selectbox(t("queue"), queues, format_func=lambda q: q or t("all_queues"), key="heatmap_queue",
                      persist_state="session")
grid = history_week(stamp.key, chosen or None, history)
grid.index = [fmt.weekday(i, short=True) for i in range(len(grid.index))]
heat = px.imshow(grid, aspect="auto", labels={"x": t("hour"), "y": t("weekday"), "color": t("calls_per_hour")},
                 color_continuous_scale="Blues")
heat.update_layout(separators=t("plotly_separators"))
st.plotly_chart(heat, width="stretch", key="heatmap_chart")

col_gaps, col_open = st.columns(2)
with col_gaps:
    st.subheader(t("gaps"))
    gaps = summary.gaps_frame()
    if len(gaps) == 0:
        st.write(t("no_gaps"))
    else:
        st.dataframe(fmt.table(gaps), hide_index=True, width="stretch")
with col_open:
    st.subheader(t("opening_hours"))
    st.markdown("\n".join(f"- {line}" for line in opening_hours_lines(summary)))
