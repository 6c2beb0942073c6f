"""The planner's session: one typed object for everything that flows between the pages.

One :class:`Session` lives in ``st.session_state`` (:func:`get_session`); pages read and write its
fields instead of loose string keys. It holds what the planner chose or loaded (the history and its
upload, the forecast settings, targets, what-ifs, the rules, the schedule/roster/risk/replay settings,
the scenario picks) until they change it, and every result the pages computed from those choices.

Every result is a :class:`Computed`: the value, its own :class:`Stamp` and the stamps of the inputs it
was computed from (its fingerprint). :func:`changed_inputs` compares those with the session's current
inputs, so a page can say a result is stale and what changed, instead of showing it as current.

A stamp's ``key`` is its identity (equal keys, same value): a hash of the value for small typed
inputs (targets, what-ifs, rules text, settings), a content hash for an upload, a fresh token for a
run's result. Its ``kind`` and ``facts`` say in plain values what it is, so a page can describe it in
the planner's language (:func:`app_pages.describe.describe_stamp`).

This module holds no Streamlit widgets and no library logic: types, defaults and comparisons only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field, fields, replace
from typing import Any, Generic, TypeVar

from optimiser.staffing.compose import WhatIfs
from optimiser.staffing.requirement import AccessibilityTargets
from wfm.ground.vocabulary import DEFAULT_TZ

T = TypeVar("T")

SESSION_KEY = "wfm_session"


# --------------------------------------------------------------------------- stamps and results
@dataclass(frozen=True)
class Stamp:
    """The identity of one input or result, and what it is in plain values.

    Attributes
    ----------
    key : str
        Equal keys mean the same value.
    kind : str
        What it is (``history``, ``forecast``, ``targets``, ...), for describing it.
    facts : tuple of (str, object)
        Plain values that describe it (file name, horizon, target share, ...).
    """

    key: str
    kind: str
    facts: tuple[tuple[str, Any], ...] = ()

    def fact(self, name: str, default: Any = None) -> Any:
        return dict(self.facts).get(name, default)


@dataclass
class Computed(Generic[T]):
    """A result and the fingerprint of what it was computed from.

    Attributes
    ----------
    value : T
    stamp : Stamp
        This result's own identity (a later result that uses it records this stamp).
    inputs : dict of str to Stamp
        Input name -> the stamp that input had when the result was computed.
    computed_at : datetime
    """

    value: T
    stamp: Stamp
    inputs: dict[str, Stamp]
    computed_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())


@dataclass(frozen=True)
class Change:
    """One input that differs from what a result was computed from."""

    name: str
    was: Stamp | None
    now: Stamp | None


def digest(*parts: Any) -> str:
    """A short stable hash of the ``repr`` of ``parts`` (for small typed values only)."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:16]


def fresh_key(prefix: str) -> str:
    """A new unique key for a result that has just been computed."""
    return f"{prefix}:{uuid.uuid4().hex[:12]}"


def changed_inputs(result: Computed | None, current: dict[str, Stamp | None]) -> list[Change]:
    """The inputs of ``result`` whose current stamp differs from the recorded one (in ``current``'s order).

    Only the names in ``current`` are compared, so a page asks about the inputs that matter to it.
    """
    if result is None:
        return []
    out = []
    for name, now in current.items():
        was = result.inputs.get(name)
        if (was.key if was else None) != (now.key if now else None):
            out.append(Change(name, was, now))
    return out


# --------------------------------------------------------------------------- the planner's choices
@dataclass(frozen=True)
class UploadState:
    """The last history upload and what became of it.

    ``status`` is ``none`` (nothing chosen yet), ``accepted`` or ``refused`` (``errors`` say why).
    """

    status: str = "none"
    file_name: str = ""
    tz: str = DEFAULT_TZ
    mapping_text: str = ""
    errors: tuple[str, ...] = ()
    content_key: str = ""     # hash of the file, zone and mapping it was read with


@dataclass(frozen=True)
class ForecastChoice:
    """What the planner chose on the Forecast page: the library's settings they set (see
    :meth:`settings`) and which events file goes with them."""

    queues: tuple[str, ...] = ()          # empty = every queue
    horizon_days: int = 7
    interval_minutes: int = 15
    model: str = "weekly_mean"
    backtest: bool = False
    events_name: str = ""                 # the events file's name, "" = none
    events_key: str = ""                  # its content hash

    def settings(self):
        """The library's :class:`forecasting.pipeline.ForecastSettings` for this choice."""
        from forecasting.pipeline import ForecastSettings

        return ForecastSettings(self.horizon_days, self.interval_minutes, model=self.model, backtest=self.backtest,
                                queues=self.queues or None)


