"""Accuracy of the multi-skill flow approximation, checked with the discrete-event simulation.

The flow splits a multi-skilled group's agents over its queues and ignores pooling. Pooling can
only help, so (i) the simulated split system should match our Erlang prediction per queue within
sampling error and (ii) a fully pooled system (every agent takes both queues) should do at least
as well: the prediction is a conservative estimate of what the schedule achieves.
"""

import numpy as np
import pandas as pd
import pytest

from optimiser.scheduling import build_problem, solve
from optimiser.queueing.simulation import simulate
from optimiser.staffing.requirement import required_agents
from tests.optimiser.scheduling.sched_builders import TZ, make_rules


def test_flow_split_is_conservative_against_simulation():
    idx = pd.date_range(pd.Timestamp("2025-01-07", tz=TZ), periods=24, freq="60min")
    h = np.asarray(idx.hour, float)
    frames = []
    for q, scale in (("reports", 1.0), ("english", 0.4)):
        calls = np.round(scale * (30 + 150 * np.exp(-((h - 12) / 4) ** 2)))
        req = required_agents(calls, 60, 300.0, answer_within_seconds=180, target_service_level=0.8)
        frames.append(pd.DataFrame({"interval_start": idx, "queue": q, "calls_offered": calls, "aht_seconds": 300.0,
                                    "agents_required": req["agents_required"].to_numpy(), "shrinkage": 0.0}))
    req = pd.concat(frames, ignore_index=True)
    rules = make_rules(skill_groups={"bilingual": {"queues": ["reports", "english"]}},
                       headcount=[{"site": "x", "skill_group": "bilingual", "contract": "ft", "agents": 200}],
                       shift_templates={"d": {"start_from": "00:00", "start_to": "23:00", "lengths_hours": [8]}},
                       cyclic=True, service_level={"answer_within_seconds": 180})
    res = solve(build_problem(req, rules))
    assert res.status == "Optimal" and not res.shortfalls
    cov = res.coverage
    predicted = (cov["calls_offered"] * cov["service_level"]).sum() / cov["calls_offered"].sum()
    split_within = split_calls = 0.0
    for q in ("reports", "english"):
        c = cov[cov["queue"] == q]
        sim = simulate(c["calls_offered"].to_numpy(), c["agents_on_phone"].to_numpy().astype(int), 60,
                       aht_seconds=300.0, answer_within_seconds=180, seed=7)
        split_within += sim.per_interval["answered_within"].sum()
        split_calls += sim.per_interval["inbound_calls"].sum()
    pooled_calls = cov.groupby("interval_start")["calls_offered"].sum().to_numpy()
    pooled_agents = res.group_coverage["agents_working"].round().to_numpy().astype(int)
    pooled = simulate(pooled_calls, pooled_agents, 60, aht_seconds=300.0, answer_within_seconds=180, seed=7)
    pooled_sl = pooled.per_interval["answered_within"].sum() / pooled.per_interval["inbound_calls"].sum()
    split_sl = split_within / split_calls
    # ~3,000 simulated calls: a few points of sampling error; the Erlang prediction is stationary
    # per interval while the simulation carries queues across interval boundaries
    assert split_sl == pytest.approx(predicted, abs=0.06)
    assert pooled_sl >= split_sl - 0.02
