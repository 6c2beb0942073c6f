"""The capacity plan's inputs: typed, frozen and validated on construction.

Every check names the parameter by its path in the settings file (``hiring.types[0].ramp``,
``attrition[1].annual_rate``), the rule and the value, so the file reader, the CLI and the app
can all show the same message.

Units: shares are fractions (0.25, not 25 %); hours per week [h/week]; money in the planner's
currency per unit named in the field (``salary_per_fte_month``); dates are ``datetime.date``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting.monthly import first_of_month, month_starts
from optimiser.staffing.requirement import AccessibilityTargets
from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import check_interval_minutes, resolve_tz
from wfm.ground.vocabulary import DEFAULT_TZ

__all__ = [
    "SHRINKAGE_CATEGORIES",
    "AttritionBand",
    "CapacitySettings",
    "HiringLimits",
    "HiringPlan",
    "HiringType",
    "MonthWhatIf",
    "Overtime",
    "PlannedClass",
    "PlanHorizon",
    "ShrinkageProfile",
    "Transfer",
    "WORKING_DAYS_PER_MONTH",
    "Workforce",
    "as_date",
    "check_share",
]

#: Shrinkage categories, in the order tables show them.
SHRINKAGE_CATEGORIES: tuple[str, ...] = ("vacation", "sick_leave", "training", "meetings", "other")
#: Working days in an average month (261 a year / 12), to turn vacation days into a share.
WORKING_DAYS_PER_MONTH = 261 / 12
#: Most months a plan may cover.
MAX_PLAN_MONTHS = 60

# Swedish defaults (see docs/capacity.md for the sources and the arithmetic)
#: Vacation days taken per calendar month by a full-timer: 25 days a year (semesterlagen 4 §),
#: four consecutive weeks in June-August (12 §), the fifth week around Christmas, sportlov,
#: Easter and höstlov.
SWEDISH_VACATION_DAYS: tuple[float, ...] = (1.0, 1.0, 0.5, 1.0, 0.0, 5.0, 9.0, 6.0, 0.0, 0.5, 0.0, 1.0)
#: Sick leave share by calendar month: about 4.8 % a year with the winter peak (influenza, RS).
SWEDISH_SICK_LEAVE: tuple[float, ...] = (0.065, 0.070, 0.060, 0.050, 0.040, 0.035, 0.030, 0.035, 0.045,
                                         0.050, 0.055, 0.060)
SWEDISH_TRAINING: tuple[float, ...] = (0.02, 0.02, 0.02, 0.02, 0.02, 0.005, 0.005, 0.005, 0.02, 0.02, 0.02, 0.01)
SWEDISH_MEETINGS: tuple[float, ...] = (0.03, 0.03, 0.03, 0.03, 0.03, 0.02, 0.01, 0.02, 0.03, 0.03, 0.03, 0.02)
SWEDISH_OTHER: tuple[float, ...] = (0.02,) * 12


def _fail(parameter: str, rule: str, value) -> WfmInputError:
    if isinstance(value, (np.floating, np.integer)):
        value = value.item()
    return WfmInputError(f"{parameter} must be {rule}, got {value!r}", parameter=parameter)


def _number(value, parameter: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not math.isfinite(float(value)):
        raise _fail(parameter, "a finite number", value)
    return float(value)


def check_share(value, parameter: str, *, upper_open: bool = True) -> float:
    """``value`` as a share in [0, 1) (or [0, 1] with ``upper_open=False``), else a named error."""
    v = _number(value, parameter)
    if v < 0 or (v >= 1 if upper_open else v > 1):
        raise _fail(parameter, "a share in [0, 1)" if upper_open else "a share in [0, 1]", value)
    return v


def _positive(value, parameter: str, *, allow_zero: bool = False) -> float:
    v = _number(value, parameter)
    if v < 0 or (v == 0 and not allow_zero):
        raise _fail(parameter, ">= 0" if allow_zero else "> 0", value)
    return v


def _whole(value, parameter: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low or \
            (high is not None and value > high):
        rule = f"a whole number >= {low}" if high is None else f"a whole number in [{low}, {high}]"
        raise _fail(parameter, rule, value)
    return int(value)


def as_date(value) -> dt.date | None:
    """A calendar date from a date, datetime, Timestamp or ``YYYY-MM-DD`` text; None when it is none."""
    if value is None or (isinstance(value, pd.Timestamp) and pd.isna(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _date(value, parameter: str) -> dt.date:
    date = as_date(value)
    if date is None:
        raise _fail(parameter, "a date YYYY-MM-DD", value)
    return date


@dataclass(frozen=True)
class PlanHorizon:
    """The months the plan covers.

    Parameters
    ----------
    start : date or str
        First month (any day in it; stored as the first of the month).
    months : int
        Number of calendar months, 1-60 (12-36 is the usual capacity horizon).
    interval_minutes : int, optional
        Slot length of the representative weeks [min]; default 60 (see docs/capacity.md on the
        choice); must be a multiple of the history's interval.
    tz : str
        IANA zone of the centre.
    target_from : date or str, optional
        First month the target must be met in ("reach 80 % by next summer"); the optimiser
        leaves the months before it free.  None: from the first month a class can reach.
    """

    start: dt.date
    months: int = 24
    interval_minutes: int = 60
    tz: str = DEFAULT_TZ
    target_from: dt.date | None = None

    def __post_init__(self):
        object.__setattr__(self, "start", first_of_month(self.start, "plan.start"))
        _whole(self.months, "plan.months", 1, MAX_PLAN_MONTHS)
        if self.target_from is not None:
            first = first_of_month(self.target_from, "plan.target_from")
            if first not in self.month_starts:
                raise WfmInputError(f"plan.target_from {first:%Y-%m} is outside the plan ({self.start:%Y-%m} .. "
                                    f"{self.month_starts[-1]:%Y-%m})", parameter="plan.target_from")
            object.__setattr__(self, "target_from", first)
        object.__setattr__(self, "interval_minutes",
                           check_interval_minutes(self.interval_minutes, parameter="plan.interval_minutes"))
        object.__setattr__(self, "tz", resolve_tz(self.tz, parameter="plan.tz"))

    @property
    def month_starts(self) -> list[dt.date]:
        return month_starts(self.start, self.months)

    @property
    def end(self) -> dt.date:
        """The day after the plan's last day."""
        last = self.month_starts[-1]
        return dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1)


