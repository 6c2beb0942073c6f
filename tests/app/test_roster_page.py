"""AppTest of the Roster page: a real schedule, the real roster solve, downloads and publish."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from streamlit.testing.v1 import AppTest

from wfm.io.agents import read_agents, read_unavailability
from optimiser.roster.views import roster_grid
from optimiser.scheduling.problem import build_problem
from wfm.io.rules import load_rules
from optimiser.scheduling.solve import solve
from optimiser.store.repository import PlanStore
from tests.app.test_schedule_page import small_requirement

REPO = Path(__file__).resolve().parents[2]


def test_roster_page_assigns_named_agents_and_publishes(tmp_path, monkeypatch, compact_rules_text):
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    monkeypatch.setenv("WFM_DATABASE_URL", url)
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(compact_rules_text, encoding="utf-8")
    rules = load_rules(rules_file)
    problem = build_problem(small_requirement(), rules, solver=replace(rules.solver, time_limit_seconds=20))
    schedule = solve(problem)
    assert schedule.status in ("Optimal", "Feasible") and len(schedule.shifts)

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.session_state["schedule_result"] = schedule
    # A team of 80 from the demo list (as if uploaded), so the test stays quick.
    everyone = read_agents(REPO / "data" / "demo_agents.csv")
    agents = everyone.head(80)
    unavailability = read_unavailability(REPO / "data" / "demo_agent_unavailability.csv", everyone)
    unavailability = unavailability[unavailability["agent_id"].isin(agents["agent_id"])]
    at.session_state["roster_agents"] = (agents, unavailability)
    at.run()
    at.switch_page("app_pages/roster.py").run()
    assert not at.exception, at.exception
    at.button(key="ro_run").click().run()
    run = at.session_state["roster_run"]
    assert run.wait(240)
    at.run()
    assert not at.exception, at.exception
    result = at.session_state["roster_result"]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Hard-rule violations"] == "0" and len(result.violations) == 0
    assert shown["Shifts assigned"] == f"{len(result.assignments):,}"
    # every scheduled agent-shift is either assigned or reported unfilled
    unfilled = int(result.unfilled["unfilled"].sum()) if len(result.unfilled) else 0
    assert len(result.assignments) + unfilled == int(schedule.shifts["count"].sum())
    assert at.dataframe[1].value.shape == roster_grid(result.assignments).shape
    [b for b in at.button if b.label == "Save and publish"][0].click().run()
    assert not at.exception, at.exception
    store = PlanStore(url)
    assert store.load("roster", 1).status == "published"
    store.close()
