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
    "page_forecast": {"en": "Forecast", "sv": "Prognos"},
    "forecast_title": {"en": "Forecast calls and handle time", "sv": "Prognos för samtal och hanteringstid"},
    "horizon_days": {"en": "Horizon (days)", "sv": "Horisont (dagar)"},
    "interval_minutes": {"en": "Interval (minutes)", "sv": "Intervall (minuter)"},
    "model": {"en": "Model", "sv": "Modell"},
    "model_help": {"en": "auto chooses per queue by rolling-origin backtest (slower); weekly_mean is the planners' mean of recent weeks.", "sv": "auto väljer per kö med rullande backtest (långsammare); weekly_mean är medel av senaste veckorna."},
    "run_backtest": {"en": "Also run a backtest (slower)", "sv": "Kör även backtest (långsammare)"},
    "events_file": {"en": "Special events (CSV: date,end_date,name,kind)", "sv": "Särskilda händelser (CSV: date,end_date,name,kind)"},
    "run_forecast": {"en": "Run forecast", "sv": "Kör prognos"},
    "forecasting": {"en": "Forecasting…", "sv": "Beräknar prognos…"},
    "forecast_prompt": {"en": "Choose the settings and run a forecast.", "sv": "Välj inställningar och kör en prognos."},
    "forecast": {"en": "Forecast", "sv": "Prognos"},
    "actual": {"en": "Actual", "sv": "Utfall"},
    "calls_in_horizon": {"en": "Calls in horizon", "sv": "Samtal i horisonten"},
    "mean_aht": {"en": "Mean handle time", "sv": "Medel hanteringstid"},
    "backtest_table": {"en": "Backtest by model", "sv": "Backtest per modell"},
    "auto_selection": {"en": "Why auto chose what it chose", "sv": "Varför auto valde som den gjorde"},
    "download_csv": {"en": "Download CSV", "sv": "Ladda ner CSV"},
    "scenario_name": {"en": "Scenario name", "sv": "Scenarionamn"},
    "save_scenario": {"en": "Save as scenario", "sv": "Spara som scenario"},
    "based_on_version": {"en": "Saving on top of version {version}", "sv": "Sparas ovanpå version {version}"},
    "saved_as": {"en": "Saved {name}, version {version}.", "sv": "Sparade {name}, version {version}."},
}


def t(key: str, **fmt: object) -> str:
    """The text for ``key`` in the language chosen in the sidebar (English by default)."""
    lang = st.session_state.get("lang", "en")
    entry = TEXT[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**fmt) if fmt else text
