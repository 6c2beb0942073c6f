"""Benchmark: the monthly forecaster of the capacity plan, 12 months ahead, against two peers.

Run::

    .venv/bin/python benchmarks/capacity_forecast.py

On the demo history (2023-2025): fit on 2023-01..2024-12, forecast the 12 months of 2025, and compare with
what came, per queue and in total: ``forecasting.monthly.MonthlyForecaster`` (Theil-Sen trend + yearly season)
against the seasonal naive (the same month of 2024) and the 2024 monthly mean (no season, no trend), all in
calls per month.  WAPE = sum |forecast - actual| / sum actual.  The demo is synthetic (its generator has a
trend and a yearly season), so this checks that the method recovers them out of sample; no real series of two
or more years is available to the project (``/work/shared/data`` has one year of the Anonymous Bank).

Also the coverage of the forecaster's 80 % interval (log-normal with ``log_sd``): the share of queue-months
inside it.  Writes ``benchmarks/results/capacity_forecast.md``.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.monthly import MonthlyForecaster, monthly_totals  # noqa: E402
from wfm.io.history import read_history  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "capacity_forecast.md"
Z80 = 1.2816


def _wape(forecast: np.ndarray, actual: np.ndarray) -> float:
    return float(np.abs(forecast - actual).sum() / actual.sum())


def main() -> None:
    started = dt.datetime.now(dt.timezone.utc)
    history = read_history(ROOT / "data" / "demo_history.csv.gz")
    local = history["interval_start"].dt.tz_convert("Europe/Stockholm")
    train = history[local < pd.Timestamp("2025-01-01", tz="Europe/Stockholm")]
    actual = monthly_totals(history)
    actual = actual[[m.year == 2025 for m in actual["month"]]]
    model = MonthlyForecaster(interval_minutes=60).fit(train)
    fc = model.predict(dt.date(2025, 1, 1), 12)
    last = monthly_totals(train)
    last = last[[m.year == 2024 for m in last["month"]]]
    rows, inside, total = [], 0, 0
    for queue in sorted(actual["queue"].unique()):
        a = actual[actual["queue"] == queue].set_index("month")["calls_offered"]
        f = fc[fc["queue"] == queue].set_index("month").reindex(a.index)
        prev = last[last["queue"] == queue].set_index("month")["calls_offered"]
        naive = np.array([prev.get(dt.date(2024, m.month, 1), np.nan) for m in a.index])
        mean = np.full(len(a), prev.mean())
        median = f["calls_offered"] * np.exp(-0.5 * f["log_sd"] ** 2)
        lo, hi = median * np.exp(-Z80 * f["log_sd"]), median * np.exp(Z80 * f["log_sd"])
        inside += int(((a >= lo) & (a <= hi)).sum())
        total += len(a)
        rows.append({"queue": queue, "months": len(a), "monthly": _wape(f["calls_offered"].to_numpy(), a.to_numpy()),
                     "seasonal_naive": _wape(naive, a.to_numpy()), "mean_2024": _wape(mean, a.to_numpy()),
                     "method": model.models_[queue].method,
                     "growth_per_year": model.models_[queue].growth_per_year})
    table = pd.DataFrame(rows)
    lines = [
        "# Monthly forecaster, 12 months ahead (`benchmarks/capacity_forecast.py`)",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}. Demo history: fit 2023-2024, "
        "forecast 2025. WAPE of calls per month (lower is better).",
        "",
        "| queue | months | monthly forecaster | seasonal naive (2024) | 2024 mean | method | fitted growth / year |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples(index=False):
        lines.append(f"| {r.queue} | {r.months} | {100 * r.monthly:.1f} % | {100 * r.seasonal_naive:.1f} % | "
                     f"{100 * r.mean_2024:.1f} % | {r.method} | {100 * r.growth_per_year:+.1f} % |")
    lines += ["", f"80 % interval coverage: {inside} of {total} queue-months ({100 * inside / max(total, 1):.0f} %).", ""]
    text = "\n".join(lines)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
