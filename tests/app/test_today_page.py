"""AppTest of the Today page: replay of a demo day shows the library's projection; bad actuals keep the last state."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from app_pages.session import default_targets
from wfm.io.history import read_history
from optimiser.today.steer import day_ahead_plan, steer_day

REPO = Path(__file__).resolve().parents[2]


def test_today_page_replays_a_day_and_keeps_the_last_good_state(tmp_path):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("app_pages/today.py").run()
    assert not at.exception, at.exception
    at.date_input(key="td_day").set_value(dt.date(2025, 11, 12)).run()
    at.time_input(key="td_time").set_value(dt.time(12, 0)).run()
    assert not at.exception, at.exception
    history = read_history(REPO / "data" / "demo_history.csv.gz")
    targets = default_targets()
    fc, agents = day_ahead_plan(history, dt.date(2025, 11, 12), targets)
    on_phone = (agents * 0.9 + 1e-9).apply(np.floor)  # 10 % absent this morning (the page's default)
    expected = steer_day(fc, history, pd.DataFrame({"start": [], "end": []}), pd.Timestamp("2025-11-12 12:00"),
                         targets, replay=True, agents_on_phone=on_phone).projection.day
    shown = {m.label: m.value for m in at.metric}
    assert shown["Within target so far"] == f"{expected['so_far_service_level']:.0%}"
    assert shown["Projected day"] == f"{expected['service_level']:.1%}"
    at.slider(key="td_absent").set_value(35).run()  # a bad morning: 35 % absent
    at.number_input(key="td_cb").set_value(2.0).run()  # offer call-backs above a 2-minute wait
    lines = [m.value for m in at.markdown if "→" in m.value]
    assert lines and any(b.key == "td_accept_0" for b in at.button), lines
    predicted = float(lines[0].split("→ ")[1].split("%")[0]) / 100
    at.button(key="td_accept_0").click().run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Projected day"] == f"{predicted:.1%}"
    # live mode with a bad ACD file (one row: no interval length): the reader's message, and the last good
    # state stays on the page (the "another day / missing interval / unknown queue" messages are tested in
    # tests/optimiser/today/test_steer.py and through the CLI)
    bad = tmp_path / "today.csv"
    bad.write_text("interval_start,queue,calls_offered\n2025-01-01T08:00:00+01:00,reports,5\n")
    at.radio(key="td_mode").set_value("live").run()
    at.text_input(key="td_path").set_value(str(bad)).run()
    assert not at.exception, at.exception
    assert any("today.csv" in e.value for e in at.error), [e.value for e in at.error]
    assert any("last good state" in w.value for w in at.warning)
    assert {m.label: m.value for m in at.metric}["Projected day"] == f"{predicted:.1%}"  # still the last good day
