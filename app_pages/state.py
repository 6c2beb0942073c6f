"""Session state and cached loaders shared by the pages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from wfm.io.history import read_history

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_HISTORY = REPO_ROOT / "data" / "demo_history.csv.gz"
DEMO_RULES = REPO_ROOT / "data" / "demo_rules.yaml"
DEMO_AGENTS = REPO_ROOT / "data" / "demo_agents.csv"
DEMO_UNAVAILABILITY = REPO_ROOT / "data" / "demo_agent_unavailability.csv"


@st.cache_data(show_spinner="Loading the demo history…")
def load_demo_history() -> pd.DataFrame:
    """The bundled demo history, validated by the same importer as any upload."""
    return read_history(DEMO_HISTORY)


def current_history() -> pd.DataFrame:
    """The history the planner works on: an accepted upload, else the demo."""
    uploaded = st.session_state.get("uploaded_history")
    if uploaded is not None:
        return uploaded
    return load_demo_history()


@st.cache_resource
def _plan_store(url: str | None):
    from optimiser.store.repository import PlanStore

    return PlanStore(url)


def plan_store_or_none():
    """The shared plan store (``$WFM_DATABASE_URL`` or the default SQLite file), or None if unreachable."""
    import os

    try:
        return _plan_store(os.environ.get("WFM_DATABASE_URL"))
    except Exception as exc:  # a broken database must not take the planning pages down
        st.warning(f"Plan store unavailable: {exc}")
        return None


def latest_version(store, name: str) -> int:
    """Latest saved version of scenario ``name`` (0 if it does not exist yet)."""
    listing = store.list()
    row = listing[listing["name"] == name]
    return int(row["latest_version"].iloc[0]) if len(row) else 0


def save_scenario_form(kind: str, frame: pd.DataFrame, default_name: str, *, meta: dict | None = None) -> None:
    """A small form that saves ``frame`` as a new version of a named scenario.

    The version the planner saw when the form was drawn is the expected version,
    so a save that another planner beat in the meantime is refused with the
    store's conflict error instead of silently overwriting.
    """
    from app_pages.i18n import t
    from wfm.ground.errors import WfmInputError

    store = plan_store_or_none()
    if store is None:
        return
    with st.form(f"save_{kind}"):
        name = st.text_input(t("scenario_name"), value=default_name, key=f"save_{kind}_name")
        seen_key = f"save_{kind}_seen"
        seen = st.session_state.setdefault(seen_key, {})
        if name not in seen:
            seen[name] = latest_version(store, name)
        st.caption(t("based_on_version", version=seen[name]))
        if st.form_submit_button(t("save_scenario")):
            try:
                saved = store.save(name, kind, frame, expected_version=seen[name], meta=meta)
            except WfmInputError as exc:
                st.error(str(exc))
            else:
                seen[name] = saved.version
                st.success(t("saved_as", name=name, version=saved.version))


@st.cache_data(show_spinner="Quick forecast (weekly mean, 7 days, 15 minutes)…")
def _quick_forecast(history: pd.DataFrame) -> pd.DataFrame:
    from forecasting.pipeline import ForecastSettings, forecast

    return forecast(history, ForecastSettings(7, 15, model="weekly_mean"), n_jobs=1).forecast


def current_forecast() -> pd.DataFrame:
    """The forecast run on the Forecast page, else a quick default one so later pages work at once."""
    result = st.session_state.get("forecast_result")
    if result is not None:
        return result.forecast
    return _quick_forecast(current_history())


def default_targets():
    """The demo's accessibility targets: 80 % within 3 minutes, at most 10 % hang up."""
    from optimiser.staffing.requirement import AccessibilityTargets

    return AccessibilityTargets(answer_within_seconds=180.0, target_service_level=0.8, max_abandon_rate=0.1,
                                max_occupancy=0.9, patience_seconds=300.0, shrinkage=0.3)


