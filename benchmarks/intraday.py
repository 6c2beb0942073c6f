"""Benchmark: does the rest-of-day re-forecast beat the day-ahead forecast?  (issue 21 item 6)

Run (serialised machine-wide, the load reported with the figures)::

    flock /tmp/wfm-bench.lock .venv/bin/python benchmarks/intraday.py [--days 20] [--model weekly_mean]
        [--out benchmarks/results/intraday.md]

Series (real data where it exists; quote the source with a figure):

* **demo** -- ``data/demo_history.csv.gz``, 4 queues at 15 minutes (Europe/Stockholm, Swedish calendar);
* **bank99** -- the "Anonymous Bank" 1999 counts (``../shared/data/bank_1999``, Technion SEE lab; Brown et
  al. 2005), hourly, 24/7, Asia/Jerusalem with the Israeli calendar; calls only, so the handle time is set
  to the records' mean 184 s (it does not enter the WAPE).

For each series ``2 x --days`` days are taken two days apart; the first ``--days`` are the **tuning**
days, the last ``--days`` the **reported** days.  Each day the day-ahead forecast is the project's
pipeline (``forecasting.pipeline.forecast``, ``--model``, fitted on the 10 weeks before the day, horizon
1 day).  At 10:00, 12:00 and 14:00 the actuals of the ended intervals are given to
``optimiser.today.reforecast.reforecast_day`` and the WAPE of the rest of the day
(sum |actual - forecast| / sum actual over the intervals still to come and every queue) is computed for
the day-ahead forecast and for the re-forecast at several ``shrink_power`` values (weight = share of
the day passed ** shrink_power; 0 trusts today's ratio fully).  ``shrink_power`` is chosen on the
tuning days of both series (mean WAPE over days and decision times); the reported days give the
figures: day-ahead, the issue's rule (``shrink_power`` 1) and the tuned value.

The time of one refresh (``optimiser.today.steer.steer_day``: checks, re-forecast, projection for a day of
the demo, agents from the day-ahead requirement) is measured too (the page's < 2 s budget).
"""

from __future__ import annotations

import argparse
import platform
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from forecast_series import BANK_COUNTS, load_bank99_hourly  # noqa: E402
from forecasting.pipeline import ForecastSettings, forecast  # noqa: E402
from wfm.io.history import read_history  # noqa: E402
from optimiser.today.actuals import actuals_so_far, day_of_plan  # noqa: E402
from optimiser.today.reforecast import reforecast_day  # noqa: E402

DECISION_HOURS = (10, 12, 14)
POWERS = (0.0, 0.5, 1.0, 2.0, 4.0)
BANK_AHT_SECONDS = 184.0


def _load(series: str) -> tuple[pd.DataFrame, str, pd.Timestamp]:
    if series == "demo":
        h = read_history(ROOT / "data" / "demo_history.csv.gz")
        return h, "SE", pd.Timestamp("2025-09-01", tz=h.attrs["tz"])
    h = load_bank99_hourly()
    return h, "IL", pd.Timestamp("1999-06-01", tz=h.attrs["tz"])


def _day_ahead(history: pd.DataFrame, day: pd.Timestamp, model: str, country: str) -> pd.DataFrame:
    past = history[(history["interval_start"] < day) & (history["interval_start"] >= day - pd.Timedelta(weeks=10))]
    past = past.reset_index(drop=True)
    past.attrs.update(history.attrs)
    settings = ForecastSettings(horizon_days=1, interval_minutes=int(history.attrs["interval_minutes"]), model=model,
                                country=country)
    fc = forecast(past, settings, n_jobs=1).forecast
    if fc["aht_seconds"].isna().any():  # calls-only history (the bank): the handle time does not enter the WAPE
        fc["aht_seconds"] = fc["aht_seconds"].fillna(BANK_AHT_SECONDS)
    return fc


def _markdown(frame: pd.DataFrame, digits: int = 4) -> str:
    """A pipe table (no tabulate dependency)."""
    flat = frame.reset_index()
    cells = [[f"{v:.{digits}f}" if isinstance(v, float) else str(v) for v in row] for row in flat.itertuples(index=False)]
    head = "| " + " | ".join(map(str, flat.columns)) + " |"
    rule = "|" + "|".join("---" for _ in flat.columns) + "|"
    return "\n".join([head, rule] + ["| " + " | ".join(r) + " |" for r in cells])


