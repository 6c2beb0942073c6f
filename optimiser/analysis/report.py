"""Self-contained HTML report of a replay (and optionally a risk run) for a manager.

One file, no network: plotly's JavaScript is inlined once (``include_plotlyjs=
"inline"`` on the first chart), tables are plain HTML.  Charts: promised versus
achieved daily service level, the daily error decomposition (rounding, queueing
model, forecast), and -- with call records -- Erlang C / Erlang A against the
service level the records show.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from optimiser.analysis.replay import COMPONENTS, QUEUEING_SPLIT, ReplayResult

__all__ = ["replay_report_html", "write_replay_report"]

_LABELS = {"rounding": "Schedule rounding (scheduled vs required agents)",
           "queueing_model": "Queueing model (Erlang vs simulation, same calls)",
           "forecast": "Forecast error (actual vs forecast calls)",
           "time_variation": "Queueing model: time variation (stationary Erlang vs time-varying model)",
           "queueing_residual": "Queueing model: residual (time-varying model vs simulation)"}
#: the stacked bars: rounding, the queueing model in its two parts, forecast (they sum to the gap)
_BARS = ("rounding", *QUEUEING_SPLIT, "forecast")

_CSS = """body{font-family:system-ui,Segoe UI,Arial,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.note{color:#555;font-size:14px}"""


def _pct(x) -> str:
    return "" if x is None or (isinstance(x, float) and not np.isfinite(x)) else f"{100 * x:.1f} %"


def _daily_pooled(per_day: pd.DataFrame) -> pd.DataFrame:
    """All queues together: forecast-call-weighted means per day."""
    cols = ["promised_service_level", "service_level_plan", "service_level_plan_tv",
            "service_level_sim_forecast", "achieved_service_level", "gap", *COMPONENTS, *QUEUEING_SPLIT]
    d = per_day.reset_index()
    w = d["calls_forecast"].where(d["calls_forecast"] > 0, 1e-9)
    out = d[cols].mul(w, axis=0).groupby(d["day"]).sum().div(w.groupby(d["day"]).sum(), axis=0)
    out["calls_forecast"] = d.groupby("day")["calls_forecast"].sum()
    out["calls_actual"] = d.groupby("day")["calls_actual"].sum()
    return out


def _fig_html(fig: go.Figure, first: bool) -> str:
    fig.update_layout(template="plotly_white", height=380, margin=dict(l=50, r=20, t=50, b=40))
    return fig.to_html(full_html=False, include_plotlyjs="inline" if first else False)


def _header(s: dict, title: str) -> str:
    """Title and the replay's settings (cut, model, target, patience, schedule status, WAPE)."""
    head = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>")
    return head + "\n" + (
        "<p class='note'>History cut at <b>{cut}</b>, {weeks} week(s) replayed with forecast model "
        "<b>{model}</b>. Target: {tsl} answered within {T:g} s. Patience {pat} ({src}). "
        "Schedule status: {status}. Forecast WAPE over the replay: {wape}.</p>".format(
            cut=html.escape(s["cut"]), weeks=s["weeks"], model=html.escape(str(s["model"])),
            tsl=_pct(s.get("target_service_level")), T=s["answer_within_seconds"],
            pat="infinite (Erlang C)" if s["patience_seconds"] is None else f"{s['patience_seconds']:.0f} s",
            src=html.escape(str(s["patience_source"])), status=html.escape(str(s["schedule_status"])),
            wape=_pct(s["forecast_wape"])))


def _findings(s: dict) -> str:
    """The headline numbers: days meeting the target, within 3 points of the promise, the mean gap."""
    return (
        "<ul><li>Days meeting the target in the replay: <b>{meet}</b></li>"
        "<li>Days whose simulated service level is within 3 points of the plan's promise (the "
        "time-varying queue model at the scheduled agents), forecast error removed: <b>{w0}</b> "
        "(against stationary Erlang per interval: {ws}); with the real forecast error: <b>{w1}</b></li>"
        "<li>Mean gap achieved - promised: <b>{gap}</b> = rounding {r} + queueing model {q} (time "
        "variation {tv}, residual {qr}) + forecast {f}</li>"
        "<li>Simulated days are the mean of {reps} replications (largest standard error {se} points); "
        "one day alone scatters much more around it.</li></ul>".format(
            meet=_pct(s["share_days_meeting_target"]),
            w0=_pct(s["share_days_within_3pts_without_forecast_error"]),
            ws=_pct(s.get("share_days_within_3pts_without_forecast_error_stationary_erlang")),
            w1=_pct(s["share_days_within_3pts_with_forecast_error"]),
            gap=f"{100 * s['mean_gap']:+.1f} pts", r=f"{100 * s['mean_rounding']:+.1f}",
            q=f"{100 * s['mean_queueing_model']:+.1f}", tv=f"{100 * s['mean_time_variation']:+.1f}",
            qr=f"{100 * s['mean_queueing_residual']:+.1f}", f=f"{100 * s['mean_forecast']:+.1f}",
            reps=html.escape(str(s.get("replications"))),
            se=f"{100 * s.get('max_sim_standard_error', np.nan):.1f}"))


def _promise_chart(daily: pd.DataFrame, days: list[str], target) -> str:
    fig = go.Figure()
    for col, name, dash in (("promised_service_level", "Promised (requirement, Erlang)", "dot"),
                            ("service_level_plan", "Plan (scheduled agents, stationary Erlang)", "dash"),
                            ("service_level_plan_tv", "Plan's promise (scheduled agents, time-varying model)",
                             "longdash"),
                            ("service_level_sim_forecast", "Simulated on the forecast", "dashdot"),
                            ("achieved_service_level", "Achieved (simulated on actual calls)", "solid")):
        fig.add_trace(go.Scatter(x=days, y=100 * daily[col], name=name, mode="lines+markers",
                                 line=dict(dash=dash)))
    if target is not None:
        fig.add_hline(y=100 * target, line_color="red", annotation_text="target")
    fig.update_layout(title="Promised versus achieved service level per day (all queues)",
                      yaxis_title="service level [%]")
    return _fig_html(fig, first=True)


def _gap_chart(daily: pd.DataFrame, days: list[str]) -> str:
    fig = go.Figure()
    for c in _BARS:
        fig.add_trace(go.Bar(x=days, y=100 * daily[c], name=_LABELS[c]))
    fig.add_trace(go.Scatter(x=days, y=100 * daily["gap"], name="Total gap", mode="markers",
                             marker=dict(color="black", size=9)))
    fig.update_layout(barmode="relative", title="Where the gap comes from (achieved - promised)",
                      yaxis_title="service-level points")
    return _fig_html(fig, first=False)


def _calibration_section(calibration: pd.DataFrame) -> str:
    """Erlang C and A predictions against the recorded service level, and their mean errors."""
    cal = calibration.dropna(subset=["sl_erlang_c"])
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=100 * cal["service_level"], y=100 * cal["sl_erlang_c"], mode="markers",
                             name="Erlang C", marker=dict(size=5)))
    fig.add_trace(go.Scatter(x=100 * cal["service_level"], y=100 * cal["sl_erlang_a"], mode="markers",
                             name="Erlang A", marker=dict(size=5)))
    fig.add_trace(go.Scatter(x=[0, 100], y=[0, 100], mode="lines", name="perfect",
                             line=dict(color="grey", dash="dot")))
    fig.update_layout(title="Queueing model calibration: predicted vs recorded service level per interval",
                      xaxis_title="recorded [%]", yaxis_title="predicted [%]")
    mae = {k: float(cal[k].abs().mean()) for k in ("sl_error_erlang_c", "sl_error_erlang_a",
                                                  "abandon_error_erlang_a")}
    return _fig_html(fig, first=False) + "\n" + (
        "<p class='note'>Mean absolute error per interval over {n} intervals: service level "
        "Erlang C {c}, Erlang A {a}; abandonment Erlang A {b}.</p>".format(
            n=len(cal), c=_pct(mae["sl_error_erlang_c"]), a=_pct(mae["sl_error_erlang_a"]),
            b=_pct(mae["abandon_error_erlang_a"])))


