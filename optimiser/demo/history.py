"""Seeded generator of realistic demo history for a national police non-emergency number.

The demo centre is modelled on the Swedish police's non-emergency number: open
24/7 in Europe/Stockholm time, callers speak Swedish or English and a voice
menu routes them to four queues: ``reports`` (crime reports, long calls),
``tips``, ``switchboard`` (short calls) and ``english``.  It is calibrated to
public figures: about 5.7 million calls a year (2014), about 800 operators
nationally (2023), a target of answering most calls within 3 minutes and
queues that reach 15--40 minutes in bad periods.  The full model, every
parameter and the calibration arithmetic are in ``docs/demo_data.md`` and
``data/README.md``; this docstring is the summary.

Model, per queue ``q`` and 15-minute interval ``t`` on local date ``d``:

1. **Expected calls** ``lambda[q, t] = V * share[q] / 365.25 * trend[q](d) *
   season[q](d) * week[q](d) * event[q](d) * shape[q](slot(t)) / 96`` where
   ``V`` is the national yearly volume, ``trend`` a constant yearly growth
   around 2024-07-01, ``season`` a yearly cosine, ``week`` a weekday factor
   (holidays and the de facto free eves behave like a Sunday/Saturday, bridge
   days are lower), ``event`` the one-off events of :data:`DEFAULT_EVENTS`
   (``data/demo_events.csv``) and ``shape`` the intraday profile
   (weekday or weekend/holiday shape) at the *local wall-clock* quarter-hour,
   so DST days have 92 or 100 intervals and their calls follow the clock.
2. **Over-dispersed counts** (gamma--Poisson = negative binomial mixture): a
   weekly and a daily gamma random effect per queue (mean 1, shared by all
   intervals of the week/day) and an interval gamma effect, then Poisson.
3. **Handle time** varies by hour and queue, with a slow upward drift for
   ``reports``; the interval average of ``m`` answered calls is gamma with
   the per-call coefficient of variation divided by ``sqrt(m)``.
4. **Staffing and waiting**: the simulated planners staff every interval to an
   Erlang C requirement (80 % within 180 s) on the *expected* calls and
   handle time (:func:`optimiser.staffing.requirement.required_agents`);
   reality deviates through random absence, understaffed periods (summer, a
   flu wave), unplanned events and the random volume.  Waiting, abandonment
   and answered calls then follow the Erlang A (M/M/n+M) model of
   :func:`optimiser.queueing.erlang.queue_metrics` -- the project's one
   queueing implementation -- with exponential patience per queue.
   Abandonment therefore grows with waiting.
5. **Call-backs**: when the expected wait exceeds
   ``callback_threshold_seconds`` a call-back is offered to callers who would
   wait and a share accepts; they count in ``calls_offered`` but neither in
   ``calls_answered`` nor ``calls_abandoned`` (they are handled later, off the
   inbound queue).  So ``calls_answered + calls_abandoned + callbacks_accepted
   == calls_offered`` in every row.

Randomness is drawn from one stream per local date (and one per ISO week for
the weekly effect), each a :class:`numpy.random.SeedSequence` keyed on the seed
and the date's ordinal, so any date range reproduces exactly the rows of a
longer run over the same dates: the first two weeks of the committed file can
be regenerated alone.

References
----------
.. [1] Calibration figures as given in the project issue (public reporting
   on the Swedish police non-emergency number 114 14): about 5.7 million
   calls in 2014, about 800 operators needed nationally in 2023, a target of
   answering most calls within 3 minutes, 15--40 minute queues in bad
   periods.  They are targets for the demo, not verified statistics.
.. [2] Garnett, O., Mandelbaum, A. and Reiman, M. (2002). Designing a call
   center with impatient customers. Manufacturing & Service Operations
   Management 4(3), 208--227 (the Erlang A / M/M/n+M model).
.. [3] Mandelbaum, A. and Zeltyn, S. (2007). Service engineering in action:
   the Palm/Erlang-A queue, with applications to call centers.
.. [4] Avramidis, A. N., Deslauriers, A. and L'Ecuyer, P. (2004). Modeling
   daily arrivals to a telephone call center. Management Science 50(7),
   896--908 (gamma--Poisson day effects, over-dispersion).
.. [5] Brown, L. et al. (2005). Statistical analysis of a telephone call
   center: a queueing-science perspective. JASA 100(469), 36--50 (log-normal
   handle times, patience, abandonment growing with waiting).
.. [6] Erlang, A. K. (1917); Cooper, R. B. (1981). Introduction to Queueing
   Theory, 2nd ed. (Erlang B recursion and Erlang C).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from optimiser.queueing import erlang
from optimiser.queueing.on_phone import scheduled_from_on_phone
from optimiser.staffing.requirement import required_agents
from wfm.ground.calendar import DEFACTO_DAYS_OFF, special_days
from wfm.ground.errors import WfmInputError
from wfm.ground.frames import EVENT_COLUMNS, HISTORY_COLUMNS
from wfm.ground.vocabulary import DEFAULT_TZ

#: The history columns the demo writes: every canonical column but the ACD's within-target count,
#: which the demo does not simulate (its accessibility is estimated, see docs/intraday.md).
DEMO_HISTORY_COLUMNS: tuple[str, ...] = tuple(c for c in HISTORY_COLUMNS if c != "calls_answered_within_target")

__all__ = [
    "DEFAULT_EVENTS",
    "DEFAULT_SEED",
    "DEFAULT_PARAMETERS",
    "DEFAULT_QUEUES",
    "DEFAULT_STAFFING_PERIODS",
    "EVENT_EFFECTS",
    "DemoEvent",
    "DemoParameters",
    "EVENT_KINDS",
    "DEMO_HISTORY_COLUMNS",
    "HISTORY_COLUMNS",
    "QUEUES",
    "QueueParameters",
    "StaffingPeriod",
    "StaffingArithmetic",
    "events_frame",
    "expected_calls",
    "generate_demo_history",
    "staffing_arithmetic",
]

#: Default seed of the committed demo files.
DEFAULT_SEED = 20240101

#: Queues of the demo centre, in the voice-menu order.
QUEUES: tuple[str, ...] = ("reports", "tips", "switchboard", "english")

INTERVAL_MINUTES = 15
_INTERVAL_SECONDS = INTERVAL_MINUTES * 60


# --------------------------------------------------------------------------- parameters
def _norm_mean1(values: Sequence[float]) -> tuple[float, ...]:
    arr = np.asarray(values, dtype=float)
    return tuple(float(v) for v in arr / arr.mean())


@dataclass(frozen=True)
class QueueParameters:
    """Shape of one queue's demand and service.

    Parameters
    ----------
    name : str
        Queue name (``reports``, ``tips``, ``switchboard``, ``english``).
    share : float
        Share of the national yearly calls [fraction].
    growth_per_year : float
        Constant yearly growth of the volume around the reference date
        [fraction per year, -0.03 = -3 %/yr].
    season_amplitude : float
        Amplitude of the yearly cosine [fraction of the mean].
    season_peak_day_of_year : int
        Day of year of the seasonal peak [1..366].
    weekday_factors : tuple of 7 float
        Monday..Sunday volume factors (normalised to mean 1).
    hourly_weekday, hourly_weekend : tuple of 24 float
        Relative volume per local hour on working days and on weekends,
        holidays and de facto free eves (interpolated to quarter-hours and
        normalised to mean 1 over the 96 quarter-hours).
    aht_seconds : float
        Base average handle time [s] at the reference date.
    aht_hour_factors : tuple of 24 float
        Multiplier of the handle time per local hour.
    aht_drift_per_year : float
        Yearly relative growth of the handle time [fraction per year].
    patience_seconds : float
        Mean of the exponential patience of callers [s] (Erlang A).
    """

    name: str
    share: float
    growth_per_year: float
    season_amplitude: float
    season_peak_day_of_year: int
    weekday_factors: tuple[float, ...]
    hourly_weekday: tuple[float, ...]
    hourly_weekend: tuple[float, ...]
    aht_seconds: float
    aht_hour_factors: tuple[float, ...]
    aht_drift_per_year: float
    patience_seconds: float


# Night (00-06) calls are longer (more serious matters, fewer colleagues to ask),
# the morning a little shorter.
_AHT_HOURS_LONG_NIGHT = (1.15,) * 6 + (1.05, 0.97, 0.95, 0.96, 0.98, 1.0, 1.0, 1.0, 0.99, 0.98,
                                       0.98, 0.99, 1.02, 1.04, 1.05, 1.07, 1.09, 1.12)
_AHT_HOURS_FLAT = (1.08,) * 6 + (1.03, 0.98, 0.96, 0.97, 0.98, 1.0, 1.0, 1.0, 0.99, 0.98,
                                 0.99, 1.0, 1.02, 1.03, 1.04, 1.05, 1.06, 1.07)

# Relative calls per local hour 00..23.
_REPORTS_WD = (0.35, 0.26, 0.2, 0.16, 0.15, 0.2, 0.4, 0.85, 1.45, 1.85, 1.95, 1.9,
               1.75, 1.8, 1.75, 1.6, 1.45, 1.3, 1.22, 1.15, 1.05, 0.85, 0.65, 0.48)
_REPORTS_WE = (0.6, 0.5, 0.42, 0.32, 0.24, 0.22, 0.3, 0.5, 0.85, 1.25, 1.55, 1.65,
               1.65, 1.6, 1.55, 1.45, 1.35, 1.25, 1.2, 1.15, 1.05, 0.9, 0.78, 0.68)
_SWITCH_WD = (0.12, 0.08, 0.06, 0.05, 0.05, 0.08, 0.3, 1.0, 2.1, 2.45, 2.4, 2.2,
              1.85, 2.05, 2.0, 1.8, 1.5, 1.05, 0.8, 0.65, 0.5, 0.35, 0.22, 0.16)
_SWITCH_WE = (0.25, 0.18, 0.14, 0.1, 0.08, 0.1, 0.2, 0.45, 0.9, 1.35, 1.6, 1.7,
              1.7, 1.65, 1.6, 1.5, 1.35, 1.2, 1.05, 0.9, 0.75, 0.55, 0.4, 0.3)
_TIPS_WD = (0.3, 0.22, 0.17, 0.14, 0.13, 0.17, 0.35, 0.8, 1.4, 1.75, 1.85, 1.8,
            1.65, 1.75, 1.7, 1.6, 1.5, 1.4, 1.35, 1.35, 1.3, 1.05, 0.75, 0.45)
_TIPS_WE = (0.5, 0.4, 0.32, 0.25, 0.2, 0.2, 0.28, 0.5, 0.85, 1.2, 1.45, 1.55,
            1.55, 1.55, 1.5, 1.45, 1.4, 1.35, 1.35, 1.35, 1.25, 1.05, 0.85, 0.65)
_ENGLISH_WD = (0.4, 0.3, 0.22, 0.18, 0.16, 0.2, 0.38, 0.75, 1.25, 1.6, 1.8, 1.85,
               1.8, 1.8, 1.75, 1.65, 1.55, 1.45, 1.35, 1.25, 1.1, 0.9, 0.7, 0.52)
_ENGLISH_WE = (0.62, 0.5, 0.4, 0.3, 0.24, 0.22, 0.3, 0.5, 0.85, 1.2, 1.45, 1.55,
               1.6, 1.6, 1.55, 1.5, 1.4, 1.3, 1.25, 1.2, 1.1, 0.95, 0.82, 0.7)

DEFAULT_QUEUES: tuple[QueueParameters, ...] = (
    QueueParameters(
        name="reports", share=0.35, growth_per_year=-0.03,  # e-services take simple reports
        season_amplitude=0.10, season_peak_day_of_year=196,  # summer thefts/burglaries
        weekday_factors=_norm_mean1((1.17, 1.08, 1.04, 1.02, 0.98, 0.84, 0.87)),
        hourly_weekday=_REPORTS_WD, hourly_weekend=_REPORTS_WE,
        aht_seconds=935.0, aht_hour_factors=_AHT_HOURS_LONG_NIGHT,
        aht_drift_per_year=0.03,  # "more actions in the first call"
        patience_seconds=3600.0,  # people reporting a crime hold on for long
    ),
    QueueParameters(
        name="tips", share=0.20, growth_per_year=0.03,
        season_amplitude=0.05, season_peak_day_of_year=280,
        weekday_factors=_norm_mean1((1.10, 1.05, 1.03, 1.02, 1.0, 0.88, 0.92)),
        hourly_weekday=_TIPS_WD, hourly_weekend=_TIPS_WE,
        aht_seconds=400.0, aht_hour_factors=_AHT_HOURS_FLAT,
        aht_drift_per_year=0.0, patience_seconds=1500.0,
    ),
    QueueParameters(
        name="switchboard", share=0.35, growth_per_year=-0.02,
        season_amplitude=-0.08, season_peak_day_of_year=196,  # low in the July holidays
        weekday_factors=_norm_mean1((1.25, 1.12, 1.08, 1.05, 0.98, 0.72, 0.80)),
        hourly_weekday=_SWITCH_WD, hourly_weekend=_SWITCH_WE,
        aht_seconds=88.0, aht_hour_factors=_AHT_HOURS_FLAT,
        aht_drift_per_year=0.0, patience_seconds=600.0,
    ),
    QueueParameters(
        name="english", share=0.10, growth_per_year=0.05,
        season_amplitude=0.20, season_peak_day_of_year=190,  # tourists in summer
        weekday_factors=_norm_mean1((1.10, 1.05, 1.03, 1.02, 1.0, 0.9, 0.9)),
        hourly_weekday=_ENGLISH_WD, hourly_weekend=_ENGLISH_WE,
        aht_seconds=600.0, aht_hour_factors=_AHT_HOURS_LONG_NIGHT,
        aht_drift_per_year=0.01, patience_seconds=1800.0,
    ),
)


@dataclass(frozen=True)
class StaffingPeriod:
    """A period when fewer agents than planned are on the phones.

    Parameters
    ----------
    start, end : str
        First and last local date, ISO ``YYYY-MM-DD``, inclusive.
    staffing_factor : float
        Agents on phone as a fraction of the plan [fraction].
    name : str
        What happened.
    """

    start: str
    end: str
    staffing_factor: float
    name: str


@dataclass(frozen=True)
class DemoEvent:
    """A one-off event that changes demand (and, for outages, capacity).

    Parameters
    ----------
    date, end_date : str
        First and last local date, ISO ``YYYY-MM-DD``, inclusive.
    name : str
        Description.
    kind : str
        One of :data:`EVENT_KINDS`; its effect is in :data:`EVENT_EFFECTS`.
    """

    date: str
    end_date: str
    name: str
    kind: str


#: Demand multiplier per queue for each event kind, and the capacity left
#: (share of planned agents) -- only an outage takes capacity away.
EVENT_EFFECTS: dict[str, dict[str, float]] = {
    # The telephony platform is down: calls still reach the voice menu (and
    # callers redial) but almost no agent can take them; no call-backs.
    "outage": {"reports": 1.15, "tips": 1.1, "switchboard": 1.2, "english": 1.1, "capacity": 0.0},
    # Callers who could not get through call again the day after.
    "rebound": {"reports": 1.4, "tips": 1.3, "switchboard": 1.45, "english": 1.3, "capacity": 1.0},
    # Fraud wave (fake bank/police calls): many reports and tips, unplanned.
    "fraud_wave": {"reports": 1.38, "tips": 1.5, "switchboard": 1.12, "english": 1.15, "capacity": 1.0},
    # Media appeal for witnesses: a day of tips.
    "media": {"reports": 1.05, "tips": 2.3, "switchboard": 1.25, "english": 1.1, "capacity": 1.0},
    # Severe storm: damage, accidents, road questions.
    "storm": {"reports": 1.15, "tips": 1.05, "switchboard": 1.3, "english": 1.1, "capacity": 1.0},
}
EVENT_KINDS: tuple[str, ...] = tuple(EVENT_EFFECTS)

#: The events in the committed demo data (also written to ``data/demo_events.csv``).
DEFAULT_EVENTS: tuple[DemoEvent, ...] = (
    DemoEvent("2023-03-15", "2023-03-15", "media appeal for witnesses", "media"),
    DemoEvent("2023-11-23", "2023-11-24", "winter storm", "storm"),
    DemoEvent("2024-05-14", "2024-05-14", "telephony outage", "outage"),
    DemoEvent("2024-05-15", "2024-05-15", "rebound after telephony outage", "rebound"),
    DemoEvent("2024-10-07", "2024-11-03", "fraud wave (fake bank calls)", "fraud_wave"),
    DemoEvent("2025-02-10", "2025-02-10", "media appeal for witnesses", "media"),
    DemoEvent("2025-09-01", "2025-09-21", "fraud wave (fake police calls)", "fraud_wave"),
)

#: Understaffed periods of the demo centre (not demand events).
DEFAULT_STAFFING_PERIODS: tuple[StaffingPeriod, ...] = (
    StaffingPeriod("2023-06-26", "2023-08-13", 0.75, "summer vacation 2023, few temps hired"),
    StaffingPeriod("2024-01-15", "2024-02-25", 0.80, "winter flu 2024"),
    StaffingPeriod("2024-07-01", "2024-08-11", 0.82, "summer vacation 2024"),
    StaffingPeriod("2025-06-30", "2025-08-10", 0.86, "summer vacation 2025"),
    StaffingPeriod("2025-11-17", "2025-12-07", 0.78, "recruitment freeze 2025"),
)


@dataclass(frozen=True)
class DemoParameters:
    """All knobs of the generator (defaults = the committed demo data).

    Parameters
    ----------
    calls_per_year : float
        National calls per year at the reference date [calls/yr]; 5.7 M (2014).
    reference_date : str
        Date where trends are 1 [ISO date].
    queues : tuple of QueueParameters
        One per queue, see :data:`DEFAULT_QUEUES`.
    week_effect_cv, day_effect_cv : float
        Coefficient of variation of the weekly and daily gamma random effects
        (mean 1) per queue [fraction].
    interval_gamma_shape : float
        Shape of the per-interval gamma effect (variance ``1/shape``) [-].
    holiday_factor : float
        Volume of a public holiday relative to a Sunday [fraction].
    defacto_eve_factor : float
        Volume of midsommarafton/julafton/nyårsafton relative to a Saturday.
    other_eve_factor : float
        Volume of other eves relative to their weekday.
    bridge_factor : float
        Volume of a bridge day relative to its weekday.
    handle_time_cv : float
        Coefficient of variation of a single call's handle time [fraction].
    answer_within_seconds, target_service_level : float
        The planners' target: ``target_service_level`` of calls answered
        within ``answer_within_seconds`` [s], [fraction].
    min_agents : int
        Planned agents on phone per queue and interval, at least [agents].
    staffing_shock_sd : float
        Standard deviation of the daily log staffing factor (absence) [-].
    bad_day_probability : float
        Chance that a day is a "bad day" (IT trouble, mass sickness) [fraction].
    bad_day_staffing : tuple of 2 float
        Range of the uniform staffing factor on a bad day [fraction].
    lunch_staffing_factor : float
        Agents on phone 11:00-13:00 relative to plan (lunch breaks) [fraction].
    staffing_periods : tuple of StaffingPeriod
        Understaffed periods.
    callback_threshold_seconds : float
        Expected wait above which a call-back is offered [s].
    callback_accept_share : float
        Share of callers offered a call-back who accept [fraction].  Offers
        are switched on and off so that the expected wait does not fall below
        ``callback_threshold_seconds`` because of them (the offer is only made
        while the wait is long).
    """

    calls_per_year: float = 5.7e6
    reference_date: str = "2024-07-01"
    queues: tuple[QueueParameters, ...] = DEFAULT_QUEUES
    week_effect_cv: float = 0.04
    day_effect_cv: float = 0.06
    interval_gamma_shape: float = 80.0
    holiday_factor: float = 0.9
    defacto_eve_factor: float = 0.75
    other_eve_factor: float = 0.92
    bridge_factor: float = 0.88
    handle_time_cv: float = 0.8
    answer_within_seconds: float = 180.0
    target_service_level: float = 0.8
    min_agents: int = 1
    staffing_shock_sd: float = 0.07
    bad_day_probability: float = 0.02
    bad_day_staffing: tuple[float, float] = (0.6, 0.85)
    lunch_staffing_factor: float = 0.93
    staffing_periods: tuple[StaffingPeriod, ...] = DEFAULT_STAFFING_PERIODS
    callback_threshold_seconds: float = 600.0
    callback_accept_share: float = 0.35

    def queue(self, name: str) -> QueueParameters:
        for q in self.queues:
            if q.name == name:
                return q
        raise WfmInputError(f"queue must be one of {[q.name for q in self.queues]}, got {name!r}")


DEFAULT_PARAMETERS = DemoParameters()


# --------------------------------------------------------------------------- events
def events_frame(events: Iterable[DemoEvent] = DEFAULT_EVENTS) -> pd.DataFrame:
    """The events as a frame with columns ``date, end_date, name, kind`` (ISO dates as text)."""
    events = list(events)
    return pd.DataFrame(
        {c: pd.Series([getattr(e, c) for e in events], dtype=str) for c in EVENT_COLUMNS}
    )


# --------------------------------------------------------------------------- queueing (optimiser.queueing)
def _planned_agents(calls, aht_seconds, answer_within_seconds: float, target_service_level: float,
                    min_agents: int) -> np.ndarray:
    """The fewest agents on the phone meeting the service-level target under Erlang C, at least ``min_agents``.

    :func:`optimiser.staffing.requirement.required_agents` per cell on 15-minute intervals.
    """
    calls = np.asarray(calls, dtype=float)
    req = required_agents(calls.ravel(), INTERVAL_MINUTES, np.asarray(aht_seconds, dtype=float).ravel(),
                          answer_within_seconds=answer_within_seconds, target_service_level=target_service_level)
    agents = req["agents_on_phone"].to_numpy(dtype=np.int64).reshape(calls.shape)
    return np.maximum(agents, min_agents)


def _waiting(calls, aht_seconds, agents, patience_seconds) -> dict[str, np.ndarray]:
    """Erlang A (M/M/n+M) per cell, from :func:`optimiser.queueing.erlang.queue_metrics`.

    Returns ``p_wait``, ``p_abandon`` and ``asa_seconds`` (inf when nobody is
    answered: no agents), shaped like ``calls``.
    """
    calls = np.asarray(calls, dtype=float)
    m = erlang.queue_metrics(calls.ravel(), INTERVAL_MINUTES, np.ravel(aht_seconds), np.ravel(agents),
                             0.0, np.ravel(patience_seconds))
    return {"p_wait": m["p_wait"].to_numpy().reshape(calls.shape),
            "p_abandon": m["abandon_rate"].to_numpy().reshape(calls.shape),
            "asa_seconds": m["asa_seconds"].to_numpy().reshape(calls.shape)}


def _callback_share(calls, aht, agents, patience, p_max, threshold_seconds, iterations: int = 12):
    """Share of arrivals taking a call-back so the wait comes down to the threshold.

    When even ``p_max`` (every waiting caller offered, the accept share taking
    it) leaves the expected wait above the threshold, the answer is ``p_max``;
    otherwise offers run only part of the time and bisection finds the share
    ``p`` with ``asa(calls * (1 - p)) == threshold_seconds``.
    """
    def wait(c, a, n, pt):
        return erlang.asa_seconds(c, INTERVAL_MINUTES, a, n, patience_seconds=pt)

    at_max = wait(calls * (1.0 - p_max), aht, agents, patience)
    lo = np.zeros_like(p_max)
    hi = p_max.copy()
    todo = at_max < threshold_seconds
    if todo.any():
        c, a, n, pt = calls[todo], aht[todo], agents[todo], patience[todo]
        lo_t, hi_t = lo[todo], hi[todo]
        for _ in range(iterations):
            mid = 0.5 * (lo_t + hi_t)
            above = wait(c * (1.0 - mid), a, n, pt) > threshold_seconds
            lo_t = np.where(above, mid, lo_t)
            hi_t = np.where(above, hi_t, mid)
        hi[todo] = hi_t
    return hi


# --------------------------------------------------------------------------- the grid
def _parse_date(value, parameter: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise WfmInputError(f"{parameter} must be a date YYYY-MM-DD, got {value!r}") from None


def _interval_grid(start: _dt.date, end: _dt.date, tz: str) -> pd.DatetimeIndex:
    """Every real local quarter-hour from ``start`` 00:00 to ``end`` 24:00 (DST-safe)."""
    first = pd.Timestamp(start).tz_localize(tz)
    stop = pd.Timestamp(end + _dt.timedelta(days=1)).tz_localize(tz)
    utc = pd.date_range(first.tz_convert("UTC"), stop.tz_convert("UTC"), freq=f"{INTERVAL_MINUTES}min",
                        inclusive="left")
    return utc.tz_convert(tz).as_unit("ns")


def _hourly_to_slots(hourly: Sequence[float]) -> np.ndarray:
    """24 hourly values (centred on hh:30) -> 96 quarter-hour values, periodic, mean 1."""
    h = np.asarray(hourly, dtype=float)
    centres = np.arange(24) + 0.5
    slots = np.arange(96) / 4 + 0.125
    xp = np.concatenate([centres - 24, centres, centres + 24])
    fp = np.concatenate([h, h, h])
    v = np.interp(slots, xp, fp)
    return v / v.mean()


def _day_table(days: np.ndarray, params: DemoParameters, events: Sequence[DemoEvent]) -> pd.DataFrame:
    """Per local date and queue: the expected daily volume and flags (deterministic)."""
    d0, d1 = days[0], days[-1]
    special = special_days(d0, d1, "SE")
    kind_by_day = dict(zip(special["date"], special["kind"]))
    name_by_day = dict(zip(special["date"], special["name"]))
    ref = _dt.date.fromisoformat(params.reference_date)
    years = np.array([(d - ref).days / 365.25 for d in days])
    doy = np.array([d.timetuple().tm_yday for d in days], dtype=float)
    weekday = np.array([d.weekday() for d in days])
    out = {"date": days}
    weekend_shape = np.zeros(len(days), dtype=bool)
    capacity = np.ones(len(days))
    callbacks_allowed = np.ones(len(days), dtype=bool)
    event_factor = {q.name: np.ones(len(days)) for q in params.queues}
    day_index = {d: i for i, d in enumerate(days)}
    for ev in events:
        e0, e1 = _dt.date.fromisoformat(ev.date), _dt.date.fromisoformat(ev.end_date)
        eff = EVENT_EFFECTS[ev.kind]
        for i in range((e1 - e0).days + 1):
            di = day_index.get(e0 + _dt.timedelta(days=i))
            if di is None:
                continue
            for q in params.queues:
                event_factor[q.name][di] *= eff[q.name]
            capacity[di] *= eff["capacity"]
            if ev.kind == "outage":
                callbacks_allowed[di] = False
    staffing = np.ones(len(days))
    for p in params.staffing_periods:
        s0, s1 = _dt.date.fromisoformat(p.start), _dt.date.fromisoformat(p.end)
        mask = np.array([s0 <= d <= s1 for d in days])
        staffing[mask] *= p.staffing_factor

    for q in params.queues:
        wf = np.asarray(q.weekday_factors)
        factor = wf[weekday].copy()
        for i, d in enumerate(days):
            kind = kind_by_day.get(d)
            if kind == "holiday":
                factor[i] = wf[6] * params.holiday_factor
            elif kind == "eve":
                if any(n in DEFACTO_DAYS_OFF for n in name_by_day[d].split("; ")):
                    factor[i] = wf[5] * params.defacto_eve_factor
                else:
                    factor[i] = wf[weekday[i]] * params.other_eve_factor
            elif kind == "bridge":
                factor[i] = wf[weekday[i]] * params.bridge_factor
        season = 1.0 + q.season_amplitude * np.cos(2 * np.pi * (doy - q.season_peak_day_of_year) / 365.25)
        trend = (1.0 + q.growth_per_year) ** years
        out[f"calls_{q.name}"] = (
            params.calls_per_year * q.share / 365.25 * trend * season * factor * event_factor[q.name]
        )
        out[f"baseline_{q.name}"] = out[f"calls_{q.name}"] / event_factor[q.name]
        out[f"aht_drift_{q.name}"] = (1.0 + q.aht_drift_per_year) ** years
    for i, d in enumerate(days):
        kind = kind_by_day.get(d)
        defacto = kind == "eve" and any(n in DEFACTO_DAYS_OFF for n in name_by_day[d].split("; "))
        weekend_shape[i] = weekday[i] >= 5 or kind == "holiday" or defacto
    out["weekend_shape"] = weekend_shape
    out["capacity"] = capacity
    out["callbacks_allowed"] = callbacks_allowed
    out["staffing"] = staffing
    return pd.DataFrame(out)


def expected_calls(
    start="2023-01-01",
    end="2025-12-31",
    tz: str = DEFAULT_TZ,
    *,
    params: DemoParameters = DEFAULT_PARAMETERS,
    events: Sequence[DemoEvent] = DEFAULT_EVENTS,
    include_events: bool = True,
) -> pd.DataFrame:
    """The generator's deterministic expectation (no randomness), long format.

    Parameters
    ----------
    start, end : date-like
        First and last local date, inclusive.
    tz : str
        IANA zone of the centre.
    params : DemoParameters
        Generator parameters.
    events : sequence of DemoEvent
        One-off events.
    include_events : bool
        ``False`` gives the plan the simulated planners staff to (events are
        not anticipated).

    Returns
    -------
    pandas.DataFrame
        ``interval_start, queue, calls_expected, aht_expected_seconds, agents_planned``
        sorted by queue and interval_start.  ``agents_planned`` are the agents the
        simulated planners put on the phone before absence and understaffing: the
        fewest meeting ``params.target_service_level`` within
        ``params.answer_within_seconds`` under Erlang C
        (:func:`optimiser.staffing.requirement.required_agents`) for the calls
        expected without the events, at least ``params.min_agents`` (whatever
        ``include_events`` says: planners do not anticipate events).
    """
    grid = _build(start, end, tz, params, events)
    agents = _planned_agents(np.vstack(grid["lam_plan"]), np.vstack(grid["aht"]), params.answer_within_seconds,
                             params.target_service_level, params.min_agents)
    frames = []
    for qi, q in enumerate(params.queues):
        lam = grid["lam_event"][qi] if include_events else grid["lam_plan"][qi]
        frames.append(
            pd.DataFrame(
                {
                    "interval_start": grid["index"],
                    "queue": pd.Series([q.name] * len(grid["index"]), dtype=str),
                    "calls_expected": lam,
                    "aht_expected_seconds": grid["aht"][qi],
                    "agents_planned": agents[qi],
                }
            )
        )
    return _sort(pd.concat(frames, ignore_index=True))


def _build(start, end, tz, params: DemoParameters, events: Sequence[DemoEvent]) -> dict:
    d0 = _parse_date(start, "start")
    d1 = _parse_date(end, "end")
    if d1 < d0:
        raise WfmInputError(f"end must be on or after start, got start={d0} end={d1}")
    try:
        index = _interval_grid(d0, d1, tz)
    except Exception as exc:  # unknown zone
        raise WfmInputError(f"tz must be an IANA time zone like Europe/Stockholm, got {tz!r} ({exc})") from None
    local = index.tz_localize(None)
    local_day = local.normalize()
    days_ts, day_pos = np.unique(local_day.to_numpy(), return_inverse=True)
    days = np.array([pd.Timestamp(x).date() for x in days_ts], dtype=object)
    slot = (local.hour * 4 + local.minute // 15).to_numpy()
    hour = local.hour.to_numpy()
    table = _day_table(days, params, events)
    weekend = table["weekend_shape"].to_numpy()[day_pos]
    lam_event, lam_plan, aht = [], [], []
    for q in params.queues:
        wd = _hourly_to_slots(q.hourly_weekday)
        we = _hourly_to_slots(q.hourly_weekend)
        shape = np.where(weekend, we[slot], wd[slot])
        daily = table[f"calls_{q.name}"].to_numpy()[day_pos]
        daily_plan = table[f"baseline_{q.name}"].to_numpy()[day_pos]
        lam_event.append(daily * shape / 96.0)
        lam_plan.append(daily_plan * shape / 96.0)
        aht.append(q.aht_seconds * np.asarray(q.aht_hour_factors)[hour] * table[f"aht_drift_{q.name}"].to_numpy()[day_pos])
    return {
        "index": index,
        "days": days,
        "day_pos": day_pos,
        "hour": hour,
        "table": table,
        "lam_event": lam_event,
        "lam_plan": lam_plan,
        "aht": aht,
    }


def _sort(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["queue", "interval_start"], kind="stable").reset_index(drop=True)


def _gamma_effect(rng: np.random.Generator, cv: float, size) -> np.ndarray:
    if cv <= 0:
        return np.ones(size)
    shape = 1.0 / cv**2
    return rng.gamma(shape, 1.0 / shape, size=size)


@dataclass(frozen=True)
class _Plan:
    """The deterministic side of a run, as (queue, interval) arrays: demand, handle time, the planners' agents."""

    index: pd.DatetimeIndex
    days: np.ndarray  # local dates
    day_bounds: np.ndarray  # day d is intervals day_bounds[d]:day_bounds[d + 1]
    calls_expected: np.ndarray  # with the events
    aht_seconds: np.ndarray
    patience_seconds: np.ndarray
    agents_planned: np.ndarray  # Erlang C on the calls expected without the events
    day_staffing: np.ndarray  # understaffed periods x capacity, (1, interval)
    lunch: np.ndarray  # lunch breaks, (1, interval)
    callbacks_allowed: np.ndarray  # (interval,)
    capacity_full: np.ndarray  # (interval,)


