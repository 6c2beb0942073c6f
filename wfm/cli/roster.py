"""``wfm roster``: assign a schedule's shifts to named agents and export the roster.

::

    wfm roster --schedule schedule.csv --agents agents.csv --rules rules.yaml \\
               --out roster.xlsx|roster.csv|roster.json|DIR-of-ics [--weeks 4] \\
               [--unavailability FILE] [--preferences FILE] [--time-limit SECONDS] \\
               [--solver highs|cbc] [--decompose auto|none|week|skill_group|week+skill_group] \\
               [--method auto|mip|local_search] [--pseudonymise]

Exit codes: 0 a roster was written (unfilled slots and contract shortfalls
are listed on stderr), 1 no roster could be produced, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wfm.cli.args import check_outputs
from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import resolve_tz
from wfm.ground.vocabulary import DEFAULT_TZ, SolverStatus


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "roster", help="assign scheduled shifts to named agents under working-time rules",
        description="Assign the shifts of a schedule CSV to named agents (skills, contract hours, availability, "
                    "preferences, fairness) under a working-time rule set (default: sweden) and export it.")
    p.add_argument("--schedule", required=True, help="schedule CSV from `wfm schedule`")
    p.add_argument("--agents", required=True, help="agent list (CSV or XLSX), columns as data/demo_agents.csv")
    p.add_argument("--rules", default="sweden",
                   help="rules YAML (its `roster:` section is read; the rest ignored) or a packaged rule set name "
                        "(default: sweden)")
    p.add_argument("--out", required=True, help="roster.csv | roster.xlsx | roster.json | a directory for .ics files")
    p.add_argument("--weeks", type=int, default=None,
                   help="weeks to roster (1-4); a one-week schedule is repeated, a longer one cut")
    p.add_argument("--unavailability", default=None, help="agent_id,start,end,reason file (leave, training, ...)")
    p.add_argument("--preferences", default=None, help="agent_id,kind,day,template,weight file (soft)")
    p.add_argument("--time-limit", dest="time_limit", type=float, default=60.0,
                   help="solver time limit in seconds (default 60; split over sub-problems)")
    p.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    p.add_argument("--decompose", choices=("auto", "none", "week", "skill_group", "week+skill_group"), default="auto")
    p.add_argument("--method", choices=("auto", "mip", "local_search"), default="auto",
                   help="mip: the MIP started from the local search (may prove optimality); local_search: rule-keeping "
                        "construction and local search only, far less memory, no bound; auto (default): the MIP up to "
                        "40,000 possible agent-shift pairs, else the local search")
    p.add_argument("--pseudonymise", action="store_true", help="replace agent ids and names on export")
    p.add_argument("--tz", default=DEFAULT_TZ, help=f"IANA time zone of the site (default {DEFAULT_TZ})")
    p.set_defaults(func=run)


def run(args) -> int:
    from optimiser.roster import RosterProblem, expand_weeks, solve_roster
    from optimiser.scheduling.spec import SolverSettings
    from wfm.io.agents import read_agents, read_preferences, read_unavailability
    from wfm.io.roster import export_roster
    from wfm.io.rules import load_ruleset, load_skill_groups
    from wfm.io.schedule import read_schedule_csv

    resolve_tz(args.tz)  # a zone name that is not one is refused before any work
    if not args.time_limit > 0:
        raise WfmInputError(f"--time-limit must be > 0 seconds, got {args.time_limit!r}")
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx", ".json", "") and not out.is_dir():
        raise WfmInputError(f"--out must end in .csv, .xlsx or .json or name a directory for .ics files, got {str(out)!r}")
    if out.suffix.lower() in (".csv", ".xlsx", ".json"):
        check_outputs(args, "--out")
    else:
        check_outputs(args, folders=("--out",))
    ruleset = load_ruleset(args.rules)
    groups = load_skill_groups(args.rules)  # a rules file's own skill groups, else the default ones
    agents = read_agents(args.agents, ruleset=ruleset, skill_groups=groups)
    un = read_unavailability(args.unavailability, agents, tz=args.tz) if args.unavailability else None
    if un is None:
        import pandas as pd
        un = pd.DataFrame({"agent_id": pd.Series([], dtype=str),
                           "start": pd.Series([], dtype=f"datetime64[ns, {args.tz}]"),
                           "end": pd.Series([], dtype=f"datetime64[ns, {args.tz}]"),
                           "reason": pd.Series([], dtype=str)})
    prefs = read_preferences(args.preferences, agents) if args.preferences else None
    shifts = read_schedule_csv(args.schedule, tz=args.tz)
    if shifts.empty:
        raise WfmInputError(f"{args.schedule}: the schedule has no shifts")
    if args.weeks is not None:
        shifts = expand_weeks(shifts, args.weeks, args.tz)
    problem = RosterProblem(shifts=shifts, agents=agents, unavailability=un, ruleset=ruleset, preferences=prefs,
                            tz=args.tz, solver=SolverSettings(solver=args.solver, time_limit_seconds=args.time_limit),
                            **({"skill_groups": groups} if groups else {}))
    result = solve_roster(problem, decompose=args.decompose, method=args.method)
    print(result.message)
    print(f"solver {result.solver}, objective {result.objective}, gap {result.gap}, "
          f"hit time limit {result.hit_time_limit}")
    print("fairness spread (min/max/std over agents):")
    for rec in result.spread.itertuples(index=False):
        print(f"  {rec.category}: {rec.min:g}/{rec.max:g}/{rec.std:.2f}")
    for v in result.explanations:
        print(f"note: {v.rule} {v.agent_id or '-'} {v.date or '-'}: {v.detail}", file=sys.stderr)
    for v in result.violations:
        print(f"HARD VIOLATION: {v.rule} {v.agent_id} {v.date}: {v.detail}", file=sys.stderr)
    if result.assignments.empty and not SolverStatus(result.status).has_plan:
        print(f"error: no roster: {result.message}", file=sys.stderr)
        return 1
    written = export_roster(result.assignments, out, pseudonymise=args.pseudonymise, tz=args.tz,
                            unfilled=result.unfilled)
    print(f"wrote {written if not isinstance(written, list) else f'{len(written)} .ics files to {out}'}")
    return 0
