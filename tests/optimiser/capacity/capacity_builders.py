"""Small hand-built capacity cases: a synthetic hourly history, settings and staff."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from optimiser.capacity.spec import (
    AttritionBand,
    CapacitySettings,
    HiringLimits,
    HiringType,
    PlanHorizon,
    ShrinkageProfile,
    Workforce,
)
from optimiser.staffing.requirement import AccessibilityTargets

TZ = "Europe/Stockholm"
#: Hour-of-day shape of the synthetic queue (mean 1).
HOURLY = np.array([0.2, 0.15, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.6, 1.9, 2.0, 1.9, 1.7, 1.7, 1.8, 1.7, 1.5,
                   1.3, 1.1, 0.9, 0.7, 0.5, 0.4, 0.3])
HOURLY = HOURLY / HOURLY.mean()


def hourly_history(start="2023-01-01", months=36, calls_per_hour=40.0, aht_seconds=300.0, *, growth_per_year=0.0,
                   season=None, queues=("q",), tz=TZ, noise=0.0, seed=0) -> pd.DataFrame:
    """An hourly history: ``calls_per_hour`` x the hour shape x growth x ``season[month - 1]``."""
    first = pd.Timestamp(start).tz_localize(tz)
    end = (pd.Timestamp(start) + pd.DateOffset(months=months)).tz_localize(tz)
    stamps = pd.date_range(first.tz_convert("UTC"), end.tz_convert("UTC"), freq="h", inclusive="left").tz_convert(tz)
    local = stamps.tz_localize(None)
    years = (local - pd.Timestamp(start)) / pd.Timedelta(days=365.25)
    factor = HOURLY[local.hour] * (1 + growth_per_year) ** np.asarray(years)
    if season is not None:
        factor = factor * np.asarray(season, dtype=float)[local.month - 1]
    rng = np.random.default_rng(seed)
    parts = []
    for q in queues:
        calls = calls_per_hour * factor
        if noise:
            calls = calls * rng.lognormal(0.0, noise, size=len(calls))
        parts.append(pd.DataFrame({"interval_start": stamps, "queue": q, "calls_offered": np.round(calls, 3),
                                   "aht_seconds": aht_seconds}))
    return pd.concat(parts, ignore_index=True)


def settings(*, start="2026-01", months=6, types=None, attrition=None, limits=None, shrinkage=None,
             targets=None, workforce=None, **kwargs) -> CapacitySettings:
    """Small settings: Erlang C 80 % in 60 s, no shrinkage, no attrition, one monthly permanent type."""
    return CapacitySettings(
        horizon=PlanHorizon(start, months, 60, TZ),
        targets=targets or AccessibilityTargets(answer_within_seconds=60, target_service_level=0.8),
        types=types or (HiringType("permanent", training_weeks=4, ramp=(0.5, 0.8), min_class=1, max_class=20,
                                   cost_per_hire=1000.0),),
        attrition=attrition or (AttritionBand(0, None, 0.0),),
        shrinkage=shrinkage or ShrinkageProfile((("other", (0.0,) * 12),)),
        workforce=workforce or Workforce(hours_per_fte_week=40.0, scheduling_efficiency=1.0, salary_per_fte_month=100.0),
        limits=limits or HiringLimits(lead_weeks=0.0),
        **kwargs)


def staff(n=10, hired="2020-01-01", fte=1.0) -> pd.DataFrame:
    """``n`` proficient operators hired on ``hired``."""
    return pd.DataFrame({"agent_id": [f"A{i:03d}" for i in range(n)],
                         "hire_date": [dt.date.fromisoformat(hired)] * n, "fte": [fte] * n})
