"""The forecasting pipeline: history of every queue in, forecast CSV frame out.

:func:`forecast` is what ``wfm forecast`` runs. Per queue:

1. the history is aggregated to the MODEL resolution: whole hours when the
   requested interval is shorter than an hour (the statistical models are
   fitted hourly: 4 times fewer points, steadier shapes), else the requested
   interval itself;
2. with ``model="auto"`` (or ``backtest=True``) a rolling-origin backtest
   (:mod:`forecasting.backtest`) runs over every (queue, origin) pair in
   parallel; ``auto`` then chooses per queue (:class:`forecasting.ensemble.AutoForecaster`);
3. the chosen model is fitted on the whole history of the queue and forecasts
   ``horizon_days`` whole local days, starting at the local midnight after the
   last history interval;
4. an hourly forecast is split into the requested 15/30-minute intervals by
   the learned intraday profile (:mod:`forecasting.intraday`), so the
   intervals of every hour sum to the hour; closed slots stay 0;
5. ``aht_seconds`` is added by :class:`forecasting.aht.AhtForecaster`.

Steps 3-5 run in parallel over queues. The same code runs on joblib
(``n_jobs``) or on a Dask cluster (``dask_scheduler``), see
:mod:`forecasting.parallel`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from forecasting.aht import AhtForecaster
from forecasting.backtest import rolling_origin_backtest, summarise_backtest
from forecasting.ensemble import AutoForecaster, Combination, backtest_design, model_params, relative_wape
from forecasting.intraday import aggregate_intervals, learn_intraday_profile, split_forecast
from forecasting.models import MODELS, make_model
from forecasting.models.base import validate_history
from forecasting.parallel import parallel_map
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import FORECAST_COLUMNS

__all__ = [
    "OUTPUT_COLUMNS",
    "ForecastResult",
    "forecast",
    "model_names",
    "parse_horizon_days",
    "parse_interval_minutes",
]

#: Columns of the forecast CSV, in order (a public contract, :data:`wfm.ground.frames.FORECAST_COLUMNS`).
OUTPUT_COLUMNS = list(FORECAST_COLUMNS)
#: Models fitted at most at this resolution [minutes]; finer output is split.
MODEL_INTERVAL_MINUTES = 60
#: Longest backtest horizon [days] (6 weeks, issue 3 item 6).
MAX_BACKTEST_DAYS = 42


@dataclass(frozen=True)
class ForecastResult:
    """Output of :func:`forecast`.

    Attributes
    ----------
    forecast : DataFrame
        :data:`OUTPUT_COLUMNS`, sorted by queue and interval_start.
    backtest : DataFrame or None
        The planner's backtest summary (see
        :func:`forecasting.backtest.summarise_backtest`) when a backtest ran.
    selection : DataFrame or None
        ``auto``'s decision table per queue (see
        :func:`forecasting.ensemble.select_from_backtest`).
    """

    forecast: pd.DataFrame
    backtest: pd.DataFrame | None
    selection: pd.DataFrame | None


def model_names() -> list[str]:
    """Every value ``model=`` accepts."""
    return ["auto", "combination", *sorted(MODELS)]


def parse_horizon_days(text) -> int:
    """``"28d"``, ``"4w"`` or ``28`` -> days (a whole number >= 1).

    Raises
    ------
    WfmInputError
        Unparseable, zero or negative (the message shows the value).
    """
    s = str(text).strip().lower()
    m = re.fullmatch(r"(\d+)\s*(d|day|days|w|week|weeks)?", s)
    if not m:
        raise WfmInputError(f"--horizon must look like 28d, 4w or 28 (days), got {text!r}")
    days = int(m.group(1)) * (7 if (m.group(2) or "d").startswith("w") else 1)
    if days < 1:
        raise WfmInputError(f"--horizon must be at least 1 day, got {text!r}")
    return days


def parse_interval_minutes(text) -> int:
    """``"15min"``, ``"30min"``, ``"60min"``, ``"1h"`` or ``15`` -> minutes.

    Raises
    ------
    WfmInputError
        Unparseable, or not a positive divisor of a day.
    """
    s = str(text).strip().lower()
    m = re.fullmatch(r"(\d+)\s*(min|mins|minutes|m|h|hour|hours)?", s)
    if not m:
        raise WfmInputError(f"--interval must look like 15min, 30min, 60min or 1h, got {text!r}")
    minutes = int(m.group(1)) * (60 if (m.group(2) or "min").startswith("h") else 1)
    if minutes < 1 or 1440 % minutes:
        raise WfmInputError(f"--interval must divide a day (e.g. 15min, 30min, 60min), got {text!r}")
    return minutes


def _split_queues(history: pd.DataFrame, queues) -> dict[str, pd.DataFrame]:
    if not isinstance(history, pd.DataFrame):
        raise WfmInputError(f"forecast: history must be a pandas DataFrame, got {type(history).__name__}")
    if "queue" not in history.columns:
        raise WfmInputError(f"forecast: history needs a 'queue' column (columns: {list(history.columns)})")
    present = sorted(pd.unique(history["queue"].astype(str)))
    if queues is not None:
        missing = [q for q in queues if q not in present]
        if missing:
            raise WfmInputError(f"--queues: queue(s) {missing} not in the history; its queues are {present}")
        present = [q for q in present if q in set(queues)]
    out = {}
    for q in present:
        frame = history[history["queue"].astype(str) == q].reset_index(drop=True)
        frame.attrs = dict(history.attrs)
        out[q] = frame
    if not out:
        raise WfmInputError("forecast: the history has no rows")
    return out


def _queue_task(task: dict) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Fit, forecast, split and add AHT for one queue (runs in a worker)."""
    queue = task["queue"]
    fine, coarse = task["fine"], task["coarse"]
    coarse_m, out_m, tz = task["coarse_minutes"], task["interval_minutes"], task["tz"]
    selection = None
    if task["model"] == "auto":
        auto = AutoForecaster(candidates=task["candidates"], max_horizon_days=task["horizon_days"], **task["calendar"])
        if task["backtest"] is not None:
            model = auto.fit_from_backtest(coarse.assign(queue=queue), task["backtest"],
                                           relative_prior=task.get("relative_prior"))
        else:
            model = auto._fit_fallback(coarse, task["backtest_error"] or "no backtest")
        selection = model.selection_.assign(queue=queue)
    elif task["model"] == "combination":
        members = [(n, model_params(n, **task["calendar"])) for n in ("ets", "mstl", "regression") if n in MODELS]
        model = Combination(members).fit(coarse)
    else:
        model = make_model(task["model"], **model_params(task["model"], **task["calendar"])).fit(coarse)
    last = coarse["interval_start"].iloc[-1]
    start = task["start"]
    end = (start.tz_localize(None) + pd.Timedelta(days=task["horizon_days"])).tz_localize(
        tz, ambiguous=True, nonexistent="shift_forward")
    horizon = int((end - last) / pd.Timedelta(minutes=coarse_m)) - 1
    pred = model.predict(horizon)
    pred = pred[(pred["interval_start"] >= start) & (pred["interval_start"] < end)].reset_index(drop=True)
    if out_m < coarse_m:
        profile = learn_intraday_profile(task["profile_history"], coarse_m, country=task["calendar"]["country"],
                                         horizon_days=task["horizon_days"] + 400)
        pred = split_forecast(pred, profile)
    aht = AhtForecaster(default_aht_seconds=task["aht_seconds"]).fit(task["profile_history"])
    pred["aht_seconds"] = aht.predict(pred["interval_start"]).to_numpy()
    pred["queue"] = queue
    return pred[OUTPUT_COLUMNS], selection