def _plan(start, end, tz, params: DemoParameters, events: Sequence[DemoEvent]) -> _Plan:
    """Expected demand and handle time, and the agents the simulated planners put on the phones."""
    grid = _build(start, end, tz, params, events)
    day_pos, hour, table = grid["day_pos"], grid["hour"], grid["table"]
    aht = np.vstack(grid["aht"])
    lunch = np.where((hour >= 11) & (hour < 13), params.lunch_staffing_factor, 1.0)[None, :]
    day_staff = (table["staffing"].to_numpy() * table["capacity"].to_numpy())[day_pos][None, :]
    return _Plan(
        index=grid["index"], days=grid["days"],
        day_bounds=np.flatnonzero(np.diff(day_pos, prepend=-1, append=len(grid["days"]) + 1)),
        calls_expected=np.vstack(grid["lam_event"]), aht_seconds=aht,
        patience_seconds=np.array([q.patience_seconds for q in params.queues])[:, None] * np.ones((1, aht.shape[1])),
        # the simulated planners: Erlang C on the expected calls, events not anticipated
        agents_planned=_planned_agents(np.vstack(grid["lam_plan"]), aht, params.answer_within_seconds,
                                       params.target_service_level, params.min_agents),
        day_staffing=day_staff, lunch=lunch,
        callbacks_allowed=table["callbacks_allowed"].to_numpy()[day_pos],
        capacity_full=table["capacity"].to_numpy()[day_pos] >= 1.0,
    )


