"""AppTest of the manager's answer on the Accessibility page (operators in, accessibility out: the estimate at
once, the reverse question, the exact plan in the background) and of 'best accessibility at a headcount' on the
Schedule page with its defaults: never a traceback, whatever the solver finds in its time."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app_pages.manager import operators_listed
from app_pages.session import SESSION_KEY
from app_pages.state import parse_rules_text, rules_or_default
from optimiser.scheduling.curves import service_curves
from optimiser.scheduling.estimate import estimate_at_headcount, headcount_for_service_level
from optimiser.scheduling.problem import build_problem
from optimiser.staffing.compose import plan_requirement
from tests.app.conftest import finish_run, page_ok, session_with_forecast, small_forecast

REPO = Path(__file__).resolve().parents[2]


def _app(s, tmp_path, monkeypatch):
    monkeypatch.setenv("WFM_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.session_state[SESSION_KEY] = s
    at.run()
    return at


def test_the_manager_gets_the_estimate_the_reverse_answer_and_the_exact_plan(tmp_path, monkeypatch,
                                                                             compact_rules_text):
    fc = small_forecast(days=2)
    s = session_with_forecast(fc)
    at = _app(s, tmp_path, monkeypatch)
    at.switch_page("app_pages/staffing.py").run()
    page_ok(at)
    # the library's estimate (engineer S's, on the requirement with the what-ifs and the rules in use), shown
    rules = parse_rules_text(rules_or_default(s).text, rules_or_default(s).quick_plan)
    requirement = plan_requirement(fc, s.targets, s.whatifs)[0]
    problem = build_problem(requirement, rules, objective="max-sl", headcount_total=operators_listed(rules))
    curves = service_curves(problem)
    est = estimate_at_headcount(problem, 40, curves)
    at.number_input(key="mg_headcount").set_value(40).run()
    page_ok(at)
    assert s.schedule_settings.headcount == 40  # one headcount: the Schedule page's too
    shown = {m.label: m.value for m in at.metric}
    assert shown["Answered within 3\u00a0min (estimate)"] == f"{100 * est.service_level:.1f}\u00a0%"
    assert shown["Hang up (estimate)"] == f"{100 * est.abandon_rate:.1f}\u00a0%"
    assert any("With 40 operators about" in i.value for i in at.info)
    # the reverse question, on request
    at.button(key="mg_reverse").click().run()
    page_ok(at)
    need = headcount_for_service_level(problem, 0.8, curves)
    expected = f"about **{need:,} operators** are needed" if need is not None else "do not reach 80"
    assert any(expected in m.value for m in at.markdown)

    # the exact plan, on request, in the background: it reaches the page as the best plan for 40 operators
    s.rules = replace(s.rules, text=compact_rules_text, quick_plan=False, source="edited")
    s.schedule_settings = replace(s.schedule_settings, time_limit_seconds=20)
    at.button(key="mg_exact").click().run()
    page_ok(at)
    finish_run(at, s, "schedule", 180)
    built = s.schedule.value
    assert built.settings.objective == "max-sl" and built.settings.headcount == 40
    if built.result.has_solution:
        assert any(w.value.startswith("Exact plan (") for w in at.success)
    else:
        assert any("found no schedule" in w.value for w in at.warning)

    # leave and come back: the headcount and the exact plan are still there
    at.switch_page("app_pages/data.py").run()
    at.switch_page("app_pages/staffing.py").run()
    page_ok(at)
    assert at.number_input(key="mg_headcount").value == 40 and s.schedule.value is built


def test_best_accessibility_at_a_headcount_with_the_defaults_never_shows_a_traceback(tmp_path, monkeypatch):
    # the demo week, the demo rules (quick plan), 500 operators: whatever the solver finds in a short time
    s = session_with_forecast(small_forecast(days=7))
    at = _app(s, tmp_path, monkeypatch)
    at.switch_page("app_pages/schedule.py").run()
    page_ok(at)
    at.selectbox(key="sc_objective").set_value("max-sl").run()
    at.number_input(key="sc_time_limit").set_value(10).run()
    assert s.schedule_settings.objective == "max-sl" and s.schedule_settings.headcount == 500
    at.button(key="sc_run").click().run()
    page_ok(at)
    finish_run(at, s, "schedule", 240)
    assert s.schedule.value.settings.headcount == 500
    at.switch_page("app_pages/roster.py").run()
    page_ok(at)
    at.switch_page("app_pages/staffing.py").run()
    page_ok(at)
