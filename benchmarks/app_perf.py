"""App benchmark: the first-time flow, the manager's answer, each page once cached, and peak memory.

Run: ``flock /tmp/wfm-bench.lock .venv/bin/python benchmarks/app_perf.py`` (needs Debian's chromium). Starts the
app as ``make run`` does on a free port, walks demo -> forecast -> staffing -> schedule -> roster -> CSV download
with Playwright, then asks the manager's question on the Accessibility page (a new headcount: time until the
estimate shows; then the exact best-accessibility plan for it: time until it shows), samples the server's
resident memory (with its children) every 0.2 s, then opens each page again and times it until its key element
shows. Writes ``benchmarks/results/app_perf.md``. Targets (issues 7 and 19): first-time flow to a roster
download < 60 s; the manager's estimate < 2 s, the exact plan < 60 s; each page < 3 s once cached; peak < 1.5 GB.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
PAGES = [  # nav title, text that shows when the page has rendered
    ("Data", "Queues at a glance"),
    ("Forecast", re.compile(r"^Calls in horizon")),
    ("Accessibility & staffing", "Peak agents scheduled"),
    ("Schedule", "Agent-hours"),
    ("Risk", "Chance a day meets the target (mean)"),
    ("Roster & export", "Shifts assigned"),
    ("Replay", "Run replay"),
    ("Scenarios", "Saved scenarios"),
]
#: The manager's question: the headcount asked about (the default is the Schedule page's 500).
MANAGER_HEADCOUNT = 450



def _status_line(page) -> str:
    """The roster page's status line (success or warning box), as the planner reads it."""
    box = page.locator('[data-testid="stAlertContainer"]').first
    try:
        return box.inner_text(timeout=5_000).strip().replace("\n", " ")
    except Exception:  # noqa: BLE001 -- the table is still useful without it
        return ""


def _verdict(seconds, target: float) -> str:
    if seconds is None:
        return "not measured"
    return "met" if seconds < target else f"missed by {seconds - target:.1f} s"


def _manager_question(page, nav, steps, last) -> dict:
    """On the Accessibility page: a new headcount, the time until its estimate shows; then the exact plan on
    request, the time until it shows (or the solver says it found none)."""
    nav("Accessibility & staffing")
    value = page.locator('[data-testid="stMetric"]').filter(has_text="Hang up (estimate)").first.locator(
        '[data-testid="stMetricValue"]')
    value.wait_for()
    before = value.inner_text()
    box = page.locator('[data-testid="stNumberInput"]').filter(has_text="Operators (headcount)").locator("input")
    box.fill(str(MANAGER_HEADCOUNT))
    t0 = time.perf_counter()
    box.press("Enter")
    while value.inner_text() == before and time.perf_counter() - t0 < 120:
        time.sleep(0.05)
    estimate_s = time.perf_counter() - t0
    text = page.get_by_text(re.compile(r"^With \d+ operators about")).first.inner_text()
    t1 = time.perf_counter()
    page.get_by_role("button", name="Work out the exact plan for this headcount").click()
    done = page.get_by_text(re.compile(r"^Exact plan \(|^The exact plan found no schedule")).first
    done.wait_for(timeout=900_000)
    exact_s = time.perf_counter() - t1
    last[0] = time.perf_counter()
    return {"estimate_s": estimate_s, "estimate_text": text.strip(), "exact_s": exact_s,
            "exact_text": done.inner_text().strip()}


