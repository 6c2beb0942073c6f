"""Load, validate and dump the human-editable scheduling rules file (YAML).

Every mistake is refused with the file, the key path and the reason, e.g.
``rules.yaml: shift_templates.night.lengths_hours[2]: a shift may not be
longer than a day (1440 min), got 25 h``.  All problems found are collected
and raised together as one :class:`wfm.ground.errors.WfmInputError`.

The format is documented in ``docs/scheduling.md`` and exemplified by
``data/demo_rules.yaml``.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import yaml

from optimiser.scheduling.spec import (
    OBJECTIVES,
    SL_PERIODS,
    SOLVERS,
    WEEKDAYS,
    BreakRule,
    Contract,
    CostRules,
    DaysOffRule,
    Headcount,
    IntervalLimit,
    OpeningHours,
    Rules,
    ServiceLevelTarget,
    ShiftTemplate,
    SkillGroup,
    SolverSettings,
)
from wfm.ground.errors import WfmInputError

TOP_KEYS = {
    "version", "timezone", "interval_minutes", "cyclic", "objective", "headcount_total",
    "skill_groups", "contracts", "headcount", "days_off", "breaks", "shift_templates",
    "costs", "limits", "opening_hours", "deferred_work", "service_level", "solver",
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
LIMIT_KEYS = {"queue", "days", "from", "to", "min_agents", "max_agents"}
OPENING_KEYS = {"days", "from", "to"}
DEFERRED_KEYS = {"name", "queue", "workload_agent_minutes", "days", "release", "deadline"}
SL_KEYS = {"answer_within_seconds", "target_service_level", "period"}
SOLVER_KEYS = {"name", "time_limit_seconds", "gap", "threads", "msg"}


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

    def number(self, node: dict, key: str, path: str, *, default=None, minimum=None,
               maximum=None, integer=False, required=False, strict_min=False):
        value = node.get(key, default)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.add(where, "is required")
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
        value = node.get(key, default)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.add(where, "is required")
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
        top = 1440 if allow_24 else 1439
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

    def boolean(self, node: dict, key: str, path: str, default: bool) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            self.add(f"{path}.{key}" if path else key, f"must be true or false, got {value!r}")
            return default
        return value


def _multiple_of(col: _Collector, value: int | None, step: int, where: str, what: str) -> None:
    if value is not None and value % step:
        col.add(where, f"{what} must be a multiple of interval_minutes={step}, got {value} min")


def parse_rules(data: Any, source: str = "<rules>") -> Rules:
    """Validate a parsed rules mapping and build :class:`Rules`.

    Parameters
    ----------
    data : dict
        The YAML document as loaded by ``yaml.safe_load``.
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
    interval_minutes = col.number(data, "interval_minutes", "", default=15, integer=True) or 15
    if interval_minutes not in (15, 30, 60):
        col.add("interval_minutes", f"must be 15, 30 or 60, got {interval_minutes}")
        interval_minutes = 15
    tz = data.get("timezone", "Europe/Stockholm")
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(str(tz))
    except Exception:
        col.add("timezone", f"must be an IANA time zone such as Europe/Stockholm, got {tz!r}")
        tz = "Europe/Stockholm"
    cyclic = col.boolean(data, "cyclic", "", True)
    objective = data.get("objective", "cost")
    if objective not in OBJECTIVES:
        col.add("objective", f"must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
        objective = "cost"
    headcount_total = col.number(data, "headcount_total", "", integer=True, minimum=0)

    # --- skill groups -------------------------------------------------------------
    groups: list[SkillGroup] = []
    sg = data.get("skill_groups")
    if not isinstance(sg, dict) or not sg:
        col.add("skill_groups", f"must be a non-empty mapping of group name -> {{queues: [...]}}, got {sg!r}")
        sg = {}
    for name, node in sg.items():
        path = f"skill_groups.{name}"
        node = col.keys(node, SKILL_KEYS, path)
        queues = node.get("queues")
        if isinstance(queues, str):
            queues = [queues]
        if not queues or not all(isinstance(q, str) and q for q in queues):
            col.add(f"{path}.queues", f"must be a non-empty list of queue names, got {queues!r}")
            continue
        groups.append(SkillGroup(str(name), tuple(queues)))
    group_names = {g.name for g in groups}

    # --- contracts ----------------------------------------------------------------
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
            col.add(f"{path}.min_hours_per_week",
                    f"must be <= max_hours_per_week ({hi}), got {lo}")
            continue
        contracts.append(Contract(str(name), hours, lo, hi, days))
    contract_names = {c.name for c in contracts}
    if not contracts:
        col.add("contracts", "at least one contract (e.g. full_time) is required")

    # --- headcount ----------------------------------------------------------------
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

    node = col.keys(data.get("days_off"), DAYS_OFF_KEYS, "days_off")
    days_off = DaysOffRule(
        consecutive=col.boolean(node, "consecutive", "days_off", True),
        same_start_within_week=col.boolean(node, "same_start_within_week", "days_off", False),
    )

    # --- breaks -------------------------------------------------------------------
    breaks: dict[str, BreakRule] = {}
    for name, node in (data.get("breaks") or {}).items():
        path = f"breaks.{name}"
        node = col.keys(node, BREAK_KEYS, path)
        minutes = col.number(node, "minutes", path, required=True, integer=True, minimum=1)
        w0 = col.clock(node, "window_start", path, required=True, allow_24=True)
        w1 = col.clock(node, "window_end", path, required=True, allow_24=True)
        min_hours = col.number(node, "min_shift_hours", path, default=0, minimum=0, maximum=24)
        _multiple_of(col, minutes, interval_minutes, f"{path}.minutes", "a break length")
        _multiple_of(col, w0, interval_minutes, f"{path}.window_start", "a break window")
        _multiple_of(col, w1, interval_minutes, f"{path}.window_end", "a break window")
        if None in (minutes, w0, w1, min_hours):
            continue
        if w1 < w0:
            col.add(f"{path}.window_end", f"must not be before window_start ({w0} min), got {w1} min")
            continue
        breaks[str(name)] = BreakRule(str(name), minutes, col.boolean(node, "paid", path, False),
                                      w0, w1, int(round(min_hours * 60)))

    # --- shift templates ----------------------------------------------------------
    templates: list[ShiftTemplate] = []
    st = data.get("shift_templates")
    if not isinstance(st, dict) or not st:
        col.add("shift_templates", f"must be a non-empty mapping of template name -> settings, got {st!r}")
        st = {}
    for name, node in st.items():
        path = f"shift_templates.{name}"
        node = col.keys(node, TEMPLATE_KEYS, path)
        starts: list[int] = []
        if "start_times" in node:
            raw = node["start_times"]
            for i, _ in enumerate(raw if isinstance(raw, list) else [raw]):
                m = col.clock({"t": (raw if isinstance(raw, list) else [raw])[i]}, "t", f"{path}.start_times[{i}]")
                if m is not None:
                    starts.append(m)
        else:
            s0 = col.clock(node, "start_from", path, required=True)
            s1 = col.clock(node, "start_to", path, default=node.get("start_from"))
            every = col.number(node, "start_every_minutes", path, default=interval_minutes,
                               integer=True, minimum=1)
            _multiple_of(col, every, interval_minutes, f"{path}.start_every_minutes", "a start step")
            if None not in (s0, s1, every):
                end = s1 if s1 >= s0 else s1 + 1440  # wraps past midnight
                starts = [m % 1440 for m in range(s0, end + 1, every)]
        for s in starts:
            _multiple_of(col, s, interval_minutes, f"{path}.start", f"a start time ({s // 60:02d}:{s % 60:02d})")
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
            if minutes > 1440:
                col.add(where, f"a shift may not be longer than a day (24 h = 1440 min), got {h} h")
                continue
            if minutes % interval_minutes:
                col.add(where, f"a shift length must be a multiple of interval_minutes={interval_minutes}, got {h} h")
                continue
            lengths.append(minutes)
        tgroups = node.get("skill_groups") or []
        if isinstance(tgroups, str):
            tgroups = [tgroups]
        if tgroups == ["all"]:
            tgroups = []
        for i, g in enumerate(tgroups):
            if g not in group_names:
                col.add(f"{path}.skill_groups[{i}]", f"must name a skill group ({', '.join(sorted(group_names))}) or 'all', got {g!r}")
        tbreaks = node.get("breaks") or []
        if isinstance(tbreaks, str):
            tbreaks = [tbreaks]
        ok = True
        for i, b in enumerate(tbreaks):
            if b not in breaks:
                col.add(f"{path}.breaks[{i}]", f"must name a break rule ({', '.join(sorted(breaks))}), got {b!r}")
                ok = False
        if ok:
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
        cap = col.number(node, "max_agents_per_day", path, integer=True, minimum=0)
        if starts and lengths:
            templates.append(ShiftTemplate(str(name), tuple(sorted(set(starts))), tuple(sorted(set(lengths))),
                                           col.days(node, "days", path), tuple(tgroups), tuple(tbreaks), cap))

    # --- costs --------------------------------------------------------------------
    node = col.keys(data.get("costs"), COST_KEYS, "costs")
    money = {}
    for key, default in [("base_cost_per_hour", 1.0), ("night_premium_per_hour", 0.0),
                         ("weekend_premium_per_hour", 0.0), ("holiday_premium_per_hour", 0.0),
                         ("shortfall_penalty_per_agent_hour", 1000.0),
                         ("overstaffing_penalty_per_agent_hour", 0.0)]:
        value = node.get(key, default)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            col.add(f"costs.{key}", f"costs must not be negative, got {value!r}")
            money[key] = default
        else:
            money[key] = col.number(node, key, "costs", default=default)
            if money[key] is None:
                money[key] = default
    holidays_list: list[dt.date] = []
    country = node.get("holiday_country")
    years = node.get("holiday_years") or []
    if country:
        try:
            import holidays as hol

            if not isinstance(years, list) or not all(isinstance(y, int) for y in years):
                col.add("costs.holiday_years", f"must be a list of years, got {years!r}")
                years = []
            holidays_list += list(hol.country_holidays(str(country), years=years or range(2023, 2031)).keys())
        except (KeyError, NotImplementedError):
            col.add("costs.holiday_country", f"must be a country code known to the holidays package (e.g. SE), got {country!r}")
    for i, d in enumerate(node.get("extra_holidays") or []):
        try:
            holidays_list.append(d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)))
        except ValueError:
            col.add(f"costs.extra_holidays[{i}]", f"must be a date YYYY-MM-DD, got {d!r}")
    costs = CostRules(
        base_cost_per_hour=money["base_cost_per_hour"],
        night_premium_per_hour=money["night_premium_per_hour"],
        night_start_minutes=col.clock(node, "night_start", "costs", default="22:00") or 0,
        night_end_minutes=col.clock(node, "night_end", "costs", default="06:00", allow_24=True) or 0,
        weekend_premium_per_hour=money["weekend_premium_per_hour"],
        holiday_premium_per_hour=money["holiday_premium_per_hour"],
        holidays=tuple(sorted(set(holidays_list))),
        shortfall_penalty_per_agent_hour=money["shortfall_penalty_per_agent_hour"],
        overstaffing_penalty_per_agent_hour=money["overstaffing_penalty_per_agent_hour"],
    )

    # --- limits and opening hours -------------------------------------------------
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
    opening: list[OpeningHours] = []
    oh = data.get("opening_hours") or {}
    for queue, windows in oh.items():
        for i, node in enumerate(windows if isinstance(windows, list) else [windows]):
            path = f"opening_hours.{queue}[{i}]"
            node = col.keys(node, OPENING_KEYS, path)
            opening.append(OpeningHours(str(queue), col.days(node, "days", path),
                                        col.clock(node, "from", path, default="00:00") or 0,
                                        col.clock(node, "to", path, default="24:00", allow_24=True) or 0))

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

    node = col.keys(data.get("service_level"), SL_KEYS, "service_level")
    period = node.get("period", "week")
    if period not in SL_PERIODS:
        col.add("service_level.period", f"must be one of {', '.join(SL_PERIODS)}, got {period!r}")
        period = "week"
    sl = ServiceLevelTarget(
        col.number(node, "answer_within_seconds", "service_level", default=180.0, minimum=0) or 180.0,
        col.number(node, "target_service_level", "service_level", default=0.8, minimum=0, maximum=1) or 0.8,
        period,
    )
    node = col.keys(data.get("solver"), SOLVER_KEYS, "solver")
    name = node.get("name", "highs")
    if name not in SOLVERS:
        col.add("solver.name", f"must be one of {', '.join(SOLVERS)}, got {name!r}")
        name = "highs"
    solver = SolverSettings(
        name,
        col.number(node, "time_limit_seconds", "solver", default=60.0, minimum=0, strict_min=True) or 60.0,
        col.number(node, "gap", "solver", default=0.01, minimum=0, maximum=1) or 0.0,
        col.number(node, "threads", "solver", integer=True, minimum=1),
        col.boolean(node, "msg", "solver", False),
    )
    if col.errors:
        head = col.errors[0] if len(col.errors) == 1 else (
            f"{source}: {len(col.errors)} problems in the rules file:\n  " + "\n  ".join(col.errors))
        raise WfmInputError(head, col.errors)
    return Rules(
        interval_minutes=interval_minutes, tz=str(tz), cyclic=cyclic, skill_groups=tuple(groups),
        contracts=tuple(contracts), headcount=tuple(headcount), days_off=days_off,
        break_rules=tuple(breaks.values()), templates=tuple(templates), costs=costs,
        limits=tuple(limits), opening_hours=tuple(opening), recurring_deferred_work=tuple(deferred),
        service_level=sl, objective=objective, headcount_total=headcount_total, solver=solver,
    )


