"""Scale benchmark of the shift scheduler (issue 5).

    .venv/bin/python benchmarks/schedule_scale.py            # full run (~20-30 min)
    .venv/bin/python benchmarks/schedule_scale.py --quick    # 1 week only, short limits

Measures, for 1 week and 4 weeks at 15 minutes with the demo rules
(``data/demo_rules.yaml``: 588 shift types, three breaks placed in windows,
weekly tours, 3 skill groups over 4 queues): model size, build time, solve
time, status, objective, best bound, gap and peak memory (each run in its own
process; peak RSS of that process), HiGHS against CBC.  It also solves the
same *plain* covering instance (one pooled queue, no breaks, no tours) with
our model and with pyworkforce's ``MinRequiredResources`` (OR-Tools CP-SAT),
the latter in a separate virtualenv (``/tmp/pwf-venv``) through a subprocess,
and measures the agent-hour saving of the global service-level objective
against per-interval coverage on the demo week.

The requirement is a demo-like week (5.7 M calls/year split over the queues
``reports``, ``tips``, ``switchboard``, ``english`` with a Swedish intraday and
weekly profile) staffed per interval by :func:`optimiser.staffing.requirement.required_agents`
at 80 % within 180 s.  Results go to ``benchmarks/results/schedule_scale.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUEUE_SHARE = {"reports": 0.45, "tips": 0.15, "switchboard": 0.30, "english": 0.10}
QUEUE_AHT = {"reports": 420.0, "tips": 360.0, "switchboard": 150.0, "english": 400.0}
WEEKDAY_FACTOR = [1.15, 1.08, 1.02, 1.0, 1.05, 0.85, 0.85]
CALLS_PER_YEAR = 5.7e6
SHRINKAGE = 0.10  # non-break shrinkage; breaks are placed explicitly by the scheduler
PWF_VENV_PYTHON = Path("/tmp/pwf-venv/bin/python")


def pwf_python() -> Path | None:
    """The interpreter that runs pyworkforce: this one when the ``bench`` extra is installed
    (``make bench``), else the separate virtualenv ``/tmp/pwf-venv``."""
    import importlib.util

    if importlib.util.find_spec("pyworkforce") is not None:
        return Path(sys.executable)
    return PWF_VENV_PYTHON if PWF_VENV_PYTHON.exists() else None


def intraday_shape(hours: np.ndarray) -> np.ndarray:
    """Relative call rate by hour of day (low at 04:00, peaks late morning and early evening)."""
    return (0.25 + 1.1 * np.exp(-((hours - 11.0) / 3.2) ** 2) + 0.6 * np.exp(-((hours - 18.5) / 2.5) ** 2)
            + 0.25 * np.exp(-((hours - 23.5) / 2.0) ** 2))


def demo_requirement(weeks: int = 1, start: str = "2025-01-06", interval_minutes: int = 15,
                     tz: str = "Europe/Stockholm", scale: float = 1.0) -> pd.DataFrame:
    """A demo-like requirement frame (requirement CSV columns) for ``weeks`` weeks."""
    from optimiser.staffing.requirement import required_agents

    idx = pd.date_range(pd.Timestamp(start, tz=tz), pd.Timestamp(start, tz=tz) + pd.Timedelta(days=7 * weeks),
                        freq=f"{interval_minutes}min", inclusive="left")
    idx = pd.DatetimeIndex([t for t in idx])
    local = idx.tz_convert(tz)
    hours = np.asarray(local.hour + local.minute / 60.0, float)
    shape = intraday_shape(hours) * np.asarray([WEEKDAY_FACTOR[d] for d in local.day_of_week])
    per_interval = CALLS_PER_YEAR / (365 * 24 * 60 / interval_minutes) * scale
    total = per_interval * shape / shape.mean()
    frames = []
    for q, share in QUEUE_SHARE.items():
        calls = np.round(total * share, 1)
        req = required_agents(calls, interval_minutes, QUEUE_AHT[q], answer_within_seconds=180,
                              target_service_level=0.8, shrinkage=SHRINKAGE)
        frames.append(pd.DataFrame({
            "interval_start": idx, "queue": q, "calls_offered": calls, "aht_seconds": QUEUE_AHT[q],
            "agents_on_phone": req["agents_on_phone"].to_numpy(), "agents_required": req["agents_required"].to_numpy(),
            "agents_required_fractional": req["agents_required_fractional"].to_numpy(),
            "shrinkage": SHRINKAGE, "answer_within_seconds": 180.0, "target_service_level": 0.8,
        }))
    return pd.concat(frames, ignore_index=True)


# --- one solve, in a child process so peak memory is its own ---------------------------

def _child(spec: dict) -> dict:
    from optimiser.scheduling import build_problem, solve
    from wfm.io.rules import load_rules
    from optimiser.scheduling.model import build_model
    from optimiser.scheduling.spec import SolverSettings

    rules = load_rules(ROOT / "data" / "demo_rules.yaml")
    if spec.get("plain"):
        rules = plain_rules(rules)
    req = demo_requirement(spec["weeks"])
    if spec.get("plain"):
        req = pooled(req)
    settings = SolverSettings(spec["solver"], spec["time_limit"], spec.get("gap", 0.01), threads=None)
    problem = build_problem(req, rules, objective=spec.get("objective", "cost"), solver=settings)
    t0 = time.perf_counter()
    m = build_model(problem)
    size = {"variables": len(m.prob.variables()), "constraints": len(m.prob.constraints),
            "integer_variables": sum(1 for v in m.prob.variables() if v.cat == "Integer"),
            "shift_types": sum(t.n_shift_types for t in rules.templates)}
    del m
    size["build_seconds_sizing"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = solve(problem)
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cov = result.coverage
    return {**spec, **size, "objective_kind": spec.get("objective", "cost"), "status": result.status, "stop_reason": result.stop_reason,
            "objective": result.objective, "best_bound": result.best_bound, "gap": result.gap,
            "solve_seconds": result.elapsed_seconds, "build_seconds": result.build_seconds,
            "total_seconds": wall, "peak_memory_mb": peak_mb, "agent_hours": result.agent_hours,
            "cost": result.cost, "message": result.message, "shortfall_agent_hours": float(sum(s.agent_hours_short for s in result.shortfalls)),
            "global_service_level": result.global_service_level,
            "agents_on_shifts": int(result.shifts["count"].sum()) if len(result.shifts) else 0,
            "required_agent_hours": float(cov["agents_required"].sum() * 0.25) if len(cov) else None}


def run_child(spec: dict, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--child", json.dumps(spec)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {**spec, "status": f"killed after {timeout:.0f} s (benchmark timeout)"}
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        return {**spec, "status": f"error: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else out.returncode}"}
    return json.loads(lines[-1])


# --- the plain covering instance (for pyworkforce) -------------------------------------

def plain_rules(rules):
    """Demo rules stripped to plain covering: one skill group, no breaks, no
    tours that bind (7 days a week), no limits, no deferred work."""
    from optimiser.scheduling.spec import Contract, Headcount, SkillGroup

    templates = []
    for t in rules.templates:
        for s in t.start_minutes:
            lengths = tuple(L for L in t.length_minutes if s + L <= 1440)
            if lengths:
                templates.append(replace(t, name=f"{t.name}{s:04d}", start_minutes=(s,), length_minutes=lengths,
                                         breaks=(), skill_groups=(), max_agents_per_day=None))
    templates = tuple(templates)
    return replace(rules, cyclic=False, skill_groups=(SkillGroup("all", ("all",)),),
                   contracts=(Contract("any", 70, 0, 168, 7),),
                   headcount=(Headcount("all", "all", "any", 100000),), templates=templates, limits=(),
                   recurring_deferred_work=(), deferred_work=(),
                   costs=replace(rules.costs, night_premium_per_hour=0, weekend_premium_per_hour=0,
                                 holiday_premium_per_hour=0, base_cost_per_hour=1.0,
                                 shortfall_penalty_per_agent_hour=1000.0))


def pooled(req: pd.DataFrame) -> pd.DataFrame:
    out = req.groupby("interval_start", as_index=False)["agents_required"].sum()
    out["queue"] = "all"
    return out


PWF_SCRIPT = r"""
import json, sys, time, resource
from pyworkforce.scheduling import MinRequiredResources
data = json.load(open(sys.argv[1]))
t0 = time.perf_counter()
s = MinRequiredResources(num_days=data["num_days"], periods=data["periods"], shifts_coverage=data["shifts"],
                         required_resources=data["required"], max_period_concurrency=100000,
                         max_shift_concurrency=100000, cost_dict=data["cost"], max_search_time=data["time_limit"],
                         num_search_workers=2)
