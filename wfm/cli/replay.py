"""``wfm replay`` and ``wfm risk``: does a plan deliver what it promises, and how sure is it?

Replay a history::

    wfm replay HISTORY --cut DATE --weeks N --rules rules.yaml [--records calls.csv] \\
        --out report.html [--model weekly_mean] [--target-service-level 0.8] \\
        [--answer-within-seconds 180] [--patience-seconds S] [--shrinkage F] \\
        [--records-tz ZONE] [--replications 3] [--standard-error 0.01] [--max-replications 400] \\
        [--seed 0] [--per-day-csv days.csv]

Risk of a schedule under the forecast's uncertainty::

    wfm risk --schedule schedule.csv --forecast forecast.csv [--target-service-level 0.8] \\
        [--answer-within-seconds 180] [--patience-seconds S] [--shrinkage F] \\
        [--confidence 0.9] [--samples 500] [--daily-share 0.5] [--seed 0] [--out risk.csv] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import pandas as pd

from wfm.ground.errors import WfmInputError

DEFAULT_TZ = "Europe/Stockholm"


def _number(text, name, *, low=None, high=None, low_open=False, high_open=False, whole=False):
    if text is None:
        return None
    try:
        value = float(text)
    except (TypeError, ValueError) as exc:
        raise WfmInputError(f"{name} must be a number, got {text!r}") from exc
    if not math.isfinite(value):
        raise WfmInputError(f"{name} must be finite, got {text!r}")
    if whole and value != int(value):
        raise WfmInputError(f"{name} must be a whole number, got {text!r}")
    if low is not None and (value <= low if low_open else value < low):
        raise WfmInputError(f"{name} must be {'>' if low_open else '>='} {low:g}, got {text!r}")
    if high is not None and (value >= high if high_open else value > high):
        raise WfmInputError(f"{name} must be {'<' if high_open else '<='} {high:g}, got {text!r}")
    return int(value) if whole else value


def _add_targets(p, *, rules_defaults: bool):
    tg = p.add_argument_group("targets")
    d = " [default: the rules file's service_level]" if rules_defaults else " [default %(default)s]"
    tg.add_argument("--target-service-level", default=None if rules_defaults else "0.8",
                    help="share of offered calls answered within T, in (0, 1)" + d)
    tg.add_argument("--answer-within-seconds", default=None if rules_defaults else "180",
                    help="service-level threshold T [s]" + d)
    tg.add_argument("--patience-seconds", default=None,
                    help="mean caller patience [s] (Erlang A); default infinite (Erlang C)"
                    + ("; estimated from --records when given" if rules_defaults else ""))
    tg.add_argument("--shrinkage", default="0", help="share of scheduled time off the phone, in [0, 1) "
                    "[default %(default)s]")
    p.add_argument("--seed", default="0", help="random seed [default %(default)s]")
    p.add_argument("--tz", default=DEFAULT_TZ, help=f"IANA zone [default {DEFAULT_TZ}]")


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
    _add_targets(p, rules_defaults=True)
    p.set_defaults(func=run_replay_command)

    r = subparsers.add_parser(
        "risk", help="probability that a schedule meets the service-level target per day and interval, "
        "and the cost of staffing to a confidence",
        description="Sample many plausible days from the forecast's p10-p90 band (lognormal, a shared "
        "daily factor) and evaluate the schedule's agents with Erlang C/A; all queues pooled.")
    r.add_argument("--schedule", required=True, help="schedule CSV (output of wfm schedule)")
    r.add_argument("--forecast", required=True, help="forecast CSV (output of wfm forecast)")
    r.add_argument("--confidence", default="0.9", help="probability of meeting the daily target to staff "
                   "for, in (0, 1) [default %(default)s]")
    r.add_argument("--samples", default="500", help="sampled days per day [default %(default)s]")
    r.add_argument("--daily-share", default="0.5", help="share of the forecast's log-variance common to a "
                   "whole day, in [0, 1] [default %(default)s]")
    r.add_argument("--out", default=None, help="per-day risk CSV to write")
    r.add_argument("--json", action="store_true", help="print JSON instead of text")
    _add_targets(r, rules_defaults=False)
    r.set_defaults(func=run_risk_command)


def _targets(args, tsl_default=None, T_default=None):
    from optimiser.staffing.requirement import AccessibilityTargets

    tsl = _number(args.target_service_level, "--target-service-level", low=0, high=1, low_open=True,
                  high_open=True)
    T = _number(args.answer_within_seconds, "--answer-within-seconds", low=0)
    pat = _number(args.patience_seconds, "--patience-seconds", low=0, low_open=True)
    shr = _number(args.shrinkage, "--shrinkage", low=0, high=1, high_open=True)
    return AccessibilityTargets(answer_within_seconds=T if T is not None else T_default,
                                target_service_level=tsl if tsl is not None else tsl_default,
                                patience_seconds=pat, shrinkage=shr)


def run_replay_command(args) -> int:
    from forecasting.history import read_history
    from optimiser.analysis.calibration import read_call_records
    from optimiser.analysis.replay import run_replay
    from optimiser.analysis.report import write_replay_report
    from optimiser.scheduling.rules_file import load_rules

    weeks = _number(args.weeks, "--weeks", low=1, whole=True)
    reps = _number(args.replications, "--replications", low=1, whole=True)
    se = _number(args.standard_error, "--standard-error", low=0, high=1, low_open=True, high_open=True)
    max_reps = _number(args.max_replications, "--max-replications", low=reps, whole=True)
    seed = _number(args.seed, "--seed", low=0, whole=True)
    out = Path(args.out)
    if not out.parent.exists():
        raise WfmInputError(f"--out {args.out}: folder {out.parent} does not exist")
    rules = load_rules(args.rules)
    if not Path(args.history).exists():
        raise WfmInputError(f"{args.history}: history file not found")
    history = read_history(args.history, tz=args.tz)
    targets = _targets(args, rules.service_level.target_service_level,
                       rules.service_level.answer_within_seconds)
    records = None
    if args.records:
        records = read_call_records(args.records, tz=args.records_tz or args.tz)
    res = run_replay(history, args.cut, weeks, rules, targets, model=args.model, records=records,
                     n_replications=reps, seed=seed, source=Path(args.history).name,
                     target_standard_error=se, max_replications=max_reps)
    write_replay_report(res, out)
    if args.per_day_csv:
        res.per_day.reset_index().to_csv(args.per_day_csv, index=False)
    s = res.summary
    print(f"replayed {s['days']} queue-day(s) from {s['cut']} (model {s['model']}, schedule {s['schedule_status']})")
    print(f"days meeting the target: {100 * s['share_days_meeting_target']:.0f} %; within 3 points of the "
          f"plan's promise without forecast error: {100 * s['share_days_within_3pts_without_forecast_error']:.0f} %"
          f" (stationary Erlang: "
          f"{100 * s['share_days_within_3pts_without_forecast_error_stationary_erlang']:.0f} %), with it: "
          f"{100 * s['share_days_within_3pts_with_forecast_error']:.0f} %")
    print(f"simulated days: mean of {s['replications']} replications (largest standard error "
          f"{100 * s['max_sim_standard_error']:.1f} pts)")
    print(f"mean gap {100 * s['mean_gap']:+.1f} pts = rounding {100 * s['mean_rounding']:+.1f} + queueing "
          f"model {100 * s['mean_queueing_model']:+.1f} (time variation {100 * s['mean_time_variation']:+.1f}, "
          f"residual {100 * s['mean_queueing_residual']:+.1f}) + forecast {100 * s['mean_forecast']:+.1f}")
    print(f"report written to {out}")
    return 0


def run_risk_command(args) -> int:
    from wfm.cli.staff import read_forecast_csv
    from optimiser.analysis.risk import assess_schedule
    from optimiser.scheduling.io import read_schedule_csv

    conf = _number(args.confidence, "--confidence", low=0, high=1, low_open=True, high_open=True)
    samples = _number(args.samples, "--samples", low=1, whole=True)
    share = _number(args.daily_share, "--daily-share", low=0, high=1)
    seed = _number(args.seed, "--seed", low=0, whole=True)
    targets = _targets(args)
    fc = read_forecast_csv(args.forecast, tz=args.tz)
    sched = read_schedule_csv(args.schedule, tz=args.tz)
    assessed = assess_schedule(fc, sched, targets, confidence=conf, n_samples=samples, daily_share=share,
                               seed=seed, forecast_source=args.forecast, schedule_source=args.schedule)
    risk, plan, per_day = assessed.risk, assessed.plan, assessed.per_day
    sched_hours = assessed.schedule_agent_hours
    if args.out:
        per_day.reset_index().to_csv(args.out, index=False)
    summary = {"days": int(len(per_day)), "mean_p_meet": risk.p_meet_all_days,
               "target_service_level": targets.target_service_level,
               "answer_within_seconds": targets.answer_within_seconds, "confidence": conf,
               "schedule_agent_hours": sched_hours, "agent_hours_point": plan.agent_hours_point,
               "agent_hours_for_confidence": plan.agent_hours,
               "extra_agent_hours_for_confidence": plan.extra_agent_hours,
               "volume_quantile": plan.volume_quantile}
    if args.json:
        days = per_day.reset_index()
        days["day"] = days["day"].astype(str)
        print(json.dumps({"summary": summary, "per_day": days.to_dict(orient="records")}, indent=2))
        return 0
    print(f"risk of {args.schedule} against {args.forecast}: {samples} sampled days per day, "
          f"target {100 * targets.target_service_level:.0f} % within {targets.answer_within_seconds:g} s")
    print(per_day[["calls_offered", "service_level_point", "p_meet", "service_level_p10",
                   "expected_shortfall"]].to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"mean probability of meeting the daily target: {100 * risk.p_meet_all_days:.1f} %")
    print(f"staffing to {100 * conf:.0f} % confidence: {plan.agent_hours:.0f} agent-hours vs "
          f"{plan.agent_hours_point:.0f} for the point forecast (+{plan.extra_agent_hours:.0f}, volume "
          f"quantile {plan.volume_quantile:.3f}); the schedule has {sched_hours:.0f}")
    return 0
