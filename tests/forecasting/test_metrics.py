"""Accuracy metrics: hand-computed values, invariants, shapes and bad input."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting import metrics
from wfm.ground.errors import WfmInputError


def test_wape_by_hand():
    # sum|a-f| = 1+1+2 = 4, sum a = 10+20+10 = 40 -> 0.1 (definition: Kolassa & Schuetz 2007, MAD/MEAN)
    assert metrics.wape([10, 20, 10], [11, 19, 12]) == pytest.approx(0.1)


def test_bias_sign_and_value():
    # sum(f-a) = 1-1+2 = 2 over sum a = 40 -> +0.05 (over-forecast is positive)
    assert metrics.bias([10, 20, 10], [11, 19, 12]) == pytest.approx(0.05)
    assert metrics.bias([10, 10], [5, 5]) == pytest.approx(-0.5)


def test_mase_seasonal_naive_of_history_is_one_in_sample():
    # Hyndman & Koehler (2006): the in-sample seasonal naive forecast has MASE exactly 1
    rng = np.random.default_rng(1)
    y = rng.poisson(20, size=300).astype(float)
    m = 7
    assert metrics.mase(y[m:], y[:-m], y, m) == pytest.approx(1.0)


def test_mase_by_hand():
    history = [1, 2, 3, 5, 6, 7]  # season 3: |5-1|,|6-2|,|7-3| -> scale 4
    assert metrics.mase_scale(history, 3) == pytest.approx(4.0)
    assert metrics.mase([10, 10], [12, 6], history, 3) == pytest.approx(3 / 4)


def test_coverage_and_pinball_by_hand():
    assert metrics.coverage([1, 5, 9, 3], [0, 4, 10, 3], [2, 6, 12, 3]) == pytest.approx(0.75)
    # tau=0.9: a=10,q=8 -> 0.9*2=1.8 ; a=10,q=13 -> 0.1*3=0.3 ; mean 1.05 (Koenker & Bassett 1978)
    assert metrics.pinball_loss([10, 10], [8, 13], 0.9) == pytest.approx(1.05)


def test_pinball_per_value_keeps_series_index():
    a = pd.Series([10.0, 10.0], index=["x", "y"])
    out = metrics.pinball_loss(a, np.array([8.0, 13.0]), 0.9, reduce=False)
    assert list(out.index) == ["x", "y"]
    assert out.to_numpy() == pytest.approx([1.8, 0.3])
    arr = metrics.pinball_loss(np.array([10.0, 10.0]), [8, 13], 0.9, reduce=False)
    assert isinstance(arr, np.ndarray) and arr.shape == (2,)


@pytest.mark.parametrize("kind", ["list", "ndarray", "series"])
def test_inputs_of_every_type(kind):
    a, f = [10, 20], [12, 18]
    conv = {"list": list, "ndarray": np.asarray, "series": pd.Series}[kind]
    assert metrics.wape(conv(a), conv(f)) == pytest.approx(4 / 30)


def test_bad_input_is_named():
    with pytest.raises(WfmInputError, match="wape: forecast has 1 values, expected 2"):
        metrics.wape([1, 2], [1])
    with pytest.raises(WfmInputError, match="coverage: lower must be <= upper"):
        metrics.coverage([1], [3], [2])
    with pytest.raises(WfmInputError, match="forecast must be finite, got nan"):
        metrics.wape([1, 2], [1, np.nan])
    with pytest.raises(WfmInputError, match="quantile must be in"):
        metrics.pinball_loss([1], [1], 1.5)
    with pytest.raises(WfmInputError, match="needs more than season_intervals=7"):
        metrics.mase([1], [1], [1, 2, 3], 7)
    assert np.isnan(metrics.wape([0, 0], [1, 1]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e4), st.floats(0, 1e4)), min_size=1, max_size=40), st.floats(0.01, 100))
def test_scale_invariance_and_bounds(pairs, c):
    a = np.array([p[0] for p in pairs])
    f = np.array([p[1] for p in pairs])
    if a.sum() <= 1e-6:
        return
    w = metrics.wape(a, f)
    assert w >= 0
    assert metrics.wape(a * c, f * c) == pytest.approx(w, rel=1e-6, abs=1e-9)
    assert metrics.wape(a, a) == 0
    assert abs(metrics.bias(a, f)) <= w + 1e-9
    cov = metrics.coverage(a, np.minimum(a, f), np.maximum(a, f))
    assert cov == 1.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=30), st.floats(0.05, 0.95))
def test_pinball_nonnegative_and_zero_at_truth(values, tau):
    a = np.array(values)
    assert metrics.pinball_loss(a, a, tau) == 0
    assert metrics.pinball_loss(a, a + 1, tau) > 0