@dataclass(frozen=True)
class ShrinkageProfile:
    """Share of paid time off the phone, by category and calendar month (January first).

    Parameters
    ----------
    shares : tuple of (category, 12 shares)
        One entry per category of :data:`SHRINKAGE_CATEGORIES` (missing ones are 0); every share
        in [0, 1) and each month's total below 1.
    """

    shares: tuple[tuple[str, tuple[float, ...]], ...]

    def __post_init__(self):
        seen = {}
        for entry in self.shares:
            name, values = entry
            if name not in SHRINKAGE_CATEGORIES:
                raise WfmInputError(f"shrinkage: unknown category {name!r}; categories are "
                                    f"{', '.join(SHRINKAGE_CATEGORIES)}", parameter=f"shrinkage.{name}")
            if name in seen:
                raise WfmInputError(f"shrinkage.{name} is given twice", parameter=f"shrinkage.{name}")
            values = tuple(values)
            if len(values) != 12:
                raise WfmInputError(f"shrinkage.{name} must hold 12 monthly shares (January first), got "
                                    f"{len(values)}", parameter=f"shrinkage.{name}")
            seen[name] = tuple(check_share(v, f"shrinkage.{name}[{k}]") for k, v in enumerate(values))
        object.__setattr__(self, "shares", tuple((c, seen.get(c, (0.0,) * 12)) for c in SHRINKAGE_CATEGORIES))
        totals = self.totals
        if (totals >= 1).any():
            k = int(np.flatnonzero(totals >= 1)[0])
            raise WfmInputError(f"shrinkage: the categories of calendar month {k + 1} add up to {totals[k]:.3f}; "
                                "the total must stay below 1", parameter="shrinkage")

    @classmethod
    def sweden(cls) -> "ShrinkageProfile":
        """The Swedish default: 25 vacation days with four weeks in June-August, winter sick leave."""
        vacation = tuple(d / WORKING_DAYS_PER_MONTH for d in SWEDISH_VACATION_DAYS)
        return cls((("vacation", vacation), ("sick_leave", SWEDISH_SICK_LEAVE), ("training", SWEDISH_TRAINING),
                    ("meetings", SWEDISH_MEETINGS), ("other", SWEDISH_OTHER)))

    def category(self, name: str) -> np.ndarray:
        return np.asarray(dict(self.shares)[name], dtype=float)

    @property
    def totals(self) -> np.ndarray:
        """Total shrinkage of each calendar month (12 values, January first)."""
        return np.sum([np.asarray(v, dtype=float) for _, v in self.shares], axis=0)

    def for_months(self, months: list[dt.date]) -> np.ndarray:
        """Total shrinkage of each plan month."""
        return self.totals[[m.month - 1 for m in months]]


