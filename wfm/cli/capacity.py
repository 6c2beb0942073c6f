"""``wfm capacity``: how many operators to hire, when, and what accessibility each month gets.

Evaluate a hiring plan (none: today's staff only)::

    wfm capacity HISTORY --agents agents.csv --settings capacity.yaml \\
        [--plan plan.csv] [--overtime overtime.csv] [--out months.csv] [--xlsx plan.xlsx]

Optimise it (least cost meeting the target every month a class can reach, else the best worst
month with the binding limit named), and write the plan for later evaluation::

    wfm capacity HISTORY --agents agents.csv --settings capacity.yaml --optimise \\
        [--time-limit 60] [--plan-out plan.csv] [--out months.csv] [--xlsx plan.xlsx]

Either way, ``--simulate 1000 [--seed 0]`` adds P10/P50/P90 bands of headcount, proficient FTE
and the share within T, and the chance each month meets its targets.  File layouts:
``docs/capacity.md``.  Exit 0 ok, 2 bad input (the message names the file, row, column or
settings key and the rule broken).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from wfm.cli.args import check_outputs, number
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "capacity", help="long-range capacity plan: required vs available FTE per month, accessibility, "
        "and the hiring classes that reach the target (integer programme)",
        description="Monthly demand from HISTORY (trend, yearly season, what-ifs), the Erlang requirement of "
        "a representative week per month, today's staff from --agents (hire_date and fte columns), attrition, "
        "shrinkage and hiring classes from --settings.  Evaluates --plan (default: no hires) or, with "
        "--optimise, chooses class sizes and start dates.")
    p.add_argument("history", help="history file (any format wfm validate reads), ideally 2+ years")
    p.add_argument("--agents", required=True, help="agent list CSV/XLSX with hire_date and fte columns")
    p.add_argument("--settings", required=True, help="capacity settings YAML (see data/demo_capacity.yaml)")
    p.add_argument("--plan", default=None, help="hiring plan CSV to evaluate: class_type,start,hires")
    p.add_argument("--overtime", default=None, help="overtime CSV: month,overtime_hours_per_week")
    p.add_argument("--optimise", action="store_true", help="choose the hiring plan (integer programme, HiGHS)")
    p.add_argument("--target-from", default=None, help="first month YYYY-MM the target must be met in "
                   "(e.g. next summer) [default: the settings' plan.target_from, else the whole plan]")
    p.add_argument("--time-limit", default="60", help="seconds per solve with --optimise [default %(default)s]")
    p.add_argument("--simulate", default=None, help="also simulate this many random paths of attrition and "
                   "demand (1..20000) for P10/P50/P90 bands")
    p.add_argument("--seed", default="0", help="random seed of --simulate [default %(default)s]")
    p.add_argument("--out", default=None, help="month table CSV to write")
    p.add_argument("--xlsx", default=None, help="workbook to write (sheets Months, Classes, Bands)")
    p.add_argument("--plan-out", default=None, help="write the (optimised) hiring plan CSV here")
    p.add_argument("--save-scenario", default=None, help="save the month table (with the bands) as a new version of "
                   "this capacity scenario in the plan store, to compare plans with wfm scenarios diff")
    p.add_argument("--database-url", default=None, help="plan store [default $WFM_DATABASE_URL, else the SQLite file]")
    p.add_argument("--tz", default=DEFAULT_TZ, help=f"IANA zone of the history [default {DEFAULT_TZ}]")
    p.set_defaults(func=run_capacity)


def _in_file(path: str, exc: WfmInputError) -> WfmInputError:
    """The settings error, prefixed with the settings file (its key path names the parameter)."""
    return WfmInputError(f"{path}: {exc}", [f"{path}: {m}" for m in exc.errors], parameter=None)


def _load(args):
    from wfm.io.history import read_history
    from optimiser.capacity.settings import plan_from_frame, settings_from_mapping
    from optimiser.capacity.spec import HiringPlan
    from wfm.io.agents import read_agents
    from wfm.io.capacity import read_capacity_settings, read_hiring_plan, read_overtime

    try:
        settings = settings_from_mapping(read_capacity_settings(args.settings))
    except WfmInputError as exc:
        raise _in_file(args.settings, exc) from None
    if args.target_from is not None:
        settings = replace(settings, horizon=replace(settings.horizon, target_from=args.target_from))
    agents = read_agents(args.agents)
    missing = [c for c in ("hire_date", "fte") if c not in agents.columns]
    if "hire_date" in missing:
        raise WfmInputError(f"{args.agents}: the capacity plan needs the column hire_date (YYYY-MM-DD) in the "
                            "agent list")
    if "fte" in missing:
        agents["fte"] = agents["contract_hours_per_week"] / settings.workforce.hours_per_fte_week
    plan = HiringPlan()
    if args.plan is not None:
        plan = plan_from_frame(read_hiring_plan(args.plan), what=args.plan)
        for row, planned in enumerate(plan.classes, start=2):  # a type the settings lack: name file and row
            try:
                settings.hiring_type(planned.class_type)
            except WfmInputError as exc:
                raise WfmInputError(f"{args.plan}: row {row}, column class_type: {exc}") from None
    if args.overtime is not None:
        plan = HiringPlan(plan.classes, _overtime_by_month(read_overtime(args.overtime), settings, args.overtime))
    history = read_history(args.history, tz=args.tz)
    return history, agents, settings, plan


def _overtime_by_month(frame: pd.DataFrame, settings, path: str) -> tuple[float, ...]:
    months = settings.horizon.month_starts
    outside = [f"{m:%Y-%m}" for m in frame["month"] if m not in months]
    if outside:
        raise WfmInputError(f"{path}: month(s) {', '.join(outside)} outside the plan "
                            f"({months[0]:%Y-%m} .. {months[-1]:%Y-%m})")
    hours = dict(zip(frame["month"], frame["overtime_hours_per_week"]))
    return tuple(float(hours.get(m, 0.0)) for m in months)


def _month_lines(table: pd.DataFrame, bands: pd.DataFrame | None) -> list[str]:
    head = f"{'month':<8} {'required':>9} {'available':>9} {'gap':>8} {'hires':>6} {'within T':>9} {'abandon':>8} meets"
    if bands is not None:
        head += f" {'P10-P90 within T':>17} {'P(meet)':>7}"
    lines = [head]
    for k, row in enumerate(table.itertuples(index=False)):
        line = (f"{row.month:%Y-%m}  {row.required_fte:9.1f} {row.available_fte:9.1f} {row.gap_fte:+8.1f} "
                f"{row.hires_starting:6.0f} {100 * row.service_level:8.1f}% {100 * row.abandon_rate:7.1f}% "
                f"{'yes' if row.meets_target else 'NO'}")
        if bands is not None:
            b = bands.iloc[k]
            line += (f"   {100 * b['service_level_p10']:5.1f}-{100 * b['service_level_p90']:5.1f}% "
                     f"{100 * b['p_meets_target']:6.0f}%")
        lines.append(line)
    return lines


def _class_lines(classes: pd.DataFrame) -> list[str]:
    if classes.empty:
        return ["no hiring classes"]
    lines = ["classes:"]
    for c in classes.itertuples(index=False):
        lines.append(f"  {c.class_type:<12} starts {c.start}  {c.hires:3d} hires  on the phones {c.on_phones_from}  "
                     f"proficient {c.proficient_from}" + (f"  ends {c.ends}" if c.ends else ""))
    return lines


def _optimise(problem, args):
    from optimiser.capacity.optimise import optimise_plan

    limit = number(args.time_limit, "--time-limit", low=0, low_open=True)
    result = optimise_plan(problem, time_limit_seconds=limit)
    lines = [f"optimised ({result.objective}, solver {result.status.value}): {result.message}"]
    lines += [f"note: {n}" for n in result.notes]
    for b in result.binding:
        lines.append(f"binding limit {b.parameter}: {b.message}")
    return result.plan, result.evaluation, lines


def _save(args, settings, plan, evaluation, bands):
    """A new version of the capacity scenario ``--save-scenario`` (the month table, bands appended)."""
    from optimiser.capacity.settings import plan_to_frame, settings_to_mapping
    from optimiser.store import PlanStore

    store = PlanStore(args.database_url)
    try:
        listing = store.list()
        row = listing[listing["name"] == args.save_scenario]
        expected = int(row["latest_version"].iloc[0]) if len(row) else 0
        frame = evaluation.months if bands is None else evaluation.months.merge(bands, on="month", how="left")
        totals = evaluation.totals
        meta = {"settings": settings_to_mapping(settings), "classes": plan_to_frame(plan).to_dict("records"),
                "hires": int(totals["hires"]), "cost": float(totals["cost"])}
        return store.save(args.save_scenario, "capacity", frame, expected_version=expected, meta=meta)
    finally:
        store.close()


def run_capacity(args) -> int:
    """Handler: evaluate or optimise, optionally simulate, print and write the tables."""
    from optimiser.capacity.evaluate import evaluate_plan
    from optimiser.capacity.problem import prepare_problem
    from optimiser.capacity.settings import plan_to_frame
    from optimiser.capacity.simulate import simulate_plan
    from wfm.io.capacity import write_hiring_plan, write_month_table_csv, write_month_table_xlsx

    paths = number(args.simulate, "--simulate", low=1, whole=True)
    seed = number(args.seed, "--seed", low=0, whole=True)
    if args.optimise and args.plan is not None:
        raise WfmInputError("give either --plan (evaluate it) or --optimise (choose one), not both")
    check_outputs(args, "--out", "--xlsx", "--plan-out")
    history, agents, settings, plan = _load(args)
    problem = prepare_problem(history, agents, settings)
    lines = []
    if args.optimise:
        plan, evaluation, lines = _optimise(problem, args)
    else:
        evaluation = evaluate_plan(problem, plan)
    bands = simulate_plan(problem, plan, paths=paths, seed=seed).bands if paths else None
    t = evaluation.totals
    target = settings.targets
    print(f"capacity plan {problem.months[0]:%Y-%m}..{problem.months[-1]:%Y-%m}: target "
          f"{100 * target.target_service_level:.0f} % within {target.answer_within_seconds:g} s; "
          f"{len(agents)} operators today")
    for line in lines + _class_lines(evaluation.classes) + _month_lines(evaluation.months, bands):
        print(line)
    print(f"{t['hires']} hires, cost {t['cost']:,.0f}; {t['months_meeting_target']} of {t['months']} months meet "
          f"the target; worst {t['worst_month']:%Y-%m} at {100 * t['worst_service_level']:.1f} % within T")
    if args.out:
        write_month_table_csv(evaluation.months, args.out, bands)
        print(f"wrote {args.out}")
    if args.xlsx:
        write_month_table_xlsx(evaluation.months, evaluation.classes, args.xlsx, bands)
        print(f"wrote {args.xlsx}")
    if args.plan_out:
        write_hiring_plan(plan_to_frame(plan), args.plan_out)
        print(f"wrote {args.plan_out}")
    if args.save_scenario:
        saved = _save(args, settings, plan, evaluation, bands)
        print(f"saved scenario {saved.name!r} (capacity) version {saved.version} [draft]")
    return 0
