"""Queueing formulas for inbound call queues: Erlang B, Erlang C and Erlang A.

Pure functions, vectorised over intervals.  Numbers, lists, ndarrays or pandas
Series go in; the same shape comes out (a Series keeps its index; all-scalar
input gives a Python ``float``).  Inputs broadcast against each other.

Vocabulary (see ``docs/staffing.md``):

* ``calls_offered`` [calls per interval], ``interval_minutes`` [min],
  ``aht_seconds`` [s] average handle time, ``agents`` [agents on the phone],
  ``answer_within_seconds`` [s] the service-level threshold T,
  ``patience_seconds`` [s] mean of the callers' exponential patience
  (``None`` or ``inf``: nobody hangs up, i.e. Erlang C).
* Offered load ``a = calls_offered * aht_seconds / (60 * interval_minutes)``
  [Erlangs].

Stability.  Erlang C (infinite patience) has no steady state when
``load_erlangs >= agents``: the queue grows without bound.  We then return
service level 0, P(wait) 1, ASA ``inf`` and occupancy 1 (documented limit, not
an error).  Erlang A (``patience_seconds`` finite) is stable for every number
of agents, including 0 (everybody waits and hangs up).

Numerics.  Everything is computed in log space with ``scipy.special``
(``gammaln``, ``gammainc``, ``gammaincc``), with series fall-backs where the
regularised incomplete gamma functions underflow, so 0-5,000 agents and loads
up to 4,000 Erlangs give no overflow, NaN or negative probability.  Non-integer
``agents`` use the standard continuous extension of Erlang B through the
incomplete gamma function (Jagerman 1974).

References
----------
.. [1] A. K. Erlang, "Solution of some problems in the theory of probabilities
   of significance in automatic telephone exchanges", 1917.
.. [2] G. Koole, *Call Center Mathematics* (lecture notes), VU Amsterdam,
   2007, ch. 4 (Erlang B/C, service level, ASA, worked example
   ``lambda = 100 / 30 min, beta = 3 min, s = 14``).
.. [3] O. Garnett, A. Mandelbaum and M. Reiman, "Designing a call center with
   impatient customers", *Manufacturing & Service Operations Management*
   4(3), 208-227, 2002.
.. [4] A. Mandelbaum and S. Zeltyn, "Service engineering in action: the
   Palm/Erlang-A queue, with applications to call centers", in *Advances in
   Services Innovations*, Springer, 2007, 17-45.
.. [5] D. L. Jagerman, "Some properties of the Erlang loss function",
   *Bell System Technical Journal* 53(3), 525-551, 1974.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from wfm.ground.errors import WfmInputError
from wfm.ground.frames import MAX_CALLS_PER_INTERVAL, MAX_DURATION_SECONDS

__all__ = [
    "SERVICE_LEVEL_DEFINITIONS",
    "load_erlangs",
    "erlang_b",
    "erlang_c",
    "service_level",
    "asa_seconds",
    "abandon_rate",
    "occupancy",
    "p_wait",
    "wait_exceeds_probability",
    "queue_metrics",
    # the building blocks the staffing searches and the time-varying queue share
    "validate_queue_inputs",
    "check_range",
    "queue_measures",
    "log_erlang_b",
]

#: Named service-level definitions accepted by :func:`service_level`.
SERVICE_LEVEL_DEFINITIONS: dict[str, str] = {
    "offered": "answered within T / offered calls (callers who hang up count as not answered)",
    "answered": "answered within T / answered calls (abandoned calls left out)",
    "offered_excl_short_abandons": "answered within T / (offered - calls abandoned within "
    "short_abandon_seconds)",
    "abandons_within_target_as_answered": "(answered within T + abandoned within T) / offered",
}

_ASA_POINTS = 20_000  # terms per interval in the Erlang A ASA series (see _erlang_a_asa)
_TINY = 1e-200  # below this, a regularised incomplete gamma is taken from its series


# ---------------------------------------------------------------------------
# input handling
# ---------------------------------------------------------------------------


def _as_array(value: Any, name: str) -> tuple[np.ndarray, pd.Index | None]:
    if isinstance(value, pd.Series):
        return value.to_numpy(dtype=float, na_value=np.nan), value.index
    if isinstance(value, pd.DataFrame):
        raise WfmInputError(f"{name} must be a number, list, ndarray or Series, got a DataFrame")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise WfmInputError(f"{name} must be numeric, got {value!r}") from exc
    return arr, None


def _where(arr: np.ndarray, bad: np.ndarray, index: pd.Index | None) -> str:
    pos = np.flatnonzero(np.broadcast_to(bad, arr.shape).ravel())[0] if arr.ndim else 0
    value = arr.ravel()[pos] if arr.ndim else arr.item()
    if arr.ndim == 0:
        return f"got {value:g}"
    label = f"index {index[pos]!r}" if index is not None else f"position {pos}"
    return f"got {value:g} at {label}"


def check_range(arr: np.ndarray, name: str, index, *, low: float, low_inclusive: bool,
                high: float = np.inf, high_inclusive: bool = False, allow_inf: bool = False) -> None:
    """Refuse NaN, infinity (unless ``allow_inf``) and values outside the range, naming ``name`` and where."""
    bad = np.isnan(arr)
    if not allow_inf:
        bad |= np.isinf(arr)
    bad |= (arr < low) if low_inclusive else (arr <= low)
    if np.isfinite(high):
        bad |= (arr > high) if high_inclusive else (arr >= high)
    if np.any(bad):
        lo = f">= {low:g}" if low_inclusive else f"> {low:g}"
        rule = lo if not np.isfinite(high) else (
            f"{lo} and {'<=' if high_inclusive else '<'} {high:g}")
        fin = "" if allow_inf else " and finite"
        raise WfmInputError(f"{name} must be {rule}{fin}, {_where(arr, bad, index)}")


def _prepare(named: dict[str, Any]) -> tuple[dict[str, np.ndarray], pd.Index | None, bool]:
    """Convert inputs to broadcast float arrays; return the common Series index."""
    arrays, index, scalar = {}, None, True
    for name, value in named.items():
        arr, idx = _as_array(value, name)
        if idx is not None:
            if index is not None and not index.equals(idx):
                raise WfmInputError(f"{name} is a Series whose index differs from the other inputs'")
            index = idx
        if arr.ndim:
            scalar = False
        arrays[name] = arr
    try:
        shapes = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError as exc:
        raise WfmInputError("inputs have shapes that do not broadcast: "
                            + ", ".join(f"{k} {v.shape}" for k, v in arrays.items())) from exc
    arrays = {k: np.broadcast_to(v, shapes) for k, v in arrays.items()}
    return arrays, index, scalar


def _patience(value: Any, shape, index) -> np.ndarray:
    """Patience as an array; ``None`` means infinite.  Zero or negative is refused."""
    if value is None:
        return np.full(shape, np.inf)
    arr, _ = _as_array(value, "patience_seconds")
    check_range(arr, "patience_seconds", index, low=0.0, low_inclusive=False, allow_inf=True)
    return np.broadcast_to(arr, np.broadcast_shapes(arr.shape, shape))


def _out(arr: np.ndarray, index, scalar: bool):
    if scalar:
        return float(arr)
    if index is not None:
        return pd.Series(np.asarray(arr, dtype=float).reshape(len(index)), index=index)
    return np.array(arr, dtype=float)


def validate_queue_inputs(calls_offered, interval_minutes, aht_seconds, agents, extra=None):
    """Check and broadcast the common inputs of every queue function (the one set of rules and messages).

    Returns ``(arrays, index, scalar)``: float arrays broadcast to one shape by name, the common
    Series index (or None) and whether every input was a scalar.  ``agents`` None: not checked.
    """
    named = {"calls_offered": calls_offered, "interval_minutes": interval_minutes,
             "aht_seconds": aht_seconds}
    if agents is not None:
        named["agents"] = agents
    if extra:
        named.update(extra)
    arrays, index, scalar = _prepare(named)
    check_range(arrays["calls_offered"], "calls_offered", index, low=0, low_inclusive=True)
    check_range(arrays["interval_minutes"], "interval_minutes", index, low=0, low_inclusive=False)
    check_range(arrays["aht_seconds"], "aht_seconds", index, low=0, low_inclusive=False)
    # absurd but finite values (1e308) are typing or unit errors, refused before any maths overflows
    for name, high, unit in (("calls_offered", MAX_CALLS_PER_INTERVAL, "calls in one interval"),
                             ("aht_seconds", MAX_DURATION_SECONDS, "seconds (a day)")):
        bad = arrays[name] > high
        if np.any(bad):
            raise WfmInputError(f"{name} must be at most {high:,} {unit}, {_where(arrays[name], bad, index)}",
                                parameter=name)
    if agents is not None:
        check_range(arrays["agents"], "agents", index, low=0, low_inclusive=True)
    return arrays, index, scalar


# ---------------------------------------------------------------------------
# special-function helpers in log space
# ---------------------------------------------------------------------------


def _log_gammainc_scaled(s: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``ln P(s, z) - ln(z^s e^-z / Gamma(s+1))`` for s > 0, z >= 0.

    ``P`` is the regularised lower incomplete gamma function.  Scaling by the
    leading term keeps differences between nearby arguments free of
    cancellation.  Where ``P`` underflows (z far below s) the convergent series
    ``sum_k z^k / ((s+1)...(s+k))`` gives the scaled value directly.
    """
    s, z = np.broadcast_arrays(np.asarray(s, float), np.asarray(z, float))
    out = np.zeros(s.shape)  # z == 0: the series is 1
    pos = z > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        p = special.gammainc(s, z)
        ok = pos & (p > _TINY)
        out[ok] = np.log(p[ok]) + _log_a_prefactor(s[ok], z[ok])
        sm = pos & ~ok
        if np.any(sm):
            ss, zz = s[sm], z[sm]
            # terms decay at least as fast as (z/(s+1))^k; z << s here
            ratio = np.max(zz / (ss + 1.0))
            n_terms = int(min(200_000, np.ceil(60.0 / max(-np.log(ratio), 1e-6)) + 5))
            out[sm] = _log_series(zz, ss, n_terms, upper=False)
    return out