def main() -> None:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "WFM_DATABASE_URL": f"sqlite:///{REPO / 'benchmarks' / 'results' / 'app_perf.sqlite'}"}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("streamlit")), "run", "app.py",
                             "--server.address=localhost", f"--server.port={port}", "--server.headless=true"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://localhost:{port}"
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        p = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                rss = p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))
                peak[0] = max(peak[0], rss)
            except psutil.Error:
                pass
            time.sleep(0.2)

    threading.Thread(target=sample, daemon=True).start()
    for _ in range(180):
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    timings: dict[str, float] = {}
    steps: list = []
    status: dict = {}
    manager: dict = {}
    flow_start = time.perf_counter()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), headless=True,
                                         args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(600_000)
            nav = lambda title: page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()  # noqa: E731
            last = [flow_start]

            def step(name: str) -> None:
                now = time.perf_counter()
                steps.append((name, now - last[0], peak[0] / 1e9))
                last[0] = now

            def visit(title: str | None, button: str | None, marker: str, name: str) -> None:
                """Open a page (None: the one shown), click its button, wait for its result, time the step."""
                if title is not None:
                    nav(title)
                if button is not None:
                    page.get_by_role("button", name=button).click()
                page.get_by_text(marker, exact=True).first.wait_for()
                step(name)

            page.goto(url)
            visit(None, None, "Queues at a glance", "Data page (demo history loaded)")
            # The first-time user's path: every default, one click per page.
            visit("Forecast", "Run forecast", re.compile(r"^Calls in horizon"), "Forecast: run with defaults")
            visit("Accessibility & staffing", None, "Peak agents scheduled", "Accessibility & staffing")
            visit("Schedule", "Build schedule", "Agent-hours", "Schedule: build (quick plan)")
            status["schedule"] = _status_line(page)
            last[0] = time.perf_counter()  # reading the status line is not part of the flow
            visit("Roster & export", "Assign shifts to agents", "Shifts assigned", "Roster: assign the demo agents")
            with page.expect_download() as download:
                page.get_by_role("button", name="CSV", exact=True).click()
            download.value.path()
            step("CSV download")
            flow_seconds = sum(seconds for _name, seconds, _gb in steps)  # reading status lines not counted
            status["roster"] = _status_line(page)
            nav("Risk")  # the risk of the plan in use, assessed in the background once
            page.get_by_text("Chance a day meets the target (mean)", exact=True).first.wait_for()
            for title, marker in PAGES:
                # Start from another page, so the marker cannot already be on screen.
                other, other_marker = PAGES[-1] if title == "Data" else PAGES[0]
                nav(other)
                page.get_by_text(other_marker, exact=True).first.wait_for()
                t0 = time.perf_counter()
                nav(title)
                page.get_by_text(marker, exact=True).first.wait_for()
                timings[title] = time.perf_counter() - t0
            # last: the exact plan replaces the session's schedule (the pages above are timed on the flow's)
            manager.update(_manager_question(page, nav, steps, last))
            browser.close()
    finally:
        stop.set()
        proc.terminate()
        proc.wait(timeout=30)
    peak_gb = peak[0] / 1e9
    lines = [
        f"# App performance (run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f})",
        "",
        f"First-time demo flow with every default (7-day forecast, quick plan, the demo agents) to the roster CSV download: "
        f"{flow_seconds:.0f} s (target < 60 s: {'met' if flow_seconds < 60 else f'missed by {flow_seconds - 60:.0f} s'})",
        f"Peak resident memory of the app process and children: {peak_gb:.2f} GB (target < 1.5 GB: "
        f"{'met' if peak_gb < 1.5 else f'missed by {peak_gb - 1.5:.2f} GB'})",
        "",
        f"The manager's estimate for {MANAGER_HEADCOUNT} operators: {manager.get('estimate_s', float('nan')):.2f} s "
        f"(target < 2 s: {_verdict(manager.get('estimate_s'), 2)}); {manager.get('estimate_text', '')}",
        f"The exact best-accessibility plan for them: {manager.get('exact_s', float('nan')):.0f} s "
        f"(target < 60 s: {_verdict(manager.get('exact_s'), 60)}); {manager.get('exact_text', '')}",
        "",
        "| step of the flow | seconds | peak memory so far [GB] |",
        "| --- | ---: | ---: |",
        *[f"| {name} | {seconds:.1f} | {gb:.2f} |" for name, seconds, gb in steps],
        "",
        f"Schedule status line: {status.get('schedule', '')}",
        "",
        f"Roster status line: {status.get('roster', '')}",
        "",
        "| page | render once cached [s] | target < 3 s |",
        "| --- | ---: | --- |",
    ]
    for title, seconds in timings.items():
        lines.append(f"| {title} | {seconds:.2f} | {'met' if seconds < 3 else f'missed by {seconds - 3:.2f} s'} |")
    out = REPO / "benchmarks" / "results" / "app_perf.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
