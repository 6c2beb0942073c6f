"""Cached library calls and sentences for the Accessibility & staffing page (the what-ifs applied)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st

from app_pages import fmt
from app_pages.i18n import TEXT, t
from app_pages.session import Computed, Session
from app_pages.state import CACHE_ENTRIES


@st.cache_data(show_spinner=False, max_entries=4 * CACHE_ENTRIES)
def _curve(key: str, queue: str, day: dt.date, agents: tuple[int, ...], answer_within_seconds: float,
           patience_seconds: float | None, _scenario: pd.DataFrame) -> pd.DataFrame:
    from optimiser.staffing.accessibility import agents_curve

    return agents_curve(_scenario, queue, day, day + dt.timedelta(days=1), agents, answer_within_seconds,
                        patience_seconds)


def curve_for(s: Session, fc: Computed, scenario: pd.DataFrame, requirement: pd.DataFrame, queue: str,
              day: dt.date, next_day: dt.date) -> tuple[pd.DataFrame, int]:
    """The day's accessibility curve for ``queue`` on the what-if forecast, and the requirement's peak
    agents on the phone that day (the slider's starting point)."""
    from optimiser.staffing.accessibility import select_period

    day_req = select_period(requirement, queue, day, next_day)
    peak = int(max(day_req["agents_on_phone"].max(), 1))
    agents = tuple(range(max(peak // 3, 1), int(peak * 1.5) + 2))
    key = f"{fc.stamp.key}|{s.whatifs_stamp().key}"
    curve = _curve(key, queue, day, agents, float(s.targets.answer_within_seconds or 180.0),
                   s.targets.patience_seconds, scenario)
    return curve, peak


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def _pooling(key: str, targets_key: str, _scenario: pd.DataFrame, _targets):
    from optimiser.staffing.whatif import pooling

    result = pooling(_scenario, _targets)
    return result.summary, result.extra


def pooling_for(s: Session, fc: Computed, scenario: pd.DataFrame) -> dict:
    """Separate queues against one pool, both under the current what-ifs: a readable table and a sentence."""
    with st.spinner(t("computing")):
        summary, extra = _pooling(f"{fc.stamp.key}|{s.whatifs_stamp().key}", s.targets_stamp().key, scenario,
                                  s.targets)
    rows = summary.rename(index={"baseline": t("pool_separate"), "scenario": t("pool_one"),
                                 "difference": t("pool_difference")})
    table = fmt.table(rows, index=True, kinds={c: ("number", 0) for c in rows.columns})
    table = table.rename(columns={table.columns[0]: ""})
    hours = float(extra.get("agent_hours_saved", np.nan))
    peak = int(extra.get("agents_saved_peak", 0))
    key = "pooling_saves" if hours >= 0 else "pooling_costs"
    sentence = t(key, hours=fmt.number(abs(hours)),
                 peak=t("peak_fewer", n=fmt.number(abs(peak))) if peak > 0 else
                 t("peak_more", n=fmt.number(abs(peak))) if peak < 0 else t("peak_same"))
    return {"table": table, "sentence": sentence}


def accessibility_sentence(row, answer_within_seconds: float, day_text: str, queue: str) -> str:
    """``With 17 agents on the phone in every interval of Monday 5 January (reports), 78 % of calls ...``."""
    asa = row["asa_seconds"]
    wait = t("wait_unbounded") if not np.isfinite(asa) else t("wait_seconds", seconds=fmt.number(asa))
    return t("curve_sentence", n=fmt.number(row["agents"]), day=day_text, queue=queue,
             share=fmt.percent(row["service_level"]), within=fmt.duration_seconds(answer_within_seconds),
             abandon=fmt.percent(row["abandon_rate"], 1), wait=wait)


def binding_words(codes: pd.Series) -> pd.Series:
    """The requirement's ``binding_target`` codes in the planner's words."""
    return codes.map(lambda code: t(f"binding_{code}") if f"binding_{code}" in TEXT else str(code))


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} {t('and')} {parts[-1]}"


def why_this_many(requirement: pd.DataFrame, targets) -> list[str]:
    """Which target sets the number of agents, counted over the intervals with calls, and one interval where a
    cap (not the service level) asks for more agents than the service level would, with the figure that shows
    it (the cap's measure with one agent fewer)."""
    from optimiser.queueing.erlang import queue_metrics

    if "binding_target" not in requirement.columns:
        return []
    busy = requirement[requirement["binding_target"] != "none"]
    if busy.empty:
        return []
    counts = busy["binding_target"].value_counts()
    parts = [t("why_part", target=t(f"binding_{code}"), n=fmt.number(n)) for code, n in counts.items()]
    lines = [t("why_counts", total=fmt.number(len(busy)), parts=_join(parts))]
    caps = {"abandon_rate": targets.max_abandon_rate, "occupancy": targets.max_occupancy,
            "asa": targets.max_asa_seconds}
    capped = busy[busy["binding_target"].isin([c for c, v in caps.items() if v is not None])]
    if capped.empty or targets.target_service_level is None:
        return lines
    row = capped.loc[capped["service_level"].idxmax()]  # the clearest case: service level well above target
    code = row["binding_target"]
    fewer = queue_metrics(float(row["calls_offered"]), float(requirement.attrs.get("interval_minutes") or 15),
                          float(row["aht_seconds"]), max(int(row["agents_on_phone"]) - 1, 0),
                          float(targets.answer_within_seconds or 0.0), targets.patience_seconds).iloc[0]
    measure = {"abandon_rate": "abandon_rate", "occupancy": "occupancy", "asa": "asa_seconds"}[code]
    shown = (lambda v: fmt.duration_seconds(v)) if code == "asa" else (lambda v: fmt.percent(v, 1))
    lines.append(t("why_example", when=f"{fmt.day(row['interval_start'], style='short')} "
                                       f"{row['interval_start']:%H:%M}", queue=row["queue"],
                   n=fmt.number(row["agents_on_phone"]), share=fmt.percent(row["service_level"], 1),
                   within=fmt.duration_seconds(targets.answer_within_seconds),
                   target_sl=fmt.percent(targets.target_service_level), target=t(f"binding_{code}"),
                   measure=t(f"measure_{code}"), value=shown(float(fewer[measure])), cap=shown(caps[code])))
    return lines
