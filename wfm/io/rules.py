"""The scheduling rules file (YAML): read, validate, write; and the roster rule sets it may name.

Every mistake is refused with the file, the key path and the reason, e.g.
``rules.yaml: shift_templates.night.lengths_hours[2]: a shift may not be
longer than a day (24 h = 1440 min), got 25 h``.  All problems found are collected
and raised together as one :class:`wfm.ground.errors.WfmInputError`.  The YAML
itself is read by the one loader, :func:`wfm.ground.yamlfile.load_yaml` (safe,
bounded).

:func:`parse_rules` checks the file section by section, one function each
(``_skill_groups``, ``_contracts``, ``_headcount``, ``_break_rules``,
``_templates``, ``_costs``, ``_limits``, ``_opening_hours``, ``_deferred_work``,
``_service_level``, ``_solver``, ``_roster``).  The optional ``roster:`` section
names the working-time rule set of the roster built from this schedule
(``ruleset:``, default ``sweden``) and overrides its fields; it is kept in
:attr:`Rules.roster`, and :func:`optimiser.roster.rules.ruleset_from_rules` makes
the :class:`~optimiser.roster.rules.RuleSet` from it.

:func:`load_ruleset` reads a roster rule set for ``wfm roster``: a packaged name
(``sweden``) or a rules file's ``roster:`` section.

The format is documented in ``docs/scheduling.md`` and ``docs/rostering.md`` and
exemplified by ``data/demo_rules.yaml``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml

from optimiser.roster.rules import RuleSet, packaged_ruleset, packaged_rulesets, ruleset_from_section
from optimiser.scheduling.spec import (
    COVERAGE_MODES,
    OBJECTIVES,
    SHIFT_TYPE_KEYS,
    SL_PERIODS,
    SOLVERS,
    BreakRule,
    Contract,
    CostRules,
    DaysOffRule,
    Headcount,
    IntervalLimit,
    OpeningHours,
    Rules,
    ServiceFloor,
    ServiceLevelTarget,
    ShiftDesign,
    ShiftTemplate,
    SkillGroup,
    SolverSettings,
)
from wfm.ground.calendar import holiday_coverage
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ, MINUTES_PER_DAY, WEEKDAYS
from wfm.ground.yamlfile import load_yaml

__all__ = ["coarsen_rules_text", "dump_rules", "load_rules", "load_ruleset", "load_skill_groups", "parse_rules",
           "rules_from_text", "rules_to_dict"]

TOP_KEYS = {
    "version", "timezone", "interval_minutes", "cyclic", "objective", "headcount_total",
    "skill_groups", "contracts", "headcount", "days_off", "breaks", "shift_templates",
    "costs", "limits", "opening_hours", "deferred_work", "service_level", "solver", "roster",
    "service_floor", "shift_design", "coverage",
}
SKILL_KEYS = {"queues"}
CONTRACT_KEYS = {"hours_per_week", "min_hours_per_week", "max_hours_per_week", "days_per_week"}
HEADCOUNT_KEYS = {"site", "skill_group", "contract", "agents"}
DAYS_OFF_KEYS = {"consecutive", "same_start_within_week"}
BREAK_KEYS = {"minutes", "paid", "window_start", "window_end", "min_shift_hours"}
TEMPLATE_KEYS = {
    "start_from", "start_to", "start_every_minutes", "start_times", "lengths_hours",
    "days", "skill_groups", "breaks", "max_agents_per_day",
}
COST_KEYS = {
    "base_cost_per_hour", "night_premium_per_hour", "night_start", "night_end",
    "weekend_premium_per_hour", "holiday_premium_per_hour", "holiday_country",
    "holiday_years", "extra_holidays", "shortfall_penalty_per_agent_hour",
    "overstaffing_penalty_per_agent_hour",
}
#: Money keys of ``costs`` and their defaults [currency per agent-hour].
MONEY_DEFAULTS = {"base_cost_per_hour": 1.0, "night_premium_per_hour": 0.0, "weekend_premium_per_hour": 0.0,
                  "holiday_premium_per_hour": 0.0, "shortfall_penalty_per_agent_hour": 1000.0,
                  "overstaffing_penalty_per_agent_hour": 0.0}
LIMIT_KEYS = {"queue", "days", "from", "to", "min_agents", "max_agents"}
OPENING_KEYS = {"days", "from", "to"}
DEFERRED_KEYS = {"name", "queue", "workload_agent_minutes", "days", "release", "deadline"}
SL_KEYS = {"answer_within_seconds", "target_service_level", "period"}
SOLVER_KEYS = {"name", "time_limit_seconds", "gap", "threads", "msg"}
FLOOR_KEYS = {"min_service_level", "min_agents_on_phone"}
DESIGN_KEYS = {"cost_per_shift", "cost_per_shift_type", "shift_type", "max_shift_types", "min_average_shift_hours"}


class _Collector:
    """Collects errors as ``file: key.path: reason`` strings."""

    def __init__(self, source: str):
        self.source = source
        self.errors: list[str] = []

    def add(self, path: str, reason: str) -> None:
        self.errors.append(f"{self.source}: {path}: {reason}")

    def keys(self, node: Any, allowed: set[str], path: str) -> dict:
        if node is None:
            return {}
        if not isinstance(node, dict):
            self.add(path, f"must be a mapping, got {type(node).__name__} {node!r}")
            return {}
        for key in node:
            if key not in allowed:
                self.add(f"{path}.{key}" if path else str(key),
                         f"unknown key {key!r}; allowed keys: {', '.join(sorted(allowed))}")
        return node

    def given(self, node: dict, key: str, path: str, default, required: bool):
        """``(value, key path)``; the value is None when not given (recorded when it is required)."""
        value = node.get(key, default)
        where = f"{path}.{key}" if path else key
        if value is None and required:
            self.add(where, "is required")
        return value, where

    def number(self, node: dict, key: str, path: str, *, default=None, minimum=None,
               maximum=None, integer=False, required=False, strict_min=False):
        value, where = self.given(node, key, path, default, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.add(where, f"must be a number, got {value!r}")
            return None
        if integer and int(value) != value:
            self.add(where, f"must be a whole number, got {value!r}")
            return None
        if minimum is not None and (value < minimum or (strict_min and value == minimum)):
            rel = ">" if strict_min else ">="
            self.add(where, f"must be {rel} {minimum}, got {value!r}")
            return None
        if maximum is not None and value > maximum:
            self.add(where, f"must be <= {maximum}, got {value!r}")
            return None
        return int(value) if integer else float(value)

    def clock(self, node: dict, key: str, path: str, *, default=None, allow_24=False,
              required=False) -> int | None:
        """``"HH:MM"`` -> minutes after midnight (or after shift start)."""
        value, where = self.given(node, key, path, default, required)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            # YAML 1.1 reads unquoted 06:00 as a sexagesimal integer (360).
            minutes = value
        else:
            try:
                hh, mm = str(value).split(":")
                minutes = int(hh) * 60 + int(mm)
                if not 0 <= int(mm) < 60:
                    raise ValueError
            except ValueError:
                self.add(where, f"must be a time written HH:MM, got {value!r}")
                return None
        top = MINUTES_PER_DAY if allow_24 else MINUTES_PER_DAY - 1
        if not 0 <= minutes <= top:
            self.add(where, f"must be between 00:00 and {'24:00' if allow_24 else '23:59'}, got {value!r}")
            return None
        return minutes

    def days(self, node: dict, key: str, path: str) -> tuple[int, ...]:
        value = node.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            return tuple(range(7))
        if isinstance(value, str):
            value = [value]
        out = []
        for i, day in enumerate(value):
            if day in WEEKDAYS:
                out.append(WEEKDAYS.index(day))
            else:
                self.add(f"{where}[{i}]", f"must be one of {', '.join(WEEKDAYS)}, got {day!r}")
        return tuple(sorted(set(out)))

    def choice(self, node: dict, key: str, path: str, choices: tuple, default: str) -> str:
        """``node[key]`` when it is one of ``choices``, else ``default`` (and the problem is recorded)."""
        value = node.get(key, default)
        if value not in choices:
            self.add(f"{path}.{key}" if path else key, f"must be one of {', '.join(choices)}, got {value!r}")
            return default
        return value

    def boolean(self, node: dict, key: str, path: str, default: bool) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            self.add(f"{path}.{key}" if path else key, f"must be true or false, got {value!r}")
            return default
        return value

    def sections(self, data: dict, key: str, allowed: set[str], shape: str) -> list[tuple[str, str, dict]]:
        """``(name, path, node)`` of each entry of the non-empty mapping ``data[key]`` of named sections
        (``shape`` says what one looks like in the message), each checked for unknown keys."""
        value = data.get(key)
        if not isinstance(value, dict) or not value:
            self.add(key, f"must be a non-empty mapping of {shape}, got {value!r}")
            return []
        return [(name, f"{key}.{name}", self.keys(node, allowed, f"{key}.{name}")) for name, node in value.items()]

    def multiple_of(self, value: int | None, step: int, where: str, what: str) -> None:
        if value is not None and value % step:
            self.add(where, f"{what} must be a multiple of interval_minutes={step}, got {value} min")


@dataclass(frozen=True)
class _Top:
    """The file's top-level settings."""

    interval_minutes: int
    tz: str
    cyclic: bool
    objective: str
    headcount_total: int | None


