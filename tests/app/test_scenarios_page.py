"""AppTest of the Scenarios page on a real SQLite plan store: it opens on a pair of the same kind."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from optimiser.store.compare import compare_scenarios
from optimiser.store.repository import PlanStore
from tests.app.conftest import page_ok

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
    # a forecast first in the list: the page must still open on the two schedules, not on an error
    idx = pd.date_range("2026-01-05", periods=4, freq="15min", tz=TZ)
    fc = pd.DataFrame({"interval_start": idx, "queue": "reports", "calls_offered": 1.0, "calls_offered_p10": 1.0,
                       "calls_offered_p90": 1.0, "calls_offered_p025": 1.0, "calls_offered_p975": 1.0,
                       "aht_seconds": 300.0, "model": "weekly_mean"})
    store.save("a-forecast", "forecast", fc, expected_version=0)
    store.save("plan-a", "schedule", _schedule(10), expected_version=0, meta={"cost": 500.0})
    store.save("plan-b", "schedule", _schedule(12), expected_version=0, meta={"cost": 600.0})
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/scenarios.py").run()
    page_ok(at)
    assert not at.error
    assert at.selectbox(key="scn_a").value == "plan-a" and at.selectbox(key="scn_b").value == "plan-b"
    shown = at.dataframe[1].value.set_index("Measure")
    expected = compare_scenarios(store, "plan-a", "plan-b").summary.set_index("metric")
    assert expected.loc["agent_hours", "b"] == 96.0
    assert shown.loc["Agent-hours", "plan-b v1"] == "96.0"
    assert shown.loc["Cost", "Change"] == "100.0"
    at.selectbox(key="scn_pub_name").select("plan-b").run()
    at.button(key="scn_publish").click().run()
    page_ok(at)
    assert store.load("plan-b", 1).status == "published"
    store.close()
