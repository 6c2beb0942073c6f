"""Typed roster result and an independent checker of the hard rules.

:func:`check_roster` re-derives every hard rule from the assignments alone
(sorting each agent's shifts and measuring gaps); it shares no code with the
MIP, so tests and the benchmark can use it to verify the solver's answer.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimiser.roster.agents import DEFAULT_SKILL_GROUPS, QUEUE_LANGUAGE
from optimiser.roster.rules import RuleSet
from wfm.ground.frames import parse_breaks
from wfm.ground.vocabulary import DEFAULT_TZ, WEEKDAYS, SolverStatus

__all__ = ["ASSIGNMENT_COLUMNS", "RosterResult", "Violation", "check_roster", "fairness_spread"]

ASSIGNMENT_COLUMNS: tuple[str, ...] = ("agent_id", "name", "site", "skill_group", "shift_id", "start", "end",
                                       "paid_minutes", "breaks")


@dataclass(frozen=True)
class Violation:
    """A hard rule broken (or impossible to meet) for one agent on one date.

    ``rule`` is the rule's name (e.g. ``daily_rest``, ``weekly_rest``,
    ``unavailable``); ``detail`` says what was seen.  ``agent_id`` is empty
    for shift-level problems (a slot nobody can take).
    """

    agent_id: str
    date: dt.date | None
    rule: str
    detail: str


@dataclass(frozen=True)
class RosterResult:
    """What a roster solve returns.

    Attributes
    ----------
    status : SolverStatus
        ``Optimal`` | ``Feasible`` (time or gap limit, or the local search: not
        proven optimal) | ``Infeasible`` | ``No solution`` (a ``str`` enum).
    solver : str
    objective, best_bound, gap : float or None
    hit_time_limit : bool
    decomposed : bool
    decomposition : str
        How (``"none"``, ``"week"``, ``"skill_group"``, ``"week+skill_group"``)
        and why, in words.
    assignments : pandas.DataFrame
        :data:`ASSIGNMENT_COLUMNS`, one row per agent and shift.
    unfilled : pandas.DataFrame
        ``shift_id, template, skill_group, start, end, unfilled, reason``.
    violations : list of Violation
        Hard rules broken by the roster (from :func:`check_roster`; empty
        when the solver did its job).
    explanations : list of Violation
        Hard rules that cannot be met, found before solving (per agent and
        date) and slots left unfilled with the reason.
    penalties : pandas.DataFrame
        Soft terms per agent: ``agent_id, shift_id, term, value`` (objective
        units); contract shortfalls have an empty ``shift_id``.
    fairness : pandas.DataFrame
        Per agent ``agent_id, nights, weekends, holidays, paid_hours``.
    spread : pandas.DataFrame
        Per category (``nights``, ``weekends``, ``holidays``, ``paid_hours``):
        ``min, max, std, spread`` over agents.
    message : str
    solve_seconds : float
    """

    status: SolverStatus
    solver: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    hit_time_limit: bool
    decomposed: bool
    decomposition: str
    assignments: pd.DataFrame
    unfilled: pd.DataFrame
    violations: list = field(default_factory=list)
    explanations: list = field(default_factory=list)
    penalties: pd.DataFrame = field(default_factory=pd.DataFrame)
    fairness: pd.DataFrame = field(default_factory=pd.DataFrame)
    spread: pd.DataFrame = field(default_factory=pd.DataFrame)
    message: str = ""
    solve_seconds: float = 0.0


def _night(start: pd.Timestamp, end: pd.Timestamp, ruleset: RuleSet) -> bool:
    return _night_window(start, end, ruleset.night_start, ruleset.night_end)


@functools.lru_cache(maxsize=65536)
def _night_window(start: pd.Timestamp, end: pd.Timestamp, ns: dt.time, ne: dt.time) -> bool:
    # independent of RuleSet.is_night: walk the minutes of the window at 15-min steps; cached because a
    # roster repeats few distinct shifts (demo week: 934 shifts for 3,659 assignments, each checked twice)
    t = start
    while t < end:
        tt = t.time()
        inside = (ns <= tt or tt < ne) if ne <= ns else (ns <= tt < ne)
        if inside:
            return True
        t += pd.Timedelta(minutes=15)
    return False


def fairness_spread(assignments: pd.DataFrame, agents: pd.DataFrame, ruleset: RuleSet,
                    holidays: set | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-agent counts of night, weekend and holiday shifts and paid hours,
    and their ``min, max, std, spread`` over all agents of ``agents`` (for
    nights: over the agents with ``nights_allowed``)."""
    rows = {aid: {"nights": 0, "weekends": 0, "holidays": 0, "paid_hours": 0.0} for aid in agents["agent_id"]}
    holidays = holidays or set()
    for rec in assignments.itertuples(index=False):
        r = rows.setdefault(rec.agent_id, {"nights": 0, "weekends": 0, "holidays": 0, "paid_hours": 0.0})
        d = rec.start.date()
        r["nights"] += int(_night(rec.start, rec.end, ruleset))
        r["weekends"] += int(d.weekday() >= 5)
        r["holidays"] += int(d in holidays)
        r["paid_hours"] += rec.paid_minutes / 60.0
    per = pd.DataFrame([{"agent_id": k, **v} for k, v in rows.items()],
                       columns=["agent_id", "nights", "weekends", "holidays", "paid_hours"])
    stats = []
    night_ok = set(agents.loc[agents["nights_allowed"].astype(bool), "agent_id"])
    for col in ("nights", "weekends", "holidays", "paid_hours"):
        # nights: only over the agents who may work nights (the others are 0 by rule, not by unfairness)
        sel = per["agent_id"].isin(night_ok) if col == "nights" else slice(None)
        v = per.loc[sel, col].to_numpy(dtype=float)
        if len(v) == 0:
            v = np.zeros(1)
        stats.append({"category": col, "min": v.min(), "max": v.max(), "std": float(np.std(v)),
                      "spread": v.max() - v.min()})
    return per, pd.DataFrame(stats)


