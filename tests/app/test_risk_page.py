"""AppTest of the Risk page: the probability shown is the library's, for the forecast the schedule was built
for with the what-ifs applied; a schedule built for another forecast is refused, not paired with it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from app_pages.session import SESSION_KEY, Computed, Stamp
from optimiser.analysis.risk import assess_schedule
from optimiser.staffing.requirement import AccessibilityTargets
from tests.app.conftest import finish_run, build_schedule, page_ok, session_with_forecast, small_forecast

REPO = Path(__file__).resolve().parents[2]


def test_risk_page_matches_assess_schedule_and_keeps_its_result(tmp_path, monkeypatch, compact_rules_text):
    monkeypatch.setenv("WFM_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    fc = small_forecast(days=1)
    s = session_with_forecast(fc)
    s.targets = AccessibilityTargets(answer_within_seconds=180.0, target_service_level=0.8, shrinkage=0.0)
    build_schedule(s, compact_rules_text)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.session_state[SESSION_KEY] = s
    at.run()
    at.switch_page("app_pages/risk.py").run()
    page_ok(at)
    # the assessment runs in the background: wait for it, then the page shows it
    finish_run(at, s, "risk", 240)
    expected = assess_schedule(fc, s.schedule.value.result.shifts, s.targets, confidence=0.9, n_samples=200)
    shown = {m.label: m.value for m in at.metric}
    assert shown["Chance a day meets the target (mean)"] == f"{100 * expected.risk.p_meet_all_days:.0f}\u00a0%"
    assert shown["Agent-hours for 9 days out of 10"] == f"{expected.plan.agent_hours:,.0f}"
    first = s.risk
    # Back on the page with the same inputs: the same result, nothing recomputed.
    at.switch_page("app_pages/data.py").run()
    at.switch_page("app_pages/risk.py").run()
    page_ok(at)
    assert "risk" not in s.runs and s.risk is first

    # A new forecast (say 28 days instead of 1): the old schedule is not paired with it.
    s.forecast = Computed(s.forecast.value, Stamp("forecast:other", "forecast", (("model", "weekly_mean"),
                                                  ("horizon_days", 28), ("interval_minutes", 15), ("queues", ()))),
                          s.forecast.inputs)
    at.run()
    page_ok(at)
    assert "risk" not in s.runs
    assert any("built for another forecast" in w.value for w in at.warning)
    assert not at.metric
