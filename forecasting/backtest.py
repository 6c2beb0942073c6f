"""Rolling-origin backtest: how well would each model have forecast the past?

For every queue and several forecast ORIGINS (local midnights, ``step_days``
apart, the last one ``horizon_days`` before the end of the history), each
model is fitted on the history BEFORE the origin only and forecasts the next
``horizon_days`` (1 day to 6 weeks). Its forecast is compared with what
actually happened, interval by interval, and the errors are grouped by
horizon bucket (day 1, days 2-7, 8-14, 15-28, 29-42) [1]_ [2]_.

Outputs (:class:`BacktestResult`):

* ``forecasts`` -- every backtest forecast next to its actual (long frame:
  queue, model, origin, interval_start, lead_days, horizon_bucket, actual,
  calls_offered and the four bounds); the ensemble uses it to weight models
  and to calibrate its intervals;
* ``table`` -- one row per model x queue x horizon bucket x origin: WAPE,
  MASE, bias, coverage80, coverage95, pinball loss of p10/p90;
* ``failures`` -- models that could not be fitted at an origin (e.g. history
  too short), with the reason, so nothing disappears silently;
* :func:`summarise_backtest` -- what a planner reads: per queue, model and
  horizon bucket (plus an ``all`` row), the pooled metrics over origins, the
  model's ``rank`` by WAPE and whether ``auto`` ``chosen`` it.

Actuals are the intervals present in the history; intervals without a row
(closed hours) are not scored.

References
----------
.. [1] Tashman, L.J. (2000) "Out-of-sample tests of forecasting accuracy: an
   analysis and review", *International Journal of Forecasting* 16(4),
   437-450 (rolling-origin evaluation).
.. [2] Hyndman, R.J. & Athanasopoulos, G. (2021) *Forecasting: principles and
   practice*, 3rd ed., OTexts, section 5.10 "Time series cross-validation".
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from forecasting import metrics
from forecasting.models import make_model
from forecasting.models.base import validate_history
from forecasting.parallel import parallel_map
from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import slots_per_week

__all__ = [
    "HORIZON_BUCKETS",
    "BacktestResult",
    "backtest_origins",
    "rolling_origin_backtest",
    "summarise_backtest",
    "score_forecasts",
]

#: (label, first lead day inclusive, last lead day exclusive) of each bucket.
HORIZON_BUCKETS: tuple[tuple[str, float, float], ...] = (
    ("day 1", 0.0, 1.0),
    ("days 2-7", 1.0, 7.0),
    ("days 8-14", 7.0, 14.0),
    ("days 15-28", 14.0, 28.0),
    ("days 29-42", 28.0, 42.0),
)

BOUND_COLUMNS = ("calls_offered_p10", "calls_offered_p90", "calls_offered_p025", "calls_offered_p975")
TABLE_COLUMNS = [
    "queue", "model", "origin", "horizon_bucket", "n_intervals", "actual_calls", "forecast_calls",
    "wape", "mase", "bias", "coverage80", "coverage95", "pinball_p10", "pinball_p90",
]
SUMMARY_COLUMNS = [
    "queue", "model", "horizon_bucket", "n_origins", "n_intervals", "wape", "mase", "bias",
    "coverage80", "coverage95", "rank", "chosen", "note",
]


@dataclass(frozen=True)
class BacktestResult:
    """Output of :func:`rolling_origin_backtest` (see the module docstring)."""

    forecasts: pd.DataFrame
    table: pd.DataFrame
    failures: pd.DataFrame
    interval_minutes: int
    horizon_days: int

    def summary(self, max_horizon_days: float | None = None, chosen: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
        """The planner's table, see :func:`summarise_backtest`."""
        return summarise_backtest(self, max_horizon_days=max_horizon_days, chosen=chosen)


def _bucket_of(lead_days: np.ndarray) -> np.ndarray:
    out = np.full(len(lead_days), "", dtype=object)
    for label, lo, hi in HORIZON_BUCKETS:
        out[(lead_days >= lo) & (lead_days < hi)] = label
    return out