@dataclass(frozen=True)
class AttritionBand:
    """Yearly attrition of staff whose tenure is in ``[from_months, to_months)``.

    Parameters
    ----------
    from_months : float
        Tenure at which the band starts [months since hire], >= 0.
    to_months : float or None
        Tenure at which it ends [months]; None: no end.
    annual_rate : float
        Share of the band's staff who leave in a year, in [0, 1).
    """

    from_months: float
    to_months: float | None
    annual_rate: float

    def monthly_rate(self) -> float:
        """Share leaving per month: ``1 - (1 - annual)^(1/12)``."""
        return 1.0 - (1.0 - self.annual_rate) ** (1.0 / 12.0)


def _check_attrition(bands: tuple[AttritionBand, ...]) -> None:
    if not bands:
        raise WfmInputError("attrition must hold at least one tenure band", parameter="attrition")
    expected = 0.0
    for k, band in enumerate(bands):
        p = f"attrition[{k}]"
        check_share(band.annual_rate, f"{p}.annual_rate")
        lo = _number(band.from_months, f"{p}.from_months")
        if abs(lo - expected) > 1e-9:
            raise WfmInputError(f"{p}.from_months must be {expected:g} (the bands run from tenure 0 without gaps "
                                f"or overlaps), got {lo:g}", parameter=f"{p}.from_months")
        if band.to_months is None:
            if k != len(bands) - 1:
                raise WfmInputError(f"{p}.to_months may be left open only in the last band",
                                    parameter=f"{p}.to_months")
            return
        hi = _number(band.to_months, f"{p}.to_months")
        if not hi > lo:
            raise _fail(f"{p}.to_months", f"> from_months ({lo:g})", band.to_months)
        expected = hi
    raise WfmInputError(f"attrition[{len(bands) - 1}].to_months must be left open (the last band has no end)",
                        parameter=f"attrition[{len(bands) - 1}].to_months")


