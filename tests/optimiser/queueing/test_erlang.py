"""Tests of optimiser.queueing.erlang: published values, an independent CTMC, invariants, stability."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from optimiser.queueing import erlang
from optimiser.queueing.erlang import (
    abandon_rate,
    asa_seconds,
    erlang_b,
    erlang_c,
    occupancy,
    p_wait,
    queue_metrics,
    service_level,
)
from wfm.ground.errors import WfmInputError

FAST = settings(max_examples=60, deadline=None)


# --------------------------------------------------------------------------
# published values
# --------------------------------------------------------------------------


def test_erlang_c_published_worked_example():
    # Source: callcentrehelper.com, "Erlang C Formula - Made Simple With an Easy
    # Worked Example": 100 calls in 30 minutes, AHT 180 s, 14 agents, target
    # 20 s -> P(wait) 17.4 %, service level 88.8 %, ASA 7.8 s, occupancy 71.4 %.
    # The same numbers appear in G. Koole, Call Center Mathematics (ch. 4).
    assert service_level(100, 30, 180, 14, 20) == pytest.approx(0.888, abs=5e-4)
    assert asa_seconds(100, 30, 180, 14) == pytest.approx(7.8, abs=0.05)
    assert p_wait(100, 30, 180, 14) == pytest.approx(0.174, abs=5e-4)
    assert erlang_c(10.0, 14) == pytest.approx(0.174, abs=5e-4)
    assert occupancy(100, 30, 180, 14) == pytest.approx(10 / 14)


@pytest.mark.parametrize(
    "servers, load, blocking",
    [
        # Standard Erlang B table (e.g. ITU-T E.xxx tables reproduced in
        # Iversen, "Teletraffic Engineering and Network Planning", DTU 2015, Table
        # "Erlang's B-formula"): offered traffic giving 1 % and 5 % blocking.
        (10, 4.4612, 0.01),
        (20, 12.031, 0.01),
        (100, 84.064, 0.01),
        (10, 6.2157, 0.05),
        (1, 1.0, 0.5),  # B(1, a) = a / (1 + a) exactly
    ],
)
def test_erlang_b_table_values(servers, load, blocking):
    assert erlang_b(load, servers) == pytest.approx(blocking, rel=2e-3)


def erlang_b_recursion(a: float, n: int) -> float:
    """Textbook recursion B(k) = a B(k-1) / (k + a B(k-1)), B(0) = 1 (Koole, ch. 4)."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


@pytest.mark.parametrize("a,n", [(0.5, 1), (3.7, 5), (10, 14), (80, 95), (350, 340), (900, 1000)])
def test_erlang_b_matches_recursion(a, n):
    assert erlang_b(a, n) == pytest.approx(erlang_b_recursion(a, n), rel=1e-9)


# --------------------------------------------------------------------------
# Erlang A against an independent truncated CTMC solved with numpy/scipy
# --------------------------------------------------------------------------


def ctmc_erlang_a(calls, interval_minutes, aht, n, patience, t_answer, k_max=600):
    """Independent check: birth-death chain of M/M/n+M truncated at k_max, plus
    the tagged caller's absorbing chain (i callers ahead -> served/abandoned)."""
    lam = calls / (60 * interval_minutes)
    mu, th = 1 / aht, 1 / patience
    death = np.array([min(k, n) * mu + max(k - n, 0) * th for k in range(k_max + 1)])
    logpi = np.zeros(k_max + 1)
    for k in range(1, k_max + 1):
        logpi[k] = logpi[k - 1] + math.log(lam) - math.log(death[k])
    pi = np.exp(logpi - logpi.max())
    pi /= pi.sum()
    p_wait = pi[n:].sum()
    queue = np.maximum(np.arange(k_max + 1) - n, 0)
    p_ab = th * (pi * queue).sum() / lam
    # tagged caller with i ahead (i = 0..m-1): states 0..m-1, served, abandoned
    m = k_max - n
    Q = np.zeros((m + 2, m + 2))
    served, ab = m, m + 1
    for i in range(m):
        move = n * mu + i * th
        if i == 0:
            Q[i, served] += move
        else:
            Q[i, i - 1] += move
        Q[i, ab] += th
        Q[i, i] = -(move + th)
    P = expm(Q * t_answer)
    served_by_t = P[:m, served]
    sl = pi[:n].sum() + (pi[n:k_max] * served_by_t).sum()
    # E[W; served] by first-step recursion
    s = np.zeros(m)
    w = np.zeros(m)
    for i in range(m):
        move = n * mu + i * th
        r = move + th
        s[i] = move / r * (s[i - 1] if i else 1.0)
        w[i] = s[i] / r + move / r * (w[i - 1] if i else 0.0)
    ew_served = (pi[n:k_max] * w).sum()
    asa = ew_served / (1 - p_ab)
    occ = lam * (1 - p_ab) * aht / n
    return dict(p_wait=p_wait, abandon_rate=p_ab, service_level=sl, asa_seconds=asa, occupancy=occ)


