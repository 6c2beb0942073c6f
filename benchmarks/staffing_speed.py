"""Benchmark: staffing requirements and simulation speed against named peers.

Run::

    .venv/bin/pip install -c constraints.txt pyworkforce   # peer, benchmark only
    .venv/bin/python benchmarks/staffing_speed.py

1. Requirements for 4 weeks of 15-minute intervals (2,688) for "80 % answered
   within 180 s" with Erlang C: ``optimiser.staffing.requirement.required_agents`` (one
   vectorised call) against pyworkforce's ``ErlangC.required_positions`` (one
   object per interval, as its API requires) on the same inputs.  The script
   checks that both give the same agents in every interval.  Target: >= 50x.
   pyworkforce's ``asa`` parameter is the answer-time threshold in MINUTES and
   its ``aht`` and ``interval`` are in minutes too: converted here.
2. The same requirement with Erlang A (patience 120 s, max abandonment 5 %),
   for which pyworkforce has no equivalent.
3. Simulation of a week with ~100,000 calls (time-varying arrivals and agents
   per interval, exponential patience): ``optimiser.queueing.simulation.simulate`` vs
   Ciw 3.2.7 on the same week (no call-backs, since Ciw has no equivalent).
   Target: < 10 s.

Writes ``benchmarks/results/staffing_speed.md`` (with the date).  Timings are
wall-clock, best of several repeats where cheap.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimiser.queueing.simulation import simulate  # noqa: E402
from optimiser.staffing.requirement import required_agents  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "staffing_speed.md"
INTERVAL = 15
N_INTERVALS = 4 * 7 * 96  # 2,688


def demand(n_intervals: int, calls_per_week: float, seed: int = 0):
    """Intraday/intraweek shape like the police non-emergency line, with noise."""
    rng = np.random.default_rng(seed)
    k = np.arange(n_intervals)
    hour = (k % 96) / 4
    weekday = (k // 96) % 7
    shape = 0.08 + np.exp(-((hour - 10.5) / 2.8) ** 2) + 0.6 * np.exp(-((hour - 15) / 2.5) ** 2)
    shape *= np.where(weekday >= 5, 0.6, 1.0)
    shape *= rng.uniform(0.9, 1.1, n_intervals)
    calls = shape / shape[: 7 * 96].sum() * calls_per_week
    aht = 330 + 40 * np.sin(2 * np.pi * hour / 24) + rng.normal(0, 10, n_intervals)
    return calls, aht


def best_of(fn, repeats: int):
    best = float("inf")
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bench_requirements():
    calls, aht = demand(N_INTERVALS, calls_per_week=5.7e6 / 52)
    ours_t, ours = best_of(lambda: required_agents(
        calls, INTERVAL, aht, answer_within_seconds=180, target_service_level=0.8), 5)
    ours_a_t, ours_a = best_of(lambda: required_agents(
        calls, INTERVAL, aht, answer_within_seconds=180, target_service_level=0.8,
        patience_seconds=120, max_abandon_rate=0.05), 3)
    row = {"intervals": N_INTERVALS, "calls_total": float(calls.sum()),
           "ours_s": ours_t, "ours_erlang_a_s": ours_a_t,
           "peak_agents": int(ours["agents_on_phone"].max())}
    try:
        from pyworkforce.queuing import ErlangC
    except ImportError:
        row["pyworkforce"] = "not installed"
        return row

    def peer():
        return np.array([
            ErlangC(transactions=c, aht=h / 60.0, asa=180 / 60.0, interval=INTERVAL)
            .required_positions(service_level=0.8, max_occupancy=1.0)["raw_positions"]
            for c, h in zip(calls, aht)])

    peer_t, peer_n = best_of(peer, 3)
    same = np.array_equal(peer_n, ours["agents_on_phone"].to_numpy())
    mismatches = int(np.sum(peer_n != ours["agents_on_phone"].to_numpy()))
    import importlib.metadata as md
    row.update(pyworkforce=md.version("pyworkforce"), peer_s=peer_t, ratio=peer_t / ours_t,
               same_agents=same, mismatches=mismatches)
    if not same:
        raise SystemExit(f"pyworkforce and optimiser.staffing.requirement disagree in {mismatches} intervals")
    return row


def bench_simulation():
    calls, aht_unused = demand(7 * 96, calls_per_week=100_000, seed=1)
    aht = 240.0
    patience = 200.0
    req = required_agents(calls, INTERVAL, aht, answer_within_seconds=60, target_service_level=0.8)
    agents = req["agents_on_phone"].to_numpy()
    ours_t, res = best_of(lambda: simulate(calls, agents, INTERVAL, aht_seconds=aht,
                                           patience_seconds=patience, answer_within_seconds=60,
                                           seed=7), 3)
    cb_t, res_cb = best_of(lambda: simulate(calls, agents, INTERVAL, aht_seconds=aht,
                                            patience_seconds=patience, answer_within_seconds=60,
                                            callback_threshold_seconds=60, callback_acceptance=0.5,
                                            seed=7), 1)
    day = res.per_day
    row = {"calls_simulated": int(day["calls_offered"].sum()), "ours_s": ours_t, "ours_callbacks_s": cb_t,
           "ours_sl": float(day["answered_within"].sum() / day["inbound_calls"].sum()),
           "ours_abandon": float(day["calls_abandoned"].sum() / day["inbound_calls"].sum())}
    try:
        import ciw
    except ImportError:
        row["ciw"] = "not installed"
        return row
    length = INTERVAL * 60.0
    horizon = len(calls) * length
    rates = list(calls / length)
    endpoints = list(np.arange(1, len(calls) + 1) * length)
    # Ciw replaces every server at each shift end, so consecutive equal counts are merged
    change = np.flatnonzero(np.diff(agents) != 0)
    shift_ends = [float(e) for e in np.append((change + 1) * length, horizon)]
    counts = [int(agents[0])] + [int(agents[i + 1]) for i in change]
    net = ciw.create_network(
        arrival_distributions=[ciw.dists.PoissonIntervals(rates=rates, endpoints=endpoints,
                                                          max_sample_date=horizon)],
        service_distributions=[ciw.dists.Exponential(1 / aht)],
        number_of_servers=[ciw.Schedule(numbers_of_servers=counts,
                                        shift_end_dates=shift_ends, preemption=False)],
        reneging_time_distributions=[ciw.dists.Exponential(1 / patience)])

    def run_ciw():
        ciw.seed(7)
        sim = ciw.Simulation(net)
        sim.simulate_until_max_time(horizon + 3600)
        return sim

    ciw_t, sim = best_of(run_ciw, 1)
    served = [r for r in sim.get_all_records(only=["service"]) if r.arrival_date < horizon]
    reneged = [r for r in sim.get_all_records(only=["renege"]) if r.arrival_date < horizon]
    total = len(served) + len(reneged)
    row.update(ciw=ciw.__version__, ciw_s=ciw_t, ciw_calls=total,
               ciw_sl=sum(r.waiting_time <= 60 for r in served) / total,
               ciw_abandon=len(reneged) / total)
    return row


def ciw_schedule_semantics():
    """Stationary check: 100 calls / 30 min, AHT 180 s, patience 300 s, 14 agents, 100 intervals.

    Ciw with a fixed pool of 14 servers versus a ``ciw.Schedule`` of 14 servers per
    30-minute shift, our simulator, and Erlang A.  Shows why per-interval plans in
    Ciw overstate capacity (every server is replaced at a shift end while the
    outgoing one finishes its customer)."""
    import ciw

    from optimiser.queueing.erlang import queue_metrics

    lam, length, k = 100 / 1800, 1800.0, 100
    ends = list(np.arange(1, k + 1) * length)

    def run(servers):
        net = ciw.create_network(
            arrival_distributions=[ciw.dists.PoissonIntervals(rates=[lam] * k, endpoints=ends,
                                                              max_sample_date=k * length)],
            service_distributions=[ciw.dists.Exponential(1 / 180)], number_of_servers=[servers],
            reneging_time_distributions=[ciw.dists.Exponential(1 / 300)])
        ciw.seed(1)
        sim = ciw.Simulation(net)
        sim.simulate_until_max_time(k * length + 3600)
        s = [r for r in sim.get_all_records(only=["service"]) if r.arrival_date < k * length]
        rn = [r for r in sim.get_all_records(only=["renege"]) if r.arrival_date < k * length]
        total = len(s) + len(rn)
        return total, sum(r.waiting_time <= 20 for r in s) / total, len(rn) / total

    fixed = run(14)
    sched = run(ciw.Schedule(numbers_of_servers=[14] * k, shift_end_dates=ends, preemption=False))
    ours = simulate(np.full(k, 100.0), np.full(k, 14), 30, aht_seconds=180, patience_seconds=300,
                    answer_within_seconds=20, seed=1).per_day
    ours_row = (int(ours["inbound_calls"].sum()),
                float(ours["answered_within"].sum() / ours["inbound_calls"].sum()),
                float(ours["calls_abandoned"].sum() / ours["inbound_calls"].sum()))
    exact = queue_metrics(100, 30, 180, 14, 20, 300).iloc[0]
    return {"ciw_fixed": fixed, "ciw_schedule": sched, "ours": ours_row,
            "erlang_a": (exact["service_level"], exact["abandon_rate"])}


def main():
    today = dt.date.today().isoformat()
    req = bench_requirements()
    sim = bench_simulation()
    lines = [
        f"# Staffing and simulation speed ({today})",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; shared with other jobs while measured, so "
        "absolute times are pessimistic.  Command: `.venv/bin/python benchmarks/staffing_speed.py`.",
        "",
        "## Requirements: 4 weeks of 15-minute intervals",
        "",
        f"{req['intervals']} intervals, {req['calls_total']:.0f} calls (5.7 M calls/year scale), "
        f"80 % within 180 s, peak {req['peak_agents']} agents on the phone.",
        "",
        "| implementation | time | ratio |",
        "|---|---|---|",
        f"| optimiser.staffing.requirement.required_agents (Erlang C, vectorised) | {req['ours_s'] * 1000:.1f} ms | 1x |",
    ]
    if "peer_s" in req:
        lines.append(f"| pyworkforce {req['pyworkforce']} ErlangC.required_positions (loop) | "
                     f"{req['peer_s'] * 1000:.0f} ms | {req['ratio']:.0f}x slower |")
    lines += [
        f"| optimiser.staffing.requirement.required_agents (Erlang A, + max 5 % abandonment) | "
        f"{req['ours_erlang_a_s'] * 1000:.0f} ms | (no peer) |",
        "",
    ]
    if "peer_s" in req:
        verdict = "met" if req["ratio"] >= 50 else f"MISSED (reached {req['ratio']:.0f}x of 50x)"
        lines.append(f"Same agents in every interval: {req['same_agents']} "
                     f"({req['mismatches']} mismatches). Target >= 50x faster: {verdict}.")
    else:
        lines.append("pyworkforce not installed: no comparison.")
    lines += [
        "",
        "## Simulation: one week, ~100,000 calls",
        "",
        f"{sim['calls_simulated']} calls, agents per interval from the Erlang C requirement "
        "(80 % within 60 s), AHT 240 s, patience 200 s (exponential).",
        "",
        "| implementation | time | service level (60 s) | abandonment |",
        "|---|---|---|---|",
        f"| optimiser.queueing.simulation.simulate | {sim['ours_s']:.2f} s | {sim['ours_sl']:.3f} | {sim['ours_abandon']:.3f} |",
        f"| optimiser.queueing.simulation.simulate with call-backs (60 s, 50 %) | {sim['ours_callbacks_s']:.2f} s | | |",
    ]
    if "ciw_s" in sim:
        lines.append(f"| Ciw {sim['ciw']} (PoissonIntervals + Schedule) | {sim['ciw_s']:.2f} s | "
                     f"{sim['ciw_sl']:.3f} | {sim['ciw_abandon']:.3f} |")
    verdict = "met" if sim["ours_s"] < 10 else f"MISSED by {sim['ours_s'] - 10:.1f} s"
    lines += ["", f"Target < 10 s: {verdict}.", ""]
    if "ciw_s" in sim:
        sem = ciw_schedule_semantics()
        lines += [
            "### Why not Ciw for per-interval plans",
            "",
            "Stationary worked example with impatient callers (100 calls / 30 min, AHT 180 s, "
            "patience 300 s, 14 agents, 100 half-hours, ~10,000 calls), service level within 20 s:",
            "",
            "| model | calls | service level | abandonment |",
            "|---|---|---|---|",
            f"| Erlang A (exact) | | {sem['erlang_a'][0]:.3f} | {sem['erlang_a'][1]:.3f} |",
            f"| optimiser.queueing.simulation.simulate, 14 agents per interval | {sem['ours'][0]} | "
            f"{sem['ours'][1]:.3f} | {sem['ours'][2]:.3f} |",
            f"| Ciw, fixed pool of 14 servers | {sem['ciw_fixed'][0]} | {sem['ciw_fixed'][1]:.3f} | "
            f"{sem['ciw_fixed'][2]:.3f} |",
            f"| Ciw, Schedule of 14 servers per 30-min shift | {sem['ciw_schedule'][0]} | "
            f"{sem['ciw_schedule'][1]:.3f} | {sem['ciw_schedule'][2]:.3f} |",
            "",
            "Ciw's Schedule replaces every server at a shift end (with preemption off the "
            "outgoing server finishes its customer while the incoming one already serves), so a "
            "plan given per interval gets extra capacity at every boundary.  Together with the "
            "speed above and call-backs (deferred jobs served by the same agents, not expressible "
            "in Ciw), this is the measured reason for our own simulator.  Ciw stays in the tests as "
            "an independent check of the plain stationary queue.",
            "",
        ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
