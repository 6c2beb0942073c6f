"""Demo-data generator speed, against the importer reading the same file, and the cost of its queueing.

The generator's waits and abandonment come from ``optimiser.queueing.erlang.queue_metrics`` (Erlang A);
its time on one day's cells (4 queues x 96 intervals) is reported beside the whole run.

Run: ``.venv/bin/python benchmarks/bench_demo.py``. Prints timings; the README quotes them with the date run.
"""

import datetime
import os
import tempfile
import time

import numpy as np
import pandas as pd

import optimiser.queueing.erlang as E
from optimiser.demo.history import generate_demo_history
from wfm.io.history import read_history, write_history_csv


def best(f, n=3):
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        r = f()
        ts.append(time.perf_counter() - t)
    return min(ts), r


def main() -> None:
    print(datetime.datetime.now(datetime.UTC).isoformat(), "load", os.getloadavg())
    tg, h = best(generate_demo_history, 3)
    d = tempfile.mkdtemp()
    tw, _ = best(lambda: write_history_csv(h, os.path.join(d, "x.csv.gz"), seconds_decimals=0), 2)
    tr, _ = best(lambda: read_history("data/demo_history.csv.gz"), 2)
    tp, _ = best(lambda: pd.read_csv("data/demo_history.csv.gz"), 2)
    rng = np.random.default_rng(0)
    n = 4 * 96
    calls = rng.uniform(1, 150, n)
    aht = rng.uniform(60, 1200, n)
    agents = np.floor(calls * aht / 900 * rng.uniform(0.6, 1.4, n))
    pat = rng.uniform(300, 3600, n)
    ta, _ = best(lambda: E.queue_metrics(calls, 15, aht, agents, 0.0, pat), 5)
    print(f"generate {tg:.2f}s write {tw:.2f}s read_history {tr:.2f}s read_csv {tp:.2f}s "
          f"(generate / read_history {tg / tr:.2f})")
    print(f"erlang A (queue_metrics) on one day's {n} cells {1000 * ta:.1f} ms; the generator evaluates "
          f"2-3 such days per day plus the call-back bisection on the long-wait cells")


if __name__ == "__main__":
    main()
