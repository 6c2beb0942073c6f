"""Forecasting models behind one protocol, and their registry.

``MODELS`` maps a registry name to a class; :func:`make_model` builds one with
hyperparameters; :func:`fallback_for` picks a model that works on a history
too short for the others.  A model whose library is not installed is listed in
``UNAVAILABLE`` with the reason, and asking for it is an error that says so.
The registry knows single models only: combinations and ``auto`` live in
:mod:`forecasting.ensemble`, which imports this package, never the other way.
See ``docs/forecasting_models.md``.
"""

from __future__ import annotations

import importlib
import importlib.util

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

#: The statistical models: registry name -> (module of this package, class, the third-party
#: packages it needs).  Those packages are imported when a model is fitted (prophet takes
#: seconds to import), so availability is checked here without importing them.
OPTIONAL_MODELS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "ets": ("ets", "ETS", ("statsmodels",)),
    "mstl": ("mstl", "MSTLForecaster", ("statsmodels",)),
    "regression": ("regression", "FourierRegression", ()),
    "prophet": ("prophet_model", "ProphetForecaster", ("prophet",)),
}

#: Models that could not be registered: registry name -> why (the missing package).  Listed,
#: never silently dropped: asking for one is an error that names the reason.
UNAVAILABLE: dict[str, str] = {}


def _register_optional() -> None:
    """Register the statistical models; one whose package is missing goes to :data:`UNAVAILABLE`.

    Only a missing third-party package makes a model unavailable; an import error in this
    package's own modules is a bug and is raised, never swallowed.
    """
    for name, (module, cls, requires) in OPTIONAL_MODELS.items():
        model = getattr(importlib.import_module(f"forecasting.models.{module}"), cls)
        missing = [package for package in requires if importlib.util.find_spec(package) is None]
        if missing:
            UNAVAILABLE[name] = f"it needs the {', '.join(map(repr, missing))} package, which is not installed"
        else:
            MODELS[name] = model


_register_optional()


def check_model_name(name: str) -> None:
    """Refuse a model that is unavailable (naming why) or unknown (listing the known ones)."""
    if name in UNAVAILABLE:
        raise WfmInputError(f"model {name!r} is unavailable: {UNAVAILABLE[name]}", parameter="model")
    if name not in MODELS:
        raise WfmInputError(f"unknown model {name!r}; known models: {sorted(MODELS)}", parameter="model")


def make_model(name: str, **params) -> Forecaster:
    """Build the registered single model ``name`` with hyperparameters ``params``.

    (Combinations and ``auto`` are built by :func:`forecasting.ensemble.make_forecaster`.)

    Raises
    ------
    WfmInputError
        Unknown or unavailable name (the message lists the known ones or says why), or an
        unknown parameter.
    """
    check_model_name(name)
    try:
        return MODELS[name](**params)
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
    "OPTIONAL_MODELS",
    "UNAVAILABLE",
    "check_model_name",
    "make_model",
    "fallback_for",
    "horizon_intervals",
    "SeasonalNaive",
    "WeeklyMean",
]
