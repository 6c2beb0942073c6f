"""Uncertainty: how a hiring plan may turn out when attrition and demand are random.

Each simulated path draws, month by month and vectorised over paths (numpy, seeded):

* **attrition** — every operator of today's staff leaves in a month with the chance her tenure
  band gives (one Bernoulli draw per operator and path); the survivors of each class leave
  binomially; a fixed-term class leaves when its contract ends.  Each person's proficient FTE in a
  month is the one the evaluation uses (:mod:`optimiser.capacity.supply`), so the paths' mean is
  the evaluation's expected value;
* **demand** — every month's calls are the forecast times a log-normal factor
  ``exp(sigma_trend,m z + sigma_noise e_m - var/2)``: ``z`` one draw per path (the trend is
  uncertain and the error persists, growing with the horizon), ``e_m`` AR(1) month-to-month noise
  with the monthly model's residual autocorrelation, so the factor's spread is the forecast's
  ``log_sd`` of the month.

The share answered within T of each path and month is Erlang on the representative week with the
path's operators and calls.  To keep 1,000 paths fast the measures are computed on a small grid of
(staff scale x demand factor) per month spanning what the paths reach (:data:`SCALE_POINTS` x
:data:`DEMAND_POINTS` Erlang evaluations of every month at once) and interpolated linearly
(in the log of the demand factor); the measures are smooth there and the grid spans a few per cent,
so the interpolation error is far below the sampling error (tested against direct Erlang).
Transfers and overtime are as planned.

Outputs, per month: the 10th, 50th and 90th percentiles of headcount, proficient FTE and the share
within T, and the chance the month meets its targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimiser.capacity.demand import month_measures, target_slack
from optimiser.capacity.evaluate import available_on_phone_hours
from optimiser.capacity.problem import CapacityProblem
from optimiser.capacity.spec import HiringPlan
from wfm.ground.errors import WfmInputError

__all__ = ["BAND_COLUMNS", "SimulationResult", "simulate_plan"]

#: Staff scales and demand factors per month at which Erlang is evaluated.
SCALE_POINTS = 4
DEMAND_POINTS = 4
#: Most paths one call may simulate (memory: paths x operators booleans per month).
MAX_PATHS = 20_000
#: Columns of the band table.
BAND_COLUMNS: tuple[str, ...] = (
    "month", "headcount_p10", "headcount_p50", "headcount_p90", "proficient_fte_p10", "proficient_fte_p50",
    "proficient_fte_p90", "service_level_p10", "service_level_p50", "service_level_p90", "abandon_rate_p50",
    "p_meets_target",
)


@dataclass(frozen=True)
class SimulationResult:
    """Bands per month (:data:`BAND_COLUMNS`) and the number of paths and the seed that made them."""

    bands: pd.DataFrame
    paths: int
    seed: int


def _staff_paths(problem: CapacityProblem, rng: np.random.Generator, paths: int) -> tuple[np.ndarray, np.ndarray]:
    """Proficient FTE and end-of-month headcount of today's staff, paths x months."""
    c = problem.staff
    n_months = c.alive.shape[1]
    alive = np.ones((paths, c.alive.shape[0]), dtype=bool)
    prof = np.empty((paths, n_months))
    heads = np.empty((paths, n_months))
    for m in range(n_months):
        prof[:, m] = alive @ c.proficient[:, m]
        alive &= rng.random(alive.shape) < c.stay[:, m][None, :]
        heads[:, m] = alive.sum(axis=1)
    return prof, heads


def _class_paths(problem: CapacityProblem, plan: HiringPlan, rng: np.random.Generator,
                 paths: int) -> tuple[np.ndarray, np.ndarray]:
    """Proficient FTE and end-of-month headcount of the plan's hires, paths x months."""
    n_months = len(problem.months)
    prof = np.zeros((paths, n_months))
    heads = np.zeros((paths, n_months))
    if not plan.classes:
        return prof, heads
    options, sizes, c = problem.classes(plan)
    first = np.argmax(c.alive > 0, axis=1)
    started = c.alive.max(axis=1) > 0
    alive = np.zeros((paths, len(options)), dtype=np.int64)
    for m in range(n_months):
        joining = started & (first == m)
        alive[:, joining] = sizes[joining].astype(np.int64)[None, :]
        prof[:, m] = alive @ c.proficient[:, m]
        alive = rng.binomial(alive, np.broadcast_to(c.stay[:, m], alive.shape))
        heads[:, m] = alive.sum(axis=1)
    return prof, heads


def _demand_factors(problem: CapacityProblem, rng: np.random.Generator, paths: int) -> np.ndarray:
    """Log-normal demand factors, paths x months (see the module docstring)."""
    d = problem.demand
    noise_sd = float(d.residual_sd)
    trend_sd = np.sqrt(np.maximum(d.log_sd ** 2 - noise_sd ** 2, 0.0))
    rho = float(d.autocorr)
    z = rng.standard_normal(paths)
    e = np.empty((paths, len(d.months)))
    e[:, 0] = rng.standard_normal(paths)
    for m in range(1, len(d.months)):
        e[:, m] = rho * e[:, m - 1] + np.sqrt(1 - rho ** 2) * rng.standard_normal(paths)
    log_f = trend_sd[None, :] * z[:, None] + noise_sd * e - 0.5 * d.log_sd[None, :] ** 2
    return np.exp(log_f)


