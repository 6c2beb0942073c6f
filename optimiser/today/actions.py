"""Actions ranked by their effect on the day's accessibility, each with its predicted gain.

From a :class:`~optimiser.today.steer.TodayState` the candidates are:

* **call-backs** (``callbacks``): offer a call-back to callers whose wait would exceed a
  threshold, in the remaining intervals where at least 1 % of the callers would take it.  The accepted
  share per interval is ``optimiser.staffing.deferred.callback_fraction`` (the fixed point of
  the wait-time tail); the call-back work is placed before its deadline into the intervals
  with the most spare agents (``place_deferred_work``), where it loads the same agents as
  calls of that interval's handle time.  The day's service level then counts the calls that stay in the queue;
  the call-backs are counted apart (``callbacks_accepted``).
* **break moves** (``move_break``): one agent's break moved 30 or 60 minutes earlier or
  later, still inside the shift, after ``now``, and legal under the roster's rule set.
* **overtime** (``overtime``): one named agent's shift today extended by an hour at its end,
  offered only when the roster's independent checker
  (``optimiser.roster.result.check_roster``) finds no new broken rule (daily and weekly rest,
  maximum hours, nights, availability ...) -- the rules are never copied here.
* **voluntary time off** (``time_off``): when the day is projected above its target, the
  last hour of a shift given back, with its (negative) effect, for the planner to weigh.

Each candidate is evaluated exactly as :func:`apply_action` will apply it (the same
projection), so accepting an action changes the day's projection by its predicted gain.
Off-phone activities are not modelled: the roster carries no activities to cancel.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from optimiser.queueing.erlang import load_erlangs
from optimiser.roster.result import check_roster
from optimiser.roster.rules import RuleSet
from optimiser.staffing.deferred import callback_fraction, place_deferred_work, window_tasks
from optimiser.today.projection import (
    agents_on_phone_today, on_phone_from_on_shift, parsed_breaks, project_day, shift_on_shift,
)
from optimiser.today.steer import TodayState
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import format_breaks

__all__ = ["Action", "CallbackSettings", "recommend_actions", "apply_action", "ACTION_KINDS"]

#: Call-backs are offered in an interval when at least this share of its callers would accept
#: (their wait would exceed the threshold): below it the offer changes nothing worth a decision.
MIN_ACCEPTED_SHARE = 0.01

#: Agents ending at the same time whose overtime is checked against the rules before that end time is
#: given up (keeps the ranking of a day with hundreds of agents within seconds).
OVERTIME_TRIES = 20

#: The kinds of action, in the order a planner usually reaches for them.
ACTION_KINDS: tuple[str, ...] = ("callbacks", "move_break", "overtime", "time_off")


@dataclass(frozen=True)
class CallbackSettings:
    """How call-backs are offered.

    Parameters
    ----------
    callback_threshold_seconds : float
        Offer when a caller's wait would exceed this [s].
    callback_acceptance : float
        Share of offered callers who accept, in [0, 1].
    callback_window_minutes : float
        Deadline: a call-back is made within this many minutes [min] (never after the day's end).
    """

    callback_threshold_seconds: float = 600.0
    callback_acceptance: float = 0.5
    callback_window_minutes: float = 120.0

    def __post_init__(self):
        for name in ("callback_threshold_seconds", "callback_window_minutes"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and np.isfinite(v) and v >= 0):
                raise WfmInputError(f"{name} must be a finite number >= 0, got {v!r}", parameter=name)
        a = self.callback_acceptance
        if not (isinstance(a, (int, float)) and 0 <= a <= 1):
            raise WfmInputError(f"callback_acceptance must be in [0, 1], got {a!r}", parameter="callback_acceptance")


@dataclass(frozen=True)
class Action:
    """One recommended action and what it is predicted to do to the day.

    ``gain`` is the change of the day's projected service level [share points, e.g. 0.012 =
    +1.2 points]; ``agents_on_phone`` and ``inbound_share`` are the day after the action
    (what :func:`apply_action` projects with); ``shifts`` the roster after it.
    """

    kind: str
    description: str
    gain: float
    service_level_after: float
    agents_on_phone: pd.Series = field(repr=False)
    inbound_share: pd.Series | None = field(default=None, repr=False)
    callback_calls: pd.Series | None = field(default=None, repr=False)
    shifts: pd.DataFrame | None = field(default=None, repr=False)
    agent_id: str | None = None
    callbacks_accepted: float = 0.0


def _day_level(state: TodayState, agents: pd.Series, inbound: pd.Series | None,
               callback_calls: pd.Series | None) -> float:
    """The day's service level with these agents and offer: the ended intervals as they were, the rest projected."""
    per = state.projection.per_interval
    done = per[per["phase"] == "actual"]
    rest = project_day(state.reforecast, state.actuals.iloc[0:0], agents, state.targets,
                       inbound_share=inbound, callback_calls=callback_calls).per_interval
    offered = done["calls_offered"].sum() + rest["calls_offered"].sum()
    within = done["calls_answered_within_target"].sum() + rest["calls_answered_within_target"].sum()
    return float(within / offered) if offered > 0 else float("nan")


