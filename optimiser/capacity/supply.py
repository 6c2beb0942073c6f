"""Supply: who will be on the phones each month, from today's staff, hiring classes and transfers.

Everyone — an operator already employed or a hire of a planned class — is an *entity* followed
day by day over the plan:

* **employed** from the hire (class start) date until a fixed-term contract ends;
* **survival** ``S(t) = exp(-H(t))`` with the cumulative hazard of the attrition bands by tenure
  (a band's yearly rate ``r`` is a constant daily hazard ``-ln(1 - r) / 365.25``), counted from
  the plan's start for today's staff (whose tenure at the start comes from the hire date);
* **proficiency** 0 during training (``training_weeks`` from the hire date), then the ramp curve
  month by month after training, then 1.  A new operator at proficiency ``p`` handles calls in
  ``1/p`` of the proficient handle time, so counts as ``p`` proficient operators.

Per entity and month this module returns the factors the evaluation, the integer programme and the
simulation share (:class:`Cohorts`): the expected share still employed at the month's first day,
and per person employed then, the proficient FTE, the paid FTE and the chance to be employed at
the next month's first day.  Expected proficient FTE are therefore linear in the class sizes: the
integer programme uses exactly the numbers the evaluation reports.

Today's staff still in training or on the ramp follow the first hiring type's training and ramp.
Transfers are proficient staff from the first day of their month, leaving at the rate of the
longest-tenure band.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimiser.capacity.spec import AttritionBand, CapacitySettings, HiringType, as_date
from wfm.ground.errors import WfmInputError

__all__ = [
    "DAYS_PER_MONTH",
    "STAFF_COLUMNS",
    "ClassOption",
    "Cohorts",
    "class_cohorts",
    "check_staff",
    "class_options",
    "staff_cohorts",
    "transfer_fte",
    "training_overlaps",
]

#: Average days in a month (365.25 / 12), for tenure in months.
DAYS_PER_MONTH = 365.25 / 12
#: Columns of the staff frame (from the agents file: hire date and FTE share).
STAFF_COLUMNS: tuple[str, ...] = ("agent_id", "hire_date", "fte")


@dataclass(frozen=True)
class ClassOption:
    """A class that may run: its type and start date."""

    class_type: str
    start: dt.date

    @property
    def label(self) -> str:
        return f"{self.class_type} {self.start:%Y-%m-%d}"


@dataclass(frozen=True)
class Cohorts:
    """Monthly factors of entities (rows) over the plan's months (columns).

    Attributes
    ----------
    names : tuple of str
        One label per entity (an agent id, a class label).
    alive : ndarray
        Expected share of the entity still employed on the month's first day (its start day in
        the month it starts; 0 before) [share].
    proficient : ndarray
        Expected proficient FTE in the month per person employed on that first day [FTE].
    paid : ndarray
        Expected paid FTE in the month per person employed on that first day [FTE].
    stay : ndarray
        Chance to be employed on the next month's first day, given employed on this month's [share].
    training_days : ndarray
        Days of the month in training, per person employed on the first day [days].
    """

    names: tuple[str, ...]
    alive: np.ndarray
    proficient: np.ndarray
    paid: np.ndarray
    stay: np.ndarray
    training_days: np.ndarray

    def expected(self, what: str, sizes=None) -> np.ndarray:
        """Expected ``proficient`` or ``paid`` FTE, or ``headcount``, per month (summed over entities,
        each weighted by ``sizes`` when given, e.g. the hires of each class)."""
        per = {"proficient": self.alive * self.proficient, "paid": self.alive * self.paid,
               "headcount": self.alive}[what]
        if sizes is None:
            return per.sum(axis=0)
        return np.asarray(sizes, dtype=float) @ per


def _hazard_table(bands: tuple[AttritionBand, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Band starts [days of tenure] and daily hazards [1/day]."""
    starts = np.array([b.from_months * DAYS_PER_MONTH for b in bands], dtype=float)
    rates = np.array([-np.log1p(-b.annual_rate) / 365.25 for b in bands], dtype=float)
    return starts, rates


def cumulative_hazard(tenure_days: np.ndarray, bands: tuple[AttritionBand, ...]) -> np.ndarray:
    """``H(t)``: the integral of the daily hazard from tenure 0 to ``tenure_days`` (clipped at 0)."""
    starts, rates = _hazard_table(bands)
    t = np.maximum(np.asarray(tenure_days, dtype=float), 0.0)
    ends = np.append(starts[1:], np.inf)
    return sum(rate * np.clip(t - lo, 0.0, hi - lo) for lo, hi, rate in zip(starts, ends, rates))


