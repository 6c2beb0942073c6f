"""Simulated bands: seeded, ordered, centred on the evaluation, and exact where nothing is random."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from optimiser.capacity.evaluate import evaluate_plan
from optimiser.capacity.problem import prepare_problem
from optimiser.capacity.simulate import BAND_COLUMNS, simulate_plan
from optimiser.capacity.spec import AttritionBand, HiringPlan, PlannedClass
from tests.optimiser.capacity.capacity_builders import hourly_history, settings, staff
from wfm.ground.errors import WfmInputError

HISTORY = hourly_history(start="2023-01-01", months=36, calls_per_hour=40.0, aht_seconds=300.0, noise=0.05, seed=1)
PLAN = HiringPlan((PlannedClass("permanent", dt.date(2026, 2, 2), 6),))


@pytest.fixture(scope="module")
def leaving():
    """Staff who leave at 30 % a year, so headcount is random."""
    return prepare_problem(HISTORY, staff(24), settings(months=12, attrition=(AttritionBand(0, None, 0.3),)))


def test_same_seed_same_bands_other_seed_other_bands(leaving):
    a = simulate_plan(leaving, PLAN, paths=300, seed=4).bands
    b = simulate_plan(leaving, PLAN, paths=300, seed=4).bands
    c = simulate_plan(leaving, PLAN, paths=300, seed=5).bands
    assert list(a.columns) == list(BAND_COLUMNS)
    assert a.equals(b) and not a.equals(c)


def test_bands_are_ordered_and_chances_are_shares(leaving):
    bands = simulate_plan(leaving, PLAN, paths=500, seed=0).bands
    for what in ("headcount", "proficient_fte", "service_level"):
        assert (bands[f"{what}_p10"] <= bands[f"{what}_p50"] + 1e-12).all()
        assert (bands[f"{what}_p50"] <= bands[f"{what}_p90"] + 1e-12).all()
    assert bands["p_meets_target"].between(0, 1).all()
    # attrition widens the headcount band month after month
    width = (bands["headcount_p90"] - bands["headcount_p10"]).to_numpy()
    assert width[-1] > width[0]


def test_the_paths_mean_is_the_evaluation(leaving):
    """Each person's monthly factors are the evaluation's, so the mean proficient FTE over many paths
    is its expected value (to a few standard errors)."""
    from optimiser.capacity import simulate as sim

    rng = np.random.default_rng(0)
    paths = 4000
    staff_prof, _ = sim._staff_paths(leaving, rng, paths)  # noqa: SLF001 - checking the draw itself
    class_prof, _ = sim._class_paths(leaving, PLAN, rng, paths)  # noqa: SLF001
    mean = (staff_prof + class_prof).mean(axis=0)
    se = (staff_prof + class_prof).std(axis=0) / np.sqrt(paths)
    expected = evaluate_plan(leaving, PLAN).months["proficient_fte"].to_numpy()
    assert np.all(np.abs(mean - expected) <= 4 * se + 1e-9)


def test_without_attrition_headcount_is_certain():
    problem = prepare_problem(HISTORY, staff(20), settings(months=6))
    bands = simulate_plan(problem, PLAN, paths=200, seed=0).bands
    np.testing.assert_allclose(bands["headcount_p10"], bands["headcount_p90"])
    np.testing.assert_allclose(bands["headcount_p50"].iloc[1:], 26.0)


def test_the_interpolated_share_matches_direct_erlang(leaving):
    """The grid interpolation against Erlang at each path's own operators and calls."""
    from optimiser.capacity import simulate as sim
    from optimiser.capacity.demand import month_measures

    rng = np.random.default_rng(3)
    d = leaving.demand
    scale = rng.uniform(0.85, 1.15, size=(50, len(d.months)))
    factor = np.exp(rng.normal(0, 0.05, size=scale.shape))
    approx = sim._path_measures(leaving, scale, factor)["service_level"]  # noqa: SLF001
    direct = np.array([month_measures(d, scale[i], factor[i])["service_level"] for i in range(len(scale))])
    assert np.abs(approx - direct).max() < 0.02


@pytest.mark.parametrize("kwargs, match", [
    ({"paths": 0}, r"paths must be a whole number in \[1, 20000\], got 0"),
    ({"paths": 10, "seed": -1}, r"seed must be a whole number >= 0, got -1"),
])
def test_bad_simulation_parameters_are_named(leaving, kwargs, match):
    with pytest.raises(WfmInputError, match=match):
        simulate_plan(leaving, PLAN, **kwargs)
