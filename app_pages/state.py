"""Session state and cached loaders shared by the pages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from forecasting.history import read_history

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_HISTORY = REPO_ROOT / "data" / "demo_history.csv.gz"


@st.cache_data(show_spinner="Loading the demo history…")
def load_demo_history() -> pd.DataFrame:
    """The bundled demo history, validated by the same importer as any upload."""
    return read_history(DEMO_HISTORY)


def current_history() -> pd.DataFrame:
    """The history the planner works on: an accepted upload, else the demo."""
    uploaded = st.session_state.get("uploaded_history")
    if uploaded is not None:
        return uploaded
    return load_demo_history()
