"""Roster scale benchmark: solve time, peak memory, hard violations, fairness.

Run::

    .venv/bin/python benchmarks/roster_scale.py            # both instances + decomposition cost
    .venv/bin/python benchmarks/roster_scale.py --quick    # small instances only (smoke)

Instances (targets from issue 6):

* 300 agents x 4 weeks  -- target < 120 s, zero hard violations
* ~800 agents (data/demo_agents.csv, with data/demo_agent_unavailability.csv) x 1 week -- target < 180 s
* peak memory < 4 GB (``resource.getrusage`` max RSS of the process)
* decomposition cost: a mid-size instance (120 agents x 2 weeks) solved
  monolithically and decomposed by week (MIP), and by the local search, each
  with a 120 s limit;
  unfilled slots compared (the objective of the decomposed run is the sum of
  the weekly objectives, whose fairness terms are per week, so it is only
  roughly comparable).

Methods (``solve_roster(method=...)``): ``mip`` builds the PuLP model and
starts HiGHS from the local search's roster, keeping the better; ``local_search``
never builds the MIP (greedy construction, then insert / ejection-chain /
transfer moves that keep every hard rule; feasible, no bound); ``auto`` picks
the MIP up to ``MIP_MAX_PAIRS`` agent-shift pairs.  The mid instance is solved
all three ways so the table shows what the MIP buys.  Time limits: 55 s for
300 x 4 weeks and 130 s for the demo week (the local search stops earlier when
no move improves).  Each run is in a forked child, so ``peak_rss_mb`` is that
run's own peak.

The schedule is synthetic but shaped like the scheduler's output (day,
evening and night shifts of 8-10 h with three breaks, per skill group, with
the counts sized from the agents' contract hours); hard violations are
counted by the independent checker :func:`optimiser.roster.check_roster`.
Writes ``benchmarks/results/roster_scale.md`` with the date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimiser.roster import RosterProblem, packaged_ruleset, solve_roster  # noqa: E402
from optimiser.roster.agents import DEFAULT_SKILL_GROUPS  # noqa: E402
from wfm.io.agents import read_agents, read_unavailability  # noqa: E402
from wfm.ground.frames import Break, format_breaks  # noqa: E402
from optimiser.scheduling.spec import SolverSettings  # noqa: E402

TZ = "Europe/Stockholm"
#: (template, start "HH:MM", hours, share of the day's slots)
SHIFT_TYPES = [
    ("day", "06:00", 8, 0.12), ("day", "07:00", 8, 0.16), ("day", "08:00", 8, 0.18), ("day", "09:00", 9, 0.10),
    ("day", "10:00", 8, 0.08), ("evening", "14:00", 8, 0.14), ("evening", "16:00", 8, 0.10),
    ("night", "22:00", 8, 0.08), ("night", "20:00", 10, 0.04),
]


def _breaks(start: pd.Timestamp, hours: float) -> list:
    out = [Break(start + pd.Timedelta(hours=2), 15, True), Break(start + pd.Timedelta(hours=4), 30, False)]
    if hours >= 8:
        out.append(Break(start + pd.Timedelta(hours=6), 15, True))
    return out


def synthetic_schedule(agents: pd.DataFrame, first_day: dt.date, days: int, fill: float = 0.92,
                       seed: int = 1) -> pd.DataFrame:
    """Shifts per skill group and day, sized so the slots' paid hours are
    ``fill`` x the group's contract hours (so a good roster fills them)."""
    rng = np.random.default_rng(seed)
    rows = []
    for group, g in agents.groupby("skill_group"):
        hours_per_day = g["contract_hours_per_week"].sum() * fill / 7.0
        for k in range(days):
            day = first_day + dt.timedelta(days=k)
            weekend = day.weekday() >= 5
            for template, hhmm, hours, share in SHIFT_TYPES:
                start = pd.Timestamp(dt.datetime.combine(day, dt.time.fromisoformat(hhmm)), tz=TZ)
                end = (start.tz_localize(None) + pd.Timedelta(hours=hours)).tz_localize(TZ, nonexistent="shift_forward", ambiguous=True)
                br = _breaks(start, hours)
                paid = int(hours * 60 - sum(b.minutes for b in br if not b.paid))
                n = hours_per_day * share * (0.85 if weekend else 1.05) / (paid / 60)
                n = int(np.floor(n + rng.random()))
                if n <= 0:
                    continue
                rows.append({"shift_id": f"{group}-{day:%Y%m%d}-{hhmm.replace(':', '')}-{hours}h",
                             "template": template, "skill_group": group, "start": start, "end": end,
                             "count": n, "paid_minutes": paid, "breaks": format_breaks(br)})
    return pd.DataFrame(rows)


