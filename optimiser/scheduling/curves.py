"""Calls answered within T as a function of whole agents on the phone, per queue and interval, with a floor.

The answered-within-T curve ``a(n) = calls x SL(n)`` of one queue-interval is S-shaped in the agents
on the phone ``n`` under Erlang A (callers hang up): convex at first, concave above an inflection
point (measured on the demo week: at a service level of ~30 %); under Erlang C it is 0 up to the
offered load and concave above.  A weekly objective that maximises the sum of these curves therefore
*concentrates* agents when they are short: emptying a quiet interval frees agents that answer more
calls where the curve is steeper -- which is how a weekly "best accessibility" plan empties nights.

The **floor** (:class:`ServiceFloor`) is the fairness rule that stops this: every queue-interval with
calls gets at least the agents that reach ``min_service_level`` and at least
``min_agents_on_phone``.  :func:`service_curves` computes, per queue-interval,

* ``floor``: that number of agents [on-phone agents] (under Erlang C never below the stability point
  ``floor(load) + 1``);
* ``base``: calls answered within T at the floor [calls];
* ``gains``: the answered calls each further agent adds, made non-increasing (upper concave
  envelope, pool-adjacent violators) -- exact at whole agents wherever the curve is concave above
  the floor (always, when the floor is above the inflection point);

Below its floor an interval is short; a planner (:mod:`optimiser.scheduling.headcount`) prices each
agent short at more than any agent above any floor gains (``floor_price``), rising with the share of
the floor missed (``DEFICIT_STEPS``), so floors come first and, when the headcount cannot reach
them all, the shortage is spread instead of emptying some intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from optimiser.scheduling.spec import ServiceFloor

#: the deficit below a floor is priced in four steps of a quarter of the floor each, at these multiples
#: of the floor price: the deeper under its floor an interval is, the dearer the next agent short there
DEFICIT_STEPS: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)
#: the curve is followed up to this service level (the gains above it are below 0.1 % of the calls)
TOP_SERVICE_LEVEL = 0.999


#: no floor beyond stability (Erlang C) -- the behaviour before the floor existed
NO_FLOOR = ServiceFloor(0.0, 0)


@dataclass(frozen=True)
class ServiceCurves:
    """Answered-within-T curves of every queue-interval with calls (row ``r``), in requirement order.

    Arrays have one entry per row; ``base[r]`` is the calls answered within T with ``floor[r]``
    agents on the phone and ``gains[r, k]`` the concave gain of agent ``floor[r] + k + 1`` (0 past
    ``top[r]``, where the service level reaches ``TOP_SERVICE_LEVEL``).
    """

    queue: np.ndarray          # str
    position: np.ndarray       # interval index in the horizon
    calls: np.ndarray          # [calls]
    aht_seconds: np.ndarray    # [s]
    patience_seconds: np.ndarray  # [s], inf = Erlang C
    shrinkage: np.ndarray      # [fraction]
    floor: np.ndarray          # [on-phone agents]
    top: np.ndarray            # [on-phone agents]
    base: np.ndarray           # answered at the floor [calls]
    gains: np.ndarray = field(repr=False)     # (rows, width) [calls]
    answer_within_seconds: float = 180.0
    interval_minutes: int = 15
    total_calls: float = 0.0   # all calls of the horizon, including intervals not modelled

    def __len__(self) -> int:
        return len(self.queue)

    @property
    def floor_price(self) -> float:
        """Price of one agent short of a floor [calls]: above the largest gain of any agent above any
        floor and the average answered per agent at any floor, so floors come before accessibility."""
        if not len(self):
            return 1.0
        first = float(self.gains[:, 0].max()) if self.gains.shape[1] else 0.0
        chord = float(np.max(self.base / np.maximum(self.floor, 1)))
        return 2.0 * max(first, chord, 1e-6)

    def increments(self) -> tuple[np.ndarray, np.ndarray]:
        """Every agent increment as ``(row, value)`` (computed once per curves object); see
        :meth:`_all_increments`."""
        return self._all_increments

    def by_value_per_agent(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(row, value, weight, order)``: the increments, the scheduled agents each takes
        (1 / (1 - shrinkage)) and their order by value per scheduled agent, best first, ties in
        increment order -- the order of marginal allocation (computed once per curves object)."""
        return self._by_value

    @cached_property
    def _by_value(self):
        rows, values = self.increments()
        weight = 1.0 / np.maximum(1.0 - self.shrinkage[rows], 1e-6)
        return rows, values, weight, np.lexsort((np.arange(len(rows)), -values / weight))

    @cached_property
    def _all_increments(self) -> tuple[np.ndarray, np.ndarray]:
        """Every agent increment as ``(row, value)``, value in calls with the floor priced in.

        Agent ``n -> n + 1`` below the floor is worth the average answered per agent at the floor
        plus the floor price times the deficit step it closes; above the floor its concave gain.
        The values of a row are non-increasing, so taking increments by value is marginal
        allocation on concave curves (Fox 1966).
        """
        rows, values = [], []
        price = self.floor_price
        for r in range(len(self)):
            f = int(self.floor[r])
            if f > 0:
                rows.append(np.full(f, r))
                values.append(self.base[r] / f + price * deficit_multiples(f))
            k = int(self.top[r] - f)
            if k > 0:
                rows.append(np.full(k, r))
                values.append(self.gains[r, :k])
        if not rows:
            return np.zeros(0, int), np.zeros(0)
        return np.concatenate(rows), np.concatenate(values)


