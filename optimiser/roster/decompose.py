"""Solve a roster monolithically or decomposed, and read the answer.

:func:`solve_roster` is the entry point.  With ``decompose="auto"`` the
problem is split when the number of eligible (agent, shift) pairs would
exceed ``max_variables``:

``week``
    Weeks are solved in order; each later week gets the earlier weeks'
    assignments as ``fixed_work``, so the 11 h daily rest, the 36 h weekly
    rest in every rolling 7-day window and the consecutive-day limit hold
    across the boundary, and the period's contract hours already used are
    carried over.  What is lost: a week cannot trade hours or nights with a
    later week.
``skill_group``
    Agents and shifts split by skill group (an agent only takes shifts of
    its own group, so a bilingual agent no longer helps the Swedish-only
    queues).
``week+skill_group``
    Both.

The result says whether and how it was decomposed (``decomposed``,
``decomposition``).  ``benchmarks/roster_scale.py`` measures what
decomposition costs in objective against the monolithic solve.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from optimiser.roster.explain import postsolve_explanations, presolve_checks
from optimiser.roster.model import RosterProblem, build_model, prepare_model
from optimiser.roster.search import local_search
from optimiser.roster.result import ASSIGNMENT_COLUMNS, RosterResult, check_roster, fairness_spread
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import format_breaks, parse_breaks
from wfm.ground.solver import SolveInfo, run_mip
from wfm.ground.vocabulary import DEFAULT_TZ, SolverStatus

__all__ = ["DECOMPOSITIONS", "METHODS", "MIP_MAX_PAIRS", "expand_weeks", "solve_roster"]

DECOMPOSITIONS = ("auto", "none", "week", "skill_group", "week+skill_group")
METHODS = ("auto", "mip", "local_search")
#: Above this many possible agent-shift pairs ``method="auto"`` uses the local search alone.
MIP_MAX_PAIRS = 40_000
PENALTY_COLUMNS = ("agent_id", "shift_id", "term", "value")


def expand_weeks(shifts: pd.DataFrame, weeks: int, tz: str = DEFAULT_TZ) -> pd.DataFrame:
    """Repeat a one-week (cyclic) schedule ``weeks`` times, or cut a longer one.

    A schedule whose shifts start within 7 days is repeated on the same local
    wall times (DST-safe: a 07:00 shift stays 07:00 after a clock change) with
    ``shift_id`` suffixed ``-w2``, ``-w3`` ...; a longer schedule keeps the
    shifts starting in its first ``weeks`` x 7 days.
    """
    if not isinstance(weeks, int) or isinstance(weeks, bool) or not 1 <= weeks <= 4:
        raise WfmInputError(f"weeks must be a whole number from 1 to 4, got {weeks!r}", parameter="weeks")
    d0 = min(t.tz_convert(tz).date() for t in shifts["start"])
    d1 = max(t.tz_convert(tz).date() for t in shifts["start"])
    if (d1 - d0).days >= 7:
        cut = pd.Timestamp(dt.datetime.combine(d0 + dt.timedelta(days=7 * weeks), dt.time()), tz=tz)
        return shifts[shifts["start"] < cut].reset_index(drop=True)
    parts = [shifts]
    for w in range(1, weeks):
        s = shifts.copy()

        def shift_local(t, w=w):
            t = t.tz_convert(tz)
            return (t.tz_localize(None) + pd.Timedelta(days=7 * w)).tz_localize(
                tz, ambiguous=True, nonexistent="shift_forward")

        s["start"] = [shift_local(t) for t in s["start"]]
        s["end"] = [shift_local(t) for t in s["end"]]
        s["breaks"] = [format_breaks(b.moved_to(shift_local(b.start)) for b in parse_breaks(txt, tz))
                       for txt in s["breaks"]]
        s["shift_id"] = [f"{sid}-w{w + 1}" for sid in s["shift_id"]]
        parts.append(s)
    out = pd.concat(parts, ignore_index=True)
    out["start"] = pd.to_datetime(out["start"]).dt.tz_convert(tz)
    out["end"] = pd.to_datetime(out["end"]).dt.tz_convert(tz)
    return out


def _local_search_only(problem: RosterProblem, t0: float):
    """``local_search``: greedy construction and local search on the model's index, no MIP."""
    m = prepare_model(problem)
    pre = presolve_checks(m)
    ls = local_search(m, problem.solver.time_limit_seconds)
    stop = "time limit" if ls.hit_time_limit else "no improving move left"
    info = SolveInfo("local_search", SolverStatus.FEASIBLE, "time_limit" if ls.hit_time_limit else "local_optimum",
                     ls.objective, None, None, ls.hit_time_limit,
                     f"feasible, not proven optimal: greedy construction + local search ({ls.moves['insert']} "
                     f"inserts, {ls.moves['eject']} ejection chains, {ls.moves['transfer']} transfers in "
                     f"{ls.passes} passes; stopped: {stop}), objective {ls.greedy_objective:,.0f} -> "
                     f"{ls.objective:,.0f}; no MIP, so no bound", time.perf_counter() - t0)
    return m, pre, info, (ls.assignment, ls.unfilled, ls.shortfall)