# --- sections ------------------------------------------------------------------------------

def _top(col: _Collector, data: dict) -> _Top:
    interval_minutes = col.number(data, "interval_minutes", "", default=15, integer=True) or 15
    if interval_minutes not in (15, 30, 60):
        col.add("interval_minutes", f"must be 15, 30 or 60, got {interval_minutes}")
        interval_minutes = 15
    tz = data.get("timezone", DEFAULT_TZ)
    try:
        zoneinfo.ZoneInfo(str(tz))
    except Exception:
        col.add("timezone", f"must be an IANA time zone such as {DEFAULT_TZ}, got {tz!r}")
        tz = DEFAULT_TZ
    cyclic = col.boolean(data, "cyclic", "", True)
    objective = col.choice(data, "objective", "", OBJECTIVES, "cost")
    headcount_total = col.number(data, "headcount_total", "", integer=True, minimum=0)
    return _Top(interval_minutes, str(tz), cyclic, objective, headcount_total)


def _skill_groups(col: _Collector, data: dict) -> list[SkillGroup]:
    groups: list[SkillGroup] = []
    for name, path, node in col.sections(data, "skill_groups", SKILL_KEYS, "group name -> {queues: [...]}"):
        queues = node.get("queues")
        if isinstance(queues, str):
            queues = [queues]
        if not queues or not all(isinstance(q, str) and q for q in queues):
            col.add(f"{path}.queues", f"must be a non-empty list of queue names, got {queues!r}")
            continue
        groups.append(SkillGroup(str(name), tuple(queues)))
    return groups


