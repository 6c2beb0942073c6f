"""A real browser opens the Today page in replay mode (the demo's last weeks) and sees the projected day."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / (
    "docs/screenshots" if os.environ.get("WFM_UPDATE_SCREENSHOTS") else ".screenshots")


@pytest.mark.browser
def test_today_page_in_a_browser(app_server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 2300})
    page.set_default_timeout(60_000)
    page.goto(app_server, wait_until="domcontentloaded")
    page.get_by_text("Queues at a glance").wait_for(timeout=120_000)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Today", exact=True).click()
    box = page.locator('[data-testid="stMetric"]').filter(has_text="Projected day").first
    box.wait_for(timeout=180_000)
    value = box.locator('[data-testid="stMetricValue"]').inner_text().strip()
    assert value.endswith("%") and 0 <= float(value.rstrip("%")) <= 100
    page.get_by_text("Actions ranked by effect on the day").wait_for()
    page.get_by_text("How accessible were we").wait_for()
    page.locator('[data-testid="stPlotlyChart"] .main-svg').nth(1).wait_for(timeout=60_000)  # both charts drawn
    page.wait_for_timeout(1500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "today_page.png"), full_page=True)