def _rest_intervals(state: TodayState) -> pd.DataFrame:
    per = state.projection.per_interval
    return per[per["phase"] == "reforecast"].set_index("interval_start")


# --------------------------------------------------------------------------- call-backs
def _callback_action(state: TodayState, base: float, settings: CallbackSettings) -> Action | None:
    rest = _rest_intervals(state)
    if rest.empty:
        return None
    im = state.reforecast.interval_minutes
    agents = state.agents_on_phone.reindex(rest.index).fillna(0.0)
    current = np.ones(len(rest)) if state.inbound_share is None else \
        state.inbound_share.reindex(rest.index).fillna(1.0).to_numpy(float)
    offered = (rest["calls_offered"].to_numpy(float) + rest["callbacks_accepted"].to_numpy(float))
    aht = np.where(rest["aht_seconds"].to_numpy(float) > 0, rest["aht_seconds"].to_numpy(float), 1.0)
    f = callback_fraction(offered, im, aht, agents.to_numpy(float),
                          callback_threshold_seconds=settings.callback_threshold_seconds,
                          callback_acceptance=settings.callback_acceptance,
                          patience_seconds=state.targets.patience_seconds)
    slow = f >= MIN_ACCEPTED_SHARE  # offer where the wait would exceed the threshold for enough callers
    if not slow.any():
        return None
    f = np.where(slow, f, 0.0)
    share = pd.Series(np.minimum(current, 1.0 - f), index=rest.index)
    accepted = offered * (1.0 - share.to_numpy())
    new_calls = offered * (current - share.to_numpy())  # call-backs this offer adds
    spare = np.asarray(load_erlangs(offered * share.to_numpy(), im, aht)) - agents.to_numpy(float)
    tasks = window_tasks(rest.index, new_calls * aht / 60.0, im, settings.callback_window_minutes, "call-backs")
    placed, _ = place_deferred_work(pd.Series(spare, index=rest.index), tasks, im)
    # the placed agent-minutes as calls of each interval's handle time
    made = placed["deferred_agents"].to_numpy() * im * 60.0 / aht
    before = np.zeros(len(rest)) if state.callback_calls is None else \
        state.callback_calls.reindex(rest.index).fillna(0.0).to_numpy(float)
    callback_calls = pd.Series(before + made, index=rest.index)
    after = state.agents_on_phone
    level = _day_level(state, after, share, callback_calls)
    first, last = rest.index[slow][0], rest.index[slow][-1] + pd.Timedelta(minutes=im)
    text = (f"offer call-backs when the wait would exceed {settings.callback_threshold_seconds / 60:g} min, "
            f"{first:%H:%M}-{last:%H:%M} (about {accepted.sum():.0f} accepted, called back within "
            f"{settings.callback_window_minutes:g} min)")
    return Action("callbacks", text, level - base, level, after, share, callback_calls, None, None,
                  float(accepted.sum()))


