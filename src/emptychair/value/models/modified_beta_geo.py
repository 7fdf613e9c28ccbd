"""MBG/NBD: the modified beta-geometric / negative binomial model of repeat purchases.

Batislam, Denizel and Filiztekin (2007), "Empirical validation and comparison of models for
customer base analysis", *International Journal of Research in Marketing* 24(3), 201-209;
the conditional expectation as corrected by Wagner and Hoppe (2008), "Erratum on the MBG/NBD
model", *International Journal of Research in Marketing* 25(3), 225-226.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from emptychair.value.models.base import Params, dot
from emptychair.value.models.inputs import SummaryData, group_codes
from emptychair.value.models.purchase import PurchaseModel, check_horizons, purchase_summary


class ModifiedBetaGeoModel(PurchaseModel):
    r"""MBG/NBD model of repeat purchases and dropout.

    As in BG/NBD, while active a customer buys at a Poisson rate :math:`\lambda`, with
    :math:`\lambda \sim \text{Gamma}(r, \alpha)` and a dropout probability
    :math:`p \sim \text{Beta}(a, b)`; but the customer may drop out right after the first
    purchase too (at time 0), not only after each repeat purchase. The likelihood of a
    customer with ``x`` repeat purchases, the last at :math:`t_x`, observed for :math:`T`
    since the first purchase, is

    .. math::

        L = \frac{B(a, b + x + 1)}{B(a, b)} \frac{\Gamma(r + x) \alpha^r}{\Gamma(r)
        (\alpha + T)^{r + x}} + \frac{B(a + 1, b + x)}{B(a, b)}
        \frac{\Gamma(r + x) \alpha^r}{\Gamma(r) (\alpha + t_x)^{r + x}}

    for every ``x``, 0 included (with :math:`t_x = 0`); it is computed in log space with an
    analytic gradient. Customers without repeat purchases therefore get
    :math:`P(\text{alive}) < 1`, unlike BG/NBD. ``alpha`` is in the time unit of the
    summary.

    Data: columns ``frequency`` (repeat purchases), ``recency`` (0 when ``frequency`` is 0)
    and ``T``.
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
            + special.gammaln(b + ux + 1)
            - special.gammaln(ab + ux + 1)
            - special.gammaln(b)
            + special.gammaln(ab)
        )
        d_r = special.digamma(r + ux) - special.digamma(r) + np.log(alpha)
        d_a = special.digamma(ab) - special.digamma(ab + ux + 1)
        d_b = special.digamma(b + ux + 1) - special.digamma(b) + d_a
        # Terms of each row: still active at T, or dropped out right after the purchase
        # at t_x (at time 0 when x = 0), mixed in log space.
        rx = r + x
        alpha_T = alpha + data["T"]
        alpha_tx = alpha + data["t_x"]
        log_alpha_T = np.log(alpha_T)
        log_alpha_tx = np.log(alpha_tx)
        active = -rx * log_alpha_T
        dropped = (np.log(a) - np.log(b + ux))[idx] - rx * log_alpha_tx
        mix = np.logaddexp(active, dropped)
        dropped_weight = weight * np.exp(dropped - mix)
        active_weight = weight - dropped_weight
        dropped_x = np.bincount(idx, weights=dropped_weight, minlength=len(ux))
        total = float(x_weight @ shared) + dot(weight, mix)
        gradient = np.array(
            [
                x_weight @ d_r
                - dot(active_weight, log_alpha_T)
                - dot(dropped_weight, log_alpha_tx),
                r / alpha * weight.sum()
                - dot(active_weight * rx, 1 / alpha_T)
                - dot(dropped_weight * rx, 1 / alpha_tx),
                x_weight @ d_a + dropped_x.sum() / a,
                x_weight @ d_b - dropped_x @ (1 / (b + ux)),
            ]
        )
        return total, gradient

    # -- predictions ----------------------------------------------------------------

    def probability_alive(self, data: SummaryData, params: Params = None) -> np.ndarray:
        r"""Probability that each customer is still active at the end of their ``T``.

        .. math:: P(\text{alive}) = 1 \Big/ \left(1 + \frac{a}{b + x}
                  \left(\frac{\alpha + T}{\alpha + t_x}\right)^{r + x}\right)

        (Batislam et al. 2007); below 1 for customers without repeat purchases too.
        """
        return special.expit(-_log_odds_dead(self._params(params), *purchase_summary(data)))

    def expected_purchases_parts(
        self, data: SummaryData, t: float | np.ndarray, params: Params = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values = self._params(params)
        x, t_x, T = purchase_summary(data)
        horizons = check_horizons(t)
        codes, first = group_codes(x, T)
        curve = _purchases_while_active(values, x[first, None], T[first, None], horizons)
        log_alive = -np.logaddexp(0.0, _log_odds_dead(values, x, t_x, T))
        return log_alive, curve, codes

    def expected_purchases_new_customer(
        self, t: float | np.ndarray, params: Params = None
    ) -> np.ndarray:
        r"""Expected repeat purchases in ``t`` of a customer who has just made a first one.

        .. math:: E[X(t)] = \frac{b}{a - 1}\left[1 - \left(\frac{\alpha}{\alpha + t}
                  \right)^r {}_2F_1\left(r, b + 1; a + b; \frac{t}{\alpha + t}\right)\right]

        that is, the probability :math:`b / (a + b)` of not dropping out at once, times
        the purchases of a customer active at time 0.
        """
        values = self._params(params)
        a, b = values[2:]
        t = np.asarray(t, dtype=np.float64)
        return b / (a + b) * _purchases_while_active(values, 0.0, 0.0, t)


def _log_odds_dead(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """log of ``a / (b + x) * ((alpha + T) / (alpha + t_x)) ** (r + x)``."""
    r, alpha, a, b = params
    return np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))


def _purchases_while_active(
    params: np.ndarray, x: np.ndarray | float, T: np.ndarray | float, t: np.ndarray
) -> np.ndarray:
    """Expected purchases in ``t`` of a customer known to be active at ``T`` after ``x``."""
    r, alpha, a, b = params
    log_kept = np.log(alpha + T) - np.log(alpha + T + t)  # log(1 - z)
    z = -np.expm1(log_kept)
    hyper = special.hyp2f1(a + b - r, a - 1, a + b + x, z)
    return (a + b + x) / (a - 1) * (1 - np.exp((a - 1) * log_kept) * hyper)
