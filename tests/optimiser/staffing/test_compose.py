"""Forecast + targets + what-ifs -> requirement, composed from the staffing modules."""

from __future__ import annotations

import pandas as pd
import pytest

from optimiser.staffing.compose import WhatIfs, apply_whatifs, plan_requirement
from optimiser.staffing.requirement import AccessibilityTargets, required_agents
from wfm.ground.errors import WfmInputError


def _forecast(calls=100.0, aht=180.0, n=8):
    idx = pd.date_range("2026-01-05 08:00", periods=n, freq="30min", tz="Europe/Stockholm")
    return pd.DataFrame({"interval_start": idx, "queue": "q", "calls_offered": calls, "aht_seconds": aht})


TARGETS = AccessibilityTargets(answer_within_seconds=20, target_service_level=0.8)


def test_neutral_whatifs_equal_the_plain_requirement():
    req, summary = plan_requirement(_forecast(), TARGETS)
    # 100 calls / 30 min x 180 s, 80 % in 20 s: 14 agents (Erlang C worked example, SL 0.888 at 14,
    # 0.78 at 13 -- the textbook case also used in tests/optimiser/test_erlang.py).
    assert (req["agents_on_phone"] == 14).all()
    assert summary["agent_hours_on_phone"] == pytest.approx(14 * 8 * 0.5)
    assert summary["peak_agents_required"] == 14


def test_aht_up_and_eservice_share_move_the_requirement_the_right_way():
    base, _ = plan_requirement(_forecast(), TARGETS)
    longer, _ = plan_requirement(_forecast(), TARGETS, WhatIfs(aht_change_pct=20))
    fewer, _ = plan_requirement(_forecast(), TARGETS, WhatIfs(share_moved_to_eservice=0.3))
    assert (longer["agents_on_phone"] >= base["agents_on_phone"]).all()
    assert (fewer["agents_on_phone"] <= base["agents_on_phone"]).all()
    # Load = calls x AHT / interval: 100 x 216 s / 1800 s = 12 Erlangs; 70 x 180 / 1800 = 7.
    assert longer["load_erlangs"].iloc[0] == pytest.approx(12.0)
    assert fewer["load_erlangs"].iloc[0] == pytest.approx(7.0)
    # and the scenario's requirement is the one required_agents gives for those inputs
    direct = required_agents(100.0, 30, 216.0, answer_within_seconds=20, target_service_level=0.8)
    assert longer["agents_on_phone"].iloc[0] == int(direct["agents_on_phone"].iloc[0])


def test_apply_whatifs_scales_every_calls_column():
    fc = _forecast()
    fc["calls_offered_p90"] = 120.0
    out = apply_whatifs(fc, WhatIfs(share_moved_to_eservice=0.25, aht_change_pct=-10))
    assert out["calls_offered"].iloc[0] == pytest.approx(75.0)
    assert out["calls_offered_p90"].iloc[0] == pytest.approx(90.0)
    assert out["aht_seconds"].iloc[0] == pytest.approx(162.0)
    assert fc["calls_offered"].iloc[0] == 100.0  # input untouched


def test_callback_offer_reports_accepted_calls_and_never_raises_the_inbound_peak():
    fc = _forecast(calls=160.0, n=4)
    targets = AccessibilityTargets(answer_within_seconds=180, target_service_level=0.8, patience_seconds=300)
    req, summary = plan_requirement(fc, targets, WhatIfs(callback_acceptance=0.5, callback_threshold_seconds=60))
    assert "callbacks_accepted" in req
    assert summary["callbacks_accepted"] >= 0
    assert (req["agents_on_phone"] <= req["agents_on_phone_without_offer"]).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"aht_change_pct": -100}, "aht_change_pct must be > -100, got -100"),
        ({"share_moved_to_eservice": 1.0}, r"share_moved_to_eservice must be in \[0, 1\), got 1.0"),
        ({"callback_acceptance": 1.5}, r"callback_acceptance must be in \[0, 1\], got 1.5"),
        ({"callback_window_minutes": 0}, "callback_window_minutes must be > 0, got 0"),
        ({"eservice_minutes_per_case": -1}, "eservice_minutes_per_case must be >= 0 and finite, got -1"),
        ({"eservice_deadline_hours": 0}, "eservice_deadline_hours must be > 0 and finite, got 0"),
    ],
)
def test_bad_whatifs_name_the_parameter_and_value(kwargs, match):
    with pytest.raises(WfmInputError, match=match):
        WhatIfs(**kwargs)


