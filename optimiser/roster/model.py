"""Roster MIP: assign scheduled shifts to named agents (PuLP, HiGHS by default).

Each schedule row (``shift_id`` with ``count`` slots) gets one binary
``x[agent, shift]`` per *eligible* agent (an agent takes at most one slot of a
shift) and an integer slack ``unfilled[shift]`` priced heavily, so a partial
roster with every unfilled slot named always comes back.  Hard rules that
depend on one agent and one shift only (skills and languages, availability,
fixed days off, nights allowed, the 5-hour rule on the shift's breaks) are
enforced by not creating the variable; the others are linear constraints.
One named function per constraint family:

``add_skills``                 skill group queues within the agent's skills, languages
``add_availability``           unavailability, fixed days off, nights allowed, breaks (rast)
``add_slot_coverage``          each shift's ``count`` = assigned + unfilled
``add_one_shift_per_day``      at most one shift starting per agent and local day
``add_daily_rest``             >= 11 h between two shifts (maximal-clique form)
``add_weekly_rest``            a 36 h free period in every rolling 7-day window
``add_contract_hours``         weekly max (hard), weekly min and period target (soft), period average cap
``add_max_consecutive_days``   at most K working days in any K+1 consecutive days
``add_night_limits``           at most N night shifts per calendar week (optional)
``add_fairness``               spread (max - min) of nights, weekends, holidays
``add_preferences``            wanted / unwanted days and shift templates (soft)

Daily rest: two shifts conflict when the gap between them is shorter than the
rest; extend each shift to ``[start, end + rest)`` and conflicting shifts are
intervals that overlap, whose maximal cliques are found by one sweep (an
interval graph), giving one ``sum x <= 1`` per maximal clique instead of one
row per pair [1]_.

Weekly rest (rolling windows, so it holds across week boundaries): time is cut
in blocks of ``weekly_rest_grid_hours``; ``busy[a,k] >= sum x`` of the shifts
overlapping block k (at most one can, given the daily rest), a candidate rest
period is ``36 h / grid`` consecutive blocks and ``free[a,c] <= 1 - busy[a,k]``
for its blocks; every 7-day window starting at a local midnight needs
``sum free >= 1`` over the candidates inside it.  ``busy`` and ``free`` may be
continuous: with integral ``x`` a candidate can only be positive when none of
its blocks is worked.  Candidates are aligned to the grid, so this is sound
but slightly conservative (a true 36-37 h gap off the grid is not counted).

References
----------
.. [1] M. C. Golumbic, *Algorithmic Graph Theory and Perfect Graphs*, 2nd ed.,
   Elsevier, 2004, ch. 8 (interval graphs, maximal cliques by a sweep).
.. [2] A. T. Ernst, H. Jiang, M. Krishnamoorthy, D. Sier, "Staff scheduling
   and rostering: A review of applications, methods and models", EJOR 153
   (2004) 3-27.
.. [3] Arbetstidslag (1982:673), 13-15 §§.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from optimiser.roster.agents import DEFAULT_SKILL_GROUPS, QUEUE_LANGUAGE
from optimiser.roster.rules import RuleSet
from optimiser.scheduling.spec import SolverSettings
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import Break, parse_breaks
from wfm.ground.vocabulary import DEFAULT_TZ, WEEKDAYS

__all__ = [
    "RosterModel",
    "RosterProblem",
    "add_availability",
    "add_contract_hours",
    "add_daily_rest",
    "add_fairness",
    "add_max_consecutive_days",
    "add_night_limits",
    "add_one_shift_per_day",
    "add_preferences",
    "add_skills",
    "add_slot_coverage",
    "add_weekly_rest",
    "agent_states",
    "build_model",
    "contract_targets",
    "fixed_by_agent",
    "fixed_dates",
    "greedy_start",
    "horizon_days",
    "longest_work_without_break_hours",
    "may_take",
    "preference_terms",
    "prepare_model",
    "prepare_shifts",
    "shift_tuples",
    "take",
    "weekly_rest_ok",
    "weekly_rest_windows",
]

#: Nanoseconds in an hour (shift times are compared as int64 nanoseconds since the epoch).
NS_PER_HOUR = 3_600_000_000_000


@dataclass(frozen=True)
class RosterProblem:
    """Everything the roster model needs (frozen; frames are not copied).

    Attributes
    ----------
    shifts : pandas.DataFrame
        Schedule CSV rows: ``shift_id, template, skill_group, start, end,
        count, paid_minutes, breaks`` (tz-aware ``start``/``end``).
    agents : pandas.DataFrame
        From :func:`wfm.io.agents.read_agents`.
    unavailability : pandas.DataFrame
        ``agent_id, start, end, reason`` (may be empty).
    ruleset : RuleSet
    preferences : pandas.DataFrame, optional
        ``agent_id, kind (wanted|unwanted), day (YYYY-MM-DD | Mon..Sun | empty),
        template (schedule template | empty), weight (>= 0)``.
    skill_groups : dict
        Skill group -> queues.
    fixed_work : pandas.DataFrame, optional
        Earlier assignments ``agent_id, start, end, paid_minutes`` (e.g. the
        previous week of a decomposed solve) the rest rules must respect.
    period_hours_used : dict, optional
        Agent -> paid hours already rostered in earlier parts of the period.
    period_weeks : float, optional
        Length of the whole averaging period [weeks]; default this horizon.
    tz : str
    solver : SolverSettings
    """

    shifts: pd.DataFrame
    agents: pd.DataFrame
    unavailability: pd.DataFrame
    ruleset: RuleSet
    preferences: pd.DataFrame | None = None
    skill_groups: dict = field(default_factory=lambda: dict(DEFAULT_SKILL_GROUPS))
    fixed_work: pd.DataFrame | None = None
    period_hours_used: dict | None = None
    period_weeks: float | None = None
    tz: str = DEFAULT_TZ
    solver: SolverSettings = field(default_factory=SolverSettings)


@dataclass
class RosterModel:
    """The built PuLP model plus the index needed to read the answer."""

    problem: RosterProblem
    prob: pulp.LpProblem | None  # None when only prepared (prepare_model)
    shifts: pd.DataFrame
    x: dict  # (agent_id, shift_id) -> LpVariable
    unfilled: dict  # shift_id -> LpVariable
    eligible: dict  # agent_id -> np.ndarray of shift row positions
    excluded: dict  # rule -> list of (agent_id, shift_id)
    terms: dict  # (agent_id, shift_id) -> list of (penalty name, value)
    shortfall: dict = field(default_factory=dict)  # (agent_id, label) -> (LpVariable, target hours)
    fairness: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    weekly: dict = field(default_factory=dict)
    objective_parts: list = field(default_factory=list)


def _label(text) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", str(text))


def longest_work_without_break_hours(start: pd.Timestamp, end: pd.Timestamp, breaks: tuple[Break, ...]) -> float:
    """Longest stretch of work inside a shift between its breaks [h].

    Every break (paid or unpaid) interrupts work, as a *rast* or *paus* does
    under Arbetstidslagen 15 §.
    """
    longest, t = 0.0, start
    for brk in sorted(breaks):
        longest = max(longest, (brk.start - t).total_seconds() / 3600)
        t = max(t, brk.end)
    return max(longest, (end - t).total_seconds() / 3600)


def prepare_shifts(shifts: pd.DataFrame, ruleset: RuleSet, skill_groups: dict,
                   tz: str = DEFAULT_TZ) -> pd.DataFrame:
    """Derived columns of the schedule used by the model and the checker.

    Adds ``day`` (local date of the start), ``week`` (ISO year-week label of
    that date), ``hours`` (paid hours), ``is_night``, ``is_weekend`` (starts
    on Sat/Sun), ``is_holiday`` (starts on a public holiday of
    ``ruleset.holiday_country``), ``weekday_mask`` (bit i set when the shift
    touches local weekday i), ``break_list`` (the ``breaks`` text read once
    into :class:`~wfm.ground.frames.Break` objects), ``longest_stretch_hours``,
    ``start_ns``/``end_ns``.
    """
    from wfm.ground.calendar import special_days

    df = shifts.reset_index(drop=True).copy()
    if df.empty:
        raise WfmInputError("schedule: no shifts to roster")
    if df["shift_id"].duplicated().any():
        dup = df.loc[df["shift_id"].duplicated(), "shift_id"].iloc[0]
        raise WfmInputError(f"schedule: column shift_id must be unique, {dup!r} appears twice")
    unknown = sorted(set(df["skill_group"]) - set(skill_groups))
    if unknown:
        raise WfmInputError(f"schedule: column skill_group: unknown skill group(s) {', '.join(map(repr, unknown))}; "
                            f"known: {', '.join(skill_groups)}")
    df["start"] = df["start"].dt.tz_convert(tz)
    df["end"] = df["end"].dt.tz_convert(tz)
    df["day"] = [t.date() for t in df["start"]]
    df["week"] = [f"{t.isocalendar()[0]}-W{t.isocalendar()[1]:02d}" for t in df["day"]]
    df["hours"] = df["paid_minutes"].astype(float) / 60.0
    df["is_night"] = [ruleset.is_night(s, e) for s, e in zip(df["start"], df["end"])]
    df["is_weekend"] = [d.weekday() >= 5 for d in df["day"]]
    hol: set = set()
    if ruleset.holiday_country:
        sd = special_days(min(df["day"]), max(df["day"]), ruleset.holiday_country, bridge_days=False)
        hol = set(sd.loc[sd["kind"] == "holiday", "date"])
    df["is_holiday"] = [d in hol for d in df["day"]]
    masks = []
    for s, e in zip(df["start"], df["end"]):
        m, d, last = 0, s.date(), (e - pd.Timedelta(microseconds=1)).date()
        while d <= last:
            m |= 1 << d.weekday()
            d += dt.timedelta(days=1)
        masks.append(m)
    df["weekday_mask"] = np.array(masks, dtype=np.int64)
    df["break_list"] = [parse_breaks(text, tz, where=f"schedule: shift {sid}, column breaks")
                        for sid, text in zip(df["shift_id"], df["breaks"])]
    df["longest_stretch_hours"] = [longest_work_without_break_hours(s, e, b)
                                   for s, e, b in zip(df["start"], df["end"], df["break_list"])]
    df["start_ns"] = np.array([t.value for t in df["start"]], dtype=np.int64)
    df["end_ns"] = np.array([t.value for t in df["end"]])
    return df


# --- eligibility (variables that are not created) --------------------------------------

def add_skills(eligible: dict, agents: pd.DataFrame, shifts: pd.DataFrame, skill_groups: dict,
               excluded: dict) -> None:
    """Hard: an agent only takes shifts whose skill group's queues are all among
    the agent's skills and whose queues' languages the agent speaks."""
    for rec in agents.itertuples(index=False):
        skills, langs = set(rec.skills), set(rec.languages)
        ok_groups = {g for g, qs in skill_groups.items()
                     if set(qs) <= skills and all(QUEUE_LANGUAGE.get(q, "sv") in langs for q in qs)}
        keep = shifts["skill_group"].isin(ok_groups).to_numpy()
        pos = eligible[rec.agent_id]
        eligible[rec.agent_id] = pos[keep[pos]]


def add_availability(eligible: dict, agents: pd.DataFrame, shifts: pd.DataFrame,
                     unavailability: pd.DataFrame, ruleset: RuleSet, excluded: dict) -> None:
    """Hard: no shift that overlaps the agent's unavailability, touches a fixed
    day off, is a night shift for an agent without ``nights_allowed``, or has
    a stretch of work longer than ``max_work_without_break_hours`` (rast)."""
    start, end = shifts["start_ns"].to_numpy(), shifts["end_ns"].to_numpy()
    mask = shifts["weekday_mask"].to_numpy()
    night = shifts["is_night"].to_numpy()
    rast_ok = (shifts["longest_stretch_hours"].to_numpy() <= ruleset.max_work_without_break_hours + 1e-9)
    un = {}
    if unavailability is not None and len(unavailability):
        for aid, g in unavailability.groupby("agent_id", sort=False):
            un[aid] = (np.array([t.value for t in g["start"]]), np.array([t.value for t in g["end"]]))
    for rec in agents.itertuples(index=False):
        pos = eligible[rec.agent_id]
        keep = rast_ok[pos].copy()
        day_mask = sum(1 << WEEKDAYS.index(d) for d in rec.fixed_days_off)
        keep &= (mask[pos] & day_mask) == 0
        if not rec.nights_allowed:
            keep &= ~night[pos]
        if rec.agent_id in un:
            us, ue = un[rec.agent_id]
            s, e = start[pos][:, None], end[pos][:, None]
            keep &= ~((s < ue[None, :]) & (e > us[None, :])).any(axis=1)
        eligible[rec.agent_id] = pos[keep]


# --- constraints ----------------------------------------------------------------------

def add_slot_coverage(m: RosterModel) -> None:
    """Each shift's ``count`` slots are either assigned or counted unfilled."""
    by_shift: dict = {}
    for (aid, sid), var in m.x.items():
        by_shift.setdefault(sid, []).append(var)
    for rec in m.shifts.itertuples(index=False):
        u = m.unfilled[rec.shift_id]
        m.prob += (pulp.lpSum(by_shift.get(rec.shift_id, [])) + u == int(rec.count)), f"cover_{_label(rec.shift_id)}"


