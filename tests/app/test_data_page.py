"""AppTest of the Data page against the real importer and the real demo data: uploads accepted and refused,
and what the other pages then do."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from wfm.io.history import read_history
from forecasting.views import queue_overview
from tests.app.conftest import page_ok

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo():
    return read_history(REPO / "data" / "demo_history.csv.gz")


def _app() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=180)


def test_data_page_shows_the_demo_queues_and_numbers(demo):
    at = _app().run()
    page_ok(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Queues"] == str(demo["queue"].nunique())
    assert metrics["Rows"] == f"{len(demo):,}"
    assert metrics["First interval"] == f"{demo['interval_start'].min():%Y-%m-%d}"
    shown = at.dataframe[0].value
    expected = queue_overview(demo)
    assert list(shown["Queue"]) == list(expected["queue"])
    assert list(shown["Calls offered"]) == [f"{v:,}" for v in expected["calls_offered"]]
    # readable headers, no snake_case
    assert not [c for c in shown.columns if "_" in c]


def test_heatmap_queue_selection_and_swedish_text(demo):
    at = _app().run()
    at.selectbox(key="heatmap_queue").select("reports").run()
    page_ok(at)
    at.selectbox(key="lang").select("sv").run()
    page_ok(at)
    metrics = {m.label: m.value for m in at.metric}
    assert "Köer" in metrics
    assert metrics["Rader"] == f"{len(demo):,}".replace(",", "\u00a0")


def test_upload_mode_without_a_file_asks_for_one_and_the_other_pages_say_so():
    at = _app().run()
    at.radio(key="data_source").set_value("upload").run()
    page_ok(at)
    # No file chosen yet: the page asks for one, and stops before drawing the demo's numbers.
    assert any("Choose a file" in i.value for i in at.info)
    assert len(at.metric) == 0
    # Another page does not silently use the demo.
    at.switch_page("app_pages/staffing.py").run()
    page_ok(at)
    assert any("no file is loaded yet" in w.value for w in at.warning)
    assert len(at.metric) == 0