@dataclass(frozen=True)
class RulesChoice:
    """The scheduling rules the planner chose on the Schedule page (or the demo's, by default).

    ``text`` is the YAML as edited; ``quick_plan`` coarsens start times and lengths before parsing;
    ``source`` says where the text came from (``demo``, ``edited``).
    """

    text: str = ""
    quick_plan: bool = True
    source: str = "demo"

    @property
    def stamp(self) -> Stamp:
        return Stamp(f"rules:{digest(self.text, self.quick_plan)}", "rules",
                     (("source", self.source), ("quick_plan", self.quick_plan)))


@dataclass(frozen=True)
class ScheduleSettings:
    """How the Schedule page solves: objective, headcount (best accessibility), time limit, solver."""

    objective: str = "cost"
    headcount: int = 500
    time_limit_seconds: int = 120
    solver: str = "highs"

    @property
    def stamp(self) -> Stamp:
        facts = (("objective", self.objective), ("time_limit_seconds", self.time_limit_seconds),
                 ("solver", self.solver))
        if self.objective == "max-sl":
            facts += (("headcount", self.headcount),)
        key = digest(self.objective, self.headcount if self.objective == "max-sl" else None,
                     self.time_limit_seconds, self.solver)
        return Stamp(f"schedule_settings:{key}", "schedule_settings", facts)


@dataclass(frozen=True)
class RosterSettings:
    """Roster choices: roster only as many agents as the schedule was built for."""

    match_schedule_headcount: bool = True
    pseudonymise: bool = False


@dataclass(frozen=True)
class RiskSettings:
    """Risk page: how sure (days out of 10 meeting the target) and how many sampled days."""

    days_out_of_10: int = 9
    samples: int = 200

    @property
    def confidence(self) -> float:
        return self.days_out_of_10 / 10.0

    @property
    def stamp(self) -> Stamp:
        return Stamp(f"risk_settings:{digest(self.days_out_of_10, self.samples)}", "risk_settings",
                     (("days_out_of_10", self.days_out_of_10), ("samples", self.samples)))


@dataclass(frozen=True)
class ReplaySettings:
    """Replay page: first replayed day (None = four weeks before the history ends), weeks, runs, precision."""

    cut: dt.date | None = None
    weeks: int = 1
    replications: int = 3
    precision_points: float = 1.0

    @property
    def stamp(self) -> Stamp:
        return Stamp(f"replay_settings:{digest(self.cut, self.weeks, self.replications, self.precision_points)}",
                     "replay_settings", (("cut", self.cut), ("weeks", self.weeks)))


@dataclass(frozen=True)
class ScenarioPicks:
    """The two scenarios compared on the Scenarios page (None = the page's default pair)."""

    name_a: str | None = None
    name_b: str | None = None
    version_a: int | None = None
    version_b: int | None = None


def default_targets() -> AccessibilityTargets:
    """The demo's accessibility targets: 80 % within 3 minutes, at most 10 % hang up, 30 % shrinkage."""
    return AccessibilityTargets(answer_within_seconds=180.0, target_service_level=0.8, max_abandon_rate=0.1,
                                max_occupancy=0.9, patience_seconds=300.0, shrinkage=0.3)


def targets_stamp(targets: AccessibilityTargets) -> Stamp:
    facts = tuple((f.name, getattr(targets, f.name)) for f in fields(targets))
    return Stamp(f"targets:{digest(facts)}", "targets", facts)


def whatifs_stamp(whatifs: WhatIfs) -> Stamp:
    facts = tuple((f.name, getattr(whatifs, f.name)) for f in fields(whatifs)
                  if getattr(whatifs, f.name) != getattr(WhatIfs(), f.name))
    return Stamp(f"whatifs:{digest(facts)}", "whatifs", facts)


