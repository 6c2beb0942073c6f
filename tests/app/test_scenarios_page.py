"""AppTest of the Scenarios page on a real SQLite plan store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from optimiser.store.compare import compare_scenarios
from optimiser.store.repository import PlanStore

REPO = Path(__file__).resolve().parents[2]
TZ = "Europe/Stockholm"


def _schedule(n: int) -> pd.DataFrame:
    d = pd.Timestamp("2026-01-05 08:00", tz=TZ)
    return pd.DataFrame({"shift_id": ["S1"], "template": ["day"], "skill_group": ["sv_all"], "start": [d],
                         "end": [d + pd.Timedelta(hours=8)], "count": [n], "paid_minutes": [480], "breaks": [""]})


def test_scenarios_page_compares_and_publishes(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    monkeypatch.setenv("WFM_DATABASE_URL", url)
    store = PlanStore(url)
    store.save("plan-a", "schedule", _schedule(10), expected_version=0, meta={"cost": 500.0})
    store.save("plan-b", "schedule", _schedule(12), expected_version=0, meta={"cost": 600.0})
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/scenarios.py").run()
    assert not at.exception, at.exception
    shown = at.dataframe[1].value.set_index("metric")
    expected = compare_scenarios(store, "plan-a", "plan-b").summary.set_index("metric")
    assert shown.loc["agent_hours", "plan-b v1"] == expected.loc["agent_hours", "b"] == 96.0
    assert shown.loc["cost", "change"] == 100.0
    at.selectbox(key="scn_pub_name").select("plan-b").run()
    at.button(key="scn_publish").click().run()
    assert not at.exception, at.exception
    assert store.load("plan-b", 1).status == "published"
    store.close()
