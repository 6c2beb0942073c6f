"""Fixtures that start the real app: a Streamlit server on a free localhost port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_server():
    """Start ``streamlit run app.py`` as ``make run`` does, on a free port; yield its URL."""
    port = _free_port()
    streamlit = Path(sys.executable).with_name("streamlit")
    cmd = [
        str(streamlit), "run", "app.py",
        "--server.address=localhost", f"--server.port={port}",
        "--server.headless=true", "--browser.gatherUsageStats=false",
    ]
    log = open(REPO / ".pytest_streamlit.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}; see .pytest_streamlit.log")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not become healthy within 90 s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium (Debian's package) driven by Playwright."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run must install it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture(scope="session")
def compact_rules_text() -> str:
    """The demo rules with hourly start times and three shift lengths: same rule families, a small model."""
    import yaml

    from wfm.io.rules import coarsen_rules_text

    rules = yaml.safe_load(coarsen_rules_text((REPO / "data" / "demo_rules.yaml").read_text(encoding="utf-8")))
    rules["solver"]["time_limit_seconds"] = 20
    return yaml.safe_dump(rules, sort_keys=False)