def _rest_violations(aid, starts, ends, ids, ruleset: RuleSet) -> list[Violation]:
    """Overlapping shifts and daily rest, between consecutive shifts of one agent."""
    out = []
    rest = pd.Timedelta(hours=ruleset.min_daily_rest_hours)
    for (s0, e0, id0), (s1, e1, id1) in zip(zip(starts, ends, ids), zip(starts[1:], ends[1:], ids[1:])):
        if s1 < e0:
            out.append(Violation(aid, s1.date(), "overlap", f"shifts {id0} and {id1} overlap"))
        elif s1 - e0 < rest:
            out.append(Violation(aid, s1.date(), "daily_rest",
                                 f"only {(s1 - e0).total_seconds() / 3600:g} h between {id0} (ends {e0}) and "
                                 f"{id1} (starts {s1}); at least {ruleset.min_daily_rest_hours:g} h required"))
    return out


def _weekly_rest_violations(aid, starts, ends, ruleset: RuleSet, tz: str, horizon) -> list[Violation]:
    """Every window of 7 days from the first to the last day of ``horizon`` needs the weekly rest."""
    out = []
    weekly = pd.Timedelta(hours=ruleset.min_weekly_rest_hours)
    first, last = horizon
    d = first
    while d + dt.timedelta(days=6) <= last:
        w0 = pd.Timestamp(dt.datetime.combine(d, dt.time()), tz=tz)
        w1 = pd.Timestamp(dt.datetime.combine(d + dt.timedelta(days=7), dt.time()), tz=tz)
        t, best = w0, pd.Timedelta(0)
        for s, e in zip(starts, ends):
            if e <= w0 or s >= w1:
                continue
            best = max(best, max(s, w0) - t)
            t = max(t, e)
        best = max(best, w1 - min(max(t, w0), w1))
        if best < weekly:
            out.append(Violation(aid, d, "weekly_rest",
                                 f"longest rest in the 7 days from {d} is {best.total_seconds() / 3600:g} h; "
                                 f"at least {ruleset.min_weekly_rest_hours:g} h required"))
        d += dt.timedelta(days=1)
    return out


