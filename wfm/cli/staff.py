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

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from optimiser.queueing import erlang
from optimiser.queueing.on_phone import scheduled_from_on_phone
from optimiser.staffing.requirement import REQUIREMENT_COLUMNS, AccessibilityTargets, required_agents, staffing_table
from wfm.ground.errors import WfmInputError

DEFAULT_TZ = "Europe/Stockholm"


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
    tg = p.add_argument_group("targets")
    tg.add_argument("--answer-within-seconds", type=str, help="service-level threshold T [s]")
    tg.add_argument("--target-service-level", type=str,
                    help="share of offered calls answered within T, in (0, 1)")
    tg.add_argument("--max-asa-seconds", type=str, help="maximum average speed of answer [s]")
    tg.add_argument("--max-abandon-rate", type=str,
                    help="maximum share of calls that hang up, in (0, 1); needs --patience-seconds")
    tg.add_argument("--max-occupancy", type=str, help="maximum occupancy, in (0, 1]")
    tg.add_argument("--patience-seconds", type=str,
                    help="mean caller patience [s] (Erlang A); omit for Erlang C")
    tg.add_argument("--shrinkage", type=str, default="0",
                    help="share of paid time off the phone, in [0, 1) [default 0]")
    cb = p.add_argument_group("call-backs (forecast mode)")
    cb.add_argument("--callback-threshold-seconds", type=str,
                    help="offer a call-back to callers whose wait would exceed this [s]")
    cb.add_argument("--callback-acceptance", type=str,
                    help="share of offered callers who accept a call-back, in [0, 1]")
    cb.add_argument("--callback-window-minutes", type=str, default="120",
                    help="call-backs must be made within this many minutes [default 120]")
    p.set_defaults(func=run)


def _num(args, name: str, *, required: bool = False):
    raw = getattr(args, name)
    flag = "--" + name.replace("_", "-")
    if raw is None:
        if required:
            raise WfmInputError(f"{flag} is required")
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise WfmInputError(f"{flag} must be a number, got {raw!r}") from exc
    if math.isnan(value):
        raise WfmInputError(f"{flag} must be a number, got {raw!r}")
    return value


def _targets(args) -> AccessibilityTargets:
    return AccessibilityTargets(
        answer_within_seconds=_num(args, "answer_within_seconds"),
        target_service_level=_num(args, "target_service_level"),
        max_asa_seconds=_num(args, "max_asa_seconds"),
        max_abandon_rate=_num(args, "max_abandon_rate"),
        max_occupancy=_num(args, "max_occupancy"),
        patience_seconds=_num(args, "patience_seconds"),
        shrinkage=_num(args, "shrinkage"),
    )


def run(args) -> int:
    if args.forecast is not None:
        return _run_forecast(args)
    if args.calls is None:
        raise WfmInputError("give either --forecast FILE --out FILE, or --calls N "
                            "--interval-minutes M --aht-seconds S for one interval")
    return _run_one(args)


