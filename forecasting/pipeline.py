"""The forecasting pipeline: history of every queue in, forecast CSV frame out.

:func:`forecast` is what ``wfm forecast`` and the app's Forecast page run: a history frame
and a :class:`ForecastSettings` in, a :class:`ForecastResult` out.  Per queue:

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

from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np
import pandas as pd

from forecasting.aht import AhtForecaster
from forecasting.cleaning import find_outlier_days, replace_outlier_days
from forecasting.backtest import BacktestResult, rolling_origin_backtest, summarise_backtest
from forecasting.ensemble import (
    AutoForecaster,
    Combination,
    backtest_design,
    default_candidates,
    make_forecaster,
    model_params,
    relative_wape,
)
from forecasting.intraday import aggregate_intervals, learn_intraday_profile, split_forecast
from forecasting.models import MODELS, UNAVAILABLE, check_model_name, fallback_for
from forecasting.models.base import InsufficientHistoryError, special_days_frame, validate_history
from forecasting.opening_hours import learn_opening_hours
from forecasting.parallel import parallel_map
from wfm.ground.calendar import holiday_country
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import FORECAST_COLUMNS, FORECAST_DAY_RATIO_COLUMN, MAX_DURATION_SECONDS
from wfm.ground.timegrid import check_interval_minutes, local_wallclock, regular_grid

__all__ = [
    "COUNTRY_OF_ZONE",
    "OUTPUT_COLUMNS",
    "ForecastResult",
    "ForecastSettings",
    "forecast",
    "model_names",
]

#: Columns of the forecast CSV, in order (a public contract, :data:`wfm.ground.frames.FORECAST_COLUMNS`).
OUTPUT_COLUMNS = list(FORECAST_COLUMNS)
#: Models fitted at most at this resolution [minutes]; finer output is split.
MODEL_INTERVAL_MINUTES = 60
#: Longest backtest horizon [days] (6 weeks, issue 3 item 6).
MAX_BACKTEST_DAYS = 42
#: ``country=`` default: the holidays of the history's zone's country (``wfm.ground.calendar.holiday_country``).
COUNTRY_OF_ZONE = "zone"
#: Members of ``model="combination"``.
COMBINATION_MEMBERS = ("ets", "mstl", "regression")


def model_names() -> list[str]:
    """Every value ``model=`` accepts (an unavailable model is not one, see
    :data:`forecasting.models.UNAVAILABLE`)."""
    return ["auto", "combination", *sorted(MODELS)]


#: Longest forecast horizon [days]: two years, past which no model here is meaningful (and the
#: timestamps of a longer one would soon leave the range pandas can hold).
MAX_HORIZON_DAYS = 731


def _whole(value, parameter: str, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise WfmInputError(f"{parameter} must be a whole number >= {minimum}, got {value!r}", parameter=parameter)
    if maximum is not None and value > maximum:
        raise WfmInputError(f"{parameter} must be at most {maximum}, got {value!r}", parameter=parameter)
    return int(value)


@dataclass(frozen=True)
class ForecastSettings:
    """What to forecast and how; checked on construction.

    Parameters
    ----------
    horizon_days : int
        Whole local days to forecast (>= 1).
    interval_minutes : int
        Output interval [minutes] (15, 30, 60, ...): a divisor of an hour or whole hours, not
        finer than the history's and a multiple of it.
    model : str
        ``"auto"``, ``"combination"`` (median of ets, mstl, regression) or a registry name
        (see :func:`model_names`).
    country : str or None
        Holiday calendar: an ISO country code (``"SE"``: Swedish holidays, eves, bridge days), None
        for none, or :data:`COUNTRY_OF_ZONE` (the default): the country of the history's zone
        (Europe/Stockholm -> SE, America/Denver -> US; none for UTC).
    backtest : bool
        Also return the backtest summary (of ``auto``'s candidates, or of ``model`` and the
        seasonal-naive baseline).
    queues : tuple of str, optional
        Forecast only these queues.
    random_state : int
        Seed passed to the models that take one.
    aht_seconds : float, optional
        Constant handle time [seconds] for queues whose history has none.
    candidates : tuple of str, optional
        ``auto``'s candidate models (default every registered model but Prophet and MSTL,
        :func:`forecasting.ensemble.default_candidates`; the 4-week mean and seasonal naive are
        always among them and ``auto`` falls back to the 4-week mean when its rule, scored
        nested, does not beat it).
    clean : bool
        Replace one-off days (a spike, an outage) by the usual values of their slots before the
        models are fitted (:mod:`forecasting.cleaning`; holidays and event days are never
        replaced).  Default True.
    n_origins : int
        Backtest origins per queue (default 6, a week apart).
    """

    horizon_days: int
    interval_minutes: int
    model: str = "auto"
    country: str | None = COUNTRY_OF_ZONE
    backtest: bool = False
    queues: tuple[str, ...] | None = None
    random_state: int = 0
    aht_seconds: float | None = None
    candidates: tuple[str, ...] | None = None
    n_origins: int = 6
    clean: bool = True

    def __post_init__(self):
        if self.model not in model_names():
            if self.model in UNAVAILABLE:
                check_model_name(self.model)  # says why
            raise WfmInputError(f"model: unknown model {self.model!r}; valid models: {', '.join(model_names())}",
                                parameter="model")
        _whole(self.horizon_days, "horizon_days", 1, MAX_HORIZON_DAYS)
        minutes = check_interval_minutes(self.interval_minutes)
        if 60 % minutes and minutes % 60:
            raise WfmInputError(f"interval_minutes must divide an hour or be whole hours, got {minutes}",
                                parameter="interval_minutes")
        _whole(self.n_origins, "n_origins", 1)
        for name in ("queues", "candidates"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, tuple(str(v) for v in value))
        if self.candidates is not None:
            unknown = [c for c in self.candidates if c not in MODELS]
            if unknown:
                raise WfmInputError(f"candidates: unknown model(s) {unknown}; known models: {sorted(MODELS)}",
                                    parameter="candidates")
        if self.aht_seconds is not None and not (np.isfinite(self.aht_seconds)
                                                 and 0 < self.aht_seconds <= MAX_DURATION_SECONDS):
            raise WfmInputError(f"aht_seconds must be > 0 and at most {MAX_DURATION_SECONDS:,} (a day), "
                                f"got {self.aht_seconds!r}", parameter="aht_seconds")

    @property
    def calendar(self) -> dict:
        """The calendar hyperparameters the models that take them get (events added by the caller)."""
        return {"country": self.country, "random_state": self.random_state}


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
    notes : tuple of str
        What the planner should know about how the forecast was made, one sentence each: a queue
        with no calls (forecast 0), hours missing some of their rows (read as gaps), one-off
        days replaced, a model that fell back for lack of history.
    """

    forecast: pd.DataFrame
    backtest: pd.DataFrame | None
    selection: pd.DataFrame | None
    notes: tuple[str, ...] = ()