@dataclass(frozen=True)
class HiringType:
    """A kind of hiring class: its training, ramp, size limits, cost and start dates.

    Parameters
    ----------
    name : str
    training_weeks : float
        Weeks off the phone in training from the class start [weeks], >= 0.
    ramp : tuple of float
        Proficiency in each month after training (shares in (0, 1]; after the last value, 1):
        a new operator at 0.7 handles calls taking 1/0.7 of the proficient handle time.
    min_class, max_class : int
        Size of a class that runs [people]; a class is either not run (0) or in this range.
    cost_per_hire : float
        Recruitment and training cost per hire besides salary [money].
    fte : float
        FTE share of a hire, in (0, 1].
    fixed_term_months : float, optional
        Fixed-term contract (e.g. summer temps) [months from the class start]; None: permanent.
    starts : tuple of date, or "monthly"
        Dates a class may start; ``"monthly"``: the first Monday of every month of the plan.
    """

    name: str
    training_weeks: float = 8.0
    ramp: tuple[float, ...] = (0.6, 0.75, 0.85, 0.95)
    min_class: int = 1
    max_class: int = 30
    cost_per_hire: float = 0.0
    fte: float = 1.0
    fixed_term_months: float | None = None
    starts: tuple[dt.date, ...] | str = "monthly"

    def validate(self, k: int) -> None:
        p = f"hiring.types[{k}]"
        if not isinstance(self.name, str) or not self.name.strip():
            raise _fail(f"{p}.name", "a non-empty text", self.name)
        _positive(self.training_weeks, f"{p}.training_weeks", allow_zero=True)
        for j, v in enumerate(self.ramp):
            x = _number(v, f"{p}.ramp[{j}]")
            if not 0 < x <= 1:
                raise WfmInputError(f"{p}.ramp[{j}] must be a proficiency in (0, 1] (1 = 100 %), got {v!r}",
                                    parameter=f"{p}.ramp")
        lo = _whole(self.min_class, f"{p}.min_class", 1)
        _whole(self.max_class, f"{p}.max_class", lo)
        _positive(self.cost_per_hire, f"{p}.cost_per_hire", allow_zero=True)
        fte = _number(self.fte, f"{p}.fte")
        if not 0 < fte <= 1:
            raise _fail(f"{p}.fte", "in (0, 1]", self.fte)
        if self.fixed_term_months is not None:
            term = _positive(self.fixed_term_months, f"{p}.fixed_term_months")
            if term * 30.44 / 7 <= self.training_weeks:
                raise WfmInputError(f"{p}.fixed_term_months ({term:g}) ends before training "
                                    f"({self.training_weeks:g} weeks) does", parameter=f"{p}.fixed_term_months")
        if isinstance(self.starts, str):
            if self.starts != "monthly":
                raise _fail(f"{p}.starts", "'monthly' or a list of dates", self.starts)
        else:
            object.__setattr__(self, "starts", tuple(_date(d, f"{p}.starts[{j}]") for j, d in enumerate(self.starts)))


@dataclass(frozen=True)
class HiringLimits:
    """What limits hiring.

    Parameters
    ----------
    lead_weeks : float
        Recruitment lead time [weeks]: no class can start earlier than this after the plan's
        start (decisions are taken at the start).
    training_seats : int, optional
        Most trainees in training at the same time [people]; None: no limit.
    budget : float, optional
        Most money the plan's hires may cost over the horizon (cost per hire, their salaries and
        overtime) [money]; None: no limit.
    max_hires_total : int, optional
        Most hires over the horizon [people]; None: no limit.
    """

    lead_weeks: float = 8.0
    training_seats: int | None = None
    budget: float | None = None
    max_hires_total: int | None = None

    def validate(self) -> None:
        _positive(self.lead_weeks, "hiring.lead_weeks", allow_zero=True)
        if self.training_seats is not None:
            _whole(self.training_seats, "hiring.training_seats", 0)
        if self.budget is not None:
            _positive(self.budget, "hiring.budget", allow_zero=True)
        if self.max_hires_total is not None:
            _whole(self.max_hires_total, "hiring.max_hires_total", 0)


@dataclass(frozen=True)
class Workforce:
    """How paid time turns into time on the phone, and what it costs.

    Parameters
    ----------
    hours_per_fte_week : float
        Paid hours of one FTE [h/week] (40 in Sweden).
    scheduling_efficiency : float
        Share of on-phone hours that a schedule can place where the requirement is, in (0, 1]:
        shifts cannot follow the interval requirement exactly.
    salary_per_fte_month : float
        Salary with social costs of one FTE [money/month].
    """

    hours_per_fte_week: float = 40.0
    scheduling_efficiency: float = 0.9
    salary_per_fte_month: float = 0.0

    def validate(self) -> None:
        h = _positive(self.hours_per_fte_week, "workforce.hours_per_fte_week")
        if h > 168:
            raise _fail("workforce.hours_per_fte_week", "at most 168", self.hours_per_fte_week)
        e = _number(self.scheduling_efficiency, "workforce.scheduling_efficiency")
        if not 0 < e <= 1:
            raise _fail("workforce.scheduling_efficiency", "in (0, 1]", self.scheduling_efficiency)
        _positive(self.salary_per_fte_month, "workforce.salary_per_fte_month", allow_zero=True)