def _contracts(col: _Collector, data: dict) -> list[Contract]:
    contracts: list[Contract] = []
    for name, node in (data.get("contracts") or {}).items():
        path = f"contracts.{name}"
        node = col.keys(node, CONTRACT_KEYS, path)
        hours = col.number(node, "hours_per_week", path, required=True, minimum=0, maximum=168)
        lo = col.number(node, "min_hours_per_week", path, default=hours, minimum=0, maximum=168)
        hi = col.number(node, "max_hours_per_week", path, default=hours, minimum=0, maximum=168)
        days = col.number(node, "days_per_week", path, default=5, integer=True, minimum=1, maximum=7)
        if None in (hours, lo, hi, days):
            continue
        if lo > hi:
            col.add(f"{path}.min_hours_per_week", f"must be <= max_hours_per_week ({hi}), got {lo}")
            continue
        contracts.append(Contract(str(name), hours, lo, hi, days))
    if not contracts:
        col.add("contracts", "at least one contract (e.g. full_time) is required")
    return contracts


def _headcount(col: _Collector, data: dict, group_names: set, contract_names: set) -> list[Headcount]:
    headcount: list[Headcount] = []
    hc = data.get("headcount") or []
    if not isinstance(hc, list):
        col.add("headcount", f"must be a list of {{site, skill_group, contract, agents}}, got {hc!r}")
        hc = []
    for i, node in enumerate(hc):
        path = f"headcount[{i}]"
        node = col.keys(node, HEADCOUNT_KEYS, path)
        agents = col.number(node, "agents", path, required=True, integer=True, minimum=0)
        group, contract = node.get("skill_group"), node.get("contract")
        if group not in group_names:
            col.add(f"{path}.skill_group", f"must name a skill group ({', '.join(sorted(group_names))}), got {group!r}")
            continue
        if contract not in contract_names:
            col.add(f"{path}.contract", f"must name a contract ({', '.join(sorted(contract_names))}), got {contract!r}")
            continue
        if agents is None:
            continue
        headcount.append(Headcount(str(node.get("site", "")), group, contract, agents))
    if not headcount:
        col.add("headcount", "at least one row {site, skill_group, contract, agents} is required")
    return headcount


def _days_off(col: _Collector, data: dict) -> DaysOffRule:
    node = col.keys(data.get("days_off"), DAYS_OFF_KEYS, "days_off")
    return DaysOffRule(consecutive=col.boolean(node, "consecutive", "days_off", True),
                       same_start_within_week=col.boolean(node, "same_start_within_week", "days_off", False))


def _break_rules(col: _Collector, data: dict, interval_minutes: int) -> dict[str, BreakRule]:
    breaks: dict[str, BreakRule] = {}
    for name, node in (data.get("breaks") or {}).items():
        path = f"breaks.{name}"
        node = col.keys(node, BREAK_KEYS, path)
        minutes = col.number(node, "minutes", path, required=True, integer=True, minimum=1)
        w0 = col.clock(node, "window_start", path, required=True, allow_24=True)
        w1 = col.clock(node, "window_end", path, required=True, allow_24=True)
        min_hours = col.number(node, "min_shift_hours", path, default=0, minimum=0, maximum=24)
        col.multiple_of(minutes, interval_minutes, f"{path}.minutes", "a break length")
        col.multiple_of(w0, interval_minutes, f"{path}.window_start", "a break window")
        col.multiple_of(w1, interval_minutes, f"{path}.window_end", "a break window")
        if None in (minutes, w0, w1, min_hours):
            continue
        if w1 < w0:
            col.add(f"{path}.window_end", f"must not be before window_start ({w0} min), got {w1} min")
            continue
        breaks[str(name)] = BreakRule(str(name), minutes, col.boolean(node, "paid", path, False),
                                      w0, w1, int(round(min_hours * 60)))
    return breaks


def _template_starts(col: _Collector, node: dict, path: str, interval_minutes: int) -> list[int]:
    """Start times of a template [min after local midnight]: ``start_times``, or ``start_from`` to
    ``start_to`` every ``start_every_minutes`` (wrapping past midnight)."""
    starts: list[int] = []
    if "start_times" in node:
        raw = node["start_times"]
        items = raw if isinstance(raw, list) else [raw]
        for i, value in enumerate(items):
            m = col.clock({"t": value}, "t", f"{path}.start_times[{i}]")
            if m is not None:
                starts.append(m)
    else:
        s0 = col.clock(node, "start_from", path, required=True)
        s1 = col.clock(node, "start_to", path, default=node.get("start_from"))
        every = col.number(node, "start_every_minutes", path, default=interval_minutes, integer=True, minimum=1)
        col.multiple_of(every, interval_minutes, f"{path}.start_every_minutes", "a start step")
        if None not in (s0, s1, every):
            end = s1 if s1 >= s0 else s1 + MINUTES_PER_DAY  # wraps past midnight
            starts = [m % MINUTES_PER_DAY for m in range(s0, end + 1, every)]
    for s in starts:
        col.multiple_of(s, interval_minutes, f"{path}.start", f"a start time ({s // 60:02d}:{s % 60:02d})")
    return starts