@dataclass
class _Queues:
    """Each queue's history at three resolutions: as read, the output's and the models'."""

    fine: dict[str, pd.DataFrame] = field(default_factory=dict)
    coarse: dict[str, pd.DataFrame] = field(default_factory=dict)
    output: dict[str, pd.DataFrame] = field(default_factory=dict)
    tz: str = ""
    coarse_minutes: int = 0
    no_calls: set = field(default_factory=set)
    notes: list = field(default_factory=list)


def _split_queues(history: pd.DataFrame, queues) -> dict[str, pd.DataFrame]:
    if not isinstance(history, pd.DataFrame):
        raise WfmInputError(f"forecast: history must be a pandas DataFrame, got {type(history).__name__}")
    if "queue" not in history.columns:
        raise WfmInputError(f"forecast: history needs a 'queue' column (columns: {list(history.columns)})")
    present = sorted(pd.unique(history["queue"].astype(str)))
    if queues is not None:
        missing = [q for q in queues if q not in present]
        if missing:
            raise WfmInputError(f"queues: queue(s) {missing} not in the history; its queues are {present}",
                                parameter="queues")
        present = [q for q in present if q in set(queues)]
    out = {}
    for q in present:
        frame = history[history["queue"].astype(str) == q].reset_index(drop=True)
        frame.attrs = dict(history.attrs)
        out[q] = frame
    if not out:
        raise WfmInputError("forecast: the history has no rows")
    return out