@dataclass(frozen=True)
class Overtime:
    """Overtime limits.

    Parameters
    ----------
    max_hours_per_fte_month : float
        Most overtime per proficient FTE in a month [h]; Swedish law allows 50 h a month and
        200 h a year of general overtime (arbetstidslagen 8 §); 0 = none.
    cost_per_hour : float
        Cost of an overtime hour [money/h].
    """

    max_hours_per_fte_month: float = 0.0
    cost_per_hour: float = 0.0

    def validate(self) -> None:
        h = _positive(self.max_hours_per_fte_month, "overtime.max_hours_per_fte_month", allow_zero=True)
        if h > 50:
            raise _fail("overtime.max_hours_per_fte_month", "at most 50 (arbetstidslagen 8 §)", h)
        _positive(self.cost_per_hour, "overtime.cost_per_hour", allow_zero=True)


@dataclass(frozen=True)
class Transfer:
    """Proficient staff moving in (``fte`` > 0) or out (< 0) from the first day of ``month``."""

    month: dt.date
    fte: float
    note: str = ""


@dataclass(frozen=True)
class MonthWhatIf:
    """Planner what-ifs from ``month`` on (until the next row that sets the same knob).

    Parameters
    ----------
    month : date
    volume_change_pct : float, optional
        Calls above (+) or below (-) the forecast [%], > -100.
    share_moved_to_eservice : float, optional
        Share of the calls moved to e-services, in [0, 1).
    aht_change_pct : float, optional
        Handle time change [%], > -100 (e.g. -5 as more is done in the first call).
    """

    month: dt.date
    volume_change_pct: float | None = None
    share_moved_to_eservice: float | None = None
    aht_change_pct: float | None = None


@dataclass(frozen=True)
class CapacitySettings:
    """Everything a capacity plan needs besides the history and the staff.

    ``targets`` is the staffing stage's :class:`AccessibilityTargets` (its ``shrinkage`` must be
    0: shrinkage comes by month from ``shrinkage``).  ``types`` lists the hiring class kinds; the
    first one's training and ramp also apply to the staff already hired who are still new.
    ``default_aht_seconds`` is the handle time of queues whose history has none [s].
    """

    horizon: PlanHorizon
    targets: AccessibilityTargets
    types: tuple[HiringType, ...]
    attrition: tuple[AttritionBand, ...]
    shrinkage: ShrinkageProfile = field(default_factory=ShrinkageProfile.sweden)
    workforce: Workforce = field(default_factory=Workforce)
    limits: HiringLimits = field(default_factory=HiringLimits)
    overtime: Overtime = field(default_factory=Overtime)
    transfers: tuple[Transfer, ...] = ()
    what_ifs: tuple[MonthWhatIf, ...] = ()
    default_aht_seconds: float | None = None

    def __post_init__(self):
        if not isinstance(self.targets, AccessibilityTargets):
            raise WfmInputError("targets must be an AccessibilityTargets", parameter="targets")
        if self.targets.target_service_level is None:
            raise WfmInputError("targets.target_service_level is needed: the plan is measured by the share "
                                "answered within targets.answer_within_seconds", parameter="targets.target_service_level")
        if self.targets.shrinkage:
            raise WfmInputError("targets.shrinkage must be 0: a capacity plan takes shrinkage by month from "
                                "'shrinkage'", parameter="targets.shrinkage")
        if not self.types:
            raise WfmInputError("hiring.types must name at least one kind of hiring class", parameter="hiring.types")
        names = [t.name for t in self.types]
        for k, kind in enumerate(self.types):
            kind.validate(k)
            if names.count(kind.name) > 1:
                raise WfmInputError(f"hiring.types[{k}].name {kind.name!r} is used twice", parameter="hiring.types")
        _check_attrition(tuple(self.attrition))
        self.workforce.validate()
        self.limits.validate()
        if self.default_aht_seconds is not None:
            _positive(self.default_aht_seconds, "default_aht_seconds")
        self.overtime.validate()
        months = set(self.horizon.month_starts)
        object.__setattr__(self, "transfers", tuple(
            Transfer(first_of_month(tr.month, f"transfers[{k}].month"), tr.fte, tr.note)
            for k, tr in enumerate(self.transfers)))
        object.__setattr__(self, "what_ifs", tuple(
            MonthWhatIf(first_of_month(w.month, f"what_ifs[{k}].month"), w.volume_change_pct,
                        w.share_moved_to_eservice, w.aht_change_pct) for k, w in enumerate(self.what_ifs)))
        for k, tr in enumerate(self.transfers):
            m = tr.month
            if m not in months:
                raise WfmInputError(f"transfers[{k}].month {m:%Y-%m} is outside the plan "
                                    f"({self.horizon.start:%Y-%m} .. {self.horizon.month_starts[-1]:%Y-%m})",
                                    parameter=f"transfers[{k}].month")
            _number(tr.fte, f"transfers[{k}].fte")
        for k, w in enumerate(self.what_ifs):
            first_of_month(w.month, f"what_ifs[{k}].month")
            if w.volume_change_pct is not None and not _number(w.volume_change_pct, f"what_ifs[{k}].volume_change_pct") > -100:
                raise _fail(f"what_ifs[{k}].volume_change_pct", "> -100", w.volume_change_pct)
            if w.share_moved_to_eservice is not None:
                check_share(w.share_moved_to_eservice, f"what_ifs[{k}].share_moved_to_eservice")
            if w.aht_change_pct is not None and not _number(w.aht_change_pct, f"what_ifs[{k}].aht_change_pct") > -100:
                raise _fail(f"what_ifs[{k}].aht_change_pct", "> -100", w.aht_change_pct)

    def hiring_type(self, name: str) -> HiringType:
        for kind in self.types:
            if kind.name == name:
                return kind
        raise WfmInputError(f"no hiring class type named {name!r}; types are "
                            f"{', '.join(t.name for t in self.types)}", parameter="class_type")