def _template_lengths(col: _Collector, node: dict, path: str, interval_minutes: int) -> list[int]:
    """Shift lengths of a template [min], from ``lengths_hours``."""
    lengths: list[int] = []
    raw_lengths = node.get("lengths_hours")
    if not isinstance(raw_lengths, list) or not raw_lengths:
        col.add(f"{path}.lengths_hours", f"must be a non-empty list of shift lengths in hours, got {raw_lengths!r}")
        raw_lengths = []
    for i, h in enumerate(raw_lengths):
        where = f"{path}.lengths_hours[{i}]"
        if isinstance(h, bool) or not isinstance(h, (int, float)) or not math.isfinite(h) or h <= 0:
            col.add(where, f"must be a positive number of hours, got {h!r}")
            continue
        minutes = int(round(h * 60))
        if minutes > MINUTES_PER_DAY:
            col.add(where, f"a shift may not be longer than a day (24 h = 1440 min), got {h} h")
            continue
        if minutes % interval_minutes:
            col.add(where, f"a shift length must be a multiple of interval_minutes={interval_minutes}, got {h} h")
            continue
        lengths.append(minutes)
    return lengths


def _names(node: dict, key: str) -> list:
    value = node.get(key) or []
    return [value] if isinstance(value, str) else list(value)


def _template_breaks(col: _Collector, node: dict, path: str, lengths: list[int],
                     breaks: dict[str, BreakRule]) -> list[str]:
    """The template's break rules; each must fit inside every shift it applies to, windows disjoint."""
    tbreaks = _names(node, "breaks")
    unknown = [(i, b) for i, b in enumerate(tbreaks) if b not in breaks]
    for i, b in unknown:
        col.add(f"{path}.breaks[{i}]", f"must name a break rule ({', '.join(sorted(breaks))}), got {b!r}")
    if unknown:
        return tbreaks
    for length in lengths:
        applied = [breaks[b] for b in tbreaks if length >= breaks[b].min_shift_minutes]
        for rule in applied:
            if rule.window_end_minutes + rule.minutes > length:
                col.add(f"{path}.breaks.{rule.name}",
                        f"break window outside the shift: a {rule.minutes}-min break starting as late as "
                        f"{rule.window_end_minutes} min after the start ends after the {length / 60:g}-h shift")
        spans = sorted((r.window_start_minutes, r.window_end_minutes + r.minutes, r.name) for r in applied)
        for (a0, a1, an), (b0, b1, bn) in zip(spans, spans[1:]):
            if b0 < a1:
                col.add(f"{path}.breaks",
                        f"break windows of {an!r} and {bn!r} overlap in a {length / 60:g}-h shift "
                        f"({an} may run until {a1} min, {bn} may start at {b0} min); windows must be disjoint")
    return tbreaks


def _templates(col: _Collector, data: dict, interval_minutes: int, group_names: set,
               breaks: dict[str, BreakRule]) -> list[ShiftTemplate]:
    templates: list[ShiftTemplate] = []
    for name, path, node in col.sections(data, "shift_templates", TEMPLATE_KEYS, "template name -> settings"):
        starts = _template_starts(col, node, path, interval_minutes)
        lengths = _template_lengths(col, node, path, interval_minutes)
        tgroups = _names(node, "skill_groups")
        if tgroups == ["all"]:
            tgroups = []
        for i, g in enumerate(tgroups):
            if g not in group_names:
                col.add(f"{path}.skill_groups[{i}]",
                        f"must name a skill group ({', '.join(sorted(group_names))}) or 'all', got {g!r}")
        tbreaks = _template_breaks(col, node, path, lengths, breaks)
        cap = col.number(node, "max_agents_per_day", path, integer=True, minimum=0)
        if starts and lengths:
            templates.append(ShiftTemplate(str(name), tuple(sorted(set(starts))), tuple(sorted(set(lengths))),
                                           col.days(node, "days", path), tuple(tgroups), tuple(tbreaks), cap))
    return templates


def _holiday_rules(col: _Collector, node: dict) -> tuple[list[dt.date], str | None, list[int]]:
    """Extra holiday dates, the holiday country and its years; the country's holidays themselves
    come from the one calendar (:mod:`wfm.ground.calendar`) for the dates a plan covers."""
    out: list[dt.date] = []
    country = node.get("holiday_country") or None
    years = node.get("holiday_years") or []
    if not isinstance(years, list) or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        col.add("costs.holiday_years", f"must be a list of years, got {years!r}")
        years = []
    if country:
        try:
            holiday_coverage(str(country))
        except WfmInputError:
            col.add("costs.holiday_country",
                    f"must be a country code known to the holidays package (e.g. SE), got {country!r}")
            country = None
    for i, d in enumerate(node.get("extra_holidays") or []):
        try:
            out.append(d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)))
        except ValueError:
            col.add(f"costs.extra_holidays[{i}]", f"must be a date YYYY-MM-DD, got {d!r}")
    return out, (str(country) if country else None), years


