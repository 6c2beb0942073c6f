"""The manager's answer on the Accessibility page: operators in, accessibility out (an instant estimate per
day and for the week), the reverse question, and the exact plan on request in the background.

Rendering and cached library calls only: the estimate is :mod:`optimiser.scheduling.estimate` (on the
requirement with the what-ifs and the rules in use), the exact plan the Schedule page's solve (:func:`app_pages.schedule_parts.start_schedule`) at the ``max-sl``
objective; the headcount is the session's one (``ScheduleSettings.headcount``, the Schedule page's too).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from app_pages import fmt
from app_pages.describe import show_changes, status_text
from app_pages.i18n import t
from app_pages.schedule_parts import schedule_inputs, start_schedule
from app_pages.session import Computed, Session, changed_inputs
from app_pages.state import CACHE_ENTRIES, follow_run, parse_rules_text, rules_or_default, run_busy, show_error
from wfm.ground.errors import WfmInputError


def operators_listed(rules) -> int:
    return int(rules.headcount_total or sum(h.agents for h in rules.headcount))


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def _problem_and_curves(key: str, _requirement: pd.DataFrame, _rules):
    """The best-accessibility problem of the current requirement and rules, and its service curves (once per
    requirement and rules; each estimate then takes a fraction of a second)."""
    from optimiser.scheduling.curves import service_curves
    from optimiser.scheduling.problem import build_problem

    problem = build_problem(_requirement, _rules, objective="max-sl", headcount_total=operators_listed(_rules))
    return problem, service_curves(problem)


@st.cache_data(show_spinner=False, max_entries=4 * CACHE_ENTRIES)
def _estimate(key: str, headcount: int, _problem, _curves):
    from optimiser.scheduling.estimate import estimate_at_headcount

    return estimate_at_headcount(_problem, headcount, _curves)


@st.cache_data(show_spinner=False, max_entries=4 * CACHE_ENTRIES)
def _needed(key: str, target: float, _problem, _curves):
    from optimiser.scheduling.estimate import headcount_for_service_level

    return headcount_for_service_level(_problem, target, _curves)


def _wait(seconds: float) -> str:
    return t("wait_unbounded_short") if not pd.notna(seconds) or seconds == float("inf") else \
        t("seconds_value", seconds=fmt.number(seconds))


def _daily_table(estimate, exact: pd.DataFrame | None) -> pd.DataFrame:
    days = estimate.daily[["date", "calls_offered", "service_level", "abandon_rate", "asa_seconds"]].copy()
    kinds = {"calls_offered": ("number", 0), "asa_seconds": ("number", 0)}
    if exact is not None:
        ex = exact[exact["queue"] == "all"][["date", "service_level", "abandon_rate", "asa_seconds"]]
        ex = ex.rename(columns={c: f"exact_{c}" for c in ("service_level", "abandon_rate", "asa_seconds")})
        days = days.assign(date=pd.to_datetime(days["date"]).dt.date).merge(
            ex.assign(date=pd.to_datetime(ex["date"]).dt.date), on="date", how="left")
        kinds["exact_asa_seconds"] = ("number", 0)
    return fmt.table(days, kinds=kinds)


def _exact_progress(s: Session) -> None:
    """The exact plan's progress without stopping the page (the rest of the page stays usable)."""
    entry = s.runs.get("schedule")
    if entry is None:
        return
    if entry.run.done:
        follow_run(s, "schedule", lambda _: None)  # keeps the result as the session's schedule
        return

    @st.fragment(run_every=1.0)
    def panel() -> None:
        if entry.run.done:
            st.rerun()
        limit = float(entry.info.get("time_limit_seconds", 60))
        st.progress(min(entry.run.elapsed_seconds() / limit, 1.0),
                    text=t("exact_running", seconds=fmt.number(entry.run.elapsed_seconds()),
                           limit=fmt.number(limit)))
        if st.button(t("stop_keep_best"), key="mg_stop", disabled=entry.run.stop_requested):
            entry.run.stop()

    panel()


def _exact_for(s: Session, fc: Computed, headcount: int):
    """The session's schedule when it is the exact plan for this headcount and the current inputs."""
    if s.schedule is None:
        return None
    built = s.schedule.value
    if built.settings.objective != "max-sl" or built.settings.headcount != headcount:
        return None
    changes = changed_inputs(s.schedule, schedule_inputs(s, fc))
    if changes:
        show_changes(t("exact_stale"), changes)
    return built.result