# --------------------------------------------------------------------------- roster changes
def _roster_changes_legal(shifts: pd.DataFrame, agent_id: str, changed: pd.DataFrame, agents: pd.DataFrame,
                          ruleset: RuleSet, unavailability: pd.DataFrame | None) -> bool:
    """No hard rule broken by ``changed`` (the agent's rows after the change) that was not broken before.

    Violations are compared with their messages, so a rule already broken and made worse
    (9 h of rest instead of 10) counts as newly broken.
    """
    mine = shifts[shifts["agent_id"] == agent_id]
    # the checker sees this agent only (its contract and unavailability): the same rules, a fraction of the work
    who = agents[agents["agent_id"] == agent_id]
    away = None if unavailability is None else unavailability[unavailability["agent_id"] == agent_id]
    before = {(v.rule, v.date, v.detail) for v in check_roster(mine, who, away, ruleset)}
    after = {(v.rule, v.date, v.detail) for v in check_roster(changed, who, away, ruleset)}
    return after <= before


def _candidate(state: TodayState, base: float, kind: str, text: str, new_shifts: pd.DataFrame, agent_id: str,
               on_shift: pd.Series, row_before: pd.Series, row_after: pd.Series):
    """The action that replaces ``row_before`` by ``row_after`` (one agent's shift): the day's agents recounted
    by the difference the row makes (its breaks off), on top of the roster's agents on shift ``on_shift``."""
    starts = state.agents_on_phone.index
    im = state.reforecast.interval_minutes
    changed = on_shift - shift_on_shift(row_before, starts, im) + shift_on_shift(row_after, starts, im)
    agents = on_phone_from_on_shift(changed, state.targets.shrinkage)
    level = _day_level(state, agents, state.inbound_share, state.callback_calls)
    return Action(kind, text, level - base, level, agents, state.inbound_share, state.callback_calls, new_shifts,
                  agent_id)


def _absent(state: TodayState) -> set:
    """Agents with an absence reported today: no action changes their shifts (their time is already off)."""
    return set(state.absences["agent_id"]) if state.absences is not None and len(state.absences) else set()


def _overtime_actions(state, base, agents_file, ruleset, unavailability, limit, on_shift) -> list[Action]:
    shifts = state.shifts
    now = state.now
    day_end = state.agents_on_phone.index[-1] + pd.Timedelta(minutes=state.reforecast.interval_minutes)
    gone = _absent(state)
    todays = shifts[(shifts["end"] > now) & (shifts["end"] < day_end) & ~shifts["agent_id"].isin(gone)]
    by_end: dict = {}
    for i, row in todays.iterrows():
        by_end.setdefault(row["end"], []).append(i)
    out = []
    for end, rows in sorted(by_end.items()):
        for i in rows[:OVERTIME_TRIES]:  # the first agent ending then who may legally take the hour
            row = shifts.loc[i]
            longer = shifts.copy()
            longer.loc[i, "end"] = end + pd.Timedelta(hours=1)
            longer.loc[i, "paid_minutes"] = int(row["paid_minutes"]) + 60
            mine = longer[longer["agent_id"] == row["agent_id"]]
            if not _roster_changes_legal(shifts, row["agent_id"], mine, agents_file, ruleset, unavailability):
                continue
            text = f"overtime: {row['agent_id']} ({row.get('name', '')}) works on to {end + pd.Timedelta(hours=1):%H:%M}"
            out.append(_candidate(state, base, "overtime", text, longer, row["agent_id"], on_shift, row,
                                  longer.loc[i]))
            break
    return sorted(out, key=lambda a: -a.gain)[:limit]


