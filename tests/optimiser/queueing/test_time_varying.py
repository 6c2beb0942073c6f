"""The time-varying queue M(t)/M/n(t)(+M) (optimiser.queueing.time_varying)."""

import numpy as np
import pandas as pd
import pytest

from optimiser.queueing import erlang
from optimiser.queueing.simulation import simulate
from optimiser.queueing.time_varying import time_varying_queue_metrics
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ

TZ = DEFAULT_TZ


@pytest.mark.parametrize("patience", [None, 300.0])
@pytest.mark.parametrize("calls, aht, agents, T", [(100, 180, 24, 20), (30, 935, 36, 180), (400, 300, 140, 60)])
def test_time_varying_model_is_stationary_erlang_when_nothing_varies(calls, aht, agents, T, patience):
    idx = pd.date_range("2025-01-06", periods=6, freq="15min", tz=TZ)
    m = time_varying_queue_metrics(pd.Series(float(calls), index=idx), agents, 15, aht, T, patience)
    assert m.index.equals(idx)  # the Series index survives
    assert np.allclose(m["service_level"], erlang.service_level(calls, 15, aht, agents, T,
                                                                 patience_seconds=patience), atol=1e-9)
    assert np.allclose(m["asa_seconds"], erlang.asa_seconds(calls, 15, aht, agents,
                                                            patience_seconds=patience), atol=1e-6)
    ab = 0.0 if patience is None else erlang.abandon_rate(calls, 15, aht, agents, patience)
    assert np.allclose(m["abandon_rate"], ab, atol=1e-9)
    assert m["p_truncated"].max() < 1e-9


def test_time_varying_model_carries_the_backlog_as_the_simulation_does():
    # handle time = the interval (15 min): an hour at 95 % load, then an hour at 70 %.  Stationary
    # Erlang says 29 % then 94 % within 60 s; the queue really builds up slowly from empty and
    # drains slowly afterwards.  The chain is the simulation's own model (Poisson arrivals,
    # exponential handle times, constant agents), so it must agree with a long simulation.
    calls = np.r_[np.full(4, 19.0), np.full(4, 14.0)]
    m = time_varying_queue_metrics(calls, 20, 15, 900.0, 60, initial="empty")
    stationary = erlang.service_level(calls, 15, 900.0, 20, 60)
    within, inbound, runs = 0.0, 0.0, []
    for seed in range(1000):
        s = simulate(calls, 20, 15, aht_seconds=900.0, answer_within_seconds=60, seed=seed).per_interval
        within, inbound = within + s["answered_within"].to_numpy(), inbound + s["inbound_calls"].to_numpy()
        runs.append(s["service_level"].fillna(1.0).to_numpy())
    se = np.std(runs, axis=0) / np.sqrt(len(runs))
    assert np.all(np.abs(m["service_level"] - within / inbound) <= 4 * se + 0.005)
    assert np.abs(stationary - within / inbound)[[1, 2, 3, 4, 5]].min() > 0.05  # stationary is wrong
    assert m["service_level"].iloc[4] < stationary[4] - 0.2  # the backlog after the busy hour


def test_time_varying_model_edge_cases_and_bad_input():
    m = time_varying_queue_metrics([5.0, 0.0, 5.0], [0, 0, 3], 15, 300.0, 20)
    assert m["service_level"].iloc[0] == 0.0  # nobody to answer, nobody hangs up
    assert m["service_level"].iloc[1] == 1.0 and m["abandon_rate"].iloc[1] == 0.0  # no calls
    assert 0 < m["service_level"].iloc[2] < 1  # the backlog of the first interval is still there
    many = time_varying_queue_metrics([5.0, 5.0], 200, 15, 300.0, 20)
    assert np.allclose(many["service_level"], 1.0)
    for kwargs, match in [({"agents": 2.5}, "agents must be whole numbers"),
                          ({"aht_seconds": -3.0}, "aht_seconds must be > 0"),
                          ({"patience_seconds": 0.0}, "patience_seconds must be > 0"),
                          ({"initial": "full"}, "initial must be")]:
        args = {"calls_offered": [5.0, 5.0], "agents": 3, "interval_minutes": 15, "aht_seconds": 300.0,
                "answer_within_seconds": 20, **kwargs}
        with pytest.raises(WfmInputError, match=match):
            time_varying_queue_metrics(**args)