def test_an_explicit_offer_nobody_accepts_keeps_the_callback_columns_and_the_plain_requirement():
    # wfm staff with --callback-acceptance 0 still writes the call-back columns (offer_callbacks=True)
    fc = _forecast(calls=160.0, n=4)
    plain, _ = plan_requirement(fc, TARGETS)
    offered, summary = plan_requirement(fc, TARGETS, WhatIfs(callback_acceptance=0.0, offer_callbacks=True))
    assert "callbacks_accepted" in offered and "callbacks_accepted" not in plain
    assert (offered["callbacks_accepted"] == 0).all() and summary["callbacks_accepted"] == 0
    pd.testing.assert_series_equal(offered["agents_required"], plain["agents_required"], check_dtype=False)
    assert not WhatIfs(callback_acceptance=0.0).with_callbacks and WhatIfs(callback_acceptance=0.1).with_callbacks


def test_interval_and_source_are_passed_through():
    fc = _forecast().iloc[:1]  # one interval: its length cannot be inferred
    with pytest.raises(WfmInputError, match="fc.csv: cannot infer the interval length"):
        plan_requirement(fc, TARGETS, source="fc.csv")
    req, _ = plan_requirement(fc, TARGETS, interval_minutes=30)
    assert req.attrs["interval_minutes"] == 30 and int(req["agents_on_phone"].iloc[0]) == 14


def test_calls_moved_to_eservices_come_back_as_work_not_dropped():
    # 8 half-hours of 100 calls; 30 % move to e-services at 12 min a case: 240 cases x 12 min = 48 h
    # of e-service work on top of the smaller inbound requirement (issue 19: the page dropped it).
    base, s_base = plan_requirement(_forecast(), TARGETS)
    moved, s_moved = plan_requirement(_forecast(), TARGETS, WhatIfs(share_moved_to_eservice=0.3))
    not_counted, s_free = plan_requirement(_forecast(), TARGETS,
                                           WhatIfs(share_moved_to_eservice=0.3, eservice_minutes_per_case=0))
    assert (moved["agents_on_phone"] <= base["agents_on_phone"]).all()  # the queue itself is lighter
    assert (not_counted["eservice_agents"] == 0).all()
    work_hours = float((moved["eservice_agents"] * 0.5).sum())
    assert work_hours == pytest.approx(0.3 * 800 * 12 / 60)
    # 12 minutes a case is more than the 3 minutes of handle time the call took: more agent-hours, not fewer
    assert s_moved["agent_hours_scheduled"] > s_base["agent_hours_scheduled"] > s_free["agent_hours_scheduled"]
    assert (moved["agents_required"] >= not_counted["agents_required"]).all()


def test_eservice_work_adds_to_callback_work_not_replaces_it():
    offer = WhatIfs(callback_acceptance=0.5, callback_threshold_seconds=0)
    both = WhatIfs(callback_acceptance=0.5, callback_threshold_seconds=0, share_moved_to_eservice=0.3)
    cb, _ = plan_requirement(_forecast(), TARGETS, offer)
    req, _ = plan_requirement(_forecast(), TARGETS, both)
    assert req["callback_agents"].sum() > 0 and req["eservice_agents"].sum() > 0
    busy = req["agents_on_phone"] + req["callback_agents"] + req["eservice_agents"]
    assert (req["agents_required"] >= busy - 1e-9).all()
