"""AppTest of the Replay page on a small synthetic upload: the summary shown is the library's, planned with
the rules chosen on the Schedule page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from app_pages.session import SESSION_KEY, Computed, RulesChoice, Session, Stamp, UploadState
from tests.app.conftest import finish_run, page_ok

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


def uploaded_session(history: pd.DataFrame) -> Session:
    s = Session(source="upload")
    s.uploaded = Computed(history, Stamp("history:upload:test", "history", (("source", "upload"),
                                         ("file_name", "h.csv"), ("tz", "Europe/Stockholm"),
                                         ("rows", len(history)))), {})
    s.upload = UploadState("accepted", "h.csv", content_key="test")
    return s


def test_replay_page_runs_the_pipeline_on_the_past(tmp_path, monkeypatch):
    monkeypatch.setenv("WFM_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    s = uploaded_session(_history())
    # the rules chosen on the Schedule page: the demo's, edited (a comment), as a quick plan
    text = (REPO / "data" / "demo_rules.yaml").read_text(encoding="utf-8") + "\n# edited\n"
    s.rules = RulesChoice(text=text, quick_plan=True, source="edited")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.session_state[SESSION_KEY] = s
    at.run()
    at.switch_page("app_pages/replay.py").run()
    page_ok(at)
    assert any("your edited rules (quick plan)" in c.value for c in at.caption)
    at.date_input(key="rp_cut").set_value(pd.Timestamp("2026-02-02").date())
    at.number_input(key="rp_reps").set_value(2)
    at.number_input(key="rp_se").set_value(2.0)  # 2 runs leave ~3.4 points here: the page must run more
    at.button(key="rp_run").click().run()
    finish_run(at, s, "replay", 280)
    result = s.replay.value
    r = result.summary
    shown = {m.label: m.value for m in at.metric}
    assert shown["Days meeting the target"] == f"{100 * r['share_days_meeting_target']:.0f}\u00a0%"
    assert shown["Forecast error (WAPE)"] == f"{100 * r['forecast_wape']:.1f}\u00a0%"
    assert r["cut"] == "2026-02-02" and r["days"] == 7
    # the precision setting reached the simulation: more than the 2 runs asked for, until each day is within 2 points
    per_day = result.per_day
    assert (per_day["replications"] > 2).all()
    assert ((per_day["sim_standard_error"] <= 0.02 + 1e-12) | (per_day["replications"] >= 400)).all()
    # the replay records its inputs; changing the targets afterwards marks it stale
    assert set(s.replay.inputs) == {"history", "rules", "targets", "replay_settings"}
