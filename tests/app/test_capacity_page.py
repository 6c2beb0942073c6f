"""AppTest of the Capacity plan page: what it shows is the library's plan; bad settings get a named error."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from streamlit.testing.v1 import AppTest

from wfm.io.history import read_history
from optimiser.capacity.optimise import optimise_plan
from optimiser.capacity.problem import prepare_problem
from optimiser.capacity.settings import settings_from_mapping
from wfm.io.agents import read_agents
from wfm.io.capacity import read_capacity_settings

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"


def _page() -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=600)
    at.run()
    at.switch_page("app_pages/capacity.py").run()
    assert not at.exception, at.exception
    return at


def test_capacity_page_shows_the_optimised_plan():
    at = _page()
    at.text_input(key="cap_target_from").set_value("2027-06")
    at.select_slider(key="cap_paths").set_value(0)
    at.button(key="cap_run").click().run()
    assert not at.exception, at.exception
    settings = settings_from_mapping(read_capacity_settings(DATA / "demo_capacity.yaml"))
    settings = replace(settings, horizon=replace(settings.horizon, target_from="2027-06"))
    problem = prepare_problem(read_history(DATA / "demo_history.csv.gz"), read_agents(DATA / "demo_agents.csv"),
                              settings)
    expected = optimise_plan(problem).evaluation.totals
    shown = {m.label: m.value for m in at.metric}
    assert shown["Hires"] == f"{expected['hires']:,}"
    assert shown["Months meeting the target"] == f"{expected['months_meeting_target']} / {expected['months']}"
    assert any("least-cost plan meeting the target" in s.value for s in at.success)


def test_bad_settings_get_a_message_naming_the_parameter():
    at = _page()
    text = (DATA / "demo_capacity.yaml").read_text(encoding="utf-8")
    at.text_area(key="cap_settings_text").set_value(text.replace("annual_rate: 0.30", "annual_rate: -0.30"))
    at.button(key="cap_run").click().run()
    assert not at.exception, at.exception
    assert any("attrition[0].annual_rate must be a share in [0, 1), got -0.3" in e.value for e in at.error)
