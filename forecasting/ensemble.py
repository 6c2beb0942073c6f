"""Combinations of models, and ``auto``: the model chosen by backtest, per queue.

:class:`Combination` is itself a forecaster: it fits its member models on the
same history and combines their point forecasts by the **median** or by a
**weighted mean** (weights given, e.g. from a backtest). Its prediction
intervals come from a given calibration (``calibration=``, e.g. backtest
residuals) or, without one, from its own holdout refit like every model.

:class:`AutoForecaster` (registry name ``auto``) decides per queue, on the
user's own history:

1. a rolling-origin backtest (:mod:`forecasting.backtest`) of every candidate
   model (default: every registered model but :data:`LEFT_OUT_BY_DEFAULT`), 6 origins a week apart, horizon up
   to 6 weeks; candidates that cannot be fitted (history too short) are
   listed with the reason and left out;
2. three contenders are scored on the backtest intervals within the forecast
   horizon: the single model with the lowest WAPE; the top-``k`` models
   (default 3) whose WAPE is within ``max_wape_ratio`` (1.25) of the best,
   weighted by inverse WAPE [1]_ [2]_; and the median of the same top-``k``
   models (robust to one member going astray) [4]_. With
   ``strategy="auto"`` (default) the better-scoring combination is used only
   if its backtest WAPE is at least ``combination_margin`` (2 %) lower than
   the single model's, else the single model: when one model is clearly the
   best (the demo data, where the calendar regression is near the noise
   floor), diluting it with weaker members costs accuracy; when several models
   are about as good (the Anonymous Bank data), their median beats each of
   them. With several queues the single models are ranked with some weight
   (``pooling``) on their WAPE relative to the best over ALL queues
   (:func:`relative_wape`), so a near-tie on one queue's few origins goes to
   the model that is better elsewhere.
   ``strategy="best"``/``"weighted"``/``"median"`` forces one;
   **Scored nested**: the rule is replayed on the later half of the origins, each time
   choosing on the origins before it only; when that nested WAPE is not below the 4-week
   mean's (:data:`FALLBACK_MODELS`) on the same origins, the 4-week mean is used (issue 17:
   on series it had never seen, picking the backtest winner among near-equal models picked noise);
3. the prediction intervals are calibrated on the backtest residuals OF THE
   CHOSEN FORECAST (quasi-Poisson / negative-binomial variance and empirical
   quantiles of the standardised errors, see
   :func:`forecasting.models.base.fit_interval_calibration`), so its 80 % band
   covers about 80 % of past actuals at the horizons that matter;
4. the chosen members are refitted on the whole history.

The decision table is kept in ``selection_`` (one row per candidate and per
contender: WAPE, MASE, bias, coverage, rank, weight, chosen, note), and the
full backtest in ``backtest_``. Note the choice and the weights are scored on
the same backtest, so the chosen contender's backtest WAPE is slightly
optimistic; ``benchmarks/forecast_accuracy.py`` measures ``auto`` honestly
with nested origins.

References
----------
.. [1] Bates, J.M. & Granger, C.W.J. (1969) "The combination of forecasts",
   *Operational Research Quarterly* 20(4), 451-468.
.. [2] Stock, J.H. & Watson, M.W. (2004) "Combination forecasts of output
   growth in a seven-country data set", *Journal of Forecasting* 23(6),
   405-430 (inverse-error weights).
.. [3] Tashman, L.J. (2000), see :mod:`forecasting.backtest`.
.. [4] Hibon, M. & Evgeniou, T. (2005) "To combine or not to combine:
   selecting among forecasts and their combinations", *International
   Journal of Forecasting* 21(1), 15-24 (choosing between the best single
   model and combinations on past errors; combinations are the safer choice).
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from forecasting import metrics
from forecasting.backtest import rolling_origin_backtest
from forecasting.models import MODELS, check_model_name, fallback_for, make_model
from forecasting.models.base import (
    FORECAST_COLUMNS,
    BaseForecaster,
    IntervalCalibration,
    ValidatedHistory,
    fit_interval_calibration,
    validate_history,
)
from wfm.ground.errors import WfmInputError

__all__ = [
    "Combination",
    "AutoForecaster",
    "Selection",
    "make_forecaster",
    "select_from_backtest",
    "combine_points",
    "model_params",
    "backtest_design",
    "relative_wape",
    "STRATEGIES",
    "FALLBACK_MODELS",
    "LEFT_OUT_BY_DEFAULT",
    "default_candidates",
    "day_p90_ratio",
]

STRATEGIES = ("auto", "best", "weighted", "median")


#: ``auto`` falls back to the first of these it backtested when its rule, scored nested, does not
#: beat it (the mean of the last 4 weeks: the steadiest peer on the unseen series of issue 17).
FALLBACK_MODELS = ("weekly_mean", "seasonal_naive")
#: Registered models ``auto`` leaves out of its default candidates, and why (measured in
#: ``benchmarks/results/forecast_tuning.md``; ``candidates=`` can still name them).
LEFT_OUT_BY_DEFAULT = {
    "prophet": "costs minutes per queue and was never the best on a benchmark series",
    "mstl": "the worst non-naive model on every tuning and diagnosed series (0.181, 0.208, 0.093 against "
            "the 4-week mean's 0.155, 0.164, 0.056) and the slowest after Prophet",
}


def default_candidates() -> list[str]:
    """``auto``'s candidates when none are given: every registered model but
    :data:`LEFT_OUT_BY_DEFAULT`; the fallbacks (:data:`FALLBACK_MODELS`) are always among them."""
    return [m for m in MODELS if m not in LEFT_OUT_BY_DEFAULT]


#: Forecasters built from others, by the name ``model=`` takes.
ENSEMBLE_NAMES = ("auto", "combination")


def _forecaster_class(name: str) -> type:
    if name == "auto":
        return AutoForecaster
    if name == "combination":
        return Combination
    check_model_name(name)
    return MODELS[name]


def model_params(name: str, **available) -> dict:
    """The subset of ``available`` hyperparameters model ``name`` accepts.

    E.g. ``country``, ``events`` and ``random_state`` go to the models whose
    constructor takes them, and nowhere else.
    """
    accepted = inspect.signature(_forecaster_class(name).__init__).parameters
    return {k: v for k, v in available.items() if k in accepted and v is not None}


def make_forecaster(name: str, **params):
    """Build any forecaster by name: a registered model, ``"auto"`` or ``"combination"``.

    Raises
    ------
    WfmInputError
        Unknown or unavailable name, or an unknown parameter.
    """
    if name not in ENSEMBLE_NAMES:
        return make_model(name, **params)
    try:
        return _forecaster_class(name)(**params)
    except TypeError as exc:
        raise WfmInputError(f"model {name!r}: bad hyperparameters {sorted(params)}: {exc}") from exc


#: Days of training kept before the oldest backtest origin.
MIN_TRAINING_DAYS = 21


def backtest_design(span_days: int, n_origins: int, step_days: int, horizon_days: int) -> tuple[int, int]:
    """``(origins, horizon_days)`` of a backtest that fits a history of ``span_days``.

    The horizon is shortened first (down to 1 day), then the number of
    origins, so that at least :data:`MIN_TRAINING_DAYS` days of history stay
    before the oldest origin. A history too short even for one origin gets
    ``(1, 1)`` (the backtest itself then says why it cannot run).
    """
    n = int(n_origins)
    while n > 1 and span_days - MIN_TRAINING_DAYS - (n - 1) * step_days < 1:
        n -= 1
    room = span_days - MIN_TRAINING_DAYS - (n - 1) * step_days
    return n, int(max(1, min(horizon_days, room)))


def combine_points(points: np.ndarray, weights: np.ndarray | None = None, method: str = "weighted") -> np.ndarray:
    """Combine member point forecasts, one member per row of ``points`` [calls].

    ``method="median"``: the median over members; ``"weighted"``: the weighted
    mean with ``weights`` (normalised to sum 1; equal weights if None).
    """
    points = np.atleast_2d(np.asarray(points, dtype=float))
    if method == "median":
        return np.median(points, axis=0)
    if method != "weighted":
        raise WfmInputError(f"combination method must be 'median' or 'weighted', got {method!r}")
    w = np.ones(points.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (points.shape[0],) or np.any(~np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise WfmInputError(f"combination weights must be {points.shape[0]} non-negative numbers with a positive sum, got {list(w)}")
    return (w / w.sum()) @ points


class Combination(BaseForecaster):
    """Median or weighted mean of member models; itself a forecaster.

    Parameters
    ----------
    members : sequence
        Registry names (``"ets"``), ``(name, params)`` pairs or unfitted model
        instances (default ``("ets", "mstl", "regression")``).
    method : {"median", "weighted"}
        How point forecasts are combined (default ``"median"``).
    weights : sequence of float, optional
        One weight per member for ``method="weighted"`` (default equal).
    calibration : IntervalCalibration, optional
        Interval calibration to use (e.g. from backtest residuals, see
        :func:`select_from_backtest`). None: calibrated on a holdout refit.
    label : str, optional
        Value of the ``model`` column (default ``combination(<method>:<members>)``).
    """

    name = "combination"

    def __init__(self, members: Sequence[Any] = ("ets", "mstl", "regression"), method: str = "median",
                 weights: Sequence[float] | None = None, calibration: IntervalCalibration | None = None,
                 label: str | None = None):
        self.members = members
        self.method = method
        self.weights = weights
        self.calibration = calibration
        self.label = label

    def _member_models(self) -> list:
        if isinstance(self.members, str) or len(self.members) == 0:
            raise WfmInputError(f"Combination: members must be a non-empty list of models, got {self.members!r}")
        if self.method not in ("median", "weighted"):
            raise WfmInputError(f"Combination: method must be 'median' or 'weighted', got {self.method!r}")
        if self.weights is not None and len(self.weights) != len(self.members):
            raise WfmInputError(
                f"Combination: {len(self.weights)} weights for {len(self.members)} members; give one weight per member"
            )
        out = []
        for spec in self.members:
            if isinstance(spec, str):
                out.append(make_model(spec))
            elif isinstance(spec, tuple):
                out.append(make_model(spec[0], **spec[1]))
            else:
                out.append(copy.deepcopy(spec))
        return out

    def _member_names(self) -> list[str]:
        return [s if isinstance(s, str) else (s[0] if isinstance(s, tuple) else s.name) for s in self.members]

    def _min_history(self, interval_minutes):
        needs = [m._min_history(interval_minutes) for m in self._member_models() if hasattr(m, "_min_history")]
        return max(needs, key=lambda x: x[0]) if needs else (1, "members")

    def _fit_model(self, validated: ValidatedHistory, y: pd.Series) -> None:
        fitted = []
        for model in self._member_models():
            if isinstance(model, BaseForecaster):
                model._fit_core(validated)  # members' own intervals are not needed
            else:
                model.fit(validated.frame)
            fitted.append(model)
        self.members_ = fitted

    def _predict_points(self, future):
        rows = []
        for model in self.members_:
            if isinstance(model, BaseForecaster):
                rows.append(model._masked_points(future))
            else:
                last = getattr(model, "last_interval_start_", None)
                horizon = int((future[-1] - last) / pd.Timedelta(minutes=self.interval_minutes_))
                pred = model.predict(horizon).set_index("interval_start")["calls_offered"]
                rows.append(pred.reindex(future).to_numpy(dtype=float))
        return combine_points(np.vstack(rows), self.weights, self.method)

    def fit(self, history: pd.DataFrame) -> "Combination":
        """Fit every member; intervals from ``calibration`` or a holdout refit."""
        validated = validate_history(history, self.name)
        self._fit_core(validated)
        self.calibration_ = self.calibration if self.calibration is not None else self._calibrate(validated)
        return self

    def predict(self, horizon: int) -> pd.DataFrame:
        out = super().predict(horizon)
        names = self._member_names()
        out["model"] = self.label or f"combination({self.method}:{'+'.join(names)})"
        return out


@dataclass(frozen=True)
class Selection:
    """What :func:`select_from_backtest` decided for one queue.

    Attributes
    ----------
    members : tuple of str
        Models used (one for a single pick).
    weights : tuple of float
        Their weights (sum 1).
    method : str
        ``"weighted"`` or ``"median"`` (a single pick is weighted with 1).
    calibration : IntervalCalibration
        From the backtest residuals of the chosen forecast.
    label : str
        ``model`` column value, e.g. ``auto:ets`` or ``auto:ets*0.55+mstl*0.45``.
    table : DataFrame
        The decision table (see :class:`AutoForecaster`).
    """

    members: tuple
    weights: tuple
    method: str
    calibration: IntervalCalibration
    label: str
    table: pd.DataFrame
    day_p90_ratio: float = float("nan")


def relative_wape(forecasts: pd.DataFrame, max_horizon_days: float | None = None) -> dict[str, float]:
    """Per model: its backtest WAPE divided by the best model's, averaged over queues.

    ``forecasts`` is ``BacktestResult.forecasts`` of any number of queues;
    each queue is scored on the intervals every model forecast. 1.0 = the best
    model of every queue. Used as ``relative_prior`` of
    :func:`select_from_backtest`.
    """
    fc = forecasts if max_horizon_days is None else forecasts[forecasts["lead_days"] < max_horizon_days]
    ratios: dict[str, list[float]] = {}
    for _, g in fc.groupby("queue"):
        wide = g.pivot_table(index=["origin", "interval_start"], columns="model", values="calls_offered",
                             aggfunc="first").dropna()
        if len(wide) == 0:
            continue
        actual = g.drop_duplicates(["origin", "interval_start"]).set_index(["origin", "interval_start"])["actual"]
        a = actual.reindex(wide.index).to_numpy()
        w = {m: metrics.wape(a, wide[m].to_numpy()) for m in wide.columns}
        low = min(w.values())
        if not (np.isfinite(low) and low > 0):
            continue
        for m, v in w.items():
            ratios.setdefault(str(m), []).append(v / low)
    return {m: float(np.mean(v)) for m, v in ratios.items()}


def _label(members, weights, method) -> str:
    if len(members) == 1:
        return f"auto:{members[0]}"
    if method == "median":
        return "auto:median(" + "+".join(members) + ")"
    return "auto:" + "+".join(f"{m}*{w:.2f}" for m, w in zip(members, weights))


def select_from_backtest(
    forecasts: pd.DataFrame,
    failures: pd.DataFrame | None = None,
    *,
    strategy: str = "auto",
    top_k: int = 3,
    max_horizon_days: float | None = None,
    queue: str | None = None,
    max_wape_ratio: float = 1.25,
    combination_margin: float = 0.02,
    relative_prior: Mapping[str, float] | None = None,
    pooling: float = 0.25,
) -> Selection:
    """Choose a model or a weighted combination from one queue's backtest.

    Parameters
    ----------
    forecasts : DataFrame
        ``BacktestResult.forecasts`` of one queue (all candidate models).
    failures : DataFrame, optional
        ``BacktestResult.failures``: models that failed at some origin are
        not eligible (listed with the reason).
    strategy : {"auto", "best", "weighted", "median"}
        See the module docstring.
    top_k : int
        At most this many members in the weighted / median combination
        (default 3).
    max_horizon_days : float, optional
        Score only lead times below this (the forecast's horizon).
    queue : str, optional
        For messages and the table.
    max_wape_ratio : float
        Only models with a backtest WAPE at most this times the best one's
        join a combination (a clearly worse model dilutes it; chosen on the
        benchmark's nested backtest, see ``docs/forecasting_pipeline.md``).
    combination_margin : float
        ``strategy="auto"`` uses a combination only if its backtest WAPE is
        below ``(1 - combination_margin)`` times the best single model's
        (default 0.02, a fraction): a tie or a hair's breadth keeps the
        single model.
    relative_prior : mapping, optional
        Each model's backtest WAPE relative to the best model, averaged over
        ALL queues of the centre (see :func:`relative_wape`). With it, the
        single models are ranked by ``(1 - pooling) * WAPE + pooling *
        prior * best WAPE`` of this queue: a queue's own few origins are a
        noisy judge, so a model that is better on every other queue wins a
        near-tie (empirical-Bayes shrinkage towards the pooled ranking).
    pooling : float
        Weight of ``relative_prior`` in that ranking (default 0.25).

    Raises
    ------
    WfmInputError
        Unknown strategy, bad ``top_k``, or no model has a complete backtest.
    """
    _check_selection(strategy, top_k, max_wape_ratio, combination_margin, pooling)
    fc = forecasts if max_horizon_days is None else forecasts[forecasts["lead_days"] < max_horizon_days]
    failed = {} if failures is None or len(failures) == 0 else failures.groupby("model")["error"].first().to_dict()
    models = sorted(set(fc["model"]) - set(failed))
    if not models:
        raise WfmInputError(
            f"auto (queue {queue!r}): no candidate model has a complete backtest; "
            + "; ".join(f"{m}: {e}" for m, e in failed.items()))
    wide, actual = _common_intervals(fc, models)
    rule = dict(strategy=strategy, top_k=top_k, max_wape_ratio=max_wape_ratio,
                combination_margin=combination_margin, relative_prior=relative_prior, pooling=pooling)
    scores, ranked, contenders, points, c_scores, pick = _apply_rule(wide, actual, models, **rule)
    nested_rows, fallback = ([], None) if strategy != "auto" else _nested_check(wide, actual, models, rule)
    if fallback is not None:
        contenders["fallback"] = ((fallback,), (1.0,), "weighted")
        points["fallback"] = wide[fallback].to_numpy()
        c_scores["fallback"] = scores[fallback]
        pick = "fallback"
    members, weights, method = contenders[pick]
    calibration = fit_interval_calibration(actual, points[pick], "backtest")
    rows = [{"candidate": m, "kind": "model", "note": f"not eligible: {e}"} for m, e in sorted(failed.items())]
    rows += _model_rows(fc, ranked, scores)
    rows += [{"candidate": _label(mem, w, meth), "kind": f"contender:{k}", "wape": c_scores[k],
              "bias": metrics.bias(actual, points[k]), "rank": np.nan,
              "note": ("chosen: the rule did not beat it when scored nested" if k == "fallback"
                       else "chosen by backtest WAPE" if k == pick else "")}
             for k, (mem, w, meth) in contenders.items()]
    rows += nested_rows
    table = _decision_table(rows, members, weights, pick, queue, strategy, len(actual))
    return Selection(tuple(members), tuple(weights), method, calibration, _label(members, weights, method), table,
                     day_p90_ratio(wide.index, actual, points[pick]))


#: Fewest backtest days :func:`day_p90_ratio` estimates a 90th percentile from.
MIN_DAYS_FOR_DAY_BAND = 10


def day_p90_ratio(index: pd.MultiIndex, actual: np.ndarray, point: np.ndarray) -> float:
    """The 90th percentile of a day's actual calls over its forecast calls, over backtest days.

    ``index`` holds ``(origin, interval_start)`` of the backtest intervals (``interval_start`` in
    the queue's zone); each (origin, local day) is one day. This is the day-level band the risk
    uses (issue 17 item 5: the interval bands, mostly Poisson noise, say nothing of it). NaN with
    fewer than :data:`MIN_DAYS_FOR_DAY_BAND` days with a forecast.
    """
    stamps = pd.DatetimeIndex(index.get_level_values("interval_start"))
    day = stamps.tz_localize(None).normalize()
    frame = pd.DataFrame({"origin": index.get_level_values("origin"), "day": day,
                          "actual": np.asarray(actual, dtype=float), "point": np.asarray(point, dtype=float)})
    days = frame.groupby(["origin", "day"])[["actual", "point"]].sum()
    days = days[days["point"] > 0]
    if len(days) < MIN_DAYS_FOR_DAY_BAND:
        return float("nan")
    return float(np.quantile(days["actual"] / days["point"], 0.9))


def _apply_rule(wide: pd.DataFrame, actual: np.ndarray, models: list[str], *, strategy, top_k, max_wape_ratio,
                combination_margin, relative_prior, pooling):
    """The selection rule on some backtest intervals: scores, ranking, contenders, their points, the pick."""
    scores = {m: metrics.wape(actual, wide[m].to_numpy()) for m in models}
    scores = {m: (s if np.isfinite(s) else np.inf) for m, s in scores.items()}
    ranked = _rank(models, scores, relative_prior, pooling)
    contenders = _contenders(ranked, scores, top_k, max_wape_ratio)
    points = {k: combine_points(wide[list(mem)].to_numpy().T, np.array(w), meth)
              for k, (mem, w, meth) in contenders.items()}
    c_scores = {k: metrics.wape(actual, p) for k, p in points.items()}
    return scores, ranked, contenders, points, c_scores, _pick(strategy, contenders, c_scores, combination_margin)


def _nested_check(wide: pd.DataFrame, actual: np.ndarray, models: list[str], rule: dict) -> tuple[list[dict], str | None]:
    """The rule scored nested, against the fallback baseline on the same origins.

    For each of the later half of the origins (at least 2 earlier ones before it), the rule
    chooses on the origins before it only and its choice is scored on that origin. When the
    rule's nested WAPE is not below the fallback's (:data:`FALLBACK_MODELS`, the first one
    backtested) on those origins, choosing on the backtest picks noise (issue 17: the 2003 bank,
    0.065 vs the 4-week mean's 0.056) and the fallback is used. Returns the decision-table rows
    and the fallback to use (None: keep the rule's pick).
    """
    baseline = next((m for m in FALLBACK_MODELS if m in models), None)
    origins = np.sort(wide.index.get_level_values("origin").unique())
    if baseline is None or len(models) < 2 or len(origins) < 4:
        return [], None
    at = wide.index.get_level_values("origin")
    err_rule = err_base = total = 0.0
    for o in origins[len(origins) // 2:]:
        inner, outer = np.asarray(at < o), np.asarray(at == o)
        *_, contenders, _pts, _cs, pick = _apply_rule(wide[inner], actual[inner], models, **rule)
        mem, w, meth = contenders[pick]
        point = combine_points(wide.loc[outer, list(mem)].to_numpy().T, np.array(w), meth)
        err_rule += float(np.nansum(np.abs(point - actual[outer])))
        err_base += float(np.nansum(np.abs(wide.loc[outer, baseline].to_numpy() - actual[outer])))
        total += float(np.nansum(actual[outer]))
    if not total > 0:
        return [], None
    nested, base = err_rule / total, err_base / total
    n_eval = len(origins) - len(origins) // 2
    rows = [{"candidate": "auto rule, nested", "kind": "nested", "wape": nested, "rank": np.nan,
             "note": f"the rule choosing on the origins before each of the last {n_eval}, scored there"},
            {"candidate": baseline, "kind": "nested", "wape": base, "rank": np.nan,
             "note": f"the fallback on the same {n_eval} origins"}]
    return rows, (baseline if nested >= base else None)


def _check_selection(strategy, top_k, max_wape_ratio, combination_margin, pooling) -> None:
    if strategy not in STRATEGIES:
        raise WfmInputError(f"auto: strategy must be one of {list(STRATEGIES)}, got {strategy!r}", parameter="strategy")
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise WfmInputError(f"auto: top_k must be a whole number >= 1, got {top_k!r}", parameter="top_k")
    if not (np.isfinite(pooling) and 0 <= pooling <= 1):
        raise WfmInputError(f"auto: pooling must be a fraction in [0, 1], got {pooling!r}", parameter="pooling")
    if not (np.isfinite(max_wape_ratio) and max_wape_ratio >= 1):
        raise WfmInputError(f"auto: max_wape_ratio must be >= 1, got {max_wape_ratio!r}", parameter="max_wape_ratio")
    if not (np.isfinite(combination_margin) and 0 <= combination_margin < 1):
        raise WfmInputError(f"auto: combination_margin must be a fraction in [0, 1), got {combination_margin!r}",
                            parameter="combination_margin")


def _common_intervals(fc: pd.DataFrame, models: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Each model's forecast on the (origin, interval) pairs every model forecast, and the actuals."""
    wide = fc[fc["model"].isin(models)].pivot_table(index=["origin", "interval_start"], columns="model",
                                                     values="calls_offered", aggfunc="first").dropna()
    actual = fc.drop_duplicates(["origin", "interval_start"]).set_index(["origin", "interval_start"])["actual"]
    return wide, actual.reindex(wide.index).to_numpy()


def _rank(models: list[str], scores: dict, relative_prior, pooling: float) -> list[str]:
    """Models best first: by WAPE, shrunk towards the pooled ranking when a prior is given."""
    rank_score = dict(scores)
    if relative_prior and len(models) > 1 and np.isfinite(min(scores.values())):
        low = min(scores.values())
        rank_score = {m: (1 - pooling) * scores[m] + pooling * float(relative_prior.get(m, scores[m] / low)) * low
                      for m in models}
    return sorted(models, key=lambda m: (rank_score[m], m))


def _contenders(ranked: list[str], scores: dict, top_k: int, max_wape_ratio: float) -> dict:
    """The best single model, and the inverse-WAPE-weighted and median combinations of the top ones."""
    best = ranked[0]
    top = [m for m in ranked[: min(top_k, len(ranked))] if scores[m] <= max_wape_ratio * scores[best]]
    contenders = {"best": ((best,), (1.0,), "weighted")}
    if len(top) > 1:
        inv = np.array([1.0 / max(scores[m], 1e-9) for m in top])
        contenders["weighted"] = (tuple(top), tuple(float(x) for x in inv / inv.sum()), "weighted")
        contenders["median"] = (tuple(top), tuple(1.0 / len(top) for _ in top), "median")
    return contenders


def _pick(strategy: str, contenders: dict, c_scores: dict, combination_margin: float) -> str:
    """``auto``: a combination only when it beats the best single model by the margin."""
    if strategy != "auto":
        return strategy if strategy in contenders else "best"
    combos = [k for k in ("weighted", "median") if k in c_scores]
    if combos:
        combo = min(combos, key=lambda k: (c_scores[k], k))
        if c_scores[combo] < (1.0 - combination_margin) * c_scores["best"]:
            return combo
    return "best"


def _model_rows(fc: pd.DataFrame, ranked: list[str], scores: dict) -> list[dict]:
    rows = []
    for r, m in enumerate(ranked, start=1):
        g = fc[fc["model"] == m]
        rows.append({
            "candidate": m, "kind": "model", "wape": scores[m], "bias": metrics.bias(g["actual"], g["calls_offered"]),
            "coverage80": metrics.coverage(g["actual"], g["calls_offered_p10"], g["calls_offered_p90"]),
            "coverage95": metrics.coverage(g["actual"], g["calls_offered_p025"], g["calls_offered_p975"]),
            "rank": r, "note": "",
        })
    return rows


def _decision_table(rows: list[dict], members, weights, pick: str, queue, strategy: str, n_intervals: int) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    for col in ("wape", "bias", "coverage80", "coverage95", "rank"):
        if col not in table:
            table[col] = np.nan
    table["weight"] = [dict(zip(members, weights)).get(c, 0.0) if k == "model" else np.nan
                       for c, k in zip(table["candidate"], table["kind"])]
    table["chosen"] = [(k == "model" and c in members) or (k == f"contender:{pick}")
                       for c, k in zip(table["candidate"], table["kind"])]
    table.insert(0, "queue", queue)
    table["strategy"] = strategy
    table["n_intervals"] = n_intervals
    cols = ["queue", "candidate", "kind", "wape", "bias", "coverage80", "coverage95", "rank", "weight", "chosen",
            "strategy", "n_intervals", "note"]
    return table[cols]


class AutoForecaster:
    """``auto``: per queue, the model or combination chosen by rolling-origin backtest.

    Parameters
    ----------
    candidates : sequence of str, optional
        Registry names to consider (default: every registered model).
    strategy : {"auto", "best", "weighted", "median"}
        See the module docstring (default ``"auto"``).
    top_k : int
        At most this many members in the combination (default 3).
    max_wape_ratio : float
        Combination members must have a backtest WAPE within this ratio of the
        best model's (default 1.25).
    combination_margin : float
        A combination must beat the best single model's backtest WAPE by this
        fraction to be chosen (default 0.02).
    pooling : float
        Weight of the other queues' ranking in this queue's (default 0.25; see
        :func:`select_from_backtest`; used when ``fit_from_backtest`` is
        given a ``relative_prior``, as the pipeline does).
    n_origins, step_days, horizon_days : int
        Backtest design (default 6 origins, 7 days apart, 42-day horizon).
    max_horizon_days : float, optional
        Score the choice only on lead times below this (the pipeline passes
        the forecast horizon).
    country, special_days, events, random_state
        Passed to the candidates that accept them.
    n_jobs, dask_scheduler
        Parallel backtest (see :func:`forecasting.parallel.parallel_map`).

    Attributes
    ----------
    selection_ : DataFrame
        The decision table.
    backtest_ : BacktestResult
        The backtest it was based on.
    model_ : Combination
        The fitted chosen forecast.
    """

    name = "auto"

    def __init__(self, candidates: Sequence[str] | None = None, strategy: str = "auto", top_k: int = 3,
                 n_origins: int = 6, step_days: int = 7, horizon_days: int = 42,
                 max_horizon_days: float | None = None, country: str | None = "SE",
                 special_days: pd.DataFrame | None = None, events: pd.DataFrame | None = None,
                 random_state: int = 0, n_jobs: int = 1, dask_scheduler: str | None = None,
                 max_wape_ratio: float = 1.25, combination_margin: float = 0.02,
                 pooling: float = 0.25):
        self.candidates = candidates
        self.max_wape_ratio = max_wape_ratio
        self.combination_margin = combination_margin
        self.pooling = pooling
        self.strategy = strategy
        self.top_k = top_k
        self.n_origins = n_origins
        self.step_days = step_days
        self.horizon_days = horizon_days
        self.max_horizon_days = max_horizon_days
        self.country = country
        self.special_days = special_days
        self.events = events
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.dask_scheduler = dask_scheduler

    def candidate_specs(self) -> dict[str, tuple[str, dict]]:
        """``{name: (name, params)}`` of the candidates, with calendar params."""
        names = list(self.candidates) if self.candidates is not None else default_candidates()
        unknown = [n for n in names if n not in MODELS]
        if unknown or not names:
            raise WfmInputError(f"auto: unknown candidate model(s) {unknown}; known models: {sorted(MODELS)}")
        return {
            n: (n, model_params(n, country=self.country, special_days=self.special_days, events=self.events,
                                random_state=self.random_state))
            for n in names
        }

    def backtest_horizon_days(self, history: pd.DataFrame) -> int:
        """Backtest horizon: ``horizon_days`` shortened so the origins fit the history."""
        return self._design(history)[1]

    def _design(self, history: pd.DataFrame) -> tuple[int, int]:
        """``(origins, horizon_days)`` that fit ``history``, see :func:`backtest_design`."""
        validated = validate_history(history, "auto")
        ts = validated.frame["interval_start"]
        span = int((ts.iloc[-1] - ts.iloc[0]) / pd.Timedelta(days=1))
        return backtest_design(span, self.n_origins, self.step_days, self.horizon_days)

    def fit(self, history: pd.DataFrame) -> "AutoForecaster":
        """Backtest the candidates on ``history``, choose, refit the choice."""
        specs = self.candidate_specs()
        try:
            n_origins, horizon_days = self._design(history)
            bt = rolling_origin_backtest(
                history, specs, n_origins=n_origins, horizon_days=horizon_days,
                step_days=self.step_days, n_jobs=self.n_jobs, dask_scheduler=self.dask_scheduler,
            )
        except WfmInputError as exc:
            return self.fit_fallback(history, f"no backtest possible: {exc}")
        return self.fit_from_backtest(history, bt)

    def fit_from_backtest(self, history: pd.DataFrame, backtest,
                          relative_prior: Mapping[str, float] | None = None) -> "AutoForecaster":
        """Choose from an existing backtest of this queue, then refit on ``history``.

        ``relative_prior``: the models' WAPE relative to the best, over all
        queues of the centre (:func:`relative_wape`), see :func:`select_from_backtest`.
        """
        self.backtest_ = backtest
        queue = str(history["queue"].iloc[0]) if "queue" in history.columns and len(history) else None
        fc, fail = backtest.forecasts, backtest.failures
        if queue is not None and "queue" in fc.columns:
            fc, fail = fc[fc["queue"] == queue], fail[fail["queue"] == queue]
        if len(fc) == 0:
            reasons = "; ".join(f"{m}: {e}" for m, e in fail.groupby("model")["error"].first().items())
            return self.fit_fallback(history, f"no candidate could be backtested ({reasons})")
        sel = select_from_backtest(fc, fail, strategy=self.strategy, top_k=self.top_k,
                                   max_horizon_days=self.max_horizon_days, queue=queue,
                                   max_wape_ratio=self.max_wape_ratio,
                                   combination_margin=self.combination_margin,
                                   relative_prior=relative_prior, pooling=self.pooling)
        specs = self.candidate_specs()
        self.selection_ = sel.table
        self.choice_ = sel
        members = [specs[m] for m in sel.members]
        self.model_ = Combination(members, method=sel.method, weights=list(sel.weights),
                                  calibration=sel.calibration, label=sel.label).fit(history)
        return self

    def fit_fallback(self, history: pd.DataFrame, reason: str) -> "AutoForecaster":
        """Fit the fallback model (:func:`forecasting.models.fallback_for`), noting ``reason`` in ``selection_``."""
        model = fallback_for(history)
        self.model_ = model.fit(history)
        label = f"auto:fallback({model.name}, season={getattr(model, 'season', '')})"
        self.selection_ = pd.DataFrame([{
            "queue": str(history["queue"].iloc[0]) if "queue" in history.columns else None,
            "candidate": label, "kind": "fallback", "wape": np.nan, "bias": np.nan, "coverage80": np.nan,
            "coverage95": np.nan, "rank": np.nan, "weight": 1.0, "chosen": True, "strategy": self.strategy,
            "n_intervals": 0, "note": reason,
        }])
        self.fallback_label_ = label
        self.backtest_ = None
        return self

    def predict(self, horizon: int) -> pd.DataFrame:
        if not hasattr(self, "model_"):
            raise WfmInputError("auto: call fit(history) before predict(horizon)")
        out = self.model_.predict(horizon)
        if getattr(self, "fallback_label_", None) and not hasattr(self, "choice_"):
            out["model"] = self.fallback_label_
        return out[FORECAST_COLUMNS]
