"""BG/BB: the beta-geometric / beta-Bernoulli model of transactions at discrete
opportunities (yearly donations, weekly shows, monthly renewals that may be skipped).

Fader, Hardie and Shang (2010), "Customer-base analysis in a discrete-time
noncontractual setting", *Marketing Science* 29(6), 1086-1108 (first circulated by
Fader, Hardie and Berger as "Customer-base analysis with discrete-time transaction
data"). On its donations data (11,104 supporters, 6 yearly opportunities) the paper
reports alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783 and LL = -33,225.6.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from emptychair.errors import ModelDataError
from emptychair.value.models.base import CustomerValueModel, Params
from emptychair.value.models.inputs import (
    Compressed,
    SummaryData,
    check_integer,
    compress,
    summary_columns,
)

COLUMNS = ("frequency", "recency", "n_periods")


class BetaGeoBetaBinomModel(CustomerValueModel):
    r"""BG/BB model of transactions at discrete opportunities and dropout.

    At each opportunity an active customer transacts with probability :math:`p` and,
    after it, stays active with probability :math:`1 - \theta`. Across customers
    :math:`p \sim \text{Beta}(\alpha, \beta)` and :math:`\theta \sim
    \text{Beta}(\gamma, \delta)`. The likelihood of one customer with ``x``
    transactions in ``n`` opportunities, the last at opportunity :math:`t_x`, is

    .. math::

        L = \frac{B(\alpha + x, \beta + n - x)}{B(\alpha, \beta)}
        \frac{B(\gamma, \delta + n)}{B(\gamma, \delta)}
        + \sum_{i=0}^{n - t_x - 1}
        \frac{B(\alpha + x, \beta + t_x - x + i)}{B(\alpha, \beta)}
        \frac{B(\gamma + 1, \delta + t_x + i)}{B(\gamma, \delta)}

    (Fader, Hardie and Shang 2010): the first term is the customer still alive
    at opportunity ``n``, each term of the sum a customer who dropped out right after
    opportunity :math:`t_x + i`. All terms are computed in log space and summed with
    log-sum-exp. The parameters only ever meet the counts as :math:`a + k` with an
    integer :math:`k`, so each evaluation needs the log-gamma and digamma functions at
    ``max(n) + 2`` points only; the gradient is the weighted mean of the gradients of
    the terms.

    Nothing carries a unit: opportunities are counted, not timed.

    Data: columns ``frequency`` (repeat transactions ``x``), ``recency`` (the
    opportunity of the last one, :math:`t_x`, 0 when ``x = 0``) and ``n_periods``
    (opportunities observed, ``n``); summaries are usually compressed, with a weight
    per row.
    """

    parameter_names = ("alpha", "beta", "gamma", "delta")
    scale_exponents = (0, 0, 0, 0)

    def _statistics(self, data: SummaryData) -> dict[str, np.ndarray]:
        columns = summary_columns(data, COLUMNS)
        for name in COLUMNS:
            check_integer(name, columns[name])
        x, t_x, n = columns["frequency"], columns["recency"], columns["n_periods"]
        _check_order(x, t_x, n)
        return {"x": x, "t_x": t_x, "n": n}

    def _check_support(self, data: Compressed) -> None:
        x, n, counts = data.columns["x"], data.columns["n"], data.counts
        if not counts[n > 0].sum() > 0:
            raise ModelDataError(
                "every customer has n_periods = 0: there is no transaction opportunity "
                "to learn from; choose a later cut-off"
            )
        if not counts[x > 0].sum() > 0:
            raise ModelDataError(
                "no customer has a repeat transaction (frequency > 0): transaction and "
                "dropout probabilities cannot be told apart"
            )
        if not counts[x < n].sum() > 0:
            raise ModelDataError(
                "every customer transacted at every opportunity (frequency = n_periods): "
                "nobody ever skipped one, so the data cannot show dropout"
            )

    def _prepare(self, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {**data, **{name: data[name].astype(np.int64) for name in ("x", "t_x", "n")}}

    def _starting_points(self, data: dict[str, np.ndarray]) -> list[np.ndarray]:
        return [np.array(start) for start in ([1.0, 1.0, 1.0, 1.0], [0.5, 0.5, 0.5, 2.0])]

    def _log_likelihood(
        self, params: np.ndarray, data: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        _, values, gradient = _likelihood_terms(params, data["x"], data["t_x"], data["n"])
        return values, gradient

    # -- predictions ----------------------------------------------------------------

    def probability_alive(self, data: SummaryData, params: Params = None) -> np.ndarray:
        r"""Probability that each customer is still active at the next opportunity,
        ``n + 1`` (Fader, Hardie and Shang 2010).

        .. math:: P(\text{alive at } n + 1 \mid x, t_x, n) =
                  \frac{B(\alpha + x, \beta + n - x)}{B(\alpha, \beta)}
                  \frac{B(\gamma, \delta + n + 1)}{B(\gamma, \delta)} \Big/ L
        """
        values = self._params(params)
        gamma, delta = values[2], values[3]
        _, n, alive, inverse = _posterior(values, data)
        return (alive * (delta + n) / (gamma + delta + n))[inverse]

    def expected_purchases(self, data: SummaryData, n: float, params: Params = None) -> np.ndarray:
        r"""Expected transactions of each customer in the next ``n`` opportunities,
        :math:`n_\text{obs} + 1, \dots, n_\text{obs} + n` (Fader, Hardie and Shang
        2010).

        .. math:: E[X(n_\text{obs}, n_\text{obs} + n) \mid x, t_x, n_\text{obs}] =
                  P(\text{alive at } n_\text{obs} \mid \cdot)\,
                  \frac{\alpha + x}{\alpha + \beta + n_\text{obs}}\,
                  S(\gamma, \delta + n_\text{obs}, n)

        with :math:`S` the expected number of the next ``n`` opportunities at which a
        customer is still alive (see :meth:`expected_purchases_new_customer`): the
        posterior of :math:`p` of a customer alive at :math:`n_\text{obs}` is
        :math:`\text{Beta}(\alpha + x, \beta + n_\text{obs} - x)`, that of
        :math:`\theta` is :math:`\text{Beta}(\gamma, \delta + n_\text{obs})`.
        """
        if n < 0:
            raise ModelDataError(f"the horizon n must be 0 or more opportunities, got {n}")
        values = self._params(params)
        alpha, beta, gamma, delta = values
        x, n_obs, alive, inverse = _posterior(values, data)
        purchase = (alpha + x) / (alpha + beta + n_obs)
        return (alive * purchase * _alive_opportunities(gamma, delta + n_obs, n))[inverse]

    def expected_purchases_new_customer(
        self, n: float | np.ndarray, params: Params = None
    ) -> np.ndarray:
        r"""Expected transactions in the first ``n`` opportunities of a new customer
        (Fader, Hardie and Shang 2010).

        .. math:: E[X(n)] = \frac{\alpha}{\alpha + \beta} S(\gamma, \delta, n), \qquad
                  S(\gamma, \delta, n) = \sum_{t=1}^{n}
                  \frac{B(\gamma, \delta + t)}{B(\gamma, \delta)} =
                  \frac{\delta}{\gamma - 1}\left[1 - \frac{\Gamma(\gamma + \delta)
                  \Gamma(1 + \delta + n)}{\Gamma(1 + \delta)\Gamma(\gamma + \delta + n)}
                  \right]

        At :math:`\gamma = 1` the closed form is 0/0; its limit
        :math:`\delta\,[\psi(1 + \delta + n) - \psi(1 + \delta)]` is used near it.
        """
        alpha, beta, gamma, delta = self._params(params)
        horizon = np.asarray(n, dtype=np.float64)
        if np.any(horizon < 0):
            raise ModelDataError(f"the horizon n must be 0 or more opportunities, got {n}")
        return alpha / (alpha + beta) * _alive_opportunities(gamma, delta, horizon)


def _check_order(x: np.ndarray, t_x: np.ndarray, n: np.ndarray) -> None:
    """Raise unless ``x <= t_x <= n`` and ``t_x = 0`` exactly when ``x = 0``."""
    checks = (
        (
            x > t_x,
            "frequency {x:g} is greater than recency {t:g}: x transactions need at "
            "least x opportunities",
        ),
        (
            t_x > n,
            "recency {t:g} is greater than n_periods {n:g}: the last transaction "
            "cannot come after the last opportunity",
        ),
        (
            (x == 0) & (t_x > 0),
            "recency {t:g} with frequency 0: a customer without repeat transactions has recency 0",
        ),
    )
    for bad, message in checks:
        if bad.any():
            row = int(np.argmax(bad))
            raise ModelDataError(f"row {row}: " + message.format(x=x[row], t=t_x[row], n=n[row]))


def _likelihood_terms(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, n: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log of the "alive at n" term, the log-likelihood (n,) and its gradient (n, 4).

    ``x``, ``t_x`` and ``n`` are integer arrays. The gradient of the log of a sum of
    terms is the mean of the terms' gradients weighted by their shares of the sum; the
    shares are updated as the terms arrive, so memory stays linear in the rows. Rows
    are visited longest gap ``n - t_x`` first, so each step of the sum over ``i`` works
    on a prefix of them: the rows that still have a term.
    """
    alpha, beta, gamma, delta = params
    k = np.arange(int(n.max(initial=0)) + 2)
    log_a, log_b, log_ab = (special.gammaln(v + k) for v in (alpha, beta, alpha + beta))
    psi_a, psi_b, psi_ab = (special.digamma(v + k) for v in (alpha, beta, alpha + beta))
    log_d, log_gd = special.gammaln(delta + k), special.gammaln(gamma + delta + k)
    psi_d, psi_gd = special.digamma(delta + k), special.digamma(gamma + delta + k)
    # What every term of a row shares: -log B(alpha, beta) - log B(gamma, delta)
    # + log Gamma(gamma) + log Gamma(alpha + x).
    constant = log_ab[0] - log_a[0] - log_b[0] + log_gd[0] - log_d[0]
    shared = constant + log_a[x]
    d_shared = np.column_stack(
        [
            psi_ab[0] - psi_a[0] + psi_a[x],
            np.full(len(x), psi_ab[0] - psi_b[0]),
            np.full(len(x), psi_gd[0]),
            np.full(len(x), psi_gd[0] - psi_d[0]),
        ]
    )
    # Alive at n: log Gamma(beta + n - x) / Gamma(alpha + beta + n) + the dropout part.
    log_alive = log_b[n - x] - log_ab[n] + log_d[n] - log_gd[n]
    order = np.argsort(t_x - n, kind="stable")
    gap = (n - t_x)[order]
    xs, ts = x[order], t_x[order]
    log_sum = log_alive[order]
    n_sorted = n[order]
    grad = [
        -psi_ab[n_sorted],
        psi_b[n_sorted - xs] - psi_ab[n_sorted],
        -psi_gd[n_sorted],
        psi_d[n_sorted] - psi_gd[n_sorted],
    ]
    # Dropped out right after opportunity t: the same, with the term of t in place of n.
    by_t = np.log(gamma) - log_ab[:-1] + log_d[:-1] - log_gd[1:]
    d_gamma_t, d_delta_t = 1 / gamma - psi_gd[1:], psi_d[:-1] - psi_gd[1:]
    rows_with_term = np.searchsorted(-gap, -np.arange(int(gap.max(initial=0))), side="left")
    for i, rows in enumerate(rows_with_term):
        x_i, t = xs[:rows], ts[:rows] + i
        term = log_b[t - x_i] + by_t[t]
        updated = np.logaddexp(log_sum[:rows], term)
        keep, add = np.exp(log_sum[:rows] - updated), np.exp(term - updated)
        steps = (-psi_ab[t], psi_b[t - x_i] - psi_ab[t], d_gamma_t[t], d_delta_t[t])
        for column, step in zip(grad, steps, strict=True):
            column[:rows] = column[:rows] * keep + step * add
        log_sum[:rows] = updated
    log_total = np.empty_like(log_sum)
    log_total[order] = log_sum
    gradient = np.empty((len(x), 4))
    gradient[order] = np.column_stack(grad)
    return shared + log_alive, shared + log_total, gradient + d_shared