def proficiency(tenure_days: np.ndarray, kind: HiringType) -> np.ndarray:
    """Proficiency at a tenure: 0 in training, then the ramp month by month, then 1."""
    t = np.asarray(tenure_days, dtype=float)
    after = t - kind.training_weeks * 7.0
    ramp = np.append(np.asarray(kind.ramp, dtype=float), 1.0)
    k = np.clip(np.floor(after / DAYS_PER_MONTH), 0, len(ramp) - 1).astype(int)
    return np.where(after >= 0, ramp[k], 0.0)


def _month_bounds(settings: CapacitySettings) -> np.ndarray:
    """Day offsets (from the plan's start) of each month's first day, and the plan's end."""
    h = settings.horizon
    days = [(m - h.start).days for m in h.month_starts]
    return np.array(days + [(h.end - h.start).days])


def _monthly(employed: np.ndarray, survival: np.ndarray, prof: np.ndarray, training: np.ndarray,
             fte: np.ndarray, bounds: np.ndarray, names) -> Cohorts:
    """Monthly factors from daily arrays (entities x days; survival relative to day 0 of each entity)."""
    n, n_months = employed.shape[0], len(bounds) - 1
    alive = np.zeros((n, n_months))
    proficient, paid, stay, train = (np.zeros((n, n_months)) for _ in range(4))
    es = employed * survival
    for m in range(n_months):
        a, b = bounds[m], bounds[m + 1]
        block = es[:, a:b]
        on = employed[:, a:b] > 0
        first = np.where(on.any(axis=1), on.argmax(axis=1), -1)
        ref = np.where(first >= 0, block[np.arange(n), np.maximum(first, 0)], 0.0)
        alive[:, m] = ref
        safe = np.where(ref > 0, ref, 1.0)
        days = b - a
        proficient[:, m] = np.where(ref > 0, (block * prof[:, a:b]).sum(axis=1) / days / safe, 0.0) * fte
        paid[:, m] = np.where(ref > 0, block.sum(axis=1) / days / safe, 0.0) * fte
        train[:, m] = np.where(ref > 0, (block * training[:, a:b]).sum(axis=1) / safe, 0.0)
        nxt = es[:, b]  # the next month's first day (the day after the plan for the last month)
        stay[:, m] = np.where(ref > 0, nxt / safe, 1.0)
    return Cohorts(tuple(names), alive, proficient, paid, np.clip(stay, 0.0, 1.0), train)


def check_staff(staff: pd.DataFrame, plan_start: dt.date, what: str = "staff") -> pd.DataFrame:
    """Today's staff as ``agent_id``, ``hire_date`` (date) and ``fte`` (share in (0, 1]), checked.

    Raises
    ------
    WfmInputError
        A missing column, an unreadable or future hire date (after the plan's start), or an FTE
        share outside (0, 1] — naming the agent.
    """
    missing = [c for c in STAFF_COLUMNS if c not in staff.columns]
    if missing:
        raise WfmInputError(f"{what}: needs column(s) {', '.join(missing)} (the agents file's hire_date and fte)",
                            parameter="staff")
    if staff.empty:
        raise WfmInputError(f"{what}: no staff", parameter="staff")
    fte = pd.to_numeric(staff["fte"], errors="coerce").to_numpy(float)
    hires = []  # plain lists: one pass over 800 agents, not three pandas look-ups per agent
    for agent, raw, share, raw_fte in zip(staff["agent_id"].tolist(), staff["hire_date"].tolist(), fte,
                                          staff["fte"].tolist()):
        hire = as_date(raw)
        if hire is None:
            raise WfmInputError(f"{what}: agent {agent}: hire_date must be a date YYYY-MM-DD, got {raw!r}",
                                parameter="hire_date")
        if hire > plan_start:
            raise WfmInputError(f"{what}: agent {agent}: hire_date {hire} is after the plan's start "
                                f"{plan_start}; future hires are hiring classes", parameter="hire_date")
        if not (np.isfinite(share) and 0 < share <= 1):
            raw_fte = raw_fte.item() if hasattr(raw_fte, "item") else raw_fte
            raise WfmInputError(f"{what}: agent {agent}: fte must be a share in (0, 1], got {raw_fte!r}",
                                parameter="fte")
        hires.append(hire)
    return pd.DataFrame({"agent_id": staff["agent_id"].astype(str).to_numpy(), "hire_date": hires, "fte": fte})