def _prepare(history: pd.DataFrame, settings: ForecastSettings) -> _Queues:
    """Validate each queue and aggregate it to the output and the model resolution (step 1)."""
    minutes = settings.interval_minutes
    prepared = _Queues()
    for q, frame in _split_queues(history, settings.queues).items():
        validated = validate_history(frame.drop(columns="queue"), f"forecast (queue {q!r})")
        hist_m, tz = validated.interval_minutes, validated.tz
        if minutes < hist_m:
            raise WfmInputError(
                f"interval_minutes {minutes} is finer than the history's {hist_m}-minute intervals (queue {q!r}); "
                f"forecast at {hist_m} minutes or coarser, or import a finer history", parameter="interval_minutes")
        if minutes % hist_m:
            raise WfmInputError(f"interval_minutes {minutes} is not a multiple of the history's {hist_m}-minute "
                                f"intervals (queue {q!r})", parameter="interval_minutes")
        coarse_m = max(MODEL_INTERVAL_MINUTES, hist_m) if minutes < MODEL_INTERVAL_MINUTES else minutes
        fine = validated.frame
        output = fine if minutes == hist_m else aggregate_intervals(fine, minutes, tz)
        coarse = (fine if coarse_m == hist_m else aggregate_intervals(fine, coarse_m, tz)).reset_index(drop=True)
        if not (fine["calls_offered"] > 0).any():
            prepared.no_calls.add(q)
            prepared.notes.append(f"queue {q!r}: the history has no calls; its forecast is 0")
        elif coarse_m > hist_m:
            coarse, n_gaps = _incomplete_as_gaps(fine, coarse, hist_m, coarse_m, tz)
            if n_gaps:
                prepared.notes.append(f"queue {q!r}: {n_gaps} interval(s) of {coarse_m} minutes miss some of "
                                      f"their open {hist_m}-minute rows; the models read them as gaps, not as "
                                      "low counts")
        coarse.attrs = dict(fine.attrs, interval_minutes=coarse_m, tz=tz)
        output.attrs = dict(fine.attrs, interval_minutes=minutes, tz=tz)
        prepared.fine[q], prepared.coarse[q], prepared.output[q] = fine, coarse, output
        prepared.tz, prepared.coarse_minutes = tz, coarse_m
    return prepared


def _incomplete_as_gaps(fine: pd.DataFrame, coarse: pd.DataFrame, fine_m: int, coarse_m: int,
                        tz: str) -> tuple[pd.DataFrame, int]:
    """``coarse`` without the intervals that lack some of their open ``fine`` rows (issue 17 item 1).

    Summing 30-minute rows to an hour that lost one of them reads a missing row as zero calls (a
    low hour); dropped, the hour is a gap the models fill from the same slot in other weeks. Open
    means open by the one opening-hours rule (:mod:`forecasting.opening_hours`): a sub-interval
    without a row because the queue is closed then is not missing.
    """
    hours = learn_opening_hours(fine["interval_start"], fine["calls_offered"], fine_m, tz=tz)
    grid = regular_grid(fine["interval_start"], fine_m)
    key = grid.tz_convert("UTC").floor(f"{coarse_m}min")
    expected = pd.Series(hours.is_open(grid, tz), index=key).groupby(level=0).sum()
    stamps = pd.DatetimeIndex(fine["interval_start"])
    present = pd.Series(hours.is_open(stamps, tz), index=stamps.tz_convert("UTC").floor(f"{coarse_m}min"))
    present = present.groupby(level=0).sum().reindex(expected.index, fill_value=0)
    short = expected.index[(present < expected).to_numpy()]
    drop = pd.DatetimeIndex(coarse["interval_start"]).tz_convert("UTC").isin(short)
    return coarse.loc[~drop].reset_index(drop=True), int(drop.sum())