@pytest.mark.parametrize(
    "calls, aht, n, patience, t",
    [
        (100, 180, 14, 600, 20),  # the worked example with impatient callers
        (100, 180, 9, 120, 60),  # overloaded: Erlang A stays stable
        (300, 240, 35, 90, 180),
        (40, 300, 3, 300, 30),
        (100, 180, 12, 3600, 0),
    ],
)
def test_erlang_a_matches_independent_ctmc(calls, aht, n, patience, t):
    ref = ctmc_erlang_a(calls, 30, aht, n, patience, t)
    got = queue_metrics(calls, 30, aht, n, t, patience).iloc[0]
    for key in ("p_wait", "abandon_rate", "service_level", "asa_seconds", "occupancy"):
        assert got[key] == pytest.approx(ref[key], rel=1e-6, abs=1e-9), key


def test_erlang_a_definitions_relations():
    kw = dict(calls_offered=120, interval_minutes=30, aht_seconds=200, agents=12,
              answer_within_seconds=30, patience_seconds=120)
    offered = service_level(**kw)
    answered = service_level(**kw, definition="answered")
    excl = service_level(**kw, definition="offered_excl_short_abandons", short_abandon_seconds=5)
    lenient = service_level(**kw, definition="abandons_within_target_as_answered")
    ab = abandon_rate(120, 30, 200, 12, 120)
    assert answered == pytest.approx(offered / (1 - ab))
    assert offered < excl < answered
    assert offered < lenient <= 1
    # without patience all definitions coincide
    kw["patience_seconds"] = None
    values = {d: service_level(**kw, definition=d) for d in erlang.SERVICE_LEVEL_DEFINITIONS}
    assert max(values.values()) - min(values.values()) < 1e-12


def test_unstable_erlang_c_is_documented_limit():
    assert service_level(100, 30, 180, 10, 20) == 0.0  # load 10 = agents
    assert p_wait(100, 30, 180, 9) == 1.0
    assert asa_seconds(100, 30, 180, 10) == math.inf
    assert occupancy(100, 30, 180, 9) == 1.0
    # Erlang A is stable there
    assert 0 < service_level(100, 30, 180, 9, 20, 300) < 1
    assert 0 < abandon_rate(100, 30, 180, 9, 300) < 1
    assert math.isfinite(asa_seconds(100, 30, 180, 9, 300))


def test_zero_calls_and_zero_agents():
    assert service_level(0, 15, 180, 0, 20) == 1.0
    assert p_wait(0, 15, 180, 3, 60) == 0.0
    assert abandon_rate(50, 15, 180, 0, 60) == 1.0
    assert service_level(50, 15, 180, 0, 20, 60) == 0.0


# --------------------------------------------------------------------------
# shapes: scalar, list, ndarray, Series (index kept)
# --------------------------------------------------------------------------