def _longest_stretch(rec, s, e, tz: str, seen: dict) -> pd.Timedelta:
    """Longest work between the shift's breaks; ``seen`` remembers it per (start, end, breaks), as many
    agents hold the same shift."""
    key = (s, e, rec.breaks)
    if key not in seen:
        t, longest = s, pd.Timedelta(0)
        for brk in sorted(parse_breaks(rec.breaks, tz, where=f"roster: shift {rec.shift_id}, column breaks")):
            longest = max(longest, brk.start - t)
            t = max(t, brk.end)
        seen[key] = max(longest, e - t)
    return seen[key]


def _shift_violations(aid, a, rec, s, e, allowed_groups: set, unavailable: list, ruleset: RuleSet,
                      tz: str, seen: dict) -> list[Violation]:
    """What one shift of one agent breaks on its own: skills, nights, fixed days off, unavailability, rast."""
    out = []
    day = s.date()
    if rec.skill_group not in allowed_groups:
        out.append(Violation(aid, day, "skills", f"shift {rec.shift_id} of skill group {rec.skill_group!r} "
                             f"needs skills/languages the agent lacks ({';'.join(a['skills'])}, "
                             f"{';'.join(a['languages'])})"))
    if _night(s, e, ruleset) and not a["nights_allowed"]:
        out.append(Violation(aid, day, "nights_not_allowed", f"night shift {rec.shift_id} ({s}..{e})"))
    dd = day
    while dd <= (e - pd.Timedelta(microseconds=1)).date():
        if WEEKDAYS[dd.weekday()] in a["fixed_days_off"]:
            out.append(Violation(aid, dd, "fixed_day_off", f"shift {rec.shift_id} works on fixed day off "
                                 f"{WEEKDAYS[dd.weekday()]}"))
        dd += dt.timedelta(days=1)
    for us, ue, reason in unavailable:
        if s < ue and us < e:
            out.append(Violation(aid, day, "unavailable", f"shift {rec.shift_id} ({s}..{e}) overlaps "
                                 f"{reason} {us}..{ue}"))
    longest = _longest_stretch(rec, s, e, tz, seen)
    if longest > pd.Timedelta(hours=ruleset.max_work_without_break_hours):
        out.append(Violation(aid, day, "max_work_without_break",
                             f"shift {rec.shift_id} has {longest.total_seconds() / 3600:g} h of work without "
                             f"a break; at most {ruleset.max_work_without_break_hours:g} h"))
    return out


def _week_violations(aid, a, work_days: set, week_hours: dict, week_nights: dict,
                     ruleset: RuleSet) -> list[Violation]:
    """Consecutive working days, weekly hours and nights per calendar week of one agent."""
    out = []
    k = ruleset.max_consecutive_days
    if k is not None:
        run, prev = 0, None
        for day in sorted(work_days):
            run = run + 1 if prev is not None and (day - prev).days == 1 else 1
            prev = day
            if run == k + 1:
                out.append(Violation(aid, day, "max_consecutive_days", f"{run} consecutive working days; at most {k}"))
    cap = min(c for c in (a["max_hours_per_week"], ruleset.max_hours_per_week, ruleset.max_total_hours_per_week)
              if c is not None)
    for wk, h in week_hours.items():
        if h > cap + 1e-6:
            out.append(Violation(aid, dt.date.fromisocalendar(wk[0], wk[1], 1), "max_hours_per_week",
                                 f"{h:g} paid hours in week {wk[0]}-W{wk[1]:02d}; at most {cap:g}"))
    if ruleset.max_nights_per_week is not None:
        for wk, n in week_nights.items():
            if n > ruleset.max_nights_per_week:
                out.append(Violation(aid, dt.date.fromisocalendar(wk[0], wk[1], 1), "max_nights_per_week",
                                     f"{n} night shifts in week {wk[0]}-W{wk[1]:02d}; at most "
                                     f"{ruleset.max_nights_per_week}"))
    return out