def _run_one(args) -> int:
    calls = _num(args, "calls", required=True)
    interval = _num(args, "interval_minutes", required=True)
    aht = _num(args, "aht_seconds", required=True)
    T = _num(args, "answer_within_seconds", required=True)
    agents = _num(args, "agents")
    tsl = args.target_service_level
    if (agents is None) == (tsl is None):
        raise WfmInputError("give exactly one of --agents K (evaluate K agents) or "
                            "--target-service-level P (find the agents needed)")
    patience = _num(args, "patience_seconds")
    shrinkage = _num(args, "shrinkage")
    if not 0 <= shrinkage < 1:
        raise WfmInputError(f"shrinkage must be in [0, 1), got {shrinkage:g}")
    if agents is not None:
        if agents < 0 or agents != int(agents):
            raise WfmInputError(f"agents must be a whole number >= 0, got {args.agents!r}")
        n = int(agents)
        m = erlang.queue_metrics(calls, interval, aht, n, T, patience).iloc[0]
    else:
        targets = _targets(args)
        req = required_agents(calls, interval, aht, answer_within_seconds=T,
                              target_service_level=targets.target_service_level,
                              max_asa_seconds=targets.max_asa_seconds,
                              max_abandon_rate=targets.max_abandon_rate,
                              max_occupancy=targets.max_occupancy,
                              patience_seconds=patience, shrinkage=shrinkage).iloc[0]
        n = int(req["agents_on_phone"])
        m = erlang.queue_metrics(calls, interval, aht, n, T, patience).iloc[0]
    result = {
        "agents": n,
        "agents_required": int(scheduled_from_on_phone(n, shrinkage, rounding="up")),
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


def read_forecast_csv(path: str | Path, tz: str = DEFAULT_TZ) -> pd.DataFrame:
    """Read the forecast CSV (``interval_start`` ISO-8601 with offset, ``queue``,
    ``calls_offered``, ``aht_seconds``, ...) into a long frame in zone ``tz``."""
    path = Path(path)
    try:
        df = pd.read_csv(path)
    except FileNotFoundError as exc:
        raise WfmInputError(f"{path}: forecast file not found") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise WfmInputError(f"{path}: not a readable CSV ({exc})") from exc
    missing = [c for c in ("interval_start", "queue", "calls_offered", "aht_seconds")
               if c not in df.columns]
    if missing:
        raise WfmInputError(f"{path}: missing column(s) {', '.join(missing)} "
                            f"(found {', '.join(map(str, df.columns))})")
    from wfm.ground.timegrid import parse_offset_timestamps

    try:
        df["interval_start"] = parse_offset_timestamps(df["interval_start"], "UTC", str(path), "interval_start")
        df["interval_start"] = df["interval_start"].dt.tz_convert(tz)
    except WfmInputError:
        raise
    except Exception as exc:  # unknown zone
        raise WfmInputError(f"--tz must be an IANA zone such as Europe/Stockholm, got {tz!r}") from exc
    for col in ("calls_offered", "aht_seconds"):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise WfmInputError(f"{path}: row {i + 2}, column {col}: not a number, got {df[col].iloc[i]}")
        df[col] = values.astype(float)
    for col, rule in (("calls_offered", lambda v: v.isna() | (v < 0)),):
        bad = rule(df[col])
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise WfmInputError(f"{path}: row {i + 2}, column {col}: must be >= 0, got {df[col].iloc[i]}")
    bad = (df["aht_seconds"].isna() & (df["calls_offered"] > 0)) | (df["aht_seconds"] <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise WfmInputError(f"{path}: row {i + 2}, column aht_seconds: must be > 0, got "
                            f"{df['aht_seconds'].iloc[i]}")
    df["queue"] = df["queue"].astype(str)
    dup = df.duplicated(["queue", "interval_start"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise WfmInputError(f"{path}: row {i + 2}: duplicate (queue, interval_start)")
    return df


def _iso(series: pd.Series) -> list[str]:
    return [t.isoformat() for t in series]


def _run_forecast(args) -> int:
    if args.out is None:
        raise WfmInputError("--forecast needs --out requirement.csv")
    if args.calls is not None or args.agents is not None:
        raise WfmInputError("--forecast cannot be combined with --calls/--agents (one-interval form)")
    targets = _targets(args)
    df = read_forecast_csv(args.forecast, args.tz)
    table = staffing_table(df, targets, source=str(args.forecast))
    cb_threshold = _num(args, "callback_threshold_seconds")
    cb_accept = _num(args, "callback_acceptance")
    if (cb_threshold is None) != (cb_accept is None):
        raise WfmInputError("--callback-threshold-seconds and --callback-acceptance go together")
    if cb_threshold is not None:
        from optimiser.staffing.deferred import callback_requirement

        table = callback_requirement(df, targets, callback_threshold_seconds=cb_threshold,
                                     callback_acceptance=cb_accept,
                                     callback_window_minutes=_num(args, "callback_window_minutes"),
                                     interval_minutes=table.attrs.get("interval_minutes"),
                                     source=str(args.forecast))
    out = table.copy()
    out["interval_start"] = _iso(out["interval_start"])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(args.out, index=False)
    total = float((table["agents_required"] * table.attrs.get("interval_minutes", 15) / 60).sum())
    print(f"wrote {len(out)} intervals x {out['queue'].nunique()} queue(s) to {args.out}; "
          f"peak agents_required {int(table['agents_required'].max())}, "
          f"{total:.0f} scheduled agent-hours")
    return 0


__all__ = ["register", "run", "read_forecast_csv", "REQUIREMENT_COLUMNS"]
