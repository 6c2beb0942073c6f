"""Fixtures that start the real app: a Streamlit server on a free localhost port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_server():
    """Start ``streamlit run app.py`` as ``make run`` does, on a free port; yield its URL."""
    port = _free_port()
    streamlit = Path(sys.executable).with_name("streamlit")
    cmd = [
        str(streamlit), "run", "app.py",
        "--server.address=localhost", f"--server.port={port}",
        "--server.headless=true", "--browser.gatherUsageStats=false",
    ]
    log = open(REPO / ".pytest_streamlit.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}; see .pytest_streamlit.log")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not become healthy within 90 s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium (Debian's package) driven by Playwright."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run must install it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture(scope="session")
def compact_rules_text() -> str:
    """The demo rules with hourly start times and three shift lengths: same rule families, a small model."""
    import yaml

    from wfm.io.rules import coarsen_rules_text

    rules = yaml.safe_load(coarsen_rules_text((REPO / "data" / "demo_rules.yaml").read_text(encoding="utf-8")))
    rules["solver"]["time_limit_seconds"] = 60
    return yaml.safe_dump(rules, sort_keys=False)


# --- the session object, filled the way the pages fill it ----------------------------------------------

def page_ok(at) -> None:
    """The page ran: no exception, and not the app's plain "page failed" message either."""
    from app_pages.i18n import TEXT

    assert not at.exception, at.exception
    failed = {TEXT["page_failed"]["en"], TEXT["page_failed"]["sv"]}
    assert not [e.value for e in at.error if e.value in failed], "the page failed; see the log"


def small_forecast(days: int = 2, queue: str = "reports", start: str = "2026-01-05"):
    """A forecast frame of one queue at 15 minutes: 16 calls an interval by day, 4 at night, 5-minute calls."""
    import numpy as np
    import pandas as pd

    idx = pd.date_range(start, periods=days * 96, freq="15min", tz="Europe/Stockholm")
    calls = np.where((idx.hour >= 8) & (idx.hour < 18), 16.0, 4.0)
    return pd.DataFrame({"interval_start": idx, "queue": queue, "calls_offered": calls,
                         "calls_offered_p10": calls * 0.8, "calls_offered_p90": calls * 1.25,
                         "calls_offered_p025": calls * 0.65, "calls_offered_p975": calls * 1.45,
                         "aht_seconds": 300.0, "model": "weekly_mean"})


def session_with_forecast(fc):
    """A session whose Forecast page has run ``fc`` on the demo history (so the other pages use it)."""
    from app_pages.session import Computed, Session, Stamp
    from app_pages.state import DEMO_HISTORY_STAMP
    from forecasting.pipeline import ForecastResult

    s = Session()
    days = fc["interval_start"].dt.date.nunique()
    # the stamp names the forecast's content: the app's caches are keyed by stamps, and tests in one
    # process build different forecasts (a shared key would hand one test another test's scenario)
    content = int(pd.util.hash_pandas_object(fc, index=False).sum()) & 0xFFFFFFFFFFFF
    s.forecast = Computed(ForecastResult(fc, None, None),
                          Stamp(f"forecast:test:{content:x}", "forecast", (("model", "weekly_mean"), ("horizon_days", days),
                                                              ("interval_minutes", 15), ("queues", ()))),
                          {"history": DEMO_HISTORY_STAMP})
    return s


def build_schedule(s, rules_text: str, time_limit_seconds: int = 60):
    """Solve the session's requirement under ``rules_text`` (as the Schedule page does, synchronously) and
    keep it as the session's schedule, recording the inputs the page records."""
    from dataclasses import replace

    from app_pages.schedule_parts import schedule_inputs
    from app_pages.session import BuiltSchedule, Computed, RulesChoice, ScheduleSettings, Stamp
    from optimiser.scheduling.problem import build_problem
    from optimiser.scheduling.solve import solve
    from optimiser.staffing.compose import plan_requirement
    from wfm.io.rules import rules_from_text

    s.rules = RulesChoice(text=rules_text, quick_plan=False, source="edited")
    s.schedule_settings = ScheduleSettings(time_limit_seconds=time_limit_seconds)
    rules = rules_from_text(rules_text, name="test rules")
    fc = s.forecast.value.forecast
    requirement = plan_requirement(fc, s.targets, s.whatifs)[0]
    problem = build_problem(requirement, rules, solver=replace(rules.solver, time_limit_seconds=time_limit_seconds))
    result = solve(problem)
    days = fc["interval_start"].dt.date.nunique()
    fc_view = Computed(fc, s.forecast.stamp, s.forecast.inputs)  # the forecast as the pages see it
    s.schedule = Computed(BuiltSchedule(result, s.rules, problem.rules, s.schedule_settings, days),
                          Stamp("schedule:test", "schedule", (("horizon_days", days), ("objective", "cost"))),
                          schedule_inputs(s, fc_view))
    return s


def finish_run(at, s, name: str, timeout: float = 240) -> None:
    """Wait for the page's background run ``name`` (if it has not finished already) and redraw the page."""
    entry = s.runs.get(name)
    if entry is not None:
        assert entry.run.wait(timeout), f"{name} did not finish within {timeout} s"
    at.run()
    page_ok(at)