def _mip_from_search(problem: RosterProblem, t0: float):
    """``mip``: the MIP started from the local search's roster; the better of the two is kept."""
    settings = problem.solver
    m = build_model(problem)
    pre = presolve_checks(m)
    ls = local_search(m, min(settings.time_limit_seconds / 4.0, 30.0))
    answer = (ls.assignment, ls.unfilled, ls.shortfall)
    rest = max(1.0, settings.time_limit_seconds - (time.perf_counter() - t0))
    start = {v.name: 0.0 for v in m.x.values()}
    for key in ls.assignment:
        start[m.x[key].name] = 1.0
    for sid, var in m.unfilled.items():
        start[var.name] = float(ls.unfilled.get(sid, 0))
    # the start is partial (no rest-period indicators): HiGHS completes it
    info = run_mip(m.prob, solver=settings.solver, time_limit_seconds=rest, gap=settings.gap, threads=settings.threads,
                   msg=settings.msg, start=start, complete_start=False, what="roster")
    if info.objective is not None and info.objective < ls.objective - 1e-6:
        chosen = {(aid, sid) for (aid, sid), v in m.x.items() if (v.varValue or 0) > 0.5}
        unfilled_n = {sid: int(round(u.varValue or 0)) for sid, u in m.unfilled.items()
                      if int(round(u.varValue or 0)) > 0}
        short_h = {key: var.varValue for key, (var, _t) in m.shortfall.items() if (var.varValue or 0) > 1e-6}
        return m, pre, info, (chosen, unfilled_n, short_h)
    kept = (f"the MIP found nothing better than the local search's roster (objective {ls.objective:,.0f}), "
            f"which is kept")
    # the search's roster is proven optimal only when the MIP proved an optimum of the same value
    proven = info.status == SolverStatus.OPTIMAL and info.objective is not None and \
        abs(info.objective - ls.objective) <= 1e-6
    status = SolverStatus.OPTIMAL if proven else SolverStatus.FEASIBLE
    info = replace(info, status=status, objective=ls.objective, message=f"{info.message}; {kept}")
    return m, pre, info, answer


def _unfilled_rows(m, unfilled_n: dict) -> list[dict]:
    sh = m.shifts
    pos_of = {s: i for i, s in enumerate(sh["shift_id"])}
    n_eligible = np.zeros(len(sh), dtype=int)
    for p in m.eligible.values():
        n_eligible[p] += 1
    rows = []
    for sid, n in unfilled_n.items():
        i = pos_of[sid]
        r = sh.iloc[i]
        reason = ("no qualified and available agent" if n_eligible[i] == 0 else
                  f"{n_eligible[i]} agents are qualified and available, but rest, hours and day limits "
                  f"leave none of the others free")
        rows.append({"shift_id": sid, "template": r["template"], "skill_group": r["skill_group"],
                     "start": r["start"], "end": r["end"], "unfilled": n, "reason": reason})
    return rows


def _penalty_rows(m, problem: RosterProblem, chosen: set, short_h: dict) -> tuple[list, list]:
    pens, shorts = [], []
    for key, terms in m.terms.items():
        if key in chosen:
            for name, value in terms:
                pens.append({"agent_id": key[0], "shift_id": key[1], "term": name, "value": value})
    pen = problem.ruleset.penalties.contract_shortfall_per_hour
    for (aid, label), (_var, target) in m.shortfall.items():
        h = short_h.get((aid, label), 0.0)
        if h > 1e-6:
            pens.append({"agent_id": aid, "shift_id": "", "term": f"{label} shortfall", "value": pen * h})
            shorts.append({"agent_id": aid, "term": label, "hours": round(h, 2), "target": round(target, 2)})
    return pens, shorts


