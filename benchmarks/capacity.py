"""Benchmark: the long-range capacity plan on the demo centre (issue 20).

Run (serialised machine-wide, with the load reported)::

    flock /tmp/wfm-bench.lock .venv/bin/python benchmarks/capacity.py

Times, on ``data/demo_history.csv.gz``, ``data/demo_agents.csv`` and ``data/demo_capacity.yaml`` (24 months):

1. **optimised plan** < 10 s: the demand (monthly forecaster fitted on the history, 24 representative weeks
   through the composer, the required scale of each month) and today's staff, timed apart from the integer
   programme(s) (least cost; when out of reach, max-min and the re-solves that name the binding limit); the
   figure against the target is their sum.  Reading the history file is timed
   apart (it is the history importer's, shared with every command).  Both target windows of the README:
   from 2026-06 (max-min: the target is out of reach) and from 2027-06 (least cost).
2. **evaluation of a plan** < 1 s: the month table of the optimised plan (ASA included).
3. **1,000 simulated paths** < 10 s.

Each figure is the best of three runs (the first run of the whole script also pays imports); the machine's
load average is printed before and after.  Writes ``benchmarks/results/capacity.md``.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wfm.io.history import read_history  # noqa: E402
from optimiser.capacity.evaluate import evaluate_plan  # noqa: E402
from optimiser.capacity.optimise import optimise_plan  # noqa: E402
from optimiser.capacity.problem import prepare_problem  # noqa: E402
from optimiser.capacity.settings import settings_from_mapping  # noqa: E402
from optimiser.capacity.simulate import simulate_plan  # noqa: E402
from wfm.io.agents import read_agents  # noqa: E402
from wfm.io.capacity import read_capacity_settings  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "capacity.md"
DATA = ROOT / "data"
REPEATS = 3


def _best(fn, repeats: int = REPEATS):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    load_before = os.getloadavg()
    started = dt.datetime.now(dt.timezone.utc)
    read_s, history = _best(lambda: read_history(DATA / "demo_history.csv.gz"), 1)
    agents = read_agents(DATA / "demo_agents.csv")
    base = settings_from_mapping(read_capacity_settings(DATA / "demo_capacity.yaml"))
    rows = []
    for target_from in ("2026-06", "2027-06"):
        settings = replace(base, horizon=replace(base.horizon, target_from=target_from))

        prep_s, problem = _best(lambda: prepare_problem(history, agents, settings))
        ip_s, result = _best(lambda: optimise_plan(problem, time_limit_seconds=60))
        opt_s = prep_s + ip_s
        eval_s, evaluation = _best(lambda: evaluate_plan(problem, result.plan))
        sim_s, sim = _best(lambda: simulate_plan(problem, result.plan, paths=1000, seed=0))
        rows.append((target_from, result, opt_s, prep_s, ip_s, eval_s, sim_s, evaluation, sim))
    load_after = os.getloadavg()
    lines = [
        "# Capacity plan benchmark (`benchmarks/capacity.py`)",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC on {platform.node()} ({os.cpu_count()} cores, Python "
        f"{platform.python_version()}); load average before {load_before[0]:.1f} / {load_before[1]:.1f} / "
        f"{load_before[2]:.1f}, after {load_after[0]:.1f} / {load_after[1]:.1f} / {load_after[2]:.1f}. "
        f"Best of {REPEATS}. Reading the demo history file: {read_s:.1f} s (not included below).",
        "",
        "| target from | objective | status | hires | demand + staff [s] | integer programme(s) [s] | optimised plan "
        "(sum) [s] | target < 10 s | evaluation [s] | target < 1 s | 1,000 paths [s] | target < 10 s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for target_from, result, opt_s, prep_s, ip_s, eval_s, sim_s, evaluation, _ in rows:
        lines.append(f"| {target_from} | {result.objective} | {result.status.value} | {evaluation.totals['hires']} | "
                     f"{prep_s:.2f} | {ip_s:.2f} | {opt_s:.2f} | {'met' if opt_s < 10 else f'missed by {opt_s - 10:.1f} s'} | "
                     f"{eval_s:.2f} | {'met' if eval_s < 1 else f'missed by {eval_s - 1:.2f} s'} | {sim_s:.2f} | "
                     f"{'met' if sim_s < 10 else f'missed by {sim_s - 10:.1f} s'} |")
    lines += ["", "Binding limits named: " + "; ".join(
        f"{r[0]}: " + (", ".join(b.parameter for b in r[1].binding) or "none") for r in rows), ""]
    text = "\n".join(lines)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
