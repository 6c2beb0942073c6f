"""The one composer from a forecast and targets to a requirement, with the what-ifs managers ask about.

:func:`plan_requirement` composes :mod:`optimiser.staffing.requirement`,
:mod:`optimiser.staffing.deferred` and :mod:`optimiser.staffing.whatif`: the forecast as the
scenario sees it (handle time changed, calls moved to e-services), the requirement for the
targets, and with a call-back offer the call-back work placed in quiet intervals.  The CLI
(``wfm staff`` on a forecast file), the app (the Staffing page and the session's default
requirement) and the replay (``optimiser.analysis.replay``) all call it, so a forecast gives
the same requirement everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from optimiser.staffing.deferred import callback_requirement
from optimiser.staffing.requirement import AccessibilityTargets, staffing_table
from optimiser.staffing.whatif import place_eservice_work, summarise_requirement
from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import interval_minutes_of


@dataclass(frozen=True)
class WhatIfs:
    """Scenario knobs, all neutral by default.

    Parameters
    ----------
    aht_change_pct : float
        Handle time change [%] (e.g. +10 for more actions in the first call); > -100.
    share_moved_to_eservice : float
        Share of calls that move to e-services, in [0, 1).
    eservice_minutes_per_case : float
        Agent-minutes each moved call needs as an e-service case [min], >= 0 (0: the work is
        not counted); the work is placed into the quietest intervals before its deadline.
    eservice_deadline_hours : float or None
        E-service cases are due within this many hours [h], > 0; None: the same local day.
    callback_acceptance : float
        Share of callers offered a call-back who accept it, in [0, 1]; 0 = no offer.
    callback_threshold_seconds : float
        Predicted wait [s] above which a call-back is offered.
    callback_window_minutes : float
        Call-backs must be made within this many minutes [min].
    offer_callbacks : bool or None
        Whether call-backs are offered; None (default): when ``callback_acceptance > 0``.
        With an offer the requirement has the call-back columns (even if nobody accepts).
    """

    aht_change_pct: float = 0.0
    share_moved_to_eservice: float = 0.0
    eservice_minutes_per_case: float = 12.0
    eservice_deadline_hours: float | None = 24.0
    callback_acceptance: float = 0.0
    callback_threshold_seconds: float = 180.0
    callback_window_minutes: float = 120.0
    offer_callbacks: bool | None = None

    def __post_init__(self):
        if not self.aht_change_pct > -100:
            raise WfmInputError(f"aht_change_pct must be > -100, got {self.aht_change_pct!r}",
                                parameter="aht_change_pct")
        if not 0 <= self.share_moved_to_eservice < 1:
            raise WfmInputError(f"share_moved_to_eservice must be in [0, 1), got {self.share_moved_to_eservice!r}",
                                parameter="share_moved_to_eservice")
        if not 0 <= self.eservice_minutes_per_case < float("inf"):
            raise WfmInputError(f"eservice_minutes_per_case must be >= 0 and finite, got "
                                f"{self.eservice_minutes_per_case!r}", parameter="eservice_minutes_per_case")
        if self.eservice_deadline_hours is not None and not 0 < self.eservice_deadline_hours < float("inf"):
            raise WfmInputError(f"eservice_deadline_hours must be > 0 and finite, got {self.eservice_deadline_hours!r}",
                                parameter="eservice_deadline_hours")
        if not 0 <= self.callback_acceptance <= 1:
            raise WfmInputError(f"callback_acceptance must be in [0, 1], got {self.callback_acceptance!r}",
                                parameter="callback_acceptance")
        if not self.callback_threshold_seconds >= 0:
            raise WfmInputError(f"callback_threshold_seconds must be >= 0, got {self.callback_threshold_seconds!r}",
                                parameter="callback_threshold_seconds")
        if not self.callback_window_minutes > 0:
            raise WfmInputError(f"callback_window_minutes must be > 0, got {self.callback_window_minutes!r}",
                                parameter="callback_window_minutes")

    @property
    def with_callbacks(self) -> bool:
        """True when call-backs are offered (``offer_callbacks``, else ``callback_acceptance > 0``)."""
        return self.callback_acceptance > 0 if self.offer_callbacks is None else bool(self.offer_callbacks)


def apply_whatifs(forecast_df: pd.DataFrame, whatifs: WhatIfs) -> pd.DataFrame:
    """The forecast as the scenario sees it: AHT scaled, calls reduced by the e-service share."""
    out = forecast_df.copy()
    out["aht_seconds"] = out["aht_seconds"] * (1 + whatifs.aht_change_pct / 100.0)
    keep = 1.0 - whatifs.share_moved_to_eservice
    for col in [c for c in out.columns if c.startswith("calls_offered")]:
        out[col] = out[col] * keep
    return out


def plan_requirement(forecast_df: pd.DataFrame, targets: AccessibilityTargets,
                     whatifs: WhatIfs | None = None, *, interval_minutes: int | None = None,
                     source: str = "forecast") -> tuple[pd.DataFrame, dict]:
    """Requirement per queue and interval for a forecast under targets and what-ifs.

    Parameters
    ----------
    forecast_df : DataFrame
        Long forecast frame: ``interval_start`` (tz-aware), ``queue``, ``calls_offered``,
        ``aht_seconds`` (other ``calls_offered*`` columns are scaled with the calls).
    targets : AccessibilityTargets
        The accessibility targets and shrinkage.
    whatifs : WhatIfs, optional
        Scenario knobs; default all neutral.
    interval_minutes : int, optional
        Interval length [min]; inferred from the forecast when omitted.
    source : str
        Name of the forecast in error messages (e.g. its file name).

    Returns
    -------
    requirement : DataFrame
        The requirement-CSV columns (see :func:`optimiser.staffing.requirement.staffing_table`);
        with a call-back offer, also the call-back columns of
        :func:`optimiser.staffing.deferred.callback_requirement`.
    summary : dict
        ``agent_hours_on_phone``, ``agent_hours_scheduled``, ``peak_agents_required``
        (summed over queues), ``calls_offered``, and with a call-back offer
        ``callbacks_accepted`` and ``peak_agents_required_without_offer``.

    Calls moved to e-services leave the queue but their cases are work: the requirement then
    has a column ``eservice_agents`` and ``agents_required`` includes it
    (:func:`optimiser.staffing.whatif.place_eservice_work`).
    """
    whatifs = whatifs or WhatIfs()
    scenario = apply_whatifs(forecast_df, whatifs)
    minutes = interval_minutes if interval_minutes is not None else interval_minutes_of(scenario, what=source)
    if whatifs.with_callbacks:
        req = callback_requirement(
            scenario, targets,
            callback_threshold_seconds=whatifs.callback_threshold_seconds,
            callback_acceptance=whatifs.callback_acceptance,
            callback_window_minutes=whatifs.callback_window_minutes,
            interval_minutes=minutes, source=source,
        )
    else:
        req = staffing_table(scenario, targets, interval_minutes=minutes, source=source)
    if whatifs.share_moved_to_eservice > 0:
        # the moved calls come back as e-service work: counted, not dropped
        req = place_eservice_work(req, forecast_df, whatifs.share_moved_to_eservice,
                                  whatifs.eservice_minutes_per_case, interval_minutes=minutes,
                                  eservice_deadline_hours=whatifs.eservice_deadline_hours)
    summary = summarise_requirement(req, minutes)
    summary["calls_offered"] = float(scenario["calls_offered"].sum())
    if "callbacks_accepted" in req:
        summary["callbacks_accepted"] = float(req["callbacks_accepted"].sum())
        without = req.groupby("interval_start")["agents_required_without_offer"].sum()
        summary["peak_agents_required_without_offer"] = int(without.max())
    return req, summary
