"""Opening hours learned from a queue's history: the one rule.

The Data page's summary (:func:`forecasting.history.summarise_history`, which ``wfm validate``
prints) and every forecasting model (:class:`forecasting.models.base.BaseForecaster`) learn a
queue's opening hours with :func:`learn_opening_hours`, so what the planner is told is closed is
exactly what the models forecast as 0.

The rule, on the slots of the local week (:mod:`wfm.ground.timegrid`; Monday 00:00 first):

1. a slot is **open** when calls were offered in it in at least ``closed_max_share``
   (:data:`CLOSED_SLOT_MAX_SHARE`, 2 %) of the weeks the history covers, and at least once.
   Rows with zero calls and absent rows both count as "no calls".  A stray burst -- 5 calls one
   Sunday at 03:00 in two years of a Monday-Friday queue -- is 1 week in 104, under 2 %: closed;
2. a slot the history never saw -- a weekday a history shorter than a week does not cover, the
   hours before the first and after the last row of such a history, the skipped hour of a
   spring-forward Sunday when that is the only Sunday -- opens when that time of day is open on
   the days the history saw (the union of their open times): nothing says it is closed, and
   nothing says it opens at other times;
3. a closed stretch shorter than ``min_closed_minutes`` (:data:`MIN_CLOSED_MINUTES`, 60) between
   open slots -- the week is circular -- is a quiet spell, not a closing time, and counts as open;
4. a queue that never had a call has no closing time to learn: every slot is open (its
   forecast is then 0 because its history is 0, not because it is closed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import check_interval_minutes, local_wallclock, regular_grid, slot_of_week
from wfm.ground.vocabulary import DAYS_PER_WEEK, MINUTES_PER_DAY, WEEKDAYS

__all__ = [
    "CLOSED_SLOT_MAX_SHARE",
    "MIN_CLOSED_MINUTES",
    "QueueOpeningHours",
    "learn_opening_hours",
]

#: A slot of the week is *closed* when calls were offered in it in fewer than this share of
#: the weeks the history covers [fraction].
CLOSED_SLOT_MAX_SHARE = 0.02
#: A closed stretch shorter than this [minutes] between open slots is a quiet spell, not a
#: closing time, and counts as open (a lunch closure of an hour stays).
MIN_CLOSED_MINUTES = 60


@dataclass(frozen=True)
class QueueOpeningHours:
    """Learned opening hours of one queue.

    Attributes
    ----------
    queue : str
        The queue.
    spans : tuple
        ``spans[d]`` holds ``(start_minute, end_minute)`` pairs of local time of day for weekday
        ``d`` (0 = Monday); an empty tuple means closed all day and ``None`` that the history
        has no such weekday.
    interval_minutes : int
        Slot length [minutes] the hours were learned at.
    open_slots : tuple of bool
        One per slot of the week (Monday 00:00 first): True where open.
    """

    queue: str
    spans: tuple[tuple[tuple[int, int], ...] | None, ...]
    interval_minutes: int
    open_slots: tuple[bool, ...]

    def is_open_at(self, wallclock: pd.DatetimeIndex) -> np.ndarray:
        """True where local wall-clock times (tz-naive) fall in an open slot."""
        return np.asarray(self.open_slots, dtype=bool)[slot_of_week(pd.DatetimeIndex(wallclock),
                                                                    self.interval_minutes)]

    def is_open(self, interval_start, tz: str | None = None) -> np.ndarray:
        """True where tz-aware timestamps fall in an open slot of the local week (in ``tz``)."""
        return self.is_open_at(local_wallclock(interval_start, tz))

    def text(self) -> str:
        """E.g. ``Mon–Fri 07:00–21:00; Sat–Sun closed``."""
        parts: list[str] = []
        d = 0
        while d < DAYS_PER_WEEK:
            e = d
            while e + 1 < DAYS_PER_WEEK and self.spans[e + 1] == self.spans[d]:
                e += 1
            days = WEEKDAYS[d] if d == e else f"{WEEKDAYS[d]}–{WEEKDAYS[e]}"
            spans = self.spans[d]
            hours = "no data" if spans is None else "closed" if not spans else ", ".join(
                f"{_hhmm(a)}–{_hhmm(b)}" for a, b in spans)
            parts.append(f"{days} {hours}")
            d = e + 1
        return "; ".join(parts)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _slot_status(key: np.ndarray, active: np.ndarray, per_week: int, per_day: int,
                 closed_max_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Steps 1, 2 and 4 of the rule: ``(open per slot, weekday without data)``."""
    possible = np.bincount(key, minlength=per_week).reshape(DAYS_PER_WEEK, per_day)
    weeks_active = np.bincount(key, weights=active.astype(float), minlength=per_week).reshape(DAYS_PER_WEEK, per_day)
    share = np.divide(weeks_active, possible, out=np.zeros_like(weeks_active), where=possible > 0)
    seen = possible > 0
    is_open = seen & (share >= closed_max_share) & (weeks_active > 0)
    if not active.any():
        return np.ones(per_week, dtype=bool), ~seen.any(axis=1)
    # a slot the history never saw opens when that time of day is open on the days it saw
    is_open = np.where(seen, is_open, is_open.any(axis=0)[None, :])
    return is_open.ravel(), ~seen.any(axis=1)