def _clean(prepared: _Queues, settings: ForecastSettings, events: pd.DataFrame | None) -> None:
    """Replace one-off days of the models' histories (:mod:`forecasting.cleaning`); holidays and
    event days stay as they are (the calendar and the events regressors model them)."""
    for q, coarse in prepared.coarse.items():
        if q in prepared.no_calls or len(coarse) == 0:
            continue
        days = local_wallclock(coarse["interval_start"], prepared.tz).normalize()
        exempt = []
        if settings.country is not None:
            exempt += list(special_days_frame(days.min(), days.max(), settings.country)["date"])
        if events is not None and len(events):
            for a, b in zip(pd.to_datetime(events["date"]), pd.to_datetime(events["end_date"].fillna(events["date"]))):
                exempt += list(pd.date_range(a, b, freq="D"))
        outliers = find_outlier_days(coarse, prepared.tz, exempt)
        if outliers:
            cleaned = replace_outlier_days(coarse, prepared.tz, outliers)
            prepared.coarse[q] = cleaned
            shown = "; ".join(o.text() for o in outliers[:5]) + (f"; and {len(outliers) - 5} more"
                                                                 if len(outliers) > 5 else "")
            prepared.notes.append(f"queue {q!r}: {len(outliers)} one-off day(s) replaced by the usual values of "
                                  f"their slots before fitting ({shown})")


def _backtest(prepared: _Queues, settings: ForecastSettings, calendar: dict, *, n_jobs, dask_scheduler,
              progress) -> tuple[BacktestResult | None, str | None]:
    """The rolling-origin backtest of every (queue, origin) pair (step 2), or why there is none."""
    if not (settings.model == "auto" or settings.backtest):
        return None, None
    if settings.model == "auto":
        names = list(settings.candidates) if settings.candidates is not None else default_candidates()
    else:
        names = sorted({settings.model, "seasonal_naive"} - {"combination"})
    specs: dict = {n: (n, model_params(n, **calendar)) for n in names}
    if settings.model == "combination":
        specs["combination"] = Combination([(n, model_params(n, **calendar)) for n in COMBINATION_MEMBERS])
    with_calls = {q: c for q, c in prepared.coarse.items() if q not in prepared.no_calls}
    if not with_calls:
        return None, "no queue has calls"
    everything = pd.concat([c.assign(queue=q) for q, c in with_calls.items()], ignore_index=True)
    everything.attrs = {"interval_minutes": prepared.coarse_minutes, "tz": prepared.tz}
    spans = [int((c["interval_start"].iloc[-1] - c["interval_start"].iloc[0]) / pd.Timedelta(days=1))
             for c in with_calls.values()]
    # shorter horizon, then fewer origins, so 3 weeks of training stay before the first origin
    origins, days = backtest_design(min(spans), settings.n_origins, 7, min(MAX_BACKTEST_DAYS, settings.horizon_days))
    try:
        # auto recalibrates its choice on the backtest residuals: the models' own holdout refits
        # (half the cost) only serve the backtest report
        return rolling_origin_backtest(everything, specs, n_origins=origins, horizon_days=days, n_jobs=n_jobs,
                                       dask_scheduler=dask_scheduler, progress=progress,
                                       calibrate=settings.backtest), None
    except WfmInputError as exc:
        if settings.backtest:
            raise WfmInputError(f"backtest: {exc}", parameter="backtest") from exc
        return None, str(exc)


def _first_day(prepared: _Queues, q: str) -> pd.Timestamp:
    """The local midnight after the queue's last history interval (at either resolution)."""
    tz = prepared.tz
    last = max(prepared.coarse[q]["interval_start"].iloc[-1], prepared.fine[q]["interval_start"].iloc[-1])
    start_local = last.tz_convert(tz).tz_localize(None).normalize() + pd.Timedelta(days=1)
    return start_local.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")


