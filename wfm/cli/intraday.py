"""``wfm intraday``: steer today -- the rest of the day re-forecast and where the day will end.

::

    wfm intraday --forecast forecast.csv --actuals today.csv (--roster roster.csv | --schedule schedule.csv)
        [--absences absences.csv] [--now 2025-12-03T12:00] [--replay] [--shrink-power 0.5]
        [--answer-within-seconds 180] [--target-service-level 0.8] [--patience-seconds S] [--shrinkage 0]
        [--out projection.csv] [--json] [--tz ZONE]

``--actuals`` is the ACD's history file of today so far (``docs/history_format.md``); every interval
that has ended by ``--now`` must be in it (a late or partial export, a file of another day or a queue
the plan does not know is refused with exit 2).  ``--replay`` reads ``--actuals`` as a longer history
and behaves as if it were ``--now`` on that past day.  Exit 0 ok, 2 bad input.
"""

from __future__ import annotations

import json

import pandas as pd

from wfm.cli.args import add_target_flags, check_outputs, number, targets_from_flags
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "intraday", help="steer today: re-forecast the rest of the day from the actuals so far and project "
        "the day's accessibility with the agents on shift",
        description="Same-day steering (docs/intraday.md): the rest of the day re-forecast from the day-ahead "
        "forecast and today's actuals, and the projected service level, abandon rate and wait per remaining "
        "interval and for the day (Erlang A, all queues pooled).")
    p.add_argument("--forecast", required=True, help="day-ahead forecast CSV (output of wfm forecast)")
    p.add_argument("--actuals", required=True, help="today's actuals so far (history format)")
    p.add_argument("--roster", default=None, help="published roster CSV (export of wfm roster)")
    p.add_argument("--schedule", default=None, help="schedule CSV instead of a roster (no named agents)")
    p.add_argument("--absences", default=None, help="absences reported today (agent_id,start,end,reason)")
    p.add_argument("--now", default=None, help="the moment, e.g. 2025-12-03T12:00 [default: the clock]")
    p.add_argument("--replay", action="store_true", help="--actuals is a longer history: behave as if it were "
                   "--now on that past day")
    p.add_argument("--shrink-power", default="0.5", help="weight of today's ratio = share of the day passed ** this "
                   "[default %(default)s]")
    p.add_argument("--actions", action="store_true", help="also rank actions by their effect on the day")
    p.add_argument("--agents", default=None, help="agent list (contracts, skills): needed for overtime and break "
                   "moves, which are checked against the roster's rules")
    p.add_argument("--rules", default=None, help="rules file whose roster section gives the working-time rules "
                   "[default: the packaged sweden rule set]")
    p.add_argument("--unavailability", default=None, help="planned unavailability (for the rule check)")
    p.add_argument("--callback-threshold-seconds", default="600", help="offer a call-back when the wait would "
                   "exceed this [s] [default %(default)s]")
    p.add_argument("--callback-acceptance", default="0.5", help="share of offered callers who accept "
                   "[default %(default)s]")
    p.add_argument("--callback-window-minutes", default="120", help="call-backs are made within this [min] "
                   "[default %(default)s]")
    p.add_argument("--out", default=None, help="per-interval projection CSV to write")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_target_flags(p, target_service_level="0.8", answer_within_seconds="180")
    p.add_argument("--tz", default=DEFAULT_TZ, help=f"IANA zone [default {DEFAULT_TZ}]")
    p.set_defaults(func=run_intraday_command)


def _shifts(args, tz):
    if (args.roster is None) == (args.schedule is None):
        raise WfmInputError("give either --roster or --schedule (the agents on shift today)")
    if args.roster is not None:
        from wfm.io.roster import read_roster_csv

        return read_roster_csv(args.roster, tz=tz)
    from wfm.io.schedule import read_schedule_csv

    return read_schedule_csv(args.schedule, tz=tz)


def run_intraday_command(args) -> int:
    from wfm.io.history import read_history
    from wfm.io.agents import read_unavailability
    from optimiser.today.steer import steer_day
    from wfm.io.forecast import read_forecast_csv

    power = number(args.shrink_power, "--shrink-power", low=0)
    targets = targets_from_flags(args)
    check_outputs(args, "--out")
    now = args.now if args.now is not None else pd.Timestamp.now(tz=args.tz)
    forecast = read_forecast_csv(args.forecast, tz=args.tz)
    actuals = read_history(args.actuals, tz=args.tz)
    shifts = _shifts(args, args.tz)
    absences = read_unavailability(args.absences, tz=args.tz) if args.absences else None
    state = steer_day(forecast, actuals, shifts, now, targets, absences=absences, shrink_power=power,
                      replay=args.replay)
    actions = _actions(args, state) if args.actions else []
    per, day = state.projection.per_interval, state.projection.day
    if args.out:
        from wfm.io.accessibility import write_accessibility_report

        write_accessibility_report(per, args.out)
    if args.json:
        ratios = state.reforecast.ratios.reset_index().to_dict(orient="records")
        ranked = [{"kind": a.kind, "description": a.description, "gain": a.gain,
                   "service_level_after": a.service_level_after} for a in actions]
        print(json.dumps({"now": state.now.isoformat(), "day": day, "ratios": ratios, "actions": ranked}, indent=2,
                         default=float))
        return 0
    print(f"today at {state.now:%Y-%m-%d %H:%M} ({'replay' if args.replay else 'live'}): "
          f"{state.actuals['interval_start'].nunique()} ended interval(s) of "
          f"{state.actuals['queue'].nunique()} queue(s) read")
    print(state.reforecast.ratios.to_string(float_format=lambda v: f"{v:.3f}"))
    rest = per[per["phase"] == "reforecast"]
    if len(rest):
        table = rest.assign(interval_start=rest["interval_start"].dt.strftime("%H:%M"))
        print(table[["interval_start", "calls_offered", "agents_on_phone", "service_level", "abandon_rate",
                     "asa_seconds"]].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    so_far = day["so_far_service_level"]
    print(f"so far {100 * so_far:.1f} % within {targets.answer_within_seconds:g} s; the day will end at "
          f"{100 * day['service_level']:.1f} % (target {100 * day['target_service_level']:.0f} %), abandon rate "
          f"{100 * day['abandon_rate']:.1f} %; {day['calls_short_of_target']:.0f} more calls within target needed")
    for rank, a in enumerate(actions, 1):
        print(f"{rank:2d}. {100 * a.gain:+.2f} points -> {100 * a.service_level_after:.1f} %  {a.description}")
    return 0


def _actions(args, state):
    from wfm.io.agents import read_agents, read_unavailability
    from wfm.io.rules import load_ruleset
    from optimiser.today.actions import CallbackSettings, recommend_actions

    settings = CallbackSettings(
        callback_threshold_seconds=number(args.callback_threshold_seconds, "--callback-threshold-seconds", low=0),
        callback_acceptance=number(args.callback_acceptance, "--callback-acceptance", low=0, high=1),
        callback_window_minutes=number(args.callback_window_minutes, "--callback-window-minutes", low=0))
    agents = read_agents(args.agents) if args.agents else None
    if agents is None:
        print("note: without --agents only call-backs are ranked (overtime and break moves need the agents' "
              "contracts to be checked against the working-time rules)")
    ruleset = load_ruleset(args.rules) if args.rules else load_ruleset("sweden")
    unavailability = read_unavailability(args.unavailability, agents, tz=args.tz) if args.unavailability else None
    return recommend_actions(state, agents=agents, ruleset=ruleset, unavailability=unavailability, callbacks=settings)
