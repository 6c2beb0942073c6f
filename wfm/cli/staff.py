"""``wfm staff``: agents needed for accessibility targets, one interval or a whole forecast.

One interval::

    wfm staff --calls 100 --interval-minutes 30 --aht-seconds 180 \\
        --answer-within-seconds 20 (--agents 14 | --target-service-level 0.8) \\
        [--patience-seconds 120] [--shrinkage 0.3] [--json]

A whole forecast (the forecast CSV of ``wfm forecast``)::

    wfm staff --forecast forecast.csv --target-service-level 0.8 \\
        --answer-within-seconds 180 [--patience-seconds X] [--max-abandon-rate R] \\
        [--max-asa-seconds S] [--max-occupancy O] [--shrinkage F] \\
        [--callback-threshold-seconds C --callback-acceptance P \\
         [--callback-window-minutes W]] --out requirement.csv
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from optimiser.queueing import erlang
from optimiser.queueing.on_phone import scheduled_from_on_phone
from optimiser.staffing.compose import WhatIfs, plan_requirement
from optimiser.staffing.requirement import REQUIREMENT_COLUMNS, required_agents
from wfm.cli.args import add_target_flags, check_outputs, flag_number, targets_from_flags
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ
from wfm.io.forecast import read_forecast_csv
from wfm.io.requirement import write_requirement_csv


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "staff",
        help="agents needed per interval for accessibility targets (Erlang C / Erlang A)",
        description="Erlang C / Erlang A staffing.  One interval (--calls ...) or a whole "
        "forecast (--forecast ... --out requirement.csv).  Service level is the share of "
        "OFFERED calls answered within --answer-within-seconds (callers who hang up count "
        "as not answered).")
    one = p.add_argument_group("one interval")
    one.add_argument("--calls", type=str, help="calls offered in the interval [calls]")
    one.add_argument("--interval-minutes", type=str, help="interval length [min]")
    one.add_argument("--aht-seconds", type=str, help="average handle time [s]")
    one.add_argument("--agents", type=str, help="agents on the phone to evaluate")
    one.add_argument("--json", action="store_true", help="print JSON instead of text")
    many = p.add_argument_group("whole forecast")
    many.add_argument("--forecast", type=str, help="forecast CSV (output of wfm forecast)")
    many.add_argument("--out", type=str, help="requirement CSV to write")
    many.add_argument("--tz", type=str, default=DEFAULT_TZ,
                      help=f"IANA zone of the output timestamps [default {DEFAULT_TZ}]")
    add_target_flags(p, limits=True)
    cb = p.add_argument_group("call-backs (forecast mode)")
    cb.add_argument("--callback-threshold-seconds", type=str,
                    help="offer a call-back to callers whose wait would exceed this [s]")
    cb.add_argument("--callback-acceptance", type=str,
                    help="share of offered callers who accept a call-back, in [0, 1]")
    cb.add_argument("--callback-window-minutes", type=str, default="120",
                    help="call-backs must be made within this many minutes [default 120]")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.forecast is not None:
        return _run_forecast(args)
    if args.calls is None:
        raise WfmInputError("give either --forecast FILE --out FILE, or --calls N "
                            "--interval-minutes M --aht-seconds S for one interval")
    return _run_one(args)


def _run_one(args) -> int:
    calls = flag_number(args, "calls", required=True)
    interval = flag_number(args, "interval_minutes", required=True)
    aht = flag_number(args, "aht_seconds", required=True)
    T = flag_number(args, "answer_within_seconds", required=True)
    agents = flag_number(args, "agents", low=0, whole=True)
    if (agents is None) == (args.target_service_level is None):
        raise WfmInputError("give exactly one of --agents K (evaluate K agents) or "
                            "--target-service-level P (find the agents needed)")
    if agents is not None:
        patience = flag_number(args, "patience_seconds", allow_infinite=True)
        patience = None if patience is not None and math.isinf(patience) else patience
        shrinkage = flag_number(args, "shrinkage")
        n = agents
    else:
        targets = targets_from_flags(args)
        patience, shrinkage = targets.patience_seconds, targets.shrinkage
        req = required_agents(calls, interval, aht, answer_within_seconds=T,
                              target_service_level=targets.target_service_level,
                              max_asa_seconds=targets.max_asa_seconds,
                              max_abandon_rate=targets.max_abandon_rate,
                              max_occupancy=targets.max_occupancy,
                              patience_seconds=patience, shrinkage=shrinkage).iloc[0]
        n = int(req["agents_on_phone"])
    agents_required = int(scheduled_from_on_phone(n, shrinkage, rounding="up"))
    m = erlang.queue_metrics(calls, interval, aht, n, T, patience).iloc[0]
    result = {
        "agents": n,
        "agents_required": agents_required,
        "load_erlangs": float(m["load_erlangs"]),
        "service_level": float(m["service_level"]),
        "answer_within_seconds": T,
        "asa_seconds": float(m["asa_seconds"]),
        "p_wait": float(m["p_wait"]),
        "occupancy": float(m["occupancy"]),
        "shrinkage": shrinkage,
    }
    if patience is not None:
        result["abandon_rate"] = float(m["abandon_rate"])
        result["patience_seconds"] = patience
    if args.json:
        print(json.dumps({k: (None if isinstance(v, float) and math.isinf(v) else v)
                          for k, v in result.items()}))
    else:
        for k, v in result.items():
            print(f"{k}: {v:.6g}" if isinstance(v, float) else f"{k}: {v}")
    return 0


def _run_forecast(args) -> int:
    if args.out is None:
        raise WfmInputError("--forecast needs --out requirement.csv")
    if args.calls is not None or args.agents is not None:
        raise WfmInputError("--forecast cannot be combined with --calls/--agents (one-interval form)")
    targets = targets_from_flags(args)
    check_outputs(args, "--out")
    df = read_forecast_csv(args.forecast, args.tz)
    cb_threshold = flag_number(args, "callback_threshold_seconds")
    cb_accept = flag_number(args, "callback_acceptance")
    if (cb_threshold is None) != (cb_accept is None):
        raise WfmInputError("--callback-threshold-seconds and --callback-acceptance go together")
    whatifs = WhatIfs() if cb_threshold is None else WhatIfs(
        callback_acceptance=cb_accept, callback_threshold_seconds=cb_threshold,
        callback_window_minutes=flag_number(args, "callback_window_minutes"), offer_callbacks=True)
    table, _ = plan_requirement(df, targets, whatifs, source=str(args.forecast))
    write_requirement_csv(table, args.out)
    total = float((table["agents_required"] * table.attrs.get("interval_minutes", 15) / 60).sum())
    print(f"wrote {len(table)} intervals x {table['queue'].nunique()} queue(s) to {args.out}; "
          f"peak agents_required {int(table['agents_required'].max())}, "
          f"{total:.0f} scheduled agent-hours")
    return 0


__all__ = ["register", "run", "REQUIREMENT_COLUMNS"]
