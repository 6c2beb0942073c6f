"""Every page in Swedish: no English sentence of the translation table and no common English word shows.

The pages are walked with results in place (a forecast, a schedule, a roster, a risk assessment, two saved
schedules), so the answer sentences, statuses, tables and chart legends are all on screen. Data values
(queue, skill-group and file names) are not UI text and are left out; so are the library's validation
messages (they name files, rows and columns in English; none shows on these pages).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_pages.i18n import TEXT
from app_pages.session import SESSION_KEY
from tests.app.conftest import build_schedule, finish_run, page_ok, session_with_forecast, small_forecast

REPO = Path(__file__).resolve().parents[2]

#: Words a Swedish page must not show (as whole words, any case).
ENGLISH_WORDS = {
    "the", "and", "with", "agent", "agents", "calls", "call", "within", "download", "choose", "build", "save",
    "shift", "shifts", "hours", "week", "weeks", "days", "day", "queue", "queues", "forecast", "schedule",
    "roster", "run", "stop", "interval", "intervals", "answered", "hang", "needed", "scheduled", "required",
    "cost", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "wed",
    "thu", "fri", "sat", "sun", "january", "february", "oct", "optimal", "feasible", "infeasible", "solution", "status", "target", "share", "wait", "seconds",
    "minutes", "peak", "demo", "upload", "file", "rules", "name", "version", "publish", "compare", "mean",
    "total", "all", "none", "yes", "no", "data", "history", "model", "models", "settings", "rows", "gaps",
}
#: Words that are data (queue, skill-group, model and format names) or the same in both languages.
ALLOWED = {"reports", "tips", "switchboard", "english", "sv_all", "sv_reports", "bilingual", "status", "data",
           "version", "demo", "prophet", "csv", "json", "excel", "zip", "xlsx", "yaml", "wape", "mase", "ets",
           "mstl", "highs", "cbc", "risk", "a", "b"}


def _plotly_texts(at) -> list[str]:
    out = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec.get("data", []):
            if trace.get("showlegend", True) and trace.get("name"):
                out.append(str(trace["name"]))
        layout = spec.get("layout", {})
        for axis in ("xaxis", "yaxis"):
            title = (layout.get(axis) or {}).get("title") or {}
            out.append(str(title.get("text", "")) if isinstance(title, dict) else str(title))
        legend = (layout.get("legend") or {}).get("title") or {}
        out.append(str(legend.get("text", "")) if isinstance(legend, dict) else "")
        for ann in layout.get("annotations", []) or []:
            out.append(str(ann.get("text", "")))
    return [t for t in out if t]


def visible_texts(at) -> list[str]:
    """The UI text of the current page: headings, prose, messages, labels, help, headers, legends."""
    texts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success",
                 "text"):
        texts += [str(e.value) for e in getattr(at, kind)]
    for m in at.metric:
        texts += [m.label, str(m.value)]
    for kind in ("button", "checkbox", "radio", "selectbox", "multiselect", "slider", "select_slider",
                 "number_input", "text_input", "text_area", "date_input", "toggle"):
        for w in getattr(at, kind):
            texts += [w.label or "", getattr(w, "help", "") or ""]
    texts += [e.label for e in at.expander]
    for d in at.dataframe:
        texts += [str(c) for c in d.value.columns] + [str(i) for i in d.value.index.names if i]
    texts += _plotly_texts(at)
    return [t for t in texts if t]


def english_found(texts: list[str]) -> list[str]:
    found = []
    sentences = [v["en"] for v in TEXT.values() if v["en"] != v.get("sv")]
    fragments = {f.strip() for s in sentences for f in re.split(r"\{[^}]*\}", s) if len(f.strip()) >= 14}
    for text in texts:
        for frag in fragments:
            if frag in text:
                found.append(f"{frag!r} in {text[:80]!r}")
        for word in re.findall(r"[A-Za-z][A-Za-z_]+", text):
            if word.lower() in ENGLISH_WORDS and word.lower() not in ALLOWED:
                found.append(f"{word!r} in {text[:80]!r}")
    return found


@pytest.fixture(scope="module")
def walked(tmp_path_factory, compact_rules_text):
    """A session with a one-day forecast, a schedule (compact rules) and two saved schedules."""
    import os

    from optimiser.store.repository import PlanStore
    from optimiser.staffing.requirement import AccessibilityTargets

    url = f"sqlite:///{tmp_path_factory.mktemp('sv') / 'p.sqlite'}"
    os.environ["WFM_DATABASE_URL"] = url
    s = session_with_forecast(small_forecast(days=1))
    s.targets = AccessibilityTargets(answer_within_seconds=180.0, target_service_level=0.8, max_abandon_rate=0.1,
                                     max_occupancy=0.9, patience_seconds=300.0, shrinkage=0.3)
    build_schedule(s, compact_rules_text)
    store = PlanStore(url)
    shifts = s.schedule.value.result.shifts
    store.save("plan-a", "schedule", shifts, expected_version=0, meta={"cost": 1.0, "agent_hours": 2.0})
    store.save("plan-b", "schedule", shifts, expected_version=0, meta={"cost": 2.0, "agent_hours": 3.0})
    store.close()
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.session_state[SESSION_KEY] = s
    at.run()
    at.selectbox(key="lang").select("sv").run()
    page_ok(at)
    yield at, s
    os.environ.pop("WFM_DATABASE_URL", None)


PAGES = ["data", "forecast", "staffing", "schedule", "risk", "replay", "roster", "scenarios"]


@pytest.mark.parametrize("page", PAGES)
def test_a_swedish_page_shows_no_english(walked, page):
    at, s = walked
    at.switch_page(f"app_pages/{page}.py").run()
    page_ok(at)
    if page == "risk":
        finish_run(at, s, "risk", 240)
    if page == "roster" and s.roster is None:
        at.button(key="ro_run").click().run()
        finish_run(at, s, "roster", 240)
    texts = visible_texts(at)
    assert len(texts) > 5
    if page in ("schedule", "roster", "risk", "staffing"):
        assert at.metric, "the page's results are on screen"
    assert english_found(texts) == []


def test_the_checker_catches_english(walked):
    at, s = walked
    assert english_found(["Download the schedule (CSV)"]) and english_found(["Måndag och the rest"])
    assert english_found(["sv_all 08:00, reports, 80 %"]) == []


def test_every_text_key_a_page_asks_for_exists_in_both_languages():
    used = set()
    for path in [REPO / "app.py", *sorted((REPO / "app_pages").glob("*.py"))]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.-]+)["']""", path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in TEXT)
    assert missing == []
    assert [k for k, v in TEXT.items() if not v.get("en") or not v.get("sv")] == []
    # placeholders agree between the languages
    fields = lambda s: sorted(re.findall(r"\{(\w+)", s))  # noqa: E731
    assert [k for k, v in TEXT.items() if fields(v["en"]) != fields(v["sv"])] == []