#: Largest cost or penalty per hour taken as real [money/h]: above it the solver's numbers lose their
#: meaning (1e308 overflowed to inf and gave a plan short where covering was cheap).
MAX_MONEY_PER_HOUR = 1_000_000_000
#: Longest solver time limit [s]: a week.
MAX_TIME_LIMIT_SECONDS = 7 * 24 * 3600


def _costs(col: _Collector, data: dict) -> CostRules:
    node = col.keys(data.get("costs"), COST_KEYS, "costs")
    money = {}
    for key, default in MONEY_DEFAULTS.items():
        value = node.get(key, default)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            col.add(f"costs.{key}", f"costs must not be negative, got {value!r}")
            money[key] = default
        else:
            money[key] = col.number(node, key, "costs", default=default, maximum=MAX_MONEY_PER_HOUR)
            if money[key] is None:
                money[key] = default
    extra, country, years = _holiday_rules(col, node)
    return CostRules(
        base_cost_per_hour=money["base_cost_per_hour"],
        night_premium_per_hour=money["night_premium_per_hour"],
        night_start_minutes=col.clock(node, "night_start", "costs", default="22:00") or 0,
        night_end_minutes=col.clock(node, "night_end", "costs", default="06:00", allow_24=True) or 0,
        weekend_premium_per_hour=money["weekend_premium_per_hour"],
        holiday_premium_per_hour=money["holiday_premium_per_hour"],
        holidays=tuple(sorted(set(extra))),
        holiday_country=country,
        holiday_years=tuple(sorted(set(years))),
        shortfall_penalty_per_agent_hour=money["shortfall_penalty_per_agent_hour"],
        overstaffing_penalty_per_agent_hour=money["overstaffing_penalty_per_agent_hour"],
    )


def _limits(col: _Collector, data: dict) -> list[IntervalLimit]:
    limits: list[IntervalLimit] = []
    for i, node in enumerate(data.get("limits") or []):
        path = f"limits[{i}]"
        node = col.keys(node, LIMIT_KEYS, path)
        lo = col.number(node, "min_agents", path, minimum=0)
        hi = col.number(node, "max_agents", path, minimum=0)
        if lo is not None and hi is not None and lo > hi:
            col.add(f"{path}.min_agents", f"must be <= max_agents ({hi}), got {lo}")
        limits.append(IntervalLimit(str(node.get("queue", "*")), col.days(node, "days", path),
                                    col.clock(node, "from", path, default="00:00") or 0,
                                    col.clock(node, "to", path, default="24:00", allow_24=True) or 0, lo, hi))
    return limits


def _opening_hours(col: _Collector, data: dict) -> list[OpeningHours]:
    opening: list[OpeningHours] = []
    for queue, windows in (data.get("opening_hours") or {}).items():
        for i, node in enumerate(windows if isinstance(windows, list) else [windows]):
            path = f"opening_hours.{queue}[{i}]"
            node = col.keys(node, OPENING_KEYS, path)
            opening.append(OpeningHours(str(queue), col.days(node, "days", path),
                                        col.clock(node, "from", path, default="00:00") or 0,
                                        col.clock(node, "to", path, default="24:00", allow_24=True) or 0))
    return opening


def _deferred_work(col: _Collector, data: dict) -> list[dict]:
    deferred: list[dict] = []
    for i, node in enumerate(data.get("deferred_work") or []):
        path = f"deferred_work[{i}]"
        node = col.keys(node, DEFERRED_KEYS, path)
        work = col.number(node, "workload_agent_minutes", path, required=True, minimum=0)
        r = col.clock(node, "release", path, required=True)
        d = col.clock(node, "deadline", path, required=True, allow_24=True)
        if r is not None and d is not None and d <= r:
            col.add(f"{path}.deadline", f"must be after release ({r} min), got {d} min")
        deferred.append({"name": str(node.get("name", f"deferred{i}")), "queue": str(node.get("queue", "")),
                         "workload_agent_minutes": work, "days": col.days(node, "days", path),
                         "release_minutes": r, "deadline_minutes": d})
    return deferred


def _service_level(col: _Collector, data: dict) -> ServiceLevelTarget:
    node = col.keys(data.get("service_level"), SL_KEYS, "service_level")
    period = col.choice(node, "period", "service_level", SL_PERIODS, "week")
    return ServiceLevelTarget(
        col.number(node, "answer_within_seconds", "service_level", default=180.0, minimum=0) or 180.0,
        col.number(node, "target_service_level", "service_level", default=0.8, minimum=0, maximum=1) or 0.8,
        period,
    )


def _service_floor(col: _Collector, data: dict) -> ServiceFloor:
    """``service_floor:`` -- no queue-interval with calls below this (on by default: 50 % within the target
    time and 1 agent on the phone; ``min_service_level: 0`` and ``min_agents_on_phone: 0`` switch it off)."""
    node = col.keys(data.get("service_floor"), FLOOR_KEYS, "service_floor")
    default = ServiceFloor()
    level = col.number(node, "min_service_level", "service_floor", default=default.min_service_level, minimum=0,
                       maximum=0.999)
    agents = col.number(node, "min_agents_on_phone", "service_floor", default=default.min_agents_on_phone,
                        minimum=0, integer=True)
    return ServiceFloor(default.min_service_level if level is None else level,
                        default.min_agents_on_phone if agents is None else agents)


