"""AppTest of the Roster page: a real schedule, the real roster solve under the rules the schedule was built
with, for the headcount it was built for; downloads and publish."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from app_pages.session import SESSION_KEY, Computed, Stamp
from optimiser.roster.agents import agents_for_tours
from wfm.io.agents import read_agents
from optimiser.roster.views import roster_grid
from optimiser.store.repository import PlanStore
from tests.app.conftest import finish_run, build_schedule, page_ok, session_with_forecast, small_forecast

REPO = Path(__file__).resolve().parents[2]


def test_roster_page_assigns_named_agents_and_publishes(tmp_path, monkeypatch, compact_rules_text):
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    monkeypatch.setenv("WFM_DATABASE_URL", url)
    s = session_with_forecast(small_forecast())
    build_schedule(s, compact_rules_text)
    schedule = s.schedule.value.result
    assert schedule.status in ("Optimal", "Feasible") and len(schedule.shifts)
    # A team of 80 from the demo list (as if uploaded), so the test stays quick.
    head = (REPO / "data" / "demo_agents.csv").read_text(encoding="utf-8").splitlines()[:81]
    data = ("\n".join(head) + "\n").encode("utf-8")
    s.agents = Computed({"agents": ("team.csv", data), "unavailability": (None, None)},
                        Stamp("agents:team", "agents", (("source", "upload"), ("file_name", "team.csv"))), {})

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.session_state[SESSION_KEY] = s
    at.run()
    at.switch_page("app_pages/roster.py").run()
    page_ok(at)
    # the rule set is the one the schedule's rules file names (no roster section there: the packaged sweden)
    assert any("Working-time rules: sweden" in c.value and "11 h daily rest" in c.value for c in at.caption)
    at.button(key="ro_run").click().run()
    finish_run(at, s, "roster", 240)
    result = s.roster.value
    shown = {m.label: m.value for m in at.metric}
    assert shown["Hard-rule violations"] == "0" and len(result.violations) == 0
    assert shown["Shifts assigned"] == f"{len(result.assignments):,}"
    # only the agents the schedule was built for are rostered
    team = read_agents(_write(tmp_path, data))
    chosen = agents_for_tours(team, schedule.tours)
    assert set(result.assignments["agent_id"]) <= set(chosen["agent_id"])
    # every scheduled agent-shift is either assigned or reported unfilled
    unfilled = int(result.unfilled["unfilled"].sum()) if len(result.unfilled) else 0
    assert len(result.assignments) + unfilled == int(schedule.shifts["count"].sum())
    grid = [d for d in at.dataframe if d.value.shape == roster_grid(result.assignments).shape]
    assert grid
    [b for b in at.button if b.label == "Save and publish"][0].click().run()
    page_ok(at)
    store = PlanStore(url)
    assert store.load("roster", 1).status == "published"
    store.close()


def _write(tmp_path, data: bytes) -> Path:
    path = tmp_path / "team.csv"
    path.write_bytes(data)
    return path