@st.cache_data(show_spinner="Requirement for the quick forecast…")
def _default_requirement(forecast_df: pd.DataFrame) -> pd.DataFrame:
    from optimiser.staffing.compose import plan_requirement

    return plan_requirement(forecast_df, default_targets())[0]


def current_requirement() -> pd.DataFrame:
    """The requirement from the Staffing page, else the default targets on the current forecast."""
    requirement = st.session_state.get("requirement")
    if requirement is not None:
        return requirement
    return _default_requirement(current_forecast())


def auth_enabled() -> bool:
    """True when sign-in is configured: an ``[auth]`` section in ``.streamlit/secrets.toml``.

    Streamlit's built-in OpenID Connect support (``st.login``) reads its provider
    settings from there; on a planner's own machine (localhost) there is none.
    """
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def can_see_names() -> bool:
    """Rosters with names are shown only to signed-in users when sign-in is configured."""
    if not auth_enabled():
        return True
    return bool(getattr(st.user, "is_logged_in", False))


def read_uploaded_agents(agents_file, unavailability_file=None):
    """Validate an uploaded agent list (and unavailability) with the same strict readers as the CLI.

    Uploads are written to a private temporary folder under their own file names,
    so error messages name the file the planner chose; nothing is executed or unpickled.
    """
    import tempfile
    from pathlib import Path as _Path

    from wfm.io.agents import read_agents, read_unavailability

    with tempfile.TemporaryDirectory() as tmp:
        a_path = _Path(tmp) / _Path(agents_file.name).name
        a_path.write_bytes(agents_file.getvalue())
        agents = read_agents(a_path)
        if unavailability_file is None:
            unavailability = pd.DataFrame({
                "agent_id": pd.Series(dtype="str"),
                "start": pd.Series(dtype="datetime64[ns, Europe/Stockholm]"),
                "end": pd.Series(dtype="datetime64[ns, Europe/Stockholm]"),
                "reason": pd.Series(dtype="str"),
            })
        else:
            u_path = _Path(tmp) / _Path(unavailability_file.name).name
            u_path.write_bytes(unavailability_file.getvalue())
            unavailability = read_unavailability(u_path, agents)
    return agents, unavailability


def show_status(result) -> None:
    """A solver result's status line: green when proven optimal, amber otherwise (feasible is not optimal)."""
    message = result.message
    if not message.lower().startswith(result.status.lower()):
        message = f"{result.status}: {message}"
    (st.success if result.status == "Optimal" else st.warning)(message)


def start_background(name: str, target) -> None:
    """Start ``target(on_progress, should_stop)`` in a thread as the page's run ``name``.

    The run is kept in ``st.session_state[f"{name}_run"]``; its result, once collected by
    :func:`follow_background`, in ``st.session_state[f"{name}_result"]``.
    """
    from wfm.ground.background import BackgroundRun

    st.session_state[f"{name}_run"] = BackgroundRun(target).start()
    st.session_state.pop(f"{name}_result", None)


def background_busy(name: str) -> bool:
    run = st.session_state.get(f"{name}_run")
    return run is not None and not run.done


def follow_background(name: str, render_progress) -> object | None:
    """Follow the run ``name``: while it works, redraw ``render_progress(run)`` every second and stop
    the page there (the page never freezes); once done, show its error and stop, or return its result.

    Returns None when no run was ever started.
    """
    from wfm.ground.errors import WfmInputError

    run = st.session_state.get(f"{name}_run")
    if run is not None and not run.done:

        @st.fragment(run_every=1.0)
        def panel() -> None:
            if run.done:
                st.rerun()  # redraw the whole page with the result
            render_progress(run)

        panel()
        st.stop()
    if run is not None and f"{name}_result" not in st.session_state:
        if run.error is not None:
            error = run.error
            st.error(str(error) if isinstance(error, WfmInputError) else f"{type(error).__name__}: {error}")
            st.stop()
        st.session_state[f"{name}_result"] = run.result
    return st.session_state.get(f"{name}_result")
