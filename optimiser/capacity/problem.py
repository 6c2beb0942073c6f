"""The prepared capacity problem: settings, demand, today's staff and the classes that may run,
computed once and shared by the evaluation, the optimiser and the simulation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.monthly import MonthlyForecaster
from optimiser.capacity.demand import MonthDemand, build_demand
from optimiser.capacity.spec import CapacitySettings, HiringPlan
from optimiser.capacity.supply import (
    ClassOption,
    Cohorts,
    class_cohorts,
    class_options,
    staff_cohorts,
    transfer_fte,
)

__all__ = ["CapacityProblem", "prepare_problem"]


@dataclass(frozen=True)
class CapacityProblem:
    """Everything a plan is judged on.

    Attributes
    ----------
    settings : CapacitySettings
    demand : MonthDemand
    staff : Cohorts
        Today's staff, one entity per agent.
    transfers : ndarray
        Expected proficient FTE moved in (+) or out (-) per month.
    days : ndarray
        Days of each plan month.
    """

    settings: CapacitySettings
    demand: MonthDemand
    staff: Cohorts
    transfers: np.ndarray
    days: np.ndarray

    @property
    def months(self) -> tuple[dt.date, ...]:
        return self.demand.months

    @property
    def shrinkage(self) -> np.ndarray:
        """Total shrinkage of each plan month [share of paid time]."""
        return self.settings.shrinkage.for_months(list(self.months))

    @property
    def on_phone_hours_per_fte(self) -> np.ndarray:
        """Hours a proficient FTE is on the phone per week, where the requirement needs them
        (paid hours x (1 - shrinkage) x scheduling efficiency) [h/week]."""
        w = self.settings.workforce
        return w.hours_per_fte_week * (1.0 - self.shrinkage) * w.scheduling_efficiency

    @property
    def weeks(self) -> np.ndarray:
        """Weeks in each plan month [weeks]."""
        return self.days / 7.0

    def base_proficient_fte(self) -> np.ndarray:
        """Expected proficient FTE of today's staff plus transfers, per month."""
        return self.staff.expected("proficient") + self.transfers

    def classes(self, plan: HiringPlan) -> tuple[list[ClassOption], np.ndarray, Cohorts]:
        """A plan's classes as options, their sizes and the per-hire cohorts."""
        options = [ClassOption(c.class_type, c.start) for c in plan.classes]
        sizes = np.array([c.hires for c in plan.classes], dtype=float)
        return options, sizes, class_cohorts(options, self.settings)

    def options(self, *, respect_lead_time: bool = True) -> tuple[list[ClassOption], Cohorts]:
        """Every class that may run (see :func:`~optimiser.capacity.supply.class_options`) and its cohorts."""
        opts = class_options(self.settings, respect_lead_time=respect_lead_time)
        return opts, class_cohorts(opts, self.settings)


def prepare_problem(history: pd.DataFrame | MonthlyForecaster, staff: pd.DataFrame, settings: CapacitySettings, *,
                    default_aht_seconds: float | None = None) -> CapacityProblem:
    """Demand, today's staff and transfers for ``settings``.

    Parameters
    ----------
    history : DataFrame or MonthlyForecaster
        The long history frame, or a forecaster fitted on it (see
        :func:`~optimiser.capacity.demand.build_demand`).
    staff : DataFrame
        ``agent_id, hire_date, fte`` of today's staff (the agents file).
    settings : CapacitySettings
    default_aht_seconds : float, optional
        Handle time of queues whose history has none [s].
    """
    demand = build_demand(history, settings, default_aht_seconds=default_aht_seconds)
    h = settings.horizon
    bounds = [(m - h.start).days for m in h.month_starts] + [(h.end - h.start).days]
    return CapacityProblem(settings, demand, staff_cohorts(staff, settings), transfer_fte(settings),
                           np.diff(np.array(bounds, dtype=float)))