def _shift_design(col: _Collector, data: dict) -> ShiftDesign:
    """``shift_design:`` -- cost per shift, cost per distinct shift type, the type's key, a cap on the types
    used and a minimum average shift length (all off by default)."""
    node = col.keys(data.get("shift_design"), DESIGN_KEYS, "shift_design")
    where = "shift_design"
    return ShiftDesign(
        col.number(node, "cost_per_shift", where, default=0.0, minimum=0) or 0.0,
        col.number(node, "cost_per_shift_type", where, default=0.0, minimum=0) or 0.0,
        col.choice(node, "shift_type", where, SHIFT_TYPE_KEYS, "day_start_length"),
        col.number(node, "max_shift_types", where, minimum=1, integer=True),
        col.number(node, "min_average_shift_hours", where, minimum=0, maximum=24, strict_min=True),
    )


def _solver(col: _Collector, data: dict) -> SolverSettings:
    node = col.keys(data.get("solver"), SOLVER_KEYS, "solver")
    name = col.choice(node, "name", "solver", SOLVERS, "highs")
    return SolverSettings(
        name,
        col.number(node, "time_limit_seconds", "solver", default=60.0, minimum=0, strict_min=True,
                   maximum=MAX_TIME_LIMIT_SECONDS) or 60.0,
        col.number(node, "gap", "solver", default=0.01, minimum=0, maximum=1) or 0.0,
        col.number(node, "threads", "solver", integer=True, minimum=1),
        col.boolean(node, "msg", "solver", False),
    )


def _roster(col: _Collector, data: dict) -> dict:
    """The ``roster:`` section, checked by building the rule set it names (its errors are collected)."""
    section = data.get("roster")
    if section is None:
        return {}
    if not isinstance(section, dict):
        col.add("roster", f"must be a mapping (ruleset: and rule overrides), got {section!r}")
        return {}
    try:
        ruleset_from_section(section, f"{col.source}: roster")
    except WfmInputError as exc:
        col.errors += exc.errors
    return dict(section)


def parse_rules(data: Any, source: str = "<rules>") -> Rules:
    """Validate a parsed rules mapping and build :class:`Rules`.

    Parameters
    ----------
    data : dict
        The YAML document as loaded by :func:`wfm.ground.yamlfile.load_yaml`.
    source : str
        File name used in error messages.

    Raises
    ------
    WfmInputError
        With every problem found, each naming file, key path and reason.
    """
    col = _Collector(source)
    if not isinstance(data, dict):
        raise WfmInputError(f"{source}: the rules file must be a YAML mapping, got {type(data).__name__}")
    col.keys(data, TOP_KEYS, "")
    top = _top(col, data)
    groups = _skill_groups(col, data)
    contracts = _contracts(col, data)
    headcount = _headcount(col, data, {g.name for g in groups}, {c.name for c in contracts})
    days_off = _days_off(col, data)
    breaks = _break_rules(col, data, top.interval_minutes)
    templates = _templates(col, data, top.interval_minutes, {g.name for g in groups}, breaks)
    costs = _costs(col, data)
    limits, opening = _limits(col, data), _opening_hours(col, data)
    deferred, sl, solver = _deferred_work(col, data), _service_level(col, data), _solver(col, data)
    roster = _roster(col, data)
    floor, design = _service_floor(col, data), _shift_design(col, data)
    coverage = col.choice(data, "coverage", "", COVERAGE_MODES, "elastic")
    if col.errors:
        head = col.errors[0] if len(col.errors) == 1 else (
            f"{source}: {len(col.errors)} problems in the rules file:\n  " + "\n  ".join(col.errors))
        raise WfmInputError(head, col.errors)
    return Rules(
        interval_minutes=top.interval_minutes, tz=top.tz, cyclic=top.cyclic, skill_groups=tuple(groups),
        contracts=tuple(contracts), headcount=tuple(headcount), days_off=days_off,
        break_rules=tuple(breaks.values()), templates=tuple(templates), costs=costs,
        limits=tuple(limits), opening_hours=tuple(opening), recurring_deferred_work=tuple(deferred),
        service_level=sl, objective=top.objective, headcount_total=top.headcount_total, solver=solver,
        roster=roster, service_floor=floor, shift_design=design, coverage=coverage,
    )


def _read_yaml(source, name: str | None, what: str):
    """The YAML document of a path, YAML text (str/bytes) or an open file, through the one loader."""
    if hasattr(source, "read"):
        label = name or str(getattr(source, "name", what))
        return load_yaml(source.read(), name=label, what=what), label
    label = name or (str(source) if isinstance(source, os.PathLike) else "YAML text")
    return load_yaml(source, name=label, what=what), label


def load_rules(source: str | os.PathLike | IO) -> Rules:
    """Read and validate a rules file.

    Parameters
    ----------
    source : path-like, str or file object
        The file's path, or an open file (text or binary) such as an upload.

    Raises
    ------
    WfmInputError
        File missing, not YAML, too large, or breaking a rule (file, key path, reason).
    """
    data, label = _read_yaml(Path(source) if isinstance(source, str) else source, None, "rules file")
    return parse_rules(data, source=label)