def staff_cohorts(staff: pd.DataFrame, settings: CapacitySettings) -> Cohorts:
    """Monthly factors of today's staff (one entity per agent; see :func:`check_staff`)."""
    staff = check_staff(staff, settings.horizon.start)
    bounds = _month_bounds(settings)
    n_days = int(bounds[-1])
    start = settings.horizon.start
    tenure0 = np.array([(start - d).days for d in staff["hire_date"]], dtype=float)
    days = np.arange(n_days + 1, dtype=float)
    tenure = tenure0[:, None] + days[None, :]
    bands = tuple(settings.attrition)
    survival = np.exp(-(cumulative_hazard(tenure, bands) - cumulative_hazard(tenure0, bands)[:, None]))
    kind = settings.types[0]
    prof = proficiency(tenure, kind)
    training = (tenure < kind.training_weeks * 7.0).astype(float)
    employed = np.ones_like(tenure)
    return _monthly(employed, survival, prof, training, staff["fte"].to_numpy(float), bounds,
                    staff["agent_id"].tolist())


def class_options(settings: CapacitySettings, *, respect_lead_time: bool = True) -> list[ClassOption]:
    """Every class that may start in the plan (its type's start dates, or the first Monday of each
    month), no earlier than the recruitment lead time after the plan's start when asked."""
    h = settings.horizon
    earliest = h.start + dt.timedelta(weeks=settings.limits.lead_weeks) if respect_lead_time else h.start
    out = []
    for kind in settings.types:
        if isinstance(kind.starts, str):
            dates = [m + dt.timedelta(days=(7 - m.weekday()) % 7) for m in h.month_starts]
        else:
            dates = sorted(dt.date.fromisoformat(str(d)) if not isinstance(d, dt.date) else d for d in kind.starts)
        out += [ClassOption(kind.name, d) for d in dates if earliest <= d < h.end]
    return out


def class_cohorts(options: list[ClassOption], settings: CapacitySettings) -> Cohorts:
    """Monthly factors of ONE hire of each class option (multiply by the class size)."""
    bounds = _month_bounds(settings)
    n_days = int(bounds[-1])
    days = np.arange(n_days + 1, dtype=float)
    bands = tuple(settings.attrition)
    n = len(options)
    employed, survival, prof, training = (np.zeros((n, n_days + 1)) for _ in range(4))
    fte = np.zeros(n)
    for i, opt in enumerate(options):
        kind = settings.hiring_type(opt.class_type)
        offset = (opt.start - settings.horizon.start).days
        tenure = days - offset
        end = np.inf if kind.fixed_term_months is None else kind.fixed_term_months * DAYS_PER_MONTH
        employed[i] = ((tenure >= 0) & (tenure < end)).astype(float)
        survival[i] = np.exp(-cumulative_hazard(tenure, bands))
        prof[i] = proficiency(tenure, kind)
        training[i] = ((tenure >= 0) & (tenure < kind.training_weeks * 7.0)).astype(float)
        fte[i] = kind.fte
    return _monthly(employed, survival, prof, training, fte, bounds, [o.label for o in options])


def training_overlaps(options: list[ClassOption], settings: CapacitySettings) -> list[tuple[dt.date, tuple[int, ...]]]:
    """The distinct sets of class options in training on the same day, with the first such day.

    A training-seat limit must hold for each set (hires of the classes in training together).
    """
    seen: dict[tuple[int, ...], dt.date] = {}
    h = settings.horizon
    spans = []
    for opt in options:
        kind = settings.hiring_type(opt.class_type)
        spans.append((opt.start, opt.start + dt.timedelta(days=kind.training_weeks * 7.0)))
    for day_start in sorted({s for s, e in spans if e > s}):
        members = tuple(i for i, (s, e) in enumerate(spans) if s <= day_start < e)
        if members and members not in seen and day_start < h.end:
            seen[members] = day_start
    # keep only maximal sets (a subset's limit is implied)
    sets = sorted(seen.items(), key=lambda kv: -len(kv[0]))
    kept: list[tuple[tuple[int, ...], dt.date]] = []
    for members, day in sets:
        if not any(set(members) <= set(k) for k, _ in kept):
            kept.append((members, day))
    return [(day, members) for members, day in sorted(kept, key=lambda kv: kv[1])]


def transfer_fte(settings: CapacitySettings) -> np.ndarray:
    """Expected proficient FTE moved in (+) or out (-) by transfers, per plan month."""
    bounds = _month_bounds(settings)
    days = np.arange(int(bounds[-1]), dtype=float)
    top = settings.attrition[-1]
    rate = -np.log1p(-top.annual_rate) / 365.25
    out = np.zeros(len(bounds) - 1)
    for tr in settings.transfers:
        offset = (dt.date(tr.month.year, tr.month.month, 1) - settings.horizon.start).days
        t = days - offset
        daily = np.where(t >= 0, float(tr.fte) * np.exp(-rate * np.maximum(t, 0.0)), 0.0)
        out += np.array([daily[bounds[m]:bounds[m + 1]].mean() for m in range(len(bounds) - 1)])
    return out
