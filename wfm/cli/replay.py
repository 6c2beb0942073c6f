"""``wfm replay``: does a plan deliver what it promises, and where does the gap come from?

Replay a history::

    wfm replay HISTORY --cut DATE --weeks N --rules rules.yaml [--records calls.csv] \\
        --out report.html [--model weekly_mean] [--target-service-level 0.8] \\
        [--answer-within-seconds 180] [--patience-seconds S] [--shrinkage F] \\
        [--records-tz ZONE] [--replications 3] [--standard-error 0.01] [--max-replications 400] \\
        [--seed 0] [--per-day-csv days.csv]
"""

from __future__ import annotations

from pathlib import Path

from wfm.cli.args import add_target_flags, check_outputs, number, targets_from_flags
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "replay", help="replay a history: forecast, staff and schedule the past, simulate against the "
        "actual calls, report promised vs achieved and where the gap comes from",
        description="Cut HISTORY at --cut, forecast --weeks weeks from the history before it, staff to "
        "the targets, schedule each week under --rules, simulate the schedule against the forecast and "
        "against the calls that actually arrived, and write a self-contained HTML report.")
    p.add_argument("history", help="history file (any format wfm validate reads)")
    p.add_argument("--cut", required=True, help="first day replayed, YYYY-MM-DD (local)")
    p.add_argument("--weeks", required=True, help="weeks replayed (whole number >= 1)")
    p.add_argument("--rules", required=True, help="scheduling rules YAML")
    p.add_argument("--records", default=None, help="call records CSV (date, q_start, q_time, outcome, "
                   "ser_time[, server, vru_exit]): patience and handle times are taken from them")
    p.add_argument("--records-tz", default=None, help="IANA zone of the records' local times "
                   "[default --tz]")
    p.add_argument("--out", required=True, help="HTML report to write")
    p.add_argument("--per-day-csv", default=None, help="also write the per-queue, per-day table as CSV")
    p.add_argument("--model", default="weekly_mean", help="forecast model [default %(default)s]")
    p.add_argument("--replications", default="3", help="simulation runs per scenario (the least, with "
                   "--standard-error) [default %(default)s]")
    p.add_argument("--standard-error", default=None,
                   help="run more simulations until every day's simulated service level has this standard "
                   "error, a share in (0, 1), e.g. 0.01 = 1 point [default: off, exactly --replications]")
    p.add_argument("--max-replications", default="400",
                   help="cap on the runs per queue with --standard-error [default %(default)s]")
    add_target_flags(p, default_note="the rules file's service_level",
                     patience_note="; estimated from --records when given")
    p.add_argument("--seed", default="0", help="random seed [default %(default)s]")
    p.add_argument("--tz", default=DEFAULT_TZ, help=f"IANA zone [default {DEFAULT_TZ}]")
    p.set_defaults(func=run_replay_command)


def _summary_lines(s: dict) -> list[str]:
    return [
        f"replayed {s['days']} queue-day(s) from {s['cut']} (model {s['model']}, schedule {s['schedule_status']})",
        f"days meeting the target: {100 * s['share_days_meeting_target']:.0f} %; within 3 points of the "
        f"plan's promise without forecast error: {100 * s['share_days_within_3pts_without_forecast_error']:.0f} %"
        f" (stationary Erlang: "
        f"{100 * s['share_days_within_3pts_without_forecast_error_stationary_erlang']:.0f} %), with it: "
        f"{100 * s['share_days_within_3pts_with_forecast_error']:.0f} %",
        f"simulated days: mean of {s['replications']} replications (largest standard error "
        f"{100 * s['max_sim_standard_error']:.1f} pts)",
        f"mean gap {100 * s['mean_gap']:+.1f} pts = rounding {100 * s['mean_rounding']:+.1f} + queueing "
        f"model {100 * s['mean_queueing_model']:+.1f} (time variation {100 * s['mean_time_variation']:+.1f}, "
        f"residual {100 * s['mean_queueing_residual']:+.1f}) + forecast {100 * s['mean_forecast']:+.1f}",
    ]


def run_replay_command(args) -> int:
    from wfm.io.history import read_history
    from wfm.io.call_records import read_call_records
    from optimiser.analysis.replay import run_replay
    from optimiser.analysis.report import write_replay_report
    from wfm.io.common import write_csv
    from wfm.io.rules import load_rules

    weeks = number(args.weeks, "--weeks", low=1, whole=True)
    reps = number(args.replications, "--replications", low=1, whole=True)
    se = number(args.standard_error, "--standard-error", low=0, high=1, low_open=True, high_open=True)
    max_reps = number(args.max_replications, "--max-replications", low=reps, whole=True)
    seed = number(args.seed, "--seed", low=0, whole=True)
    out = Path(args.out)
    check_outputs(args, "--out", "--per-day-csv")
    rules = load_rules(args.rules)
    if not Path(args.history).exists():
        raise WfmInputError(f"{args.history}: history file not found")
    history = read_history(args.history, tz=args.tz)
    targets = targets_from_flags(args, answer_within_seconds=rules.service_level.answer_within_seconds,
                                 target_service_level=rules.service_level.target_service_level)
    records = None
    if args.records:
        records = read_call_records(args.records, tz=args.records_tz or args.tz)
    res = run_replay(history, args.cut, weeks, rules, targets, model=args.model, records=records,
                     n_replications=reps, seed=seed, source=Path(args.history).name,
                     target_standard_error=se, max_replications=max_reps)
    write_replay_report(res, out)
    if args.per_day_csv:
        write_csv(res.per_day.reset_index(), args.per_day_csv)
    for line in _summary_lines(res.summary):
        print(line)
    print(f"report written to {out}")
    return 0