def rules_from_text(text: str | bytes, *, name: str = "rules text") -> Rules:
    """Read and validate rules written as YAML text (e.g. the app's rules editor), named ``name``."""
    data, label = _read_yaml(text, name, "rules file")
    return parse_rules(data, source=label)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days_text(days) -> list[str]:
    return [WEEKDAYS[d] for d in days]


def _templates_dict(rules: Rules) -> dict:
    out: dict = {}
    for t in rules.templates:
        node: dict[str, Any] = {"start_times": [_hhmm(s) for s in t.start_minutes],
                                "lengths_hours": [m / 60 for m in t.length_minutes], "days": _days_text(t.days),
                                "breaks": list(t.breaks)}
        if t.skill_groups:
            node["skill_groups"] = list(t.skill_groups)
        if t.max_agents_per_day is not None:
            node["max_agents_per_day"] = t.max_agents_per_day
        out[t.name] = node
    return out


def _costs_dict(costs: CostRules) -> dict:
    return {
        "base_cost_per_hour": costs.base_cost_per_hour, "night_premium_per_hour": costs.night_premium_per_hour,
        "night_start": _hhmm(costs.night_start_minutes), "night_end": _hhmm(costs.night_end_minutes),
        "weekend_premium_per_hour": costs.weekend_premium_per_hour,
        "holiday_premium_per_hour": costs.holiday_premium_per_hour,
        **({"holiday_country": costs.holiday_country} if costs.holiday_country else {}),
        **({"holiday_years": list(costs.holiday_years)} if costs.holiday_years else {}),
        "extra_holidays": [d.isoformat() for d in costs.holidays],
        "shortfall_penalty_per_agent_hour": costs.shortfall_penalty_per_agent_hour,
        "overstaffing_penalty_per_agent_hour": costs.overstaffing_penalty_per_agent_hour,
    }


def _limits_list(rules: Rules) -> list[dict]:
    out = []
    for lim in rules.limits:
        node = {"queue": lim.queue, "days": _days_text(lim.days), "from": _hhmm(lim.start_minutes),
                "to": _hhmm(lim.end_minutes)}
        if lim.min_agents is not None:
            node["min_agents"] = lim.min_agents
        if lim.max_agents is not None:
            node["max_agents"] = lim.max_agents
        out.append(node)
    return out


def rules_to_dict(rules: Rules) -> dict:
    """The rules as a plain mapping in the rules-file format (round-trips
    through :func:`parse_rules`): the holiday country as ``holiday_country``, dates given
    one by one as ``extra_holidays``."""
    out: dict[str, Any] = {
        "version": 1, "timezone": rules.tz, "interval_minutes": rules.interval_minutes,
        "cyclic": rules.cyclic, "objective": rules.objective,
        "skill_groups": {g.name: {"queues": list(g.queues)} for g in rules.skill_groups},
        "contracts": {c.name: {"hours_per_week": c.hours_per_week, "min_hours_per_week": c.min_hours_per_week,
                               "max_hours_per_week": c.max_hours_per_week, "days_per_week": c.days_per_week}
                      for c in rules.contracts},
        "headcount": [{"site": h.site, "skill_group": h.skill_group, "contract": h.contract, "agents": h.agents}
                      for h in rules.headcount],
        "days_off": {"consecutive": rules.days_off.consecutive,
                     "same_start_within_week": rules.days_off.same_start_within_week},
        "breaks": {b.name: {"minutes": b.minutes, "paid": b.paid, "window_start": _hhmm(b.window_start_minutes),
                            "window_end": _hhmm(b.window_end_minutes), "min_shift_hours": b.min_shift_minutes / 60}
                   for b in rules.break_rules},
        "shift_templates": _templates_dict(rules),
        "costs": _costs_dict(rules.costs),
        "limits": _limits_list(rules),
        "opening_hours": {},
        "deferred_work": [{"name": d["name"], "queue": d["queue"], "workload_agent_minutes": d["workload_agent_minutes"],
                           "days": _days_text(d["days"]), "release": _hhmm(d["release_minutes"]),
                           "deadline": _hhmm(d["deadline_minutes"])} for d in rules.recurring_deferred_work],
        "service_level": {"answer_within_seconds": rules.service_level.answer_within_seconds,
                          "target_service_level": rules.service_level.target_service_level,
                          "period": rules.service_level.period},
        "solver": {"name": rules.solver.solver, "time_limit_seconds": rules.solver.time_limit_seconds,
                   "gap": rules.solver.gap, "msg": rules.solver.msg},
    }
    if rules.headcount_total is not None:
        out["headcount_total"] = rules.headcount_total
    if rules.solver.threads is not None:
        out["solver"]["threads"] = rules.solver.threads
    for o in rules.opening_hours:
        out["opening_hours"].setdefault(o.queue, []).append(
            {"days": _days_text(o.days), "from": _hhmm(o.start_minutes), "to": _hhmm(o.end_minutes)})
    if rules.roster:
        out["roster"] = dict(rules.roster)
    # the issue-18 sections are written when they differ from their defaults
    if rules.service_floor != ServiceFloor():
        out["service_floor"] = {"min_service_level": rules.service_floor.min_service_level,
                                "min_agents_on_phone": rules.service_floor.min_agents_on_phone}
    design = rules.shift_design
    if design != ShiftDesign():
        out["shift_design"] = {"cost_per_shift": design.cost_per_shift,
                               "cost_per_shift_type": design.cost_per_shift_type, "shift_type": design.shift_type}
        for key in ("max_shift_types", "min_average_shift_hours"):
            if getattr(design, key) is not None:
                out["shift_design"][key] = getattr(design, key)
    if rules.coverage != "elastic":
        out["coverage"] = rules.coverage
    return out


