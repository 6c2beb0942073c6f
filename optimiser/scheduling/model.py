"""Build the shift-scheduling integer programme with PuLP.

One named function per constraint family, in the order :func:`build_model`
calls them:

``add_shift_variables``      integer count of agents per (skill group, shift
                             type = template x start x length, day)
``add_break_windows``        every agent on a shift takes each applicable break
                             at an allowed offset (count per offset)
``add_days_off``             weekly tours: agents per day = agents whose days-off
                             pattern (e.g. two consecutive days) has them working
``add_headcount_caps``       tours <= headcount per skill group and contract
                             (sites summed), and <= ``headcount_total``
``add_contract_hours``       paid hours of a pool within its contracts' weekly
                             min/max hours
``add_template_caps``        ``max_agents_per_day`` of a shift template
``add_allocation``           multi-skill flow: working agents of a group are
                             allocated to the queues they serve
``add_coverage_constraints`` per queue and interval, allocated agents + elastic
                             shortfall >= requirement (+ deferred work)
``add_min_max_agents``       minimum/maximum agents in daily windows
``add_deferred_work``        deferred work done inside its release..deadline
``add_global_service_level`` calls answered within T, through each
                             interval's concave service-level curve
``set_objective``            cost | global-sl | max-sl

Variables and constraints carry readable names (``shift_sv_all_day_0815_8h_Mon``,
``cover_reports_Mon_0815``, ``short_reports_Mon_0815``), so the model can be
written to an ``.lp`` file with :func:`write_lp` and read.

Approximations (see ``docs/scheduling.md``):

* Integer counts per shift type and day, not per agent; weekly tours are
  aggregated (agents per days-off pattern), contract hours are enforced on
  the pool of a skill group, not per person: the rostering step assigns
  named agents.
* Multi-skill groups are allocated to queues by a continuous flow; this
  ignores the pooling gain of one agent answering several queues and any
  routing priorities (conservative for the pooling part).
* Global service level: calls answered within T at interval i is
  ``calls_i * SL_i(n)``, concave in the number of on-phone agents above the
  stability point; it is linearised by unit increments with decreasing
  marginal gains (exact at integer points) following Koole & van der Sluis
  (2003); below stability no credit is given and stability is required.
  On-phone agents are whole numbers per queue and interval (integer
  ``onphone_`` variables), as the result's Erlang re-evaluation counts them.

References
----------
Dantzig, G. B. (1954). A comment on Edie's "Traffic delays at toll booths".
    JORSA 2(3), 339-341.
Koole, G. & van der Sluis, E. (2003). Optimal shift scheduling with a global
    service level constraint. IIE Transactions 35(11), 1049-1055.
Bechtold, S. E. & Jacobs, L. W. (1990). Implicit modeling of flexible break
    assignments in optimal shift scheduling. Management Science 36(11).
"""

from __future__ import annotations

import datetime as dt
import itertools
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pulp

from optimiser.queueing.on_phone import on_phone_from_scheduled
from optimiser.scheduling.shift_design import add_min_average_shift_length, add_shift_type_usage, shift_design_cost_terms
from optimiser.scheduling.spec import CostRules, SchedulingProblem
from wfm.ground.calendar import public_holidays
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import WEEKDAYS


@dataclass
class ShiftVar:
    """One shift type on one day for one skill group, with its variable."""

    group: str
    template: str
    start_minutes: int
    length_minutes: int
    day: int
    start: pd.Timestamp
    end: pd.Timestamp
    positions: np.ndarray  # horizon positions covered (wrapped if cyclic), -1 outside
    paid_minutes: int
    cost: float
    var: pulp.LpVariable | pulp.LpAffineExpression
    name: str
    p0: int = 0  # unrolled horizon position of the start
    breaks: tuple[str, ...] = ()  # names of the break rules that apply


@dataclass
class Model:
    """The PuLP problem plus the bookkeeping needed to read a solution."""

    prob: pulp.LpProblem
    problem: SchedulingProblem
    labels: list[str]
    shifts: list[ShiftVar] = field(default_factory=list)
    break_vars: dict[tuple[str, str], dict[int, pulp.LpVariable]] = field(default_factory=dict)
    working: dict[str, dict[int, list]] = field(default_factory=dict)
    alloc: dict[tuple[str, str, int], pulp.LpVariable] = field(default_factory=dict)
    short: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    cover: dict[tuple[str, int], pulp.LpConstraint] = field(default_factory=dict)
    requirement: dict[str, np.ndarray] = field(default_factory=dict)
    tours: dict[tuple, pulp.LpVariable] = field(default_factory=dict)
    tour_patterns: dict[tuple, tuple[int, ...]] = field(default_factory=dict)
    deferred: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    deferred_unfinished: dict[str, pulp.LpVariable] = field(default_factory=dict)
    limit_slack: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)
    sl_answered: dict[tuple[str, int], pulp.LpAffineExpression] = field(default_factory=dict)
    on_phone: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    sl_short: dict[str, pulp.LpVariable] = field(default_factory=dict)
    sl_calls: dict[str, float] = field(default_factory=dict)
    open_mask: dict[str, np.ndarray] = field(default_factory=dict)
    cost_expr: pulp.LpAffineExpression | None = None
    penalty_expr: pulp.LpAffineExpression | None = None
    rate_per_hour: np.ndarray | None = None
    type_used: dict[tuple, pulp.LpVariable] = field(default_factory=dict)  # shift type -> used (binary)
    floor_terms: list = field(default_factory=list)  # (deficit variable, price) of the max-sl floors
    floors: dict[tuple[str, int], int] = field(default_factory=dict)  # on-phone floor per (queue, interval)
    curves: object = None  # ServiceCurves of the max-sl model
    notes: list[str] = field(default_factory=list)

    @property
    def n_intervals(self) -> int:
        return len(self.labels)