def _posterior(
    params: np.ndarray, data: SummaryData
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unique ``x`` and ``n``, the probability of being alive at ``n`` given the data,
    and the map from rows to unique rows."""
    columns = summary_columns(data, COLUMNS)
    for name in COLUMNS:
        check_integer(name, columns[name])
    _check_order(columns["frequency"], columns["recency"], columns["n_periods"])
    rows = len(columns["frequency"])
    packed = compress(columns, np.ones(rows))
    x, t_x, n = (packed.columns[name].astype(np.int64) for name in COLUMNS)
    log_alive, log_total, _ = _likelihood_terms(params, x, t_x, n)
    return x, n, np.exp(log_alive - log_total), packed.inverse


def _alive_opportunities(
    gamma: float, delta: np.ndarray | float, n: np.ndarray | float
) -> np.ndarray:
    r""":math:`\sum_{t=1}^{n} B(\gamma, \delta + t) / B(\gamma, \delta)`, the expected
    number of the next ``n`` opportunities at which a customer is still alive."""
    delta, n = np.asarray(delta, dtype=np.float64), np.asarray(n, dtype=np.float64)
    if abs(gamma - 1) < 1e-6:
        return delta * (special.digamma(1 + delta + n) - special.digamma(1 + delta))
    log_ratio = (
        special.gammaln(gamma + delta)
        - special.gammaln(1 + delta)
        + special.gammaln(1 + delta + n)
        - special.gammaln(gamma + delta + n)
    )
    return delta / (gamma - 1) * -np.expm1(log_ratio)
