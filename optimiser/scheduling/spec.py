"""The scheduling problem as typed, frozen data.

Everything the optimiser needs goes in as one :class:`SchedulingProblem`; the
YAML rules file (:mod:`wfm.io.rules`) and the requirement CSV
(:mod:`wfm.io.requirement`) are two ways of filling it.  Times of day
are stored as minutes after local midnight (``start_minutes``) and offsets
inside a shift as minutes after the shift start, so every field carries its
unit in its name.

References
----------
Dantzig, G. B. (1954). A comment on Edie's "Traffic delays at toll booths".
    Journal of the Operations Research Society of America 2(3), 339-341.
Koole, G. & van der Sluis, E. (2003). Optimal shift scheduling with a global
    service level constraint. IIE Transactions 35(11), 1049-1055.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from wfm.ground.vocabulary import DEFAULT_TZ
OBJECTIVES: tuple[str, ...] = ("cost", "global-sl", "max-sl")
SOLVERS: tuple[str, ...] = ("highs", "cbc")
SL_PERIODS: tuple[str, ...] = ("day", "week", "horizon")


@dataclass(frozen=True)
class BreakRule:
    """A break placed by the optimiser inside a window of the shift.

    Attributes
    ----------
    name : str
        Label used in the schedule CSV and in variable names (``lunch``).
    minutes : int
        Break length [min]; a multiple of the interval length.
    paid : bool
        Paid breaks cost like working time; unpaid ones are deducted.
    window_start_minutes, window_end_minutes : int
        Earliest and latest break *start* [min after shift start]; the break
        must end inside the shift.
    min_shift_minutes : int
        The rule applies only to shifts at least this long [min].
    """

    name: str
    minutes: int
    paid: bool
    window_start_minutes: int
    window_end_minutes: int
    min_shift_minutes: int = 0


@dataclass(frozen=True)
class ShiftTemplate:
    """A family of shifts: allowed start times x allowed lengths x days.

    Each (start time, length) pair is one *shift type*; the optimiser chooses
    how many agents of each skill group start each shift type on each day.

    Attributes
    ----------
    name : str
        Family name (``day``, ``night``) used in messages and variable names.
    start_minutes : tuple of int
        Allowed start times [min after local midnight], 0 <= s < 1440.
    length_minutes : tuple of int
        Allowed shift lengths including breaks [min], at most 1440.
    days : tuple of int
        Allowed start weekdays, 0 = Monday ... 6 = Sunday.
    skill_groups : tuple of str
        Skill groups that may work it; empty = every group.
    breaks : tuple of str
        Names of the :class:`BreakRule` s that apply (each only when the
        shift is at least its ``min_shift_minutes``).
    max_agents_per_day : int or None
        Cap on agents starting a shift of this family per day, all groups.
    """

    name: str
    start_minutes: tuple[int, ...]
    length_minutes: tuple[int, ...]
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    skill_groups: tuple[str, ...] = ()
    breaks: tuple[str, ...] = ()
    max_agents_per_day: int | None = None

    @property
    def n_shift_types(self) -> int:
        return len(self.start_minutes) * len(self.length_minutes)


@dataclass(frozen=True)
class SkillGroup:
    """Agents with the same skills; ``queues`` they may answer."""

    name: str
    queues: tuple[str, ...]


@dataclass(frozen=True)
class Contract:
    """Working-time contract.

    Attributes
    ----------
    name : str
        ``full_time``, ``part_time`` (shared with ``data/demo_agents.csv``).
    hours_per_week : float
        Nominal paid hours per week [h].
    min_hours_per_week, max_hours_per_week : float
        Bounds on paid hours per agent and week [h] (enforced on the pool).
    days_per_week : int
        Working days per week; the rest are days off.
    """

    name: str
    hours_per_week: float
    min_hours_per_week: float
    max_hours_per_week: float
    days_per_week: int


@dataclass(frozen=True)
class Headcount:
    """Agents available at one site with one skill group and contract."""

    site: str
    skill_group: str
    contract: str
    agents: int


@dataclass(frozen=True)
class DaysOffRule:
    """How days off form weekly tours.

    Attributes
    ----------
    consecutive : bool
        Days off of a week are consecutive (cyclically, Sun-Mon counts).
    same_start_within_week : bool
        Every agent starts the same shift type on each working day of a week.
    """

    consecutive: bool = True
    same_start_within_week: bool = False


@dataclass(frozen=True)
class CostRules:
    """Hourly cost and premiums [currency per agent-hour].

    The rate of an interval is ``base_cost_per_hour + night premium (if in
    the night window) + max(weekend premium, holiday premium)`` when they
    apply; unpaid breaks are deducted at the rate of the interval they fall in.
    Penalties price the elastic slack of the covering constraints.
    """

    base_cost_per_hour: float = 1.0
    night_premium_per_hour: float = 0.0
    night_start_minutes: int = 22 * 60
    night_end_minutes: int = 6 * 60
    weekend_premium_per_hour: float = 0.0
    holiday_premium_per_hour: float = 0.0
    #: dates that count as holidays besides the country's (``extra_holidays``)
    holidays: tuple[dt.date, ...] = ()
    #: the country whose public holidays count (``wfm.ground.calendar.public_holidays`` for the
    #: dates the plan covers), or None
    holiday_country: str | None = None
    #: when given, the only years the plan may cover (a plan outside them is refused, never
    #: silently left without holidays)
    holiday_years: tuple[int, ...] = ()
    shortfall_penalty_per_agent_hour: float = 1000.0
    overstaffing_penalty_per_agent_hour: float = 0.0


@dataclass(frozen=True)
class IntervalLimit:
    """Minimum/maximum agents working (not on break) in a daily time window.

    ``queue == "*"`` limits all agents; otherwise the agents allocated to that
    queue.  ``end_minutes`` may be 1440; a window with end < start wraps past
    midnight.
    """

    queue: str
    days: tuple[int, ...]
    start_minutes: int
    end_minutes: int
    min_agents: float | None = None
    max_agents: float | None = None


@dataclass(frozen=True)
class OpeningHours:
    """A queue is answered only inside these daily windows (several allowed)."""

    queue: str
    days: tuple[int, ...]
    start_minutes: int
    end_minutes: int


@dataclass(frozen=True)
class DeferredWork:
    """Work that can wait: ``workload_agent_minutes`` of ``queue`` work to be
    done between ``release`` and ``deadline`` (tz-aware timestamps)."""

    name: str
    queue: str
    workload_agent_minutes: float
    release: pd.Timestamp
    deadline: pd.Timestamp


@dataclass(frozen=True)
class ServiceLevelTarget:
    """Global service level: ``target_service_level`` of the period's calls
    answered within ``answer_within_seconds``."""

    answer_within_seconds: float = 180.0
    target_service_level: float = 0.8
    period: str = "week"


@dataclass(frozen=True)
class ServiceFloor:
    """The per-interval floor: no queue-interval with calls below this (see the module docstring).

    Attributes
    ----------
    min_service_level : float
        Share of the interval's calls answered within T at the floor [fraction, 0 <= x < 1];
        0 switches this part off.
    min_agents_on_phone : int
        Whole agents on the phone in every interval with calls [agents, >= 0].
    """

    min_service_level: float = 0.5
    min_agents_on_phone: int = 1

    def __post_init__(self):
        if not 0.0 <= self.min_service_level < 1.0:
            raise ValueError(f"min_service_level must be in [0, 1), got {self.min_service_level}")
        if self.min_agents_on_phone < 0 or int(self.min_agents_on_phone) != self.min_agents_on_phone:
            raise ValueError(f"min_agents_on_phone must be a whole number >= 0, got {self.min_agents_on_phone}")


@dataclass(frozen=True)
class ShiftDesign:
    """Terms that make a schedule simpler to run (the classic shift-design objective; Musliu, Schaerf &
    Slany 2004; Di Gaspero et al. 2007).  All off by default.

    Attributes
    ----------
    cost_per_shift : float
        Cost of each agent-shift [currency per agent-shift], added to the plan's cost.
    cost_per_shift_type : float
        Cost of each distinct shift type used [currency per type], added to the plan's cost.
    shift_type : str
        What makes shifts the same type: ``day_start_length`` (weekday, start time and length: the
        Monday 07:00 8 h shift and the Tuesday one are two types) or ``start_length`` (start time and
        length, whatever the day).  Skill groups and templates do not matter.
    max_shift_types : int or None
        At most this many distinct shift types in the plan (hard).
    min_average_shift_hours : float or None
        The agent-shifts of the plan last at least this long on average, start to end [h] (hard).
    """

    cost_per_shift: float = 0.0
    cost_per_shift_type: float = 0.0
    shift_type: str = "day_start_length"
    max_shift_types: int | None = None
    min_average_shift_hours: float | None = None

    @property
    def counts_types(self) -> bool:
        """True when the plan needs to know which shift types are used (a type cost or cap)."""
        return self.cost_per_shift_type > 0 or self.max_shift_types is not None


SHIFT_TYPE_KEYS: tuple[str, ...] = ("day_start_length", "start_length")
COVERAGE_MODES: tuple[str, ...] = ("elastic", "hard")


@dataclass(frozen=True)
class SolverSettings:
    """Which MIP solver, and when it may stop.

    ``gap`` is the relative MIP gap [fraction] at which the solver stops;
    ``time_limit_seconds`` a wall-clock limit [s].
    """

    solver: str = "highs"
    time_limit_seconds: float = 60.0
    gap: float = 0.01
    threads: int | None = None
    msg: bool = False


@dataclass(frozen=True)
class Rules:
    """Everything from the rules file; combined with a requirement it makes a
    :class:`SchedulingProblem`."""

    interval_minutes: int = 15
    tz: str = DEFAULT_TZ
    cyclic: bool = True
    skill_groups: tuple[SkillGroup, ...] = ()
    contracts: tuple[Contract, ...] = ()
    headcount: tuple[Headcount, ...] = ()
    days_off: DaysOffRule = DaysOffRule()
    break_rules: tuple[BreakRule, ...] = ()
    templates: tuple[ShiftTemplate, ...] = ()
    costs: CostRules = CostRules()
    limits: tuple[IntervalLimit, ...] = ()
    opening_hours: tuple[OpeningHours, ...] = ()
    deferred_work: tuple[DeferredWork, ...] = ()
    recurring_deferred_work: tuple[dict, ...] = field(default=(), compare=False)
    service_level: ServiceLevelTarget = ServiceLevelTarget()
    service_floor: ServiceFloor = ServiceFloor()
    shift_design: ShiftDesign = ShiftDesign()
    coverage: str = "elastic"
    objective: str = "cost"
    headcount_total: int | None = None
    solver: SolverSettings = SolverSettings()
    #: The rules file's ``roster:`` section as written (``ruleset:`` and overrides), for the
    #: roster of this schedule (:func:`optimiser.roster.rules.ruleset_from_rules`).
    roster: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class SchedulingProblem:
    """A complete, validated scheduling problem.

    Attributes
    ----------
    requirement : pandas.DataFrame
        Long frame, one row per (queue, interval): ``interval_start``
        (tz-aware), ``queue``, ``agents_required`` and optionally
        ``calls_offered``, ``aht_seconds``, ``shrinkage``,
        ``answer_within_seconds``, ``patience_seconds`` (needed for service
        level curves).
    intervals : pandas.DatetimeIndex
        The horizon's interval starts, tz-aware, consecutive; 1-4 weeks.
    interval_minutes : int
        15 or 60 [min].
    rules : Rules
        Templates, breaks, contracts, costs, limits, objective, solver.
    """

    requirement: pd.DataFrame = field(compare=False, repr=False)
    intervals: pd.DatetimeIndex = field(compare=False, repr=False)
    interval_minutes: int
    rules: Rules

    @property
    def queues(self) -> tuple[str, ...]:
        return tuple(sorted(self.requirement["queue"].astype(str).unique()))

    @property
    def tz(self) -> str:
        return self.rules.tz

    @property
    def objective(self) -> str:
        return self.rules.objective

    @property
    def solver(self) -> SolverSettings:
        return self.rules.solver

    @property
    def n_days(self) -> int:
        return len(self.days)

    @property
    def days(self) -> list[dt.date]:
        local = self.intervals.tz_convert(self.tz)
        return sorted(set(local.date))

    @property
    def horizon_weeks(self) -> float:
        return self.n_days / 7.0

    def with_rules(self, **changes) -> SchedulingProblem:
        """A copy with some :class:`Rules` fields replaced (e.g. objective)."""
        from dataclasses import replace

        return replace(self, rules=replace(self.rules, **changes))
