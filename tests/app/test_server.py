"""`make run` serves the app on localhost with the demo loaded (real server, real browser)."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

import os

# The README's screenshots are refreshed with WFM_UPDATE_SCREENSHOTS=1; otherwise they go to a git-ignored folder.
SCREENSHOTS = Path(__file__).resolve().parents[2] / (
    "docs/screenshots" if os.environ.get("WFM_UPDATE_SCREENSHOTS") else ".screenshots")


def test_server_answers_on_localhost(app_server):
    with urllib.request.urlopen(app_server, timeout=10) as r:
        html = r.read().decode()
    assert r.status == 200
    assert "<title>" in html.lower() or "streamlit" in html.lower()


@pytest.mark.browser
def test_demo_history_page_renders_in_a_real_browser(app_server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_server, wait_until="domcontentloaded")
    # The page shows the demo's queues and its charts once the history is loaded.
    page.get_by_text("Queues at a glance").wait_for(timeout=120_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    page.locator(".legendtext").first.wait_for(timeout=30_000)
    assert page.locator(".js-plotly-plot").count() >= 2
    # The daily chart's legend names every demo queue.
    legend = set(page.locator(".legendtext").evaluate_all("els => els.map(e => e.textContent)"))
    assert {"reports", "tips", "switchboard", "english"} <= legend
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert metrics[0].strip() == "4"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "data_page.png"), full_page=True)
    page.close()