def _agent_vars(m: RosterModel, aid: str):
    pos = m.eligible[aid]
    sids = m.shifts["shift_id"].to_numpy()[pos]
    return pos, [m.x[(aid, s)] for s in sids]


def add_one_shift_per_day(m: RosterModel) -> None:
    """At most one shift starting on each local calendar day per agent."""
    days = m.shifts["day"].to_numpy()
    for aid in m.eligible:
        pos, xs = _agent_vars(m, aid)
        groups: dict = {}
        for p, v in zip(pos, xs):
            groups.setdefault(days[p], []).append(v)
        for d, vs in groups.items():
            if len(vs) > 1:
                m.prob += pulp.lpSum(vs) <= 1, f"oneday_{_label(aid)}_{d:%Y%m%d}"


def add_daily_rest(m: RosterModel) -> None:
    """At least ``min_daily_rest_hours`` between any two shifts of an agent
    (also against ``fixed_work`` from an earlier part of the period)."""
    rest_ns = int(round(m.problem.ruleset.min_daily_rest_hours * NS_PER_HOUR))
    start, end = m.shifts["start_ns"].to_numpy(), m.shifts["end_ns"].to_numpy()
    fixed = fixed_by_agent(m.problem)
    for aid in m.eligible:
        pos, xs = _agent_vars(m, aid)
        if aid in fixed:
            fs, fe = fixed[aid]
            bad = ((start[pos][:, None] < fe[None, :] + rest_ns) & (fs[None, :] < end[pos][:, None] + rest_ns)).any(axis=1)
            for p, v, b in zip(pos, xs, bad):
                if b:
                    m.prob += v == 0, f"rest_prev_{_label(aid)}_{_label(m.shifts['shift_id'].iat[p])}"
        if len(pos) < 2:
            continue
        order = np.argsort(start[pos], kind="stable")
        s, ext = start[pos][order], end[pos][order] + rest_ns
        starts = np.unique(s)
        for i, p in enumerate(starts):
            members = np.flatnonzero((s <= p) & (ext > p))
            if len(members) < 2:
                continue
            if i + 1 < len(starts) and ext[members].min() > starts[i + 1]:
                continue  # contained in the next clique
            m.prob += pulp.lpSum(xs[order[j]] for j in members) <= 1, f"rest11_{_label(aid)}_{i}"


