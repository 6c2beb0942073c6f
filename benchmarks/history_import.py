"""Benchmark: how long the strict importer takes on a demo-sized history.

Run: ``.venv/bin/python benchmarks/history_import.py [FILE]``.

Without FILE it uses ``data/demo_history.csv.gz`` when present, else builds a
synthetic file of the same shape (4 queues, 15-minute intervals, 2023-01-01 to
2025-12-31 Europe/Stockholm, ~420k rows) in a temporary directory.  It times
``read_history`` + ``summarise_history`` (what ``wfm validate`` does) against
two peers on the same file in the same run:

* ``pandas.read_csv`` alone (no checks; with mixed UTC offsets pandas leaves
  ``interval_start`` as text, so this is only the tokenising floor);
* ``pandas.read_csv`` + the obvious checks written naively in pandas
  (``to_datetime(utc=True)``, ``duplicated``, ``(x < 0).any()``): a few of our
  rules only, without row-level messages, gaps or opening hours.

Prints best-of-3 wall times and the ratios.  The target is "a few seconds".
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.history import summarise_history
from wfm.io.history import read_history

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo_history.csv.gz"


def synthetic(path: Path) -> Path:
    grid = pd.date_range(pd.Timestamp("2023-01-01", tz="Europe/Stockholm"), pd.Timestamp("2025-12-31 23:45", tz="Europe/Stockholm"), freq="15min")
    rng = np.random.default_rng(0)
    frames = []
    for q in ("reports", "tips", "switchboard", "english"):
        offered = rng.poisson(20, len(grid))
        answered = rng.binomial(offered, 0.85)
        abandoned = rng.binomial(offered - answered, 0.9)
        frames.append(pd.DataFrame({
            "interval_start": grid.map(lambda t: t.isoformat()),
            "queue": q,
            "calls_offered": offered,
            "calls_answered": answered,
            "calls_abandoned": abandoned,
            "aht_seconds": np.round(rng.uniform(200, 400, len(grid)), 1),
        }))
    pd.concat(frames).to_csv(path, index=False, compression="gzip")
    return path


def best_of(fn, n: int = 3) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def naive_checks(path: Path) -> None:
    df = pd.read_csv(path)
    ts = pd.to_datetime(df["interval_start"], utc=True)
    assert not df.assign(ts=ts).duplicated(["queue", "ts"]).any()
    assert not (df["calls_offered"] < 0).any()
    assert not (df["calls_answered"] + df["calls_abandoned"] > df["calls_offered"]).any()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if len(sys.argv) > 1:
            path = Path(sys.argv[1])
        elif DEMO.exists():
            path = DEMO
        else:
            path = synthetic(Path(tmp) / "synthetic_history.csv.gz")
        rows = None

        def ours() -> None:
            nonlocal rows
            df = read_history(path)
            summarise_history(df)
            rows = len(df)

        t_ours = best_of(ours)
        t_floor = best_of(lambda: pd.read_csv(path))
        t_naive = best_of(lambda: naive_checks(path))
        print(f"date: {dt.date.today().isoformat()}  file: {path.name}  rows: {rows:,}")
        print(f"read_history + summarise_history: {t_ours:6.2f} s")
        print(f"pandas.read_csv (no parsing):     {t_floor:6.2f} s  (ours / this = {t_ours / t_floor:.1f}x)")
        print(f"pandas read_csv + naive checks:   {t_naive:6.2f} s  (ours / this = {t_ours / t_naive:.1f}x)")


if __name__ == "__main__":
    main()
