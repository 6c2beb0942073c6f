"""Plain sentences, in the planner's language, for what the session holds: inputs, changes, statuses."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import fmt
from app_pages.i18n import TEXT, t
from app_pages.session import Change, Stamp


def describe_stamp(stamp: Stamp | None) -> str:
    """What an input or result is, in a few words (``80 % within 3 min, at most 10 % hang up``)."""
    if stamp is None:
        return t("nothing")
    describe = _DESCRIBERS.get(stamp.kind)
    return describe(stamp) if describe else stamp.kind


def _history(s: Stamp) -> str:
    if s.fact("source") == "demo":
        return t("stamp_history_demo")
    return t("stamp_history_upload", name=s.fact("file_name", "?"), tz=s.fact("tz", "?"))


def _forecast(s: Stamp) -> str:
    if s.fact("quick"):
        return t("stamp_forecast_quick", model=model_label(s.fact("model", "weekly_mean")).lower(),
                 minutes=s.fact("interval_minutes", 15))
    return t("stamp_forecast", model=model_label(s.fact("model", "?")), days=s.fact("horizon_days", "?"),
             minutes=s.fact("interval_minutes", "?"),
             queues=", ".join(s.fact("queues", ())) or t("all_queues").lower())


def _targets(s: Stamp) -> str:
    parts = []
    if s.fact("target_service_level") is not None:
        parts.append(t("stamp_sl", share=fmt.percent(s.fact("target_service_level")),
                       within=fmt.duration_seconds(s.fact("answer_within_seconds"))))
    if s.fact("max_abandon_rate") is not None:
        parts.append(t("stamp_abandon", share=fmt.percent(s.fact("max_abandon_rate"))))
    if s.fact("max_occupancy") is not None:
        parts.append(t("stamp_occupancy", share=fmt.percent(s.fact("max_occupancy"))))
    parts.append(t("stamp_shrinkage", share=fmt.percent(s.fact("shrinkage", 0.0))))
    return ", ".join(parts)


def _whatifs(s: Stamp) -> str:
    if not s.facts:
        return t("stamp_no_whatifs")
    words = {
        "aht_change_pct": lambda v: t("stamp_aht", pct=fmt.number(v, 0, sign=True)),
        "share_moved_to_eservice": lambda v: t("stamp_eservice", share=fmt.percent(v)),
        "callback_acceptance": lambda v: t("stamp_callback", share=fmt.percent(v)),
        "callback_threshold_seconds": lambda v: t("stamp_callback_after", wait=fmt.duration_seconds(v)),
        "callback_window_minutes": lambda v: t("stamp_callback_window", minutes=fmt.number(v)),
    }
    return ", ".join(words[name](value) for name, value in s.facts if name in words)


def _rules(s: Stamp) -> str:
    base = t("stamp_rules_demo") if s.fact("source") == "demo" else t("stamp_rules_edited")
    return base + (f" ({t('quick_plan_short')})" if s.fact("quick_plan") else "")


def _schedule_settings(s: Stamp) -> str:
    text = t(f"objective_{s.fact('objective', 'cost')}")
    if s.fact("headcount") is not None:
        text += " " + t("stamp_headcount", n=fmt.number(s.fact("headcount")))
    return text + ", " + t("stamp_time_limit", seconds=fmt.number(s.fact("time_limit_seconds")))


def _schedule(s: Stamp) -> str:
    return t("stamp_schedule", days=s.fact("horizon_days", "?"), objective=t(f"objective_{s.fact('objective', 'cost')}"))


def _agents(s: Stamp) -> str:
    if s.fact("source") == "demo":
        return t("stamp_agents_demo")
    return t("stamp_agents_upload", name=s.fact("file_name", "?"))


def _risk_settings(s: Stamp) -> str:
    return t("stamp_risk_settings", days=s.fact("days_out_of_10"), samples=fmt.number(s.fact("samples")))


def _replay_settings(s: Stamp) -> str:
    cut = s.fact("cut")
    return t("stamp_replay_settings", cut=fmt.day(cut, style="iso") if cut else "–", weeks=s.fact("weeks"))


_DESCRIBERS = {
    "history": _history, "forecast": _forecast, "targets": _targets, "whatifs": _whatifs, "rules": _rules,
    "schedule_settings": _schedule_settings, "schedule": _schedule, "agents": _agents,
    "risk_settings": _risk_settings, "replay_settings": _replay_settings,
    "requirement": lambda s: t("stamp_requirement"),
    "roster_settings": lambda s: t("stamp_roster_settings"),
}


def change_lines(changes: list[Change]) -> list[str]:
    """One line per changed input: ``What-ifs: was none, now handle time +10 %``."""
    return [t("change_line", what=t(f"input_{c.name}"), was=describe_stamp(c.was), now=describe_stamp(c.now))
            for c in changes]


def show_changes(headline: str, changes: list[Change]) -> None:
    """A warning: the headline, then what changed since the result was computed."""
    st.warning(headline + "\n\n" + "\n".join(f"- {line}" for line in change_lines(changes)))


def model_label(name: str) -> str:
    """A forecasting model's name for people (``weekly_mean`` -> ``Mean of recent weeks``)."""
    key = f"model_{name}"
    return t(key) if key in TEXT else name


def status_text(status) -> str:
    """A solver status in the planner's words (``Feasible`` -> ``Good plan, not proven best``)."""
    return t(f"status_{str(status).lower().replace(' ', '_')}")


def show_status(result, what: str) -> None:
    """A solve's status line: green when proven optimal, amber otherwise (feasible is not optimal);
    the solver's details (status, why it stopped, gap, time) folded into an expander, with the solver's
    own log line (in English, as the solver writes it) at the bottom."""
    status = str(result.status)
    line = t("status_line", what=what, status=status_text(status))
    (st.success if status == "Optimal" else st.warning)(line)
    with st.expander(t("solver_details")):
        gap = getattr(result, "gap", None)
        reason = getattr(result, "stop_reason", None)
        if reason is None:
            reason = "time_limit" if getattr(result, "hit_time_limit", False) else None
        seconds = getattr(result, "elapsed_seconds", None) or getattr(result, "solve_seconds", None)
        rows = {t("status"): status_text(status),
                t("stop_reason"): t(f"stop_{reason}") if reason and f"stop_{reason}" in TEXT else "–",
                t("gap"): "–" if gap is None else fmt.percent(gap, 2),
                t("elapsed"): "–" if seconds is None else f"{fmt.number(seconds, 1)} s",
                t("solver"): str(getattr(result, "solver", "–"))}
        st.table(pd.DataFrame({t("what"): list(rows), t("value"): list(rows.values())}).set_index(t("what")))
        st.caption(t("solver_log"))
        st.code(result.message, language=None, wrap_lines=True)