def fixed_by_agent(problem: RosterProblem) -> dict:
    """Per agent, the ``(starts, ends)`` [ns] of the earlier assignments in ``fixed_work``."""
    out = {}
    fw = problem.fixed_work
    if fw is not None and len(fw):
        for aid, g in fw.groupby("agent_id", sort=False):
            out[aid] = (np.array([t.value for t in g["start"]]), np.array([t.value for t in g["end"]]))
    return out


def horizon_days(m: RosterModel) -> list[dt.date]:
    """Every local date from the first to the last shift start."""
    d0, d1 = min(m.shifts["day"]), max(m.shifts["day"])
    return [d0 + dt.timedelta(days=i) for i in range((d1 - d0).days + 1)]


def _midnight(day: dt.date, tz: str) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime.combine(day, dt.time()), tz=tz)


def weekly_rest_windows(m: RosterModel) -> dict:
    """The weekly-rest grid: ``t0`` [ns], ``grid_ns``, ``need`` (blocks of rest
    needed) and ``windows`` (``(day, start_ns, end_ns)`` of every 7-day window
    starting at a local midnight of the horizon, and up to 6 days before it
    when there is ``fixed_work``)."""
    rules, tz = m.problem.ruleset, m.problem.tz
    grid_ns = int(round(rules.weekly_rest_grid_hours * NS_PER_HOUR))
    need = int(np.ceil(rules.min_weekly_rest_hours / rules.weekly_rest_grid_hours - 1e-9))
    days = horizon_days(m)
    fixed = fixed_by_agent(m.problem)
    first_window = days[0] - dt.timedelta(days=6) if fixed else days[0]
    # Windows start at every local midnight up to the last day; a window that
    # runs past the horizon sees the time after it as free, so the next period
    # (or the next week of a decomposed solve) can still meet it.
    windows = []
    d = first_window
    while d <= days[-1]:
        windows.append((d, _midnight(d, tz).value, _midnight(d + dt.timedelta(days=7), tz).value))
        d += dt.timedelta(days=1)
    return {"t0": windows[0][1], "grid_ns": grid_ns, "need": need, "windows": windows}