def _agent_violations(aid, a, g: pd.DataFrame, groups: dict, unavailable: list, ruleset: RuleSet, tz: str,
                      horizon, seen: dict) -> list[Violation]:
    g = g.sort_values("start")
    starts = [t.tz_convert(tz) for t in g["start"]]
    ends = [t.tz_convert(tz) for t in g["end"]]
    out = _rest_violations(aid, starts, ends, list(g["shift_id"]), ruleset)
    out += _weekly_rest_violations(aid, starts, ends, ruleset, tz, horizon)
    allowed_groups = {k for k, qs in groups.items() if set(qs) <= set(a["skills"])
                      and all(QUEUE_LANGUAGE.get(q, "sv") in set(a["languages"]) for q in qs)}
    work_days: set = set()
    week_hours: dict = {}
    week_nights: dict = {}
    for rec, s, e in zip(g.itertuples(index=False), starts, ends):
        wk = s.date().isocalendar()[:2]
        work_days.add(s.date())
        week_hours[wk] = week_hours.get(wk, 0.0) + rec.paid_minutes / 60.0
        week_nights[wk] = week_nights.get(wk, 0) + int(_night(s, e, ruleset))
        out += _shift_violations(aid, a, rec, s, e, allowed_groups, unavailable, ruleset, tz, seen)
    return out + _week_violations(aid, a, work_days, week_hours, week_nights, ruleset)


def check_roster(assignments: pd.DataFrame, agents: pd.DataFrame, unavailability: pd.DataFrame | None,
                 ruleset: RuleSet, *, skill_groups: dict | None = None,
                 tz: str = DEFAULT_TZ, horizon: tuple[dt.date, dt.date] | None = None) -> list[Violation]:
    """Every hard rule the roster breaks, found without the MIP.

    Checks per agent: overlapping shifts (``overlap``), rest between shifts
    shorter than ``min_daily_rest_hours`` (``daily_rest``), a 7-day window
    (starting at each local midnight from the agent's first rostered day to
    the last day minus 6) without ``min_weekly_rest_hours`` free
    (``weekly_rest``; windows lie inside ``horizon``, default the first to
    the last start date of all assignments), work longer than ``max_work_without_break_hours``
    without a break (``max_work_without_break``), a shift during
    unavailability (``unavailable``), on a fixed day off
    (``fixed_day_off``), a night shift without ``nights_allowed``
    (``nights_not_allowed``), a shift outside the agent's skills or languages
    (``skills``), more consecutive working days than ``max_consecutive_days``
    (``max_consecutive_days``), more hours in a calendar week than the
    agent's ``max_hours_per_week`` or the legal total (``max_hours_per_week``),
    more night shifts in a week than ``max_nights_per_week``, and an unknown
    agent (``unknown_agent``).

    Returns
    -------
    list of Violation
        Empty when the roster keeps every hard rule.
    """
    groups = skill_groups or DEFAULT_SKILL_GROUPS
    out: list[Violation] = []
    info = agents.set_index("agent_id")
    un_by = {}
    if unavailability is not None and len(unavailability):
        for aid, g in unavailability.groupby("agent_id", sort=False):
            un_by[aid] = list(zip(g["start"], g["end"], g["reason"]))
    if assignments.empty:
        return out
    if horizon is None:
        all_days = [t.tz_convert(tz).date() for t in assignments["start"]]
        horizon = (min(all_days), max(all_days))
    seen: dict = {}
    for aid, g in assignments.groupby("agent_id", sort=False):
        if aid not in info.index:
            out.append(Violation(aid, None, "unknown_agent", f"agent {aid!r} is not in the agent list"))
            continue
        out += _agent_violations(aid, info.loc[aid], g, groups, un_by.get(aid, []), ruleset, tz, horizon, seen)
    return out
