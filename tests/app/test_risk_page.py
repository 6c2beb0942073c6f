"""AppTest of the Risk page: the probability shown is the library's."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from optimiser.analysis.risk import assess_schedule
from optimiser.scheduling.problem import build_problem
from wfm.io.rules import load_rules
from optimiser.scheduling.solve import solve
from optimiser.staffing.requirement import AccessibilityTargets

REPO = Path(__file__).resolve().parents[2]


def test_risk_page_matches_assess_schedule(tmp_path, compact_rules_text):
    idx = pd.date_range("2026-01-05", periods=96, freq="15min", tz="Europe/Stockholm")
    fc = pd.DataFrame({"interval_start": idx, "queue": "reports", "calls_offered": 20.0,
                       "calls_offered_p10": 15.0, "calls_offered_p90": 26.0, "calls_offered_p025": 12.0,
                       "calls_offered_p975": 30.0, "aht_seconds": 300.0, "model": "test"})
    req = fc.assign(agents_required=10)[["interval_start", "queue", "agents_required", "calls_offered", "aht_seconds"]]
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(compact_rules_text, encoding="utf-8")
    rules = load_rules(rules_file)
    schedule = solve(build_problem(req, rules, solver=replace(rules.solver, time_limit_seconds=20)))
    targets = AccessibilityTargets(answer_within_seconds=180.0, target_service_level=0.8, shrinkage=0.0)

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.session_state["schedule_result"] = schedule
    at.session_state["targets"] = targets
    at.session_state["forecast_result"] = type("R", (), {"forecast": fc, "backtest": None, "selection": None})()
    at.run()
    at.switch_page("app_pages/risk.py").run()
    assert not at.exception, at.exception
    expected = assess_schedule(fc, schedule.shifts, targets, confidence=0.9, n_samples=200)
    shown = {m.label: m.value for m in at.metric}
    assert shown["Chance a day meets the target (mean)"] == f"{expected.risk.p_meet_all_days:.0%}"
    assert shown["Agent-hours for that confidence"] == f"{expected.plan.agent_hours:,.0f}"
