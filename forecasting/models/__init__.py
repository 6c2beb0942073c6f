"""Forecasting models behind one protocol, and their registry.

``MODELS`` maps a registry name to a class; :func:`make_model` builds one with
hyperparameters; :func:`fallback_for` picks a model that works on a history
too short for the others. See ``docs/forecasting_models.md``.
"""

from __future__ import annotations

import pandas as pd

from forecasting.models.base import (
    FORECAST_COLUMNS,
    Forecaster,
    InsufficientHistoryError,
    horizon_intervals,
    season_length,
    validate_history,
)
from forecasting.models.naive import SeasonalNaive, WeeklyMean
from wfm.ground.errors import WfmInputError

MODELS: dict[str, type] = {
    "seasonal_naive": SeasonalNaive,
    "weekly_mean": WeeklyMean,
}


def _register_optional() -> None:
    """Register the statistical models (import errors surface at use)."""
    import importlib

    for name, (module, cls) in {
        "ets": ("ets", "ETS"),
        "mstl": ("mstl", "MSTLForecaster"),
        "regression": ("regression", "FourierRegression"),
        "prophet": ("prophet_model", "ProphetForecaster"),
    }.items():
        try:
            MODELS[name] = getattr(importlib.import_module(f"forecasting.models.{module}"), cls)
        except ImportError:  # pragma: no cover - module still being written
            continue


_register_optional()


#: Names :func:`make_model` builds besides the single models of ``MODELS``:
#: they combine registered models, so they are not candidates themselves.
ENSEMBLES = ("auto", "combination")


def _ensemble_class(name: str) -> type:
    from forecasting.ensemble import AutoForecaster, Combination  # imports this module

    return {"auto": AutoForecaster, "combination": Combination}[name]


def make_model(name: str, **params) -> Forecaster:
    """Build the model ``name`` with hyperparameters ``params``.

    ``name`` is a registered single model (``MODELS``) or one of
    :data:`ENSEMBLES`: ``"auto"`` (:class:`forecasting.ensemble.AutoForecaster`)
    and ``"combination"`` (:class:`forecasting.ensemble.Combination`).

    Raises
    ------
    WfmInputError
        Unknown name (the message lists the known ones) or unknown parameter.
    """
    if name not in MODELS and name not in ENSEMBLES:
        raise WfmInputError(f"unknown model {name!r}; known models: {sorted(MODELS) + list(ENSEMBLES)}")
    cls = MODELS[name] if name in MODELS else _ensemble_class(name)
    try:
        return cls(**params)
    except TypeError as exc:
        raise WfmInputError(f"model {name!r}: bad hyperparameters {sorted(params)}: {exc}") from exc


def fallback_for(history: pd.DataFrame) -> Forecaster:
    """A model that works on ``history`` whatever its length.

    Seasonal naive with a weekly season when the history holds at least one
    week, else with a daily season (needs one day).

    Raises
    ------
    InsufficientHistoryError
        History shorter than one day: nothing sensible can be forecast.
    """
    validated = validate_history(history, "fallback_for")
    m = validated.interval_minutes
    ts = validated.frame["interval_start"]
    got = int((ts.iloc[-1] - ts.iloc[0]) / pd.Timedelta(minutes=m)) + 1
    if got >= season_length(m, "week"):
        return SeasonalNaive(season="week")
    if got >= season_length(m, "day"):
        return SeasonalNaive(season="day")
    raise InsufficientHistoryError(
        "fallback_for", season_length(m, "day"), got, m, "every model needs at least one full day"
    )


__all__ = [
    "FORECAST_COLUMNS",
    "Forecaster",
    "InsufficientHistoryError",
    "MODELS",
    "ENSEMBLES",
    "make_model",
    "fallback_for",
    "horizon_intervals",
    "SeasonalNaive",
    "WeeklyMean",
]