sol = s.solve()
wall = time.perf_counter() - t0
print(json.dumps({"status": sol["status"], "cost": sol["cost"], "seconds": wall,
                  "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def pyworkforce_run(weeks: int, time_limit: float) -> dict:
    """Plain covering: pyworkforce covers each day with shifts that lie inside the
    day (it has no cross-midnight shifts or breaks), so the comparison uses the
    shift types of the demo rules that end by midnight, on both sides."""
    python = pwf_python()
    if python is None:
        return {"status": "pyworkforce not installed (make bench, or a virtualenv in /tmp/pwf-venv)"}
    from wfm.io.rules import load_rules

    rules = load_rules(ROOT / "data" / "demo_rules.yaml")
    req = pooled(demo_requirement(weeks))
    periods = 96
    days = req["agents_required"].to_numpy().reshape(7 * weeks, periods)
    shifts, cost = {}, {}
    for t in rules.templates:
        for s in t.start_minutes:
            for length in t.length_minutes:
                if s + length > 1440:
                    continue
                cover = [0] * periods
                for k in range(s // 15, (s + length) // 15):
                    cover[k] = 1
                name = f"{t.name}_{s:04d}_{length}"
                shifts[name] = cover
                cost[name] = length / 60.0
    path = Path("/tmp/pwf_instance.json")
    path.write_text(json.dumps({"num_days": 7 * weeks, "periods": periods, "shifts": shifts,
                                "required": days.astype(int).tolist(), "cost": cost, "time_limit": float(time_limit)}))
    script = Path("/tmp/pwf_run.py")
    script.write_text(PWF_SCRIPT)
    try:
        out = subprocess.run([str(python), str(script), str(path)], capture_output=True, text=True,
                             timeout=time_limit * 3 + 120)
    except subprocess.TimeoutExpired:
        return {"status": "timeout"}
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return {"status": f"error: {out.stderr.strip()[-300:]}"}
    res = json.loads(lines[-1])
    res["shift_types"] = len(shifts)
    # our model on exactly the same instance (no wrap past midnight, same shift types)
    ours = run_child({"weeks": weeks, "solver": "highs", "time_limit": time_limit, "plain": True,
                      "objective": "cost", "gap": 0.0}, timeout=time_limit * 3 + 300)
    return {"pyworkforce": res, "ours": ours}


def fmt(x, spec="{:,.2f}"):
    if x is None:
        return "n/a"
    if isinstance(x, float) and not np.isfinite(x):
        return "inf"
    return spec.format(x) if isinstance(x, (int, float)) else str(x)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="1 week only, 20 s limits")
    ap.add_argument("--cbc-4-weeks", action="store_true", help="also run CBC on 4 weeks (slow)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "schedule_scale.md"))
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_child(json.loads(args.child)), default=float))
        return 0
    quick = args.quick
    load_start = os.getloadavg()
    runs = []
    horizons = [(1, 20 if quick else 60)] + ([] if quick else [(4, 300)])
    for weeks, limit in horizons:
        for solver in ("highs", "cbc"):
            spec = {"weeks": weeks, "solver": solver, "time_limit": limit, "objective": "cost", "gap": 0.01}
            if solver == "cbc" and weeks > 1 and not args.cbc_4_weeks:
                runs.append({**spec, "status": "not run (CBC did not finish the 1-week root LP; use --cbc-4-weeks)"})
                continue
            print(f"running {spec} ...", file=sys.stderr, flush=True)
            # CBC does not check its time limit inside the root LP: the child is killed at 2x the limit + 60 s
            runs.append(run_child(spec, timeout=limit * 2 + 60 if solver == "cbc" else limit * 4 + 600))
            print(runs[-1], file=sys.stderr, flush=True)
    # global service level vs per-interval coverage on the demo week
    sl_runs = []
    for objective in ("cost", "global-sl"):
        spec = {"weeks": 1, "solver": "highs", "time_limit": 20 if quick else 240, "objective": objective, "gap": 0.01}
        print(f"running {spec} ...", file=sys.stderr, flush=True)
        sl_runs.append(run_child(spec, timeout=1200))
        print(sl_runs[-1], file=sys.stderr, flush=True)
    print("running pyworkforce comparison ...", file=sys.stderr, flush=True)
    pwf = pyworkforce_run(1, 20 if quick else 60)
    print(pwf, file=sys.stderr, flush=True)
    write_report(Path(args.out), runs, sl_runs, pwf, quick, load_start)
    print(Path(args.out).read_text())
    return 0


def write_report(path: Path, runs, sl_runs, pwf, quick, load_start=None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    today = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Shift scheduling scale benchmark",
        "",
        f"Run {today} on {platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()}), "
        f"`benchmarks/schedule_scale.py{' --quick' if quick else ''}`. The machine was shared with other jobs, "
        "so times are pessimistic. Load average (1/5/15 min) at the start: "
        + (" / ".join(f"{x:.1f}" for x in load_start) if load_start else "n/a")
        + ", at the end: " + " / ".join(f"{x:.1f}" for x in os.getloadavg()) + ".",
        "",
        "Instance: demo rules (`data/demo_rules.yaml`: 588 shift types x 3 skill groups, 3 breaks placed in "
        "windows, weekly tours with two consecutive days off, full-/part-time hours, headcount per site), "
        "demo-like requirement for 4 queues at 15 minutes, objective `cost`, relative gap target 1%.",
        "",
        "| horizon | solver | variables (integer) | constraints | build s | solve s | status | objective | best bound | gap | peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(f"| {r['weeks']} wk | {r['solver']} | {fmt(r.get('variables'), '{:,}')} ({fmt(r.get('integer_variables'), '{:,}')}) "
                     f"| {fmt(r.get('constraints'), '{:,}')} | {fmt(r.get('build_seconds'), '{:.1f}')} "
                     f"| {fmt(r.get('solve_seconds'), '{:.1f}')} | {r.get('status')} ({r.get('stop_reason', '')}) "
                     f"| {fmt(r.get('objective') if 'objective_kind' in r else None, '{:,.0f}')} | {fmt(r.get('best_bound'), '{:,.0f}')} "
                     f"| {fmt(r.get('gap') if 'objective_kind' in r else None, '{:.2%}')} | {fmt(r.get('peak_memory_mb'), '{:,.0f}')} |")
    lines += ["", "Targets: 1 week within 1% of the bound in 60 s; 4 weeks within 1% in 5 min; peak memory < 4 GB.", ""]
    for r in runs:
        gap, t = (r.get("gap"), r.get("solve_seconds")) if "objective_kind" in r else (None, None)
        limit = r["time_limit"]
        if gap is None or t is None:
            verdict = "no solution"
        elif gap <= 0.01 + 1e-9 and t <= limit + 1:
            verdict = f"met (gap {gap:.2%} in {t:.0f} s of {limit:.0f} s)"
        else:
            verdict = f"missed: gap {gap:.2%} after {t:.0f} s ({gap / 0.01:.1f}x the 1% target)"
        lines.append(f"- {r['weeks']} week(s), {r['solver']}: {verdict}; memory {fmt(r.get('peak_memory_mb'), '{:,.0f}')} MB.")
    hi = {r["weeks"]: r for r in runs if r["solver"] == "highs"}
    cb = {r["weeks"]: r for r in runs if r["solver"] == "cbc"}
    for w in hi:
        if w in cb and hi[w].get("solve_seconds") and cb[w].get("solve_seconds") and hi[w].get("objective") and cb[w].get("objective"):
            lines.append(f"- {w} week(s): CBC/HiGHS solve-time ratio {cb[w]['solve_seconds'] / hi[w]['solve_seconds']:.2f}, "
                         f"objective ratio {cb[w]['objective'] / hi[w]['objective']:.4f}.")
    lines += ["", "## Global service level vs per-interval coverage (demo week, HiGHS)", "",
              "| objective | status | gap | paid agent-hours | cost | predicted SL over the week |", "|---|---|---|---|---|---|"]
    for r in sl_runs:
        lines.append(f"| {r.get('objective_kind', r.get('objective'))} | {r.get('status')} | {fmt(r.get('gap'), '{:.2%}')} | {fmt(r.get('agent_hours'), '{:,.0f}')} "
                     f"| {fmt(r.get('cost'), '{:,.0f}')} | {fmt(r.get('global_service_level'), '{:.1%}')} |")
    if len(sl_runs) == 2 and sl_runs[0].get("agent_hours") and sl_runs[1].get("agent_hours"):
        saving = 1 - sl_runs[1]["agent_hours"] / sl_runs[0]["agent_hours"]
        level = sl_runs[1].get("global_service_level")
        meets = level is not None and level >= 0.8 - 1e-9
        lines += ["", f"Saving of the global objective (80% of the week's calls within 180 s) against covering every "
                      f"interval's own 80/180 requirement: **{saving:.1%} fewer paid agent-hours** (target >= 5%: "
                      f"{'met' if saving >= 0.05 else 'missed'}); the global plan's service level re-evaluated with "
                      f"Erlang C per queue-interval on whole on-phone agents: "
                      f"{'n/a' if level is None else f'{level:.2%}'} (target 80%: {'met' if meets else 'missed'})."]
    lines += ["", "## Plain covering instance: ours vs pyworkforce (1 week)", ""]
    if "pyworkforce" in pwf:
        p, o = pwf["pyworkforce"], pwf["ours"]
        lines += [f"One pooled queue, {p.get('shift_types')} shift types that end by midnight, no breaks, objective "
                  "paid hours; pyworkforce `MinRequiredResources` (OR-Tools CP-SAT, 2 workers) vs our model with HiGHS "
                  "(gap 0). Both with the same time limit.", "",
                  "| tool | status | objective (agent-hours) | seconds | peak MB |", "|---|---|---|---|---|",
                  f"| pyworkforce | {p.get('status')} | {fmt(p.get('cost'), '{:,.1f}')} | {fmt(p.get('seconds'), '{:.1f}')} | {fmt(p.get('peak_memory_mb'), '{:,.0f}')} |",
                  f"| ours (HiGHS) | {o.get('status')} | {fmt(o.get('objective'), '{:,.1f}')} | {fmt(o.get('total_seconds'), '{:.1f}')} | {fmt(o.get('peak_memory_mb'), '{:,.0f}')} |"]
        if p.get("seconds") and o.get("total_seconds"):
            lines.append(f"\nTime ratio pyworkforce/ours: {p['seconds'] / o['total_seconds']:.2f}.")
        lines.append("\nBoth solve the same instance: same shift types (ending by midnight), same requirement, no wrap "
                     "of the week; ours still carries its tour/hour rows (non-binding here).")
    else:
        lines.append(f"pyworkforce: {pwf.get('status')}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