def _wape(actual: np.ndarray, predicted: np.ndarray) -> float:
    total = actual.sum()
    return float(np.abs(actual - predicted).sum() / total) if total > 0 else float("nan")


def evaluate_day(history: pd.DataFrame, day: pd.Timestamp, model: str, country: str) -> list[dict]:
    fc = _day_ahead(history, day, model, country)
    end = (day.tz_localize(None) + pd.Timedelta(days=1)).tz_localize(day.tz)
    today = history[(history["interval_start"] >= day) & (history["interval_start"] < end)].reset_index(drop=True)
    today.attrs.update(history.attrs)
    rows = []
    for hour in DECISION_HOURS:
        now = (day.tz_localize(None) + pd.Timedelta(hours=hour)).tz_localize(day.tz)
        plan = day_of_plan(fc, now)
        done = today[today["interval_start"] + pd.Timedelta(minutes=history.attrs["interval_minutes"]) <= now]
        done = done.reset_index(drop=True)
        done.attrs.update(today.attrs)
        so_far = actuals_so_far(done, plan, now)
        truth = today.set_index(["queue", "interval_start"])["calls_offered"]
        row = {"day": day.date().isoformat(), "hour": hour}
        for power in POWERS:
            rest = reforecast_day(plan, so_far, now, shrink_power=power).rest_of_day()
            actual = truth.reindex(pd.MultiIndex.from_frame(rest[["queue", "interval_start"]])).to_numpy(float)
            ok = np.isfinite(actual)
            row[f"wape_p{power:g}"] = _wape(actual[ok], rest["calls_offered"].to_numpy()[ok])
            row["wape_day_ahead"] = _wape(actual[ok], rest["calls_offered_day_ahead"].to_numpy()[ok])
        rows.append(row)
    return rows


