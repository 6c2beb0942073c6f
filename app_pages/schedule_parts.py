"""The Schedule page's background solve and its plain-words summary of where the plan is short."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from app_pages import fmt
from app_pages.i18n import t
from app_pages.session import BuiltSchedule, Computed, Session, Stamp
from app_pages.state import requirement_inputs, start_run


def schedule_inputs(s: Session, fc: Computed) -> dict[str, Stamp]:
    """What a schedule is built from: the requirement's inputs, the rules and the solve settings."""
    return {**requirement_inputs(s, fc), "rules": s.rules.stamp, "schedule_settings": s.schedule_settings.stamp}


def start_schedule(s: Session, fc: Computed, requirement, parsed_rules) -> None:
    """Build the problem from the current requirement and the planner's rules and settings; solve it in
    the background. Raises WfmInputError for a problem the library refuses."""
    from optimiser.scheduling.problem import build_problem
    from optimiser.scheduling.solve import solve

    settings = s.schedule_settings
    problem = build_problem(
        requirement, parsed_rules, objective=settings.objective,
        headcount_total=settings.headcount if settings.objective == "max-sl" else None,
        solver=replace(parsed_rules.solver, solver=settings.solver,
                       time_limit_seconds=float(settings.time_limit_seconds)),
    )
    days = int(round(len(problem.intervals) * problem.interval_minutes / 1440))
    rules_choice = s.rules

    def target(on_progress, should_stop):
        result = solve(problem, on_progress=on_progress, should_stop=should_stop)
        return BuiltSchedule(result, rules_choice, problem.rules, settings, days)

    start_run(s, "schedule", target, schedule_inputs(s, fc), "schedule",
              (("horizon_days", days), ("objective", settings.objective)),
              info={"time_limit_seconds": settings.time_limit_seconds})


def _part_name(weekday: int, part: str) -> str:
    return t(f"part_{part}", day=fmt.weekday(weekday))


@st.cache_data(show_spinner=False, max_entries=8)
def _summary(key: str, _result):
    from optimiser.scheduling.views import shortfall_summary

    return shortfall_summary(_result)


def shortfall_lines(result, key: str, limit: int = 12) -> list[str]:
    """``Sunday night: 6 intervals, 9 agent-hours short (reports) — headcount limit``, most short first
    (``key``: the schedule's stamp key, for the cache)."""
    summary = _summary(key, result)
    lines = []
    for row in summary.head(limit).itertuples(index=False):
        lines.append(t("short_line" if row.intervals != 1 else "short_line_one",
                       when=_part_name(int(row.weekday), row.part), n=fmt.number(row.intervals),
                       hours=fmt.number(row.agent_hours_short, 1), queues=", ".join(row.queues),
                       why=t(f"rule_{row.rule}")))
    if len(summary) > limit:
        rest = summary.iloc[limit:]
        lines.append(t("short_more", n=len(rest), hours=fmt.number(rest["agent_hours_short"].sum(), 1)))
    return lines


def shortfall_table(result) -> "pd.DataFrame":
    """Every short stretch as the solver found it, in the planner's words: queue, from, to, agents needed,
    agents short, agent-hours short, why."""
    import pandas as pd

    rows = [{"queue": r.queue, "start": r.start, "end": r.end, "agents_required": r.agents_required,
             "agents_short": r.agents_short, "agent_hours_short": r.agent_hours_short,
             "why": t(f"rule_{r.rule or 'penalty'}")} for r in result.shortfalls]
    frame = pd.DataFrame(rows, columns=["queue", "start", "end", "agents_required", "agents_short",
                                        "agent_hours_short", "why"])
    return fmt.table(frame, kinds={"agents_required": ("number", 1), "agents_short": ("number", 1),
                                   "agent_hours_short": ("number", 1)})


def gantt_frame(timeline):
    """The timeline's shifts labelled in the planner's language (``sv_all mån 07:00–16:00 ×12``)."""
    out = timeline.copy()
    out["label"] = [f"{g} {fmt.weekday(s.weekday(), short=True)} {s:%H:%M}–{e:%H:%M} ×{int(c)}"
                    for g, s, e, c in zip(out["skill_group"], out["start"], out["end"], out["count"])]
    return out
