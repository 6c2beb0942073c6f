"""Forecast page: queues, horizon, interval and model; a background run with progress and a stop button;
actuals and forecast with 80/95 % bands; backtest and auto's choice."""

from __future__ import annotations

import hashlib
import io

import plotly.graph_objects as go
import streamlit as st

from app_pages import fmt
from app_pages.describe import model_label, show_changes
from app_pages.i18n import t
from app_pages.session import Computed, ForecastChoice, Stamp, changed_inputs, digest
from app_pages.state import (
    follow_run, forecast_inputs, require_history, run_busy, save_scenario_form, session, show_error, start_run,
)
from forecasting.pipeline import forecast, model_names
from forecasting.views import actuals_and_forecast
from wfm.ground.errors import WfmInputError
from wfm.io.forecast import write_forecast_csv


class ForecastStopped(BaseException):
    """Raised from the progress hook when the planner pressed Stop (a BaseException, so no model's
    ``except Exception`` swallows it)."""


s = session()
st.title(t("forecast_title"))
history, h_stamp = require_history(s)
all_queues = sorted(history["queue"].unique().tolist())
hist_minutes = int(history.attrs.get("interval_minutes", 15))
fs = s.forecast_choice

with st.form("forecast_form"):
    c1, c2, c3, c4 = st.columns(4)
    queues = c1.multiselect(t("queues"), all_queues, default=[q for q in fs.queues if q in all_queues] or all_queues,
                            key="fc_queues", persist_state="session")
    horizon = c2.slider(t("horizon_days"), 1, 28, fs.horizon_days, key="fc_horizon", persist_state="session")
    choices = [m for m in (15, 30, 60) if m >= hist_minutes]
    interval = c3.selectbox(t("interval_minutes"), choices,
                            index=choices.index(fs.interval_minutes) if fs.interval_minutes in choices else 0,
                            key="fc_interval", persist_state="session")
    models = model_names()
    model = c4.selectbox(t("model"), models, index=models.index(fs.model) if fs.model in models else 0,
                         format_func=model_label, key="fc_model", help=t("model_help"), persist_state="session")
    do_backtest = st.checkbox(t("run_backtest"), value=fs.backtest, key="fc_backtest", persist_state="session")
    events_file = st.file_uploader(t("events_file"), type=["csv"], key="fc_events", help=t("events_help"))
    submitted = st.form_submit_button(t("run_forecast"), type="primary", disabled=run_busy(s, "forecast"))
if s.events is not None:
    e1, e2 = st.columns([3, 1])
    e1.caption(t("events_in_use", name=s.events.stamp.fact("file_name"), n=len(s.events.value)))
    if e2.button(t("remove_events"), key="fc_events_remove"):
        s.events = None
        st.rerun()

if submitted:
    try:
        if events_file is not None:
            from wfm.io.events import read_events

            data = events_file.getvalue()
            buf = io.BytesIO(data)
            buf.name = events_file.name
            key = hashlib.sha256(data).hexdigest()[:16]
            s.events = Computed(read_events(buf), Stamp(f"events:{key}", "events", (("file_name", events_file.name),)), {})
        choice = ForecastChoice(
            queues=tuple(q for q in queues if len(queues) < len(all_queues)), horizon_days=int(horizon),
            interval_minutes=int(interval), model=model, backtest=bool(do_backtest),
            events_name=s.events.stamp.fact("file_name") if s.events else "",
            events_key=s.events.stamp.key if s.events else "")
        lib_settings = choice.settings()
    except WfmInputError as exc:
        show_error(exc)
        st.stop()
    s.forecast_choice = fs = choice
    events = s.events.value if s.events is not None else None
    progress_info = {"done": 0, "total": 1, "label": ""}

    def run_forecast(on_progress, should_stop, settings=lib_settings, events=events, history=history):
        def progress(done: int, total: int, label: str) -> None:
            if should_stop():
                raise ForecastStopped()
            progress_info.update(done=done, total=total, label=label)

        return forecast(history, settings, events=events, n_jobs=1, progress=progress)

    inputs = {**forecast_inputs(s), "settings": Stamp(f"fc_settings:{digest(fs)}", "forecast_settings")}
    facts = (("model", fs.model), ("horizon_days", fs.horizon_days), ("interval_minutes", fs.interval_minutes),
             ("queues", fs.queues))
    start_run(s, "forecast", run_forecast, inputs, "forecast", facts, info=progress_info)