def dump_rules(rules: Rules, target: str | os.PathLike | IO | None = None) -> str:
    """The rules as YAML text, also written to ``target`` (a path or an open text file) when given."""
    text = yaml.safe_dump(rules_to_dict(rules), sort_keys=False, allow_unicode=True)
    if hasattr(target, "write"):
        target.write(text)
    elif target is not None:
        Path(target).write_text(text, encoding="utf-8")
    return text


def coarsen_rules_text(rules_yaml: str, *, start_every_minutes: int = 60, lengths: int = 3) -> str:
    """A coarser copy of a rules file: shift starts on the hour and ``lengths`` shift lengths per template.

    The same rule families on a much smaller model, for quick looks (and for tests and benchmarks that
    must finish fast).  Start windows are rounded down to the hour; templates given by ``start_times``
    keep them.
    """
    if lengths < 1:
        raise WfmInputError(f"lengths must be >= 1, got {lengths}", parameter="lengths")
    rules = load_yaml(rules_yaml, name="rules text", what="rules file")
    if not isinstance(rules, dict) or not isinstance(rules.get("shift_templates"), dict):
        raise WfmInputError("rules text: needs a shift_templates mapping to coarsen")
    for template in rules["shift_templates"].values():
        if "start_from" in template:
            template["start_every_minutes"] = start_every_minutes
            template["start_from"] = str(template["start_from"])[:3] + "00"
            template["start_to"] = str(template.get("start_to", template["start_from"]))[:3] + "00"
        all_lengths = template["lengths_hours"]
        picks = sorted({round(i * (len(all_lengths) - 1) / max(lengths - 1, 1)) for i in range(lengths)})
        template["lengths_hours"] = [all_lengths[i] for i in picks]
    return yaml.safe_dump(rules, sort_keys=False)


def load_ruleset(source: str | os.PathLike | IO | None = "sweden", **overrides) -> RuleSet:
    """A roster rule set: a packaged name (``"sweden"``) or a rules file's ``roster:`` section.

    Parameters
    ----------
    source : str, path-like, file object or None
        A packaged rule set name (:func:`optimiser.roster.rules.packaged_rulesets`), or a YAML
        rules file whose optional ``roster:`` section names the base (``ruleset:``, default
        ``sweden``) and overrides fields; the file's other keys belong to the scheduler and are
        not read here.  ``None`` means ``sweden``.
    **overrides
        Field values that win over the file (e.g. ``max_consecutive_days=5``).

    Raises
    ------
    WfmInputError
        Unknown rule set or field, a value that breaks its rule, a file that is not YAML.
    """
    if source is None:
        source = "sweden"
    if isinstance(source, str) and source in packaged_rulesets():
        return packaged_ruleset(source, **overrides)
    if isinstance(source, str) and not Path(source).suffix and not Path(source).exists():
        raise WfmInputError(f"unknown rule set {source!r}; packaged: {', '.join(packaged_rulesets())}")
    data, label = _read_yaml(Path(source) if isinstance(source, str) else source, None, "rules file")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise WfmInputError(f"{label}: a rules file must be a YAML mapping, got {type(data).__name__}")
    return ruleset_from_section(data.get("roster"), f"{label}: roster", file_name=Path(label).name,
                                **overrides)


def load_skill_groups(source: str | os.PathLike | IO | None) -> dict[str, tuple[str, ...]] | None:
    """The ``skill_groups:`` of a rules file (group -> queues), checked as the scheduler checks them.

    The roster reads a rules file's own skill groups, so that a schedule planned under a file's groups
    is rostered under the same ones.  ``None`` for a packaged rule-set name, ``None`` or a file
    without the section (the roster then uses :data:`optimiser.roster.agents.DEFAULT_SKILL_GROUPS`).

    Raises
    ------
    WfmInputError
        The file is not YAML, or a group breaks a rule (file, key path, reason).
    """
    if source is None or (isinstance(source, str) and source in packaged_rulesets()):
        return None
    if hasattr(source, "seek"):
        source.seek(0)
    data, label = _read_yaml(Path(source) if isinstance(source, str) else source, None, "rules file")
    if not isinstance(data, dict) or data.get("skill_groups") is None:
        return None
    col = _Collector(label)
    groups = _skill_groups(col, data)
    if col.errors:
        raise WfmInputError(col.errors[0] if len(col.errors) == 1 else
                            f"{label}: {len(col.errors)} problems in the skill groups:\n  " + "\n  ".join(col.errors),
                            col.errors)
    return {g.name: tuple(g.queues) for g in groups} or None