def test_input_shapes():
    calls = [100, 50, 0]
    expected = np.array([service_level(c, 30, 180, 14, 20) for c in calls])
    assert isinstance(service_level(100, 30, 180, 14, 20), float)
    np.testing.assert_allclose(service_level(calls, 30, 180, 14, 20), expected)
    np.testing.assert_allclose(service_level(np.array(calls), 30, 180, 14, 20), expected)
    idx = pd.date_range("2025-03-30 00:00", periods=3, freq="15min", tz="Europe/Stockholm")
    s = service_level(pd.Series(calls, index=idx), 30, 180, 14, 20)
    assert isinstance(s, pd.Series) and s.index.equals(idx)
    np.testing.assert_allclose(s.to_numpy(), expected)
    for fn in (asa_seconds, p_wait, occupancy):
        out = fn(pd.Series(calls, index=idx), 30, 180, 14, 300)
        assert out.index.equals(idx)
    assert abandon_rate(pd.Series(calls, index=idx), 30, 180, 14, 300).index.equals(idx)
    assert erlang_b(pd.Series([1.0, 2.0], index=["a", "b"]), 3).index.tolist() == ["a", "b"]
    assert queue_metrics(pd.Series(calls, index=idx), 30, 180, 14, 20).index.equals(idx)


@FAST
@given(
    calls=st.lists(st.floats(0, 2000), min_size=1, max_size=8),
    aht=st.floats(20, 900),
    agents=st.integers(0, 200),
    patience=st.one_of(st.none(), st.floats(10, 3600)),
)
def test_vectorised_equals_scalar_loop(calls, aht, agents, patience):
    vec = queue_metrics(np.array(calls), 15, aht, agents, 60, patience)
    for i, c in enumerate(calls):
        one = queue_metrics(c, 15, aht, agents, 60, patience).iloc[0]
        np.testing.assert_allclose(vec.iloc[i].to_numpy(), one.to_numpy(), rtol=1e-12)


# --------------------------------------------------------------------------
# invariants
# --------------------------------------------------------------------------


@FAST
@given(
    calls=st.floats(1, 3000),
    aht=st.floats(30, 900),
    patience=st.one_of(st.none(), st.floats(10, 3600)),
    t=st.floats(0, 600),
    n0=st.integers(0, 300),
)
def test_more_agents_never_lower_service_level_or_raise_abandonment(calls, aht, patience, t, n0):
    n = np.arange(n0, n0 + 40)
    m = queue_metrics(calls, 30, aht, n, t, patience)
    # up to floating-point noise: a random sweep over the whole range (3 x 3,000
    # cases up to 4,000 Erlangs / 5,000 agents) saw at most 2e-11
    assert np.all(np.diff(m["service_level"]) >= -1e-10)
    assert np.all(np.diff(m["abandon_rate"]) <= 1e-10)
    assert np.all(np.diff(m["p_wait"]) <= 1e-10)
    for col in ("p_wait", "service_level", "abandon_rate", "occupancy"):
        assert m[col].between(0, 1).all(), col
    assert (m["asa_seconds"] >= 0).all()


@FAST
@given(calls=st.floats(1, 2000), aht=st.floats(30, 900), extra=st.integers(1, 60),
       t=st.floats(0, 600))
def test_infinite_patience_gives_erlang_c(calls, aht, extra, t):
    load = calls * aht / 1800
    n = math.floor(load) + extra
    c = queue_metrics(calls, 30, aht, n, t, None)
    inf = queue_metrics(calls, 30, aht, n, t, math.inf)
    pd.testing.assert_frame_equal(c, inf)
    # very patient callers converge to Erlang C (the gap shrinks like 1/patience and
    # grows near saturation, so keep at least half an agent of slack)
    if n - load < 0.5:
        return
    near = queue_metrics(calls, 30, aht, n, t, 1e11)
    for col in ("p_wait", "service_level", "occupancy"):
        assert near[col].iloc[0] == pytest.approx(c[col].iloc[0], abs=1e-5), col
    assert near["abandon_rate"].iloc[0] < 1e-5


