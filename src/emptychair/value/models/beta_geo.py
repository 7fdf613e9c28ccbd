"""BG/NBD: the beta-geometric / negative binomial model of repeat purchases.

Fader, Hardie and Lee (2005), "Counting your customers the easy way: an alternative to
the Pareto/NBD model", *Marketing Science* 24(2), 275-284.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from emptychair.value.models.base import Params, dot
from emptychair.value.models.inputs import SummaryData, group_codes
from emptychair.value.models.purchase import PurchaseModel, check_horizons, purchase_summary


class BetaGeoModel(PurchaseModel):
    r"""BG/NBD model of repeat purchases and dropout.

    While active, a customer buys at a Poisson rate :math:`\lambda`; after each repeat
    purchase they become inactive with probability :math:`p`. Across customers
    :math:`\lambda \sim \text{Gamma}(r, \alpha)` and :math:`p \sim \text{Beta}(a, b)`.
    The likelihood of one customer with ``x`` repeat purchases, the last at
    :math:`t_x`, observed for :math:`T` since the first purchase, is

    .. math::

        L = \frac{B(a, b + x)}{B(a, b)} \frac{\Gamma(r + x) \alpha^r}{\Gamma(r)
        (\alpha + T)^{r + x}} + \delta_{x > 0} \frac{B(a + 1, b + x - 1)}{B(a, b)}
        \frac{\Gamma(r + x) \alpha^r}{\Gamma(r) (\alpha + t_x)^{r + x}}

    computed in log space. ``alpha`` is in the time unit of the summary.

    A customer without repeat purchases gets :math:`P(\text{alive}) = 1`: the model
    only lets customers drop out right after a purchase. This is the model's definition,
    not a bug; :class:`ModifiedBetaGeoModel` lets them drop out at time zero too.

    Data: columns ``frequency`` (repeat purchases), ``recency`` and ``T``.
    """

    parameter_names = ("r", "alpha", "a", "b")
    scale_exponents = (0, 1, 0, 0)

    def _log_likelihood(
        self, params: np.ndarray, data: dict[str, np.ndarray]
    ) -> tuple[float, np.ndarray]:
        r, alpha, a, b = params
        ux, idx, x, weight = data["unique_x"], data["x_index"], data["x"], data["_weight"]
        x_weight = data["x_weight"]
        # Terms that depend on x only: computed once per distinct x, weighted by the
        # number of customers with that x.
        ab = a + b
        shared = (
            special.gammaln(r + ux)
            - special.gammaln(r)
            + r * np.log(alpha)
            + special.gammaln(b + ux)
            - special.gammaln(ab + ux)
            - special.gammaln(b)
            + special.gammaln(ab)
        )
        d_r = special.digamma(r + ux) - special.digamma(r) + np.log(alpha)
        d_a = special.digamma(ab) - special.digamma(ab + ux)
        d_b = special.digamma(b + ux) - special.digamma(b) + d_a
        repeat_x = ux > 0
        bx1 = np.where(repeat_x, b + ux - 1, 1.0)
        inverse_bx1 = np.where(repeat_x, 1 / bx1, 0.0)
        log_odds = np.where(repeat_x, np.log(a) - np.log(bx1), -np.inf)
        # Terms of each row: the two ways to have made x purchases by T (still active,
        # or dropped out after the last purchase at t_x), mixed in log space.
        rx = r + x
        alpha_T = alpha + data["T"]
        alpha_tx = alpha + data["t_x"]
        log_alpha_T = np.log(alpha_T)
        log_alpha_tx = np.log(alpha_tx)
        first = -rx * log_alpha_T
        second = log_odds[idx] - rx * log_alpha_tx
        mix = np.logaddexp(first, second)
        dropped = weight * np.exp(second - mix)  # weight of the "dropped out" branch
        active = weight - dropped
        dropped_x = np.bincount(idx, weights=dropped, minlength=len(ux))
        total = float(x_weight @ shared) + dot(weight, mix)
        gradient = np.array(
            [
                x_weight @ d_r - dot(active, log_alpha_T) - dot(dropped, log_alpha_tx),
                r / alpha * weight.sum()
                - dot(active * rx, 1 / alpha_T)
                - dot(dropped * rx, 1 / alpha_tx),
                x_weight @ d_a + dropped_x.sum() / a,
                x_weight @ d_b - dropped_x @ inverse_bx1,
            ]
        )
        return total, gradient

    # -- predictions ----------------------------------------------------------------

    def probability_alive(self, data: SummaryData, params: Params = None) -> np.ndarray:
        r"""Probability that each customer is still active at the end of their ``T``.

        .. math:: P(\text{alive}) = 1 \Big/ \left(1 + \delta_{x>0} \frac{a}{b + x - 1}
                  \left(\frac{\alpha + T}{\alpha + t_x}\right)^{r + x}\right)
        """
        r, alpha, a, b = self._params(params)
        x, t_x, T = purchase_summary(data)
        return special.expit(-_log_odds_dead(r, alpha, a, b, x, t_x, T))

    def expected_purchases_parts(
        self, data: SummaryData, t: float | np.ndarray, params: Params = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r, alpha, a, b = self._params(params)
        x, t_x, T = purchase_summary(data)
        horizons = check_horizons(t)
        codes, first = group_codes(x, T)
        px, pT = x[first, None], T[first, None]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            z = horizons / (alpha + pT + horizons)
            hyper = special.hyp2f1(r + px, b + px, a + b + px - 1, z)
            numerator = 1 - np.exp((r + px) * np.log1p(-z)) * hyper
            curve = (a + b + px - 1) / (a - 1) * numerator
        log_alive = -np.logaddexp(0.0, _log_odds_dead(r, alpha, a, b, x, t_x, T))
        return log_alive, curve, codes

    def expected_purchases_new_customer(
        self, t: float | np.ndarray, params: Params = None
    ) -> np.ndarray:
        r"""Expected repeat purchases in ``t`` of a customer who has just made a first one.

        .. math:: E[X(t)] = \frac{a + b - 1}{a - 1}\left[1 - \left(\frac{\alpha}{\alpha + t}
                  \right)^r {}_2F_1\left(r, b; a + b - 1; \frac{t}{\alpha + t}\right)\right]
        """
        r, alpha, a, b = self._params(params)
        t = np.asarray(t, dtype=np.float64)
        hyper = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyper)


def _log_odds_dead(
    r: float, alpha: float, a: float, b: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """log of ``a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)``; -inf when x = 0."""
    repeat = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds = (
            np.log(a)
            - np.log(np.where(repeat, b + x - 1, 1.0))
            + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        )
    return np.where(repeat, log_odds, -np.inf)