def forecast(
    history_all_queues: pd.DataFrame,
    horizon_days: int,
    interval_minutes: int,
    model: str = "auto",
    events: pd.DataFrame | None = None,
    country: str | None = "SE",
    backtest: bool = False,
    n_jobs: int = 2,
    dask_scheduler: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    *,
    queues: list[str] | None = None,
    random_state: int = 0,
    aht_seconds: float | None = None,
    candidates: list[str] | None = None,
    n_origins: int = 6,
) -> ForecastResult:
    """Forecast calls (with 80 %/95 % bounds) and AHT for every queue.

    Parameters
    ----------
    history_all_queues : DataFrame
        Canonical history (``forecasting.history.read_history``), any number
        of queues; ``attrs["interval_minutes"]`` used when present.
    horizon_days : int
        Whole local days to forecast (>= 1).
    interval_minutes : int
        Output interval [minutes] (15, 30, 60, ...); not finer than the
        history's and a divisor or multiple of 60.
    model : str
        ``"auto"``, ``"combination"`` (median of ets, mstl, regression) or a
        registry name (see :func:`model_names`).
    events : DataFrame, optional
        User events from :func:`forecasting.events.read_events`.
    country : str or None
        Holiday calendar (default ``"SE"``: Swedish holidays, eves, bridge days).
    backtest : bool
        Also return the backtest summary (of ``auto``'s candidates, or of
        ``model`` and the seasonal-naive baseline).
    n_jobs, dask_scheduler, progress
        Parallelism and progress, see :func:`forecasting.parallel.parallel_map`.
    queues : list of str, optional
        Forecast only these queues.
    random_state : int
        Seed passed to the models that take one.
    aht_seconds : float, optional
        Constant handle time [seconds] for queues whose history has none.
    candidates : list of str, optional
        ``auto``'s candidate models (default all registered).
    n_origins : int
        Backtest origins per queue (default 6, a week apart; ``auto``
        chooses on them, see :class:`forecasting.ensemble.AutoForecaster`).

    Returns
    -------
    ForecastResult

    Raises
    ------
    WfmInputError
        Unknown model (lists the valid names), horizon < 1 day, an interval
        finer than the history's or incompatible with it, unknown queue.
    """
    if model not in model_names():
        raise WfmInputError(f"--model: unknown model {model!r}; valid models: {', '.join(model_names())}")
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, (int, np.integer)) or horizon_days < 1:
        raise WfmInputError(f"--horizon must be a whole number of days >= 1, got {horizon_days!r}")
    if isinstance(interval_minutes, bool) or not isinstance(interval_minutes, (int, np.integer)) or \
            interval_minutes < 1 or 1440 % interval_minutes:
        raise WfmInputError(f"--interval must divide a day (15, 30, 60 minutes ...), got {interval_minutes!r}")
    if candidates is not None:
        unknown = [c for c in candidates if c not in MODELS]
        if unknown:
            raise WfmInputError(f"candidates: unknown model(s) {unknown}; known models: {sorted(MODELS)}")
    per_queue = _split_queues(history_all_queues, queues)
    tz = None
    fines, coarses, profiles = {}, {}, {}
    coarse_m = None
    for q, frame in per_queue.items():
        validated = validate_history(frame.drop(columns="queue"), f"forecast (queue {q!r})")
        hist_m, tz = validated.interval_minutes, validated.tz
        if interval_minutes < hist_m:
            raise WfmInputError(
                f"--interval {interval_minutes}min is finer than the history's {hist_m}-minute intervals "
                f"(queue {q!r}); forecast at {hist_m}min or coarser, or import a finer history"
            )
        if interval_minutes % hist_m:
            raise WfmInputError(
                f"--interval {interval_minutes}min is not a multiple of the history's {hist_m}-minute intervals (queue {q!r})"
            )
        if 60 % interval_minutes and interval_minutes % 60:
            raise WfmInputError(f"--interval must divide an hour or be whole hours, got {interval_minutes}min")
        q_coarse_m = max(MODEL_INTERVAL_MINUTES, hist_m) if interval_minutes < MODEL_INTERVAL_MINUTES else interval_minutes
        coarse_m = q_coarse_m
        fine = validated.frame
        out_res = fine if interval_minutes == hist_m else aggregate_intervals(fine, interval_minutes, tz)
        coarse = fine if q_coarse_m == hist_m else aggregate_intervals(fine, q_coarse_m, tz)
        coarse = coarse.reset_index(drop=True)
        coarse.attrs = dict(fine.attrs, interval_minutes=q_coarse_m, tz=tz)
        out_res.attrs = dict(fine.attrs, interval_minutes=interval_minutes, tz=tz)
        fines[q], coarses[q], profiles[q] = fine, coarse, out_res

    calendar = {"country": country, "events": events, "random_state": random_state}
    auto_candidates = list(candidates) if candidates is not None else sorted(MODELS)
    bt_result, bt_error = None, None
    if model == "auto" or backtest:
        bt_models = auto_candidates if model == "auto" else sorted({model, "seasonal_naive"} - {"combination"})
        specs = {n: (n, model_params(n, **calendar)) for n in bt_models}
        if model == "combination":
            specs["combination"] = Combination([(n, model_params(n, **calendar)) for n in ("ets", "mstl", "regression")])
        all_coarse = pd.concat([c.assign(queue=q) for q, c in coarses.items()], ignore_index=True)
        all_coarse.attrs = {"interval_minutes": coarse_m, "tz": tz}
        spans = [int((c["interval_start"].iloc[-1] - c["interval_start"].iloc[0]) / pd.Timedelta(days=1)) for c in coarses.values()]
        # shorter horizon, then fewer origins, so 3 weeks of training stay before the first origin
        bt_origins, bt_days = backtest_design(min(spans), n_origins, 7, min(MAX_BACKTEST_DAYS, horizon_days))
        try:
            bt_result = rolling_origin_backtest(all_coarse, specs, n_origins=bt_origins, horizon_days=bt_days,
                                                n_jobs=n_jobs, dask_scheduler=dask_scheduler, progress=progress)
        except WfmInputError as exc:
            if backtest:
                raise WfmInputError(f"--backtest: {exc}") from exc
            bt_error = str(exc)
    # each model's WAPE relative to the best, over all queues: auto's prior for every queue
    prior = relative_wape(bt_result.forecasts, horizon_days) if bt_result is not None and model == "auto" else None
    tasks, labels = [], []
    for q in per_queue:
        last_local = coarses[q]["interval_start"].iloc[-1].tz_convert(tz).tz_localize(None)
        fine_last = fines[q]["interval_start"].iloc[-1].tz_convert(tz).tz_localize(None)
        start_local = max(last_local, fine_last).normalize() + pd.Timedelta(days=1)
        start = start_local.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
        bt_q = None
        if bt_result is not None and model == "auto":
            bt_q = bt_result
        tasks.append({
            "queue": q, "fine": fines[q], "coarse": coarses[q], "profile_history": profiles[q],
            "coarse_minutes": coarse_m, "interval_minutes": interval_minutes, "tz": tz, "start": start,
            "horizon_days": int(horizon_days), "model": model, "candidates": auto_candidates,
            "calendar": calendar, "backtest": _subset(bt_q, q), "backtest_error": bt_error,
            "aht_seconds": aht_seconds, "relative_prior": prior,
        })
        labels.append(f"forecast {q}")
    results = parallel_map(_queue_task, tasks, n_jobs=n_jobs, dask_scheduler=dask_scheduler,
                           progress=progress, labels=labels)
    out = pd.concat([r[0] for r in results], ignore_index=True).sort_values(["queue", "interval_start"])
    out = out.reset_index(drop=True)
    out.attrs = {"interval_minutes": int(interval_minutes), "tz": tz}
    selections = [r[1] for r in results if r[1] is not None]
    selection = pd.concat(selections, ignore_index=True) if selections else None
    summary = None
    if bt_result is not None:
        chosen = {}
        if selection is not None:
            for q, g in selection.groupby("queue"):
                chosen[q] = list(g.loc[g["chosen"] & (g["kind"] == "model"), "candidate"])
        summary = summarise_backtest(bt_result, max_horizon_days=horizon_days, chosen=chosen)
    return ForecastResult(out, summary, selection)


def _subset(bt, queue):
    """The part of a backtest result that belongs to one queue (smaller pickles)."""
    if bt is None:
        return None
    from forecasting.backtest import BacktestResult

    fc = bt.forecasts[bt.forecasts["queue"] == queue]
    fail = bt.failures[bt.failures["queue"] == queue]
    table = bt.table[bt.table["queue"] == queue] if len(bt.table) else bt.table
    return BacktestResult(fc, table, fail, bt.interval_minutes, bt.horizon_days)


def write_forecast_csv(frame: pd.DataFrame, path) -> None:
    """Write the forecast CSV: :data:`OUTPUT_COLUMNS`, ISO-8601 timestamps with offset."""
    out = frame[OUTPUT_COLUMNS].copy()
    text = pd.Series(pd.DatetimeIndex(out["interval_start"]).strftime("%Y-%m-%dT%H:%M:%S%z"), index=out.index)
    out["interval_start"] = text.str.replace(r"([+-]\d\d)(\d\d)$", r"\1:\2", regex=True)
    out.to_csv(path, index=False, float_format="%.4f")


__all__.append("write_forecast_csv")
