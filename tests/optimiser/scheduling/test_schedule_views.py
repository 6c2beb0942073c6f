"""Chart frames of a schedule."""

from __future__ import annotations

import pytest

from optimiser.scheduling.views import shift_timeline
from tests.optimiser.scheduling.sched_builders import schedule_shifts


def test_timeline_keeps_the_most_staffed_and_labels_them():
    top = shift_timeline(schedule_shifts(), limit=2)
    assert list(top["shift_id"]) == ["S1", "S3"]  # 12 and 5 agents, sorted by start
    assert top.loc[0, "label"] == "sv_all Mon 07:00-16:00 x12"
    assert top["start"].dt.tz is None
    with pytest.raises(ValueError, match="limit must be >= 1, got 0"):
        shift_timeline(schedule_shifts(), limit=0)


def test_shortfall_summary_groups_by_weekday_part_of_day_and_rule():
    from optimiser.scheduling import build_problem, solve
    from optimiser.scheduling.views import shortfall_summary
    from tests.optimiser.scheduling.sched_builders import day_profile, make_rules, requirement

    # Tuesday 2025-01-07: 5 agents needed 08-16 and 23-24, Wednesday 00-02 (Tuesday night); only 3 agents exist
    rules = make_rules(headcount=[{"site": "x", "skill_group": "a", "contract": "ft", "agents": 3}],
                       shift_templates={"day": {"start_from": "00:00", "start_to": "23:00", "lengths_hours": [1]}})
    profile = day_profile({(8, 16): 5, (23, 24): 5}) + day_profile({(0, 2): 5})
    res = solve(build_problem(requirement(profile, start="2025-01-07"), rules))
    summary = shortfall_summary(res)
    assert list(summary.columns) == ["weekday", "part", "rule", "intervals", "agent_hours_short", "agents_short_max",
                                     "queues"]
    rows = {(r.weekday, r.part): r for r in summary.itertuples(index=False)}
    # 08-12 morning and 12-16 afternoon of Tuesday (weekday 1); 23:00 Tue and 00-02 Wed are Tuesday's night
    assert set(rows) == {(1, "morning"), (1, "afternoon"), (1, "night")}
    assert rows[(1, "night")].intervals == 3 and rows[(1, "morning")].intervals == 4
    assert all(r.rule == "group_headcount" for r in rows.values())
    # every short agent-hour is in one group: the summary adds up to the coverage's shortfall
    assert summary["agent_hours_short"].sum() == pytest.approx(float(res.coverage["shortfall"].sum()))
    assert summary["agent_hours_short"].is_monotonic_decreasing
    assert rows[(1, "night")].queues == ("reports",)


def test_shortfall_summary_of_a_covered_plan_is_empty():
    from optimiser.scheduling import build_problem, solve
    from optimiser.scheduling.views import shortfall_summary
    from tests.optimiser.scheduling.sched_builders import day_profile, make_rules, requirement

    res = solve(build_problem(requirement(day_profile({(8, 16): 2})), make_rules()))
    assert not res.shortfalls and shortfall_summary(res).empty
