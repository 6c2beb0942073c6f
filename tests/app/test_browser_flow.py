"""A real browser walks the planner's main flow: demo -> forecast -> staffing -> schedule -> roster -> download,
then the capacity plan.

Playwright drives Debian's chromium against the app served as `make run` serves it. Screenshots of each
page land in docs/screenshots/ (the README shows them).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

import os

# The README's screenshots are refreshed with WFM_UPDATE_SCREENSHOTS=1; otherwise they go to a git-ignored folder.
SCREENSHOTS = Path(__file__).resolve().parents[2] / (
    "docs/screenshots" if os.environ.get("WFM_UPDATE_SCREENSHOTS") else ".screenshots")


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _metric(page, label: str, timeout: float) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    box.wait_for(timeout=timeout)
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _nav(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()


@pytest.mark.browser
def test_demo_to_roster_download(app_server, browser, compact_rules_text, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
    page.set_default_timeout(60_000)
    page.goto(app_server, wait_until="domcontentloaded")
    page.get_by_text("Queues at a glance").wait_for(timeout=120_000)

    # Forecast: one day, the default model.
    _nav(page, "Forecast")
    slider = page.get_by_role("slider").first
    slider.wait_for()
    slider.focus()
    page.keyboard.press("Home")
    page.get_by_role("button", name="Run forecast").click()
    calls = _metric(page, "Calls in horizon", 180_000)
    assert float(calls.replace(",", "")) > 0
    _shot(page, "forecast_page")

    # Staffing for the default targets.
    _nav(page, "Accessibility & staffing")
    peak = _metric(page, "Peak agents scheduled", 180_000)
    assert int(peak.replace(",", "")) > 0
    page.get_by_text("calls are answered within 3 minutes").first.wait_for()
    _shot(page, "staffing_page")

    # Schedule with the demo rule families on hourly start times (a small model), in the background.
    _nav(page, "Schedule")
    page.get_by_text("Rules (shift templates, breaks, contracts, headcount)").click()
    area = page.locator("textarea").first
    area.fill(compact_rules_text)
    area.press("Control+Enter")
    page.get_by_role("button", name="Build schedule").click()
    hours = _metric(page, "Agent-hours", 240_000)
    assert float(hours.replace(",", "")) > 0
    _shot(page, "schedule_page")

    # Roster the schedule onto the 800 demo agents and download the CSV.
    _nav(page, "Roster & export")
    page.get_by_role("button", name="Assign shifts to agents").click()
    assigned = int(_metric(page, "Shifts assigned", 400_000).replace(",", ""))
    assert _metric(page, "Hard-rule violations", 10_000) == "0"
    _shot(page, "roster_page")
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV", exact=True).click()
    target = tmp_path / "roster.csv"
    info.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert len(rows) == assigned
    assert {"agent_id", "name", "start", "end"} <= set(rows[0])

    # Capacity plan: how many to hire to reach 80 % within 3 minutes by next summer (the README's question).
    _nav(page, "Capacity plan")
    page.get_by_role("button", name="Plan capacity").click()
    hires = int(_metric(page, "Hires", 400_000).replace(",", ""))
    assert hires > 0
    page.get_by_text("keep the target out of reach").first.wait_for()
    _shot(page, "capacity_page")
    page.close()