@dataclass(frozen=True)
class PlannedClass:
    """One hiring class of a plan: ``hires`` people of ``class_type`` starting on ``start``."""

    class_type: str
    start: dt.date
    hires: int


@dataclass(frozen=True)
class HiringPlan:
    """A hiring plan to evaluate: its classes, and overtime per plan month [h/week, centre total].

    ``overtime_hours_per_week`` is empty (no overtime) or one value per plan month.
    """

    classes: tuple[PlannedClass, ...] = ()
    overtime_hours_per_week: tuple[float, ...] = ()

    def check(self, settings: CapacitySettings) -> None:
        """Every class of a known type, on or after the plan's start, in the plan, of a size its type allows.

        Raises
        ------
        WfmInputError
            Naming the class (``classes[2].start``) and the rule broken.
        """
        h = settings.horizon
        for k, c in enumerate(self.classes):
            p = f"classes[{k}]"
            kind = settings.hiring_type(c.class_type)
            start = _date(c.start, f"{p}.start")
            if start < h.start:
                raise WfmInputError(f"{p}.start {start} is before the plan's start {h.start}: a class that has "
                                    "already started belongs in the agents file (with its hire date)",
                                    parameter=f"{p}.start")
            if start >= h.end:
                raise WfmInputError(f"{p}.start {start} is after the plan's last day", parameter=f"{p}.start")
            n = _whole(c.hires, f"{p}.hires", 0)
            if n and not kind.min_class <= n <= kind.max_class:
                raise WfmInputError(f"{p}.hires must be 0 or in [{kind.min_class}, {kind.max_class}] "
                                    f"(the {kind.name} class size), got {n}", parameter=f"{p}.hires")
        if self.overtime_hours_per_week and len(self.overtime_hours_per_week) != h.months:
            raise WfmInputError(f"overtime_hours_per_week must hold one value per plan month ({h.months}), got "
                                f"{len(self.overtime_hours_per_week)}", parameter="overtime_hours_per_week")
        for k, v in enumerate(self.overtime_hours_per_week):
            _positive(v, f"overtime_hours_per_week[{k}]", allow_zero=True)