def _assignment_frame(m, problem: RosterProblem, chosen: set) -> pd.DataFrame:
    rows = sorted(chosen)
    if not rows:
        return pd.DataFrame([], columns=list(ASSIGNMENT_COLUMNS))
    sh = m.shifts
    pos_of = {s: i for i, s in enumerate(sh["shift_id"])}
    # one row per assignment, looked up by position (a per-row .at lookup took ~1 s for 3,700 rows)
    a_ids, s_ids = [a for a, _s in rows], [s for _a, s in rows]
    ag, shr = problem.agents.set_index("agent_id").loc[a_ids], sh.iloc[[pos_of[s] for s in s_ids]]
    return pd.DataFrame({
        "agent_id": a_ids, "name": ag["name"].to_list(), "site": ag["site"].to_list(),
        "skill_group": shr["skill_group"].to_list(), "shift_id": s_ids, "start": shr["start"].to_list(),
        "end": shr["end"].to_list(), "paid_minutes": [int(v) for v in shr["paid_minutes"]],
        "breaks": shr["breaks"].to_list()}, columns=list(ASSIGNMENT_COLUMNS))


def _solve_once(problem: RosterProblem, method: str):
    """Solve one (sub-)problem by ``method`` (``mip`` or ``local_search``).

    ``mip`` builds the MIP, starts HiGHS from the local search's roster (a
    quarter of the time limit at most) and keeps whichever of the two has the
    lower objective (HiGHS may drop a start it cannot complete).
    ``local_search`` never builds the MIP: a fraction of the memory, no bound.
    """
    t0 = time.perf_counter()
    solve_part = _local_search_only if method == "local_search" else _mip_from_search
    m, pre, info, (chosen, unfilled_n, short_h) = solve_part(problem, t0)
    pens, shorts = _penalty_rows(m, problem, chosen, short_h)
    assign = _assignment_frame(m, problem, chosen)
    unfilled_df = pd.DataFrame(_unfilled_rows(m, unfilled_n), columns=["shift_id", "template", "skill_group",
                                                                       "start", "end", "unfilled", "reason"])
    short_df = pd.DataFrame(shorts, columns=["agent_id", "term", "hours", "target"])
    post = postsolve_explanations(m, unfilled_df, short_df)
    pens_df = pd.DataFrame(pens, columns=list(PENALTY_COLUMNS))
    hol = set(m.shifts.loc[m.shifts["is_holiday"], "day"])
    return info, assign, unfilled_df, pre + post, pens_df, hol, m.notes


#: The status of a decomposed roster is its parts' worst, in this order.
_STATUS_RANK = {SolverStatus.OPTIMAL: 0, SolverStatus.FEASIBLE: 1, SolverStatus.NO_SOLUTION: 2,
                SolverStatus.INFEASIBLE: 3}


def estimate_pairs(problem: RosterProblem) -> int:
    """Agents x shifts of a skill group they may take (an upper bound of the
    number of assignment variables)."""
    per_group = problem.shifts.groupby("skill_group").size()
    est = 0
    for skills in problem.agents["skills"]:
        est += sum(int(n) for g, n in per_group.items() if set(problem.skill_groups.get(g, ())) <= set(skills))
    return est


def _choose(problem: RosterProblem, decompose: str, method: str, max_variables: int, mip_max_pairs: int,
            n_weeks: int) -> tuple[str, str, str, int]:
    """``(method used, decomposition, why, estimated pairs)`` for the ``auto`` choices."""
    est = estimate_pairs(problem)
    how_solved = method
    if method == "auto":
        how_solved = "mip" if est <= mip_max_pairs else "local_search"
    how, why = decompose, ""
    if decompose == "auto" and how_solved == "local_search":
        how = "none"
    elif decompose == "auto":
        if est <= max_variables:
            how = "none"
        elif n_weeks > 1 and est / n_weeks <= max_variables:
            how = "week"
        elif n_weeks > 1:
            how = "week+skill_group"
        else:
            how = "skill_group"
        if how != "none":
            why = f" (auto: about {est:,} agent-shift pairs > max_variables={max_variables:,})"
    return how_solved, how, why, est


