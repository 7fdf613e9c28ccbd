"""Pareto/NBD: the negative binomial model of repeat purchases with exponential lifetimes.

Schmittlein, Morrison and Colombo (1987), "Counting your customers: who are they and what
will they do next?", *Management Science* 33(1), 1-24. The likelihood follows Fader,
Hardie and Lee (2005), "A note on implementing the Pareto/NBD model in MATLAB", and Fader
and Hardie (2005), "A note on deriving the Pareto/NBD model and related expressions".
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import special

from emptychair.value.models.base import Params, dot
from emptychair.value.models.inputs import SummaryData, group_codes
from emptychair.value.models.purchase import PurchaseModel, check_horizons, purchase_summary

#: Argument up to which the hypergeometric series is summed; beyond, its integral is used.
SERIES_LIMIT = 0.9
#: Rows summed together (in cache); each block sums the terms its largest argument needs.
BLOCK_ROWS = 16384
#: Step of the trapezoidal rule on the log scale (error about exp(-pi^2 / step)).
QUADRATURE_STEP = 0.25
#: How far (in log) below the integrand's own scale the rule starts (e^-36 ≈ 2e-16).
LEFT_CUT = 36.0
#: Rows evaluated together by the quadrature (bounds the memory it uses).
QUADRATURE_ROWS = 256


class ParetoNBDModel(PurchaseModel):
    r"""Pareto/NBD model of repeat purchases and dropout.

    While alive, a customer buys at a Poisson rate :math:`\lambda`; their lifetime is
    exponential with rate :math:`\mu`. Across customers
    :math:`\lambda \sim \text{Gamma}(r, \alpha)` and :math:`\mu \sim \text{Gamma}(s, \beta)`.
    Given the rates, a customer with ``x`` repeat purchases, the last at :math:`t_x`,
    observed for :math:`T` since the first purchase, was either alive at :math:`T` or died
    between :math:`t_x` and :math:`T`:

    .. math::

        L(\lambda, \mu) = \frac{\lambda^x}{\lambda + \mu}
        \left(\lambda e^{-(\lambda + \mu) T} + \mu e^{-(\lambda + \mu) t_x}\right).

    Writing :math:`1 / (\lambda + \mu) = \int_0^\infty e^{-(\lambda + \mu) u} du` and
    integrating over the two gamma distributions gives a sum of two positive terms (the
    note's difference of two hypergeometric terms, rearranged so that nothing cancels):

    .. math::

        L = \frac{\Gamma(r + x) \alpha^r \beta^s}{\Gamma(r)}
        \left[(r + x)\, I(T;\, r + x + 1, s) + s\, I(t_x;\, r + x, s + 1)\right],
        \qquad I(t; m, n) = \int_t^\infty (\alpha + \tau)^{-m} (\beta + \tau)^{-n} d\tau.

    As in the note, the branch puts the larger of :math:`\alpha, \beta` (say :math:`A`,
    with exponent :math:`m_A`; the smaller :math:`B` has :math:`n_B`) in the argument,
    which then lies in :math:`[0, 1)`:

    .. math::

        I = \frac{(A + t)^{-m_A} (B + t)^{1 - n_B}}{m_A + n_B - 1}
        \, {}_2F_1\!\left(1, m_A; m_A + n_B; z\right), \qquad z = \frac{A - B}{A + t}.

    The Gauss series of this :math:`{}_2F_1` has positive terms only. It is summed, with
    its derivatives in :math:`m_A`, :math:`n_B` and :math:`z` term by term (so the gradient
    is analytic), for :math:`z \le 0.9`. Closer to 1 (unequal :math:`\alpha, \beta` and
    small :math:`t`), where ``scipy.special.hyp2f1`` returns NaN once ``x`` is in the
    hundreds, the same function is computed from its integral form
    :math:`k (1 - z)^{n_B - 1} \int_0^\infty e^{-k w} (1 - z e^{-w})^{-n_B} dw`,
    :math:`k = m_A + n_B - 1`, by the trapezoidal rule on a logarithmic grid, which
    converges geometrically for this integrand (relative error below 1e-13). Everything
    stays in log space.

    ``alpha`` and ``beta`` are in the time unit of the summary. Data: columns
    ``frequency`` (repeat purchases), ``recency`` (0 when ``frequency`` is 0) and ``T``.
    """

    parameter_names = ("r", "alpha", "s", "beta")
    scale_exponents = (0, 1, 0, 1)

    def _prepare(self, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return _pairs(data)

    def _starting_points(self, data: dict[str, np.ndarray]) -> list[np.ndarray]:
        return [np.array(start) for start in ([1.0, 1.0, 1.0, 1.0], [0.5, 3.0, 0.5, 3.0])]

    def _log_likelihood(
        self, params: np.ndarray, data: dict[str, np.ndarray]
    ) -> tuple[float, np.ndarray]:
        r, alpha, s, beta = params
        weight, unique_x, x_weight = data["_weight"], data["unique_x"], data["x_weight"]
        terms = _log_terms(params, data)
        mix = np.logaddexp(terms.alive, terms.died)
        # Customers behind each term: the weight of each row, shared between its terms.
        alive_share = weight * np.exp(terms.alive - mix)
        died_share = weight - alive_share
        customers = float(weight.sum())
        shared = special.gammaln(r + unique_x) - special.gammaln(r)
        total = float(x_weight @ shared) + dot(weight, mix)
        total += customers * (r * np.log(alpha) + s * np.log(beta))
        gradient = terms.alive_gradient.T @ np.bincount(
            data["alive_index"], weights=alive_share, minlength=len(data["alive_x"])
        )
        gradient += terms.died_gradient.T @ np.bincount(
            data["died_index"], weights=died_share, minlength=len(data["died_x"])
        )
        gradient += [
            x_weight @ (special.digamma(r + unique_x) - special.digamma(r))
            + customers * np.log(alpha)
            + dot(alive_share, 1 / (r + data["x"])),
            customers * r / alpha,
            customers * np.log(beta) + died_share.sum() / s,
            customers * s / beta,
        ]
        return total, gradient

    # -- predictions ----------------------------------------------------------------

    def probability_alive(self, data: SummaryData, params: Params = None) -> np.ndarray:
        r"""Probability that each customer is still active at the end of their ``T``.

        .. math:: P(\text{alive}) = \frac{\Gamma(r + x) \alpha^r \beta^s}{\Gamma(r)}
                  \frac{(\alpha + T)^{-(r + x)} (\beta + T)^{-s}}{L(r, \alpha, s, \beta
                  \mid x, t_x, T)}
        """
        return np.exp(_log_alive(self._params(params), *purchase_summary(data)))

    def expected_purchases_parts(
        self, data: SummaryData, t: float | np.ndarray, params: Params = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values = self._params(params)
        r, alpha, s, beta = values
        x, t_x, T = purchase_summary(data)
        horizons = check_horizons(t)
        codes, first = group_codes(x, T)
        px, pT = x[first, None], T[first, None]
        curve = (r + px) / (alpha + pT) * _lifetime_integral(s, beta + pT, horizons)
        return _log_alive(values, x, t_x, T), curve, codes

    def expected_purchases_new_customer(
        self, t: float | np.ndarray, params: Params = None
    ) -> np.ndarray:
        r"""Expected repeat purchases in ``t`` of a customer who has just made a first one.

        .. math:: E[X(t)] = \frac{r \beta}{\alpha (s - 1)}
                  \left[1 - \left(\frac{\beta}{\beta + t}\right)^{s - 1}\right]
        """
        r, alpha, s, beta = self._params(params)
        t = np.asarray(t, dtype=np.float64)
        return r / alpha * _lifetime_integral(s, beta, t)


def _pairs(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The distinct (x, T) and (x, t_x) pairs, which the two terms of the likelihood depend
    on, each by decreasing time: the argument of the hypergeometric function then
    increases along them whatever the parameters."""
    prepared = dict(data)
    for name, time in (("alive", "T"), ("died", "t_x")):
        codes, first = group_codes(data["x"], data[time])
        order = np.argsort(-data[time][first], kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        prepared[f"{name}_index"] = rank[codes]
        prepared[f"{name}_x"] = data["x"][first][order]
        prepared[f"{name}_t"] = data[time][first][order]
    if "_weight" in data:
        unique_x, x_index = np.unique(data["x"], return_inverse=True)
        prepared["unique_x"] = unique_x
        prepared["x_weight"] = np.bincount(x_index, weights=data["_weight"])
    return prepared


def _log_alive(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    r, alpha, s, beta = params
    terms = _log_terms(params, _pairs({"x": x, "t_x": t_x, "T": T}))
    mix = np.logaddexp(terms.alive, terms.died)
    return np.minimum(-(r + x) * np.log(alpha + T) - s * np.log(beta + T) - mix, 0.0)


def _lifetime_integral(s: float, start: np.ndarray | float, t: np.ndarray | float) -> np.ndarray:
    """``start / (s - 1) * (1 - (start / (start + t)) ** (s - 1))``, stable near s = 1."""
    log_growth = np.log1p(np.asarray(t) / start)
    return start * log_growth * special.exprel(-(s - 1) * log_growth)


class _Terms(NamedTuple):
    """The two terms of each row, ``log (r + x) I(T; r+x+1, s)`` and
    ``log s I(t_x; r+x, s+1)``, and the gradients (pairs, 4) of their pair integrals."""

    alive: np.ndarray
    died: np.ndarray
    alive_gradient: np.ndarray
    died_gradient: np.ndarray


def _log_terms(params: np.ndarray, data: dict[str, np.ndarray]) -> _Terms:
    r, _, s, _ = params
    alive, alive_gradient = _log_integral(params, data["alive_t"], data["alive_x"], 1.0, 0.0)
    died, died_gradient = _log_integral(params, data["died_t"], data["died_x"], 0.0, 1.0)
    return _Terms(
        np.log(r + data["x"]) + alive[data["alive_index"]],
        np.log(s) + died[data["died_index"]],
        alive_gradient,
        died_gradient,
    )


def _log_integral(
    params: np.ndarray, t: np.ndarray, x: np.ndarray, shift_r: float, shift_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """log I(t; r + x + shift_r, s + shift_s) and its gradient (n, 4) in (r, alpha, s, beta),
    with the larger of alpha and beta in the argument of the hypergeometric function,
    block by block so that the arrays stay in the processor's cache."""
    r, alpha, s, beta = params
    m, n = r + x + shift_r, np.full_like(x, s + shift_s)
    swap = alpha < beta
    big, small = (beta, alpha) if swap else (alpha, beta)
    out = np.empty((5, len(t)))
    for start in range(0, len(t), BLOCK_ROWS):
        rows = slice(start, start + BLOCK_ROWS)
        exponents = (n[rows], m[rows]) if swap else (m[rows], n[rows])
        out[:, rows] = _log_tail(t[rows], big, small, *exponents)
    value, d_big_exponent, d_small_exponent, d_big, d_small = out
    if swap:
        return value, np.column_stack([d_small_exponent, d_small, d_big_exponent, d_big])
    return value, np.column_stack([d_big_exponent, d_big, d_small_exponent, d_small])


def _log_tail(t: np.ndarray, big: float, small: float, m: np.ndarray, n: np.ndarray) -> np.ndarray:
    """log of :math:`\\int_t^\\infty (big + \\tau)^{-m} (small + \\tau)^{-n} d\\tau` for
    ``big >= small`` and ``t`` in decreasing order, and its derivatives in ``m``, ``n``,
    ``big`` and ``small`` (rows of a (5, len(t)) array)."""
    log_big, log_small = np.log(big + t), np.log(small + t)
    z = (big - small) / (big + t)  # increasing, as t decreases
    omega = (small + t) / (big + t)  # 1 - z, without cancellation
    k = m + n - 1
    split = int(np.searchsorted(z, SERIES_LIMIT, side="right"))
    log_f, f_m, f_n, f_z = np.concatenate(
        [
            _hypergeometric_series(m[:split], n[:split], z[:split]),
            _hypergeometric_integral(m[split:], n[split:], z[split:], omega[split:]),
        ],
        axis=1,
    )
    return np.stack(
        [
            -m * log_big + (1 - n) * log_small - np.log(k) + log_f,
            -log_big - 1 / k + f_m,
            -log_small - 1 / k + f_n,
            -m / (big + t) + f_z * omega / (big + t),
            (1 - n) / (small + t) - f_z / (big + t),
        ]
    )


def _hypergeometric_series(m: np.ndarray, n: np.ndarray, z: np.ndarray) -> np.ndarray:
    """:math:`\\log {}_2F_1(1, m; m + n; z)` and its derivatives in m, n and z (rows of a
    (4, len(z)) array), summing the Gauss series and its derivatives term by term."""
    if len(z) == 0:
        return np.empty((4, 0))
    largest = float(z.max())
    terms = 1 if largest == 0 else int(np.ceil(np.log(1e-16) / np.log(largest))) + 1
    term, total = np.ones_like(z), np.ones_like(z)
    sum_m, sum_n = np.zeros_like(z), np.zeros_like(z)
    f_m, f_n, f_z = np.zeros_like(z), np.zeros_like(z), np.zeros_like(z)
    numerator, denominator = m.copy(), m + n  # m + j, m + n + j
    for j in range(terms):
        inverse = 1 / denominator
        ratio = numerator * inverse
        f_z += (j + 1) * term * ratio
        sum_m += 1 / numerator - inverse
        sum_n -= inverse
        term *= ratio * z
        total += term
        f_m += term * sum_m
        f_n += term * sum_n
        numerator += 1
        denominator += 1
        if j % 8 == 7 and np.all(term < 1e-16 * total):
            break  # the terms decrease geometrically: the rest is negligible
    return np.stack([np.log(total), f_m / total, f_n / total, f_z / total])


def _hypergeometric_integral(
    m: np.ndarray, n: np.ndarray, z: np.ndarray, omega: np.ndarray
) -> np.ndarray:
    """Same as :func:`_hypergeometric_series`, for ``z`` close to 1, from

    .. math:: {}_2F_1(1, m; m + n; z) = k (1 - z)^{n - 1}
              \\int_0^\\infty e^{-k w} (1 - z e^{-w})^{-n} dw, \\qquad k = m + n - 1,

    by the trapezoidal rule in :math:`u = \\log(k w)`, from ``LEFT_CUT`` below the scale
    where the integrand turns from its value at 0 to its decay, up to :math:`k w = 40`.
    """
    k = m + n - 1
    scale = np.minimum(1.0, k * omega / (z * np.maximum(n, 1.0)))
    order = np.argsort(scale)  # rows that need as many nodes go together
    out = np.empty((4, len(z)))
    for start in range(0, len(z), QUADRATURE_ROWS):
        rows = order[start : start + QUADRATURE_ROWS]
        out[:, rows] = _trapezoid(k[rows], n[rows], z[rows], omega[rows], scale[rows])
    return out


def _trapezoid(
    k: np.ndarray, n: np.ndarray, z: np.ndarray, omega: np.ndarray, scale: np.ndarray
) -> np.ndarray:
    count = int(np.ceil((np.log(40.0) - np.log(scale.min()) + LEFT_CUT) / QUADRATURE_STEP))
    steps = QUADRATURE_STEP * np.arange(count + 1) - LEFT_CUT
    u = np.log(scale)[:, None] + steps
    y = scale[:, None] * np.exp(steps)
    w = y / k[:, None]
    shrink = np.expm1(-w)  # e^{-w} - 1
    base = omega[:, None] - z[:, None] * shrink  # 1 - z e^{-w}
    log_base = np.log(base)
    log_terms = u - y - n[:, None] * log_base
    top = log_terms.max(axis=1)
    weights = np.exp(log_terms - top[:, None])
    total = weights.sum(axis=1)
    weights /= total[:, None]
    log_integral = top + np.log(total * QUADRATURE_STEP) - np.log(k)
    d_k = -(weights * w).sum(axis=1)
    d_n = -(weights * log_base).sum(axis=1)
    d_z = n * (weights * (1 + shrink) / base).sum(axis=1)
    log_f = np.log(k) + (n - 1) * np.log(omega) + log_integral
    f_m = 1 / k + d_k
    f_n = 1 / k + np.log(omega) + d_k + d_n
    f_z = d_z - (n - 1) / omega
    return np.stack([log_f, f_m, f_n, f_z])
