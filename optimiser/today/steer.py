"""The day at a moment, in one call: actuals checked, the rest re-forecast, the day projected.

:func:`steer_day` is what ``wfm intraday`` and the app's Today page run every refresh.  In
replay mode the actuals are a longer history cut at ``now`` (a past day as it was at that
moment, for the demo and for training).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from optimiser.staffing.requirement import AccessibilityTargets
from optimiser.today.actuals import actuals_so_far, day_of_plan, replay_actuals
from optimiser.today.projection import Projection, agents_on_phone_today, project_day
from optimiser.today.reforecast import DEFAULT_SHRINK_POWER, Reforecast, reforecast_day
from wfm.ground.errors import WfmInputError

__all__ = ["TodayState", "steer_day", "day_ahead_plan"]


@dataclass(frozen=True)
class TodayState:
    """Everything the Today page and ``wfm intraday`` show for one moment."""

    now: pd.Timestamp
    plan_day: pd.DataFrame
    actuals: pd.DataFrame
    reforecast: Reforecast
    agents_on_phone: pd.Series
    projection: Projection
    targets: AccessibilityTargets
    shifts: pd.DataFrame
    absences: pd.DataFrame | None = None
    inbound_share: pd.Series | None = None
    callback_calls: pd.Series | None = None


def steer_day(forecast: pd.DataFrame, actuals: pd.DataFrame, shifts: pd.DataFrame, now,
              targets: AccessibilityTargets, *, absences: pd.DataFrame | None = None, shrink_power: float = DEFAULT_SHRINK_POWER,
              replay: bool = False, agents_on_phone: pd.Series | None = None,
              inbound_share: pd.Series | None = None) -> TodayState:
    """Check today's actuals, re-forecast the rest of the day and project its accessibility.

    Parameters
    ----------
    forecast : DataFrame
        The day-ahead forecast (any span covering the day of ``now``).
    actuals : DataFrame
        Today's actuals so far (history format); in ``replay`` mode any history holding
        the day, cut at ``now``.
    shifts : DataFrame
        The published roster (or a schedule) covering the day.
    now : timestamp
        The moment (naive: local time of the forecast's zone).
    targets : AccessibilityTargets
        ``answer_within_seconds``, ``target_service_level``, ``patience_seconds``, and the
        ``shrinkage`` of on-shift time spent off the phone besides breaks.
    absences : DataFrame, optional
        Absences reported this morning (``agent_id``, ``start``, ``end``).
    shrink_power : float
        See :func:`optimiser.today.reforecast.reforecast_day`.
    agents_on_phone : Series, optional
        Agents per interval to use instead of the roster's.
    inbound_share : Series, optional
        Share of calls staying in the queue per interval (call-back offers accepted).
    """
    plan_day = day_of_plan(forecast, now)
    source = replay_actuals(actuals, now) if replay else actuals
    so_far = actuals_so_far(source, plan_day, now)
    refc = reforecast_day(plan_day, so_far, now, shrink_power=shrink_power)
    starts = pd.DatetimeIndex(sorted(plan_day["interval_start"].unique()))
    if agents_on_phone is None:
        agents_on_phone = agents_on_phone_today(shifts, starts, refc.interval_minutes, absences=absences,
                                                shrinkage=targets.shrinkage)
    projection = project_day(refc, so_far, agents_on_phone, targets, inbound_share=inbound_share)
    return TodayState(now=refc.now, plan_day=plan_day, actuals=so_far, reforecast=refc,
                      agents_on_phone=agents_on_phone, projection=projection, targets=targets, shifts=shifts,
                      absences=absences, inbound_share=inbound_share)


def day_ahead_plan(history: pd.DataFrame, day, targets: AccessibilityTargets, *, model: str = "weekly_mean",
                   weeks: int = 10, country: str | None = "SE") -> tuple[pd.DataFrame, pd.Series]:
    """The day-ahead forecast of ``day`` from the history before it, and the agents its requirement puts on the phone.

    For the demo and replay when no forecast or roster was published: the pipeline's ``model``
    on the ``weeks`` before the day (horizon one day), and the on-phone agents of the
    requirement the one composer (``optimiser.staffing.compose.plan_requirement``) derives from
    it for ``targets``, summed over queues.
    """
    from forecasting.pipeline import ForecastSettings, forecast
    from optimiser.staffing.compose import plan_requirement

    tz = history["interval_start"].dt.tz
    start = pd.Timestamp(pd.Timestamp(day).date()).tz_localize(tz)
    past = history[(history["interval_start"] < start)
                   & (history["interval_start"] >= start - pd.Timedelta(weeks=weeks))].reset_index(drop=True)
    past.attrs.update(history.attrs)
    if past.empty:
        raise WfmInputError(f"no history in the {weeks} weeks before {start.date()} to forecast it from",
                            parameter="day")
    minutes = int(history.attrs.get("interval_minutes") or 15)
    fc = forecast(past, ForecastSettings(horizon_days=1, interval_minutes=minutes, model=model, country=country),
                  n_jobs=1).forecast
    requirement, _ = plan_requirement(fc, targets)
    agents = requirement.groupby("interval_start")["agents_on_phone"].sum().astype(float)
    return fc, agents