# --------------------------------------------------------------------------- the session
@dataclass
class Session:
    """Everything that flows between the pages, typed.

    Choices persist until the planner changes them; results carry their inputs' stamps.
    ``history`` is None while the demo is used (it is loaded by a cached loader, not copied here).
    """

    language: str = "en"
    # Data
    source: str = "demo"                                  # demo | upload
    upload: UploadState = UploadState()
    uploaded: Computed | None = None                      # Computed[DataFrame]: the accepted upload
    mapping_text: str = ""                                # the column mapping the planner made (YAML), "" = none
    # Forecast
    forecast_choice: ForecastChoice = ForecastChoice()
    events: Computed | None = None                        # Computed[DataFrame]: the special-events file in use
    forecast: Computed | None = None                      # Computed[ForecastResult] from the Forecast page
    # Staffing
    targets: AccessibilityTargets = field(default_factory=default_targets)
    whatifs: WhatIfs = WhatIfs()
    pooling: bool = False
    requirement: Computed | None = None                   # Computed[(requirement frame, summary)]
    # Schedule
    rules: RulesChoice = RulesChoice()
    schedule_settings: ScheduleSettings = ScheduleSettings()
    schedule: Computed | None = None                      # Computed[BuiltSchedule]
    # Roster
    agents: Computed | None = None                        # Computed[(agents, unavailability)]; None = demo list
    roster_settings: RosterSettings = RosterSettings()
    roster: Computed | None = None                        # Computed[RosterResult]
    # Risk and replay
    risk_settings: RiskSettings = RiskSettings()
    risk: Computed | None = None                          # Computed[ScheduleRisk]
    replay_settings: ReplaySettings = ReplaySettings()
    replay: Computed | None = None                        # Computed[ReplayResult]
    # Scenarios
    scenario_picks: ScenarioPicks = ScenarioPicks()
    # Work running in the background, by the name of the field its result goes to
    runs: dict[str, "RunEntry"] = field(default_factory=dict)
    # Runs the planner stopped: not started again on their own until asked
    paused: set[str] = field(default_factory=set)
    # Earlier results by field name, newest last (a planner who goes back to earlier inputs sees them again)
    memo: dict[str, list] = field(default_factory=dict)

    MEMO_SIZE = 6

    def remember(self, name: str, result: Computed) -> None:
        """Keep ``result`` as ``self.<name>`` and among the recent results of ``name``."""
        setattr(self, name, result)
        kept = [r for r in self.memo.get(name, []) if r.inputs != result.inputs]
        self.memo[name] = (kept + [result])[-self.MEMO_SIZE:]

    def recall(self, name: str, inputs: dict[str, Stamp]) -> Computed | None:
        """The recent result of ``name`` computed from exactly ``inputs`` (compared by key), if any."""
        want = {k: v.key for k, v in inputs.items()}
        for result in reversed(self.memo.get(name, [])):
            if {k: v.key for k, v in result.inputs.items()} == want:
                return result
        return None

    def targets_stamp(self) -> Stamp:
        return targets_stamp(self.targets)

    def whatifs_stamp(self) -> Stamp:
        return whatifs_stamp(self.whatifs)

    def with_choice(self, **changes: Any) -> "Session":
        """Set choices in place (returns self); a convenience for pages and tests."""
        for name, value in changes.items():
            if not hasattr(self, name):
                raise AttributeError(f"Session has no field {name!r}")
            setattr(self, name, value)
        return self


@dataclass
class RunEntry:
    """Work running in the background: the run, the inputs it started from (recorded in its result),
    the kind and facts of the result's stamp, and what its progress hook last said."""

    run: Any                          # wfm.ground.background.BackgroundRun
    inputs: dict[str, Stamp]
    kind: str
    facts: tuple = ()
    info: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BuiltSchedule:
    """A schedule and what it was built with: the rules (text and parsed), the settings, the headcount."""

    result: Any                       # optimiser.scheduling.result.ScheduleResult
    rules: RulesChoice
    parsed_rules: Any                 # optimiser.scheduling.spec.Rules as solved (headcount applied)
    settings: ScheduleSettings
    horizon_days: int


def get_session(state: Any = None) -> Session:
    """The session object in ``state`` (default ``st.session_state``), created on first use."""
    if state is None:
        import streamlit as st

        state = st.session_state
    session = state.get(SESSION_KEY) if hasattr(state, "get") else None
    if session is None:
        session = Session()
        state[SESSION_KEY] = session
    return session


__all__ = [
    "BuiltSchedule", "Change", "Computed", "ForecastChoice", "ReplaySettings", "RiskSettings",
    "RosterSettings", "RulesChoice", "RunEntry", "ScenarioPicks", "ScheduleSettings", "Session", "Stamp", "UploadState",
    "changed_inputs", "default_targets", "digest", "fresh_key", "get_session", "replace", "targets_stamp",
    "whatifs_stamp",
]
