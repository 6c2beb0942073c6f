"""Streamlit glue around the session object: cached library calls, the current inputs, background runs.

Pages ask here for the history, forecast and requirement *now* (each a :class:`Computed` with its
stamp), start long work in the background, and show stale results with what changed. Every cached
function is keyed by the stamps of its inputs (the frames themselves are passed as ``_``-arguments
that Streamlit does not hash), so a page visit with unchanged inputs costs a dictionary look-up.
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.i18n import t
from app_pages.session import (
    Computed, RulesChoice, RunEntry, Session, Stamp, changed_inputs, digest, fresh_key, get_session,
)
from wfm.ground.errors import WfmInputError

LOG = logging.getLogger("wfm.app")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_HISTORY = REPO_ROOT / "data" / "demo_history.csv.gz"
DEMO_RULES = REPO_ROOT / "data" / "demo_rules.yaml"
DEMO_AGENTS = REPO_ROOT / "data" / "demo_agents.csv"
DEMO_UNAVAILABILITY = REPO_ROOT / "data" / "demo_agent_unavailability.csv"

DEMO_HISTORY_STAMP = Stamp("history:demo", "history", (("source", "demo"),))
CACHE_ENTRIES = 8  # per cached function: bounds memory whatever the planner tries


# --------------------------------------------------------------------------- errors
def show_error(exc: BaseException) -> None:
    """A plain message for a failed step: the input error's own text(s), or a generic sentence (details
    go to the server log, never a traceback to the planner)."""
    if isinstance(exc, WfmInputError):
        for message in exc.errors:
            st.error(message)
        return
    LOG.exception("unexpected error in a page step", exc_info=exc)
    st.error(t("unexpected_error", what=type(exc).__name__))


# --------------------------------------------------------------------------- history
@st.cache_data(show_spinner=False, max_entries=1)
def load_demo_history() -> pd.DataFrame:
    """The bundled demo history, validated by the same importer as any upload."""
    from wfm.io.history import read_history

    return read_history(DEMO_HISTORY)


def history_stamp(session: Session) -> Stamp | None:
    """The stamp of the history the pages work on; None when an upload was chosen but not accepted."""
    if session.source == "demo":
        return DEMO_HISTORY_STAMP
    return session.uploaded.stamp if session.uploaded is not None else None


def current_history(session: Session) -> tuple[pd.DataFrame, Stamp] | None:
    if session.source == "demo":
        return load_demo_history(), DEMO_HISTORY_STAMP
    if session.uploaded is None:
        return None
    return session.uploaded.value, session.uploaded.stamp


def require_history(session: Session) -> tuple[pd.DataFrame, Stamp]:
    """The history, or a message saying why there is none (refused or missing upload) and a stop:
    another page never silently falls back to the demo."""
    now = current_history(session)
    if now is not None:
        return now
    if session.upload.status == "refused":
        st.error(t("upload_refused_elsewhere", name=session.upload.file_name, n=len(session.upload.errors)))
    else:
        st.warning(t("upload_missing_elsewhere"))
    st.page_link("app_pages/data.py", label=t("go_to_data"), icon=":material/table_chart:")
    st.stop()


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def history_views(history_key: str, _history: pd.DataFrame):
    """Summary (gaps, opening hours), per-queue overview and calls per day of one history."""
    from forecasting.history import summarise_history
    from forecasting.views import daily_calls, queue_overview

    return summarise_history(_history), queue_overview(_history), daily_calls(_history)


@st.cache_data(show_spinner=False, max_entries=4 * CACHE_ENTRIES)
def history_week(history_key: str, queue: str | None, _history: pd.DataFrame) -> pd.DataFrame:
    from forecasting.views import average_week

    return average_week(_history, queue)


# --------------------------------------------------------------------------- forecast
QUICK_MODELS = ("weekly_mean", "seasonal_naive")  # the mean of 4 weeks; for a shorter history, last week's


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def _quick_forecast(history_key: str, _history: pd.DataFrame) -> tuple[pd.DataFrame, str, int]:
    """7 days at 15 minutes (or the history's interval if coarser) with the first of :data:`QUICK_MODELS`
    the history is long enough for."""
    from forecasting.models.base import InsufficientHistoryError
    from forecasting.pipeline import ForecastSettings, forecast

    minutes = max(15, int(_history.attrs.get("interval_minutes", 15)))
    for model in QUICK_MODELS:
        try:
            return forecast(_history, ForecastSettings(7, minutes, model=model), n_jobs=1).forecast, model, minutes
        except InsufficientHistoryError:
            if model == QUICK_MODELS[-1]:
                raise
    raise AssertionError("unreachable")


def forecast_inputs(session: Session) -> dict[str, Stamp | None]:
    return {"history": history_stamp(session)}


def current_forecast(session: Session) -> tuple[Computed | None, list]:
    """The forecast the pages use now and, when the Forecast page's run is stale, what changed.

    Returns ``(Computed[DataFrame], [])`` for a current run forecast, or for the quick default one
    (weekly mean, 7 days, 15 minutes) when none was run; ``(None, changes)`` when the run forecast was
    computed from another history than the current one.
    """
    now = current_history(session)
    if now is None:
        return None, []
    history, h_stamp = now
    if session.forecast is not None:
        changes = changed_inputs(session.forecast, {"history": h_stamp})
        if changes:
            return None, changes
        result = session.forecast
        return Computed(result.value.forecast, result.stamp, result.inputs, result.computed_at), []
    with st.spinner(t("quick_forecast_running")):
        frame, model, minutes = _quick_forecast(h_stamp.key, history)
    stamp = Stamp(f"forecast:quick:{h_stamp.key}", "forecast",
                  (("quick", True), ("model", model), ("horizon_days", 7), ("interval_minutes", minutes)))
    return Computed(frame, stamp, {"history": h_stamp}), []


def require_forecast(session: Session) -> Computed:
    """The current forecast, or the stale notice with what changed and a stop."""
    require_history(session)
    try:
        fc, changes = current_forecast(session)
    except WfmInputError as exc:
        st.error(t("quick_forecast_failed"))
        show_error(exc)
        st.page_link("app_pages/forecast.py", label=t("go_to_forecast"), icon=":material/trending_up:")
        st.stop()
    if fc is not None:
        if fc.stamp.fact("quick"):
            from app_pages.describe import describe_stamp

            st.caption(t("quick_forecast_note", what=describe_stamp(fc.stamp)))
        return fc
    from app_pages.describe import show_changes

    show_changes(t("forecast_is_stale"), changes)
    st.page_link("app_pages/forecast.py", label=t("go_to_forecast"), icon=":material/trending_up:")
    st.stop()


# --------------------------------------------------------------------------- requirement
@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def _requirement(forecast_key: str, targets_key: str, whatifs_key: str, _forecast, _targets, _whatifs):
    from optimiser.staffing.compose import plan_requirement

    return plan_requirement(_forecast, _targets, _whatifs)


def requirement_inputs(session: Session, forecast: Computed) -> dict[str, Stamp]:
    return {"forecast": forecast.stamp, "targets": session.targets_stamp(), "whatifs": session.whatifs_stamp()}


def current_requirement(session: Session, forecast: Computed) -> Computed:
    """The requirement for the current forecast, targets and what-ifs (cached by their stamps).

    With a call-back offer (tens of seconds over a week) it is worked out in the background with progress
    and a stop button, the page stopping there until it is ready; otherwise at once. Raises WfmInputError
    for targets the library refuses.
    """
    inputs = requirement_inputs(session, forecast)
    stamp = Stamp(f"requirement:{digest(*(s.key for s in inputs.values()))}", "requirement")
    follow_run(session, "requirement", _requirement_progress)
    known = session.recall("requirement", inputs)
    if known is not None:
        session.requirement = known
        return known
    targets, whatifs = session.targets, session.whatifs
    if whatifs.callback_acceptance > 0:
        if "requirement" in session.paused:
            st.info(t("requirement_paused"))
            st.stop()
        from optimiser.staffing.compose import plan_requirement

        frame = forecast.value
        start_run(session, "requirement", lambda on_progress, should_stop: plan_requirement(frame, targets, whatifs),
                  inputs, "requirement", info={"abandon_on_stop": True, "stamp": stamp})
        follow_run(session, "requirement", _requirement_progress)
        st.stop()  # not reached: the run is in flight, follow_run stopped the page
    with st.spinner(t("computing_requirement")):
        value = _requirement(inputs["forecast"].key, inputs["targets"].key, inputs["whatifs"].key,
                             forecast.value, targets, whatifs)
    result = Computed(value, stamp, inputs)
    session.remember("requirement", result)
    return result


def _requirement_progress(entry) -> None:
    run = entry.run
    st.progress(min(run.elapsed_seconds() / 90.0, 0.99),
                text=t("computing_requirement_callbacks", seconds=f"{run.elapsed_seconds():.0f}"))
    if st.button(t("stop"), key="req_stop", disabled=run.stop_requested):
        run.stop()


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def scenario_forecast(forecast_key: str, whatifs_key: str, _forecast, _whatifs) -> pd.DataFrame:
    """The forecast as the what-ifs see it (handle time and e-service share applied)."""
    from optimiser.staffing.compose import apply_whatifs

    return apply_whatifs(_forecast, _whatifs)


# --------------------------------------------------------------------------- rules
@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def parse_rules_text(text: str, quick_plan: bool):
    """The scheduling rules from the editor's YAML (coarsened for a quick plan)."""
    from wfm.io.rules import coarsen_rules_text, rules_from_text

    name = t("rules_editor_source")
    if quick_plan:
        try:
            text = coarsen_rules_text(text)
        except (WfmInputError, KeyError, TypeError, AttributeError, IndexError, ValueError):
            pass  # not a well-formed rules file: parse it as written, which names the fault
    return rules_from_text(text, name=name)


@st.cache_data(show_spinner=False, max_entries=1)
def demo_rules_text() -> str:
    return DEMO_RULES.read_text(encoding="utf-8")


def rules_or_default(session: Session) -> RulesChoice:
    """The rules the planner chose on the Schedule page, the demo's until they edit them."""
    if not session.rules.text:
        session.rules = RulesChoice(text=demo_rules_text(), quick_plan=session.rules.quick_plan, source="demo")
    return session.rules


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def roster_ruleset(rules_text: str):
    """The working-time rule set the rules file names (its ``roster:`` section over the packaged base)."""
    from wfm.io.rules import load_ruleset

    return load_ruleset(io.StringIO(rules_text))


# --------------------------------------------------------------------------- background runs
def start_run(session: Session, name: str, target, inputs: dict[str, Stamp], kind: str, facts=(),
              info: dict | None = None) -> RunEntry:
    """Start ``target(on_progress, should_stop)`` in a thread as run ``name``; its result becomes
    ``session.<name>`` as a :class:`Computed` recording ``inputs`` (the inputs as they were at the start).
    ``info`` is a dict the target may update with progress for the page to show."""
    from wfm.ground.background import BackgroundRun

    entry = RunEntry(BackgroundRun(target), inputs, kind, tuple(facts), info if info is not None else {})
    session.runs[name] = entry
    entry.run.start()
    return entry


def run_busy(session: Session, name: str) -> bool:
    entry = session.runs.get(name)
    return entry is not None and not entry.run.done


def follow_run(session: Session, name: str, render_progress) -> None:
    """While run ``name`` works, redraw ``render_progress(entry)`` every second and stop the page there
    (it never freezes); once done, keep its result in ``session.<name>`` (or show its error; a run the
    planner stopped without a result says so)."""
    entry = session.runs.get(name)
    if entry is None:
        return
    run = entry.run
    if run.stop_requested and not run.done and entry.info.get("abandon_on_stop"):
        # A library call without a stop hook: let the thread finish unseen and drop its result.
        del session.runs[name]
        session.paused.add(name)
        st.info(t("run_stopped"))
        return
    if not run.done:

        @st.fragment(run_every=1.0)
        def panel() -> None:
            if run.done or (run.stop_requested and entry.info.get("abandon_on_stop")):
                st.rerun()  # redraw the whole page with the result
            render_progress(entry)

        panel()
        st.stop()
    del session.runs[name]
    if run.error is not None:
        if run.stop_requested:
            st.info(t("run_stopped"))
        else:
            show_error(run.error)
        return
    stamp = entry.info.get("stamp") or Stamp(fresh_key(entry.kind), entry.kind, entry.facts)
    session.remember(name, Computed(run.result, stamp, entry.inputs))


# --------------------------------------------------------------------------- plan store
@st.cache_resource
def _plan_store(url: str | None):
    from optimiser.store.repository import PlanStore

    return PlanStore(url)


def plan_store_or_none():
    """The shared plan store (``$WFM_DATABASE_URL`` or the default SQLite file), or None if unreachable."""
    try:
        return _plan_store(os.environ.get("WFM_DATABASE_URL"))
    except Exception as exc:  # noqa: BLE001 -- a broken database must not take the planning pages down
        LOG.exception("plan store unavailable", exc_info=exc)
        st.warning(t("store_unavailable", error=str(exc)))
        return None


def latest_version(store, name: str) -> int:
    """Latest saved version of scenario ``name`` (0 if it does not exist yet)."""
    listing = store.list()
    row = listing[listing["name"] == name]
    return int(row["latest_version"].iloc[0]) if len(row) else 0


def save_scenario_form(kind: str, frame: pd.DataFrame, default_name: str, *, meta: dict | None = None) -> None:
    """A small form that saves ``frame`` as a new version of a named scenario.

    The version the planner saw when the form was drawn is the expected version, so a save that
    another planner beat in the meantime is refused with the store's conflict error.
    """
    store = plan_store_or_none()
    if store is None:
        return
    with st.form(f"save_{kind}"):
        name = st.text_input(t("scenario_name"), value=default_name, key=f"save_{kind}_name")
        seen = st.session_state.setdefault(f"save_{kind}_seen", {})
        if name not in seen:
            seen[name] = latest_version(store, name)
        st.caption(t("based_on_version", version=seen[name]))
        if st.form_submit_button(t("save_scenario")):
            try:
                saved = store.save(name, kind, frame, expected_version=seen[name], meta=meta)
            except WfmInputError as exc:
                show_error(exc)
            else:
                seen[name] = saved.version
                st.success(t("saved_as", name=name, version=saved.version))


# --------------------------------------------------------------------------- sign-in
def auth_enabled() -> bool:
    """True when sign-in is configured: an ``[auth]`` section in ``.streamlit/secrets.toml``."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 -- no secrets file at all
        return False


def can_see_names() -> bool:
    """Rosters with names are shown only to signed-in users when sign-in is configured."""
    if not auth_enabled():
        return True
    return bool(getattr(st.user, "is_logged_in", False))


def session() -> Session:
    """The planner's session object (see :mod:`app_pages.session`)."""
    return get_session()
