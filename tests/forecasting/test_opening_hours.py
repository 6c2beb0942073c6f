"""Opening hours: ONE rule for the Data page summary and every forecasting model.

The probe of issue 15: two years of a Monday-Friday 08-17 queue and one stray burst of 5 calls
on a Sunday at 03:00.  The Data page reported the weekend closed while seasonal naive forecast
5 calls at Sunday 03:00 ("open if a call ever came").  Now the summary and every model learn the
hours with :func:`forecasting.opening_hours.learn_opening_hours` and agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.history import summarise_history
from forecasting.models import MODELS, make_model
from forecasting.opening_hours import learn_opening_hours
from forecasting.pipeline import ForecastSettings, forecast
from wfm.ground.errors import WfmInputError

TZ = "Europe/Stockholm"
BURST = pd.Timestamp("2024-06-16 03:00", tz=TZ)  # a Sunday


def _office_queue(minutes: int = 60, weeks: int = 104, burst: bool = True) -> pd.DataFrame:
    """Mon-Fri 08:00-17:00 for ``weeks`` weeks from Monday 2023-06-26 (no rows when closed)."""
    grid = pd.date_range(pd.Timestamp("2023-06-26", tz=TZ), periods=weeks * 7 * 1440 // minutes, freq=f"{minutes}min")
    stamps = grid[(grid.day_of_week < 5) & (grid.hour >= 8) & (grid.hour < 17)]
    calls = 10 + 5 * np.sin(np.arange(len(stamps)) / 7.0).round().astype(int) + 5
    frame = pd.DataFrame({"interval_start": stamps.as_unit("ns"), "queue": "q", "calls_offered": calls.astype("int64")})
    if burst:
        frame = pd.concat([frame, pd.DataFrame({"interval_start": [BURST], "queue": ["q"], "calls_offered": [5]})])
        frame = frame.sort_values("interval_start", ignore_index=True)
    frame.attrs.update(interval_minutes=minutes, tz=TZ)
    return frame


def _hours(df: pd.DataFrame):
    return summarise_history(df).opening_hours[0]


def test_probe_the_data_page_reports_the_weekend_closed():
    summary = summarise_history(_office_queue())
    assert summary.opening_hours_text() == "q: Mon–Fri 08:00–17:00; Sat–Sun closed"
    assert summary.calls_in_closed_hours == 5  # the burst is counted, not hidden


@pytest.mark.parametrize("name", sorted(MODELS))
def test_probe_every_model_agrees_with_the_data_page(name):
    history = _office_queue()
    model = make_model(name).fit(history.drop(columns="queue"))
    learned, shown = model.opening_hours_, _hours(history)
    assert (learned.spans, learned.open_slots) == (shown.spans, shown.open_slots)
    fc = model.predict(7 * 24)
    local = pd.DatetimeIndex(fc["interval_start"]).tz_convert(TZ)
    weekend = local.day_of_week >= 5
    assert (fc.loc[weekend, ["calls_offered", "calls_offered_p975"]].to_numpy() == 0.0).all()
    sunday_0300 = fc[(local.day_of_week == 6) & (local.hour == 3)]
    assert len(sunday_0300) == 1 and sunday_0300["calls_offered"].iloc[0] == 0.0
    office = (~weekend) & (local.hour >= 8) & (local.hour < 17)
    assert (fc.loc[office, "calls_offered"] > 0).all()


def test_probe_the_pipeline_at_15_minutes_forecasts_0_at_sunday_0300():
    history = _office_queue(minutes=15)
    out = forecast(history, ForecastSettings(7, 15, model="seasonal_naive", aht_seconds=180.0), n_jobs=1).forecast
    local = pd.DatetimeIndex(out["interval_start"]).tz_convert(TZ)
    assert out.loc[local.day_of_week >= 5, "calls_offered"].eq(0.0).all()
    assert summarise_history(history).opening_hours_text() == "q: Mon–Fri 08:00–17:00; Sat–Sun closed"


def test_a_short_history_keeps_a_single_burst_open():
    # 30 weeks: one week in 30 is 3.3 % >= 2 %, so the Sunday 03:00 slot is open (documented)
    history = _office_queue(weeks=30, burst=False)
    early = pd.Timestamp("2023-07-02 03:00", tz=TZ)
    history = pd.concat([history, pd.DataFrame({"interval_start": [early], "queue": ["q"], "calls_offered": [5]})])
    history = history.sort_values("interval_start", ignore_index=True)
    history.attrs.update(interval_minutes=60, tz=TZ)
    assert _hours(history).spans[6] == ((180, 240),)


def test_a_queue_without_calls_is_open_everywhere_and_forecast_zero():
    quiet = _office_queue(weeks=4, burst=False).assign(calls_offered=0)
    hours = _hours(quiet)
    assert all(hours.open_slots)
    fc = make_model("seasonal_naive").fit(quiet.drop(columns="queue")).predict(48)
    assert (fc["calls_offered"] == 0).all()


def test_slots_the_history_never_saw_open_when_that_time_is_open_on_the_days_it_saw():
    three_days = _office_queue(weeks=1, burst=False)
    three_days = three_days[three_days["interval_start"].dt.day_of_week < 3].reset_index(drop=True)
    three_days.attrs.update(interval_minutes=60, tz=TZ)
    hours = learn_opening_hours(three_days["interval_start"], three_days["calls_offered"], 60)
    # Monday before 08:00 and Wednesday after 17:00 were never seen either: closed, like the days seen
    assert hours.text() == "Mon–Wed 08:00–17:00; Thu–Sun no data"
    friday_noon = pd.DatetimeIndex([pd.Timestamp("2023-06-30 12:00", tz=TZ), pd.Timestamp("2023-06-30 20:00", tz=TZ)])
    assert hours.is_open(friday_noon).tolist() == [True, False]


def test_the_skipped_spring_forward_hour_of_the_only_sunday_takes_that_hour_of_the_other_days():
    grid = pd.date_range(pd.Timestamp("2024-03-26", tz=TZ), pd.Timestamp("2024-04-02", tz=TZ), freq="60min")
    hours = learn_opening_hours(grid, np.ones(len(grid)), 60)  # 24/7; Sunday 2024-03-31 has no 02:00
    assert hours.text() == "Mon–Sun 00:00–24:00"
    office = grid[(grid.hour >= 8) & (grid.hour < 17)]
    assert learn_opening_hours(office, np.ones(len(office)), 60).text() == "Mon–Sun 08:00–17:00"


def test_bad_parameters_are_named():
    history = _office_queue(weeks=2, burst=False)
    with pytest.raises(WfmInputError, match=r"closed_max_share must be in \[0, 1\), got 1.5") as err:
        learn_opening_hours(history["interval_start"], history["calls_offered"], 60, closed_max_share=1.5)
    assert err.value.parameter == "closed_max_share"
    with pytest.raises(WfmInputError, match=r"min_closed_minutes must be >= 0"):
        summarise_history(history, min_closed_minutes=-1)


def _weekly_history(weeks: int, active_weeks_at_0300: int) -> pd.DataFrame:
    """Hourly 24/7 queue; calls at Mon 03:00 in only the first ``active_weeks_at_0300`` weeks."""
    stamps = pd.date_range(pd.Timestamp("2024-01-01", tz=TZ), periods=weeks * 7 * 24, freq="60min")
    calls = np.full(len(stamps), 5)
    mon3 = (stamps.day_of_week == 0) & (stamps.hour == 3)
    calls[mon3] = 0
    calls[np.flatnonzero(mon3)[:active_weeks_at_0300]] = 1
    df = pd.DataFrame({"interval_start": stamps.as_unit("ns"), "queue": "q", "calls_offered": calls})
    df.attrs.update(interval_minutes=60, tz=TZ)
    return df


def test_closed_threshold_is_two_percent_of_weeks():
    # 1 of 60 weeks = 1.7% < 2% -> closed; 2 of 60 = 3.3% -> open  (CLOSED_SLOT_MAX_SHARE = 0.02)
    closed = _hours(_weekly_history(60, 1))
    opened = _hours(_weekly_history(60, 2))
    assert closed.spans[0] == ((0, 180), (240, 1440))
    assert opened.spans[0] == ((0, 1440),)


def test_short_quiet_spell_is_not_a_closing_time_but_an_hour_is():
    df = _weekly_history(4, 0)  # Mon 03:00-04:00 never has calls: exactly 60 min closed
    assert _hours(df).text().startswith("Mon 00:00–03:00, 04:00–24:00; Tue–Sun 00:00–24:00")
    # with quarter-hours, one silent quarter is smoothed away
    stamps = pd.date_range(pd.Timestamp("2024-01-01", tz=TZ), periods=4 * 7 * 96, freq="15min")
    calls = np.where((stamps.day_of_week == 2) & (stamps.hour == 12) & (stamps.minute == 0), 0, 3)
    q = pd.DataFrame({"interval_start": stamps.as_unit("ns"), "queue": "q", "calls_offered": calls})
    q.attrs.update(interval_minutes=15, tz=TZ)
    assert _hours(q).text() == "Mon–Sun 00:00–24:00"


