"""AppTest of the data page against the real importer and the real demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from wfm.io.history import read_history
from forecasting.views import queue_overview

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo():
    return read_history(REPO / "data" / "demo_history.csv.gz")


def _app() -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    return at


def test_data_page_shows_the_demo_queues_and_numbers(demo):
    at = _app().run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Queues"] == str(demo["queue"].nunique())
    assert metrics["Rows"] == f"{len(demo):,}"
    assert metrics["First interval"] == f"{demo['interval_start'].min():%Y-%m-%d}"
    shown = at.dataframe[0].value
    expected = queue_overview(demo)
    assert list(shown["queue"]) == list(expected["queue"])
    assert list(shown["calls_offered"]) == list(expected["calls_offered"])


def test_heatmap_queue_selection_and_swedish_text(demo):
    at = _app().run()
    at.selectbox(key="heatmap_queue").select("reports").run()
    assert not at.exception
    at.selectbox(key="lang").select("sv").run()
    assert not at.exception
    assert any(m.label == "Köer" for m in at.metric)


def test_upload_mode_without_a_file_asks_for_one_and_shows_no_demo():
    at = _app().run()
    at.radio(key="data_source").set_value("upload").run()
    assert not at.exception
    # No file chosen yet: the page asks for one, and stops before drawing the demo's numbers.
    assert any("Choose a file" in i.value for i in at.info)
    assert len(at.metric) == 0
