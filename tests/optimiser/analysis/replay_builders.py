"""Shared fixtures-as-data for the replay tests (library and CLI): one tiny rules file and one day's profile."""

import numpy as np

TZ = "Europe/Stockholm"
PROFILE = np.r_[np.full(8, 5.0), np.full(12, 60.0), np.full(4, 20.0)]  # calls per hour, one day

#: One queue, one skill group, 8-hour shifts starting on any hour, no breaks: solved to optimality in seconds.
TINY_RULES = {
    "interval_minutes": 60, "cyclic": False,
    "skill_groups": {"a": {"queues": ["reports"]}},
    "contracts": {"ft": {"hours_per_week": 40, "min_hours_per_week": 0, "max_hours_per_week": 168,
                         "days_per_week": 7}},
    "headcount": [{"site": "x", "skill_group": "a", "contract": "ft", "agents": 100}],
    "breaks": {},
    "shift_templates": {"day": {"start_from": "00:00", "start_to": "23:00", "lengths_hours": [8]}},
    "costs": {"base_cost_per_hour": 100, "shortfall_penalty_per_agent_hour": 100000},
    "solver": {"time_limit_seconds": 20, "gap": 0.0},
}
