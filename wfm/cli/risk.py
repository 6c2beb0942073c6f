"""``wfm risk``: the risk of a schedule under the forecast's uncertainty, and the price of a confidence.

::

    wfm risk --schedule schedule.csv --forecast forecast.csv [--target-service-level 0.8] \\
        [--answer-within-seconds 180] [--patience-seconds S] [--shrinkage F] \\
        [--confidence 0.9] [--samples 500] [--daily-share 0.5] [--seed 0] [--out risk.csv] [--json]
"""

from __future__ import annotations

import json

from wfm.cli.args import add_target_flags, check_outputs, number, targets_from_flags
from wfm.ground.vocabulary import DEFAULT_TZ


def register(subparsers) -> None:
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
    add_target_flags(r, target_service_level="0.8", answer_within_seconds="180")
    r.add_argument("--seed", default="0", help="random seed [default %(default)s]")
    r.add_argument("--tz", default=DEFAULT_TZ, help=f"IANA zone [default {DEFAULT_TZ}]")
    r.set_defaults(func=run_risk_command)


def run_risk_command(args) -> int:
    from optimiser.analysis.risk import assess_schedule
    from wfm.io.common import write_csv
    from wfm.io.forecast import read_forecast_csv
    from wfm.io.schedule import read_schedule_csv

    conf = number(args.confidence, "--confidence", low=0, high=1, low_open=True, high_open=True)
    samples = number(args.samples, "--samples", low=1, whole=True)
    share = number(args.daily_share, "--daily-share", low=0, high=1)
    seed = number(args.seed, "--seed", low=0, whole=True)
    targets = targets_from_flags(args)
    check_outputs(args, "--out")
    fc = read_forecast_csv(args.forecast, tz=args.tz)
    sched = read_schedule_csv(args.schedule, tz=args.tz)
    assessed = assess_schedule(fc, sched, targets, confidence=conf, n_samples=samples, daily_share=share,
                               seed=seed, forecast_source=args.forecast, schedule_source=args.schedule)
    risk, plan, per_day = assessed.risk, assessed.plan, assessed.per_day
    sched_hours = assessed.schedule_agent_hours
    if args.out:
        write_csv(per_day.reset_index(), args.out)
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