def refresh_seconds(history: pd.DataFrame, model: str) -> float:
    """Wall time of one steer_day call on a demo day at 12:00 (median of 5)."""
    from optimiser.staffing.requirement import AccessibilityTargets, staffing_table
    from optimiser.today.steer import steer_day

    day = pd.Timestamp("2025-11-12", tz=history.attrs["tz"])
    fc = _day_ahead(history, day, model, "SE")
    targets = AccessibilityTargets(answer_within_seconds=180, target_service_level=0.8, patience_seconds=1800)
    req = staffing_table(fc, targets)
    agents = req.groupby("interval_start")["agents_on_phone"].sum().astype(float)
    today = history[(history["interval_start"] >= day) & (history["interval_start"] < day + pd.Timedelta(days=1))]
    today = today.reset_index(drop=True)
    today.attrs.update(history.attrs)
    now = day + pd.Timedelta(hours=12)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        steer_day(fc, today, pd.DataFrame({"start": [], "end": []}), now, targets, replay=True,
                  agents_on_phone=agents)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def actions_seconds(history: pd.DataFrame, model: str, agents_on_shift: int = 800) -> dict:
    """Wall time of recommend_actions on a demo day at 12:00 with ``agents_on_shift`` named agents (median of 3).

    The roster is synthetic (the demo has no published roster): the demo's agents in file order,
    8-hour shifts starting every hour from 06:00 to 21:00 in turn, a 30-minute break 4 hours in;
    the agent list, the demo's unavailability and the packaged Swedish rules check every overtime
    offer and break move.
    """
    from optimiser.staffing.requirement import AccessibilityTargets
    from optimiser.today.actions import recommend_actions
    from optimiser.today.steer import steer_day
    from wfm.ground.frames import Break, format_breaks
    from wfm.io.agents import read_agents, read_unavailability
    from wfm.io.rules import load_ruleset

    tz = history.attrs["tz"]
    day = pd.Timestamp("2025-11-12", tz=tz)
    fc = _day_ahead(history, day, model, "SE")
    agents = read_agents(ROOT / "data" / "demo_agents.csv").head(agents_on_shift)
    unavailability = read_unavailability(ROOT / "data" / "demo_agent_unavailability.csv", agents, tz=tz)
    rows = []
    for k, aid in enumerate(agents["agent_id"]):
        start = day + pd.Timedelta(hours=6 + k % 16)
        rows.append({"agent_id": aid, "name": aid, "site": None, "skill_group": "sv_all", "shift_id": f"S{k}",
                     "start": start, "end": start + pd.Timedelta(hours=8), "paid_minutes": 450,
                     "breaks": format_breaks([Break(start + pd.Timedelta(hours=4), 30, False)])})
    shifts = pd.DataFrame(rows)
    targets = AccessibilityTargets(answer_within_seconds=180, target_service_level=0.8, patience_seconds=1800)
    today = history[(history["interval_start"] >= day) & (history["interval_start"] < day + pd.Timedelta(days=1))]
    today = today.reset_index(drop=True)
    today.attrs.update(history.attrs)
    state = steer_day(fc, today, shifts, day + pd.Timedelta(hours=12), targets, replay=True)
    times, actions = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        actions = recommend_actions(state, agents=agents, ruleset=load_ruleset("sweden"),
                                    unavailability=unavailability)
        times.append(time.perf_counter() - t0)
    return {"seconds": float(np.median(times)), "agents": len(shifts), "actions": len(actions),
            "kinds": sorted({a.kind for a in actions}), "day_service_level": state.projection.day["service_level"],
            "best": actions[0].description if actions else "", "best_gain": actions[0].gain if actions else 0.0}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--days", type=int, default=20, help="tuning days and reported days per series")
    p.add_argument("--model", default="weekly_mean", help="day-ahead model of the pipeline")
    p.add_argument("--series", default="demo,bank99")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "intraday.md"))
    p.add_argument("--actions-only", action="store_true", help="only time recommend_actions (800 named agents)")
    args = p.parse_args(argv)
    if args.actions_only:
        load = os.getloadavg()[0]
        h, _, _ = _load("demo")
        result = actions_seconds(h, args.model)
        print(f"recommend_actions ({pd.Timestamp.now(tz='UTC'):%Y-%m-%d %H:%M} UTC, load {load:.1f} -> "
              f"{os.getloadavg()[0]:.1f}): {result}")
        return 0
    started = pd.Timestamp.now(tz="UTC")
    load_start = os.getloadavg()
    rows = []
    for series in args.series.split(","):
        if series == "bank99" and not BANK_COUNTS.exists():
            print(f"skip bank99: {BANK_COUNTS} not found")
            continue
        history, country, first = _load(series)
        tz = history.attrs["tz"]  # local calendar days (a DST day is 23 or 25 hours long)
        days = [(first.tz_localize(None) + pd.Timedelta(days=2 * k)).tz_localize(tz) for k in range(2 * args.days)]
        for k, day in enumerate(days):
            for row in evaluate_day(history, day, args.model, country):
                rows.append({"series": series, "set": "tuning" if k < args.days else "reported", **row})
            print(f"{series} {day.date()} done", flush=True)
        if series == "demo":
            refresh = refresh_seconds(history, args.model)
    table = pd.DataFrame(rows)
    cols = ["wape_day_ahead"] + [f"wape_p{p:g}" for p in POWERS]
    tuned = table[table["set"] == "tuning"][cols[1:]].mean().idxmin()
    summary = table.groupby(["set", "series", "hour"])[cols].mean()
    load_end = os.getloadavg()
    finished = pd.Timestamp.now(tz="UTC")
    lines = [f"# Intraday re-forecast benchmark ({started:%Y-%m-%d %H:%M}-{finished:%H:%M} UTC)", "",
             f"`flock /tmp/wfm-bench.lock .venv/bin/python benchmarks/intraday.py --days {args.days} "
             f"--model {args.model}`; machine {platform.node()}, load average {load_start[0]:.1f} at start, "
             f"{load_end[0]:.1f} at the end.", "",
             f"shrink_power chosen on the tuning days: **{tuned.removeprefix('wape_p')}** "
             "(mean rest-of-day WAPE over both series and the three decision times).", "",
             "Mean rest-of-day WAPE per decision time (lower is better):", "",
             _markdown(summary), ""]
    rep = table[table["set"] == "reported"]
    wins = rep.groupby(["series", "hour"]).apply(
        lambda g: pd.Series({"days": len(g), "p1_beats_day_ahead": int((g["wape_p1"] < g["wape_day_ahead"]).sum()),
                             "tuned_beats_day_ahead": int((g[tuned] < g["wape_day_ahead"]).sum())}),
        include_groups=False)
    lines += ["Reported days on which the re-forecast's WAPE is below the day-ahead forecast's:", "",
              _markdown(wins), ""]
    if "demo" in args.series:
        lines += [f"One refresh (`steer_day`, demo day, 4 queues x 96 intervals, 12:00): {refresh:.3f} s "
                  "(median of 5).", ""]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    table.to_csv(Path(args.out).with_suffix(".csv"), index=False)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