def _day_rng(seed: int, day: _dt.date) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0, day.toordinal())))


def _week_effect(seed: int, day: _dt.date, params: DemoParameters, cache: dict) -> np.ndarray:
    """The weekly gamma effect per queue, one draw per ISO week (its own stream)."""
    monday = (day - _dt.timedelta(days=day.weekday())).toordinal()
    if monday not in cache:
        wrng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1, monday)))
        cache[monday] = _gamma_effect(wrng, params.week_effect_cv, len(params.queues))
    return cache[monday]


def _simulate_day(rng: np.random.Generator, week_effect: np.ndarray, plan: _Plan, sl: slice,
                  params: DemoParameters) -> dict[str, np.ndarray]:
    """One local day: arrivals, agents on the phone, waiting, call-backs, abandonment, averages.

    The random draws come in a fixed order from the day's own stream, so a day
    reproduces whatever span it is generated in.
    """
    nq, m = len(params.queues), sl.stop - sl.start
    # --- arrivals: gamma-Poisson with week, day and interval effects
    day_eff = _gamma_effect(rng, params.day_effect_cv, nq)
    int_eff = rng.gamma(params.interval_gamma_shape, 1.0 / params.interval_gamma_shape, size=(nq, m))
    calls = rng.poisson(plan.calls_expected[:, sl] * (week_effect * day_eff)[:, None] * int_eff)
    # --- agents on phone: plan x understaffing x absence shock x lunch, randomly rounded
    shock = np.exp(rng.normal(-0.5 * params.staffing_shock_sd**2, params.staffing_shock_sd))
    if rng.random() < params.bad_day_probability:
        shock *= rng.uniform(*params.bad_day_staffing)
    agents = np.floor(plan.agents_planned[:, sl] * plan.day_staffing[:, sl] * plan.lunch[:, sl] * shock
                      + rng.random((nq, m)))
    agents = np.where(plan.capacity_full[sl][None, :], np.maximum(agents, params.min_agents), agents)
    # --- waiting with all arrivals; call-backs offered when the wait is long
    aht, patience = plan.aht_seconds[:, sl], plan.patience_seconds[:, sl]
    first = _waiting(calls, aht, agents, patience)
    long_wait = (first["asa_seconds"] > params.callback_threshold_seconds) & plan.callbacks_allowed[sl][None, :]
    p_cb = np.zeros((nq, m))
    if long_wait.any():
        p_cb[long_wait] = _callback_share(
            calls[long_wait].astype(float), aht[long_wait], agents[long_wait], patience[long_wait],
            params.callback_accept_share * first["p_wait"][long_wait], params.callback_threshold_seconds)
    callbacks = rng.binomial(calls, p_cb)
    remaining = calls - callbacks
    queue = _waiting(remaining, aht, agents, patience) if callbacks.any() else first
    abandoned = rng.binomial(remaining, np.clip(queue["p_abandon"], 0.0, 1.0))
    answered = remaining - abandoned
    # --- interval averages of handle time and waiting of the answered calls
    safe = np.maximum(answered, 1)
    aht_shape = safe / params.handle_time_cv**2
    aht_draw = aht * rng.gamma(aht_shape, 1.0 / aht_shape)
    asa = np.where(np.isfinite(queue["asa_seconds"]), queue["asa_seconds"], 0.0)  # inf: nobody answered
    asa_draw = asa * rng.gamma(safe, 1.0 / safe)
    return {"calls_offered": calls, "callbacks_accepted": callbacks, "calls_abandoned": abandoned,
            "calls_answered": answered,
            "aht_seconds": np.where(answered > 0, np.maximum(np.round(aht_draw), 1.0), np.nan),
            "asa_seconds": np.where(answered > 0, np.round(asa_draw), np.nan)}


