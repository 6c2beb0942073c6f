"""Swedish and English UI text from one translation table (no duplicated pages)."""

from __future__ import annotations

import streamlit as st

LANGUAGES: dict[str, str] = {"en": "English", "sv": "Svenska"}

TEXT: dict[str, dict[str, str]] = {
    "app_title": {"en": "Contact-centre workforce planning", "sv": "Bemanningsplanering för kontaktcenter"},
    "language": {"en": "Language", "sv": "Språk"},
    "page_data": {"en": "Data", "sv": "Data"},
    "data_title": {"en": "Interval history", "sv": "Intervallhistorik"},
    "source": {"en": "Source", "sv": "Källa"},
    "source_demo": {"en": "Demo data (police non-emergency number)", "sv": "Demodata (polisens 114 14)"},
    "source_upload": {"en": "Upload CSV / XLSX / Parquet", "sv": "Ladda upp CSV / XLSX / Parquet"},
    "upload": {"en": "History file", "sv": "Historikfil"},
    "timezone": {"en": "Time zone for local times", "sv": "Tidszon för lokala tider"},
    "upload_prompt": {"en": "Choose a file to validate and load.", "sv": "Välj en fil att validera och läsa in."},
    "errors_found": {"en": "The file was refused: {n} problem(s).", "sv": "Filen avvisades: {n} problem."},
    "queues": {"en": "Queues", "sv": "Köer"},
    "first_interval": {"en": "First interval", "sv": "Första intervall"},
    "last_interval": {"en": "Last interval", "sv": "Sista intervall"},
    "interval_length": {"en": "Interval length", "sv": "Intervallängd"},
    "rows": {"en": "Rows", "sv": "Rader"},
    "calls_by_day": {"en": "Calls offered by day", "sv": "Erbjudna samtal per dag"},
    "average_week": {"en": "Average week: calls per hour", "sv": "Genomsnittsvecka: samtal per timme"},
    "queue": {"en": "Queue", "sv": "Kö"},
    "all_queues": {"en": "All queues", "sv": "Alla köer"},
    "overview": {"en": "Queues at a glance", "sv": "Köerna i korthet"},
    "gaps": {"en": "Gaps (missing intervals inside opening hours)", "sv": "Luckor (saknade intervall inom öppettid)"},
    "no_gaps": {"en": "No gaps.", "sv": "Inga luckor."},
    "opening_hours": {"en": "Opening hours", "sv": "Öppettider"},
    "weekday": {"en": "Weekday", "sv": "Veckodag"},
    "hour": {"en": "Hour", "sv": "Timme"},
    "calls": {"en": "Calls", "sv": "Samtal"},
    "date": {"en": "Date", "sv": "Datum"},
}


def t(key: str, **fmt: object) -> str:
    """The text for ``key`` in the language chosen in the sidebar (English by default)."""
    lang = st.session_state.get("lang", "en")
    entry = TEXT[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**fmt) if fmt else text