# --- time helpers ----------------------------------------------------------------------

def interval_labels(intervals: pd.DatetimeIndex, tz: str) -> list[str]:
    """Readable, unique labels ``Mon_0815`` (``Mon0106_0815`` beyond a week;
    the repeated hour of a DST fall-back day gets ``_dst2``)."""
    local = intervals.tz_convert(tz)
    n_days = len(set(local.date))
    out, seen = [], set()
    for t in local:
        base = f"{WEEKDAYS[t.weekday()]}_{t:%H%M}" if n_days <= 7 else f"{WEEKDAYS[t.weekday()]}{t:%m%d}_{t:%H%M}"
        label = base if base not in seen else f"{base}_dst2"
        seen.add(base)
        out.append(label)
    return out


def holiday_dates(costs: CostRules, times: pd.DatetimeIndex) -> tuple[dt.date, ...]:
    """The holidays among the local dates of ``times``: the country's (the one calendar) and the extra ones.

    Raises
    ------
    WfmInputError
        The plan covers a year outside ``costs.holiday_years`` (when given), or a date the
        calendar does not know the country's holidays for.
    """
    dates = sorted(set(times.date))
    found = set(costs.holidays)
    if costs.holiday_country and dates:
        outside = sorted({d.year for d in dates} - set(costs.holiday_years)) if costs.holiday_years else []
        if outside:
            raise WfmInputError(f"the plan covers the year(s) {outside}, outside costs.holiday_years "
                                f"{list(costs.holiday_years)}; add them, or leave holiday_years out")
        found |= set(public_holidays(dates[0], dates[-1], costs.holiday_country))
    return tuple(sorted(found))


def _rates(problem: SchedulingProblem, n_positions: int) -> np.ndarray:
    """Cost rate [currency per agent-hour] at horizon positions 0..n_positions-1."""
    costs = problem.rules.costs
    step = pd.Timedelta(minutes=problem.interval_minutes)
    times = pd.date_range(problem.intervals[0], periods=n_positions, freq=step).tz_convert(problem.tz)
    minute = times.hour * 60 + times.minute
    ns, ne = costs.night_start_minutes, costs.night_end_minutes
    night = (minute >= ns) | (minute < ne) if ns > ne else (minute >= ns) & (minute < ne)
    weekend = np.asarray(times.day_of_week) >= 5
    holiday = np.isin(np.array(times.date), np.array(holiday_dates(costs, times), dtype=object))
    extra = np.maximum(np.where(weekend, costs.weekend_premium_per_hour, 0.0),
                       np.where(holiday, costs.holiday_premium_per_hour, 0.0))
    return costs.base_cost_per_hour + np.where(night, costs.night_premium_per_hour, 0.0) + extra


def lp_name(*parts) -> str:
    """A readable LP name from ``parts`` (``cover_reports_Tue_0800``): joined by ``_``, other characters ``_``."""
    text = "_".join(str(p) for p in parts)
    return "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in text)


def _expr(terms) -> pulp.LpAffineExpression:
    """Linear expression from ``(variable or expression, coefficient)`` pairs."""
    flat: dict = {}
    for v, c in terms:  # duplicates are summed (a plain dict(...) would keep only the last one)
        if isinstance(v, pulp.LpAffineExpression):
            for w, k in v.items():
                flat[w] = flat.get(w, 0.0) + c * k
        else:
            flat[v] = flat.get(v, 0.0) + c
    return pulp.LpAffineExpression(flat)


# --- constraint families ----------------------------------------------------------------

