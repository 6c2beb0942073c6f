"""Thin Streamlit pages; all logic lives in :mod:`forecasting` and :mod:`optimiser`."""
