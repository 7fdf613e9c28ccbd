"""Gamma-Gamma: the spend per transaction of each customer.

Fader, Hardie and Lee (2005), "RFM and CLV: using iso-value curves for customer base
analysis", *Journal of Marketing Research* 42(4), 415-430; and Fader and Hardie (2013),
"The Gamma-Gamma model of monetary value".
"""

from __future__ import annotations

from typing import Self

import numpy as np
from scipy import special

from emptychair.errors import ModelDataError
from emptychair.value.models.base import CustomerValueModel, Params, dot
from emptychair.value.models.inputs import (
    Compressed,
    SummaryData,
    check_integer,
    row_label,
    summary_columns,
    weights_of,
)

COLUMNS = ("frequency", "monetary_value")


class GammaGammaModel(CustomerValueModel):
    r"""Gamma-Gamma model of the mean spend per transaction.

    Each transaction of a customer is worth :math:`z \sim \text{Gamma}(p, \nu)`; across
    customers :math:`\nu \sim \text{Gamma}(q, \gamma)`. For a customer with ``x``
    repeat transactions of mean value :math:`\bar z`,

    .. math::

        f(\bar z \mid x) = \frac{\Gamma(px + q)}{\Gamma(px)\,\Gamma(q)}
        \frac{\gamma^q\, \bar z^{px - 1}\, x^{px}}{(\gamma + x \bar z)^{px + q}}

    The parameter :math:`\gamma` is called ``v`` as in ``lifetimes``; it is in the
    currency of the amounts. The model assumes spend is independent of purchase
    frequency: check it (the correlation of ``frequency`` and ``monetary_value`` among
    repeat buyers should be near zero) before using it for CLV.

    Data: columns ``frequency`` and ``monetary_value`` (mean value of the *repeat*
    transactions). Customers without repeat purchases carry no spend information and are
    left out of the fit; they still get a prediction (the population mean).
    """

    parameter_names = ("p", "q", "v")
    scale_exponents = (0, 0, 1)

    def _statistics(self, data: SummaryData) -> dict[str, np.ndarray]:
        columns = summary_columns(data, COLUMNS)
        return {"x": columns["frequency"], "m": columns["monetary_value"]}

    def fit(self, data: SummaryData, *, weights: str | np.ndarray | None = None) -> Self:
        """Estimate ``p``, ``q`` and ``v`` from the repeat buyers of ``data``.

        Parameters
        ----------
        data : DataFrame, Arrow table or mapping of arrays
            Columns ``frequency`` and ``monetary_value``; rows with frequency 0 are
            left out.
        weights : str or array, optional
            Number of customers behind each row.
        """
        columns = summary_columns(data, COLUMNS)
        check_integer("frequency", columns["frequency"], data)
        x, m = columns["frequency"], columns["monetary_value"]
        repeat = x > 0
        zero = repeat & (m <= 0)
        if zero.any():
            row = int(np.argmax(zero))
            raise ModelDataError(
                f"row {row_label(data, row)}: monetary_value {m[row]:g} with frequency "
                f"{x[row]:g}; the spend model needs positive amounts "
                "(remove refunds and free orders first)"
            )
        if not repeat.any():
            raise ModelDataError(
                "no customer has a repeat purchase: the spend model learns from the mean "
                "amount of repeat purchases"
            )
        counts = weights_of(data, weights, len(x))[repeat]
        return super().fit({name: columns[name][repeat] for name in COLUMNS}, weights=counts)

    def _check_support(self, data: Compressed) -> None:
        spends = data.columns["m"]
        if data.customers < 2 or np.all(spends == spends[0]):
            raise ModelDataError(
                "the spend model needs at least two repeat buyers with different mean spend"
            )

    def _data_scale(self, columns: dict[str, np.ndarray]) -> float:
        mean = float(np.mean(columns["m"]))
        return mean if mean > 0 else 1.0

    def _rescale(self, columns: dict[str, np.ndarray], scale: float) -> dict[str, np.ndarray]:
        return {"x": columns["x"], "m": columns["m"] / scale}

    def _prepare(self, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        x, m, weight = data["x"], data["m"], data["_weight"]
        unique_x, x_index = np.unique(x, return_inverse=True)
        log_m = np.log(m)
        spend_terms = x * (log_m + np.log(x))
        return {
            **data,
            "unique_x": unique_x,
            "x_weight": np.bincount(x_index, weights=weight, minlength=len(unique_x)),
            "spend": x * m,
            "weighted_x": weight * x,
            # Parts of the log-likelihood that do not depend on the parameters.
            "weighted_spend_terms": np.array(dot(weight, spend_terms)),
            "constant": np.array(-dot(weight, log_m)),
        }

    def _starting_points(self, data: dict[str, np.ndarray]) -> list[np.ndarray]:
        return [np.array([1.0, 1.0, 1.0]), np.array([5.0, 3.0, 2.0])]

    def _log_likelihood(
        self, params: np.ndarray, data: dict[str, np.ndarray]
    ) -> tuple[float, np.ndarray]:
        p, q, v = params
        ux, x_weight, weight, weighted_x = (
            data["unique_x"],
            data["x_weight"],
            data["_weight"],
            data["weighted_x"],
        )
        px = p * ux
        shared = special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q)
        d_px = special.digamma(px + q) - special.digamma(px)
        d_q = special.digamma(px + q) - special.digamma(q)
        denominator = v + data["spend"]
        log_denominator = np.log(denominator)
        inverse = 1 / denominator
        customers = weight.sum()
        sum_log, sum_x_log = dot(weight, log_denominator), dot(weighted_x, log_denominator)
        sum_inverse, sum_x_inverse = dot(weight, inverse), dot(weighted_x, inverse)
        spend_terms = float(data["weighted_spend_terms"])
        total = (
            x_weight @ shared
            + q * np.log(v) * customers
            + p * spend_terms
            + float(data["constant"])
            - p * sum_x_log
            - q * sum_log
        )
        gradient = np.array(
            [
                x_weight @ (ux * d_px) + spend_terms - sum_x_log,
                x_weight @ d_q + np.log(v) * customers - sum_log,
                q * customers / v - p * sum_x_inverse - q * sum_inverse,
            ]
        )
        return float(total), gradient

    # -- predictions ----------------------------------------------------------------

    def expected_spend(self, data: SummaryData, params: Params = None) -> np.ndarray:
        r"""Expected value of each customer's future transactions.

        .. math:: E[Z \mid \bar z, x] = \frac{q - 1}{p x + q - 1}\,\frac{p \gamma}{q - 1}
                  + \frac{p x}{p x + q - 1}\,\bar z

        a weighted mean of the population mean :math:`p\gamma/(q-1)` and the customer's
        own mean; customers with no repeat purchase get the population mean. Needs
        :math:`q > 1` (otherwise the population mean is infinite).
        """
        p, q, v = self._params(params)
        columns = summary_columns(data, COLUMNS)
        x, m = columns["frequency"], columns["monetary_value"]
        self._check_finite_mean(q)
        return (v + x * m) * p / (p * x + q - 1)

    def population_mean_spend(self, params: Params = None) -> float:
        """Mean value of a transaction across all customers, :math:`p\\gamma/(q-1)`."""
        p, q, v = self._params(params)
        self._check_finite_mean(q)
        return float(p * v / (q - 1))

    @staticmethod
    def _check_finite_mean(q: float) -> None:
        if q <= 1:
            raise ModelDataError(
                f"the fitted q = {q:.3g} is at most 1: the population mean spend is "
                "infinite under this model; the spend data are too heavy-tailed for it"
            )