@dataclass
class _Parts:
    """What the solved sub-problems add up to."""

    assign: list = field(default_factory=list)
    unfilled: list = field(default_factory=list)
    explanations: list = field(default_factory=list)
    penalties: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    holidays: set = field(default_factory=set)
    statuses: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    gaps: list = field(default_factory=list)
    objective: float = 0.0
    bound: float | None = 0.0
    hit: bool = False
    solver: str = ""

    def add(self, info, assign, unf, expl, pen, hol, notes) -> None:
        self.solver = info.solver
        self.statuses.append(info.status)
        self.objective += info.objective or 0.0
        self.bound = None if self.bound is None or info.best_bound is None else self.bound + info.best_bound
        self.messages.append(info.message)
        self.hit |= info.hit_time_limit
        if info.gap is not None:
            self.gaps.append(info.gap)
        self.assign.append(assign)
        self.unfilled.append(unf)
        self.explanations += expl
        self.penalties.append(pen)
        self.notes += notes
        self.holidays |= hol


def _week_parts(days: list, how: str) -> list:
    """Parts are ISO calendar weeks (Monday to Sunday), the weeks the hour limits count in."""
    if "week" not in how:
        return [days[0]]
    monday0 = days[0] - dt.timedelta(days=days[0].weekday())
    n_parts = int(np.ceil(((days[-1] - monday0).days + 1) / 7))
    return [monday0 + dt.timedelta(days=7 * w) for w in range(n_parts)]


def _solve_parts(problem: RosterProblem, how: str, how_solved: str, days: list, n_weeks: int) -> tuple[_Parts, int]:
    """Solve the weeks in order (each later week keeps the earlier ones fixed) and the skill groups apart."""
    tz, shifts = problem.tz, problem.shifts
    week_parts = _week_parts(days, how)
    group_parts = sorted(shifts["skill_group"].unique()) if "skill_group" in how else [None]
    n_parts = len(week_parts) * len(group_parts)
    per_part = replace(problem.solver, time_limit_seconds=max(5.0, problem.solver.time_limit_seconds / n_parts))
    used: dict = dict(problem.period_hours_used or {})
    parts = _Parts()
    for w0 in week_parts:
        wk_shifts = shifts
        if len(week_parts) > 1:
            lo = pd.Timestamp(dt.datetime.combine(w0, dt.time()), tz=tz)
            hi = pd.Timestamp(dt.datetime.combine(w0 + dt.timedelta(days=7), dt.time()), tz=tz)
            wk_shifts = shifts[(shifts["start"] >= lo) & (shifts["start"] < hi)]
        earlier = [a for a in parts.assign if len(a)]
        if problem.fixed_work is not None and len(problem.fixed_work):
            earlier = [problem.fixed_work] + earlier
        fixed = pd.concat(earlier, ignore_index=True) if earlier else None
        for g in group_parts:
            sub_shifts = wk_shifts if g is None else wk_shifts[wk_shifts["skill_group"] == g]
            sub_agents = problem.agents if g is None else problem.agents[problem.agents["skill_group"] == g]
            if sub_shifts.empty or sub_agents.empty:
                continue
            sub = replace(problem, shifts=sub_shifts.reset_index(drop=True), agents=sub_agents.reset_index(drop=True),
                          fixed_work=fixed, period_hours_used=dict(used),
                          period_weeks=problem.period_weeks or n_weeks, solver=per_part)
            solved = _solve_once(sub, how_solved)
            parts.add(*solved)
            for aid, grp in solved[1].groupby("agent_id"):
                used[aid] = used.get(aid, 0.0) + grp["paid_minutes"].sum() / 60.0
    return parts, n_parts


def _joined(frames: list, columns) -> pd.DataFrame:
    nonempty = [f for f in frames if len(f)]
    if nonempty:
        return pd.concat(nonempty, ignore_index=True)
    return frames[0] if frames and columns is None else pd.DataFrame(columns=list(columns or ()))