def manager_section(s: Session, fc: Computed, requirement: pd.DataFrame) -> None:
    """Operators in; share within the target time, hang-ups and waits per day and week out (estimate at once,
    the exact plan on request); and how many operators the target needs."""
    st.subheader(t("manager_title"))
    try:
        rules = parse_rules_text(rules_or_default(s).text, rules_or_default(s).quick_plan)
    except WfmInputError as exc:
        show_error(exc)
        return
    tg = s.targets
    within = fmt.duration_seconds(tg.answer_within_seconds or 180)
    ss = s.schedule_settings
    c1, c2 = st.columns([1, 3])
    headcount = int(c1.number_input(t("manager_headcount"), 0, 20000, int(ss.headcount), step=10,
                                    key="mg_headcount", help=t("manager_headcount_help",
                                                               n=fmt.number(operators_listed(rules)))))
    if headcount != ss.headcount:
        s.schedule_settings = ss = replace(ss, headcount=headcount)
    key = f"{fc.stamp.key}|{s.whatifs_stamp().key}|{s.targets_stamp().key}|{s.rules.stamp.key}"
    try:
        with st.spinner(t("computing")):
            problem, curves = _problem_and_curves(key, requirement, rules)
            est = _estimate(key, headcount, problem, curves)
    except WfmInputError as exc:
        show_error(exc)
        return
    c2.caption(t("manager_hours", hours=fmt.number(est.paid_hours / max(headcount, 1) * 7 / problem.n_days, 1),
                 shrinkage=fmt.percent(tg.shrinkage), share=fmt.percent(est.coverage_efficiency)))
    m1, m2, m3 = st.columns(3)
    m1.metric(t("est_share", within=within), fmt.percent(est.service_level, 1))
    m2.metric(t("est_abandon"), fmt.percent(est.abandon_rate, 1))
    m3.metric(t("est_wait"), _wait(est.asa_seconds))
    st.info(t("est_sentence", n=fmt.number(headcount), share=fmt.percent(est.service_level), within=within,
              abandon=fmt.percent(est.abandon_rate, 1), wait=_wait(est.asa_seconds),
              days=fmt.number(len(est.daily))))
    st.caption(t("est_label", seconds=fmt.number(est.seconds, 2)))
    if tg.target_service_level is not None:
        target = fmt.percent(tg.target_service_level)
        asked = st.session_state.get("mg_reverse_key") == key
        if st.button(t("reverse_button", target=target, within=within), key="mg_reverse") or asked:
            st.session_state["mg_reverse_key"] = key
            with st.spinner(t("computing")):
                need = _needed(key, float(tg.target_service_level), problem, curves)
            st.write(t("reverse_sentence", target=target, within=within, n=fmt.number(need)) if need is not None
                     else t("reverse_none", target=target, within=within, n=fmt.number(operators_listed(rules))))

    _exact_progress(s)
    exact = _exact_for(s, fc, headcount)
    if exact is not None and exact.has_solution:
        day_all = exact.daily[exact.daily["queue"] == "all"]
        calls = float(day_all["calls_offered"].sum()) or 1.0
        share = exact.global_service_level if exact.global_service_level is not None else \
            float((day_all["service_level"] * day_all["calls_offered"]).sum() / calls)
        abandon = float((day_all["abandon_rate"] * day_all["calls_offered"]).sum() / calls)
        wait = float((day_all["asa_seconds"] * day_all["calls_offered"]).sum() / calls)
        st.success(t("exact_result", status=status_text(str(exact.status)), share=fmt.percent(share, 1),
                     within=within, abandon=fmt.percent(abandon, 1), wait=_wait(wait)))
    elif exact is not None:
        st.warning(t("exact_no_plan", status=status_text(str(exact.status))))
    st.markdown(f"**{t('est_daily')}**")
    st.dataframe(_daily_table(est, exact.daily if exact is not None and exact.has_solution else None),
                 hide_index=True, width="stretch")
    if st.button(t("exact_run"), key="mg_exact", disabled=run_busy(s, "schedule"), help=t("exact_help")):
        s.schedule_settings = replace(ss, objective="max-sl", headcount=headcount)
        try:
            start_schedule(s, fc, requirement, rules)
        except WfmInputError as exc:
            show_error(exc)
            return
        st.rerun()
