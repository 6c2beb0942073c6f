"""Event regressors: one 0/1 column per event name, by local calendar day."""

import pandas as pd
import pytest

from forecasting.events import event_days, event_regressors
from wfm.ground.errors import WfmInputError

EVENTS = pd.DataFrame({
    "date": pd.to_datetime(["2024-05-14", "2024-10-07", "2025-02-10"]),
    "end_date": pd.to_datetime(["2024-05-14", "2024-11-03", "2025-02-10"]),
    "name": ["telephony outage", "fraud wave", "media appeal"],
    "kind": ["outage", "fraud_wave", "media"],
})


def test_regressors_follow_local_dates_and_keep_index():
    ev = EVENTS
    # 2024-05-13 23:30 UTC is 2024-05-14 01:30 in Stockholm: inside the outage day
    ts = pd.Series(pd.to_datetime(["2024-05-13 21:30", "2024-05-13 23:30", "2024-05-14 22:30"], utc=True),
                   index=[7, 8, 9]).dt.tz_convert("Europe/Stockholm")
    reg = event_regressors(ev, ts)
    assert list(reg.index) == [7, 8, 9]
    assert reg["event_telephony outage"].tolist() == [0.0, 1.0, 0.0]
    assert set(reg.columns) == {"event_telephony outage", "event_fraud wave", "event_media appeal"}



def test_event_days_mark_every_day_of_an_event_inclusive():
    days = pd.date_range("2024-10-05", "2024-11-05", freq="D")
    marks = event_days(EVENTS, days)["event_fraud wave"]
    assert marks.sum() == 28 and marks.loc["2024-10-07"] == 1.0 and marks.loc["2024-11-03"] == 1.0
    assert marks.loc["2024-10-06"] == 0.0 and marks.loc["2024-11-04"] == 0.0


def test_events_of_text_are_refused_at_the_door():
    text = EVENTS.astype(str)
    with pytest.raises(WfmInputError, match=r"events: column 'date' must hold local calendar dates"):
        event_days(text, pd.date_range("2024-01-01", periods=3))
