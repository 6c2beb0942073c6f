"""Forecast page: queues, horizon, interval and model; actuals and forecast with 80/95 % bands; backtest."""

from __future__ import annotations

import io

import plotly.graph_objects as go
import streamlit as st

from app_pages.i18n import t
from app_pages.state import current_history, save_scenario_form
from wfm.io.events import read_events
from forecasting.pipeline import ForecastSettings, forecast, model_names
from wfm.io.forecast import write_forecast_csv
from forecasting.views import actuals_and_forecast
from wfm.ground.errors import WfmInputError

st.title(t("forecast_title"))
history = current_history()
all_queues = sorted(history["queue"].unique().tolist())
hist_minutes = int(history.attrs.get("interval_minutes", 15))

with st.form("forecast_form"):
    c1, c2, c3, c4 = st.columns(4)
    queues = c1.multiselect(t("queues"), all_queues, default=all_queues, key="fc_queues")
    horizon = c2.slider(t("horizon_days"), 1, 28, 7, key="fc_horizon")
    choices = [m for m in (15, 30, 60) if m >= hist_minutes]
    interval = c3.selectbox(t("interval_minutes"), choices, index=0, key="fc_interval")
    models = model_names()
    model = c4.selectbox(t("model"), models, index=models.index("weekly_mean"), key="fc_model",
                         help=t("model_help"))
    do_backtest = st.checkbox(t("run_backtest"), value=False, key="fc_backtest")
    events_file = st.file_uploader(t("events_file"), type=["csv"], key="fc_events")
    submitted = st.form_submit_button(t("run_forecast"), type="primary")

if submitted:
    try:
        events = None
        if events_file is not None:
            buf = io.BytesIO(events_file.getvalue())
            buf.name = events_file.name
            events = read_events(buf)
        bar = st.progress(0.0, text=t("forecasting"))

        def progress(done: int, total: int, label: str) -> None:
            bar.progress(min(done / max(total, 1), 1.0), text=f"{t('forecasting')} {label} ({done}/{total})")

        settings = ForecastSettings(horizon, interval, model=model, backtest=do_backtest, queues=queues or None)
        result = forecast(history, settings, events=events, n_jobs=1, progress=progress)
        bar.empty()
        st.session_state["forecast_result"] = result
        st.session_state.pop("requirement", None)
    except WfmInputError as exc:
        for message in exc.errors:
            st.error(message)

result = st.session_state.get("forecast_result")
if result is None:
    st.info(t("forecast_prompt"))
    st.stop()

fc = result.forecast
shown_queue = st.selectbox(t("queue"), sorted(fc["queue"].unique()), key="fc_chart_queue")
frame = actuals_and_forecast(history, fc, shown_queue, days_back=14)
fig = go.Figure()
fig.add_trace(go.Scatter(x=frame["interval_start"], y=frame["calls_offered_p975"], line={"width": 0}, showlegend=False, hoverinfo="skip"))
fig.add_trace(go.Scatter(x=frame["interval_start"], y=frame["calls_offered_p025"], fill="tonexty", line={"width": 0}, fillcolor="rgba(31,119,180,0.15)", name="95 %"))
fig.add_trace(go.Scatter(x=frame["interval_start"], y=frame["calls_offered_p90"], line={"width": 0}, showlegend=False, hoverinfo="skip"))
fig.add_trace(go.Scatter(x=frame["interval_start"], y=frame["calls_offered_p10"], fill="tonexty", line={"width": 0}, fillcolor="rgba(31,119,180,0.35)", name="80 %"))
fig.add_trace(go.Scatter(x=frame["interval_start"], y=frame["calls_offered"], line={"color": "#1f77b4"}, name=t("forecast")))
fig.add_trace(go.Scatter(x=frame["interval_start"], y=frame["actual"], line={"color": "#333"}, name=t("actual")))
fig.update_layout(height=420, margin={"t": 20}, yaxis_title=t("calls"))
st.plotly_chart(fig, width="stretch", key="fc_chart")

c1, c2, c3 = st.columns(3)
q = fc[fc["queue"] == shown_queue]
c1.metric(t("calls_in_horizon"), f"{q['calls_offered'].sum():,.0f}")
c2.metric(t("mean_aht"), f"{(q['aht_seconds'] * q['calls_offered']).sum() / max(q['calls_offered'].sum(), 1):.0f} s")
c3.metric(t("model"), ", ".join(sorted(q["model"].unique())))

if result.backtest is not None:
    st.subheader(t("backtest_table"))
    st.dataframe(result.backtest, hide_index=True, width="stretch")
if result.selection is not None:
    st.subheader(t("auto_selection"))
    st.dataframe(result.selection, hide_index=True, width="stretch")

csv_buffer = io.StringIO()
write_forecast_csv(fc, csv_buffer)
st.download_button(t("download_csv"), csv_buffer.getvalue(), "forecast.csv", "text/csv", key="fc_download")
save_scenario_form("forecast", fc, "forecast")
