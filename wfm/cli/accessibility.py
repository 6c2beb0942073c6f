"""``wfm accessibility``: how accessible were we -- achieved service level, abandon rate and ASA on actuals.

::

    wfm accessibility HISTORY [--answer-within-seconds 180] [--by day|week|interval]
        [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--patience-seconds S] [--map MAPPING] [--tz ZONE]
        [--plan NAME [--plan-version N] [--database-url URL]] [--out report.csv|report.xlsx]
    wfm accessibility --records CALLS.csv --queue NAME [--interval 30] ...

HISTORY is the interval history (``docs/history_format.md``); with its optional
``calls_answered_within_target`` column the share within T is measured, without it
it is estimated with Erlang A and labelled so.  ``--records`` reads per-call
records with wait times instead (measured).  ``--plan`` sets the promise of a
published requirement scenario from the plan store beside what was achieved.
Exit 0 ok, 2 bad input.
"""

from __future__ import annotations

from wfm.cli.args import check_outputs, number
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "accessibility", help="achieved accessibility on actuals: share answered within T, abandon rate, ASA "
        "per day, week and queue, beside a published plan's promise",
        description="Accessibility on actuals (docs/intraday.md). The share within T is measured when the history "
        "has calls_answered_within_target or call records are given, else estimated with Erlang A (labelled).")
    p.add_argument("history", metavar="HISTORY", nargs="?", default=None,
                   help="interval history (.csv, .csv.gz, .xlsx, .parquet)")
    p.add_argument("--records", default=None, help="per-call records with wait times instead of HISTORY")
    p.add_argument("--queue", default=None, help="queue name of the --records calls")
    p.add_argument("--interval", default="30", help="interval [min] the --records calls are counted in "
                   "[default %(default)s]")
    p.add_argument("--answer-within-seconds", default="180", help="target time T [s] [default %(default)s]")
    p.add_argument("--by", choices=("day", "week", "interval"), default="day", help="period [default %(default)s]")
    p.add_argument("--from", dest="first_day", default=None, help="first local day YYYY-MM-DD")
    p.add_argument("--to", dest="last_day", default=None, help="last local day YYYY-MM-DD")
    p.add_argument("--patience-seconds", default=None, help="mean caller patience [s] for the Erlang A estimate "
                   "[default: estimated per queue from the counts]")
    p.add_argument("--plan", default=None, help="published requirement scenario in the plan store to compare with")
    p.add_argument("--plan-version", default=None, help="version of --plan [default: the latest published]")
    p.add_argument("--database-url", default=None, help="plan store [default $WFM_DATABASE_URL or the local SQLite]")
    p.add_argument("--out", default=None, help="report file to write (.csv or .xlsx)")
    p.add_argument("--map", metavar="MAPPING", dest="mapping", default=None, help="column mapping file for HISTORY")
    p.add_argument("--tz", default=DEFAULT_TZ, help=f"IANA zone [default {DEFAULT_TZ}]")
    p.set_defaults(func=run_accessibility_command)


def _history(args, answer_within: float):
    from wfm.io.history import read_history
    from wfm.io.call_records import read_call_records
    from optimiser.today.achieved import history_from_records

    if (args.history is None) == (args.records is None):
        raise WfmInputError("give either HISTORY or --records (one source of actuals)")
    if args.history is not None:
        return read_history(args.history, tz=args.tz, mapping=args.mapping)
    if not args.queue:
        raise WfmInputError("--records needs --queue (the queue the calls belong to)")
    interval = number(args.interval, "--interval", low=1, whole=True)
    records = read_call_records(args.records, tz=args.tz)
    return history_from_records(records, queue=args.queue, interval_minutes=interval,
                                answer_within_seconds=answer_within)


def _published_requirement(args):
    from optimiser.store.repository import PlanStore

    version = number(args.plan_version, "--plan-version", low=1, whole=True)
    store = PlanStore(args.database_url)
    try:
        loaded = store.load(args.plan, version, published_only=version is None)
    finally:
        store.close()
    if loaded.kind != "requirement":
        raise WfmInputError(f"--plan {args.plan!r} is a {loaded.kind} scenario; the promise is read from a "
                            "requirement scenario (its service_level, abandon_rate and asa_seconds per interval)")
    if not loaded.is_published:
        print(f"note: {args.plan!r} version {loaded.version} is a draft, not a published plan")
    return loaded


def run_accessibility_command(args) -> int:
    from optimiser.today.achieved import achieved_accessibility, between_days, compare_with_plan
    from wfm.io.accessibility import write_accessibility_report

    answer_within = number(args.answer_within_seconds, "--answer-within-seconds", low=0)
    check_outputs(args, "--out")
    patience = number(args.patience_seconds, "--patience-seconds", low=0, low_open=True, allow_infinite=True)
    history = between_days(_history(args, answer_within), args.first_day, args.last_day)
    report = achieved_accessibility(history, answer_within, by=args.by, patience_seconds=patience)
    shown = ["period_start", "queue", "calls_offered", "service_level", "service_level_source", "abandon_rate",
             "asa_seconds"]
    if args.plan:
        loaded = _published_requirement(args)
        report = compare_with_plan(report, loaded.frame)
        shown += ["plan_service_level", "plan_abandon_rate"]
        print(f"plan: {loaded.name} version {loaded.version} ({loaded.status})")
    if args.out:
        write_accessibility_report(report, args.out)
    table = report[shown].copy()
    table["period_start"] = table["period_start"].dt.strftime("%Y-%m-%d %H:%M" if args.by == "interval" else "%Y-%m-%d")
    print(f"accessibility on actuals, target {answer_within:g} s, by {args.by}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    sources = sorted(set(report["service_level_source"]))
    if "estimate_erlang_a" in sources or "mixed" in sources:
        print("note: service_level marked estimate_erlang_a is ESTIMATED with Erlang A from offered, answered, "
              "abandoned, ASA and handle time; add calls_answered_within_target to the history (or use --records) "
              "to measure it")
    if "unknown" in sources:
        print("note: service_level is unknown where the history has neither calls_answered_within_target nor "
              "asa_seconds and aht_seconds")
    if args.out:
        print(f"wrote {args.out}")
    return 0
