"""Test ids are deterministic (issue 16, item 7).

pytest-xdist refuses to run when its workers collect different ids, so an id that embeds a clock
(gzip bytes hold their compression time), a memory address or a set's hash order makes a fresh
``make test`` fail at random.  This collects the whole suite in two processes, at different
seconds and with different hash seeds, and compares the ids.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _collect(hash_seed: str) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "-p", "no:randomly", str(REPO / "tests")],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_two_collections_in_different_processes_give_the_same_ids():
    first = _collect("1")
    time.sleep(1.1)  # a different second, as two xdist workers may see
    second = _collect("2")
    assert len(first) > 500
    assert first == second, sorted(set(first) ^ set(second))[:10]