def synthetic_agents(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    groups = rng.choice(["sv_reports", "sv_all", "bilingual"], size=n, p=[0.4, 0.45, 0.15])
    rows = []
    for i, g in enumerate(groups):
        part = rng.random() < 0.2
        c = 30.0 if part else 40.0
        rows.append({"agent_id": f"S{i:04d}", "name": f"Agent {i}", "site": ["Stockholm", "Malmö", "Umeå"][i % 3],
                     "skill_group": g, "skills": DEFAULT_SKILL_GROUPS[g],
                     "languages": ("sv", "en") if g == "bilingual" else ("sv",), "contract": "part_time" if part else "full_time",
                     "contract_hours_per_week": c, "min_hours_per_week": c * 0.8, "max_hours_per_week": min(c + 8, 48.0),
                     "nights_allowed": bool(rng.random() < 0.7),
                     "fixed_days_off": tuple(rng.choice(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], size=1))
                     if rng.random() < 0.3 else ()})
    return pd.DataFrame(rows)


def _solve_in_child(problem, decompose, method, out):
    t0 = time.perf_counter()
    res = solve_roster(problem, decompose=decompose, method=method)
    out.put((res, time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def run(name, agents, unavailability, shifts, time_limit, decompose="auto", method="auto"):
    """Solve in a forked child, so each row's peak RSS is its own (not the maximum of the runs before)."""
    problem = RosterProblem(shifts=shifts, agents=agents, unavailability=unavailability,
                            ruleset=packaged_ruleset("sweden"), tz=TZ,
                            solver=SolverSettings(time_limit_seconds=time_limit, gap=0.01))
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_solve_in_child, args=(problem, decompose, method, out))
    child.start()
    res, wall, peak_mb = out.get()
    child.join()
    slots = int(shifts["count"].sum())
    unf = int(res.unfilled["unfilled"].sum()) if len(res.unfilled) else 0
    sp = res.spread.set_index("category")
    row = {"instance": name, "agents": len(agents), "days": len({t.date() for t in shifts["start"]}),
           "slots": slots, "wall_s": round(wall, 1), "status": res.status, "method": res.solver,
           "decomposition": res.decomposition.split(":")[0],
           "objective": None if res.objective is None else round(res.objective, 1), "unfilled": unf,
           "hard_violations": len(res.violations),
           "nights_min_max_std": f"{sp.at['nights', 'min']:g}/{sp.at['nights', 'max']:g}/{sp.at['nights', 'std']:.2f}",
           "weekends_min_max_std": f"{sp.at['weekends', 'min']:g}/{sp.at['weekends', 'max']:g}/{sp.at['weekends', 'std']:.2f}",
           "peak_rss_mb": round(peak_mb)}
    print(row, flush=True)
    return row


def _markdown(df: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "roster_scale.md"))
    args = ap.parse_args(argv)
    rows = []
    monday = dt.date(2026, 2, 2)
    empty_un = pd.DataFrame({"agent_id": pd.Series([], dtype=str), "start": pd.Series([], dtype=f"datetime64[ns, {TZ}]"),
                             "end": pd.Series([], dtype=f"datetime64[ns, {TZ}]"), "reason": pd.Series([], dtype=str)})
    if args.quick:
        a = synthetic_agents(40)
        s = synthetic_schedule(a, monday, 14)
        rows.append(run("40 agents x 2 weeks, MIP monolithic", a, empty_un, s, 60, "none", "mip"))
        rows.append(run("40 agents x 2 weeks, MIP by week", a, empty_un, s, 60, "week", "mip"))
        rows.append(run("40 agents x 2 weeks, local search", a, empty_un, s, 60, "none", "local_search"))
    else:
        a = synthetic_agents(120)
        s = synthetic_schedule(a, monday, 14)
        rows.append(run("mid: 120 agents x 2 weeks, MIP monolithic", a, empty_un, s, 120, "none", "mip"))
        rows.append(run("mid: 120 agents x 2 weeks, MIP by week", a, empty_un, s, 120, "week", "mip"))
        rows.append(run("mid: 120 agents x 2 weeks, local search", a, empty_un, s, 120, "none", "local_search"))
        a = synthetic_agents(300)
        rows.append(run("300 agents x 4 weeks (auto)", a, empty_un, synthetic_schedule(a, monday, 28), 55, "auto"))
        demo = ROOT / "data" / "demo_agents.csv"
        agents = read_agents(demo)
        un = read_unavailability(ROOT / "data" / "demo_agent_unavailability.csv", agents)
        rows.append(run(f"demo {len(agents)} agents x 1 week (auto)", agents, un,
                        synthetic_schedule(agents, monday, 7), 130, "auto"))
    df = pd.DataFrame(rows)
    today = dt.date.today().isoformat()
    text = (f"# Roster scale benchmark\n\nRun {today} on {platform.machine()} with {platform.python_version()}, "
            f"`benchmarks/roster_scale.py{' --quick' if args.quick else ''}`. 2 cores shared with other jobs: "
            f"times are pessimistic.\n\n" + _markdown(df) + "\n")
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