def _break_actions(state, base, agents_file, ruleset, unavailability, limit, on_shift) -> list[Action]:
    shifts = state.shifts
    if "breaks" not in shifts.columns:
        return []
    seen, out = set(), []
    gone = _absent(state)
    for i, row in shifts[(shifts["end"] > state.now) & ~shifts["agent_id"].isin(gone)].iterrows():
        breaks = parsed_breaks(row["breaks"])
        for k, brk in enumerate(breaks):
            b_start, minutes = brk.start, brk.minutes
            if b_start < state.now:
                continue
            for move in (-60, -30, 30, 60):
                new_start = b_start + pd.Timedelta(minutes=move)
                # one candidate per shift shape and move: a break move keeps rest and hours, so the rule
                # check of the first agent with that shift answers for the others
                key = (row["start"], row["end"], b_start, new_start, minutes)
                if key in seen or new_start < state.now or new_start < row["start"] or \
                        new_start + pd.Timedelta(minutes=minutes) > row["end"]:
                    continue
                moved = list(breaks)
                moved[k] = brk.moved_to(new_start)
                changed = shifts.copy()
                changed.loc[i, "breaks"] = format_breaks(sorted(moved))
                mine = changed[changed["agent_id"] == row["agent_id"]]
                seen.add(key)
                if not _roster_changes_legal(shifts, row["agent_id"], mine, agents_file, ruleset, unavailability):
                    continue
                text = (f"move {row['agent_id']}'s break {b_start:%H:%M} -> {new_start:%H:%M} "
                        f"({minutes} min)")
                out.append(_candidate(state, base, "move_break", text, changed, row["agent_id"], on_shift, row,
                                      changed.loc[i]))
    return sorted(out, key=lambda a: -a.gain)[:limit]


def _time_off_actions(state, base, limit, on_shift) -> list[Action]:
    target = state.targets.target_service_level
    if target is None or base < target:
        return []
    shifts = state.shifts
    now = state.now
    out, seen = [], set()
    mine = (shifts["end"] - pd.Timedelta(hours=1) >= now) & (shifts["start"] < now) & ~shifts["agent_id"].isin(_absent(state))
    for i, row in shifts[mine].iterrows():
        if row["end"] in seen:
            continue
        seen.add(row["end"])
        shorter = shifts.copy()
        shorter.loc[i, "end"] = row["end"] - pd.Timedelta(hours=1)
        shorter.loc[i, "paid_minutes"] = int(row["paid_minutes"]) - 60
        text = f"voluntary time off: {row['agent_id']} may leave at {row['end'] - pd.Timedelta(hours=1):%H:%M}"
        action = _candidate(state, base, "time_off", text, shorter, row["agent_id"], on_shift, row, shorter.loc[i])
        if action.service_level_after >= target:
            out.append(action)
    return sorted(out, key=lambda a: -a.gain)[:limit]


def recommend_actions(state: TodayState, *, agents: pd.DataFrame | None = None, ruleset: RuleSet | None = None,
                      unavailability: pd.DataFrame | None = None, callbacks: CallbackSettings | None = None,
                      per_kind: int = 3) -> list[Action]:
    """Candidate actions for the rest of the day, best predicted gain first.

    Parameters
    ----------
    state : TodayState
        The day now (:func:`optimiser.today.steer.steer_day`).
    agents, ruleset, unavailability : optional
        The agent list (contracts, skills), the roster's rule set and the planned
        unavailability: needed for overtime and break moves, which are offered only when the
        roster's checker finds no new broken rule; without them only call-backs are offered.
    callbacks : CallbackSettings, optional
        Default :class:`CallbackSettings()`.
    per_kind : int
        At most this many actions of each kind.
    """
    base = float(state.projection.day["service_level"])
    out: list[Action] = []
    cb = _callback_action(state, base, callbacks or CallbackSettings())
    if cb is not None:
        out.append(cb)
    named = "agent_id" in state.shifts.columns and agents is not None and ruleset is not None
    if named:
        on_shift = agents_on_phone_today(state.shifts, state.agents_on_phone.index, state.reforecast.interval_minutes,
                                         absences=state.absences, on_shift_only=True)
        out += _break_actions(state, base, agents, ruleset, unavailability, per_kind, on_shift)
        out += _overtime_actions(state, base, agents, ruleset, unavailability, per_kind, on_shift)
        out += _time_off_actions(state, base, per_kind, on_shift)
    return sorted(out, key=lambda a: (a.kind == "time_off", -a.gain))


def apply_action(state: TodayState, action: Action) -> TodayState:
    """The day after the planner accepts ``action``: the projection re-run with its agents and offer."""
    projection = project_day(state.reforecast, state.actuals, action.agents_on_phone, state.targets,
                             inbound_share=action.inbound_share, callback_calls=action.callback_calls)
    return replace(state, agents_on_phone=action.agents_on_phone, projection=projection,
                   inbound_share=action.inbound_share, callback_calls=action.callback_calls,
                   shifts=action.shifts if action.shifts is not None else state.shifts)
