"""Frame contracts: each rule of the history and forecast frames refused with its name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm.ground.errors import WfmInputError
from wfm.ground.frames import FORECAST_COLUMNS, HISTORY_COLUMNS, check_forecast, check_history

TZ = "Europe/Stockholm"


def _history() -> pd.DataFrame:
    stamps = pd.date_range("2024-01-01", periods=8, freq="15min", tz=TZ)
    return pd.DataFrame({"interval_start": stamps, "queue": "q", "calls_offered": np.arange(8)})


def _forecast() -> pd.DataFrame:
    return _history().assign(aht_seconds=180.0)


def test_the_column_contracts_are_the_public_ones():
    assert HISTORY_COLUMNS[:3] == ("interval_start", "queue", "calls_offered")
    assert FORECAST_COLUMNS == ("interval_start", "queue", "calls_offered", "calls_offered_p10", "calls_offered_p90",
                                "calls_offered_p025", "calls_offered_p975", "aht_seconds", "model")


def test_good_frames_pass():
    check_history(_history())
    check_history(_history().drop(columns="queue"), one_queue=True)
    check_forecast(_forecast())


@pytest.mark.parametrize("mutate, match", [
    (lambda d: d.drop(columns="calls_offered"), r"history: required column 'calls_offered' is missing"),
    (lambda d: d.drop(columns=["queue", "calls_offered"]), r"required columns 'queue', 'calls_offered' are missing"),
    (lambda d: d.iloc[0:0], r"history: no rows"),
    (lambda d: d.assign(interval_start=d["interval_start"].dt.tz_localize(None)), r"must be tz-aware timestamps"),
    (lambda d: d.assign(calls_offered=d["calls_offered"].where(d.index != 5, -1)), r"must be finite and >= 0, got -1 at row 5"),
    (lambda d: d.assign(calls_offered=d["calls_offered"].astype(object).where(d.index != 2, "x")), r"got 'x' at row 2"),
    (lambda d: pd.concat([d, d.iloc[[3]]]), r"duplicate interval \(queue q, interval_start 2024-01-01 00:45:00\+01:00\)"),
    (lambda d: [1, 2], r"history: must be a pandas DataFrame, got list"),
])
def test_a_bad_history_is_refused_naming_the_rule(mutate, match):
    with pytest.raises(WfmInputError, match=match):
        check_history(mutate(_history()))


def test_one_queue_means_one():
    two = _history().assign(queue=["a"] * 4 + ["b"] * 4)
    check_history(two)
    with pytest.raises(WfmInputError, match=r"must hold ONE queue, got 2"):
        check_history(two, one_queue=True)


@pytest.mark.parametrize("aht, ok", [(180.0, True), (np.nan, False), (0.0, False), (-1.0, False), (np.inf, False)])
def test_forecast_aht_must_be_positive_where_calls_are_offered(aht, ok):
    frame = _forecast()
    frame.loc[3, "aht_seconds"] = aht
    if ok:
        check_forecast(frame)
    else:
        with pytest.raises(WfmInputError, match=r"forecast: column 'aht_seconds' must be > 0 where calls are offered.*row 3"):
            check_forecast(frame)
    frame.loc[3, "calls_offered"] = 0
    if np.isnan(aht):
        check_forecast(frame)  # no calls, no handle time needed