def _history_frame(index: pd.DatetimeIndex, params: DemoParameters, out: dict[str, np.ndarray], tz: str):
    """The (queue, interval) outcome arrays as the canonical long history frame."""
    n_int = len(index)
    frames = []
    for qi, q in enumerate(params.queues):
        frames.append(pd.DataFrame({
            "interval_start": index,
            "queue": pd.Series([q.name] * n_int, dtype=str),
            "calls_offered": out["calls_offered"][qi],
            "calls_answered": pd.array(out["calls_answered"][qi], dtype="Int64"),
            "calls_abandoned": pd.array(out["calls_abandoned"][qi], dtype="Int64"),
            "aht_seconds": out["aht_seconds"][qi],
            "asa_seconds": out["asa_seconds"][qi],
            "callbacks_accepted": pd.array(out["callbacks_accepted"][qi], dtype="Int64"),
        }))
    frame = _sort(pd.concat(frames, ignore_index=True))[list(DEMO_HISTORY_COLUMNS)]
    frame.attrs["interval_minutes"] = INTERVAL_MINUTES
    frame.attrs["tz"] = tz
    return frame


def generate_demo_history(
    start="2023-01-01",
    end="2025-12-31",
    seed: int = DEFAULT_SEED,
    tz: str = DEFAULT_TZ,
    *,
    params: DemoParameters = DEFAULT_PARAMETERS,
    events: Sequence[DemoEvent] | None = None,
) -> pd.DataFrame:
    """Generate demo interval history in the canonical history format.

    Parameters
    ----------
    start, end : date-like
        First and last local date, inclusive (default 2023-01-01 .. 2025-12-31).
    seed : int
        Seed; each local date draws from ``SeedSequence(seed, spawn_key=(0,
        date.toordinal()))`` so a sub-range reproduces the same rows.
    tz : str
        IANA zone of the centre.
    params : DemoParameters
        Generator parameters (module docstring and ``docs/demo_data.md``).
    events : sequence of DemoEvent, optional
        One-off events; default :data:`DEFAULT_EVENTS`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DEMO_HISTORY_COLUMNS`: ``interval_start`` (tz-aware),
        ``queue`` (str), ``calls_offered`` (int64), ``calls_answered``,
        ``calls_abandoned``, ``callbacks_accepted`` (Int64), ``aht_seconds``
        and ``asa_seconds`` (float64, whole seconds, NaN when no call was
        answered), sorted by queue and interval_start, with
        ``attrs["interval_minutes"] = 15`` and ``attrs["tz"]``.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise WfmInputError(f"seed must be a whole number >= 0, got {seed!r}", parameter="seed")
    events = DEFAULT_EVENTS if events is None else tuple(events)
    for e in events:
        if e.kind not in EVENT_EFFECTS:
            raise WfmInputError(f"event {e.name!r}: kind must be one of {list(EVENT_KINDS)}, got {e.kind!r}")
    plan = _plan(start, end, tz, params, events)
    shape = plan.calls_expected.shape
    out = {c: np.zeros(shape, dtype=np.int64) for c in
           ("calls_offered", "calls_answered", "calls_abandoned", "callbacks_accepted")}
    out.update(aht_seconds=np.full(shape, np.nan), asa_seconds=np.full(shape, np.nan))
    week_effects: dict[int, np.ndarray] = {}
    for di, day in enumerate(plan.days):
        sl = slice(plan.day_bounds[di], plan.day_bounds[di + 1])
        week = _week_effect(seed, day, params, week_effects)
        for column, values in _simulate_day(_day_rng(seed, day), week, plan, sl, params).items():
            out[column][:, sl] = values
    return _history_frame(plan.index, params, out, tz)


# --------------------------------------------------------------------------- calibration
@dataclass(frozen=True)
class StaffingArithmetic:
    """How the demo's volume translates into operators (see ``data/README.md``).

    Attributes
    ----------
    calls_per_year : float
        Mean calls offered per year over the history [calls/yr].
    mean_load_erlangs : float
        Mean offered load ``sum(calls * aht) / hours`` [Erlang].
    agents_on_phone_mean : float
        Mean Erlang C requirement summed over queues (80 % in 180 s) [agents].
    agent_hours_per_year : float
        On-phone agent hours needed per year [h/yr].
    shrinkage : float
        Share of paid time not on the phones (vacation, sickness, training,
        meetings, breaks) [fraction].
    paid_hours_per_fte_per_year : float
        Paid hours of one full-time employee per year (40 h x 52.14 weeks) [h/yr].
    fte : float
        Full-time equivalents needed [FTE].
    mean_fte_per_operator : float
        Average contract size (70 % at 40 h, 30 % at 20-30 h) [FTE/operator].
    operators : float
        Head count needed [operators].
    """

    calls_per_year: float
    mean_load_erlangs: float
    agents_on_phone_mean: float
    agent_hours_per_year: float
    shrinkage: float
    paid_hours_per_fte_per_year: float
    fte: float
    mean_fte_per_operator: float
    operators: float


def staffing_arithmetic(
    history: pd.DataFrame,
    *,
    shrinkage: float = 0.40,
    answer_within_seconds: float = 180.0,
    target_service_level: float = 0.8,
    mean_fte_per_operator: float = 0.7 + 0.3 * 25.0 / 40.0,
) -> StaffingArithmetic:
    """Erlang C head-count arithmetic on a history frame (per queue, no pooling).

    Parameters
    ----------
    history : pandas.DataFrame
        Canonical history with ``calls_offered`` and ``aht_seconds``.
    shrinkage : float
        Share of paid hours not on the phones [fraction].
    answer_within_seconds, target_service_level : float
        Service target [s], [fraction].
    mean_fte_per_operator : float
        Average contract as a share of full time [FTE].

    Returns
    -------
    StaffingArithmetic
    """
    h = history
    aht = h["aht_seconds"].astype(float)
    aht = aht.fillna(h.groupby("queue")["aht_seconds"].transform("mean")).to_numpy()
    calls = h["calls_offered"].to_numpy(dtype=float)
    load = calls * aht / _INTERVAL_SECONDS
    agents = _planned_agents(calls, aht, answer_within_seconds, target_service_level, min_agents=1)
    span_hours = h["interval_start"].nunique() * INTERVAL_MINUTES / 60.0
    years = span_hours / (365.25 * 24)
    agent_hours = agents.sum() * INTERVAL_MINUTES / 60.0 / years
    paid = 40.0 * 365.25 / 7.0
    fte = scheduled_from_on_phone(agent_hours, shrinkage) / paid
    return StaffingArithmetic(
        calls_per_year=float(h["calls_offered"].sum() / years),
        mean_load_erlangs=float(load.sum() / (span_hours * 4)),
        agents_on_phone_mean=float(agents.sum() / (span_hours * 4)),
        agent_hours_per_year=float(agent_hours),
        shrinkage=shrinkage,
        paid_hours_per_fte_per_year=paid,
        fte=float(fte),
        mean_fte_per_operator=mean_fte_per_operator,
        operators=float(fte / mean_fte_per_operator),
    )