def add_weekly_rest(m: RosterModel) -> None:
    """A free period of ``min_weekly_rest_hours`` in every rolling 7-day window
    (windows start at each local midnight; with ``fixed_work`` also the
    windows that start up to 6 days before the horizon)."""
    rules = m.problem.ruleset
    m.weekly = weekly_rest_windows(m)
    t0, grid_ns, need, windows = m.weekly["t0"], m.weekly["grid_ns"], m.weekly["need"], m.weekly["windows"]
    fixed = fixed_by_agent(m.problem)
    last_end = m.shifts["end_ns"].max()
    n_blocks = int(np.ceil((max(windows[-1][2], last_end) - t0) / grid_ns))
    b_start = t0 + grid_ns * np.arange(n_blocks)
    start, end = m.shifts["start_ns"].to_numpy(), m.shifts["end_ns"].to_numpy()
    for aid in m.eligible:
        pos, xs = _agent_vars(m, aid)
        busy_fixed = np.zeros(n_blocks, dtype=bool)
        if aid in fixed:
            fs, fe = fixed[aid]
            busy_fixed = ((b_start[:, None] < fe[None, :]) & (b_start[:, None] + grid_ns > fs[None, :])).any(axis=1)
        if len(pos):
            ov = (b_start[:, None] < end[pos][None, :]) & (b_start[:, None] + grid_ns > start[pos][None, :])
        else:
            ov = np.zeros((n_blocks, 0), dtype=bool)
        may_work = ov.any(axis=1)
        busy_vars: dict = {}

        def busy(k):
            if k not in busy_vars:
                v = pulp.LpVariable(f"busy_{_label(aid)}_{k}", 0, 1)
                m.prob += pulp.lpSum(xs[j] for j in np.flatnonzero(ov[k])) <= v, f"busydef_{_label(aid)}_{k}"
                busy_vars[k] = v
            return busy_vars[k]

        free_vars: dict = {}
        for wi, (d, w0, w1) in enumerate(windows):
            k0 = int((w0 - t0) // grid_ns)
            k1 = int((w1 - t0) // grid_ns)  # exclusive
            cands = []
            trivially_free = False
            for c in range(k0, k1 - need + 1):
                if busy_fixed[c:c + need].any():
                    continue
                if not may_work[c:c + need].any():
                    trivially_free = True
                    break
                cands.append(c)
            if trivially_free:
                continue
            if not cands:
                m.notes.append(f"weekly rest: agent {aid} has no possible {rules.min_weekly_rest_hours:g} h rest "
                               f"in the 7 days from {d} (earlier assignments)")
                continue
            vs = []
            for c in cands:
                if c not in free_vars:
                    f = pulp.LpVariable(f"free36_{_label(aid)}_{c}", 0, 1)
                    for k in range(c, c + need):
                        if may_work[k]:
                            m.prob += f + busy(k) <= 1, f"freedef_{_label(aid)}_{c}_{k}"
                    free_vars[c] = f
                vs.append(free_vars[c])
            m.prob += pulp.lpSum(vs) >= 1, f"rest36_{_label(aid)}_{d:%Y%m%d}"


def _unavailable_weekdays(problem: RosterProblem, days: list[dt.date]) -> dict:
    """Per agent, the Mon-Fri dates of the horizon on which they are unavailable >= 4 h
    (not part_time); agents without any are left out."""
    un = problem.unavailability
    out: dict = {}
    if un is None or not len(un):
        return out
    rows = un[un["reason"] != "part_time"]
    aids = rows["agent_id"].to_numpy()
    s = np.array([t.value for t in rows["start"]], dtype=np.int64)
    e = np.array([t.value for t in rows["end"]], dtype=np.int64)
    four_h = 4 * NS_PER_HOUR
    for d in days:
        if d.weekday() >= 5:
            continue
        m0, m1 = _midnight(d, problem.tz).value, _midnight(d + dt.timedelta(days=1), problem.tz).value
        hit = (np.minimum(e, m1) - np.maximum(s, m0)) >= four_h
        for aid in aids[hit]:
            out.setdefault(aid, set()).add(d)
    return out


def contract_targets(m: RosterModel) -> dict:
    """Per agent the hour limits and targets of :func:`add_contract_hours`:
    ``cap`` (weekly hard maximum [h]), ``weeks`` (ISO week label -> soft
    minimum [h], prorated for partial weeks and reduced by 1/5 of the
    contract per weekday of leave or training), ``budget`` (hard period
    maximum [h], net of ``period_hours_used``) and ``target`` (soft period
    contract hours [h], likewise reduced, at most ``budget``)."""
    p, rules = m.problem, m.problem.ruleset
    hdays = horizon_days(m)
    n_weeks = len(hdays) / 7.0
    period_weeks = p.period_weeks or n_weeks
    used = p.period_hours_used or {}
    week_days: dict = {}
    for d in hdays:
        week_days.setdefault(f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}", []).append(d)
    out = {}
    lost_by_agent = _unavailable_weekdays(p, hdays)
    for rec in p.agents.itertuples(index=False):
        aid = rec.agent_id
        cap = min(x for x in (rec.max_hours_per_week, rules.max_hours_per_week, rules.max_total_hours_per_week)
                  if x is not None)
        lost = lost_by_agent.get(aid, set())
        weeks = {}
        for wk, dlist in week_days.items():
            weeks[wk] = max(0.0, rec.min_hours_per_week * len(dlist) / 7.0
                            - rec.contract_hours_per_week / 5.0 * len(lost & set(dlist)))
        budget = rec.contract_hours_per_week * period_weeks - used.get(aid, 0.0)
        target = max(0.0, rec.contract_hours_per_week * n_weeks - rec.contract_hours_per_week / 5.0 * len(lost))
        out[aid] = {"cap": cap, "weeks": weeks, "budget": budget, "target": min(target, max(budget, 0.0))}
    return out


def add_contract_hours(m: RosterModel) -> None:
    """Per calendar week: paid hours <= the agent's ``max_hours_per_week`` (and the
    rule set's ``max_hours_per_week``/``max_total_hours_per_week``), shifts <=
    ``max_shifts_per_week`` (hard); over the period: paid hours <= contract x
    weeks (ordinary time averaged, hard).  Soft, with a named shortfall
    variable each: the week's ``min_hours_per_week`` and the period's contract
    hours, both reduced by 1/5 of the contract for each weekday of leave or
    training (>= 4 h).  The figures come from :func:`contract_targets`."""
    rules = m.problem.ruleset
    hours, weeks = m.shifts["hours"].to_numpy(), m.shifts["week"].to_numpy()
    pen = rules.penalties.contract_shortfall_per_hour
    for aid, tg in contract_targets(m).items():
        pos, xs = _agent_vars(m, aid)
        by_week: dict = {}
        for q, v in zip(pos, xs):
            by_week.setdefault(weeks[q], []).append((hours[q], v))
        for wk, target in tg["weeks"].items():
            terms = by_week.get(wk, [])
            expr = pulp.lpSum(h * v for h, v in terms)
            if terms:
                m.prob += expr <= tg["cap"], f"maxh_{_label(aid)}_{_label(wk)}"
                if rules.max_shifts_per_week is not None:
                    m.prob += pulp.lpSum(v for _, v in terms) <= rules.max_shifts_per_week, \
                        f"maxshifts_{_label(aid)}_{_label(wk)}"
            if target > 0 and pen > 0:
                s = pulp.LpVariable(f"shortmin_{_label(aid)}_{_label(wk)}", 0)
                m.prob += expr + s >= target, f"minh_{_label(aid)}_{_label(wk)}"
                m.shortfall[(aid, f"min_hours_per_week {wk}")] = (s, target)
                m.objective_parts.append(pen * s)
        total = pulp.lpSum(hours[q] * v for q, v in zip(pos, xs))
        if xs:
            m.prob += total <= max(tg["budget"], 0.0), f"avgh_{_label(aid)}"
        if tg["target"] > 0 and pen > 0:
            s = pulp.LpVariable(f"shortcontract_{_label(aid)}", 0)
            m.prob += total + s >= tg["target"], f"contract_{_label(aid)}"
            m.shortfall[(aid, "contract_hours")] = (s, tg["target"])
            m.objective_parts.append(pen * s)


def add_max_consecutive_days(m: RosterModel) -> None:
    """At most ``max_consecutive_days`` working days (a shift starting that day)
    in any run of that many + 1 days, counting ``fixed_work`` days before."""
    k = m.problem.ruleset.max_consecutive_days
    if k is None:
        return
    days = m.shifts["day"].to_numpy()
    hdays = horizon_days(m)
    fixed_days = fixed_dates(m.problem)
    span = [hdays[0] - dt.timedelta(days=k - i) for i in range(k)] + hdays
    for aid in m.eligible:
        pos, xs = _agent_vars(m, aid)
        per_day: dict = {}
        for q, v in zip(pos, xs):
            per_day.setdefault(days[q], []).append(v)
        fd = fixed_days.get(aid, set())
        for i in range(len(span) - k):
            window = span[i:i + k + 1]
            if window[-1] < hdays[0]:
                continue
            vs = [v for d in window for v in per_day.get(d, [])]
            const = sum(1 for d in window if d in fd)
            n_var_days = sum(1 for d in window if d in per_day)
            if n_var_days + const <= k:
                continue
            m.prob += pulp.lpSum(vs) + const <= k, f"consec_{_label(aid)}_{window[0]:%Y%m%d}"


def add_night_limits(m: RosterModel) -> None:
    """At most ``max_nights_per_week`` night shifts per agent and calendar week."""
    n = m.problem.ruleset.max_nights_per_week
    if n is None:
        return
    night, weeks = m.shifts["is_night"].to_numpy(), m.shifts["week"].to_numpy()
    for aid in m.eligible:
        pos, xs = _agent_vars(m, aid)
        by_week: dict = {}
        for q, v in zip(pos, xs):
            if night[q]:
                by_week.setdefault(weeks[q], []).append(v)
        for wk, vs in by_week.items():
            if len(vs) > n:
                m.prob += pulp.lpSum(vs) <= n, f"nights_{_label(aid)}_{_label(wk)}"


def add_fairness(m: RosterModel) -> None:
    """Soft: minimise ``max - min`` of the number of night, weekend and holiday
    shifts over the agents who may take such shifts (the min over those with
    no leave or training in the horizon)."""
    pen = m.problem.ruleset.penalties
    weights = {"nights": pen.fairness_nights, "weekends": pen.fairness_weekends, "holidays": pen.fairness_holidays}
    cols = {"nights": "is_night", "weekends": "is_weekend", "holidays": "is_holiday"}
    un = m.problem.unavailability
    away = set(un.loc[un["reason"] != "part_time", "agent_id"]) if un is not None and len(un) else set()
    for cat, w in weights.items():
        flag = m.shifts[cols[cat]].to_numpy()
        if w <= 0 or not flag.any():
            continue
        zmax = pulp.LpVariable(f"fair_{cat}_max", 0)
        zmin = pulp.LpVariable(f"fair_{cat}_min", 0)
        n_min = 0
        for aid in m.eligible:
            pos, xs = _agent_vars(m, aid)
            vs = [v for q, v in zip(pos, xs) if flag[q]]
            if not vs:
                continue
            expr = pulp.lpSum(vs)
            m.prob += expr <= zmax, f"fairmax_{cat}_{_label(aid)}"
            if aid not in away:
                m.prob += expr >= zmin, f"fairmin_{cat}_{_label(aid)}"
                n_min += 1
        if n_min == 0:
            m.prob += zmin == 0, f"fairmin_{cat}_none"
        m.fairness[cat] = (zmax, zmin)
        m.objective_parts.append(w * (zmax - zmin))


def preference_terms(m: RosterModel) -> dict:
    """``(agent_id, shift_id) -> [(term, value), ...]``: each matching wanted
    shift is worth ``-weight x preference_weight``, each unwanted one
    ``+weight x preference_weight`` [objective units]."""
    prefs = m.problem.preferences
    terms: dict = {}
    if prefs is None or not len(prefs):
        return terms
    scale = m.problem.ruleset.penalties.preference_weight
    days, templates = m.shifts["day"].to_numpy(), m.shifts["template"].to_numpy()
    sids = m.shifts["shift_id"].to_numpy()
    for rec in prefs.itertuples(index=False):
        if rec.agent_id not in m.eligible:
            continue
        for q in m.eligible[rec.agent_id]:
            d = days[q]
            if rec.day and rec.day != d.isoformat() and rec.day != WEEKDAYS[d.weekday()]:
                continue
            if rec.template and rec.template != templates[q]:
                continue
            sign = -1.0 if rec.kind == "wanted" else 1.0
            terms.setdefault((rec.agent_id, sids[q]), []).append(
                (f"{rec.kind} {rec.day or 'any day'} {rec.template or 'any shift'}", sign * float(rec.weight) * scale))
    return terms


def add_preferences(m: RosterModel) -> None:
    """Soft: each matching wanted shift lowers the objective by ``weight x
    preference_weight``, each unwanted one raises it; the terms are kept per
    (agent, shift) so the result can say why someone got a shift."""
    m.terms = preference_terms(m)
    for key, items in m.terms.items():
        for _name, value in items:
            m.objective_parts.append(value * m.x[key])


def prepare_model(problem: RosterProblem) -> RosterModel:
    """The model's index without the MIP: derived shift columns, each agent's
    eligible shifts (skills, availability, fixed days off, nights, rast), the
    weekly-rest grid, preference terms and the contract targets (in
    ``shortfall`` with no variable).  Used by the local search, which needs no
    PuLP objects (``prob``, ``x`` and ``unfilled`` are empty)."""
    shifts = prepare_shifts(problem.shifts, problem.ruleset, problem.skill_groups, problem.tz)
    eligible = {aid: np.arange(len(shifts)) for aid in problem.agents["agent_id"]}
    excluded: dict = {}
    add_skills(eligible, problem.agents, shifts, problem.skill_groups, excluded)
    add_availability(eligible, problem.agents, shifts, problem.unavailability, problem.ruleset, excluded)
    m = RosterModel(problem, None, shifts, {}, {}, eligible, excluded, {})
    m.weekly = weekly_rest_windows(m)
    m.terms = preference_terms(m)
    pen = problem.ruleset.penalties.contract_shortfall_per_hour
    for aid, tg in contract_targets(m).items():
        for wk, target in tg["weeks"].items():
            if target > 0 and pen > 0:
                m.shortfall[(aid, f"min_hours_per_week {wk}")] = (None, target)
        if tg["target"] > 0 and pen > 0:
            m.shortfall[(aid, "contract_hours")] = (None, tg["target"])
    return m


def build_model(problem: RosterProblem) -> RosterModel:
    """Build the roster MIP for ``problem`` (see the module docstring)."""
    shifts = prepare_shifts(problem.shifts, problem.ruleset, problem.skill_groups, problem.tz)
    agents = problem.agents
    n = len(shifts)
    eligible = {aid: np.arange(n) for aid in agents["agent_id"]}
    excluded: dict = {}
    add_skills(eligible, agents, shifts, problem.skill_groups, excluded)
    add_availability(eligible, agents, shifts, problem.unavailability, problem.ruleset, excluded)
    prob = pulp.LpProblem("roster", pulp.LpMinimize)
    x = {}
    sids = shifts["shift_id"].to_numpy()
    for aid, pos in eligible.items():
        for q in pos:
            x[(aid, sids[q])] = pulp.LpVariable(f"x_{_label(aid)}_{_label(sids[q])}", cat=pulp.LpBinary)
    unfilled = {rec.shift_id: pulp.LpVariable(f"unfilled_{_label(rec.shift_id)}", 0, int(rec.count), cat=pulp.LpInteger)
                for rec in shifts.itertuples(index=False)}
    m = RosterModel(problem, prob, shifts, x, unfilled, eligible, excluded, {})
    add_slot_coverage(m)
    add_one_shift_per_day(m)
    add_daily_rest(m)
    add_weekly_rest(m)
    add_contract_hours(m)
    add_max_consecutive_days(m)
    add_night_limits(m)
    add_fairness(m)
    add_preferences(m)
    pen = problem.ruleset.penalties.unfilled_slot_per_hour
    m.objective_parts.append(pulp.lpSum(pen * h * unfilled[s] for s, h in zip(sids, shifts["hours"].to_numpy())))
    prob += pulp.lpSum(m.objective_parts)
    return m


# --- a feasible start ---------------------------------------------------------------------

def weekly_rest_ok(intervals: list, new: tuple, m: RosterModel) -> bool:
    """Does every weekly-rest window holding ``new`` keep a grid-aligned free
    run of ``need`` blocks, given ``intervals`` (later time counted free)?

    The blocks of all those windows are marked busy once; a free run of
    ``need`` blocks can start at block ``c`` when none of ``c .. c+need-1`` is
    busy (a difference of cumulative sums), and a window passes when such a
    start lies in it.
    """
    wk = m.weekly
    if not wk:
        return True
    t0, g, need = wk["t0"], wk["grid_ns"], wk["need"]
    s_new, e_new = new
    ks = [(int((w0 - t0) // g), int((w1 - t0) // g)) for _d, w0, w1 in wk["windows"] if w0 < e_new and s_new < w1]
    if not ks:
        return True
    k_lo, k_hi = min(k0 for k0, _k1 in ks), max(k1 for _k0, k1 in ks)
    busy = np.zeros(k_hi - k_lo, dtype=np.int64)
    lo_ns, hi_ns = t0 + k_lo * g, t0 + k_hi * g
    for s, e in intervals + [new]:
        if e <= lo_ns or s >= hi_ns:
            continue
        a = max(k_lo, int((s - t0) // g))
        b = min(k_hi, int(-((t0 - e) // g)))  # ceil
        busy[a - k_lo:b - k_lo] = 1
    if k_hi - k_lo < need:
        return False
    cs = np.concatenate(([0], np.cumsum(busy)))
    free_start = (cs[need:] - cs[:-need]) == 0  # a free run starts at k_lo + c
    cf = np.concatenate(([0], np.cumsum(free_start)))
    for k0, k1 in ks:
        last = k1 - need + 1  # exclusive end of the starts inside the window
        if last <= k0 or cf[last - k_lo] - cf[k0 - k_lo] == 0:
            return False
    return True


def fixed_dates(problem: RosterProblem) -> dict:
    """Per agent, the local dates of their ``fixed_work``."""
    out: dict = {}
    fw = problem.fixed_work
    if fw is not None and len(fw):
        for aid, s in zip(fw["agent_id"], fw["start"]):
            out.setdefault(aid, set()).add(s.tz_convert(problem.tz).date())
    return out


def agent_states(m: RosterModel) -> dict:
    """Per eligible agent, what the greedy start and the local search track to keep the hard rules:
    ``ivs`` (``(start_ns, end_ns)`` of the shifts held, ``fixed_work`` included), ``days`` (dates
    worked), ``week_h``/``week_n``/``week_nights`` (hours, shifts and nights per ISO week), ``total``
    (hours this horizon), ``cap`` (weekly hour limit [h]) and ``budget`` (period hours left [h])."""
    p, rules = m.problem, m.problem.ruleset
    fixed, fixed_days = fixed_by_agent(p), fixed_dates(p)
    agents = p.agents.set_index("agent_id")
    used_before = p.period_hours_used or {}
    period_weeks = p.period_weeks or len(horizon_days(m)) / 7.0
    out = {}
    for aid in m.eligible:
        a = agents.loc[aid]
        cap = min(x for x in (a["max_hours_per_week"], rules.max_hours_per_week, rules.max_total_hours_per_week)
                  if x is not None)
        ivs = [(int(s), int(e)) for s, e in zip(*fixed[aid])] if aid in fixed else []
        out[aid] = {"ivs": ivs, "days": set(fixed_days.get(aid, set())), "week_h": {}, "week_n": {},
                    "week_nights": {}, "total": 0.0, "cap": cap,
                    "budget": a["contract_hours_per_week"] * period_weeks - used_before.get(aid, 0.0)}
    return out


def _run_with(days: set, d: dt.date) -> int:
    """Consecutive working days through ``d`` if ``d`` is worked too."""
    run, dd = 1, d - dt.timedelta(days=1)
    while dd in days:
        run, dd = run + 1, dd - dt.timedelta(days=1)
    dd = d + dt.timedelta(days=1)
    while dd in days:
        run, dd = run + 1, dd + dt.timedelta(days=1)
    return run


def may_take(st: dict, m: RosterModel, shift: tuple) -> bool:
    """Do the hard rules still hold if the agent of state ``st`` (:func:`agent_states`) takes ``shift``
    = ``(start_ns, end_ns, day, week, hours, is_night)``?  One shift a day, the weekly hour cap and the
    period's hours, shifts and nights per week, the daily rest, consecutive days and the weekly rest
    on the model's grid (skills, availability and the like are in the eligibility lists)."""
    s, e, d, wk, h, night = shift
    rules = m.problem.ruleset
    if d in st["days"]:
        return False
    if st["week_h"].get(wk, 0.0) + h > st["cap"] + 1e-9 or st["total"] + h > st["budget"] + 1e-9:
        return False
    if rules.max_shifts_per_week is not None and st["week_n"].get(wk, 0) + 1 > rules.max_shifts_per_week:
        return False
    if night and rules.max_nights_per_week is not None and st["week_nights"].get(wk, 0) + 1 > rules.max_nights_per_week:
        return False
    rest = int(round(rules.min_daily_rest_hours * NS_PER_HOUR))
    for fs, fe in st["ivs"]:
        if s < fe + rest and fs < e + rest:
            return False
    if rules.max_consecutive_days is not None and _run_with(st["days"], d) > rules.max_consecutive_days:
        return False
    return weekly_rest_ok(st["ivs"], (s, e), m)


def take(st: dict, shift: tuple) -> None:
    """Record in ``st`` that its agent takes ``shift`` (as :func:`may_take`)."""
    s, e, d, wk, h, night = shift
    st["ivs"].append((s, e))
    st["days"].add(d)
    st["week_h"][wk] = st["week_h"].get(wk, 0.0) + h
    st["week_n"][wk] = st["week_n"].get(wk, 0) + 1
    st["total"] += h
    if night:
        st["week_nights"][wk] = st["week_nights"].get(wk, 0) + 1


def shift_tuples(m: RosterModel) -> list[tuple]:
    """Every shift as ``(start_ns, end_ns, day, week, hours, is_night)``, the form :func:`may_take` reads."""
    sh = m.shifts
    return list(zip((int(v) for v in sh["start_ns"]), (int(v) for v in sh["end_ns"]), sh["day"], sh["week"],
                    sh["hours"].to_numpy(), sh["is_night"].to_numpy()))


def greedy_start(m: RosterModel) -> dict:
    """A roster that keeps every hard rule, built slot by slot in time order.

    Each slot goes to the eligible agent furthest below their contract hours
    (fewest nights/weekends first for such shifts) whose daily rest, one
    shift a day, consecutive days, weekly hours, period hours, night limit
    and weekly rest (checked on every window holding the shift, with the
    future counted free) still hold (:func:`may_take`).  Used as the MIP's
    starting incumbent.

    Returns
    -------
    dict
        ``(agent_id, shift_id) -> 1`` for the assignments made.
    """
    sh = m.shifts
    n_weeks = len(horizon_days(m)) / 7.0
    agents = m.problem.agents.set_index("agent_id")
    state = agent_states(m)
    for aid, st in state.items():
        st.update(target=agents.loc[aid, "contract_hours_per_week"] * n_weeks, nights=0, weekends=0)
    cand: dict = {}
    for aid, pos in m.eligible.items():
        for q in pos:
            cand.setdefault(int(q), []).append(aid)
    shifts = shift_tuples(m)
    night, weekend, sids = sh["is_night"].to_numpy(), sh["is_weekend"].to_numpy(), sh["shift_id"].to_numpy()
    counts = sh["count"].to_numpy()
    out = {}
    for q in np.argsort(sh["start_ns"].to_numpy(), kind="stable"):
        need = int(counts[q])
        if need <= 0 or q not in cand:
            continue

        def score(aid):
            st = state[aid]
            return (-(st["target"] - st["total"]), st["nights"] if night[q] else 0, st["weekends"] if weekend[q] else 0)

        for aid in sorted(cand[q], key=score):
            if need == 0:
                break
            st = state[aid]
            if not may_take(st, m, shifts[q]):
                continue
            take(st, shifts[q])
            st["nights"] += int(night[q])
            st["weekends"] += int(weekend[q])
            out[(aid, sids[q])] = 1
            need -= 1
    return out
