"""Tiny hand-built roster instances (factories, function-scoped)."""

from __future__ import annotations

import pandas as pd

from optimiser.roster.agents import DEFAULT_SKILL_GROUPS
from wfm.ground.frames import Break, format_breaks

TZ = "Europe/Stockholm"


def make_agent(agent_id, skill_group="sv_reports", *, contract=40.0, min_h=0.0, max_h=48.0, nights=True,
               days_off=(), name=None, site="Stockholm"):
    return {"agent_id": agent_id, "name": name or f"Agent {agent_id}", "site": site, "skill_group": skill_group,
            "skills": DEFAULT_SKILL_GROUPS[skill_group],
            "languages": ("sv", "en") if skill_group == "bilingual" else ("sv",),
            "contract": "full_time", "contract_hours_per_week": float(contract), "min_hours_per_week": float(min_h),
            "max_hours_per_week": float(max_h), "nights_allowed": nights, "fixed_days_off": tuple(days_off)}


def make_shift(shift_id, start, hours=8.0, *, group="sv_reports", count=1, template="day", breaks=True):
    s = pd.Timestamp(start, tz=TZ) if pd.Timestamp(start).tzinfo is None else pd.Timestamp(start).tz_convert(TZ)
    e = s + pd.Timedelta(hours=hours)
    br = [Break(s + pd.Timedelta(hours=hours / 2), 30, False)] if breaks and hours > 5 else []
    paid = int(hours * 60 - sum(b.minutes for b in br if not b.paid))
    return {"shift_id": shift_id, "template": template, "skill_group": group, "start": s, "end": e,
            "count": count, "paid_minutes": paid, "breaks": format_breaks(br)}


def empty_unavailability():
    return pd.DataFrame({"agent_id": pd.Series([], dtype=str), "start": pd.Series([], dtype=f"datetime64[ns, {TZ}]"),
                         "end": pd.Series([], dtype=f"datetime64[ns, {TZ}]"), "reason": pd.Series([], dtype=str)})


def unavailability(rows):
    return pd.DataFrame({"agent_id": pd.Series([r[0] for r in rows], dtype=str),
                         "start": pd.Series([pd.Timestamp(r[1], tz=TZ) for r in rows], dtype=f"datetime64[ns, {TZ}]"),
                         "end": pd.Series([pd.Timestamp(r[2], tz=TZ) for r in rows], dtype=f"datetime64[ns, {TZ}]"),
                         "reason": pd.Series([r[3] for r in rows], dtype=str)})


def two_agent_roster() -> pd.DataFrame:
    """Assignments of two agents: a night shift over the spring-forward change, and a day shift whose
    agent's name would be a spreadsheet formula."""
    d = pd.Timestamp("2026-03-28 22:00", tz=TZ)
    day = pd.Timestamp("2026-03-30 07:00", tz=TZ)
    return pd.DataFrame({
        "agent_id": ["A1", "A2"], "name": ["Anna Berg", "=cmd()"], "site": ["Umea", "Malmo"],
        "skill_group": ["sv_all", "sv_reports"], "shift_id": ["S1", "S2"],
        "start": [d, day], "end": [d + pd.Timedelta(hours=8), day + pd.Timedelta(hours=9)],
        "paid_minutes": [450, 510], "breaks": ["", "2026-03-30T11:00:00+02:00/30/unpaid"],
    })
