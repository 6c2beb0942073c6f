"""Evaluate a hiring plan: per month, the operators required and available and the accessibility
they give.

For each plan month (see :mod:`optimiser.capacity.demand` and :mod:`optimiser.capacity.supply`):

* **required FTE** — proficient FTE whose on-phone hours (paid hours x (1 - shrinkage) x
  scheduling efficiency) meet the month's targets on its representative week; beside it the
  **interval requirement FTE**, which meets them in every interval (the composer's requirement);
* **available FTE** — today's staff still there, plus the plan's hires weighted by their
  proficiency (0 in training), plus transfers, plus overtime turned into FTE;
* **gap** — available minus required (negative: short);
* the **share answered within T**, the abandon rate, occupancy and ASA that the available
  operators give, deployed in the shape of the requirement (Erlang on the representative week).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimiser.capacity.demand import month_measures, target_slack
from optimiser.capacity.problem import CapacityProblem
from optimiser.capacity.spec import HiringPlan
from optimiser.capacity.supply import DAYS_PER_MONTH

__all__ = ["CLASS_COLUMNS", "MONTH_COLUMNS", "CapacityEvaluation", "available_on_phone_hours", "evaluate_plan"]

#: Columns of the month table (the public CSV/XLSX contract of ``wfm capacity``).
MONTH_COLUMNS: tuple[str, ...] = (
    "month", "calls_offered", "aht_seconds", "shrinkage", "requirement_hours_per_week",
    "required_on_phone_hours_per_week", "required_fte", "interval_requirement_fte",
    "headcount", "paid_fte", "trainees", "proficient_fte", "overtime_hours_per_week", "available_fte",
    "gap_fte", "service_level", "abandon_rate", "occupancy", "asa_seconds", "meets_target",
    "hires_starting", "leavers", "hiring_cost", "new_hire_salary_cost", "overtime_cost",
)
#: Columns of the class table.
CLASS_COLUMNS: tuple[str, ...] = (
    "class_type", "start", "hires", "on_phones_from", "proficient_from", "ends", "cost",
)


@dataclass(frozen=True)
class CapacityEvaluation:
    """A plan's month table and class table.

    Attributes
    ----------
    months : DataFrame
        :data:`MONTH_COLUMNS`, one row per plan month.
    classes : DataFrame
        :data:`CLASS_COLUMNS`, one row per class of the plan with hires.
    totals : dict
        ``hires``, ``cost`` (hiring, new hires' salaries in the plan, overtime), ``months_meeting_target``,
        ``months``, ``worst_month`` and ``worst_service_level``.
    """

    months: pd.DataFrame
    classes: pd.DataFrame
    totals: dict


def available_on_phone_hours(problem: CapacityProblem, proficient_fte, overtime_hours_per_week) -> np.ndarray:
    """On-phone hours per week the requirement can use: ``efficiency x (FTE x paid hours x (1 -
    shrinkage) + overtime)`` [h/week]."""
    w = problem.settings.workforce
    return w.scheduling_efficiency * (np.asarray(proficient_fte, float) * w.hours_per_fte_week * (1 - problem.shrinkage)
                                      + np.asarray(overtime_hours_per_week, float))


def _overtime(problem: CapacityProblem, plan: HiringPlan) -> np.ndarray:
    n = len(problem.months)
    return np.asarray(plan.overtime_hours_per_week, dtype=float) if plan.overtime_hours_per_week else np.zeros(n)


def _class_table(problem: CapacityProblem, plan: HiringPlan, cohorts, sizes) -> pd.DataFrame:
    settings = problem.settings
    rows = []
    salary = settings.workforce.salary_per_fte_month
    paid_months = (cohorts.alive * cohorts.paid * problem.days / DAYS_PER_MONTH).sum(axis=1)
    for c, n, paid in zip(plan.classes, sizes, paid_months):
        if n <= 0:
            continue
        kind = settings.hiring_type(c.class_type)
        on_phone = c.start + pd.Timedelta(weeks=kind.training_weeks)
        proficient = on_phone + pd.Timedelta(days=len(kind.ramp) * DAYS_PER_MONTH)
        ends = None if kind.fixed_term_months is None else c.start + pd.Timedelta(days=kind.fixed_term_months * DAYS_PER_MONTH)
        rows.append({"class_type": c.class_type, "start": c.start, "hires": int(n),
                     "on_phones_from": on_phone.date() if hasattr(on_phone, "date") else on_phone,
                     "proficient_from": proficient.date() if hasattr(proficient, "date") else proficient,
                     "ends": ends.date() if ends is not None and hasattr(ends, "date") else ends,
                     "cost": float(n * (kind.cost_per_hire + salary * paid))})
    return pd.DataFrame(rows, columns=list(CLASS_COLUMNS))


def evaluate_plan(problem: CapacityProblem, plan: HiringPlan | None = None, *, with_asa: bool = True) -> CapacityEvaluation:
    """The month table of ``plan`` (no hires when None).

    Raises
    ------
    WfmInputError
        A class of an unknown type, before the plan's start, after its end, or of a size its type
        does not allow (see :meth:`~optimiser.capacity.spec.HiringPlan.check`).
    """
    plan = plan or HiringPlan()
    plan.check(problem.settings)
    settings, demand = problem.settings, problem.demand
    options, sizes, cohorts = problem.classes(plan)
    overtime = _overtime(problem, plan)
    hires_prof = cohorts.expected("proficient", sizes) if len(options) else 0.0
    proficient = problem.base_proficient_fte() + hires_prof
    per_fte = problem.on_phone_hours_per_fte
    available_hours = available_on_phone_hours(problem, proficient, overtime)
    scale = np.where(demand.requirement_hours > 0, available_hours / np.maximum(demand.requirement_hours, 1e-12), 1.0)
    measures = month_measures(demand, scale, with_asa=with_asa)
    meets = target_slack(demand, measures) >= -1e-9
    monthly = demand.monthly.groupby("month", sort=True)
    calls = monthly["calls_offered"].sum().reindex(problem.months).to_numpy()
    aht = (demand.monthly.assign(w=demand.monthly["calls_offered"] * demand.monthly["aht_seconds"])
           .groupby("month")["w"].sum().reindex(problem.months).to_numpy() / np.maximum(calls, 1e-12))
    staff = problem.staff
    last_day_alive = staff.alive * staff.stay  # employed on the next month's first day
    headcount = last_day_alive.sum(axis=0)
    leavers = (staff.alive * (1 - staff.stay)).sum(axis=0)
    paid = staff.expected("paid") + problem.transfers
    trainees = (staff.alive * staff.training_days).sum(axis=0) / problem.days
    hires_start = np.zeros(len(problem.months))
    hiring_cost = np.zeros(len(problem.months))
    salary_cost = np.zeros(len(problem.months))
    if len(options):
        headcount = headcount + sizes @ (cohorts.alive * cohorts.stay)
        leavers = leavers + sizes @ (cohorts.alive * (1 - cohorts.stay))
        new_paid = cohorts.expected("paid", sizes)
        paid = paid + new_paid
        trainees = trainees + sizes @ (cohorts.alive * cohorts.training_days) / problem.days
        month_index = {m: k for k, m in enumerate(problem.months)}
        for c, n in zip(plan.classes, sizes):
            k = month_index[c.start.replace(day=1)]
            hires_start[k] += n
            hiring_cost[k] += n * settings.hiring_type(c.class_type).cost_per_hire
        salary_cost = new_paid * settings.workforce.salary_per_fte_month * problem.days / DAYS_PER_MONTH
    ot_cost = overtime * problem.weeks * settings.overtime.cost_per_hour
    required_fte = demand.required_hours / per_fte
    available_fte = available_hours / per_fte
    table = pd.DataFrame({
        "month": list(problem.months), "calls_offered": calls, "aht_seconds": aht, "shrinkage": problem.shrinkage,
        "requirement_hours_per_week": demand.requirement_hours,
        "required_on_phone_hours_per_week": demand.required_hours,
        "required_fte": required_fte, "interval_requirement_fte": demand.requirement_hours / per_fte,
        "headcount": headcount, "paid_fte": paid, "trainees": trainees, "proficient_fte": proficient,
        "overtime_hours_per_week": overtime, "available_fte": available_fte, "gap_fte": available_fte - required_fte,
        "service_level": measures["service_level"], "abandon_rate": measures["abandon_rate"],
        "occupancy": measures["occupancy"], "asa_seconds": measures.get("asa_seconds", np.full(len(calls), np.nan)),
        "meets_target": meets, "hires_starting": hires_start, "leavers": leavers, "hiring_cost": hiring_cost,
        "new_hire_salary_cost": salary_cost, "overtime_cost": ot_cost,
    })[list(MONTH_COLUMNS)]
    classes = _class_table(problem, plan, cohorts, sizes) if len(options) else pd.DataFrame(columns=list(CLASS_COLUMNS))
    worst = int(np.argmin(table["service_level"].to_numpy()))
    totals = {
        "hires": int(sizes.sum()) if len(options) else 0,
        "cost": float(hiring_cost.sum() + salary_cost.sum() + ot_cost.sum()),
        "months_meeting_target": int(meets.sum()), "months": len(meets),
        "worst_month": problem.months[worst], "worst_service_level": float(table["service_level"].iloc[worst]),
    }
    return CapacityEvaluation(table, classes, totals)