def _log_series(z: np.ndarray, s: np.ndarray, n_terms: int, *, upper: bool) -> np.ndarray:
    """log sum_k prod_{i=1..k} r_i, chunked; r_i = z/(s+i) (lower) or (s-i+1)/z (upper)."""
    log_prod = np.zeros(z.shape)
    acc = np.ones(z.shape)  # sum relative to exp(0)
    chunk = 256
    done = np.zeros(z.shape, dtype=bool)
    k0 = 1
    while k0 <= n_terms and not np.all(done):
        k = np.arange(k0, min(n_terms, k0 + chunk - 1) + 1, dtype=float)
        if upper:
            factors = (s[:, None] - k[None, :] + 1.0) / z[:, None]
            factors = np.clip(factors, 0.0, None)
        else:
            factors = z[:, None] / (s[:, None] + k[None, :])
        with np.errstate(divide="ignore"):
            logs = np.cumsum(np.log(factors), axis=1) + log_prod[:, None]
        acc = acc + np.exp(logs).sum(axis=1)
        log_prod = logs[:, -1]
        done = log_prod < -60.0
        k0 += chunk
    return np.log(acc)


def _log_gammaincc_int(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """log Q(n+1, a) = log P(Poisson(a) <= n) (continuous in n), n >= 0, a > 0."""
    n, a = np.broadcast_arrays(np.asarray(n, float), np.asarray(a, float))
    out = np.zeros(n.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        q = special.gammaincc(n + 1.0, a)
        ok = q > _TINY
        out[ok] = np.log(q[ok])
        sm = ~ok
        if np.any(sm):
            nn, aa = n[sm], a[sm]
            # Gamma(n+1, a) = a^n e^-a sum_k n(n-1)...(n-k+1)/a^k, a >> n here
            n_terms = int(min(200_000, np.ceil(np.max(nn)) + 2))
            out[sm] = nn * np.log(aa) - aa - special.gammaln(nn + 1.0) + _log_series(
                aa, nn, n_terms, upper=True)
    return out


def log_erlang_b(a: np.ndarray, n: np.ndarray) -> np.ndarray:
    """log of Erlang B for load ``a`` [Erlangs] and ``n`` servers (1-d arrays, same shape, unchecked)."""
    out = np.zeros(a.shape)  # n == 0 -> B = 1
    with np.errstate(divide="ignore", invalid="ignore"):
        zero_load = (a == 0) & (n > 0)
        out[zero_load] = -np.inf
        m = (a > 0) & (n > 0)
        if np.any(m):
            aa, nn = a[m], n[m]
            out[m] = nn * np.log(aa) - aa - special.gammaln(nn + 1.0) - _log_gammaincc_int(nn, aa)
    return np.minimum(out, 0.0)


# ---------------------------------------------------------------------------
# the core: every metric at once
# ---------------------------------------------------------------------------


def queue_measures(calls, interval_minutes, aht, n, patience, answer_within=None, short_abandon=None,
                   with_asa=True):
    """All measures for 1-d float arrays of one length, unchecked (for searches that evaluate many times).

    Returns a dict of arrays: ``load_erlangs``, ``erlang_b``, ``p_wait``, ``service_level``,
    ``service_level_answered``, ``abandoned_within_T``, ``abandoned_within_short``, ``asa_seconds``
    (NaN for Erlang A when ``with_asa`` is False: the costly series is skipped), ``abandon_rate``,
    ``occupancy``, ``wait_over_T`` and ``stable``.  Check inputs with :func:`validate_queue_inputs`.
    """
    shape = calls.shape
    a = calls * aht / (60.0 * interval_minutes)
    log_b = log_erlang_b(a, n)
    b = np.exp(log_b)
    res: dict[str, np.ndarray] = {"load_erlangs": a, "erlang_b": b}
    # loads below 1e-250 Erlangs are treated as no calls (their measures are 0 or 1 to
    # double precision anyway, and the Erlang A scale y = a patience / aht would underflow)
    no_calls = a <= 1e-250
    finite_pat = np.isfinite(patience)

    p_wait = np.zeros(shape)
    sl = np.ones(shape)
    sl_answered = np.ones(shape)
    short_ab_t = np.zeros(shape)
    short_ab_s = np.zeros(shape)
    asa = np.zeros(shape)
    aband = np.zeros(shape)
    occ = np.zeros(shape)
    over_T = np.zeros(shape)
    T = np.zeros(shape) if answer_within is None else answer_within
    S = np.zeros(shape) if short_abandon is None else short_abandon

    # --- Erlang C (infinite patience) ----------------------------------
    c_mask = ~finite_pat & ~no_calls
    if np.any(c_mask):
        ac, nc, bc, ahtc, Tc = a[c_mask], n[c_mask], b[c_mask], aht[c_mask], T[c_mask]
        stable = nc > ac
        pw = np.ones(ac.shape)
        rho = np.where(stable, ac / np.where(nc > 0, nc, 1.0), 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            pw_s = bc / (1.0 - rho * (1.0 - bc))
        pw = np.where(stable, np.clip(pw_s, 0.0, 1.0), 1.0)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            gap = np.where(stable, nc - ac, 1.0)
            sl_c = np.where(stable, 1.0 - pw * np.exp(-gap * Tc / ahtc), 0.0)
            asa_c = np.where(stable, pw * ahtc / gap, np.inf)
        p_wait[c_mask] = pw
        over_T[c_mask] = np.where(stable, np.clip(pw * np.exp(-gap * Tc / ahtc), 0.0, 1.0), 1.0)
        sl[c_mask] = np.clip(sl_c, 0.0, 1.0)
        sl_answered[c_mask] = sl[c_mask]
        asa[c_mask] = asa_c
        occ[c_mask] = np.where(stable, rho, 1.0)

    # --- Erlang A (exponential patience) --------------------------------
    a_mask = finite_pat & ~no_calls
    if np.any(a_mask):
        r = _erlang_a(a[a_mask], n[a_mask], aht[a_mask], patience[a_mask], b[a_mask],
                      log_b[a_mask], T[a_mask], S[a_mask], with_asa)
        p_wait[a_mask] = r["p_wait"]
        sl[a_mask] = r["sl"]
        sl_answered[a_mask] = r["sl_answered"]
        short_ab_t[a_mask] = r["ab_within_T"]
        short_ab_s[a_mask] = r["ab_within_S"]
        asa[a_mask] = r["asa"]
        aband[a_mask] = r["abandon"]
        occ[a_mask] = r["occupancy"]
        over_T[a_mask] = r["wait_over_T"]

    res.update(p_wait=p_wait, service_level=sl, service_level_answered=sl_answered,
               abandoned_within_T=short_ab_t, abandoned_within_short=short_ab_s,
               asa_seconds=asa, abandon_rate=aband, occupancy=occ, wait_over_T=over_T,
               stable=~(~finite_pat & ~no_calls & (n <= a)))
    return res


def _erlang_a(a, n, aht, patience, b, log_b, T, S, with_asa=True):
    """Erlang A (M/M/n+M) measures; see docs/staffing.md for the derivation.

    With theta = 1/patience, mu = 1/aht, x = n mu / theta, y = lambda / theta
    (so y / x = a / n):  A(x, y) = x e^y y^-x gamma(x, y);
    P(W>0) = A B / (1 + (A - 1) B)                     [3, eq. (3.3)], [4]
    P(V > t | V > 0) = gamma(x, y e^-theta t) / gamma(x, y)   (offered wait V)
    P(served, V <= t | V > 0) = [gamma(x+1, y) - gamma(x+1, y e^-theta t)] / (y gamma(x, y))
    P(Ab | V > 0) = 1 - (1 - 1/A) / rho
    """
    theta = 1.0 / patience
    x = n * patience / aht
    y = a * patience / aht
    out = {k: np.zeros(a.shape) for k in
           ("p_wait", "sl", "sl_answered", "ab_within_T", "ab_within_S", "asa", "abandon",
            "occupancy", "wait_over_T")}
    zero = n == 0
    # no agents: everybody waits and hangs up
    out["p_wait"][zero] = 1.0
    out["abandon"][zero] = 1.0
    out["asa"][zero] = np.inf
    out["ab_within_T"][zero] = -np.expm1(-theta[zero] * T[zero])
    out["ab_within_S"][zero] = -np.expm1(-theta[zero] * S[zero])
    out["occupancy"][zero] = 1.0
    out["wait_over_T"][zero] = 1.0
    m = ~zero
    if not np.any(m):
        return out
    x, y, th, lb, bb, Tm, Sm = x[m], y[m], theta[m], log_b[m], b[m], T[m], S[m]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        sc_x_y = _log_gammainc_scaled(x, y)
        log_A = np.maximum(sc_x_y, 0.0)  # A >= 1
        # P(W>0) = 1 / (1 + (1 - B) / (A B))
        pw = special.expit(log_A + lb - np.log1p(-np.minimum(bb, 1.0 - 1e-300)))
        inv_A = np.exp(-log_A)
        rho = y / x
        p_ab_wait = np.clip(1.0 - (1.0 - inv_A) / rho, 0.0, 1.0)
        p_ab = pw * p_ab_wait
        p_served = 1.0 - p_ab
        chain = _ErlangA(x, y, th, sc_x_y, _log_gammainc_scaled(x + 1.0, y), log_A, pw, rho, p_ab)
        at_T = chain.ratios(Tm)
        sl = np.clip(1.0 - pw + chain.served_within(at_T), 0.0, 1.0)
        sl = np.minimum(sl, p_served)
        out["sl"][m] = sl
        out["sl_answered"][m] = np.clip(np.where(p_served > 0, sl / p_served, 0.0), 0.0, 1.0)
        out["ab_within_T"][m] = chain.abandoned_within(Tm, at_T)
        out["ab_within_S"][m] = chain.abandoned_within(Sm, chain.ratios(Sm))
        out["p_wait"][m] = pw
        out["wait_over_T"][m] = np.clip(pw * at_T[3], 0.0, pw)
        out["abandon"][m] = p_ab
        out["occupancy"][m] = np.clip(rho * p_served, 0.0, 1.0)
        # the ASA series is the costly part: skipped (NaN) when a search does not need it
        out["asa"][m] = _erlang_a_asa(x, y, th, pw, p_served) if with_asa else np.nan
    return out


@dataclass(frozen=True)
class _ErlangA:
    """The offered-wait distribution of M/M/n+M callers who wait (x, y as in :func:`_erlang_a`)."""

    x: np.ndarray
    y: np.ndarray
    theta: np.ndarray
    sc_x_y: np.ndarray  # _log_gammainc_scaled(x, y)
    sc_x1_y: np.ndarray  # _log_gammainc_scaled(x + 1, y)
    log_A: np.ndarray
    pw: np.ndarray
    rho: np.ndarray
    p_ab: np.ndarray

    def ratios(self, t):
        """P(x+1,y)/P(x,y), P(x+1,u)/P(x,y), P(x,u)/P(x,y) with u = y e^(-theta t), and u.

        At t = 0 everywhere (no threshold) u = y and the last two are the first and
        P(x,y)/P(x,y): taken from the values at y, exactly as the general formula gives them.
        """
        x, y, th, log_A = self.x, self.y, self.theta, self.log_A
        base = np.log(y / (x + 1.0))
        r_hi = np.exp(base + self.sc_x1_y - log_A)
        if not np.any(t):
            return y, r_hi, r_hi, np.exp(self.sc_x_y - log_A)
        u = y * np.exp(-th * t)
        y_minus_u = -y * np.expm1(-th * t)
        r1_lo = np.exp(base - (x + 1.0) * th * t + y_minus_u + _log_gammainc_scaled(x + 1.0, u) - log_A)
        r0_lo = np.exp(-x * th * t + y_minus_u + _log_gammainc_scaled(x, u) - log_A)
        return u, r_hi, r1_lo, r0_lo

    def served_within(self, ratios):
        """P(served, 0 < V <= t) = P(W>0) x [P(x+1,y) - P(x+1,u)] / (y P(x,y))."""
        _, r_hi, r1_lo, _ = ratios
        return np.clip(self.pw * (r_hi - r1_lo) / self.rho, 0.0, None)

    def abandoned_within(self, t, ratios):
        """[y gamma(x,y) - gamma(x+1,y) - u gamma(x,u) + gamma(x+1,u)] / (y gamma(x,y)), times P(W>0)."""
        u, r_hi, r1_lo, r0_lo = ratios
        val = (1.0 - r_hi / self.rho) - (u / self.y) * r0_lo + r1_lo / self.rho
        val = np.where(t <= 0, 0.0, val)
        return np.clip(self.pw * val, 0.0, self.p_ab)


def _log_a_prefactor(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``ln Gamma(x+1) + y - x ln y`` without cancelling large terms.

    For x > 10 Stirling's series is used: ``0.5 ln(2 pi x) + 1/(12x) - 1/(360x^3)
    + 1/(1260x^5) + x (rho - 1 - ln rho)`` with ``rho = y / x``, and
    ``d - ln(1 + d)`` (``d = rho - 1``) from its Taylor series near 0, so the
    result keeps its relative precision even for x ~ 1e10 (very patient callers).
    """
    out = special.gammaln(x + 1.0) + y - x * np.log(y)
    big = x > 10.0
    if np.any(big):
        xb, yb = x[big], y[big]
        d = yb / xb - 1.0
        with np.errstate(invalid="ignore", divide="ignore"):
            # log1p(d) near 0; log(y) - log(x) when y/x is tiny (d rounds to -1)
            f = np.where(np.abs(d) < 0.5, d - np.log1p(d), d - (np.log(yb) - np.log(xb)))
        small = np.abs(d) < 1e-3
        ds = d[small]
        f[small] = ds**2 / 2 - ds**3 / 3 + ds**4 / 4 - ds**5 / 5 + ds**6 / 6
        out[big] = (0.5 * np.log(2 * np.pi * xb) + 1 / (12 * xb) - 1 / (360 * xb**3)
                    + 1 / (1260 * xb**5) + xb * f)
    return out


def _asa_chunks(points: np.ndarray):
    """Rows of similar window length together: ``(rows, n_points)`` chunks of at most ~2 M terms.

    Rows are grouped by their window length rounded up to a power of sqrt(2), so a
    chunk sums at most ~1.4 times the terms its rows need (a row's extra terms lie
    beyond its window and add nothing measurable).
    """
    if points.size == 0:
        return
    bucket = np.ceil(2.0 * np.log2(np.maximum(points, 1.0)))
    for b in np.unique(bucket):
        rows = np.flatnonzero(bucket == b)
        n_points = int(points[rows].max())
        per_chunk = max(1, 2_000_000 // n_points)
        for i0 in range(0, rows.size, per_chunk):
            yield rows[i0:i0 + per_chunk], n_points


def _digamma_step(x: np.ndarray, q: np.ndarray, stride: np.ndarray) -> np.ndarray:
    """``psi(x + q + 2) - psi(x + 1)`` on a window of ``q`` (rows of ``x``; consecutive ``q`` where the stride is 1).

    Where the stride is 1 this is ``psi(x + q0 + 2) - psi(x + 1)`` plus the running sum
    of ``1 / (x + q + 2)`` (``psi(z + 1) = psi(z) + 1 / z``): one digamma per row
    instead of one per term.
    """
    unit = stride[:, 0] == 1.0
    out = np.empty(q.shape)
    if np.any(unit):
        xu, qu = x[unit], q[unit]
        first = special.digamma(xu + qu[:, :1] + 2.0) - special.digamma(xu + 1.0)
        out[unit] = first + np.cumsum(np.concatenate(
            (np.zeros((qu.shape[0], 1)), 1.0 / (xu + qu[:, 1:] + 1.0)), axis=1), axis=1)
    if not np.all(unit):
        xs, qs = x[~unit], q[~unit]
        out[~unit] = special.digamma(xs + qs + 2.0) - special.digamma(xs + 1.0)
    return out


def _erlang_a_asa(x, y, theta, pw, p_served) -> np.ndarray:
    """ASA of answered calls in M/M/n+M.

    E[W; served] = P(W>0) * sum_q w_q E[V e^{-theta V} | q] / sum_q w_q with
    w_q = y^q Gamma(x+1) / Gamma(x+q+1) (queue length q seen on arrival) and
    E[V e^{-theta V} | q] = x / (x+q+1) * (psi(x+q+2) - psi(x+1)) / theta,
    summed in log space over a window of +-12 standard deviations around the mode.
    """
    asa = np.zeros(x.shape)
    mode = np.maximum(0.0, np.ceil(y - x - 1.0))
    spread = np.sqrt(np.maximum(np.maximum(x, y), 1.0))
    with np.errstate(divide="ignore"):
        geometric = np.where(y < x, 1.0 / np.log(x / y), np.inf)  # decay length when mode is 0
    half = np.ceil(12.0 * np.minimum(spread, geometric)) + 30.0
    start = np.maximum(0.0, mode - half)
    # very patient callers make the window huge (sd ~ sqrt(y)): sum every stride-th term
    # instead (the summand varies on a scale of sqrt(y) >> stride, so the Riemann sum
    # of the normalised mean is accurate); stride 1 is the exact sum
    stride = np.maximum(1.0, np.ceil((2 * half + 1) / _ASA_POINTS))
    points = np.ceil((2 * half + 1) / stride)
    for sl_, n_points in _asa_chunks(points):
        k = stride[sl_, None]
        q = start[sl_, None] + k * np.arange(n_points, dtype=float)[None, :]
        xx, yy = x[sl_, None], y[sl_, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            # log w_q - log w_start = -sum_{j=start+1..q} ln((x + j) / y): no big cancellations;
            # with a stride the k terms of a step are taken at their midpoint
            steps = k * np.log((xx + q - k + (k + 1.0) / 2.0) / yy)
            steps[:, 0] = 0.0
            lw = -np.cumsum(steps, axis=1)
            lw -= lw.max(axis=1, keepdims=True)
            w = np.exp(lw)
            val = xx / (xx + q + 1.0) * _digamma_step(xx, q, k)
            mean = (w * val).sum(axis=1) / w.sum(axis=1)
        ew_served = pw[sl_] * mean / theta[sl_]
        with np.errstate(divide="ignore", invalid="ignore"):
            asa[sl_] = np.where(p_served[sl_] > 0, ew_served / p_served[sl_], np.inf)
    return asa


# ---------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------


def load_erlangs(calls_offered, interval_minutes, aht_seconds):
    """Offered load in Erlangs: ``calls_offered * aht_seconds / (60 * interval_minutes)``.

    Parameters
    ----------
    calls_offered : float, array-like or Series
        Calls offered in the interval [calls].
    interval_minutes : float, array-like or Series
        Interval length [min].
    aht_seconds : float, array-like or Series
        Average handle time [s].

    Returns
    -------
    float, ndarray or Series
        Offered load [Erlangs].
    """
    arr, index, scalar = validate_queue_inputs(calls_offered, interval_minutes, aht_seconds, None)
    return _out(arr["calls_offered"] * arr["aht_seconds"] / (60.0 * arr["interval_minutes"]),
                index, scalar)


def erlang_b(load_erlangs, agents):
    """Erlang B blocking probability of an M/M/n/n loss system.

    ``B(n, a) = (a^n / n!) / sum_{k=0..n} a^k / k!``, computed as
    ``exp(n ln a - a - ln n! - ln Q(n+1, a))`` with ``Q`` the regularised upper
    incomplete gamma function (a Poisson distribution function), so it neither
    overflows nor underflows for thousands of agents.

    Parameters
    ----------
    load_erlangs : float, array-like or Series
        Offered load [Erlangs], >= 0.
    agents : float, array-like or Series
        Servers [agents], >= 0 (non-integer values use the continuous
        extension of [5]_).

    Returns
    -------
    float, ndarray or Series
        Probability that an arrival finds every server busy, in [0, 1].

    References
    ----------
    .. [1] A. K. Erlang, 1917.
    .. [5] D. L. Jagerman, "Some properties of the Erlang loss function",
       Bell System Technical Journal 53(3), 1974.
    """
    arrays, index, scalar = _prepare({"load_erlangs": load_erlangs, "agents": agents})
    check_range(arrays["load_erlangs"], "load_erlangs", index, low=0, low_inclusive=True)
    check_range(arrays["agents"], "agents", index, low=0, low_inclusive=True)
    a = np.array(arrays["load_erlangs"], dtype=float)
    n = np.array(arrays["agents"], dtype=float)
    return _out(np.exp(log_erlang_b(a.reshape(-1), n.reshape(-1))).reshape(a.shape), index, scalar)


def erlang_c(load_erlangs, agents):
    """Erlang C probability of waiting, M/M/n with infinite patience.

    ``C = B / (1 - rho (1 - B))`` with ``rho = a / n`` and ``B`` Erlang B; equal
    to 1 when ``a >= n`` (no steady state: every caller waits).

    Parameters
    ----------
    load_erlangs : float, array-like or Series
        Offered load [Erlangs], >= 0.
    agents : float, array-like or Series
        Agents on the phone, >= 0.

    Returns
    -------
    float, ndarray or Series
        P(wait > 0) in [0, 1].

    References
    ----------
    .. [2] G. Koole, Call Center Mathematics, 2007, section 4.2.
    """
    arrays, index, scalar = _prepare({"load_erlangs": load_erlangs, "agents": agents})
    check_range(arrays["load_erlangs"], "load_erlangs", index, low=0, low_inclusive=True)
    check_range(arrays["agents"], "agents", index, low=0, low_inclusive=True)
    a = np.array(arrays["load_erlangs"], dtype=float).reshape(-1)
    n = np.array(arrays["agents"], dtype=float).reshape(-1)
    b = np.exp(log_erlang_b(a, n))
    stable = n > a
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(stable, a / np.where(n > 0, n, 1.0), 1.0)
        c = np.where(stable, b / (1.0 - rho * (1.0 - b)), 1.0)
    c = np.where(a == 0, 0.0, np.clip(c, 0.0, 1.0))
    shape = np.broadcast_shapes(arrays["load_erlangs"].shape)
    return _out(c.reshape(shape), index, scalar)


def queue_metrics(calls_offered, interval_minutes, aht_seconds, agents, answer_within_seconds=0.0,
                  patience_seconds=None, *, short_abandon_seconds=5.0) -> pd.DataFrame:
    """Every measure for each interval at once, as a DataFrame (index kept).

    Columns: ``load_erlangs``, ``agents``, ``p_wait``, ``service_level``
    (offered definition), ``service_level_answered``, ``asa_seconds``,
    ``abandon_rate``, ``occupancy``.  Cheaper than calling each function
    separately.  Parameters as in :func:`service_level`.
    """
    arr, index, scalar = validate_queue_inputs(
        calls_offered, interval_minutes, aht_seconds, agents,
        {"answer_within_seconds": answer_within_seconds,
         "short_abandon_seconds": short_abandon_seconds})
    check_range(arr["answer_within_seconds"], "answer_within_seconds", index, low=0, low_inclusive=True)
    check_range(arr["short_abandon_seconds"], "short_abandon_seconds", index, low=0, low_inclusive=True)
    shape = arr["calls_offered"].shape
    pat = _patience(patience_seconds, shape, index)
    flat = {k: np.array(v, dtype=float).reshape(-1) for k, v in arr.items()}
    full_shape = np.broadcast_shapes(shape, pat.shape)
    flat = {k: np.broadcast_to(v.reshape(shape), full_shape).reshape(-1) for k, v in flat.items()}
    res = queue_measures(flat["calls_offered"], flat["interval_minutes"], flat["aht_seconds"],
                flat["agents"], np.broadcast_to(pat, full_shape).reshape(-1),
                flat["answer_within_seconds"], flat["short_abandon_seconds"])
    frame = pd.DataFrame({
        "load_erlangs": res["load_erlangs"], "agents": flat["agents"], "p_wait": res["p_wait"],
        "service_level": res["service_level"],
        "service_level_answered": res["service_level_answered"],
        "asa_seconds": res["asa_seconds"], "abandon_rate": res["abandon_rate"],
        "occupancy": res["occupancy"]})
    if index is not None and len(index) == len(frame):
        frame.index = index
    return frame


def _metric(name, calls_offered, interval_minutes, aht_seconds, agents, patience_seconds,
            answer_within_seconds=None, short_abandon_seconds=None):
    extra = {}
    if answer_within_seconds is not None:
        extra["answer_within_seconds"] = answer_within_seconds
    if short_abandon_seconds is not None:
        extra["short_abandon_seconds"] = short_abandon_seconds
    arr, index, scalar = validate_queue_inputs(calls_offered, interval_minutes, aht_seconds, agents, extra)
    for k in extra:
        check_range(arr[k], k, index, low=0, low_inclusive=True)
    shape = arr["calls_offered"].shape
    pat = _patience(patience_seconds, shape, index)
    full = np.broadcast_shapes(shape, pat.shape)
    f = {k: np.broadcast_to(v, full).reshape(-1).astype(float) for k, v in arr.items()}
    res = queue_measures(f["calls_offered"], f["interval_minutes"], f["aht_seconds"], f["agents"],
                np.broadcast_to(pat, full).reshape(-1).astype(float),
                f.get("answer_within_seconds"), f.get("short_abandon_seconds"),
                with_asa=name == "asa_seconds")  # the ASA series is the costly part; only asa_seconds needs it
    return res, full, index, scalar


def service_level(calls_offered, interval_minutes, aht_seconds, agents, answer_within_seconds,
                  patience_seconds=None, definition="offered", *, short_abandon_seconds=5.0):
    """Service level: the share of calls answered within ``answer_within_seconds``.

    Parameters
    ----------
    calls_offered : float, array-like or Series
        Calls offered per interval [calls], >= 0.
    interval_minutes : float, array-like or Series
        Interval length [min], > 0.
    aht_seconds : float, array-like or Series
        Average handle time [s], > 0.
    agents : float, array-like or Series
        Agents on the phone [agents], >= 0.
    answer_within_seconds : float, array-like or Series
        Threshold T [s], >= 0.
    patience_seconds : float, array-like, Series or None
        Mean patience [s] of exponentially impatient callers (Erlang A);
        ``None`` or ``inf``: infinitely patient (Erlang C).
    definition : str
        One of :data:`SERVICE_LEVEL_DEFINITIONS`.  ``"offered"`` (default):
        answered within T divided by *offered* calls; callers who hang up count
        as not answered.  ``"answered"``: divided by answered calls.
        ``"offered_excl_short_abandons"``: callers who hang up within
        ``short_abandon_seconds`` are removed from the denominator.
        ``"abandons_within_target_as_answered"``: callers who hang up within T
        count as met.  Without patience all four coincide.
    short_abandon_seconds : float
        Threshold [s] for ``offered_excl_short_abandons``; default 5 s.

    Returns
    -------
    float, ndarray or Series
        Service level in [0, 1].  Zero calls give 1; Erlang C with
        ``load >= agents`` gives 0.

    Notes
    -----
    Erlang C: ``SL = 1 - C(n, a) exp(-(n - a) T / aht)`` [2]_.  Erlang A: see
    ``docs/staffing.md`` (derived from the offered-wait density of [3]_, [4]_).

    References
    ----------
    .. [2] G. Koole, Call Center Mathematics, 2007.
    .. [3] Garnett, Mandelbaum & Reiman, MSOM 4(3), 2002.
    .. [4] Mandelbaum & Zeltyn, "Service engineering in action: the Palm/Erlang-A queue", 2007.
    """
    if definition not in SERVICE_LEVEL_DEFINITIONS:
        raise WfmInputError(f"definition must be one of {sorted(SERVICE_LEVEL_DEFINITIONS)}, "
                            f"got {definition!r}")
    res, full, index, scalar = _metric("service_level", calls_offered, interval_minutes,
                                       aht_seconds, agents, patience_seconds,
                                       answer_within_seconds, short_abandon_seconds)
    if definition == "offered":
        v = res["service_level"]
    elif definition == "answered":
        v = res["service_level_answered"]
    elif definition == "offered_excl_short_abandons":
        denom = 1.0 - res["abandoned_within_short"]
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where(denom > 0, res["service_level"] / denom, 0.0)
    else:
        v = res["service_level"] + res["abandoned_within_T"]
    return _out(np.clip(v, 0.0, 1.0).reshape(full), index, scalar)


def p_wait(calls_offered, interval_minutes, aht_seconds, agents, patience_seconds=None):
    """Probability that a caller waits at all (is not answered on arrival).

    Erlang C when ``patience_seconds`` is None/inf, Erlang A otherwise
    (``A B / (1 + (A - 1) B)``, [3]_).  Parameters as in :func:`service_level`.

    References
    ----------
    .. [3] Garnett, Mandelbaum & Reiman, MSOM 4(3), 2002.
    """
    res, full, index, scalar = _metric("p_wait", calls_offered, interval_minutes, aht_seconds,
                                       agents, patience_seconds)
    return _out(res["p_wait"].reshape(full), index, scalar)


def asa_seconds(calls_offered, interval_minutes, aht_seconds, agents, patience_seconds=None):
    """Average speed of answer [s] of *answered* calls.

    Erlang C: ``C aht / (n - a)``, ``inf`` when ``a >= n``.  Erlang A: mean wait
    of served callers (series over the queue length seen on arrival; see
    ``docs/staffing.md``); ``inf`` only with 0 agents (nobody is answered).
    Parameters as in :func:`service_level`.

    References
    ----------
    .. [2] Koole, Call Center Mathematics, 2007.
    .. [4] Mandelbaum & Zeltyn, 2007.
    """
    res, full, index, scalar = _metric("asa_seconds", calls_offered, interval_minutes, aht_seconds,
                                       agents, patience_seconds)
    return _out(res["asa_seconds"].reshape(full), index, scalar)


def abandon_rate(calls_offered, interval_minutes, aht_seconds, agents, patience_seconds):
    """Share of offered calls that hang up before being answered (Erlang A).

    ``P(Ab) = P(W>0) (1 - (1 - 1/A) / rho)`` [3]_, [4]_.  With
    ``patience_seconds`` None or inf nobody hangs up and the result is 0.
    Parameters as in :func:`service_level`.

    References
    ----------
    .. [3] Garnett, Mandelbaum & Reiman, MSOM 4(3), 2002.
    .. [4] Mandelbaum & Zeltyn, 2007.
    """
    res, full, index, scalar = _metric("abandon_rate", calls_offered, interval_minutes,
                                       aht_seconds, agents, patience_seconds)
    return _out(res["abandon_rate"].reshape(full), index, scalar)


def wait_exceeds_probability(calls_offered, interval_minutes, aht_seconds, agents, wait_seconds,
                             patience_seconds=None):
    """Probability that a caller's *offered* wait (the wait until an agent would
    answer if the caller never hung up) exceeds ``wait_seconds``.

    Erlang C: ``C exp(-(n - a) t / aht)`` (1 when unstable).  Erlang A:
    ``P(W>0) gamma(x, y e^-theta t) / gamma(x, y)`` (see ``docs/staffing.md``).
    Used for call-back offers: callers whose wait would exceed a threshold.

    Parameters
    ----------
    wait_seconds : float, array-like or Series
        Threshold t [s], >= 0.  Other parameters as in :func:`service_level`.

    Returns
    -------
    float, ndarray or Series
        Probability in [0, 1].
    """
    w, idx = _as_array(wait_seconds, "wait_seconds")
    check_range(w, "wait_seconds", idx, low=0, low_inclusive=True)
    res, full, index, scalar = _metric("wait_exceeds", calls_offered, interval_minutes,
                                       aht_seconds, agents, patience_seconds, wait_seconds)
    return _out(res["wait_over_T"].reshape(full), index, scalar)


def occupancy(calls_offered, interval_minutes, aht_seconds, agents, patience_seconds=None):
    """Agent occupancy: share of agent time spent handling calls.

    ``a / n`` for Erlang C (1 when unstable), ``a (1 - P(Ab)) / n`` for Erlang A.
    With 0 agents and calls: 1 (saturated); with no calls: 0.
    Parameters as in :func:`service_level`.
    """
    res, full, index, scalar = _metric("occupancy", calls_offered, interval_minutes, aht_seconds,
                                       agents, patience_seconds)
    return _out(res["occupancy"].reshape(full), index, scalar)
