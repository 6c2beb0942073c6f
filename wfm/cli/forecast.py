"""``wfm forecast HISTORY --horizon 28d --interval 15min --model auto --out forecast.csv``.

Optional: ``--backtest report.csv`` (the planner's backtest table),
``--events events.csv`` (user events), ``--country SE``, ``--tz ZONE``,
``--map MAPPING``, ``--jobs N``, ``--dask-scheduler tcp://HOST:PORT``,
``--queues q1,q2``, ``--seed N``, ``--aht-seconds S``, ``--candidates m1,m2``,
``--selection FILE``, ``--quiet``.
Progress goes to stderr, one line per finished queue / backtest origin.
Bad input raises :class:`wfm.ground.errors.WfmInputError` (exit 2).
"""

from __future__ import annotations

import argparse
import re
import sys
import time

from wfm.cli.args import check_outputs
from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import check_interval_minutes
from wfm.ground.vocabulary import DEFAULT_TZ


def parse_horizon_days(text) -> int:
    """``--horizon``: ``"28d"``, ``"4w"`` or ``28`` -> days (a whole number >= 1).

    Raises
    ------
    WfmInputError
        Unparseable, zero or negative (the message shows the flag and the value).
    """
    s = str(text).strip().lower()
    m = re.fullmatch(r"(\d+)\s*(d|day|days|w|week|weeks)?", s)
    if not m:
        raise WfmInputError(f"--horizon must look like 28d, 4w or 28 (days), got {text!r}")
    days = int(m.group(1)) * (7 if (m.group(2) or "d").startswith("w") else 1)
    if days < 1:
        raise WfmInputError(f"--horizon must be at least 1 day, got {text!r}")
    return days


def parse_interval_minutes(text) -> int:
    """``--interval``: ``"15min"``, ``"30min"``, ``"60min"``, ``"1h"`` or ``15`` -> minutes.

    Raises
    ------
    WfmInputError
        Unparseable, or not a positive divisor of a day (the message shows the flag and the value).
    """
    s = str(text).strip().lower()
    m = re.fullmatch(r"(\d+)\s*(min|mins|minutes|m|h|hour|hours)?", s)
    if not m:
        raise WfmInputError(f"--interval must look like 15min, 30min, 60min or 1h, got {text!r}")
    minutes = int(m.group(1)) * (60 if (m.group(2) or "min").startswith("h") else 1)
    try:
        return check_interval_minutes(minutes)
    except WfmInputError:
        raise WfmInputError(f"--interval must divide a day (e.g. 15min, 30min, 60min), got {text!r}") from None


