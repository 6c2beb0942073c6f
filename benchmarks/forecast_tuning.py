"""How auto's selection rule was chosen, reproducibly (issue 17).

Command::

    .venv/bin/python benchmarks/forecast_tuning.py [--series bank99_h,bank99_30,...] [--candidates ...]

For each series (by default the *tuning* series of :mod:`forecast_series`),
at the model resolution the pipeline uses (sub-hourly series summed to hours):

1. one rolling-origin backtest of every candidate model at ``inner + eval``
   weekly origins, 1-week horizon (``forecasting.backtest``), cached in
   ``/tmp/wfm-forecast-tuning/`` so rules can be compared without refitting;
2. every selection rule is scored NESTED: at each of the last ``eval``
   origins the rule sees only the backtests of the ``inner`` origins before it
   (whose weeks end by that origin), chooses, and its choice is scored on the
   origin's week.

The table printed (and written to ``benchmarks/results/forecast_tuning.md``)
gives, per series, each single model's WAPE over the evaluation origins
(hindsight, for reference) and each rule's nested WAPE. Held-out series
(``bank03_30``, ``mpls_h``) are NOT run unless named: they are for reporting.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from forecast_accuracy import md_table  # noqa: E402
from forecast_series import SERIES  # noqa: E402

from forecasting import metrics  # noqa: E402
from forecasting.backtest import rolling_origin_backtest  # noqa: E402
from forecasting.ensemble import model_params, select_from_backtest  # noqa: E402
from forecasting.intraday import aggregate_intervals  # noqa: E402

CACHE = Path("/tmp/wfm-forecast-tuning")
OUT = ROOT / "benchmarks" / "results" / "forecast_tuning.md"
INNER, EVAL = 6, 4


def model_resolution(hist: pd.DataFrame) -> pd.DataFrame:
    minutes = hist.attrs["interval_minutes"]
    if minutes >= 60:
        return hist
    out = aggregate_intervals(hist, 60)
    out.attrs = dict(hist.attrs, interval_minutes=60)
    return out


def backtest(key: str, candidates: list[str], jobs: int) -> pd.DataFrame:
    CACHE.mkdir(exist_ok=True)
    series = SERIES[key]
    parts = []
    hist = model_resolution(series.load())
    for name in candidates:
        path = CACHE / f"{key}__{name}.parquet"
        if path.exists():
            parts.append(pd.read_parquet(path))
            continue
        print(f"backtest {key} {name}", file=sys.stderr, flush=True)
        bt = rolling_origin_backtest(hist, {name: spec(name, series.country)}, n_origins=INNER + EVAL,
                                     horizon_days=7, step_days=7, n_jobs=jobs)
        bt.forecasts.to_parquet(path)
        parts.append(bt.forecasts)
    return pd.concat(parts, ignore_index=True)


def spec(name: str, country):
    """``"weekly_mean@n_weeks=8"`` -> a backtest model spec (registry name + params, or an instance)."""
    from forecasting.models import MODELS
    from forecasting.models.statsforecast_models import SFMSTL, SFAutoETS

    base, _, variant = name.partition("@")
    params = {}
    if variant:
        k, v = variant.split("=")
        params[k] = None if v == "None" else int(v)
    if base in MODELS:
        return (base, {**model_params(base, country=country, random_state=0), **params})
    return {"sf_ets": SFAutoETS, "sf_mstl": SFMSTL}[base](**params)


def nested(fc: pd.DataFrame, rule) -> tuple[float, list[str]]:
    """Pooled WAPE of ``rule`` chosen at each eval origin on the INNER origins before it."""
    abs_err = total = 0.0
    labels = []
    for queue, fq in fc.groupby("queue"):
        origins = sorted(fq["origin"].unique())
        for j in range(len(origins) - EVAL, len(origins)):
            inner = fq[fq["origin"].isin(origins[max(0, j - INNER):j])]
            here = fq[fq["origin"] == origins[j]]
            wide = here.pivot_table(index="interval_start", columns="model", values="calls_offered")
            actual = here.drop_duplicates("interval_start").set_index("interval_start")["actual"].reindex(wide.index)
            point, label = rule(inner, wide)
            abs_err += float(np.abs(actual.to_numpy() - point).sum())
            total += float(actual.sum())
            labels.append(label)
    return abs_err / total, labels


def rule_current(inner, wide):
    sel = select_from_backtest(inner)
    w = np.array(sel.weights)
    pts = wide[list(sel.members)].to_numpy().T
    return (np.median(pts, axis=0) if sel.method == "median" else w @ pts), sel.label


def rule_fixed(name):
    def rule(inner, wide):
        return wide[name].to_numpy(), name
    return rule


def rule_best(inner, wide):
    scores = inner.groupby("model").apply(lambda g: metrics.wape(g["actual"], g["calls_offered"]))
    best = scores.idxmin()
    return wide[best].to_numpy(), best


def rule_median_top(k):
    def rule(inner, wide):
        scores = inner.groupby("model").apply(lambda g: metrics.wape(g["actual"], g["calls_offered"]))
        top = list(scores.sort_values().index[:k])
        return np.median(wide[top].to_numpy(), axis=1), "median(" + "+".join(top) + ")"
    return rule


def rule_median_of(names):
    def rule(inner, wide):
        return np.median(wide[list(names)].to_numpy(), axis=1), "median(" + "+".join(names) + ")"
    return rule


RULES = {
    "current": rule_current,
    "best": rule_best,
    "median_top3": rule_median_top(3),
    "median_top5": rule_median_top(5),
    "median_mean_ets_reg": rule_median_of(["weekly_mean", "ets", "regression"]),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", default=",".join(k for k, s in SERIES.items() if s.role == "tuning"))
    ap.add_argument("--candidates", default="seasonal_naive,weekly_mean,ets,mstl,regression,"
                    "weekly_mean@n_weeks=2,weekly_mean@n_weeks=8,sf_ets,sf_mstl")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    candidates = args.candidates.split(",")
    rows = []
    for key in args.series.split(","):
        fc = backtest(key, candidates, args.jobs)
        row = {"series": key, "role": SERIES[key].role}
        for name in candidates:
            row[name] = nested(fc, rule_fixed(name))[0]
        choices = {}
        for rname, rule in RULES.items():
            try:
                w, labels = nested(fc, rule)
            except KeyError:  # a rule naming a model not backtested here
                continue
            row["rule:" + rname] = w
            choices[rname] = ", ".join(pd.Series(labels).value_counts().index[:2])
        row["choices (current; median_top3)"] = f"{choices.get('current', '')}; {choices.get('median_top3', '')}"
        rows.append(row)
        print(pd.Series(row).to_string(), file=sys.stderr, flush=True)
    table = pd.DataFrame(rows)
    OUT.write_text("# auto rule tuning (nested, model resolution)\n\n" + md_table(table))
    print(OUT.read_text())


if __name__ == "__main__":
    main()
