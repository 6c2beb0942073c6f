"""Side-by-side comparison of two saved plans, on a real SQLite plan store."""

from __future__ import annotations

import pandas as pd
import pytest

from optimiser.store.compare import compare_scenarios
from optimiser.store.repository import PlanStore
from wfm.ground.errors import WfmInputError

TZ = "Europe/Stockholm"


def _schedule(count_day1: int, count_day2: int) -> pd.DataFrame:
    d1 = pd.Timestamp("2026-01-05 08:00", tz=TZ)
    d2 = d1 + pd.Timedelta(days=1)
    return pd.DataFrame({
        "shift_id": ["S1", "S2"], "template": ["day", "day"], "skill_group": ["sv_all", "sv_all"],
        "start": [d1, d2], "end": [d1 + pd.Timedelta(hours=8), d2 + pd.Timedelta(hours=8)],
        "count": [count_day1, count_day2], "paid_minutes": [480, 480], "breaks": ["", ""],
    })


@pytest.fixture()
def store(tmp_path):
    s = PlanStore(f"sqlite:///{tmp_path / 'plans.sqlite'}")
    yield s
    s.close()


def test_two_schedules_compare_by_total_and_by_day(store):
    store.save("plan-500", "schedule", _schedule(10, 10), expected_version=0,
               meta={"cost": 1000.0, "global_service_level": 0.78})
    store.save("plan-550", "schedule", _schedule(12, 10), expected_version=0,
               meta={"cost": 1100.0, "global_service_level": 0.83})
    cmp = compare_scenarios(store, "plan-500", "plan-550")
    s = cmp.summary.set_index("metric")
    # 10 + 10 agents x 8 paid hours = 160 h against 12 + 10 -> 176 h
    assert s.loc["agent_hours", "a"] == pytest.approx(160.0)
    assert s.loc["agent_hours", "b"] == pytest.approx(176.0)
    assert s.loc["agent_hours", "change"] == pytest.approx(16.0)
    assert s.loc["global_service_level", "change"] == pytest.approx(0.05)
    assert s.loc["cost", "b"] == pytest.approx(1100.0)
    by_day = cmp.by_day.set_index("date")
    assert list(by_day["agent_hours_change"]) == pytest.approx([16.0, 0.0])
    assert cmp.label_a == "plan-500 v1"


def test_different_kinds_are_refused_with_both_names(store):
    store.save("s", "schedule", _schedule(1, 1), expected_version=0)
    idx = pd.date_range("2026-01-05", periods=4, freq="15min", tz=TZ)
    store.save("r", "requirement", pd.DataFrame({"interval_start": idx, "queue": "q", "agents_required": 3}),
               expected_version=0)
    with pytest.raises(WfmInputError, match="'s' is a schedule, 'r' is a requirement"):
        compare_scenarios(store, "s", "r")