def _names(text: str | None) -> tuple[str, ...] | None:
    """A comma-separated flag value as names (None when the flag is not given)."""
    return tuple(v.strip() for v in text.split(",") if v.strip()) if text else None


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``forecast`` sub-command."""
    p = subparsers.add_parser(
        "forecast",
        help="forecast calls (with 80%%/95%% intervals) and AHT per queue and interval",
        description="Read HISTORY, forecast every queue HORIZON days ahead at INTERVAL, write the forecast CSV "
        "(interval_start, queue, calls_offered, calls_offered_p10, calls_offered_p90, calls_offered_p025, "
        "calls_offered_p975, aht_seconds, model). With --model auto the model is chosen per queue by a "
        "rolling-origin backtest on the history (see docs/forecasting_pipeline.md).",
    )
    p.add_argument("history", metavar="HISTORY", help="history file (.csv, .csv.gz, .xlsx, .parquet)")
    p.add_argument("--horizon", required=True, help="days to forecast, e.g. 28d or 4w")
    p.add_argument("--interval", required=True, help="output interval, e.g. 15min, 30min, 60min")
    p.add_argument("--model", default="auto", help="auto (default), combination, or a model name")
    p.add_argument("--out", required=True, metavar="FILE", help="forecast CSV to write")
    p.add_argument("--backtest", metavar="REPORT", default=None, help="also write the backtest table (CSV)")
    p.add_argument("--events", metavar="EVENTS", default=None, help="events CSV: date,end_date,name,kind")
    p.add_argument("--country", default=None,
                   help="holiday calendar country code (default: the country of the history's zone, SE for "
                   f"{DEFAULT_TZ}; 'none' for no holidays)")
    p.add_argument("--tz", metavar="ZONE", default=None,
                   help=f"IANA zone of the history (default {DEFAULT_TZ}, or the one zone its UTC offsets fit)")
    p.add_argument("--map", metavar="MAPPING", dest="mapping", default=None, help="column mapping file for HISTORY")
    p.add_argument("--jobs", type=int, default=2, help="parallel worker processes (default 2)")
    p.add_argument("--dask-scheduler", metavar="ADDRESS", default=None, help="run on a Dask cluster, e.g. tcp://HOST:8786")
    p.add_argument("--queues", default=None, help="comma-separated queues to forecast (default all)")
    p.add_argument("--seed", type=int, default=0, help="random seed for models that use one (default 0)")
    p.add_argument("--aht-seconds", type=float, default=None,
                   help="constant AHT [seconds] for queues whose history has no aht_seconds "
                   "(without it their aht_seconds column is left empty)")
    p.add_argument("--candidates", default=None,
                   help="comma-separated models auto may choose from (default every registered model but prophet "
                   "and mstl; auto falls back to weekly_mean when its choice, scored nested, does not beat it)")
    p.add_argument("--selection", metavar="FILE", default=None, help="write auto's decision table (CSV)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=run_forecast)


def run_forecast(args: argparse.Namespace) -> int:
    """Handler: read, forecast, write; returns 0 (bad input raises WfmInputError)."""
    from forecasting.pipeline import COUNTRY_OF_ZONE, ForecastSettings, forecast
    from wfm.io.events import read_events
    from wfm.io.common import write_csv
    from wfm.io.forecast import write_forecast_csv
    from wfm.io.history import read_history

    if args.jobs < 1:
        raise WfmInputError(f"--jobs must be >= 1, got {args.jobs}")
    check_outputs(args, "--out", "--backtest", "--selection")
    country = COUNTRY_OF_ZONE if args.country is None else None if str(args.country).lower() in ("none", "") \
        else args.country
    settings = ForecastSettings(
        horizon_days=parse_horizon_days(args.horizon), interval_minutes=parse_interval_minutes(args.interval),
        model=args.model, country=country,
        backtest=bool(args.backtest), queues=_names(args.queues), random_state=args.seed,
        aht_seconds=args.aht_seconds, candidates=_names(args.candidates))
    events = read_events(args.events) if args.events else None
    t0 = time.monotonic()

    def progress(done: int, total: int, label: str) -> None:
        if not args.quiet:
            print(f"[{done}/{total}] {label} done ({time.monotonic() - t0:.0f} s)", file=sys.stderr, flush=True)

    history = read_history(args.history, tz=args.tz, mapping=args.mapping)
    if history.attrs.get("tz_note"):  # said even with --quiet: the zone decides the days and holidays
        print(f"note: {history.attrs['tz_note']}; give --tz to read it in another zone", file=sys.stderr)
    result = forecast(history, settings, events=events, n_jobs=args.jobs, dask_scheduler=args.dask_scheduler,
                      progress=progress)
    write_forecast_csv(result.forecast, args.out)
    if args.backtest and result.backtest is not None:
        write_csv(result.backtest, args.backtest, float_format="%.4f")
    if args.selection and result.selection is not None:
        write_csv(result.selection, args.selection, float_format="%.4f")
    for note in result.notes:  # said even with --quiet: how the forecast was made
        print(f"note: {note}", file=sys.stderr)
    unknown = result.forecast.loc[result.forecast["aht_seconds"].isna(), "queue"].unique()
    if len(unknown):  # a calls-only history: said even with --quiet, staffing will need it
        print(f"note: the history has no aht_seconds for queue(s) {', '.join(map(str, unknown))}: their calls are "
              "forecast and their aht_seconds column is left empty; give --aht-seconds SECONDS to fill it "
              "(staffing needs a handle time)", file=sys.stderr)
    if not args.quiet:
        print(f"wrote {len(result.forecast)} rows for {result.forecast['queue'].nunique()} queue(s) to {args.out}",
              file=sys.stderr)
    return 0
