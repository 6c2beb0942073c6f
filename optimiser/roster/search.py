"""A rule-keeping roster by construction and local search, without a MIP.

For large rosters (hundreds of agents) the MIP of :mod:`optimiser.roster.model`
is expensive to build (gigabytes of PuLP objects) and, within minutes, HiGHS
did not improve on the greedy start.  :func:`local_search` works on the
model's index alone (:func:`~optimiser.roster.model.prepare_model`) and keeps
every hard rule at every step:

1. **construct**: :func:`~optimiser.roster.model.greedy_start` fills the slots
   in time order;
2. **insert**: a slot still unfilled goes to any agent who can now take it;
3. **eject** (an ejection chain of length one [1]_): an agent who could take
   an unfilled slot if one of their shifts within a week of it went to
   someone else takes the slot, and that shift moves to an agent who can take
   it;
4. **transfer**: a shift moves from one agent to another when that lowers the
   objective (contract shortfall, fairness spread, preferences).

Steps 2-4 repeat until a pass improves nothing or the time budget is spent.
The objective is the MIP's, term by term (unfilled slot-hours, contract
shortfall hours, the max - min spread of nights, weekends and holidays,
preferences), so the two can be compared; the search proves nothing, so its
answer is reported as *feasible*, never *optimal*, and without a bound.

Whether a move keeps the rules is decided by one function, :meth:`_Search.can_take`,
with the same rules as the greedy start: one shift a day, the daily rest, the
weekly hour cap and the period's hours, shifts and nights per week, the
consecutive-day limit and the weekly rest on the model's grid (so any roster
found is also a feasible point of the MIP).  Skills, availability, fixed days
off, night permission and the 5-hour rule are in the eligibility lists.

Speed (800 agents, ~450,000 agent-shift pairs): the answer of :meth:`_Search.can_take`
depends on the agent's own shifts only, so it is remembered per agent until that
agent's shifts change (a move touches two or three agents), as is whether an agent
could take an open slot after giving up one of its shifts.  The transfer pass
scores every eligible taker of a shift at once with numpy (soft-term change, the
bound on the fairness gain, then the exact fairness change counted from the two
agents whose counts move) and checks the rules only for a taker that would beat
the best so far.  The passes make the same moves as the plain version kept in
``tests/optimiser/roster/search_reference.py``; ties are broken by index (agents
holding a shift in increasing order, equally near shifts by position), not by
set order.

References
----------
.. [1] F. Glover, "Ejection chains, reference structures and alternating path
   methods for traveling salesman problems", Discrete Applied Mathematics 65
   (1996) 223-253.
.. [2] E. K. Burke, P. De Causmaecker, G. Vanden Berghe, H. Van Landeghem,
   "The state of the art of nurse rostering", Journal of Scheduling 7 (2004)
   441-499.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from optimiser.roster.model import (
    NS_PER_HOUR,
    RosterModel,
    agent_states,
    greedy_start,
    horizon_days,
    may_take,
    shift_tuples,
    take,
)

__all__ = ["SearchResult", "local_search", "roster_objective"]

_WEEK_NS = 7 * 24 * NS_PER_HOUR


@dataclass
class SearchResult:
    """What :func:`local_search` found.

    Attributes
    ----------
    assignment : set of (agent_id, shift_id)
    unfilled : dict
        ``shift_id -> slots left unfilled`` (only shifts with some).
    shortfall : dict
        ``(agent_id, label) -> hours`` below the soft target, with the labels of
        ``RosterModel.shortfall``.
    objective : float
        The MIP's objective of this roster [objective units].
    greedy_objective : float
        The objective of the greedy construction it started from.
    moves : dict
        Accepted moves by kind (``insert``, ``eject``, ``transfer``).
    passes : int
    hit_time_limit : bool
    seconds : float
    """

    assignment: set
    unfilled: dict
    shortfall: dict
    objective: float
    greedy_objective: float
    moves: dict = field(default_factory=dict)
    passes: int = 0
    hit_time_limit: bool = False
    seconds: float = 0.0


class _Search:
    """Mutable roster state with O(shifts of one agent) rule checks."""

    def __init__(self, m: RosterModel):
        sh = m.shifts
        self.m = m
        self.rules = m.problem.ruleset
        self.start, self.end = sh["start_ns"].to_numpy(), sh["end_ns"].to_numpy()
        self.hours, self.days, self.weeks = sh["hours"].to_numpy(), sh["day"].to_numpy(), sh["week"].to_numpy()
        self.sids = sh["shift_id"].to_numpy()
        self.shift = shift_tuples(m)
        self.pos_of = {s: i for i, s in enumerate(self.sids)}
        self.count = sh["count"].to_numpy().astype(int)
        self.aids = list(m.eligible)
        self.idx = {a: i for i, a in enumerate(self.aids)}
        pen = self.rules.penalties
        self.pen_unfilled, self.pen_short = pen.unfilled_slot_per_hour, pen.contract_shortfall_per_hour
        self._init_fairness()
        self._init_soft_terms()
        states = agent_states(m)
        self.st = [{**states[aid], "shifts": set()} for aid in self.aids]
        self.filled = np.zeros(len(sh), dtype=int)
        self.holders: list = [set() for _ in range(len(sh))]
        self._init_arrays()
        # per agent, answers of can_take (shift -> bool) and of ejection trials ((q, r) -> bool) for the
        # agent's current state; emptied whenever the agent's shifts change
        self.ok: list = [{} for _ in range(len(self.aids))]

    def _init_fairness(self) -> None:
        """Per category the flag per shift, the agents in its max and in its min."""
        m, pen = self.m, self.rules.penalties
        un = m.problem.unavailability
        away = set(un.loc[un["reason"] != "part_time", "agent_id"]) if un is not None and len(un) else set()
        self.flags, self.fair = {}, []
        for cat, col, w in (("nights", "is_night", pen.fairness_nights), ("weekends", "is_weekend", pen.fairness_weekends),
                            ("holidays", "is_holiday", pen.fairness_holidays)):
            flag = m.shifts[col].to_numpy().astype(bool)
            self.flags[cat] = flag
            if w <= 0 or not flag.any():
                continue
            in_max = np.array([flag[m.eligible[a]].any() for a in self.aids], dtype=bool)
            in_min = in_max & np.array([a not in away for a in self.aids], dtype=bool)
            self.fair.append((cat, float(w), np.flatnonzero(in_max), np.flatnonzero(in_min)))
        self.cat_count = {cat: np.zeros(len(self.aids)) for cat in self.flags}

    def _init_soft_terms(self) -> None:
        """Preferences, contract targets and eligibility both ways."""
        m = self.m
        self.pref = {(self.idx[a], self.pos_of[s]): sum(v for _n, v in items)
                     for (a, s), items in m.terms.items() if a in self.idx}
        self.week_target: dict = {}
        self.period_target: dict = {}
        for (aid, label), (_var, target) in m.shortfall.items():
            if label == "contract_hours":
                self.period_target[self.idx[aid]] = target
            else:
                self.week_target.setdefault(self.idx[aid], {})[label.split()[-1]] = target
        self.elig_q: list = [[] for _ in range(len(m.shifts))]
        for a, pos in m.eligible.items():
            for q in pos:
                self.elig_q[int(q)].append(self.idx[a])

    def _init_arrays(self) -> None:
        """The same state as arrays, for the vectorised candidate scans (kept equal, operation by operation)."""
        n_a = len(self.aids)
        self.elig_arr = [np.asarray(e, dtype=np.intp) for e in self.elig_q]
        self.total = np.zeros(n_a)
        self.ptarget = np.array([self.period_target.get(i, 0.0) for i in range(n_a)])
        labels = sorted(set(self.weeks) | {wk for t in self.week_target.values() for wk in t})
        w_of = {wk: k for k, wk in enumerate(labels)}
        self.wi = np.array([w_of[wk] for wk in self.weeks], dtype=np.intp)
        self.week_hours = np.zeros((n_a, len(labels)))
        self.wtarget = np.zeros((n_a, len(labels)))
        for i, t in self.week_target.items():
            for wk, target in t.items():
                self.wtarget[i, w_of[wk]] = target
        self.pref_col = None
        if self.pref:
            self.pref_col = [np.array([self.pref.get((int(j), q), 0.0) for j in e]) for q, e in enumerate(self.elig_arr)]
        # the first rules of rules_ok as arrays: a day already worked, the week's and the period's hours
        hdays = horizon_days(self.m)
        d_of = {d: k for k, d in enumerate(hdays)}
        self.di = np.array([d_of[d] for d in self.days], dtype=np.intp)
        self.day_busy = np.zeros((n_a, len(hdays)), dtype=bool)
        for i, st in enumerate(self.st):
            for d in st["days"]:
                if d in d_of:
                    self.day_busy[i, d_of[d]] = True
        self.cap = np.array([st["cap"] for st in self.st], dtype=float)
        self.budget = np.array([st["budget"] for st in self.st], dtype=float)
        self.is_max = {cat: np.isin(np.arange(n_a), in_max) for cat, _w, in_max, _n in self.fair}
        self.is_min = {cat: np.isin(np.arange(n_a), in_min) for cat, _w, _x, in_min in self.fair}

    # --- rules and bookkeeping ------------------------------------------------------------

    def can_take(self, i: int, q: int) -> bool:
        """May agent ``i`` take shift ``q`` on top of what they hold (eligibility assumed)?

        :meth:`rules_ok`, remembered until agent ``i``'s shifts change (the answer depends on
        nothing else).
        """
        memo = self.ok[i]
        got = memo.get(q)
        if got is None:
            got = memo[q] = self.rules_ok(i, q)
        return got

    def rules_ok(self, i: int, q: int) -> bool:
        """The rule check of :meth:`can_take`, computed afresh (:func:`~optimiser.roster.model.may_take`)."""
        return may_take(self.st[i], self.m, self.shift[q])

    def add(self, i: int, q: int) -> None:
        st, h = self.st[i], self.hours[q]
        take(st, self.shift[q])
        self.total[i] += h
        self.week_hours[i, self.wi[q]] += h
        self.day_busy[i, self.di[q]] = True
        self.ok[i] = {}
        st["shifts"].add(q)
        for cat, flag in self.flags.items():
            if flag[q]:
                self.cat_count[cat][i] += 1
        self.filled[q] += 1
        self.holders[q].add(i)

    def remove(self, i: int, q: int) -> None:
        st, wk, h = self.st[i], self.weeks[q], self.hours[q]
        st["ivs"].remove((int(self.start[q]), int(self.end[q])))
        st["days"].discard(self.days[q])
        st["week_h"][wk] -= h
        st["week_n"][wk] -= 1
        st["total"] -= h
        self.total[i] -= h
        self.week_hours[i, self.wi[q]] -= h
        self.day_busy[i, self.di[q]] = False
        self.ok[i] = {}
        st["shifts"].discard(q)
        if self.flags["nights"][q]:
            st["week_nights"][wk] -= 1
        for cat, flag in self.flags.items():
            if flag[q]:
                self.cat_count[cat][i] -= 1
        self.filled[q] -= 1
        self.holders[q].discard(i)

    # --- objective ------------------------------------------------------------------------

    def agent_soft(self, i: int) -> float:
        """Contract shortfall and preference terms of agent ``i`` [objective units]."""
        st = self.st[i]
        short = max(0.0, self.period_target.get(i, 0.0) - st["total"])
        for wk, target in self.week_target.get(i, {}).items():
            short += max(0.0, target - st["week_h"].get(wk, 0.0))
        value = self.pen_short * short
        if self.pref:
            value += sum(self.pref.get((i, q), 0.0) for q in st["shifts"])
        return value

    def fairness(self) -> float:
        total = 0.0
        for cat, w, in_max, in_min in self.fair:
            c = self.cat_count[cat]
            zmax = c[in_max].max() if len(in_max) else 0.0
            zmin = c[in_min].min() if len(in_min) else 0.0
            total += w * (zmax - zmin)
        return total

    def objective(self) -> float:
        unfilled = float(np.sum(self.pen_unfilled * self.hours * (self.count - self.filled)))
        return unfilled + sum(self.agent_soft(i) for i in range(len(self.aids))) + self.fairness()

    def score(self, i: int) -> float:
        """How far agent ``i`` is below their period target [h] (larger first)."""
        return self.period_target.get(i, 0.0) - self.st[i]["total"]

    # --- moves ----------------------------------------------------------------------------

    def by_score(self, agents: np.ndarray) -> list:
        """``agents`` by :meth:`score`, largest first, ties in the given order (as
        ``sorted(agents, key=self.score, reverse=True)``)."""
        key = self.ptarget[agents] - self.total[agents]
        return agents[np.argsort(-key, kind="stable")].tolist()

    def may_take(self, q: int) -> np.ndarray:
        """The agents eligible for ``q`` (in ``elig_q`` order) who pass the day and hour rules of
        :meth:`rules_ok` (the same comparisons, as arrays); the others cannot take ``q``."""
        e, h = self.elig_arr[q], self.hours[q]
        keep = ~self.day_busy[e, self.di[q]]
        keep &= ~(self.week_hours[e, self.wi[q]] + h > self.cap[e] + 1e-9)
        keep &= ~(self.total[e] + h > self.budget[e] + 1e-9)
        return e[keep]

    def insert_pass(self) -> int:
        made = 0
        for q in np.flatnonzero(self.filled < self.count).tolist():
            for i in self.by_score(self.elig_arr[q]):
                if self.filled[q] >= self.count[q]:
                    break
                if i not in self.holders[q] and self.can_take(i, q):
                    self.add(i, q)
                    made += 1
        return made

    def eject_pass(self, deadline: float) -> int:
        """Unfilled slot ``q``: agent ``i`` gives one shift ``r`` within a week of ``q`` to
        agent ``j`` and takes ``q``."""
        made = 0
        takers: dict = {}  # shift r -> its first two agents able to take it (valid until a move is made)
        for q in np.flatnonzero(self.filled < self.count).tolist():
            while self.filled[q] < self.count[q] and time.perf_counter() < deadline:
                if not self._eject_one(q, takers):
                    break
                takers.clear()
                made += 1
        return made

    def _takers(self, r: int, takers: dict) -> list:
        """The first two agents (by :meth:`score`) not holding ``r`` who may take it now.

        Only agent ``i`` changes while :meth:`_eject_one` tries its ejections, and
        ``i`` is never its own taker, so the list stays valid until a move is made.
        """
        got = takers.get(r)
        if got is None:
            got = []
            hold = self.holders[r]
            for j in self.by_score(self.may_take(r)):
                if j not in hold and self.can_take(j, r):
                    got.append(j)
                    if len(got) == 2:
                        break
            takers[r] = got
        return got

    def _could_swap(self, i: int, q: int, r: int) -> bool:
        """Could agent ``i`` take ``q`` if they gave up ``r``?  Tried on the state, remembered
        until ``i``'s shifts change."""
        memo = self.ok[i]
        got = memo.get((q, r))
        if got is None:
            self.remove(i, r)
            got = self.can_take(i, q)
            self.add(i, r)
            self.ok[i] = memo
            memo[(q, r)] = got
        return got

    def _eject_one(self, q: int, takers: dict | None = None) -> bool:
        """One ejection for unfilled ``q``: the first agent ``i`` (by :meth:`score`) with a shift
        ``r`` (nearest in time first) that someone else can take and whose loss lets ``i`` take ``q``."""
        takers = {} if takers is None else takers
        sq = int(self.start[q])
        for i in self.by_score(self.elig_arr[q]):
            if i in self.holders[q]:
                continue
            near = sorted((r for r in self.st[i]["shifts"] if abs(int(self.start[r]) - sq) < _WEEK_NS),
                          key=lambda r: (abs(int(self.start[r]) - sq), r))
            for r in near:
                # i holds r, so i is not among r's takers; with none, this ejection cannot succeed
                if not self._could_swap(i, q, r):
                    continue
                cands = self._takers(r, takers)
                if not cands:
                    continue
                self.remove(i, r)
                self.add(i, q)
                self.add(cands[0], r)
                return True
        return False

    def soft_delta(self, i: int, q: int, sign: int) -> float:
        """Change of agent ``i``'s soft terms if shift ``q`` is added (``sign=+1``) or removed (``-1``)."""
        st, h, wk = self.st[i], self.hours[q] * sign, self.weeks[q]
        target, total = self.period_target.get(i, 0.0), st["total"]
        d = max(0.0, target - total - h) - max(0.0, target - total)
        wt, wh = self.week_target.get(i, {}).get(wk, 0.0), st["week_h"].get(wk, 0.0)
        d += max(0.0, wt - wh - h) - max(0.0, wt - wh)
        return self.pen_short * d + sign * self.pref.get((i, q), 0.0)

    def soft_gain(self, q: int) -> np.ndarray:
        """:meth:`soft_delta` ``(j, q, +1)`` for every agent ``j`` eligible for ``q``, in
        ``elig_q[q]`` order (the same floating-point operations, as arrays)."""
        e, h, w = self.elig_arr[q], self.hours[q], self.wi[q]
        tg, tot = self.ptarget[e], self.total[e]
        d = np.maximum(0.0, tg - tot - h) - np.maximum(0.0, tg - tot)
        wt, wh = self.wtarget[e, w], self.week_hours[e, w]
        d = d + (np.maximum(0.0, wt - wh - h) - np.maximum(0.0, wt - wh))
        out = self.pen_short * d
        return out + self.pref_col[q] if self.pref_col is not None else out

    def fairness_after(self, q: int, i: int, js: np.ndarray) -> np.ndarray:
        """:meth:`fairness` after shift ``q`` moves from agent ``i`` to each of ``js``
        (counted directly: only two agents' counts change)."""
        total = 0.0
        for cat, w, in_max, in_min in self.fair:
            c = self.cat_count[cat]
            if not self.flags[cat][q]:
                zmax = c[in_max].max() if len(in_max) else 0.0
                zmin = c[in_min].min() if len(in_min) else 0.0
                total = total + w * (zmax - zmin)
                continue
            c1 = c.copy()
            c1[i] -= 1
            cj = c1[js] + 1
            if len(in_max):
                top = c1[in_max].max()
                zmax = np.where(self.is_max[cat][js], np.maximum(top, cj), top)
            else:
                zmax = 0.0
            if len(in_min):
                v = c1[in_min]
                low = v.min()
                if np.count_nonzero(v == low) == 1:
                    # a j alone at the minimum rises to low + 1, where every other count already is
                    zmin = np.where(self.is_min[cat][js] & (cj - 1 == low), cj, low)
                else:
                    zmin = low
            else:
                zmin = 0.0
            total = total + w * (zmax - zmin)
        return total

    def transfer_pass(self, deadline: float) -> int:
        """Move a shift from agent ``i`` to agent ``j`` when the objective drops.

        For each holder ``i`` the soft-term change and an upper bound of the fairness
        gain are computed for every eligible ``j`` at once; only those with a negative
        sum are considered, in ``elig_q`` order, each with its exact fairness change,
        and the rules are checked only for one that would beat the best so far.
        """
        made = 0
        for q in range(len(self.sids)):
            if time.perf_counter() > deadline:
                break
            hold = self.holders[q]
            if not hold:
                continue
            e = self.elig_arr[q]
            cats = [(c, w) for c, w, _a, _b in self.fair if self.flags[c][q]]
            for i in sorted(hold):
                d_i = self.soft_delta(i, q, -1)
                soft = d_i + self.soft_gain(q)
                fair_bound = 0
                for c, w in cats:
                    cnt = self.cat_count[c]
                    fair_bound = fair_bound + np.where(cnt[i] > cnt[e] + 1, 2 * w, 0.0)
                bound = soft - fair_bound
                pos = np.flatnonzero(bound <= -1e-9)
                pos = [k for k in pos.tolist() if int(e[k]) not in hold]
                if not pos:
                    continue
                js = e[pos]
                delta = soft[pos]
                if cats:
                    delta = delta + (self.fairness_after(q, i, js) - self.fairness())
                best = None
                for j, b, d in zip(js.tolist(), bound[pos].tolist(), delta.tolist()):
                    if best is not None and b >= best[0]:
                        continue
                    if d < -1e-9 and (best is None or d < best[0]) and self.can_take(j, q):
                        best = (d, j)
                if best is not None:
                    self.remove(i, q)
                    self.add(best[1], q)
                    made += 1
        return made


