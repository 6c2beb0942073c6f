"""Tiny hand-built scheduling instances shared by the tests."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from wfm.io.rules import parse_rules
from optimiser.staffing.requirement import required_agents

TZ = "Europe/Stockholm"

BASE_RULES = {
    "interval_minutes": 60,
    "cyclic": False,
    "skill_groups": {"a": {"queues": ["reports"]}},
    "contracts": {"ft": {"hours_per_week": 40, "min_hours_per_week": 0, "max_hours_per_week": 168, "days_per_week": 7}},
    "headcount": [{"site": "x", "skill_group": "a", "contract": "ft", "agents": 100}],
    "breaks": {},
    "shift_templates": {"day": {"start_from": "00:00", "start_to": "23:00", "lengths_hours": [8]}},
    "costs": {"base_cost_per_hour": 100, "shortfall_penalty_per_agent_hour": 100000},
    "solver": {"time_limit_seconds": 20, "gap": 0.0},
}


def rules_dict(**overrides) -> dict:
    d = copy.deepcopy(BASE_RULES)
    for k, v in overrides.items():
        d[k] = v
    return d


def make_rules(**overrides):
    return parse_rules(rules_dict(**overrides), source="test_rules.yaml")


def requirement(profile, start="2025-01-07", queue="reports", interval_minutes=60, **extra) -> pd.DataFrame:
    """Requirement frame from a list of agents_required values."""
    idx = pd.date_range(pd.Timestamp(start, tz=TZ), periods=len(profile), freq=f"{interval_minutes}min")
    df = pd.DataFrame({"interval_start": idx, "queue": queue, "agents_required": np.asarray(profile, float)})
    for k, v in extra.items():
        df[k] = v
    return df


def day_profile(pairs, hours=24, default=0.0):
    """``{(h0, h1): agents}`` -> 24 hourly values."""
    out = [default] * hours
    for (h0, h1), v in pairs.items():
        for h in range(h0, h1):
            out[h] = v
    return out


def two_queue_requirement(shrinkage):
    idx = pd.date_range(pd.Timestamp("2025-01-07", tz=TZ), periods=24, freq="60min")
    h = np.asarray(idx.hour, float)
    frames = []
    for q, scale in (("reports", 1.0), ("english", 0.35)):
        calls = np.round(scale * (20 + 160 * np.exp(-((h - 12) / 4) ** 2)))
        req = required_agents(calls, 60, 300.0, answer_within_seconds=180, target_service_level=0.8,
                              shrinkage=shrinkage)
        frames.append(pd.DataFrame({"interval_start": idx, "queue": q, "calls_offered": calls, "aht_seconds": 300.0,
                                    "agents_required": req["agents_required"].to_numpy(), "shrinkage": shrinkage,
                                    "answer_within_seconds": 180.0}))
    return pd.concat(frames, ignore_index=True)


def two_queue_rules():
    """One multi-skilled group serving both queues of :func:`two_queue_requirement`, 8-hour shifts."""
    return make_rules(skill_groups={"both": {"queues": ["reports", "english"]}},
                      headcount=[{"site": "x", "skill_group": "both", "contract": "ft", "agents": 300}],
                      shift_templates={"d": {"start_from": "00:00", "start_to": "23:00", "lengths_hours": [8]}},
                      cyclic=True, service_level={"answer_within_seconds": 180, "target_service_level": 0.8,
                                                  "period": "day"})


def schedule_shifts() -> pd.DataFrame:
    """Three distinct shifts of a schedule frame (Monday 2026-01-05), one with an unpaid lunch."""
    s = pd.Timestamp("2026-01-05 07:00", tz=TZ)
    return pd.DataFrame({
        "shift_id": ["S1", "S2", "S3"],
        "template": ["day", "day", "night"],
        "skill_group": ["sv_all", "sv_reports", "sv_all"],
        "start": [s, s + pd.Timedelta(hours=1), s + pd.Timedelta(hours=15)],
        "end": [s + pd.Timedelta(hours=9), s + pd.Timedelta(hours=9), s + pd.Timedelta(hours=23)],
        "count": [12, 3, 5],
        "paid_minutes": [510, 450, 480],
        "breaks": ["2026-01-05T11:00:00+01:00/30/unpaid", "", ""],
    })
