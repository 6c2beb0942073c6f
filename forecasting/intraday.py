"""Intraday profiles: split an hourly or daily forecast into 15/30-minute intervals.

Heavy models forecast at 60 minutes (or per day); planners need 15 or 30
minutes. The split uses the share of each sub-interval within its parent
period (hour or day), LEARNED from the history per **day type**: the weekday
(``Mon`` ... ``Sun``) or, on special days, the kind ``holiday``, ``eve`` or
``bridge`` (from :mod:`wfm.ground.calendar`). Because the shares of a parent
sum to 1, the sub-intervals always sum to the parent forecast.

Rules:

* share of sub-slot ``s`` of parent ``p`` for day type ``d``:
  ``(calls[d, p, s] + k * base[p, s]) / (calls[d, p] + k)``, where ``base`` is
  the profile of the related ordinary day type (holiday -> Sun, eve -> Sat,
  bridge -> Fri; weekdays -> all days pooled) and ``k = prior_calls`` (20 by
  default): a day type seen rarely borrows the shape of its relative
  (empirical-Bayes shrinkage, [1]_);
* closed slots stay 0: a sub-slot with no call in the history for that day
  type gets no share, and the shrinkage only spreads over the open ones;
* a parent with a forecast but no learned shape at all (never seen open) is
  split evenly, and counted in ``attrs["uniform_splits"]``;
* DST: sub-intervals are generated in absolute time (an hour always has four
  quarter-hours; a spring-forward day has 92, a fall-back day 100) and look
  up the share of their LOCAL clock time, then the shares are renormalised
  within the parent, so the sum is exact on every day;
* bounds: the sub-interval's calls are a share ``s`` of the parent's (a
  multinomial thinning); by the law of total variance its deviation from
  ``s * point`` is ``sqrt((s * (B - point))**2 + z**2 * s * (1 - s) * point)``
  for a parent bound ``B`` at normal quantile ``z`` [2]_.

:func:`aggregate_intervals` does the opposite (15 -> 60 minutes, or to days).

References
----------
.. [1] Weinberg, J., Brown, L.D. & Stroud, J.R. (2007) "Bayesian forecasting
   of an inhomogeneous Poisson process with applications to call center
   data", *JASA* 102(480), 1185-1198 (daily volume x intraday proportions).
.. [2] Ibrahim, R., Ye, H., L'Ecuyer, P. & Shen, H. (2016) "Modeling and
   forecasting call center arrivals: a literature survey and a case study",
   *International Journal of Forecasting* 32(3), 865-874.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from forecasting.models.base import BOUND_LEVELS, special_days_frame, validate_history
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import HISTORY_COUNT_COLUMNS
from wfm.ground.vocabulary import MINUTES_PER_DAY, WEEKDAYS

__all__ = [
    "IntradayProfile",
    "day_types",
    "learn_intraday_profile",
    "split_forecast",
    "aggregate_intervals",
]

#: ordinary day type whose shape a special day borrows when seen rarely
SPECIAL_BASE = {"holiday": "Sun", "eve": "Sat", "bridge": "Fri"}


def day_types(local_days: pd.DatetimeIndex, special: pd.DataFrame | None) -> np.ndarray:
    """Day type per local date: ``Mon``..``Sun``, or ``holiday``/``eve``/``bridge``."""
    days = pd.DatetimeIndex(local_days).normalize()
    out = np.array(WEEKDAYS, dtype=object)[days.day_of_week.to_numpy()]
    if special is not None and len(special):
        kinds = pd.Series(special["kind"].to_numpy(), index=pd.DatetimeIndex(special["date"]).normalize())
        kinds = kinds[~kinds.index.duplicated()]
        hit = kinds.reindex(days).to_numpy()
        mask = pd.notna(hit)
        out[mask] = hit[mask]
    return out


@dataclass(frozen=True)
class IntradayProfile:
    """Learned shares of sub-intervals within their parent period.

    Attributes
    ----------
    interval_minutes : int
        Sub-interval length [minutes].
    parent_minutes : int
        Parent period [minutes]: 60 (hour) or 1440 (day); a multiple of
        ``interval_minutes``.
    tz : str
        IANA zone whose local clock the profile is keyed on.
    shares : Series
        Indexed by (day_type, parent_minute, offset_minutes): the share of
        that sub-slot in its parent (sums to 1 per open parent, 0 if closed).
    country : str or None
        Calendar used for special days.
    special : DataFrame
        ``date, name, kind`` special days covering the history and a margin.
    """

    interval_minutes: int
    parent_minutes: int
    tz: str
    shares: pd.Series
    country: str | None
    special: pd.DataFrame


def _local(ts, tz) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(ts).tz_convert(tz).tz_localize(None)


def _keys(naive: pd.DatetimeIndex, parent_minutes: int) -> tuple[np.ndarray, np.ndarray]:
    minute = naive.hour.to_numpy() * 60 + naive.minute.to_numpy()
    parent = (minute // parent_minutes) * parent_minutes
    return parent, minute - parent


def _special(start, end, country, special_days) -> pd.DataFrame:
    if special_days is not None:
        frame = special_days.copy()
        frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
        return frame
    if not country:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "name": pd.Series(dtype=str),
                             "kind": pd.Series(dtype=str)})
    return special_days_frame(pd.Timestamp(start).date(), pd.Timestamp(end).date(), country)


def learn_intraday_profile(
    history: pd.DataFrame,
    parent_minutes: int = 60,
    *,
    country: str | None = "SE",
    special_days: pd.DataFrame | None = None,
    prior_calls: float = 20.0,
    horizon_days: int = 400,
) -> IntradayProfile:
    """Learn sub-interval shares from one queue's history.

    Parameters
    ----------
    history : DataFrame
        Canonical history of ONE queue at the sub-interval resolution.
    parent_minutes : int
        60 to split hours, 1440 to split days.
    country : str or None
        Special-day calendar (default ``"SE"``); None = weekdays only.
    special_days : DataFrame, optional
        ``date, name, kind`` to use instead of ``country``.
    prior_calls : float
        Shrinkage strength ``k`` [calls] towards the related day type.
    horizon_days : int
        Days after the history for which the special days are prepared.

    Raises
    ------
    WfmInputError
        Bad history, or a parent period that is not a multiple of the interval.
    """
    validated = validate_history(history, "intraday profile")
    m = validated.interval_minutes
    if parent_minutes not in (60, MINUTES_PER_DAY) or parent_minutes % m:
        raise WfmInputError(
            f"intraday profile: parent_minutes must be 60 or 1440 and a multiple of the history's "
            f"interval_minutes={m}, got {parent_minutes}"
        )
    if not (np.isfinite(prior_calls) and prior_calls >= 0):
        raise WfmInputError(f"intraday profile: prior_calls must be >= 0, got {prior_calls!r}")
    frame = validated.frame
    naive = _local(frame["interval_start"], validated.tz)
    special = _special(naive[0], naive[-1] + pd.Timedelta(days=horizon_days), country, special_days)
    dtype = day_types(naive.normalize(), special)
    parent, offset = _keys(naive, parent_minutes)
    calls = pd.DataFrame({"day_type": dtype, "parent": parent, "offset": offset,
                          "calls": frame["calls_offered"].to_numpy(dtype=float)})
    slot = calls.groupby(["day_type", "parent", "offset"])["calls"].sum()
    offsets = np.arange(0, parent_minutes, m)
    parents = np.arange(0, MINUTES_PER_DAY, parent_minutes)
    all_types = list(WEEKDAYS) + sorted(set(dtype) - set(WEEKDAYS))
    full = pd.MultiIndex.from_product([all_types, parents, offsets], names=["day_type", "parent", "offset"])
    slot = slot.reindex(full, fill_value=0.0)
    pooled = slot.groupby(level=["parent", "offset"]).sum()

    def normalise(s: pd.Series) -> pd.Series:
        tot = s.groupby(level="parent").transform("sum")
        return (s / tot.where(tot > 0)).fillna(0.0)

    base_all = normalise(pooled)
    shares = {}
    for d in all_types:
        own = slot.xs(d, level="day_type")
        base = base_all if d in WEEKDAYS else normalise(slot.xs(SPECIAL_BASE.get(d, "Sun"), level="day_type"))
        open_ = own > 0
        parent_tot = own.groupby(level="parent").transform("sum")
        seen = parent_tot > 0
        # closed slots stay closed: spread the prior only over this day type's open slots
        b = base.where(open_ | ~seen, 0.0)
        b_tot = b.groupby(level="parent").transform("sum")
        b = (b / b_tot.where(b_tot > 0)).fillna(0.0)
        share = (own + prior_calls * b) / (parent_tot + prior_calls * (b_tot > 0))
        shares[d] = share.where(np.isfinite(share), 0.0).fillna(0.0)
    out = pd.concat(shares, names=["day_type", "parent", "offset"])
    return IntradayProfile(m, parent_minutes, validated.tz, out.rename("share"), country, special)


def split_forecast(coarse: pd.DataFrame, profile: IntradayProfile) -> pd.DataFrame:
    """Split a forecast at ``profile.parent_minutes`` into ``profile.interval_minutes``.

    Parameters
    ----------
    coarse : DataFrame
        ``interval_start`` (tz-aware, parent starts: whole hours, or local
        midnights for days), ``calls_offered`` and optionally the bound
        columns and ``model`` (other columns are repeated).

    Returns
    -------
    DataFrame
        Same columns, one row per sub-interval; per parent the sub-interval
        ``calls_offered`` sum to the parent's; closed sub-slots are 0.
        ``attrs["uniform_splits"]`` counts parents split evenly for lack of
        a learned shape.

    Raises
    ------
    WfmInputError
        Missing columns or a parent start off the parent grid.
    """
    for col in ("interval_start", "calls_offered"):
        if col not in coarse.columns:
            raise WfmInputError(f"split_forecast: column {col!r} is missing (columns: {list(coarse.columns)})")
    m, pm, tz = profile.interval_minutes, profile.parent_minutes, profile.tz
    starts = pd.DatetimeIndex(coarse["interval_start"]).tz_convert(tz)
    naive = starts.tz_localize(None)
    if pm == 60:
        bad = (starts.tz_convert("UTC").minute != 0) | (starts.second != 0)
    else:
        bad = (naive.hour != 0) | (naive.minute != 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise WfmInputError(
            f"split_forecast: interval_start {starts[i]} (row {i}) is not the start of a "
            f"{'whole hour' if pm == 60 else 'local day'}"
        )
    if pm == 60:
        n_sub = np.full(len(starts), 60 // m)
    else:
        nxt = (naive + pd.Timedelta(days=1)).tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
        n_sub = ((nxt - starts) // pd.Timedelta(minutes=m)).to_numpy().astype(int)
    parent_row = np.repeat(np.arange(len(starts)), n_sub)
    within = np.arange(len(parent_row)) - np.repeat(np.cumsum(n_sub) - n_sub, n_sub)
    fine = pd.DatetimeIndex(starts.tz_convert("UTC")[parent_row] + pd.to_timedelta(within * m, unit="min")).tz_convert(tz)
    fine_naive = fine.tz_localize(None)
    dtype = day_types(_local(starts, tz).normalize()[parent_row] if pm == MINUTES_PER_DAY else fine_naive.normalize(), profile.special)
    minute = fine_naive.hour.to_numpy() * 60 + fine_naive.minute.to_numpy()
    parent_key = (minute // pm) * pm
    offset = minute - parent_key
    keys = pd.MultiIndex.from_arrays([dtype, parent_key, offset])
    s = profile.shares.reindex(keys).to_numpy()
    s = np.where(np.isfinite(s), s, 0.0)
    tot = np.bincount(parent_row, weights=s, minlength=len(starts))
    point = coarse["calls_offered"].to_numpy(dtype=float)
    uniform = (tot <= 0) & (point > 0)
    s = np.where(uniform[parent_row], 1.0, s)
    tot = np.bincount(parent_row, weights=s, minlength=len(starts))
    share = np.divide(s, tot[parent_row], out=np.zeros_like(s), where=tot[parent_row] > 0)
    out = coarse.iloc[parent_row].reset_index(drop=True)
    out["interval_start"] = fine
    parent_point = point[parent_row]
    out["calls_offered"] = share * parent_point
    present = [c for c in BOUND_LEVELS if c in coarse.columns]
    for col in present:
        z = norm.ppf(BOUND_LEVELS[col])
        dev = coarse[col].to_numpy(dtype=float)[parent_row] - parent_point
        spread = np.sqrt((share * dev) ** 2 + z * z * share * (1 - share) * parent_point)
        out[col] = np.clip(share * parent_point + np.sign(z) * spread, 0.0, None)
    if len(present) == 4:
        p = out["calls_offered"].to_numpy()
        out["calls_offered_p10"] = np.minimum(out["calls_offered_p10"], p)
        out["calls_offered_p025"] = np.minimum(out["calls_offered_p025"], out["calls_offered_p10"])
        out["calls_offered_p90"] = np.maximum(out["calls_offered_p90"], p)
        out["calls_offered_p975"] = np.maximum(out["calls_offered_p975"], out["calls_offered_p90"])
    out.attrs = dict(coarse.attrs, interval_minutes=m, uniform_splits=int(uniform.sum()))
    return out


def aggregate_intervals(frame: pd.DataFrame, to_minutes: int, tz: str | None = None) -> pd.DataFrame:
    """Aggregate a history or forecast frame to longer intervals (e.g. 15 -> 60 min).

    Counts (``calls_offered``, ``calls_answered``, ``calls_abandoned``,
    ``callbacks_accepted``) are summed; ``aht_seconds`` / ``asa_seconds`` are
    averaged weighted by answered calls (offered if there is no
    ``calls_answered``); forecast bounds are the summed point plus or minus the
    root-sum-square of the sub-interval deviations (independent errors).
    Hours are whole hours of absolute time (whole-hour zone offsets assumed);
    ``to_minutes=1440`` groups by LOCAL calendar day. Intervals without a row
    (closed) contribute nothing; a period with no rows gets no row.

    Raises
    ------
    WfmInputError
        ``to_minutes`` not a multiple of the frame's interval.
    """
    if "interval_start" not in frame.columns:
        raise WfmInputError("aggregate_intervals: column 'interval_start' is missing")
    ts = pd.DatetimeIndex(frame["interval_start"])
    if ts.tz is None:
        raise WfmInputError("aggregate_intervals: interval_start must be tz-aware")
    tz = tz or frame.attrs.get("tz") or str(ts.tz)
    src = frame.attrs.get("interval_minutes")
    if not isinstance(to_minutes, (int, np.integer)) or to_minutes <= 0 or MINUTES_PER_DAY % to_minutes or (src and to_minutes % int(src)):
        raise WfmInputError(
            f"aggregate_intervals: to_minutes must divide a day and be a multiple of the frame's "
            f"interval_minutes={src}, got {to_minutes!r}"
        )
    if to_minutes == MINUTES_PER_DAY:
        key = pd.DatetimeIndex(ts.tz_convert(tz).tz_localize(None).normalize()).tz_localize(
            tz, ambiguous=True, nonexistent="shift_forward")
    else:
        key = ts.tz_convert("UTC").floor(f"{to_minutes}min").tz_convert(tz)
    groups = ["queue", "_key"] if "queue" in frame.columns else ["_key"]
    work = frame.assign(_key=key)
    agg: dict[str, pd.Series] = {}
    g = work.groupby(groups, sort=True)
    for col in HISTORY_COUNT_COLUMNS:
        if col in work.columns:
            agg[col] = g[col].sum(min_count=1)
    weight_col = "calls_answered" if "calls_answered" in work.columns else "calls_offered"
    for col in ("aht_seconds", "asa_seconds"):
        if col in work.columns:
            w = pd.to_numeric(work[weight_col], errors="coerce").astype(float)
            v = work[col].astype(float)
            ok = v.notna() & w.notna()
            num = (v.where(ok, 0.0) * w.where(ok, 0.0)).groupby([work[c] for c in groups]).sum()
            den = w.where(ok, 0.0).groupby([work[c] for c in groups]).sum()
            agg[col] = (num / den.where(den > 0)).astype("float64")
    if "calls_offered" in work.columns:
        for col in BOUND_LEVELS:
            if col in work.columns:
                dev = (work[col].astype(float) - work["calls_offered"].astype(float)) ** 2
                rss = np.sqrt(dev.groupby([work[c] for c in groups]).sum())
                sign = np.sign(norm.ppf(BOUND_LEVELS[col]))
                agg[col] = (agg["calls_offered"].astype(float) + sign * rss).clip(lower=0.0)
    out = pd.DataFrame(agg).reset_index().rename(columns={"_key": "interval_start"})
    if "model" in work.columns:
        out["model"] = g["model"].first().to_numpy()
    order = [c for c in frame.columns if c in out.columns]
    out = out[order]
    out.attrs = dict(frame.attrs, interval_minutes=int(to_minutes), tz=tz)
    return out