def deficit_multiples(floor: int) -> np.ndarray:
    """For agents 1 .. ``floor`` (in that order) the mean multiple of the floor price over the unit of
    deficit each one closes: the deficit below a floor of f agents is priced in ``DEFICIT_STEPS``
    pieces of f / 4 agents each, the deepest dearest -- exactly as the model prices it."""
    steps = np.asarray(DEFICIT_STEPS, float)
    edges = np.arange(len(steps) + 1) * floor / len(steps)
    lo = np.arange(floor - 1, -1, -1, dtype=float)   # agent n + 1 closes the deficit [f - n - 1, f - n]
    overlap = np.clip(np.minimum(lo[:, None] + 1, edges[None, 1:]) - np.maximum(lo[:, None], edges[None, :-1]), 0, None)
    return overlap @ steps


def _pav_non_increasing(gains: np.ndarray) -> np.ndarray:
    """Upper concave envelope of a curve's increments: the least non-increasing sequence whose partial
    sums majorise the originals (pool-adjacent violators, one row)."""
    blocks: list[list[float]] = []
    for g in gains:
        blocks.append([float(g), 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] < blocks[-1][0] / blocks[-1][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    return np.concatenate([np.full(c, s / c) for s, c in blocks]) if blocks else np.zeros(0)


def _service_levels(calls, aht, patience, interval_minutes, T, agents):
    from optimiser.queueing.erlang import service_level

    return np.asarray(service_level(calls, interval_minutes, aht, np.asarray(agents, float), T,
                                    patience_seconds=patience), float)


def _first_reaching(calls, aht, patience, im, T, level, hi):
    """Per row the fewest whole agents in [0, hi] whose service level reaches ``level`` (``hi`` when none
    does): bisection on the monotone curve, all rows at once (~log2(hi) evaluations per row)."""
    lo = np.zeros(len(calls), int)
    hi = np.asarray(hi, int).copy()
    while np.any(lo < hi):
        mid = (lo + hi) // 2
        ok = _service_levels(calls, aht, patience, im, T, mid) >= level
        hi = np.where(ok & (lo < hi), mid, hi)
        lo = np.where(~ok & (lo < hi), mid + 1, lo)
    return lo


def service_curves(problem, floor: ServiceFloor | None = None) -> ServiceCurves:
    """The answered-within-T curves and floors of ``problem``'s requirement (see the module docstring).

    ``floor`` defaults to the rules' ``service_floor``.  Needs ``calls_offered`` and ``aht_seconds``
    in the requirement; ``patience_seconds`` (Erlang A) and ``shrinkage`` are used when present.
    Intervals without calls are left out (they need no one).  The curve is evaluated only between
    the floor and the top (found by bisection): ~90,000 Erlang evaluations on the demo week.
    """
    floor = problem.rules.service_floor if floor is None else floor
    req = problem.requirement
    if not {"calls_offered", "aht_seconds"} <= set(req.columns):
        raise ValueError("the requirement needs calls_offered and aht_seconds for service-level curves")
    T = float(problem.rules.service_level.answer_within_seconds)
    im = problem.interval_minutes
    cols = {k: [] for k in ("queue", "position", "calls", "aht", "pat", "shrink")}
    total_calls = 0.0
    for q, grp in req.groupby(req["queue"].astype(str), sort=True):
        grp = grp.sort_values("interval_start")
        calls = grp["calls_offered"].fillna(0.0).to_numpy(float)
        total_calls += float(calls.sum())
        keep = calls > 0
        aht = grp["aht_seconds"].to_numpy(float)[keep]
        pat = grp["patience_seconds"].to_numpy(float)[keep] if "patience_seconds" in grp else np.full(keep.sum(), np.inf)
        shrink = grp["shrinkage"].fillna(0.0).to_numpy(float)[keep] if "shrinkage" in grp else np.zeros(keep.sum())
        for key, v in (("queue", np.full(keep.sum(), q, object)), ("position", np.flatnonzero(keep)),
                       ("calls", calls[keep]), ("aht", np.where(aht > 0, aht, 1.0)),
                       ("pat", np.where(np.isnan(pat), np.inf, pat)), ("shrink", shrink)):
            cols[key].append(v)
    cat = {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in cols.items()}
    return _assemble(cat, floor, T, im, total_calls)


def _assemble(cat, floor: ServiceFloor, T: float, im: int, total_calls: float) -> ServiceCurves:
    calls, aht, pat = cat["calls"], cat["aht"], cat["pat"]
    rows = len(calls)
    load = calls * aht / (60.0 * im)
    grid = np.ceil(load + 6.0 * np.sqrt(load) + 12.0).astype(int)
    top = _first_reaching(calls, aht, pat, im, T, TOP_SERVICE_LEVEL, grid)
    f = np.full(rows, floor.min_agents_on_phone, int)
    if floor.min_service_level > 0:
        f = np.maximum(f, _first_reaching(calls, aht, pat, im, T, floor.min_service_level, grid))
    erlang_c = ~np.isfinite(pat)
    f = np.where(erlang_c, np.maximum(f, np.floor(load).astype(int) + 1), f)
    top = np.maximum(top, f)
    # the curve from the floor to the top, all rows in one ragged evaluation
    span = top - f + 1
    row_of = np.repeat(np.arange(rows), span)
    n = f[row_of] + (np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span))
    answered = calls[row_of] * _service_levels(calls[row_of], aht[row_of], pat[row_of], im, T, n)
    width = int((top - f).max()) if rows else 0
    gains = np.zeros((rows, max(width, 1)))
    starts = np.cumsum(span) - span
    for r in range(rows):
        a = answered[starts[r]:starts[r] + span[r]]
        if span[r] > 1:
            gains[r, :span[r] - 1] = _pav_non_increasing(np.maximum(np.diff(a), 0.0))
    base = answered[starts] if rows else np.zeros(0)
    return ServiceCurves(cat["queue"], cat["position"].astype(int), calls, aht, pat, cat["shrink"], f, top, base,
                         gains, T, im, total_calls)
