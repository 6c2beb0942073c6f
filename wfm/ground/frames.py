"""Frame contracts: the columns of the long frames that flow between stages, and their checks.

A stage checks a frame at its door with one of these, so every stage refuses the same bad
frame with the same words.  Files are read (and their rows named) by ``wfm.io``; these checks
are about frames already in memory, and name the frame (``what``) and the row position.

* history -- :data:`HISTORY_COLUMNS`, :func:`check_history` (``wfm.io.history`` reads files);
* forecast -- :data:`FORECAST_COLUMNS`, :func:`check_forecast` (``wfm.io.forecast``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ

__all__ = [
    "FORECAST_BOUND_COLUMNS",
    "FORECAST_COLUMNS",
    "FORECAST_REQUIRED_COLUMNS",
    "HISTORY_COLUMNS",
    "HISTORY_COUNT_COLUMNS",
    "HISTORY_REQUIRED_COLUMNS",
    "HISTORY_SECONDS_COLUMNS",
    "check_forecast",
    "check_history",
    "require_columns",
    "require_tz_aware",
]

# --------------------------------------------------------------------------- history
#: Columns of the canonical history frame, in order (``docs/history_format.md``).
HISTORY_COLUMNS: tuple[str, ...] = (
    "interval_start",
    "queue",
    "calls_offered",
    "calls_answered",
    "calls_abandoned",
    "aht_seconds",
    "asa_seconds",
    "callbacks_accepted",
)
#: Columns every history has.
HISTORY_REQUIRED_COLUMNS: tuple[str, ...] = ("interval_start", "queue", "calls_offered")
#: Whole-number count columns of a history [calls].
HISTORY_COUNT_COLUMNS: tuple[str, ...] = ("calls_offered", "calls_answered", "calls_abandoned", "callbacks_accepted")
#: Duration columns of a history [seconds].
HISTORY_SECONDS_COLUMNS: tuple[str, ...] = ("aht_seconds", "asa_seconds")

# --------------------------------------------------------------------------- forecast
#: Bound columns of a forecast: 80 % (p10, p90) and 95 % (p025, p975) prediction intervals [calls].
FORECAST_BOUND_COLUMNS: tuple[str, ...] = ("calls_offered_p10", "calls_offered_p90",
                                           "calls_offered_p025", "calls_offered_p975")
#: Columns of the forecast frame and CSV, in order (a public contract, ``docs/forecasting_pipeline.md``).
FORECAST_COLUMNS: tuple[str, ...] = ("interval_start", "queue", "calls_offered", *FORECAST_BOUND_COLUMNS,
                                     "aht_seconds", "model")
#: Columns a forecast must have to be staffed.
FORECAST_REQUIRED_COLUMNS: tuple[str, ...] = ("interval_start", "queue", "calls_offered", "aht_seconds")


# --------------------------------------------------------------------------- checks
def require_columns(frame, columns, *, what: str) -> None:
    """Refuse anything but a DataFrame holding every column of ``columns``."""
    if not isinstance(frame, pd.DataFrame):
        raise WfmInputError(f"{what}: must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        verb = "column {} is".format(names) if len(missing) == 1 else "columns {} are".format(names)
        raise WfmInputError(f"{what}: required {verb} missing (columns: {', '.join(map(str, frame.columns))})")


def require_tz_aware(frame: pd.DataFrame, column: str, *, what: str) -> None:
    """Refuse a timestamp column that is not tz-aware."""
    if not isinstance(frame[column].dtype, pd.DatetimeTZDtype):
        raise WfmInputError(f"{what}: column {column!r} must be tz-aware timestamps (e.g. {DEFAULT_TZ}), "
                            f"got dtype {frame[column].dtype}")


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _require_counts(frame: pd.DataFrame, column: str, *, what: str) -> None:
    """Finite numbers >= 0 (the first bad row named)."""
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        i = _first(bad)
        shown = raw.iloc[i]
        shown = repr(shown) if isinstance(shown, str) else str(shown)
        raise WfmInputError(f"{what}: column {column!r} must be finite and >= 0, got {shown} at row {i} "
                            f"(interval_start {frame['interval_start'].iloc[i]}); {int(bad.sum())} bad row(s) in all")


def _require_unique(frame: pd.DataFrame, keys: list[str], *, what: str) -> None:
    dup = frame.duplicated(keys).to_numpy()
    if dup.any():
        i = _first(dup)
        shown = ", ".join(f"{k} {frame[k].iloc[i]}" for k in keys)
        raise WfmInputError(f"{what}: duplicate interval ({shown}); one row per interval and queue")


def check_history(frame, *, what: str = "history", one_queue: bool = False) -> None:
    """Check a history frame in memory: the contract a stage relies on.

    Rules: a DataFrame with ``interval_start`` (tz-aware) and ``calls_offered`` (finite, >= 0);
    a ``queue`` column (optional when ``one_queue``, then it may hold one queue at most); at
    least one row; no two rows for the same queue and interval.

    Raises
    ------
    WfmInputError
        Naming ``what``, the column, the row and the value of the first rule broken.
    """
    required = [c for c in HISTORY_REQUIRED_COLUMNS if not (one_queue and c == "queue")]
    require_columns(frame, required, what=what)
    if len(frame) == 0:
        raise WfmInputError(f"{what}: no rows")
    if one_queue and "queue" in frame.columns:
        queues = pd.unique(frame["queue"].astype(str))
        if len(queues) > 1:
            raise WfmInputError(f"{what}: must hold ONE queue, got {len(queues)}: {list(queues)[:5]} "
                                "(fit one model per queue)")
    require_tz_aware(frame, "interval_start", what=what)
    _require_counts(frame, "calls_offered", what=what)
    _require_unique(frame, ["queue", "interval_start"] if "queue" in frame.columns else ["interval_start"], what=what)


def check_forecast(frame, *, what: str = "forecast") -> None:
    """Check a forecast frame in memory (:data:`FORECAST_REQUIRED_COLUMNS` at least).

    Rules: tz-aware ``interval_start``; ``calls_offered`` finite and >= 0; ``aht_seconds`` > 0
    where calls are offered; at least one row; one row per queue and interval.
    """
    require_columns(frame, FORECAST_REQUIRED_COLUMNS, what=what)
    if len(frame) == 0:
        raise WfmInputError(f"{what}: no rows")
    require_tz_aware(frame, "interval_start", what=what)
    _require_counts(frame, "calls_offered", what=what)
    calls = pd.to_numeric(frame["calls_offered"], errors="coerce").to_numpy(dtype="float64")
    aht = pd.to_numeric(frame["aht_seconds"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = (np.isnan(aht) & (calls > 0)) | (aht <= 0) | np.isinf(aht)
    if bad.any():
        i = _first(bad)
        raise WfmInputError(f"{what}: column 'aht_seconds' must be > 0 where calls are offered, got "
                            f"{frame['aht_seconds'].iloc[i]} at row {i} (interval_start {frame['interval_start'].iloc[i]})")
    _require_unique(frame, ["queue", "interval_start"], what=what)