def _check_whole(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise WfmInputError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def backtest_origins(history: pd.DataFrame, n_origins: int = 4, horizon_days: int = 42, step_days: int = 7) -> list[pd.Timestamp]:
    """Forecast origins (tz-aware local midnights), oldest first.

    The last origin is the latest local midnight that leaves ``horizon_days``
    of history after it; the others are ``step_days`` apart before it.

    Raises
    ------
    WfmInputError
        Bad parameters, or a history shorter than ``horizon_days`` + 1 day.
    """
    n_origins = _check_whole(n_origins, "n_origins", 1)
    horizon_days = _check_whole(horizon_days, "horizon_days", 1)
    step_days = _check_whole(step_days, "step_days", 1)
    validated = validate_history(history, "backtest")
    ts = validated.frame["interval_start"]
    tz = validated.tz
    end = ts.iloc[-1] + pd.Timedelta(minutes=validated.interval_minutes)
    last_local = (end.tz_convert(tz).tz_localize(None) - pd.Timedelta(days=horizon_days)).floor("D")
    first_local = ts.iloc[0].tz_convert(tz).tz_localize(None).ceil("D") + pd.Timedelta(days=1)
    origins = []
    for k in range(n_origins - 1, -1, -1):
        local = last_local - pd.Timedelta(days=k * step_days)
        if local >= first_local:
            origins.append(local.tz_localize(tz, ambiguous=True, nonexistent="shift_forward"))
    if not origins:
        span = (end - ts.iloc[0]) / pd.Timedelta(days=1)
        raise WfmInputError(
            f"backtest: the history covers {span:.1f} days; a backtest with horizon_days={horizon_days} "
            f"needs at least {horizon_days + 2} days (a day of training before the first origin)"
        )
    return origins


def _make(spec: Any):
    """A fresh unfitted model from a registry name, (name, params) or an instance."""
    if isinstance(spec, str):
        return make_model(spec)
    if isinstance(spec, tuple):
        return make_model(spec[0], **spec[1])
    return copy.deepcopy(spec)


def _normalise_models(models) -> dict[str, Any]:
    if isinstance(models, str):
        models = [models]
    if isinstance(models, Mapping):
        out = {}
        for name, spec in models.items():
            out[str(name)] = (name, dict(spec)) if isinstance(spec, Mapping) else spec
        return out
    out = {}
    for spec in models:
        if isinstance(spec, str):
            name = spec
        elif isinstance(spec, tuple):
            name, spec = spec[0], (spec[0], dict(spec[1]))
        else:
            name = getattr(spec, "name", type(spec).__name__)
        out[str(name)] = spec
    if not out:
        raise WfmInputError("backtest: models must name at least one model")
    return out


def _regular(train: pd.DataFrame, minutes: int) -> np.ndarray:
    """Training calls on the full absolute-time grid, missing rows (closed) as 0."""
    ts = pd.DatetimeIndex(train["interval_start"])
    grid = pd.date_range(ts[0], ts[-1], freq=f"{minutes}min")
    return pd.Series(train["calls_offered"].to_numpy(dtype=float), index=ts).reindex(grid, fill_value=0.0).to_numpy()


def _run_origin(task: tuple) -> tuple[pd.DataFrame, list[dict]]:
    """Fit every model on the history before one origin; forecast; join actuals."""
    queue, frame, origin, horizon_days, models, minutes, tz, calibrate = task
    ts = frame["interval_start"]
    train = frame[ts < origin].reset_index(drop=True)
    train.attrs = dict(frame.attrs)
    end = (origin.tz_convert(tz).tz_localize(None) + pd.Timedelta(days=horizon_days)).tz_localize(
        tz, ambiguous=True, nonexistent="shift_forward"
    )
    test = frame[(ts >= origin) & (ts < end)]
    failures: list[dict] = []
    parts = []
    if len(train) < 2 or len(test) == 0:
        for name in models:
            failures.append({"queue": queue, "model": name, "origin": origin, "error": "no training or test rows at this origin"})
        return pd.DataFrame(), failures
    last = train["interval_start"].iloc[-1]
    horizon = int((end - last) / pd.Timedelta(minutes=minutes)) - 1
    actual = pd.Series(test["calls_offered"].to_numpy(dtype=float), index=pd.DatetimeIndex(test["interval_start"]))
    for name, spec in models.items():
        try:
            model = _make(spec)
            takes_calibrate = "calibrate" in inspect.signature(model.fit).parameters
            model = model.fit(train, calibrate=False) if not calibrate and takes_calibrate else model.fit(train)
            pred = model.predict(horizon)
        except WfmInputError as exc:
            failures.append({"queue": queue, "model": name, "origin": origin, "error": str(exc)})
            continue
        except Exception as exc:  # a model crash is reported, not hidden
            failures.append({"queue": queue, "model": name, "origin": origin, "error": f"{type(exc).__name__}: {exc}"})
            continue
        pred = pred.set_index("interval_start").reindex(actual.index)
        if pred["calls_offered"].isna().any():
            failures.append({"queue": queue, "model": name, "origin": origin,
                             "error": "forecast does not cover every actual interval"})
            continue
        part = pd.DataFrame({
            "queue": queue, "model": name, "origin": origin, "interval_start": actual.index,
            "actual": actual.to_numpy(), "calls_offered": pred["calls_offered"].to_numpy(dtype=float),
        })
        for col in BOUND_COLUMNS:
            part[col] = pred[col].to_numpy(dtype=float)
        parts.append(part)
    if not parts:
        return pd.DataFrame(), failures
    out = pd.concat(parts, ignore_index=True)
    lead = (pd.DatetimeIndex(out["interval_start"]) - origin) / pd.Timedelta(days=1)
    out["lead_days"] = np.asarray(lead, dtype=float)
    out["horizon_bucket"] = _bucket_of(out["lead_days"].to_numpy())
    regular = _regular(train, minutes)
    week = slots_per_week(minutes)
    out["mase_scale"] = metrics.mase_scale(regular, week) if len(regular) > week else float("nan")
    return out, failures


def score_forecasts(forecasts: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Accuracy metrics of backtest forecasts pooled over the groups ``by``.

    WAPE, bias and coverage pool every interval of a group; MASE is the mean
    absolute error divided by each origin's in-sample weekly seasonal-naive
    scale (``mase_scale``), averaged over the group's intervals.
    """
    rows = []
    for key, g in forecasts.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        a = g["actual"].to_numpy()
        f = g["calls_offered"].to_numpy()
        scale = g["mase_scale"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = np.abs(a - f) / scale
        row = dict(zip(by, key))
        row.update(
            n_intervals=len(g),
            n_origins=g["origin"].nunique(),
            actual_calls=float(a.sum()),
            forecast_calls=float(f.sum()),
            wape=metrics.wape(a, f),
            mase=float(np.mean(scaled)) if np.all(np.isfinite(scaled)) else float("nan"),
            bias=metrics.bias(a, f),
            coverage80=metrics.coverage(a, g["calls_offered_p10"], g["calls_offered_p90"]),
            coverage95=metrics.coverage(a, g["calls_offered_p025"], g["calls_offered_p975"]),
            pinball_p10=metrics.pinball_loss(a, g["calls_offered_p10"], 0.10),
            pinball_p90=metrics.pinball_loss(a, g["calls_offered_p90"], 0.90),
        )
        rows.append(row)
    return pd.DataFrame(rows)


def rolling_origin_backtest(
    history: pd.DataFrame,
    models: Sequence[Any] | Mapping[str, Any] = ("seasonal_naive", "weekly_mean"),
    *,
    n_origins: int = 4,
    horizon_days: int = 42,
    step_days: int = 7,
    n_jobs: int = 1,
    dask_scheduler: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    calibrate: bool = True,
) -> BacktestResult:
    """Rolling-origin backtest of ``models`` on every queue of ``history``.

    Parameters
    ----------
    history : DataFrame
        Canonical history (one or several queues; ``queue`` column optional
        for one queue). ``attrs["interval_minutes"]`` is used when present.
    models : sequence or mapping
        Registry names (``"ets"``), ``{name: params}``, or unfitted model
        instances (deep-copied for each origin).
    n_origins : int
        Forecast origins per queue (default 4), ``step_days`` apart.
    horizon_days : int
        Days forecast from each origin (default 42 = 6 weeks).
    step_days : int
        Days between origins (default 7).
    n_jobs, dask_scheduler, progress
        See :func:`forecasting.parallel.parallel_map`; the work items are the
        (queue, origin) pairs.
    calibrate : bool
        Each model calibrates its own bounds on a holdout refit (True, default: the backtest
        report's coverage is then each model's own). False halves the cost: the bounds come from
        the cheap same-time-yesterday errors, for callers that calibrate on the backtest's
        residuals themselves (``auto`` does).

    Returns
    -------
    BacktestResult
    """
    models = _normalise_models(models)
    if "queue" not in history.columns:
        history = history.assign(queue="queue")
    tasks, labels = [], []
    minutes_seen = None
    for queue, frame in history.groupby("queue", sort=True):
        frame = frame.drop(columns="queue").reset_index(drop=True)
        frame.attrs = dict(history.attrs)
        validated = validate_history(frame, f"backtest (queue {queue!r})")
        minutes_seen = validated.interval_minutes
        for origin in backtest_origins(validated.frame, n_origins, horizon_days, step_days):
            tasks.append((str(queue), validated.frame, origin, horizon_days, models, validated.interval_minutes,
                          validated.tz, calibrate))
            labels.append(f"backtest {queue} origin {origin.date()}")
    results = parallel_map(_run_origin, tasks, n_jobs=n_jobs, dask_scheduler=dask_scheduler, progress=progress, labels=labels)
    frames = [r[0] for r in results if len(r[0])]
    failures = [f for r in results for f in r[1]]
    forecast_cols = ["queue", "model", "origin", "interval_start", "lead_days", "horizon_bucket", "actual",
                     "calls_offered", *BOUND_COLUMNS, "mase_scale"]
    forecasts = pd.concat(frames, ignore_index=True)[forecast_cols] if frames else pd.DataFrame(columns=forecast_cols)
    table = score_forecasts(forecasts, ["queue", "model", "origin", "horizon_bucket"]) if len(forecasts) else pd.DataFrame()
    table = table.reindex(columns=TABLE_COLUMNS)
    fail = pd.DataFrame(failures, columns=["queue", "model", "origin", "error"])
    return BacktestResult(forecasts, table, fail, int(minutes_seen), int(horizon_days))


def summarise_backtest(
    result: BacktestResult,
    max_horizon_days: float | None = None,
    chosen: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Per queue, model and horizon bucket (plus ``all``): the planner's table.

    Parameters
    ----------
    result : BacktestResult
    max_horizon_days : float, optional
        Score only lead times below this (e.g. the forecast's own horizon).
    chosen : mapping queue -> model names, optional
        Marks the models ``auto`` used (column ``chosen``).

    Returns
    -------
    DataFrame
        Columns ``queue, model, horizon_bucket, n_origins, n_intervals, wape,
        mase, bias, coverage80, coverage95, rank, chosen, note``; ``rank`` is
        1 for the lowest WAPE of the queue over all buckets (``all``); a model
        that failed at some origin has its reason in ``note``.
    """
    fc = result.forecasts
    if max_horizon_days is not None:
        fc = fc[fc["lead_days"] < max_horizon_days]
    parts = []
    if len(fc):
        by_bucket = score_forecasts(fc, ["queue", "model", "horizon_bucket"])
        overall = score_forecasts(fc, ["queue", "model"]).assign(horizon_bucket="all")
        parts = [overall, by_bucket]
    summary = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=SUMMARY_COLUMNS)
    for queue, model, origin, error in result.failures.itertuples(index=False):
        if not ((summary["queue"] == queue) & (summary["model"] == model)).any():
            summary = pd.concat([summary, pd.DataFrame([{"queue": queue, "model": model, "horizon_bucket": "all"}])],
                                ignore_index=True)
    notes = (
        result.failures.groupby(["queue", "model"])["error"]
        .agg(lambda s: f"failed at {len(s)} origin(s): {s.iloc[0]}")
        if len(result.failures) else pd.Series(dtype=str)
    )
    summary["note"] = [notes.get((q, m), "") for q, m in zip(summary["queue"], summary["model"])]
    all_rows = summary[summary["horizon_bucket"] == "all"].copy()
    all_rows["rank"] = all_rows.groupby("queue")["wape"].rank(method="min")
    summary["rank"] = [
        all_rows.loc[(all_rows["queue"] == q) & (all_rows["model"] == m), "rank"].iloc[0]
        for q, m in zip(summary["queue"], summary["model"])
    ]
    chosen = chosen or {}
    summary["chosen"] = [m in set(chosen.get(q, ())) for q, m in zip(summary["queue"], summary["model"])]
    order = {label: i for i, (label, _, _) in enumerate((("all", 0, 0),) + HORIZON_BUCKETS)}
    summary["_b"] = summary["horizon_bucket"].map(order)
    summary = summary.sort_values(["queue", "_b", "rank", "model"], na_position="last").drop(columns="_b")
    summary["rank"] = summary["rank"].astype("Int64")
    return summary.reindex(columns=SUMMARY_COLUMNS).reset_index(drop=True)
