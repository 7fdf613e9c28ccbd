"""sBG: the shifted-beta-geometric model of contract duration (subscriptions, memberships,
insurance policies: any relationship that ends with an observed cancellation).

Fader and Hardie (2007), "How to project customer retention", *Journal of Interactive
Marketing* 21(1), 76-90; Fader and Hardie (2010), "Customer-base valuation in a
contractual setting: the perils of ignoring heterogeneity", *Marketing Science* 29(1),
85-93.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd
from scipy import special

from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.value.models.base import CustomerValueModel, Params
from emptychair.value.models.inputs import (
    Compressed,
    SummaryData,
    check_integer,
    summary_columns,
)

COLUMNS = ("periods", "churned")


class ShiftedBetaGeoModel(CustomerValueModel):
    r"""sBG model of contract renewals and churn.

    At the end of each period a customer cancels with probability :math:`\theta`, the
    same every period; across customers :math:`\theta \sim \text{Beta}(\alpha, \beta)`.
    The period :math:`T \ge 1` in which a customer churns then has (Fader and Hardie
    2007)

    .. math::

        P(T = t) = \frac{B(\alpha + 1, \beta + t - 1)}{B(\alpha, \beta)}, \qquad
        S(t) = P(T > t) = \frac{B(\alpha, \beta + t)}{B(\alpha, \beta)}

    A customer seen to churn in period :math:`t` contributes :math:`\log P(T = t)`, a
    customer still active after :math:`t` periods (right-censored) :math:`\log S(t)`.

    Two ways to fit:

    * :meth:`fit` on one row per customer (or per group of identical customers, with
      ``weights``): ``periods`` observed and ``churned`` (true when the customer
      cancelled at the end of the last of them);
    * :meth:`fit_survival` on a cohort's retention table: the customers (or shares)
      still active at the start of periods 0, 1, ..., k.

    Nothing carries a unit: periods are counted (months, years: whatever the contract
    length is).
    """

    parameter_names = ("alpha", "beta")
    scale_exponents = (0, 0)

    def fit_survival(
        self, alive: Sequence[float] | np.ndarray, *, customers: float | None = None
    ) -> Self:
        """Fit on a cohort's retention table.

        Parameters
        ----------
        alive : sequence of float, shape (k + 1,)
            Customers still active at the start of periods 0, 1, ..., k (at least two
            periods), e.g. ``[1000, 631, 468, 382, 326, 289, 262, 241]``; shares of the
            cohort when ``customers`` is given.
        customers : float, optional
            Size of the cohort, when ``alive`` holds shares (``[1.0, 0.631, ...]``);
            the standard errors depend on it.

        Returns
        -------
        self
        """
        return self.fit(survival_table_rows(alive, customers=customers), weights="customers")

    def _statistics(self, data: SummaryData) -> dict[str, np.ndarray]:
        columns = summary_columns(data, COLUMNS)
        periods, churned = columns["periods"], columns["churned"]
        check_integer("periods", periods)
        not_flag = (churned != 0) & (churned != 1)
        if not_flag.any():
            row = int(np.argmax(not_flag))
            raise ModelDataError(
                f"column 'churned', row {row}: value {churned[row]:g} is not true or false"
            )
        early = (churned == 1) & (periods < 1)
        if early.any():
            row = int(np.argmax(early))
            raise ModelDataError(
                f"row {row}: churned with periods 0; a customer churns at the end of a "
                "period, so a churned customer was observed for 1 period or more"
            )
        return {"t": periods, "churned": churned}

    def _check_support(self, data: Compressed) -> None:
        t, churned, counts = data.columns["t"], data.columns["churned"], data.counts
        if not counts.sum() > 0:
            raise ModelDataError("there are no customers (all weights are 0)")
        if not counts[churned == 1].sum() > 0:
            raise ModelDataError(
                f"no customer churned in the {t.max(initial=0):g} periods observed: the data "
                "say nothing about how fast customers leave; the sBG needs some churn"
            )
        if not counts[t >= 2].sum() > 0:
            raise ModelDataError(
                "every customer was observed for a single period: one retention rate "
                "cannot tell the mean churn probability from its spread across customers; "
                "observe at least two periods"
            )

    def _starting_points(self, data: dict[str, np.ndarray]) -> list[np.ndarray]:
        return [np.array(start) for start in ([1.0, 1.0], [0.5, 3.0], [3.0, 0.5])]

    def _log_likelihood(
        self, params: np.ndarray, data: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        alpha, beta = params
        t, churned = data["t"], data["churned"]
        # log P(T = t) when churned, log S(t) when not: they differ by the shift of beta.
        shifted = beta + t - churned
        both = alpha + beta
        values = (
            churned * np.log(alpha)
            + special.gammaln(shifted)
            - special.gammaln(both + t)
            - special.gammaln(beta)
            + special.gammaln(both)
        )
        d_both = special.digamma(both) - special.digamma(both + t)
        gradient = np.empty((len(t), 2))
        gradient[:, 0] = churned / alpha + d_both
        gradient[:, 1] = special.digamma(shifted) - special.digamma(beta) + d_both
        return values, gradient

    # -- predictions ----------------------------------------------------------------

    def churn_probability(self, t: float | np.ndarray, params: Params = None) -> np.ndarray:
        r"""Probability that a new customer churns in period ``t`` (1, 2, ...).

        .. math:: P(T = t) = \frac{B(\alpha + 1, \beta + t - 1)}{B(\alpha, \beta)}
        """
        alpha, beta = self._params(params)
        t = _periods(t, first=1)
        return np.exp(special.betaln(alpha + 1, beta + t - 1) - special.betaln(alpha, beta))

    def survival(self, t: float | np.ndarray, params: Params = None) -> np.ndarray:
        r"""Share of a cohort still active after ``t`` periods (0, 1, ...).

        .. math:: S(t) = \frac{B(\alpha, \beta + t)}{B(\alpha, \beta)}
        """
        alpha, beta = self._params(params)
        t = _periods(t, first=0)
        return np.exp(special.betaln(alpha, beta + t) - special.betaln(alpha, beta))

    def retention_rate(self, t: float | np.ndarray, params: Params = None) -> np.ndarray:
        r"""Share of the customers active in period ``t - 1`` who renew for period ``t``.

        .. math:: r(t) = \frac{S(t)}{S(t - 1)} = \frac{\beta + t - 1}{\alpha + \beta + t - 1}

        It rises with ``t`` although every customer keeps the same churn probability:
        the cohort is heterogeneous, customers with a high :math:`\theta` leave first,
        and those left after :math:`t - 1` renewals have :math:`\theta \sim
        \text{Beta}(\alpha, \beta + t - 1)`, a lower mean churn probability each period
        (Fader and Hardie 2007; 2010). A single average retention rate therefore
        under-values the customer base.
        """
        alpha, beta = self._params(params)
        t = _periods(t, first=1)
        return (beta + t - 1) / (alpha + beta + t - 1)

    def expected_lifetime(self, discount_rate: float = 0.0, params: Params = None) -> float:
        r"""Discounted expected lifetime (DEL), in periods, of a customer just acquired,
        counting the period they paid for on signing (Fader and Hardie 2010).

        .. math:: \text{DEL}(d) = \sum_{t=0}^{\infty} \frac{S(t)}{(1 + d)^t} =
                  {}_2F_1\left(1, \beta; \alpha + \beta; \frac{1}{1 + d}\right)

        Without discounting this is :math:`E[T] = (\alpha + \beta - 1) / (\alpha - 1)`,
        infinite when :math:`\alpha \le 1` (the slow churners at the low end of the
        beta distribution stay on and on): use a positive discount rate then.
        """
        alpha, beta = self._params(params)
        z = 1 / (1 + _discount(discount_rate))
        return float(special.hyp2f1(1.0, beta, alpha + beta, z))

    def discounted_expected_residual_lifetime(
        self,
        discount_rate: float,
        renewals: float | np.ndarray = 0,
        params: Params = None,
    ) -> np.ndarray:
        r"""Discounted expected residual lifetime (DERL), in periods, of a customer
        who has made ``renewals`` renewals, evaluated just before the next renewal
        decision (Fader and Hardie 2010). With :math:`n - 1` renewals made,

        .. math:: \text{DERL}(d \mid n - 1) = \sum_{t=n}^{\infty}
                  \frac{S(t)}{S(n - 1)} \frac{1}{(1 + d)^{t - n}} =
                  \frac{\beta + n - 1}{\alpha + \beta + n - 1}\,
                  {}_2F_1\left(1, \beta + n; \alpha + \beta + n; \frac{1}{1 + d}\right)

        Multiplied by the margin per period, this is the customer's expected residual
        value: contractual CLV = margin × DERL. It grows with ``renewals``: a customer
        who has renewed many times has shown a low churn probability.

        Parameters
        ----------
        discount_rate : float
            Discount rate per period (0.1 for 10 % a year with yearly contracts).
        renewals : int or array of int, default 0
            Renewals made so far, one per customer (0: in the first period).
        """
        alpha, beta = self._params(params)
        z = 1 / (1 + _discount(discount_rate))
        n = _periods(renewals, first=0) + 1
        next_renewal = (beta + n - 1) / (alpha + beta + n - 1)
        return next_renewal * special.hyp2f1(1.0, beta + n, alpha + beta + n, z)


def survival_table_rows(
    alive: Sequence[float] | np.ndarray, *, customers: float | None = None
) -> pd.DataFrame:
    """One row per period of a retention table: customers who churned in it, plus a row
    for those still active at the end (right-censored).

    ``alive`` holds the customers active at the start of periods 0, 1, ..., k, or their
    shares of the cohort when ``customers`` (the cohort size) is given. Returns columns
    ``periods``, ``churned`` and ``customers`` (the weight of each row).

    Raises
    ------
    ModelDataError
        When the table is not a retention table: fewer than three entries (one
        period), a value missing, negative, above 1 (shares), or above the one before,
        an empty cohort, or nobody churned; the message names the period.
    """
    values = np.asarray(alive, dtype=np.float64)
    if values.ndim != 1 or len(values) < 3:
        periods = max(values.size - 1, 0)
        raise ModelDataError(
            f"the retention table covers {periods} period{'' if periods == 1 else 's'}: "
            "give the customers active at the start of periods 0, 1, ..., k with k >= 2, "
            "since one retention rate cannot tell the mean churn probability from its "
            "spread across customers"
        )
    for period, value in enumerate(values):
        if not (np.isfinite(value) and value >= 0):
            raise ModelDataError(f"period {period}: {value} customers active is not a count")
    if customers is not None:
        if not (np.isfinite(customers) and customers > 0):
            raise ModelDataError(f"customers (the cohort size) must be positive, got {customers}")
        above = np.flatnonzero(values > 1)
        if above.size:
            period = int(above[0])
            raise ModelDataError(
                f"period {period}: share {values[period]:g} is above 1; with customers= "
                "the table holds shares of the cohort, between 0 and 1"
            )
        values = values * customers
    elif 0 < values[0] <= 1:
        raise ModelDataError(
            f"period 0: {values[0]:g} customers active; if the table holds shares of the "
            "cohort, pass customers= (the cohort size)"
        )
    if values[0] == 0:
        raise ModelDataError("period 0: no customers active at the start; the cohort is empty")
    rising = np.flatnonzero(np.diff(values) > 0)
    if rising.size:
        period = int(rising[0]) + 1
        raise ModelDataError(
            f"period {period}: {values[period]:g} customers active, more than the "
            f"{values[period - 1]:g} of period {period - 1}; a retention table cannot "
            "increase (returning customers belong to a new cohort)"
        )
    if values[-1] == values[0]:
        raise ModelDataError(
            f"no customer churned in periods 1 to {len(values) - 1} (all {values[0]:g} "
            "still active): the data say nothing about how fast customers leave"
        )
    k = len(values) - 1
    return pd.DataFrame(
        {
            "periods": np.append(np.arange(1, k + 1), k),
            "churned": np.append(np.ones(k, dtype=bool), False),
            "customers": np.append(values[:-1] - values[1:], values[-1]),
        }
    )


def _periods(t: float | np.ndarray, first: int) -> np.ndarray:
    values = np.asarray(t, dtype=np.float64)
    if np.any(~np.isfinite(values) | (values < first)):
        raise ModelDataError(f"periods must be {first} or more, got {t}")
    return values


def _discount(rate: float) -> float:
    if not (np.isfinite(rate) and rate >= 0):
        raise InvalidParameterError(f"discount_rate must be 0 or more, got {rate}")
    return float(rate)