def _grid(values: np.ndarray, points: int, min_width) -> np.ndarray:
    """``points`` values per month (columns of ``values``) spanning the paths' range (at least
    ``min_width`` wide), 1 % wider so every path is inside."""
    lo, hi = values.min(axis=0), values.max(axis=0)
    width = np.maximum(hi - lo, min_width)
    centre = 0.5 * (lo + hi)
    return centre[:, None] + width[:, None] * np.linspace(-0.5, 0.5, points)[None, :] * 1.02


def _interpolate(x: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the grid cell and the weight of its upper point, per path and month (x: paths x months)."""
    n = grid.shape[1]
    idx = np.empty(x.shape, dtype=np.int64)
    for m in range(x.shape[1]):
        idx[:, m] = np.clip(np.searchsorted(grid[m], x[:, m]) - 1, 0, n - 2)
    lo = np.take_along_axis(grid.T, idx, axis=0)
    hi = np.take_along_axis(grid.T, idx + 1, axis=0)
    w = np.clip((x - lo) / np.where(hi > lo, hi - lo, 1.0), 0.0, 1.0)
    return idx, w


def _path_measures(problem: CapacityProblem, scale: np.ndarray, factor: np.ndarray) -> dict[str, np.ndarray]:
    """Share within T, abandon rate and occupancy per path and month, by the grid interpolation."""
    d = problem.demand
    s_grid = _grid(scale, SCALE_POINTS, 0.01 * np.maximum(scale.max(axis=0), 1e-6))
    g_grid = _grid(np.log(factor), DEMAND_POINTS, 0.01)
    with_asa = d.max_asa_seconds is not None
    table = {}
    for i in range(SCALE_POINTS):
        for j in range(DEMAND_POINTS):
            table[(i, j)] = month_measures(d, np.maximum(s_grid[:, i], 0.0), np.exp(g_grid[:, j]), with_asa=with_asa)
    si, sw = _interpolate(scale, s_grid)
    gi, gw = _interpolate(np.log(factor), g_grid)
    out = {}
    months = np.arange(scale.shape[1])[None, :]
    for key in table[(0, 0)]:
        values = np.array([[table[(i, j)][key] for j in range(DEMAND_POINTS)] for i in range(SCALE_POINTS)])
        # values: scale point x demand point x month
        v00 = values[si, gi, months]
        v01 = values[si, gi + 1, months]
        v10 = values[si + 1, gi, months]
        v11 = values[si + 1, gi + 1, months]
        out[key] = (1 - sw) * ((1 - gw) * v00 + gw * v01) + sw * ((1 - gw) * v10 + gw * v11)
    return out


def simulate_plan(problem: CapacityProblem, plan: HiringPlan | None = None, *, paths: int = 1000,
                  seed: int = 0) -> SimulationResult:
    """Bands of headcount, proficient FTE and the share within T per month, and the chance each
    month meets its targets, over ``paths`` random paths of attrition and demand.

    Parameters
    ----------
    problem : CapacityProblem
    plan : HiringPlan, optional
        The plan (no hires when None).
    paths : int
        Number of paths, 1 .. :data:`MAX_PATHS`.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same bands.
    """
    if isinstance(paths, bool) or not isinstance(paths, (int, np.integer)) or not 1 <= paths <= MAX_PATHS:
        raise WfmInputError(f"paths must be a whole number in [1, {MAX_PATHS}], got {paths!r}", parameter="paths")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise WfmInputError(f"seed must be a whole number >= 0, got {seed!r}", parameter="seed")
    plan = plan or HiringPlan()
    plan.check(problem.settings)
    rng = np.random.default_rng(seed)
    staff_prof, staff_heads = _staff_paths(problem, rng, paths)
    class_prof, class_heads = _class_paths(problem, plan, rng, paths)
    proficient = staff_prof + class_prof + problem.transfers[None, :]
    heads = staff_heads + class_heads
    overtime = np.asarray(plan.overtime_hours_per_week, float) if plan.overtime_hours_per_week \
        else np.zeros(len(problem.months))
    hours = available_on_phone_hours(problem, proficient, overtime[None, :])
    req = problem.demand.requirement_hours
    scale = np.where(req > 0, hours / np.maximum(req, 1e-12), 1.0)
    factor = _demand_factors(problem, rng, paths)
    measures = _path_measures(problem, scale, factor)
    slack = target_slack(problem.demand, measures)
    q = [10, 50, 90]
    hc, pf, sl = (np.percentile(a, q, axis=0) for a in (heads, proficient, measures["service_level"]))
    bands = pd.DataFrame({
        "month": list(problem.months),
        "headcount_p10": hc[0], "headcount_p50": hc[1], "headcount_p90": hc[2],
        "proficient_fte_p10": pf[0], "proficient_fte_p50": pf[1], "proficient_fte_p90": pf[2],
        "service_level_p10": sl[0], "service_level_p50": sl[1], "service_level_p90": sl[2],
        "abandon_rate_p50": np.percentile(measures["abandon_rate"], 50, axis=0),
        "p_meets_target": (slack >= -1e-9).mean(axis=0),
    })[list(BAND_COLUMNS)]
    return SimulationResult(bands, int(paths), int(seed))
