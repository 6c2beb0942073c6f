"""Forecast accuracy, speed and memory benchmark (issue 3, item 9).

Command (from the checkout root)::

    flock /tmp/wfm-bench.lock .venv/bin/python benchmarks/forecast_accuracy.py [--jobs 2]

What it measures, written to ``benchmarks/results/forecast_accuracy.md``:

1. **Accuracy** per model at a 1-week horizon, hourly, over 6 weekly origins
   (the last 6 weeks that fit), on (a) the demo data ``data/demo_history.csv.gz``
   aggregated to hourly per queue (4 queues, pooled), with the demo's own
   events file ``data/demo_events.csv`` given to the models that take events
   (as ``wfm forecast --events`` does; no event falls in an evaluated week,
   so only past events are used; ``--no-events`` leaves it out), and (b) the real
   "Anonymous Bank" 1999 history ``../shared/data/bank_1999/`` (6-minute
   counts summed to hours; naive Israeli local time read as Asia/Jerusalem:
   the hour skipped at the spring change is added to the next hour, the
   repeated autumn hour is read once as in the data). WAPE, 80 % coverage and
   95 % coverage pooled over all evaluated intervals.
   ``auto`` is scored honestly (nested): at each evaluation origin it chooses
   and weights models, and calibrates its intervals, using only the backtest
   forecasts of the 6 earlier weekly origins (whose 1-week horizons end by the
   evaluation origin), exactly as :class:`forecasting.ensemble.AutoForecaster`
   does with its defaults (``n_origins=6``) and ``horizon_days=7``; its
   forecast is the chosen combination of the models' forecasts at the
   evaluation origin. The "best single model" it is compared with is the best
   IN HINDSIGHT over the same evaluation origins.
2. **Wall time and peak memory per model**: one fit + 1-week predict on 2
   years of hourly history of one queue, each in its own subprocess
   (``ru_maxrss``).
3. **Full backtest** of all models on 2 years of hourly history for one queue
   (4 origins, 6-week horizon, ``--jobs`` workers): wall time (target < 3 min).
4. **Peak memory** of ``wfm forecast`` on 4 queues x 3 years at 15 minutes
   (the demo file), summed over the process and its workers, sampled every
   0.2 s with psutil (target < 2 GB).

The documented run (no ``--quick``) includes Prophet everywhere.
``--quick`` leaves Prophet out of the accuracy runs (a development shortcut:
its fits take 10-20 s each); the per-model cost and the full-backtest timing
always include every model.
The machine is shared: timings are pessimistic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting import metrics  # noqa: E402
from forecasting.backtest import rolling_origin_backtest  # noqa: E402
from forecasting.ensemble import AutoForecaster, combine_points, model_params, relative_wape, select_from_backtest  # noqa: E402
from forecasting.events import read_events  # noqa: E402
from forecasting.history import read_history  # noqa: E402
from forecasting.intraday import aggregate_intervals  # noqa: E402
from forecasting.models import MODELS  # noqa: E402
from forecasting.models.base import interval_bounds  # noqa: E402

DEMO = ROOT / "data" / "demo_history.csv.gz"
DEMO_EVENTS = ROOT / "data" / "demo_events.csv"
BANK = ROOT.parent / "shared" / "data" / "bank_1999" / "anonymous_bank_1999_6min_counts.csv.gz"
OUT = ROOT / "benchmarks" / "results" / "forecast_accuracy.md"
EVAL_ORIGINS = 6
AUTO = AutoForecaster()  # its defaults decide the nested choice below
INNER_ORIGINS = AUTO.n_origins


def demo_hourly(queues: list[str] | None) -> pd.DataFrame:
    hist = read_history(DEMO)
    if queues:
        hist = hist[hist["queue"].isin(queues)].reset_index(drop=True)
        hist.attrs = {"interval_minutes": 15, "tz": "Europe/Stockholm"}
    return aggregate_intervals(hist, 60)


def bank_hourly() -> pd.DataFrame:
    raw = pd.read_csv(BANK)
    naive = pd.to_datetime(raw["interval_start"]).dt.floor("60min")
    hourly = raw.groupby(naive)["calls"].sum()
    aware = hourly.index.tz_localize("Asia/Jerusalem", ambiguous=True, nonexistent="shift_forward")
    s = pd.Series(hourly.to_numpy(), index=aware).groupby(level=0).sum()
    frame = pd.DataFrame({"interval_start": s.index, "queue": "bank", "calls_offered": s.to_numpy()})
    frame.attrs = {"interval_minutes": 60, "tz": "Asia/Jerusalem"}
    return frame


def specs(models: list[str], country: str, events: pd.DataFrame | None = None) -> dict:
    return {m: (m, model_params(m, country=country, events=events, random_state=0)) for m in models}


def accuracy(history: pd.DataFrame, models: list[str], country: str, jobs: int,
             events: pd.DataFrame | None = None) -> tuple[pd.DataFrame, float]:
    """Per model (and auto): WAPE and coverage over the evaluation origins."""
    t0 = time.monotonic()
    bt = rolling_origin_backtest(history, specs(models, country, events), n_origins=EVAL_ORIGINS + INNER_ORIGINS,
                                 horizon_days=7, step_days=7, n_jobs=jobs,
                                 progress=lambda d, t, l: print(f"  [{d}/{t}] {l}", file=sys.stderr, flush=True))
    elapsed = time.monotonic() - t0
    fc = bt.forecasts
    rows = []
    auto_parts = []
    for queue, fq in fc.groupby("queue"):
        origins = sorted(fq["origin"].unique())
        for j in range(INNER_ORIGINS, len(origins)):
            inner = fq[fq["origin"].isin(origins[j - INNER_ORIGINS:j])]
            # the other queues' backtests at the same inner origins (all before this origin)
            prior = relative_wape(fc[fc["origin"].isin(origins[j - INNER_ORIGINS:j])])
            fail = bt.failures[(bt.failures["queue"] == queue) & bt.failures["origin"].isin(origins[j - INNER_ORIGINS:j])]
            sel = select_from_backtest(inner, fail, strategy=AUTO.strategy, top_k=AUTO.top_k, queue=queue,
                                       max_wape_ratio=AUTO.max_wape_ratio,
                                       combination_margin=AUTO.combination_margin,
                                       relative_prior=prior, pooling=AUTO.pooling)
            here = fq[fq["origin"] == origins[j]]
            wide = here.pivot_table(index="interval_start", columns="model", values="calls_offered")
            actual = here.drop_duplicates("interval_start").set_index("interval_start")["actual"].reindex(wide.index)
            point = combine_points(wide[list(sel.members)].to_numpy().T, np.array(sel.weights), sel.method)
            b = interval_bounds(point, sel.calibration)
            auto_parts.append(pd.DataFrame({"model": "auto", "actual": actual.to_numpy(), "calls_offered": point,
                                            **b, "choice": sel.label}))
    eval_fc = []
    for queue, fq in fc.groupby("queue"):
        origins = sorted(fq["origin"].unique())
        eval_fc.append(fq[fq["origin"].isin(origins[INNER_ORIGINS:])])
    scored = pd.concat(eval_fc + auto_parts, ignore_index=True)
    for model, g in scored.groupby("model"):
        rows.append({
            "model": model, "wape": metrics.wape(g["actual"], g["calls_offered"]),
            "coverage80": metrics.coverage(g["actual"], g["calls_offered_p10"], g["calls_offered_p90"]),
            "coverage95": metrics.coverage(g["actual"], g["calls_offered_p025"], g["calls_offered_p975"]),
            "n_intervals": len(g),
        })
    table = pd.DataFrame(rows).sort_values("wape").reset_index(drop=True)
    choices = pd.concat(auto_parts)["choice"].value_counts()
    table.attrs["choices"] = "; ".join(f"{k} x{v // 168}" for k, v in choices.items())
    table.attrs["failures"] = bt.failures
    return table, elapsed


FIT_SNIPPET = """
import sys, time, resource, pandas as pd
from forecasting.models import make_model
from forecasting.ensemble import model_params
h = pd.read_parquet(sys.argv[1]); h.attrs = {"interval_minutes": 60, "tz": "Europe/Stockholm"}
name = sys.argv[2]
t = time.monotonic()
m = make_model(name, **model_params(name, country="SE", random_state=0)).fit(h)
m.predict(168)
print(time.monotonic() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def per_model_cost(one_queue: pd.DataFrame, models: list[str]) -> pd.DataFrame:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "q.parquet"
        one_queue.drop(columns="queue").to_parquet(path)
        for m in models:
            out = subprocess.run([sys.executable, "-c", FIT_SNIPPET, str(path), m], capture_output=True, text=True,
                                 cwd=ROOT, check=True)
            secs, mib = out.stdout.strip().splitlines()[-1].split()
            rows.append({"model": m, "fit_predict_seconds": float(secs), "peak_rss_mib": float(mib)})
    return pd.DataFrame(rows)


def peak_memory_of(cmd: list[str]) -> tuple[float, float, int]:
    """(peak summed RSS [MiB] of a command and its children, wall seconds, return code)."""
    import psutil

    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ps = psutil.Process(proc.pid)
    peak = 0.0
    while proc.poll() is None:
        try:
            total = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
            peak = max(peak, total / 2**20)
        except psutil.Error:
            pass
        time.sleep(0.2)
    return peak, time.monotonic() - t0, proc.returncode


def md_table(df: pd.DataFrame, floatfmt: str = "{:.3f}") -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        cells = [floatfmt.format(v) if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="leave Prophet out of the accuracy runs (development only)")
    ap.add_argument("--no-events", action="store_true", help="do not give the demo events file to the models")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--skip-memory", action="store_true", help="skip the 4 queues x 3 years memory run")
    args = ap.parse_args()
    models = [m for m in MODELS if not (args.quick and m == "prophet")]
    started = dt.datetime.now(dt.timezone.utc)
    sections = [f"# Forecast accuracy benchmark\n\nRun {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores "
                f"(shared with other jobs: timings are pessimistic). Command: "
                f"`flock /tmp/wfm-bench.lock .venv/bin/python benchmarks/forecast_accuracy.py"
                f"{' --quick' if args.quick else ''}{' --no-events' if args.no_events else ''}"
                f"{f' --jobs {args.jobs}' if args.jobs != 2 else ''}`; load average at start "
                f"{os.getloadavg()[0]:.2f}.\n"]
    demo_events = None if args.no_events else read_events(DEMO_EVENTS)
    datasets = [("demo (4 queues, hourly)", demo_hourly(None), "SE", demo_events)]
    if BANK.exists():
        datasets.append(("Anonymous Bank 1999 (hourly)", bank_hourly(), "IL", None))
    for label, hist, country, events in datasets:
        print(f"accuracy: {label}", file=sys.stderr)
        table, secs = accuracy(hist, models, country, args.jobs, events)
        w = table.set_index("model")["wape"]
        singles = w.drop("auto")
        ratio_naive = w["auto"] / w["seasonal_naive"]
        best = singles.idxmin()
        sections.append(
            f"## Accuracy: {label}\n\n1-week horizon, hourly, {EVAL_ORIGINS} weekly origins (auto nested on "
            f"{INNER_ORIGINS} earlier origins); "
            f"{'events: ' + str(len(events)) + ' from data/demo_events.csv; ' if events is not None else 'no events file; '}"
            f"backtest wall time {secs:.0f} s.\n\n{md_table(table)}\n\n"
            f"- auto / seasonal-naive WAPE = {ratio_naive:.3f} (target <= 0.75: "
            f"{'met' if ratio_naive <= 0.75 else f'MISSED by {(ratio_naive - 0.75) * 100:.1f} points'})\n"
            f"- auto / best single ({best}) WAPE = {w['auto'] / singles.min():.3f} (target <= 1: "
            f"{'met' if w['auto'] <= singles.min() else 'MISSED'})\n"
            f"- auto 80% coverage = {table.set_index('model').loc['auto', 'coverage80']:.3f} (target 0.75-0.85)\n"
            f"- auto's choices per evaluation origin: {table.attrs['choices']}\n"
        )
        fails = table.attrs["failures"]
        if len(fails):
            sections.append(f"Failures: {fails.groupby('model').size().to_dict()}\n")
    demo = demo_hourly(["reports"])
    two_years = demo[demo["interval_start"] > demo["interval_start"].iloc[-1] - pd.Timedelta(days=730)].reset_index(drop=True)
    two_years.attrs = {"interval_minutes": 60, "tz": "Europe/Stockholm"}
    print("per-model cost", file=sys.stderr)
    cost = per_model_cost(two_years, list(MODELS))
    sections.append("## Wall time and peak memory per model\n\nOne fit (including the holdout refit that "
                    "calibrates its intervals) + 1-week predict, 2 years hourly, queue `reports`, one subprocess "
                    f"per model.\n\n{md_table(cost, '{:.1f}')}\n")
    print("full backtest", file=sys.stderr)
    t0 = time.monotonic()
    bt = rolling_origin_backtest(two_years, specs(list(MODELS), "SE"), n_origins=4, horizon_days=42, n_jobs=args.jobs)
    full = time.monotonic() - t0
    sections.append(f"## Full backtest, one queue\n\nAll {len(MODELS)} models, 2 years hourly, 4 origins, 6-week "
                    f"horizon, {args.jobs} jobs: **{full:.0f} s** (target < 180 s: "
                    f"{'met' if full < 180 else f'MISSED by {full - 180:.0f} s'}); "
                    f"{len(bt.failures)} failures.\n")
    if not args.skip_memory:
        print("memory run", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [str(ROOT / ".venv" / "bin" / "wfm"), "forecast", str(DEMO), "--horizon", "28d", "--interval",
                   "15min", "--model", "combination", "--jobs", str(args.jobs), "--out", str(Path(tmp) / "f.csv"),
                   "--quiet"]
            peak, secs, rc = peak_memory_of(cmd)
        sections.append(f"## Peak memory, 4 queues x 3 years at 15 minutes\n\n`wfm forecast data/demo_history.csv.gz "
                        f"--horizon 28d --interval 15min --model combination --jobs {args.jobs}` (ets+mstl+regression "
                        f"median; reads 420k rows): peak RSS summed over the process and its workers "
                        f"**{peak:.0f} MiB** (target < 2048 MiB: {'met' if peak < 2048 else 'MISSED'}), wall "
                        f"{secs:.0f} s, exit code {rc}.\n")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(sections))
    print(OUT.read_text())


if __name__ == "__main__":
    main()