def _fitted_model(task: dict, coarse: pd.DataFrame) -> tuple[object, str | None, str | None]:
    """The model of one queue, fitted (step 3): auto's choice, the combination or a named model;
    with the ``model`` label and a note when it fell back for lack of history (else None)."""
    settings: ForecastSettings = task["settings"]
    calendar, q = task["calendar"], task["queue"]
    if settings.model == "auto":
        auto = AutoForecaster(candidates=settings.candidates, max_horizon_days=settings.horizon_days, **calendar)
        if task["backtest"] is not None:
            auto.fit_from_backtest(coarse.assign(queue=q), task["backtest"], relative_prior=task["relative_prior"])
        else:
            auto.fit_fallback(coarse, task["backtest_error"] or "no backtest")
        if hasattr(auto, "choice_"):
            return auto, None, None
        return auto, None, f"queue {q!r}: auto used {auto.fallback_label_}: {auto.selection_['note'].iloc[0]}"
    if settings.model == "combination":
        model = Combination([(n, model_params(n, **calendar)) for n in COMBINATION_MEMBERS if n in MODELS])
    else:
        model = make_forecaster(settings.model, **model_params(settings.model, **calendar))
    try:
        return model.fit(coarse), None, None
    except InsufficientHistoryError as exc:
        fallback = fallback_for(coarse)
        label = f"{settings.model}->fallback:{fallback.name}({fallback.season})"
        return fallback.fit(coarse), label, f"queue {q!r}: {settings.model} fell back to {label} ({exc})"


def _zero_forecast(start: pd.Timestamp, end: pd.Timestamp, minutes: int) -> pd.DataFrame:
    """All zeros (a queue with no calls in its history) at ``minutes`` from ``start`` to ``end``."""
    stamps = pd.date_range(start, end, freq=f"{minutes}min", inclusive="left")
    out = pd.DataFrame({"interval_start": stamps})
    for col in ("calls_offered", "calls_offered_p10", "calls_offered_p90", "calls_offered_p025", "calls_offered_p975"):
        out[col] = 0.0
    out["model"] = "none:no calls in the history"
    return out


def _queue_task(task: dict) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str]]:
    """Fit, forecast, split and add AHT for one queue (steps 3-5; runs in a worker)."""
    settings: ForecastSettings = task["settings"]
    coarse, coarse_m, tz, start = task["coarse"], task["coarse_minutes"], task["tz"], task["start"]
    end = (start.tz_localize(None) + pd.Timedelta(days=settings.horizon_days)).tz_localize(
        tz, ambiguous=True, nonexistent="shift_forward")
    if task["no_calls"]:
        pred = _zero_forecast(start, end, settings.interval_minutes)
        aht = AhtForecaster(default_aht_seconds=settings.aht_seconds).fit(task["output_history"])
        pred["aht_seconds"] = aht.predict(pred["interval_start"]).to_numpy()
        pred["queue"] = task["queue"]
        return pred[OUTPUT_COLUMNS], None, []
    model, label, note = _fitted_model(task, coarse)
    horizon = int((end - coarse["interval_start"].iloc[-1]) / pd.Timedelta(minutes=coarse_m)) - 1
    pred = model.predict(horizon)
    if label is not None:
        pred["model"] = label
    pred = pred[(pred["interval_start"] >= start) & (pred["interval_start"] < end)].reset_index(drop=True)
    if settings.interval_minutes < coarse_m:
        profile = learn_intraday_profile(task["output_history"], coarse_m, country=settings.country,
                                         horizon_days=settings.horizon_days + 400)
        pred = split_forecast(pred, profile)
    aht = AhtForecaster(default_aht_seconds=settings.aht_seconds).fit(task["output_history"])
    pred["aht_seconds"] = aht.predict(pred["interval_start"]).to_numpy()
    pred["queue"] = task["queue"]
    selection = model.selection_.assign(queue=task["queue"]) if settings.model == "auto" else None
    columns = list(OUTPUT_COLUMNS)
    if settings.model == "auto":  # the day-level band from auto's backtest days (NaN: no backtest)
        choice = getattr(model, "choice_", None)
        pred[FORECAST_DAY_RATIO_COLUMN] = choice.day_p90_ratio if choice is not None else np.nan
        columns.append(FORECAST_DAY_RATIO_COLUMN)
    return pred[columns], selection, [note] if note else []