def _bridge_quiet_spells(is_open: np.ndarray, minutes: int, min_closed_minutes: int) -> np.ndarray:
    """Step 3: closed stretches shorter than ``min_closed_minutes`` between open slots open."""
    if not is_open.any() or is_open.all() or min_closed_minutes <= minutes:
        return is_open
    first_open = int(np.flatnonzero(is_open & ~np.roll(is_open, 1))[0])
    rolled = np.roll(is_open, -first_open)
    edges = np.flatnonzero(np.diff(rolled.astype(np.int8)))  # i: change between i and i+1
    starts, stops = edges[::2] + 1, edges[1::2] + 1  # open -> closed, closed -> open
    if len(stops) < len(starts):
        stops = np.append(stops, len(rolled))
    for a, b in zip(starts, stops):
        if (b - a) * minutes < min_closed_minutes:
            rolled[a:b] = True
    return np.roll(rolled, first_open)


def _spans(is_open: np.ndarray, no_data: np.ndarray, minutes: int, per_day: int) -> tuple:
    spans: list[tuple[tuple[int, int], ...] | None] = []
    for d in range(DAYS_PER_WEEK):
        if no_data[d]:
            spans.append(None)
            continue
        runs: list[tuple[int, int]] = []
        for s in np.flatnonzero(is_open[d * per_day:(d + 1) * per_day]):
            a = int(s) * minutes
            if runs and runs[-1][1] == a:
                runs[-1] = (runs[-1][0], a + minutes)
            else:
                runs.append((a, a + minutes))
        spans.append(tuple(runs))
    return tuple(spans)


def learn_opening_hours(interval_start, calls_offered, interval_minutes: int, *, tz: str | None = None,
                        queue: str = "", closed_max_share: float = CLOSED_SLOT_MAX_SHARE,
                        min_closed_minutes: int = MIN_CLOSED_MINUTES) -> QueueOpeningHours:
    """Opening hours of one queue, learned from when calls were offered (the rule above).

    Parameters
    ----------
    interval_start : Series or DatetimeIndex
        tz-aware interval starts of one queue (absent rows count as "no calls").
    calls_offered : array-like
        Calls offered per interval [calls].
    interval_minutes : int
        Interval length [minutes] (slot length of the learned hours).
    tz : str, optional
        Zone of the local week (default: the timestamps' own zone).
    queue : str
        Name kept in the result.
    closed_max_share : float
        Share of weeks [fraction] below which a slot counts as closed.
    min_closed_minutes : int
        Closed stretches shorter than this [minutes] between open slots count as open.

    Raises
    ------
    WfmInputError
        A parameter out of range, or no rows.
    """
    if not 0 <= closed_max_share < 1:
        raise WfmInputError(f"closed_max_share must be in [0, 1), got {closed_max_share!r}",
                            parameter="closed_max_share")
    if min_closed_minutes < 0:
        raise WfmInputError(f"min_closed_minutes must be >= 0, got {min_closed_minutes!r}",
                            parameter="min_closed_minutes")
    minutes = check_interval_minutes(interval_minutes)
    calls = np.asarray(calls_offered, dtype=float)
    if len(calls) == 0:
        raise WfmInputError(f"queue {queue!r}: no rows to learn opening hours from")
    grid = regular_grid(interval_start, minutes)
    position = np.searchsorted(grid.asi8, pd.DatetimeIndex(interval_start).tz_convert(grid.tz).as_unit("ns").asi8)
    active = np.zeros(len(grid), dtype=bool)
    active[position[calls > 0]] = True
    per_day = MINUTES_PER_DAY // minutes
    key = slot_of_week(local_wallclock(grid, tz), minutes)
    is_open, no_data = _slot_status(key, active, DAYS_PER_WEEK * per_day, per_day, closed_max_share)
    is_open = _bridge_quiet_spells(is_open, minutes, min_closed_minutes)
    return QueueOpeningHours(queue=str(queue), spans=_spans(is_open, no_data, minutes, per_day),
                             interval_minutes=minutes, open_slots=tuple(bool(x) for x in is_open))