def roster_objective(m: RosterModel, assignment) -> float:
    """The MIP objective of a roster given as ``(agent_id, shift_id)`` pairs (no rules checked)."""
    s = _Search(m)
    for aid, sid in assignment:
        s.add(s.idx[aid], s.pos_of[sid])
    return s.objective()


def local_search(m: RosterModel, time_limit_seconds: float = 60.0, *, start: dict | None = None) -> SearchResult:
    """A roster keeping every hard rule, improved until no move helps or time is up.

    Parameters
    ----------
    m : RosterModel
        From :func:`~optimiser.roster.model.prepare_model` or
        :func:`~optimiser.roster.model.build_model` (only its index is used).
    time_limit_seconds : float
        Budget for the improvement passes [s] (the construction always runs).
    start : dict, optional
        ``(agent_id, shift_id) -> 1`` to start from; default
        :func:`~optimiser.roster.model.greedy_start`.

    Returns
    -------
    SearchResult
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit_seconds
    s = _Search(m)
    for aid, sid in (start if start is not None else greedy_start(m)):
        s.add(s.idx[aid], s.pos_of[sid])
    greedy_obj = s.objective()
    moves = {"insert": 0, "eject": 0, "transfer": 0}
    passes, hit = 0, False
    while True:
        if time.perf_counter() > deadline:
            hit = True
            break
        passes += 1
        before = s.objective()
        moves["insert"] += s.insert_pass()
        moves["eject"] += s.eject_pass(deadline)
        moves["transfer"] += s.transfer_pass(deadline)
        if s.objective() > before - 1e-6:
            hit = time.perf_counter() > deadline
            break
    assignment = {(s.aids[i], s.sids[q]) for q in range(len(s.sids)) for i in s.holders[q]}
    unfilled = {s.sids[q]: int(s.count[q] - s.filled[q]) for q in np.flatnonzero(s.filled < s.count)}
    shortfall = {}
    for (aid, label), (_var, target) in m.shortfall.items():
        st = s.st[s.idx[aid]]
        got = st["total"] if label == "contract_hours" else st["week_h"].get(label.split()[-1], 0.0)
        if target - got > 1e-9:
            shortfall[(aid, label)] = target - got
    return SearchResult(assignment, unfilled, shortfall, s.objective(), greedy_obj, moves, passes, hit,
                        time.perf_counter() - t0)