def _per_day_table(daily: pd.DataFrame) -> str:
    table = daily[["calls_forecast", "calls_actual", "promised_service_level", "achieved_service_level",
                   *COMPONENTS]].copy()
    for c in ["promised_service_level", "achieved_service_level", *COMPONENTS]:
        table[c] = (100 * table[c]).map(lambda v: f"{v:.1f}")
    for c in ("calls_forecast", "calls_actual"):
        table[c] = table[c].map(lambda v: f"{v:.0f}")
    return ("<h2>Per day (all queues)</h2><p class='note'>Service levels and components in "
            "percent / points.</p>" + table.to_html(border=0))


def replay_report_html(result: ReplayResult, *, title: str = "Replay: does the plan deliver?",
                       risk_per_day: pd.DataFrame | None = None) -> str:
    """The report as one HTML string (plotly inlined)."""
    s = result.summary
    daily = _daily_pooled(result.per_day)
    days = [str(d) for d in daily.index]
    parts = [_header(s, title), _findings(s), _promise_chart(daily, days, s.get("target_service_level")),
             _gap_chart(daily, days)]
    if result.calibration is not None and len(result.calibration):
        parts.append(_calibration_section(result.calibration))
    parts.append(_per_day_table(daily))
    if risk_per_day is not None:
        parts.append("<h2>Risk</h2>" + risk_per_day.to_html(border=0, float_format=lambda v: f"{v:.3f}"))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_replay_report(result: ReplayResult, path, **kwargs) -> Path:
    """Write :func:`replay_report_html` to ``path`` (UTF-8)."""
    path = Path(path)
    path.write_text(replay_report_html(result, **kwargs), encoding="utf-8")
    return path
