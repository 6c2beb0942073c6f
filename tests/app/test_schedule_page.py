"""AppTest of the Schedule page: a real background HiGHS solve, progress, and the library's numbers shown;
the rules the planner edits are the ones the schedule is built with, and a schedule whose inputs changed is
marked stale with what changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from app_pages.session import SESSION_KEY, WhatIfs
from optimiser.scheduling.views import coverage_by_interval, shift_timeline
from tests.app.conftest import finish_run, page_ok, session_with_forecast, small_forecast

REPO = Path(__file__).resolve().parents[2]


def small_requirement() -> pd.DataFrame:
    """Two days of one queue at 15 minutes: 2 agents at night, 6 by day."""
    idx = pd.date_range("2026-01-05", periods=2 * 96, freq="15min", tz="Europe/Stockholm")
    hour = idx.hour
    need = np.where((hour >= 8) & (hour < 18), 6, 2)
    return pd.DataFrame({"interval_start": idx, "queue": "reports", "agents_required": need,
                         "calls_offered": need * 4.0, "aht_seconds": 600.0})


def test_schedule_page_solves_in_the_background_and_shows_the_result(tmp_path, monkeypatch, compact_rules_text):
    monkeypatch.setenv("WFM_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    s = session_with_forecast(small_forecast())
    at.session_state[SESSION_KEY] = s
    at.run()
    at.switch_page("app_pages/schedule.py").run()
    page_ok(at)
    at.text_area(key="sc_rules_text").set_value(compact_rules_text).run()
    at.checkbox(key="sc_coarse").uncheck().run()
    at.number_input(key="sc_time_limit").set_value(60).run()
    assert s.rules.text == compact_rules_text and s.rules.source == "edited" and not s.rules.quick_plan
    at.button(key="sc_run").click().run()
    page_ok(at)
    finish_run(at, s, "schedule", 240)
    built = s.schedule.value
    result = built.result
    assert result.status in ("Optimal", "Feasible")
    # the schedule records what it was built with: the rules text and the settings
    assert built.rules.text == compact_rules_text and built.settings.time_limit_seconds == 60
    shown = {m.label: m.value for m in at.metric}
    assert shown["Agent-hours"] == f"{result.agent_hours:,.0f}"
    assert shown["Shifts"] == f"{int(result.shifts['count'].sum()):,}"
    assert not at.warning or all("built from other inputs" not in w.value for w in at.warning)
    # Coverage never falls below the requirement when the plan has no shortfall.
    cov = coverage_by_interval(result)
    if not result.shortfalls:
        assert (cov["agents_allocated"] >= cov["agents_required"] - 1e-6).all()
    assert len(shift_timeline(result.shifts, limit=5)) <= 5

    # A what-if changed on the Staffing page afterwards: the schedule is still shown, marked stale, saying what.
    s.whatifs = WhatIfs(aht_change_pct=10.0)
    at.run()
    page_ok(at)
    stale = [w.value for w in at.warning if "built from other inputs" in w.value]
    assert stale and "What-ifs: was none, now handle time +10 %" in stale[0]


def test_best_accessibility_at_a_headcount_with_the_page_defaults_returns_a_plan(tmp_path, monkeypatch):
    # issue 18: the manager's question with every default (demo requirement, demo rules on the hourly grid,
    # 500 operators, 120 s) gave "no plan" and then a KeyError traceback; it must return a plan
    monkeypatch.setenv("WFM_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("app_pages/schedule.py").run()
    page_ok(at)
    s = at.session_state[SESSION_KEY]
    at.selectbox(key="sc_objective").set_value("max-sl").run()
    assert at.number_input(key="sc_headcount").value == 500 and at.number_input(key="sc_time_limit").value == 120
    at.button(key="sc_run").click().run()
    page_ok(at)
    finish_run(at, s, "schedule", 300)
    result = s.schedule.value.result
    assert result.objective_kind == "max-sl"
    if not result.has_solution:
        # only on a machine so loaded that the LP does not finish in 120 s (seen at load 16 on 2 cores): the page
        # says so in its status line and draws nothing -- never a traceback
        assert result.status == "No solution" and "no plan found after" in result.message
        assert at.warning and not at.metric and any("no plan found after" in c.value for c in at.code)
        return
    assert result.status == "Feasible"
    assert 0 < result.tours["agents"].sum() <= 500 and result.global_service_level > 0.5
    assert "sit on their floor" in result.message
    shown = {m.label: m.value for m in at.metric}
    assert shown["Predicted service level"] == f"{100 * result.global_service_level:.1f}\u00a0%"
