"""AppTest of the Replay page on a small synthetic history: the summary shown is the library's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]


def _history() -> pd.DataFrame:
    idx = pd.date_range("2026-01-05", periods=5 * 7 * 96, freq="15min", tz="Europe/Stockholm")
    hour = idx.hour
    rng = np.random.default_rng(7)
    calls = rng.poisson(np.where((hour >= 8) & (hour < 20), 12, 3))
    h = pd.DataFrame({"interval_start": idx, "queue": "reports", "calls_offered": calls.astype("int64"),
                      "aht_seconds": 300.0})
    h.attrs.update(interval_minutes=15, tz="Europe/Stockholm")
    return h


def test_replay_page_runs_the_pipeline_on_the_past(tmp_path, monkeypatch):
    monkeypatch.setenv("WFM_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.run()
    at.session_state["uploaded_history"] = _history()
    at.switch_page("app_pages/replay.py").run()
    assert not at.exception, at.exception
    at.date_input(key="rp_cut").set_value(pd.Timestamp("2026-02-02").date())
    at.number_input(key="rp_reps").set_value(2)
    at.number_input(key="rp_se").set_value(2.0)  # 2 runs leave ~3.4 points here: the page must run more
    at.button(key="rp_run").click().run()
    run = at.session_state["replay_run"]
    assert run.wait(280)
    at.run()
    assert not at.exception, at.exception
    result = at.session_state["replay_result"]
    s = result.summary
    shown = {m.label: m.value for m in at.metric}
    assert shown["Days meeting the target"] == f"{s['share_days_meeting_target']:.0%}"
    assert shown["Forecast error (WAPE)"] == f"{s['forecast_wape']:.1%}"
    assert s["cut"] == "2026-02-02" and s["days"] == 7
    # the precision setting reached the simulation: more than the 2 runs asked for, until each day is within 2 points
    per_day = result.per_day
    assert (per_day["replications"] > 2).all()
    assert ((per_day["sim_standard_error"] <= 0.02 + 1e-12) | (per_day["replications"] >= 400)).all()