def load_rules(path: str | Path) -> Rules:
    """Read and validate a YAML rules file.

    Raises
    ------
    WfmInputError
        File missing, not YAML, or breaking a rule (file, key path, reason).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WfmInputError(f"{path}: cannot read the rules file ({exc.strerror})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise WfmInputError(f"{path}: not valid YAML: {exc}") from exc
    return parse_rules(data, source=str(path))


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def rules_to_dict(rules: Rules) -> dict:
    """The rules as a plain mapping in the rules-file format (round-trips
    through :func:`parse_rules`).  Holidays are written as ``extra_holidays``."""
    day = lambda ds: [WEEKDAYS[d] for d in ds]  # noqa: E731
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
        "shift_templates": {},
        "costs": {
            "base_cost_per_hour": rules.costs.base_cost_per_hour,
            "night_premium_per_hour": rules.costs.night_premium_per_hour,
            "night_start": _hhmm(rules.costs.night_start_minutes),
            "night_end": _hhmm(rules.costs.night_end_minutes),
            "weekend_premium_per_hour": rules.costs.weekend_premium_per_hour,
            "holiday_premium_per_hour": rules.costs.holiday_premium_per_hour,
            "extra_holidays": [d.isoformat() for d in rules.costs.holidays],
            "shortfall_penalty_per_agent_hour": rules.costs.shortfall_penalty_per_agent_hour,
            "overstaffing_penalty_per_agent_hour": rules.costs.overstaffing_penalty_per_agent_hour,
        },
        "limits": [{"queue": lim.queue, "days": day(lim.days), "from": _hhmm(lim.start_minutes),
                    "to": _hhmm(lim.end_minutes), "min_agents": lim.min_agents, "max_agents": lim.max_agents}
                   for lim in rules.limits],
        "opening_hours": {},
        "deferred_work": [{"name": d["name"], "queue": d["queue"], "workload_agent_minutes": d["workload_agent_minutes"],
                           "days": day(d["days"]), "release": _hhmm(d["release_minutes"]),
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
    for t in rules.templates:
        node: dict[str, Any] = {"start_times": [_hhmm(s) for s in t.start_minutes],
                                "lengths_hours": [m / 60 for m in t.length_minutes], "days": day(t.days),
                                "breaks": list(t.breaks)}
        if t.skill_groups:
            node["skill_groups"] = list(t.skill_groups)
        if t.max_agents_per_day is not None:
            node["max_agents_per_day"] = t.max_agents_per_day
        out["shift_templates"][t.name] = node
    for o in rules.opening_hours:
        out["opening_hours"].setdefault(o.queue, []).append(
            {"days": day(o.days), "from": _hhmm(o.start_minutes), "to": _hhmm(o.end_minutes)})
    for lim in out["limits"]:
        for k in ("min_agents", "max_agents"):
            if lim[k] is None:
                del lim[k]
    return out


def dump_rules(rules: Rules, path: str | Path | None = None) -> str:
    """Write the rules back as YAML (returned, and saved if ``path`` given)."""
    text = yaml.safe_dump(rules_to_dict(rules), sort_keys=False, allow_unicode=True)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
