"""AppTest of the Forecast page: its numbers are the library's numbers; the run happens in the background and
its settings stay when the planner comes back."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.session import SESSION_KEY
from wfm.io.history import read_history
from forecasting.pipeline import ForecastSettings, forecast
from tests.app.conftest import finish_run, page_ok

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def store_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    monkeypatch.setenv("WFM_DATABASE_URL", url)
    return url


def test_forecast_page_runs_and_shows_the_library_forecast(store_url):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("app_pages/forecast.py").run()
    page_ok(at)
    at.slider(key="fc_horizon").set_value(7)
    at.selectbox(key="fc_interval").set_value(60)
    at.multiselect(key="fc_queues").set_value(["switchboard"])
    at.button[0].click()  # the form's submit button
    at.run()
    s = at.session_state[SESSION_KEY]
    finish_run(at, s, "forecast", 240)
    expected = forecast(read_history(REPO / "data" / "demo_history.csv.gz"),
                        ForecastSettings(7, 60, model="weekly_mean", queues=["switchboard"]), n_jobs=1).forecast
    shown = {m.label: m.value for m in at.metric}
    assert shown["Calls in horizon (switchboard)"] == f"{expected['calls_offered'].sum():,.0f}"
    assert len(expected) == 7 * 24
    assert s.forecast.inputs["history"].key == "history:demo"
    # Leave and come back: the same settings in the form, the same forecast shown.
    at.switch_page("app_pages/data.py").run()
    at.switch_page("app_pages/forecast.py").run()
    page_ok(at)
    assert at.selectbox(key="fc_interval").value == 60
    assert at.multiselect(key="fc_queues").value == ["switchboard"]
    assert {m.label: m.value for m in at.metric} == shown
    # Save as a scenario, then saving again on top of the version seen works too.
    save = [b for b in at.button if b.label == "Save as scenario"][0]
    save.click().run()
    page_ok(at)
    assert any("version 1" in s.value for s in at.success)
