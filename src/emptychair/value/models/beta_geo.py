"""BG/NBD: the beta-geometric / negative binomial model of repeat purchases.

Fader, Hardie and Lee (2005), "Counting your customers the easy way: an alternative to
the Pareto/NBD model", *Marketing Science* 24(2), 275-284.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import special

from emptychair.errors import ModelDataError
from emptychair.value.models.base import CustomerValueModel, dot
from emptychair.value.models.inputs import (
    Compressed,
    SummaryData,
    check_integer,
    check_not_after,
    group_codes,
    summary_columns,
)

COLUMNS = ("frequency", "recency", "T")


class BetaGeoModel(CustomerValueModel):
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

    def _statistics(self, data: SummaryData) -> dict[str, np.ndarray]:
        columns = summary_columns(data, COLUMNS)
        check_integer("frequency", columns["frequency"])
        check_not_after("recency", "T", columns)
        return {"x": columns["frequency"], "t_x": columns["recency"], "T": columns["T"]}

    def _check_support(self, data: Compressed) -> None:
        check_purchase_support(data)

    def _data_scale(self, columns: dict[str, np.ndarray]) -> float:
        return time_scale(columns["T"])

    def _rescale(self, columns: dict[str, np.ndarray], scale: float) -> dict[str, np.ndarray]:
        return {"x": columns["x"], "t_x": columns["t_x"] / scale, "T": columns["T"] / scale}

    def _prepare(self, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        unique_x, x_index = np.unique(data["x"], return_inverse=True)
        weight = data["_weight"]
        return {
            **data,
            "unique_x": unique_x,
            "x_index": x_index,
            "x_weight": np.bincount(x_index, weights=weight, minlength=len(unique_x)),
            "repeat": data["x"] > 0,
        }

    def _starting_points(self, data: dict[str, np.ndarray]) -> list[np.ndarray]:
        return [np.array(start) for start in ([1.0, 1.0, 1.0, 1.0], [0.5, 5.0, 0.5, 2.0])]

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

    def probability_alive(
        self, data: SummaryData, params: Sequence[float] | None = None
    ) -> np.ndarray:
        r"""Probability that each customer is still active at the end of their ``T``.

        .. math:: P(\text{alive}) = 1 \Big/ \left(1 + \delta_{x>0} \frac{a}{b + x - 1}
                  \left(\frac{\alpha + T}{\alpha + t_x}\right)^{r + x}\right)
        """
        r, alpha, a, b = self._params(params)
        x, t_x, T = _summary(data)
        return special.expit(-_log_odds_dead(r, alpha, a, b, x, t_x, T))

    def expected_purchases(
        self, data: SummaryData, t: float | np.ndarray, params: Sequence[float] | None = None
    ) -> np.ndarray:
        r"""Expected repeat purchases of each customer in the next ``t`` time units.

        .. math:: E[Y(t) \mid x, t_x, T] = \frac{a + b + x - 1}{a - 1}
                  \frac{1 - \left(\frac{\alpha + T}{\alpha + T + t}\right)^{r + x}
                  {}_2F_1\left(r + x, b + x; a + b + x - 1; \frac{t}{\alpha + T + t}\right)}
                  {1 + \delta_{x>0} \frac{a}{b + x - 1}
                  \left(\frac{\alpha + T}{\alpha + t_x}\right)^{r + x}}

        ``t`` may be one horizon (result ``(n,)``) or a 1-D array of horizons (result
        ``(n, len(t))``). The hypergeometric term depends on ``x`` and ``T`` only, so it
        is evaluated once per distinct pair.
        """
        log_alive, curve, codes = self.expected_purchases_parts(data, t, params)
        expected = np.exp(log_alive)[:, None] * curve[codes]
        return expected[:, 0] if np.ndim(t) == 0 else expected

    def expected_purchases_parts(
        self, data: SummaryData, t: float | np.ndarray, params: Sequence[float] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The two factors of :meth:`expected_purchases`: log P(alive) of each row, and
        the purchases expected of an active customer, ``(pairs, len(t))``, for each
        distinct ``(x, T)`` pair, with the pair of each row (CLV uses them to stay fast
        on millions of customers)."""
        r, alpha, a, b = self._params(params)
        x, t_x, T = _summary(data)
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
        self, t: float | np.ndarray, params: Sequence[float] | None = None
    ) -> np.ndarray:
        r"""Expected repeat purchases in ``t`` of a customer who has just made a first one.

        .. math:: E[X(t)] = \frac{a + b - 1}{a - 1}\left[1 - \left(\frac{\alpha}{\alpha + t}
                  \right)^r {}_2F_1\left(r, b; a + b - 1; \frac{t}{\alpha + t}\right)\right]
        """
        r, alpha, a, b = self._params(params)
        t = np.asarray(t, dtype=np.float64)
        hyper = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyper)


def _summary(data: SummaryData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    columns = summary_columns(data, COLUMNS)
    return columns["frequency"], columns["recency"], columns["T"]


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


def check_horizons(t: float | np.ndarray) -> np.ndarray:
    """Horizons as a row vector; a clear error for negative or missing ones."""
    horizons = np.atleast_1d(np.asarray(t, dtype=np.float64))
    if horizons.ndim != 1 or not np.all(np.isfinite(horizons)) or np.any(horizons < 0):
        raise ModelDataError(f"horizons must be finite numbers of 0 or more, got {t}")
    return horizons[None, :]


def time_scale(T: np.ndarray) -> float:
    """Divide times by a tenth of the longest observation, so they run from 0 to 10."""
    longest = float(np.max(T, initial=0.0))
    return longest / 10 if longest > 0 else 1.0


def check_purchase_support(data: Compressed) -> None:
    """Purchase models need repeat buyers and some time of observation."""
    x, T, counts = data.columns["x"], data.columns["T"], data.counts
    if not (counts[T > 0].sum() > 0):
        raise ModelDataError(
            "every customer has T = 0 (all purchases on the cut-off day): there is no "
            "time of observation to learn purchase rates from; choose a later cut-off"
        )
    if not (counts[x > 0].sum() > 0):
        raise ModelDataError(
            "no customer has a repeat purchase: purchase rates and dropout cannot be "
            "told apart; purchase models need repeat buyers (frequency > 0)"
        )