def test_numerical_stability_grid():
    agents = np.array([1, 2, 5, 10, 50, 100, 500, 1000, 2000, 3000, 4000, 4500, 5000])
    loads = np.array([0.01, 0.5, 1, 10, 100, 500, 1000, 2000, 3000, 3999, 4000])
    n, a = np.meshgrid(agents, loads)
    n, a = n.ravel(), a.ravel()
    calls = a * 15 * 60 / 300  # aht 300 s, 15-minute intervals
    for patience in (None, 30.0, 600.0):
        m = queue_metrics(calls, 15, 300, n, 180, patience)
        finite_cols = ["p_wait", "service_level", "abandon_rate", "occupancy"]
        assert np.isfinite(m[finite_cols].to_numpy()).all()
        assert (m[finite_cols].to_numpy() >= 0).all() and (m[finite_cols].to_numpy() <= 1).all()
        assert not m["asa_seconds"].isna().any()
        assert (m["asa_seconds"] >= 0).all()
        if patience is not None:
            assert np.isfinite(m["asa_seconds"]).all()
    # regression: light load, many agents, short patience (y/x ~ 1e-18) gave NaN
    m = queue_metrics(0.276, 15, 1400, [1593, 1594], 278.8, 8.53)
    assert np.isfinite(m.to_numpy()).all() and (m["service_level"] == 1.0).all()
    b = erlang_b(a, n)
    assert np.isfinite(b).all() and (b >= 0).all() and (b <= 1).all()
    # spot values: B(5000, 4000) is astronomically small, B(1, 4000) = 4000/4001
    assert erlang_b(4000, 1) == pytest.approx(4000 / 4001)
    assert erlang_b(4000, 5000) < 1e-40


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        (dict(calls_offered=-5), r"calls_offered must be >= 0.*got -5"),
        (dict(aht_seconds=0), r"aht_seconds must be > 0.*got 0"),
        (dict(interval_minutes=0), r"interval_minutes must be > 0.*got 0"),
        (dict(agents=-1), r"agents must be >= 0.*got -1"),
        (dict(answer_within_seconds=-2), r"answer_within_seconds must be >= 0.*got -2"),
        (dict(patience_seconds=0), r"patience_seconds must be > 0.*got 0"),
        (dict(calls_offered=[1, float("nan")]), r"calls_offered.*got nan at position 1"),
    ],
)
def test_bad_input_names_parameter_and_value(kwargs, pattern):
    base = dict(calls_offered=100, interval_minutes=30, aht_seconds=180, agents=14,
                answer_within_seconds=20, patience_seconds=None)
    base.update(kwargs)
    with pytest.raises(WfmInputError, match=pattern):
        service_level(**base)


def test_bad_definition_and_series_index_in_message():
    with pytest.raises(WfmInputError, match="definition must be one of"):
        service_level(100, 30, 180, 14, 20, definition="answered_fast")
    s = pd.Series([10.0, -3.0], index=["09:00", "09:15"])
    with pytest.raises(WfmInputError, match=r"got -3 at index '09:15'"):
        p_wait(s, 15, 180, 5)


@FAST
@given(bad=st.one_of(st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False),
                     st.just(float("nan")), st.just(float("inf"))))
def test_bad_aht_always_refused(bad):
    with pytest.raises(WfmInputError, match="aht_seconds"):
        asa_seconds(100, 30, bad, 14)


def test_erlang_a_asa_strided_sum_matches_full_sum(monkeypatch):
    # very patient callers make the ASA series long; it is then summed every k-th term.
    # Force strides on moderate cases and compare with the full sum.
    calls = np.array([3000.0, 12000.0, 800.0])
    full = asa_seconds(calls, 15, 300, [900, 3000, 250], 1e6)
    monkeypatch.setattr(erlang, "_ASA_POINTS", 50)
    strided = asa_seconds(calls, 15, 300, [900, 3000, 250], 1e6)
    np.testing.assert_allclose(strided, full, rtol=1e-6)  # even with only 50 points
    # overloaded, nearly infinite patience: served callers waited about patience * ln(rho)
    assert asa_seconds(12000, 15, 300, 100, 1e12) == pytest.approx(1e12 * np.log(40), rel=1e-3)
