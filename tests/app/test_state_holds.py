"""The session holds: an accepted upload survives navigation, a refused one is never replaced by the demo,
choices survive a language switch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_pages.session import SESSION_KEY
from tests.app.conftest import page_ok

REPO = Path(__file__).resolve().parents[2]


def history_csv(weeks: int = 3, queue: str = "tips") -> bytes:
    idx = pd.date_range("2025-03-03", periods=weeks * 7 * 96, freq="15min")
    calls = np.where((idx.hour >= 8) & (idx.hour < 18), 9, 2)
    frame = pd.DataFrame({"interval_start": idx.strftime("%Y-%m-%d %H:%M"), "queue": queue, "calls_offered": calls,
                          "aht_seconds": 240})
    return frame.to_csv(index=False).encode("utf-8")


@pytest.fixture()
def at(tmp_path, monkeypatch):
    monkeypatch.setenv("WFM_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    app.run()
    return app


def _upload(at, name: str, data: bytes) -> None:
    at.radio(key="data_source").set_value("upload").run()
    at.file_uploader(key="upload_file").set_value((name, data, "text/csv")).run()
    page_ok(at)


def test_an_accepted_upload_survives_navigation_and_is_what_every_page_uses(at):
    _upload(at, "tips.csv", history_csv())
    s = at.session_state[SESSION_KEY]
    assert s.upload.status == "accepted" and s.uploaded is not None
    assert {m.label: m.value for m in at.metric}["Queues"] == "1"
    # The Forecast page forecasts the upload (one queue), not the demo's four.
    at.switch_page("app_pages/forecast.py").run()
    page_ok(at)
    assert at.multiselect(key="fc_queues").options == ["tips"]
    # Back on the Data page (the file widget is empty now): still the upload, and it says so.
    at.switch_page("app_pages/data.py").run()
    page_ok(at)
    assert at.radio(key="data_source").value == "upload"
    assert any("Using your upload tips.csv" in m.value for m in at.success)
    assert {m.label: m.value for m in at.metric}["Queues"] == "1"
    # The staffing page works on the upload's quick forecast.
    at.switch_page("app_pages/staffing.py").run()
    page_ok(at)
    assert at.selectbox(key="st_curve_queue").options == ["tips"]


def test_a_refused_upload_keeps_its_errors_and_the_other_pages_do_not_use_the_demo(at):
    bad = history_csv().replace(b"tips,9,240", b"tips,-9,240", 1)
    _upload(at, "bad.csv", bad)
    s = at.session_state[SESSION_KEY]
    assert s.upload.status == "refused" and s.uploaded is None
    assert any("bad.csv was refused" in e.value for e in at.error)
    # the full message, not a cut table cell: file, row, column and rule
    assert any("bad.csv" in m.value and "calls_offered" in m.value for m in at.markdown)
    for page in ("forecast", "staffing", "replay"):
        at.switch_page(f"app_pages/{page}.py").run()
        page_ok(at)
        assert any("bad.csv was refused" in e.value for e in at.error), page
        assert not at.metric, page
    at.switch_page("app_pages/data.py").run()
    page_ok(at)
    assert any("bad.csv was refused" in e.value for e in at.error)
    # the demo, chosen explicitly, works again; the refused upload is still remembered for when they come back
    at.radio(key="data_source").set_value("demo").run()
    page_ok(at)
    assert {m.label: m.value for m in at.metric}["Queues"] == "4"


def test_choices_survive_a_language_switch_and_a_page_change(at):
    from optimiser.staffing.compose import WhatIfs

    at.switch_page("app_pages/staffing.py").run()
    at.slider(key="st_es").set_value(20)
    [b for b in at.button if b.label == "Apply"][0].click().run()
    page_ok(at)
    s = at.session_state[SESSION_KEY]
    assert s.whatifs == WhatIfs(share_moved_to_eservice=0.2)
    at.selectbox(key="lang").select("sv").run()
    page_ok(at)
    at.switch_page("app_pages/schedule.py").run()
    at.switch_page("app_pages/staffing.py").run()
    page_ok(at)
    assert at.slider(key="st_es").value == 20 and s.whatifs == WhatIfs(share_moved_to_eservice=0.2)
    assert any(b.label == "Använd" for b in at.button)