def forecast(history_all_queues: pd.DataFrame, settings: ForecastSettings, *, events: pd.DataFrame | None = None,
             n_jobs: int = 2, dask_scheduler: str | None = None,
             progress: Callable[[int, int, str], None] | None = None) -> ForecastResult:
    """Forecast calls (with 80 %/95 % bounds) and AHT for every queue.

    Parameters
    ----------
    history_all_queues : DataFrame
        Canonical history (``wfm.io.history.read_history``), any number of queues;
        ``attrs["interval_minutes"]`` used when present.
    settings : ForecastSettings
        What to forecast and how.
    events : DataFrame, optional
        The events frame (``wfm.io.events.read_events``), regressors of the models that take them.
    n_jobs, dask_scheduler, progress
        Parallelism and progress, see :func:`forecasting.parallel.parallel_map`.

    Returns
    -------
    ForecastResult

    Raises
    ------
    WfmInputError
        An interval finer than the history's or incompatible with it, an unknown queue, a
        history a model cannot use; each names the parameter it is about.
    """
    if not isinstance(settings, ForecastSettings):
        raise WfmInputError(f"settings must be a ForecastSettings, got {type(settings).__name__}")
    prepared = _prepare(history_all_queues, settings)
    if settings.country == COUNTRY_OF_ZONE:
        settings = replace(settings, country=holiday_country(prepared.tz))
    if settings.clean:
        _clean(prepared, settings, events)
    calendar = dict(settings.calendar, events=events)
    bt_result, bt_error = _backtest(prepared, settings, calendar, n_jobs=n_jobs, dask_scheduler=dask_scheduler,
                                    progress=progress)
    auto_backtest = bt_result if settings.model == "auto" else None
    # each model's WAPE relative to the best, over all queues: auto's prior for every queue
    prior = relative_wape(bt_result.forecasts, settings.horizon_days) if auto_backtest is not None else None
    tasks = [{
        "queue": q, "settings": settings, "calendar": calendar, "coarse": prepared.coarse[q],
        "output_history": prepared.output[q], "coarse_minutes": prepared.coarse_minutes, "tz": prepared.tz,
        "start": _first_day(prepared, q), "backtest": _subset(auto_backtest, q), "backtest_error": bt_error,
        "relative_prior": prior, "no_calls": q in prepared.no_calls,
    } for q in prepared.coarse]
    results = parallel_map(_queue_task, tasks, n_jobs=n_jobs, dask_scheduler=dask_scheduler, progress=progress,
                           labels=[f"forecast {q}" for q in prepared.coarse])
    out = pd.concat([r[0] for r in results], ignore_index=True).sort_values(["queue", "interval_start"])
    out = out.reset_index(drop=True)
    out.attrs = {"interval_minutes": settings.interval_minutes, "tz": prepared.tz}
    selections = [r[1] for r in results if r[1] is not None]
    selection = pd.concat(selections, ignore_index=True) if selections else None
    summary = None
    if bt_result is not None:
        chosen = {}
        if selection is not None:
            for q, g in selection.groupby("queue"):
                chosen[q] = list(g.loc[g["chosen"] & (g["kind"] == "model"), "candidate"])
        summary = summarise_backtest(bt_result, max_horizon_days=settings.horizon_days, chosen=chosen)
    notes = tuple(prepared.notes) + tuple(n for r in results for n in r[2])
    return ForecastResult(out, summary, selection, notes)


def _subset(bt, queue):
    """The part of a backtest result that belongs to one queue (smaller pickles)."""
    if bt is None:
        return None
    fc = bt.forecasts[bt.forecasts["queue"] == queue]
    fail = bt.failures[bt.failures["queue"] == queue]
    table = bt.table[bt.table["queue"] == queue] if len(bt.table) else bt.table
    return BacktestResult(fc, table, fail, bt.interval_minutes, bt.horizon_days)
