"""Why auto lost on unseen series: one measurement per suspected cause (issue 17 item 1).

Command::

    .venv/bin/python benchmarks/forecast_diagnosis.py [--causes zone,missing,shift,spike]

Each cause is measured by running the same forecast twice on a real series,
once as it is and once with only that cause changed, over the last weekly
origins (1-week horizon, WAPE on the rows that exist), through the product's
own pipeline (``forecasting.pipeline.forecast``) with a cheap model, so that
the difference is the cause's alone:

* ``zone``: the 2003 North American bank read in its own zone
  (America/New_York, US holidays) vs re-cut to the default zone
  Europe/Stockholm with Swedish holidays (what a file with UTC offsets got
  silently before issue 17);
* ``missing``: the 1999 bank at 30 minutes as it is vs with 2 % of the rows
  inside opening hours deleted (an export that lost rows): the pipeline sums
  30-minute rows to hours, so an hour that lost one of its rows is read as an
  hour with half the calls;
* ``shift``: a level shift -- the 1999 bank hourly, whose weekly volume moved
  by a third in November 1999 -- forecast by the 4-week mean and by models
  fitted on 16 weeks vs on the whole year;
* ``spike``: one day of 5x the calls (a one-off incident) placed in the last
  training week of the 1999 bank hourly: how much each model's next week moves.

Results: ``benchmarks/results/forecast_diagnosis.md``; the numbers are quoted
in ``docs/forecasting_pipeline.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from forecast_series import SERIES  # noqa: E402

from forecasting.backtest import backtest_origins  # noqa: E402
from forecasting.pipeline import ForecastSettings, forecast  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "forecast_diagnosis.md"


def score(hist: pd.DataFrame, model: str, country, origins: int = 4, aggregate_test=None, **kw) -> float:
    """Pooled WAPE of ``model`` over the last ``origins`` weekly origins of ``hist``."""
    tz, minutes = hist.attrs["tz"], hist.attrs["interval_minutes"]
    one = hist[hist["queue"] == hist["queue"].iloc[0]].drop(columns="queue")
    one.attrs = dict(hist.attrs)
    err = tot = 0.0
    truth = aggregate_test if aggregate_test is not None else hist
    for origin in backtest_origins(one, n_origins=origins, horizon_days=7, step_days=7):
        train = hist[hist["interval_start"] < origin].reset_index(drop=True)
        train.attrs = dict(hist.attrs)
        end = origin + pd.Timedelta(days=7)
        test = truth[(truth["interval_start"] >= origin) & (truth["interval_start"] < end)]
        last = train["interval_start"].iloc[-1].tz_convert(tz).tz_localize(None)
        start = last.normalize() + pd.Timedelta(days=1)
        days = int(((end.tz_convert(tz).tz_localize(None).normalize() - start) / pd.Timedelta(days=1))) + 1
        settings = ForecastSettings(days, minutes, model=model, country=country, aht_seconds=180.0, **kw)
        fc = forecast(train, settings, n_jobs=1).forecast
        got = fc.set_index(["queue", "interval_start"])["calls_offered"].reindex(
            pd.MultiIndex.from_arrays([test["queue"].astype(str), test["interval_start"]])).fillna(0.0).to_numpy()
        err += float(np.abs(test["calls_offered"].to_numpy() - got).sum())
        tot += float(test["calls_offered"].sum())
    return err / tot


def cause_zone() -> list[str]:
    h = SERIES["bank03_30"].load()
    stockholm = h.assign(interval_start=h["interval_start"].dt.tz_convert("Europe/Stockholm"))
    stockholm.attrs = dict(h.attrs, tz="Europe/Stockholm")
    rows = []
    for model in ("weekly_mean", "regression"):
        own = score(h, model, "US")
        trap = score(stockholm, model, "SE")
        rows.append(f"| {model} | {own:.3f} | {trap:.3f} | {trap / own:.2f} |")
    return ["## zone: 2003 bank, own zone vs re-cut to Stockholm days and Swedish holidays\n",
            "| model | America/New_York, US | Europe/Stockholm, SE | ratio |", "|---|---|---|---|", *rows]


def cause_missing() -> list[str]:
    h = SERIES["bank99_30"].load()
    rng = np.random.default_rng(17)
    drop = rng.random(len(h)) < 0.02
    lost = h[~drop].reset_index(drop=True)
    lost.attrs = dict(h.attrs)
    rows = []
    for model in ("weekly_mean", "ets"):
        full = score(h, model, "IL")
        gaps = score(lost, model, "IL", aggregate_test=h)
        rows.append(f"| {model} | {full:.3f} | {gaps:.3f} | {gaps / full:.2f} |")
    return [f"## missing rows: 1999 bank at 30 minutes, {int(drop.sum())} of {len(h)} rows (2 %) deleted at random\n",
            "Scored on every true row (the deleted ones included).\n",
            "| model | all rows | 2 % of rows missing | ratio |", "|---|---|---|---|", *rows]


def cause_shift() -> list[str]:
    h = SERIES["bank99_h"].load()
    rows = []
    for label, model, kw in (("4-week mean", "weekly_mean", {}), ("ETS, last 16 weeks", "ets", {}),
                             ("regression, whole year", "regression", {})):
        rows.append(f"| {label} | {score(h, model, 'IL', **kw):.3f} |")
    return ["## level shift: 1999 bank hourly (weekly volume up ~30 % from November)\n",
            "| model | WAPE, last 4 weekly origins |", "|---|---|", *rows]


def cause_spike() -> list[str]:
    h = SERIES["bank99_h"].load()
    one = h.drop(columns="queue")
    one.attrs = dict(h.attrs)
    origin = backtest_origins(one, n_origins=1, horizon_days=7, step_days=7)[0]
    day = origin - pd.Timedelta(days=3)
    spiked = h.copy()
    mask = (spiked["interval_start"] >= day) & (spiked["interval_start"] < day + pd.Timedelta(days=1))
    spiked.loc[mask, "calls_offered"] *= 5
    rows = []
    for model in ("seasonal_naive", "weekly_mean", "ets", "regression"):
        clean = score(h, model, "IL", origins=1)
        bad = score(spiked, model, "IL", origins=1, aggregate_test=h)
        rows.append(f"| {model} | {clean:.3f} | {bad:.3f} | {bad / clean:.2f} |")
    return [f"## spike: 1999 bank hourly, calls x5 on {day.date()} (3 days before the last origin)\n",
            "| model | clean | with the spike day | ratio |", "|---|---|---|---|", *rows]


CAUSES = {"zone": cause_zone, "missing": cause_missing, "shift": cause_shift, "spike": cause_spike}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--causes", default=",".join(CAUSES))
    args = ap.parse_args()
    parts = ["# Forecast diagnosis (issue 17 item 1)\n", f"Run {pd.Timestamp.now(tz='UTC'):%Y-%m-%d %H:%M} UTC.\n"]
    for c in args.causes.split(","):
        t = time.monotonic()
        parts += CAUSES[c]() + ["", f"({time.monotonic() - t:.0f} s)", ""]
        print("\n".join(parts[-4:]), file=sys.stderr, flush=True)
    OUT.write_text("\n".join(parts))
    print(OUT.read_text())


if __name__ == "__main__":
    main()