def forecast_progress(entry) -> None:
    run, info = entry.run, entry.info
    done, total = info["done"], max(info["total"], 1)
    st.progress(min(done / total, 1.0), text=t("forecasting_progress", label=info["label"] or "…", done=done,
                                                total=total, seconds=fmt.number(run.elapsed_seconds())))
    if st.button(t("stop"), key="fc_stop", disabled=run.stop_requested):
        run.stop()


follow_run(s, "forecast", forecast_progress)

result = s.forecast
if result is None:
    st.info(t("forecast_prompt"))
    st.stop()
changes = changed_inputs(result, forecast_inputs(s))
if changes:
    show_changes(t("forecast_stale_here"), changes)

fc = result.value.forecast
queues_in_fc = sorted(fc["queue"].unique())
shown_queue = st.selectbox(t("queue"), queues_in_fc, key="fc_chart_queue", persist_state="session")
frame = actuals_and_forecast(history, fc, shown_queue, days_back=14)
fig = go.Figure()
x = frame["interval_start"]
fig.add_trace(go.Scatter(x=x, y=frame["calls_offered_p975"], line={"width": 0}, showlegend=False, hoverinfo="skip"))
fig.add_trace(go.Scatter(x=x, y=frame["calls_offered_p025"], fill="tonexty", line={"width": 0},
                         fillcolor="rgba(31,119,180,0.15)", name=t("band_95")))
fig.add_trace(go.Scatter(x=x, y=frame["calls_offered_p90"], line={"width": 0}, showlegend=False, hoverinfo="skip"))
fig.add_trace(go.Scatter(x=x, y=frame["calls_offered_p10"], fill="tonexty", line={"width": 0},
                         fillcolor="rgba(31,119,180,0.35)", name=t("band_80")))
fig.add_trace(go.Scatter(x=x, y=frame["calls_offered"], line={"color": "#1f77b4"}, name=t("forecast")))
fig.add_trace(go.Scatter(x=x, y=frame["actual"], line={"color": "#333"}, name=t("actual")))
fig.update_layout(height=420, margin={"t": 20}, yaxis_title=t("calls_per_interval", minutes=fs.interval_minutes),
                  separators=t("plotly_separators"), xaxis=fmt.DATE_AXIS)
st.plotly_chart(fig, width="stretch", key="fc_chart")

q = fc[fc["queue"] == shown_queue]
calls = float(q["calls_offered"].sum())
c1, c2, c3 = st.columns(3)
c1.metric(t("calls_in_horizon_queue", queue=shown_queue), fmt.number(calls))
c2.metric(t("mean_aht_queue", queue=shown_queue),
          f"{fmt.number((q['aht_seconds'] * q['calls_offered']).sum() / max(calls, 1))} s")
c3.markdown(f"**{t('model')}**  \n" + ", ".join(model_label(m) for m in sorted(q["model"].unique())))
st.caption(t("all_queues_total", calls=fmt.number(fc["calls_offered"].sum()), n=len(queues_in_fc)))

if result.value.backtest is not None:
    st.subheader(t("backtest_table"))
    st.dataframe(fmt.table(result.value.backtest, kinds={"mase": ("number", 2)}), hide_index=True, width="stretch")
if result.value.selection is not None:
    st.subheader(t("auto_selection"))
    st.dataframe(fmt.table(result.value.selection), hide_index=True, width="stretch")

csv_buffer = io.StringIO()
write_forecast_csv(fc, csv_buffer)
start_day = fc["interval_start"].min()
st.download_button(t("download_forecast_csv"), csv_buffer.getvalue(),
                   f"forecast_{start_day:%Y-%m-%d}_{fs.horizon_days}d_{fs.interval_minutes}min.csv", "text/csv",
                   key="fc_download", on_click="ignore")
save_scenario_form("forecast", fc, "forecast")