def add_shift_variables(m: Model) -> None:
    """Create the integer shift-count variables and the cost of each shift type."""
    p = m.problem
    rules = p.rules
    im = p.interval_minutes
    n = m.n_intervals
    step = pd.Timedelta(minutes=im)
    h0 = p.intervals[0]
    days = p.days
    horizon_positions = n + 2 * (1440 // im) + 2
    m.rate_per_hour = _rates(p, horizon_positions)
    breaks_by_name = {b.name: b for b in rules.break_rules}
    groups = [g.name for g in rules.skill_groups]
    m.working = {g: defaultdict(list) for g in groups}
    same_start = rules.days_off.same_start_within_week
    for t in rules.templates:
        tgroups = t.skill_groups or tuple(groups)
        for d, day in enumerate(days):
            if day.weekday() not in t.days:
                continue
            for s in t.start_minutes:
                naive = pd.Timestamp(day) + pd.Timedelta(minutes=s)
                try:
                    start = naive.tz_localize(p.tz, ambiguous=True, nonexistent="raise")
                except Exception:  # the start time does not exist (DST spring-forward)
                    continue
                p0 = int(round((start - h0) / step))
                for length in t.length_minutes:
                    k = length // im
                    raw = np.arange(p0, p0 + k)
                    positions = raw % n if rules.cyclic else np.where(raw < n, raw, -1)
                    applied = [breaks_by_name[b] for b in t.breaks if length >= breaks_by_name[b].min_shift_minutes]
                    unpaid = sum(b.minutes for b in applied if not b.paid)
                    cost = float(m.rate_per_hour[np.clip(raw, 0, horizon_positions - 1)].sum() * im / 60.0)
                    for g in tgroups:
                        name = lp_name("shift", g, t.name, f"{s // 60:02d}{s % 60:02d}", f"{length / 60:g}h".replace(".", "p"),
                                     f"{WEEKDAYS[day.weekday()]}{day:%m%d}" if len(days) > 7 else WEEKDAYS[day.weekday()])
                        var = None if same_start else pulp.LpVariable(name, lowBound=0, cat="Integer")
                        sv = ShiftVar(g, t.name, s, length, d, start, start + pd.Timedelta(minutes=length),
                                      positions, length - unpaid, cost, var, name, p0,
                                      tuple(b.name for b in applied))
                        m.shifts.append(sv)
    if same_start:
        _same_start_variables(m)
    add_on_shift_flow(m)


def add_on_shift_flow(m: Model) -> None:
    """Agents on shift per skill group and interval, as a sparse flow.

    ``onshift[g,i] = onshift[g,i-1] + starts[g,i] - ends[g,i]`` (each shift
    variable appears in two rows instead of one per covered interval); the
    cycle of a cyclic horizon is anchored by one explicit row at i = 0 (and
    ``onshift[g,-1] = 0`` when not cyclic).
    """
    p = m.problem
    n = m.n_intervals
    cyclic = p.rules.cyclic
    for g in m.working:
        starts, ends = defaultdict(list), defaultdict(list)
        anchor = []
        mine = [sv for sv in m.shifts if sv.group == g]
        if not mine:
            continue
        for sv in mine:
            k = len(sv.positions)
            starts[sv.p0 % n if cyclic else sv.p0].append((sv.var, -1))
            end = sv.p0 + k
            if cyclic:
                ends[end % n].append((sv.var, 1))
                if 0 in set(int(x) for x in sv.positions):
                    anchor.append((sv.var, -1))
            elif end < n:
                ends[end].append((sv.var, 1))
        on = [pulp.LpVariable(lp_name("onshift", g, label), lowBound=0) for label in m.labels]
        for i, label in enumerate(m.labels):
            prev = [(on[i - 1], -1)] if (i > 0 or cyclic) else []
            if cyclic and i == 0:
                prev = [(on[n - 1], -1)]
            m.prob += (_expr([(on[i], 1)] + prev + starts.get(i, []) + ends.get(i, [])) == 0,
                       lp_name("flow", g, label))
            m.working[g][i].append((on[i], 1))
        if cyclic:
            m.prob += (_expr([(on[0], 1)] + anchor) == 0, lp_name("anchor", g))


def _patterns(days_per_week: int, block_days: int, consecutive: bool) -> list[tuple[int, ...]]:
    """Working-day patterns (tuple of day offsets in the block) for a contract."""
    off = 7 - days_per_week
    if consecutive:
        offs = [tuple((start + i) % 7 for i in range(off)) for start in range(7)] if off else [()]
    else:
        offs = list(itertools.combinations(range(7), off))
    pats = {tuple(d for d in range(block_days) if d not in o) for o in offs}
    return sorted(pats)


def week_blocks(n_days: int) -> list[list[int]]:
    """Day indices of the horizon's weeks, 7 days each (the last may be shorter)."""
    return [list(range(w, min(w + 7, n_days))) for w in range(0, n_days, 7)]


def _same_start_variables(m: Model) -> None:
    """``same_start_within_week``: agents keep one shift type for the whole
    week, so shift counts become sums of (shift type, days-off pattern) tours."""
    p = m.problem
    rules = p.rules
    by_key = defaultdict(dict)
    for sv in m.shifts:
        by_key[(sv.group, sv.template, sv.start_minutes, sv.length_minutes)][sv.day] = sv
    terms = defaultdict(list)
    for w, block in enumerate(week_blocks(p.n_days)):
        for c in rules.contracts:
            for pat in _patterns(c.days_per_week, len(block), rules.days_off.consecutive):
                work_days = [block[i] for i in pat]
                for key, per_day in by_key.items():
                    if not all(d in per_day for d in work_days) or not work_days:
                        continue
                    z = pulp.LpVariable(lp_name("tour", key[0], key[1], f"{key[2]:04d}", key[3], c.name, f"w{w + 1}",
                                              "".join(str(i) for i in pat)), lowBound=0, cat="Integer")
                    for d in work_days:
                        terms[id(per_day[d])].append((z, 1))
                    m.tours[(key[0], c.name, w, pat, key)] = z
                    m.tour_patterns[(key[0], c.name, w, pat)] = pat
    for sv in m.shifts:
        sv.var = _expr(terms.get(id(sv), []))


def wrap(m: Model, pos: int) -> int:
    """Unrolled horizon position -> covered position (wrapped if cyclic), -1 outside."""
    n = m.n_intervals
    if m.problem.rules.cyclic:
        return pos % n
    return pos if 0 <= pos < n else -1


def _pos_label(m: Model, pos: int) -> str:
    n = m.n_intervals
    return m.labels[pos % n] + ("_next" if pos >= n else "")


def add_break_windows(m: Model) -> None:
    """Every agent on a shift takes each applicable break inside its window.

    Implicit break placement (after Bechtold & Jacobs 1990): per skill group
    and break rule, ``brk[b]`` counts breaks starting at time b and
    ``pending[b]`` the agents whose window has opened by b but who have not
    started the break (window width w, the same for every shift since windows
    are offsets from the shift start)::

        pending[b] = pending[b-1] + opens[b] - brk[b] >= 0     (brkflow)
        pending[b] <= sum(opens[b-w+1 .. b])                    (brkdue)
        pending[last] = 0                                       (breakwin)

    The second row is written as ``pending[b-w] <= sum(brk[b-w+1 .. b])`` (subtract the flow rows of
    b-w+1 .. b): the same set, without the shift counts in it, which keeps each shift count in ~8 rows
    instead of ~24 and the LP's factorisation sparse.

    These are Hall's conditions for equal-width windows, so they are exact:
    the k-th break in time is given to the k-th shift by window start
    (earliest-deadline matching, done when the result is read).  Breaks
    count as not working in the intervals they cover.
    """
    p = m.problem
    im = p.interval_minutes
    rules = {b.name: b for b in p.rules.break_rules}
    members = defaultdict(list)
    for sv in m.shifts:
        for rname in sv.breaks:
            members[(sv.group, rname)].append(sv)
    for (g, rname), svs in members.items():
        rule = rules[rname]
        w0 = rule.window_start_minutes // im
        width = (rule.window_end_minutes - rule.window_start_minutes) // im
        opens = defaultdict(list)
        for sv in svs:
            opens[sv.p0 + w0].append((sv.var, 1))
        lo, hi = min(opens), max(opens) + width
        ys: dict[int, pulp.LpVariable] = {}
        pending: dict[int, pulp.LpVariable] = {}
        for b in range(lo, hi + 1):
            label = _pos_label(m, b)
            y = ys[b] = pulp.LpVariable(lp_name("brk", g, rname, label), lowBound=0, cat="Integer")
            pend = pending[b] = pulp.LpVariable(lp_name("pending", g, rname, label), lowBound=0)
            prev = [(pending[b - 1], -1)] if b > lo else []
            m.prob += (_expr([(pend, 1), (y, 1)] + prev + [(v, -c) for v, c in opens.get(b, [])]) == 0,
                       lp_name("brkflow", g, rname, label))
            # agents still waiting for this break at b opened their window after b - w; with the flow
            # row that is: the agents waiting at b - w take their break within (b - w, b] -- the same
            # row without the shift counts (each shift count would be in w rows: the LP's factors fill)
            if b - width >= lo:
                due = [(pending[b - width], 1)] + [(ys[e], -1) for e in range(b - width + 1, b + 1)]
                m.prob += (_expr(due) <= 0, lp_name("brkdue", g, rname, label))
            for j in range(b, b + rule.minutes // im):
                pos = wrap(m, j)
                if pos >= 0:
                    m.working[g][pos].append((y, -1))
        m.prob += (pending[hi] == 0, lp_name("breakwin", g, rname))
        m.break_vars[(g, rname)] = ys


def add_days_off(m: Model) -> None:
    """Weekly tours: agents starting a shift on day d are at most the agents
    whose days-off pattern (per contract, e.g. two consecutive days off)
    works d, so every agent has at least the pattern's days off.

    Tours are aggregated per skill group, contract, week and pattern (an
    implicit tour formulation); a tiny cost per tour agent keeps them the
    fewest that carry the shifts; named agents are assigned by the roster.
    """
    p = m.problem
    rules = p.rules
    if rules.days_off.same_start_within_week:
        return  # the tours were created with the shift variables
    groups = [g.name for g in rules.skill_groups]
    per_day = defaultdict(list)
    for sv in m.shifts:
        per_day[(sv.group, sv.day)].append((sv.var, 1))
    for w, block in enumerate(week_blocks(p.n_days)):
        for g in groups:
            pools = [c for c in rules.contracts if headcount_of(rules, g, c.name) > 0]
            working_on = defaultdict(list)
            for c in pools:
                for pat in _patterns(c.days_per_week, len(block), rules.days_off.consecutive):
                    z = pulp.LpVariable(lp_name("tour", g, c.name, f"w{w + 1}", "".join(str(i) for i in pat) or "none"),
                                        lowBound=0, cat="Integer")
                    m.tours[(g, c.name, w, pat)] = z
                    m.tour_patterns[(g, c.name, w, pat)] = pat
                    for i in pat:
                        working_on[block[i]].append((z, 1))
            for d in block:
                day = p.days[d]
                label = f"{WEEKDAYS[day.weekday()]}{day:%m%d}" if p.n_days > 7 else WEEKDAYS[day.weekday()]
                m.prob += (_expr(per_day[(g, d)]) - _expr(working_on[d]) <= 0, lp_name("daysoff", g, label))


def headcount_of(rules, group: str, contract: str) -> int:
    """Agents of skill group ``group`` with ``contract`` in the rules' headcount."""
    return sum(h.agents for h in rules.headcount if h.skill_group == group and h.contract == contract)


def _tour_terms(m: Model, group=None, contract=None, week=None):
    return [(v, 1) for k, v in m.tours.items()
            if (group is None or k[0] == group) and (contract is None or k[1] == contract)
            and (week is None or k[2] == week)]


def add_headcount_caps(m: Model) -> None:
    """Agents in tours <= headcount of each skill group and contract (sites
    summed) per week, and <= ``headcount_total`` over everything."""
    p = m.problem
    rules = p.rules
    for w in range(len(week_blocks(p.n_days))):
        for g in rules.skill_groups:
            for c in rules.contracts:
                terms = _tour_terms(m, g.name, c.name, w)
                if terms:
                    m.prob += (_expr(terms) <= headcount_of(rules, g.name, c.name),
                               lp_name("headcount", g.name, c.name, f"w{w + 1}"))
        if rules.headcount_total is not None:
            m.prob += (_expr(_tour_terms(m, week=w)) <= rules.headcount_total, lp_name("headcount_total", f"w{w + 1}"))


def add_contract_hours(m: Model) -> None:
    """Paid hours of a skill group's shifts in a week lie between the sum of
    its agents' contract minimum and maximum weekly hours (pool level;
    scaled by days/7 for a partial week)."""
    p = m.problem
    rules = p.rules
    for w, block in enumerate(week_blocks(p.n_days)):
        scale = len(block) / 7.0
        days = set(block)
        for g in rules.skill_groups:
            paid = [(sv.var, sv.paid_minutes / 60.0) for sv in m.shifts if sv.group == g.name and sv.day in days]
            if not paid:
                continue
            hi, lo = [], []
            for c in rules.contracts:
                for (v, _) in _tour_terms(m, g.name, c.name, w):
                    hi.append((v, c.max_hours_per_week * scale))
                    lo.append((v, c.min_hours_per_week * scale))
            m.prob += (_expr(paid) - _expr(hi) <= 0, lp_name("hours_max", g.name, f"w{w + 1}"))
            m.prob += (_expr(paid) - _expr(lo) >= 0, lp_name("hours_min", g.name, f"w{w + 1}"))


def add_template_caps(m: Model) -> None:
    """At most ``max_agents_per_day`` agents start a template's shifts per day."""
    p = m.problem
    per = defaultdict(list)
    for sv in m.shifts:
        per[(sv.template, sv.day)].append((sv.var, 1))
    for t in p.rules.templates:
        if t.max_agents_per_day is None:
            continue
        for d in range(p.n_days):
            if (t.name, d) in per:
                day = p.days[d]
                m.prob += (_expr(per[(t.name, d)]) <= t.max_agents_per_day,
                           lp_name("cap", t.name, f"{WEEKDAYS[day.weekday()]}{day:%m%d}"))


def _open_mask(m: Model) -> None:
    p = m.problem
    local = p.intervals.tz_convert(p.tz)
    minute = np.asarray(local.hour * 60 + local.minute)
    weekday = np.asarray(local.day_of_week)
    for q in p.queues:
        windows = [o for o in p.rules.opening_hours if o.queue == q]
        if not windows:
            m.open_mask[q] = np.ones(m.n_intervals, bool)
            continue
        mask = np.zeros(m.n_intervals, bool)
        for o in windows:
            mask |= _in_window(weekday, minute, o.days, o.start_minutes, o.end_minutes)
        m.open_mask[q] = mask


def _in_window(weekday, minute, days, start, end) -> np.ndarray:
    if end > start:
        return np.isin(weekday, days) & (minute >= start) & (minute < end)
    # wraps past midnight: the part after midnight belongs to the previous day
    return (np.isin(weekday, days) & (minute >= start)) | (np.isin((weekday - 1) % 7, days) & (minute < end))


def add_allocation(m: Model) -> None:
    """Multi-skill flow: ``sum_q alloc[g,q,i] <= working[g,i]``.

    Working = on shift and not on break.  A queue closed at i (opening hours)
    gets no allocation.
    """
    p = m.problem
    _open_mask(m)
    queues = set(p.queues)
    for g in p.rules.skill_groups:
        serves = [q for q in g.queues if q in queues]
        for i, label in enumerate(m.labels):
            terms = []
            for q in serves:
                if m.open_mask[q][i]:
                    v = pulp.LpVariable(lp_name("alloc", g.name, q, label), lowBound=0)
                    m.alloc[(g.name, q, i)] = v
                    terms.append((v, 1))
            if terms or m.working[g.name].get(i):
                m.prob += (_expr(terms) - _expr(m.working[g.name].get(i, [])) <= 0, lp_name("alloc", g.name, label))


def _queue_agents(m: Model, q: str, i: int) -> list:
    return [(m.alloc[(g.name, q, i)], 1) for g in m.problem.rules.skill_groups if (g.name, q, i) in m.alloc]


def _requirement_arrays(m: Model) -> None:
    p = m.problem
    req = p.requirement
    for q, grp in req.groupby("queue"):
        m.requirement[str(q)] = grp.sort_values("interval_start")["agents_required"].to_numpy(float)


def add_deferred_work(m: Model) -> None:
    """Deferred work (call-backs, e-service reports) done between release and
    deadline: ``sum_i work[item,i] * interval_minutes + unfinished = workload``;
    the work adds to its queue's requirement at i (see coverage)."""
    p = m.problem
    im = p.interval_minutes
    for item in p.rules.deferred_work:
        mask = (p.intervals >= item.release) & (p.intervals < item.deadline) & m.open_mask[item.queue]
        terms = []
        for i in np.flatnonzero(mask):
            v = pulp.LpVariable(lp_name("defer", item.name, m.labels[i]), lowBound=0)
            m.deferred[(item.name, int(i))] = v
            terms.append((v, im))
        u = pulp.LpVariable(lp_name("unfinished", item.name), lowBound=0)
        m.deferred_unfinished[item.name] = u
        m.prob += (_expr(terms) + u == item.workload_agent_minutes, lp_name("deferred", item.name))


def add_coverage_constraints(m: Model) -> None:
    """Per queue and interval: agents allocated + shortfall >= requirement +
    deferred work done there.  ``short_<queue>_<interval>`` is elastic slack
    priced at ``shortfall_penalty_per_agent_hour`` (absent when the model is
    built with ``elastic=False``)."""
    p = m.problem
    elastic = m.prob._elastic
    deferred_by = defaultdict(list)
    queue_of = {d.name: d.queue for d in p.rules.deferred_work}
    for (name, i), v in m.deferred.items():
        deferred_by[(queue_of[name], i)].append((v, -1))
    for q in p.queues:
        req = m.requirement[q]
        for i, label in enumerate(m.labels):
            terms = _queue_agents(m, q, i) + deferred_by.get((q, i), [])
            if elastic:
                s = pulp.LpVariable(lp_name("short", q, label), lowBound=0)
                m.short[(q, i)] = s
                terms.append((s, 1))
            c = _expr(terms) >= float(req[i])
            m.prob += (c, lp_name("cover", q, label))
            m.cover[(q, i)] = c


def add_min_max_agents(m: Model) -> None:
    """``limits`` of the rules file: at least ``min_agents`` (elastic, penalised)
    and at most ``max_agents`` (hard) working in each interval of the window,
    over all agents (queue ``*``) or those allocated to one queue."""
    p = m.problem
    local = p.intervals.tz_convert(p.tz)
    minute = np.asarray(local.hour * 60 + local.minute)
    weekday = np.asarray(local.day_of_week)
    for k, lim in enumerate(p.rules.limits):
        mask = _in_window(weekday, minute, lim.days, lim.start_minutes, lim.end_minutes)
        for i in np.flatnonzero(mask):
            label = m.labels[i]
            if lim.queue == "*":
                terms = [t for g in m.working for t in m.working[g].get(int(i), [])]
            else:
                terms = _queue_agents(m, lim.queue, int(i))
            qname = "all" if lim.queue == "*" else lim.queue
            if lim.min_agents is not None:
                s = pulp.LpVariable(lp_name("shortmin", k, qname, label), lowBound=0)
                m.limit_slack[(k, int(i))] = s
                m.prob += (_expr(terms) + s >= lim.min_agents, lp_name("min", k, qname, label))
            if lim.max_agents is not None:
                m.prob += (_expr(terms) <= lim.max_agents, lp_name("max", k, qname, label))


def sl_curves(m: Model) -> dict[str, dict[str, np.ndarray]]:
    """Per queue: floor ``k_min`` [on-phone agents] -- the stability point
    floor(load) + 1, raised to the rules' ``service_floor`` (a service level and
    agents on the phone) --, baseline calls answered within T at ``k_min`` and
    the decreasing marginal gains of each further agent (upper concave envelope
    of ``calls * SL(n)``)."""
    from optimiser.queueing.erlang import load_erlangs, service_level

    p = m.problem
    req = p.requirement
    target = p.rules.service_level
    curves = {}
    for q, grp in req.groupby("queue"):
        grp = grp.sort_values("interval_start")
        calls = grp["calls_offered"].to_numpy(float)
        aht = grp["aht_seconds"].to_numpy(float)
        aht = np.where(aht > 0, aht, 1.0)
        pat = grp["patience_seconds"].to_numpy(float) if "patience_seconds" in grp else np.full(len(grp), np.inf)
        pat = np.where(np.isnan(pat), np.inf, pat)
        T = target.answer_within_seconds
        load = np.asarray(load_erlangs(calls, p.interval_minutes, aht), float)
        k_min = np.where(calls > 0, np.floor(load) + 1, 0).astype(int)
        need = grp["agents_required"].to_numpy(float)
        k_max = np.maximum(k_min + 4, np.ceil(np.maximum(need, load * 1.5 + 10))).astype(int)
        width = int((k_max - k_min).max()) if len(k_max) else 0
        ks = k_min[:, None] + np.arange(width + 1)[None, :]
        sl = np.asarray(service_level(np.repeat(calls, width + 1), p.interval_minutes, np.repeat(aht, width + 1),
                                      ks.reshape(-1).astype(float), T,
                                      patience_seconds=np.repeat(pat, width + 1)), float).reshape(ks.shape)
        answered = calls[:, None] * sl
        # the service floor (rules' service_floor) above the stability point: the curve starts there
        start = _floor_offsets(sl, k_min, p.rules.service_floor)
        answered = np.take_along_axis(answered, np.minimum(start[:, None] + np.arange(width + 1)[None, :], width),
                                      axis=1)
        k_min = np.where(calls > 0, k_min + start, 0)
        gains = np.diff(answered, axis=1)
        gains = np.maximum(gains, 0.0)
        # upper concave envelope: make marginal gains non-increasing
        gains = _concave_gains(gains)
        gains[calls == 0] = 0.0
        curves[str(q)] = {"k_min": k_min, "base": answered[:, 0] * (calls > 0), "gains": gains, "calls": calls}
    return curves


def _floor_offsets(sl: np.ndarray, k_min: np.ndarray, floor) -> np.ndarray:
    """Per row, how many agents above the stability point ``k_min`` the service floor lies (the fewest
    reaching ``floor.min_service_level`` and ``floor.min_agents_on_phone``; the last column when none does)."""
    width = sl.shape[1] - 1
    start = np.maximum(floor.min_agents_on_phone - k_min, 0)
    if floor.min_service_level > 0:
        hit = sl >= floor.min_service_level
        start = np.maximum(start, np.where(hit.any(axis=1), hit.argmax(axis=1), width))
    return np.minimum(start, width).astype(int)


def _concave_gains(gains: np.ndarray) -> np.ndarray:
    """Pool-adjacent-violators per row: the least non-increasing sequence with
    the same total whose partial sums majorise the originals (concave hull)."""
    out = np.empty_like(gains)
    for r, row in enumerate(gains):
        blocks: list[list[float]] = []  # [sum, count]
        for g in row:
            blocks.append([g, 1])
            while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] < blocks[-1][0] / blocks[-1][1]:
                s, c = blocks.pop()
                blocks[-1][0] += s
                blocks[-1][1] += c
        out[r] = np.concatenate([np.full(c, s / c) for s, c in blocks]) if blocks else row
    return out


def sl_period_keys(p: SchedulingProblem) -> list[str]:
    """The service-level period (``day`` | ``week`` | ``horizon``) of each interval, e.g. ``Mon0106``, ``w1``."""
    local = p.intervals.tz_convert(p.tz)
    period = p.rules.service_level.period
    if period == "day":
        return [f"{WEEKDAYS[t.weekday()]}{t:%m%d}" for t in local]
    if period == "week":
        return [f"w{(p.days.index(t.date()) // 7) + 1}" for t in local]
    return ["horizon"] * len(local)


def add_global_service_level(m: Model) -> None:
    """Calls answered within T through each interval's concave SL curve.

    ``onphone[q,i]`` is an integer: the whole agents on the phone for queue q,
    at most the agents allocated to q x (1 - shrinkage) minus deferred work
    (the result's re-evaluation floors that same quantity, so it never counts
    fewer).  answered[q,i] = base + sum_k gain_k * y[q,i,k] with 0 <= y <= 1
    and sum_k y_k <= onphone - k_min: exact at every integer staffing where
    the curve is concave (gains non-increasing; Koole & van der Sluis 2003).
    A continuous on-phone count would be credited between integer points
    (and for fractions of multi-skilled agents per queue) that the Erlang
    re-evaluation does not count: on the demo week that put the plan's
    re-evaluated level 2 points under its target.  Stability ``staffed >= k_min`` is elastic (the
    ``short_`` slack).  For ``global-sl`` the answered calls of each period
    (day/week/horizon) must reach ``target_service_level`` of its calls
    (elastic ``slshort_<period>``, in calls); ``max-sl`` maximises them.
    """
    p = m.problem
    curves = sl_curves(m)
    req = p.requirement
    # the share of an allocated agent that is on the phone, per queue and interval
    on_phone_share = {q: on_phone_from_scheduled(1.0, np.nan_to_num(
        grp.sort_values("interval_start")["shrinkage"].to_numpy(float)) if "shrinkage" in grp else np.zeros(len(grp)))
        for q, grp in req.groupby("queue")}
    keys = sl_period_keys(p)
    deferred_by = defaultdict(list)
    queue_of = {d.name: d.queue for d in p.rules.deferred_work}
    for (name, i), v in m.deferred.items():
        deferred_by[(queue_of[name], i)].append((v, -1))
    per_period = defaultdict(list)
    calls_period = defaultdict(float)
    for q in p.queues:
        c = curves[q]
        for i, label in enumerate(m.labels):
            k_min = int(c["k_min"][i])
            if c["calls"][i] <= 0:
                continue
            on_phone = [(v, coef * float(on_phone_share[q][i])) for v, coef in
                        _queue_agents(m, q, i)] + deferred_by.get((q, i), [])
            # whole agents on the phone, as the re-evaluation counts them (it floors each queue-interval)
            whole = pulp.LpVariable(lp_name("onphone", q, label), lowBound=0, cat="Integer")
            m.on_phone[(q, i)] = whole
            m.prob += (_expr([(whole, 1)]) - _expr(on_phone) <= 0, lp_name("phone", q, label))
            s = pulp.LpVariable(lp_name("short", q, label), lowBound=0)
            m.short[(q, i)] = s
            m.floors[(q, i)] = k_min
            m.prob += (whole + s >= k_min, lp_name("stable", q, label))
            ys = []
            for k, gain in enumerate(c["gains"][i]):
                if gain <= 1e-9:
                    break
                y = pulp.LpVariable(lp_name("slinc", q, label, k + 1), lowBound=0, upBound=1)
                ys.append((y, float(gain)))
            if ys:
                m.prob += (_expr([(y, 1) for y, _ in ys]) - whole - s <= -k_min, lp_name("slcurve", q, label))
            answered = _expr(ys) + float(c["base"][i])
            m.sl_answered[(q, i)] = answered
            per_period[keys[i]].append(answered)
            calls_period[keys[i]] += float(c["calls"][i])
    m.sl_calls = dict(calls_period)
    if p.objective == "global-sl":
        target = p.rules.service_level.target_service_level
        for key, parts in per_period.items():
            s = pulp.LpVariable(lp_name("slshort", key), lowBound=0)
            m.sl_short[key] = s
            m.prob += (pulp.lpSum(parts) + s >= target * calls_period[key], lp_name("global_sl", key))


def add_floored_service_level(m: Model) -> None:
    """``max-sl``: calls answered within T through each interval's curve above its floor.

    Per queue-interval with calls (:func:`optimiser.scheduling.curves.service_curves`, floor from the
    rules' ``service_floor``): ``onphone`` whole agents <= allocated x (1 - shrinkage) - deferred work
    (row ``phone``); ``onphone + deficit >= floor`` (row ``floor``), the deficit in four steps of a
    quarter of the floor (``floorgap_<queue>_<interval>_<k>``) priced at the curves' ``floor_price``
    times 1, 2, 4, 8 in the objective, so floors come before any gain and a shortage is spread;
    ``answered = base - base / floor x deficit + sum_k gain_k y_k`` with ``0 <= y_k <= 1`` and
    ``sum_k y_k <= onphone + deficit - floor`` (row ``slcurve``): exact at whole agents wherever the
    curve is concave above the floor.  The deficit per queue-interval is kept in ``m.short``.
    """
    from optimiser.scheduling.curves import DEFICIT_STEPS, service_curves

    p = m.problem
    curves = service_curves(p) if m.curves is None else m.curves
    m.curves = curves
    price = curves.floor_price
    deferred_by = defaultdict(list)
    queue_of = {d.name: d.queue for d in p.rules.deferred_work}
    for (name, i), v in m.deferred.items():
        deferred_by[(queue_of[name], i)].append((v, -1))
    safe = {q: lp_name(q) for q in p.queues}
    for r in range(len(curves)):
        q, i = str(curves.queue[r]), int(curves.position[r])
        f, top = int(curves.floor[r]), int(curves.top[r])
        tag = f"{safe[q]}_{m.labels[i]}"
        on_phone = [(v, coef * (1 - float(curves.shrinkage[r]))) for v, coef in _queue_agents(m, q, i)]
        whole = pulp.LpVariable(f"onphone_{tag}", lowBound=0, upBound=max(top, f), cat="Integer")
        m.on_phone[(q, i)] = whole
        m.prob += (_expr([(whole, 1)]) - _expr(on_phone + deferred_by.get((q, i), [])) <= 0, f"phone_{tag}")
        steps = [(pulp.LpVariable(f"floorgap_{tag}_{k + 1}", lowBound=0, upBound=f / len(DEFICIT_STEPS)), mult)
                 for k, mult in enumerate(DEFICIT_STEPS)] if f > 0 else []
        deficit = _expr([(d, 1) for d, _ in steps])
        if steps:
            m.prob += (whole + deficit >= f, f"floor_{tag}")
        m.short[(q, i)] = deficit
        m.floors[(q, i)] = f
        m.floor_terms += [(d, price * mult) for d, mult in steps]
        ys = [(pulp.LpVariable(f"slinc_{tag}_{k + 1}", lowBound=0, upBound=1), float(g))
              for k, g in enumerate(curves.gains[r, :top - f]) if g > 1e-9]
        if ys:
            m.prob += (_expr([(y, 1) for y, _ in ys]) - whole - deficit <= -f, f"slcurve_{tag}")
        chord = float(curves.base[r]) / f if f > 0 else 0.0
        m.sl_answered[(q, i)] = _expr(ys + [(d, -chord) for d, _ in steps]) + float(curves.base[r])


def set_objective(m: Model) -> None:
    """``cost``: shift cost (premiums included, unpaid breaks deducted) +
    penalties.  ``global-sl``: the same, the SL target as constraint.
    ``max-sl``: maximise calls answered within T (cost as a tie-breaker)."""
    p = m.problem
    costs = p.rules.costs
    im = p.interval_minutes
    hours = im / 60.0
    n_pos = len(m.rate_per_hour)
    cost_terms = []
    rules = {b.name: b for b in p.rules.break_rules}
    for sv in m.shifts:
        cost_terms.append((sv.var, sv.cost))
    for (g, rname), ys in m.break_vars.items():
        rule = rules[rname]
        if rule.paid:
            continue
        for b, v in ys.items():
            idx = np.clip(np.arange(b, b + rule.minutes // im), 0, n_pos - 1)
            cost_terms.append((v, -float(m.rate_per_hour[idx].sum() * hours)))
    m.cost_expr = _expr(cost_terms + shift_design_cost_terms(m))
    penalty = costs.shortfall_penalty_per_agent_hour * hours
    # tie-breaker: the fewest agents in tours that carry the shifts (tours are otherwise free)
    tour_eps = 0.01 * max(costs.base_cost_per_hour, 1e-6)
    if p.objective == "max-sl":
        # the max-sl objective counts calls: a currency tie-breaker would be worth 3.5 calls per agent there
        tour_eps *= 1e-3 / max(costs.base_cost_per_hour, 1e-9)
    # max-sl prices the deficit under each floor itself (floor_terms), in calls
    pen_terms = [] if m.floor_terms else [(s, penalty) for s in m.short.values()]
    pen_terms += [(s, penalty) for s in m.limit_slack.values()]
    pen_terms += [(u, costs.shortfall_penalty_per_agent_hour / 60.0) for u in m.deferred_unfinished.values()]
    pen_terms += [(v, tour_eps) for v in m.tours.values()]
    if costs.overstaffing_penalty_per_agent_hour > 0 and p.objective == "cost":
        for i, label in enumerate(m.labels):
            working = [t for g in m.working for t in m.working[g].get(i, [])]
            if not working:
                continue
            over = pulp.LpVariable(lp_name("over", label), lowBound=0)
            need = sum(float(m.requirement[q][i]) for q in p.queues)
            m.prob += (over - _expr(working) >= -need, lp_name("overstaff", label))
            pen_terms.append((over, costs.overstaffing_penalty_per_agent_hour * hours))
    if p.objective == "global-sl":
        # one call short of the target costs as much as ~an agent-hour short
        pen_terms += [(s, costs.shortfall_penalty_per_agent_hour) for s in m.sl_short.values()]
    m.penalty_expr = _expr(pen_terms)
    if p.objective == "max-sl":
        answered = pulp.lpSum(m.sl_answered.values())
        scale = 1e-3 / max(costs.base_cost_per_hour, 1e-9)
        m.prob.sense = pulp.LpMinimize
        m.prob.setObjective(-answered + _expr(m.floor_terms) + scale * m.cost_expr + m.penalty_expr)
    else:
        m.prob.setObjective(m.cost_expr + m.penalty_expr)


def build_model(problem: SchedulingProblem, *, elastic: bool = True, curves=None) -> Model:
    """Build the whole model for ``problem``.

    Parameters
    ----------
    problem : SchedulingProblem
    elastic : bool
        With elastic shortfall slack (default) the model always has a
        solution and shortfalls are reported; ``False`` makes coverage hard
        (used to prove infeasibility).
    curves : ServiceCurves, optional
        The max-sl curves of ``problem``'s requirement when already computed
        (:func:`optimiser.scheduling.curves.service_curves`).
    """
    with warnings.catch_warnings():
        # PuLP 3.3 deprecates LpVariable(...) in favour of prob.add_variable (PuLP 4); same model
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="pulp")
        return _build_model(problem, elastic=elastic, curves=curves)


def _build_model(problem: SchedulingProblem, *, elastic: bool, curves=None) -> Model:
    prob = pulp.LpProblem("shift_scheduling", pulp.LpMinimize)
    prob._elastic = elastic and problem.rules.coverage != "hard"
    m = Model(prob=prob, problem=problem, labels=interval_labels(problem.intervals, problem.tz), curves=curves)
    _requirement_arrays(m)
    add_shift_variables(m)
    add_break_windows(m)
    add_days_off(m)
    add_headcount_caps(m)
    add_contract_hours(m)
    add_template_caps(m)
    add_shift_type_usage(m)
    add_min_average_shift_length(m)
    add_allocation(m)
    add_deferred_work(m)
    if problem.objective == "cost":
        add_coverage_constraints(m)
    elif problem.objective == "max-sl":
        add_floored_service_level(m)
    else:
        add_global_service_level(m)
    add_min_max_agents(m)
    set_objective(m)
    return m


def write_lp(model: Model, path: str | Path) -> Path:
    """Write the model as a readable CPLEX-LP file."""
    path = Path(path)
    model.prob.writeLP(str(path))
    return path
