"""``wfm schedule``: turn a staffing requirement into shifts.

    wfm schedule --requirement requirement.csv --rules rules.yaml --out schedule.csv
                 [--objective cost|global-sl|max-sl] [--headcount N]
                 [--time-limit 60] [--solver highs|cbc] [--gap 0.01]
                 [--lp-file model.lp] [--report report.txt]

Progress (incumbent, bound, elapsed) is printed to stderr; Ctrl-C stops the
search and writes the best plan found so far.  Exit codes: 0 a plan was
written (it may be partial: every shortfall is printed with the rule that
binds), 1 the solver found no plan at all, 2 bad input.
"""

from __future__ import annotations

import argparse
import signal
import sys
from dataclasses import replace
from pathlib import Path

from optimiser.scheduling.problem import build_problem
from optimiser.scheduling.solve import solve
from optimiser.scheduling.spec import OBJECTIVES, SOLVERS
from wfm.cli.args import check_outputs
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import SolverStatus
from wfm.io.common import write_text
from wfm.io.requirement import read_requirement_csv
from wfm.io.rules import load_rules
from wfm.io.schedule import write_schedule_csv


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "schedule", help="plan shifts (with breaks and days off) that cover a staffing requirement",
        description="Integer-programming shift scheduling: shift templates, breaks in windows, weekly tours, "
                    "headcount and contract hours, at least cost or for a global service level.")
    p.add_argument("--requirement", required=True, metavar="CSV",
                   help="requirement CSV from `wfm staff` (interval_start, queue, agents_required, ...)")
    p.add_argument("--rules", required=True, metavar="YAML", help="scheduling rules file (see data/demo_rules.yaml)")
    p.add_argument("--out", required=True, metavar="CSV", help="schedule CSV to write (one row per distinct shift)")
    p.add_argument("--objective", choices=OBJECTIVES, default=None,
                   help="cost (default from the rules file): cover each interval at least cost; global-sl: meet "
                        "the rules' service level over the day/week with fewest cost; max-sl: with --headcount N "
                        "agents, maximise calls answered within the target time")
    p.add_argument("--headcount", type=int, default=None, metavar="N",
                   help="cap on agents in weekly tours (required by max-sl)")
    p.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                   help="solver wall-clock limit [s] (default from the rules file, else 60)")
    p.add_argument("--solver", choices=SOLVERS, default=None, help="MIP solver (default highs; cbc fallback)")
    p.add_argument("--gap", type=float, default=None, metavar="FRACTION",
                   help="relative MIP gap at which to stop, e.g. 0.01 (default from the rules file)")
    p.add_argument("--lp-file", default=None, metavar="LP", help="also write the model as a readable .lp file")
    p.add_argument("--report", default=None, metavar="TXT",
                   help="write the summary (status, bound, gap, shortfalls, daily service level) to this file")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    if args.time_limit is not None and not args.time_limit > 0:
        raise WfmInputError(f"--time-limit must be > 0 seconds, got {args.time_limit}")
    if args.gap is not None and not 0 <= args.gap <= 1:
        raise WfmInputError(f"--gap must be a fraction between 0 and 1, got {args.gap}")
    if args.headcount is not None and args.headcount < 0:
        raise WfmInputError(f"--headcount must be >= 0, got {args.headcount}")
    check_outputs(args, "--out", "--lp-file", "--report")
    rules = load_rules(args.rules)
    requirement = read_requirement_csv(args.requirement, tz=rules.tz)
    settings = rules.solver
    if args.solver is not None:
        settings = replace(settings, solver=args.solver)
    if args.time_limit is not None:
        settings = replace(settings, time_limit_seconds=args.time_limit)
    if args.gap is not None:
        settings = replace(settings, gap=args.gap)
    problem = build_problem(requirement, rules, objective=args.objective, headcount_total=args.headcount,
                            solver=settings, source=str(args.requirement))
    stop = {"flag": False}

    def on_sigint(signum, frame):  # first Ctrl-C: stop with the best plan so far
        stop["flag"] = True
        print("stopping: keeping the best plan found so far ...", file=sys.stderr)

    def on_progress(incumbent, bound, elapsed):
        if args.quiet:
            return
        inc = f"{incumbent:,.1f}" if incumbent is not None else "-"
        bnd = f"{bound:,.1f}" if bound is not None else "-"
        print(f"[{elapsed:7.1f} s] incumbent {inc}  bound {bnd}", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_sigint) if _main_thread() else None
    try:
        result = solve(problem, on_progress=on_progress, should_stop=lambda: stop["flag"], lp_file=args.lp_file)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    summary = result.summary()
    print(summary, file=sys.stderr)
    if args.report:
        text = summary
        if len(result.daily):
            text += "\n\nDaily predicted service level (all queues):\n" + result.daily[
                result.daily["queue"] == "all"].to_string(index=False)
        write_text(text + "\n", args.report)
    if not result.has_solution and result.status != SolverStatus.INFEASIBLE:
        print(f"error: no schedule written: {result.message}", file=sys.stderr)
        return 1
    write_schedule_csv(result.shifts, args.out)
    print(f"wrote {len(result.shifts)} distinct shifts ({int(result.shifts['count'].sum()) if len(result.shifts) else 0}"
          f" agent-shifts) to {args.out}")
    return 0


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()