def solve_roster(problem: RosterProblem, *, decompose: str = "auto", max_variables: int = 150_000,
                 method: str = "auto", mip_max_pairs: int = MIP_MAX_PAIRS) -> RosterResult:
    """Roster ``problem``, decomposed if asked or if it is too large.

    Parameters
    ----------
    problem : RosterProblem
    decompose : {"auto", "none", "week", "skill_group", "week+skill_group"}
    max_variables : int
        With ``auto`` and the MIP: decompose by week when the possible
        (agent, shift) pairs (:func:`estimate_pairs`) exceed this; by week and
        skill group if one week alone still does.
    method : {"auto", "mip", "local_search"}
        ``mip``: the MIP, started from the local search's roster, the better
        of the two kept (may be proven optimal).  ``local_search``: greedy
        construction and local search only (:mod:`optimiser.roster.search`;
        no MIP is built, so far less memory; feasible, never proven).
        ``auto``: ``mip`` up to ``mip_max_pairs`` agent-shift pairs, else
        ``local_search`` (and then ``decompose="auto"`` means no
        decomposition, since the search is lean at any size).
    mip_max_pairs : int
        The ``auto`` threshold (see ``benchmarks/results/roster_scale.md``).

    Returns
    -------
    RosterResult
        ``violations`` comes from the independent :func:`check_roster`.
    """
    if decompose not in DECOMPOSITIONS:
        raise WfmInputError(f"decompose must be one of {', '.join(DECOMPOSITIONS)}, got {decompose!r}",
                            parameter="decompose")
    if method not in METHODS:
        raise WfmInputError(f"method must be one of {', '.join(METHODS)}, got {method!r}", parameter="method")
    tz = problem.tz
    days = sorted({t.tz_convert(tz).date() for t in problem.shifts["start"]})
    n_weeks = int(np.ceil(((days[-1] - days[0]).days + 1) / 7))
    how_solved, how, why, est = _choose(problem, decompose, method, max_variables, mip_max_pairs, n_weeks)
    t0 = time.perf_counter()
    parts, n_parts = _solve_parts(problem, how, how_solved, days, n_weeks)
    elapsed = time.perf_counter() - t0
    assign = _joined(parts.assign, ASSIGNMENT_COLUMNS)
    if len(assign):
        assign["start"] = pd.to_datetime(assign["start"]).dt.tz_convert(tz)
        assign["end"] = pd.to_datetime(assign["end"]).dt.tz_convert(tz)
        assign = assign.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)
    else:  # nobody could be rostered: still a roster (of unfilled slots), with the contract's dtypes
        assign = assign.astype({"start": f"datetime64[ns, {tz}]", "end": f"datetime64[ns, {tz}]",
                                "paid_minutes": "int64"})
    unfilled = _joined(parts.unfilled, None) if parts.unfilled else pd.DataFrame()
    status = max(parts.statuses, key=lambda s: _STATUS_RANK[SolverStatus(s)]) if parts.statuses \
        else SolverStatus.NO_SOLUTION
    violations = check_roster(assign, problem.agents, problem.unavailability, problem.ruleset,
                              skill_groups=problem.skill_groups, tz=tz, horizon=(days[0], days[-1]))
    per, spread = fairness_spread(assign, problem.agents, problem.ruleset, parts.holidays)
    decomposed = how != "none"
    description = "none (one monolithic model)" if not decomposed else (
        f"{how}: {n_parts} sub-problems solved in order{why}; later weeks keep the earlier weeks' assignments "
        f"fixed for the rest and consecutive-day rules")
    n_unf = int(unfilled["unfilled"].sum()) if len(unfilled) else 0
    why_method = (f" (auto: about {est:,} agent-shift pairs {'>' if how_solved == 'local_search' else '<='} "
                  f"mip_max_pairs={mip_max_pairs:,})") if method == "auto" else ""
    solved = parts.messages[0] if len(parts.messages) == 1 else "; ".join(dict.fromkeys(parts.messages))
    message = (f"{status}: {len(assign)} shifts assigned, {n_unf} slots unfilled, {len(violations)} hard "
               f"violations; method {how_solved}{why_method}: {solved}; decomposition {description}")
    if parts.notes:
        message += "; " + "; ".join(parts.notes[:5])
    pens = [p for p in parts.penalties if len(p)]
    return RosterResult(
        status=status, solver=parts.solver, objective=parts.objective if parts.statuses else None,
        best_bound=parts.bound if parts.statuses else None, gap=max(parts.gaps) if parts.gaps else None,
        hit_time_limit=parts.hit, decomposed=decomposed, decomposition=description, assignments=assign,
        unfilled=unfilled, violations=violations, explanations=parts.explanations,
        penalties=pd.concat(pens, ignore_index=True) if pens else pd.DataFrame(columns=list(PENALTY_COLUMNS)),
        fairness=per, spread=spread, message=message, solve_seconds=elapsed)
