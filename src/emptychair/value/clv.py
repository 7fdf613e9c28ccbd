"""Customer lifetime value over a horizon, with an interval for every customer.

The CLV of a customer over ``months`` is the discounted sum, month by month, of the
purchases the purchase model expects times the spend the spend model expects:

.. math::

    \\text{CLV} = \\text{margin} \\times E[Z] \\times \\sum_{i=1}^{n}
    \\frac{E[X(i \\cdot m)] - E[X((i - 1) \\cdot m)]}{(1 + d)^i}

with :math:`m` one month (365.25 / 12 days) in the summary's time unit and :math:`d` the
monthly discount rate.

**The interval is about what the model knows, not about what the customer will do.**
It carries the uncertainty of the estimated parameters (their asymptotic covariance,
propagated to each customer's CLV by the delta method on the log scale); it is not a
prediction interval for the amount the customer will actually spend, which is far
wider. A narrow interval means "the model is sure of this customer's expected value".
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from emptychair.errors import InvalidParameterError
from emptychair.value.features import DAYS_PER_MONTH, unit_days
from emptychair.value.models.gamma_gamma import GammaGammaModel
from emptychair.value.models.inputs import SummaryData, compress, summary_columns
from emptychair.value.models.purchase import PurchaseModel

PURCHASE_COLUMNS = ("frequency", "recency", "T")


def customer_lifetime_value(
    purchase_model: PurchaseModel,
    spend_model: GammaGammaModel,
    data: SummaryData,
    *,
    months: int = 12,
    discount_rate: float = 0.01,
    margin: float = 1.0,
    time_unit: str = "weeks",
    level: float = 0.9,
) -> pd.DataFrame:
    """CLV of each customer over ``months``, with a ``level`` interval.

    Parameters
    ----------
    purchase_model, spend_model : fitted models
        E.g. :class:`BetaGeoModel` and :class:`GammaGammaModel`.
    data : DataFrame, Arrow table or mapping of arrays
        The RFM summary: ``frequency``, ``recency``, ``T`` (in ``time_unit``) and
        ``monetary_value``; ``customer_id`` is carried over when present.
    months : int
        Horizon.
    discount_rate : float
        Monthly discount rate (0.01 is about 12.7 % a year).
    margin : float
        Share of spend that is profit; 1.0 gives a revenue CLV.
    time_unit : {"weeks", "days"}
        Unit the models were fitted in.
    level : float
        Coverage of the interval (0.9: from the 5th to the 95th percentile).

    Returns
    -------
    DataFrame
        One row per input row: ``probability_alive``, ``expected_purchases`` (over the
        horizon, undiscounted), ``expected_spend`` (per purchase), ``clv``,
        ``clv_lower``, ``clv_upper``.
    """
    check_clv_arguments(months, discount_rate, margin, level)
    columns = summary_columns(data, (*PURCHASE_COLUMNS, "monetary_value"))
    rows = len(columns["frequency"])
    packed = compress({name: columns[name] for name in PURCHASE_COLUMNS}, np.ones(rows))
    purchases = purchase_value(
        purchase_model,
        packed.columns,
        months=months,
        discount_rate=discount_rate,
        time_unit=time_unit,
    ).iloc[packed.inverse]
    spend, spend_variance = spend_value(
        spend_model, columns["frequency"], columns["monetary_value"]
    )
    clv = margin * spend * purchases["discounted_purchases"].to_numpy()
    spread = stats.norm.ppf(0.5 + level / 2) * np.sqrt(
        purchases["log_variance"].to_numpy() + spend_variance
    )
    frame = pd.DataFrame(
        {
            "probability_alive": purchases["probability_alive"].to_numpy(),
            "expected_purchases": purchases["expected_purchases"].to_numpy(),
            "expected_spend": spend,
            "clv": clv,
            "clv_lower": clv * np.exp(-spread),
            "clv_upper": clv * np.exp(spread),
        }
    )
    if _has_column(data, "customer_id"):
        frame.insert(0, "customer_id", np.asarray(data["customer_id"]))
    return frame


def purchase_value(
    purchase_model: PurchaseModel,
    unique: SummaryData,
    *,
    months: int,
    discount_rate: float,
    time_unit: str,
) -> pd.DataFrame:
    """For each row of ``unique`` (distinct ``frequency``, ``recency``, ``T``):
    ``probability_alive``, ``expected_purchases`` over the horizon, the monthly
    ``discounted_purchases`` that CLV multiplies by spend, and the delta-method
    ``log_variance`` of the latter from the parameters' covariance."""
    month = DAYS_PER_MONTH / unit_days(time_unit)
    horizons = month * np.arange(1, months + 1)
    discount = (1 + discount_rate) ** -np.arange(1, months + 1)

    def log_discounted(curve: np.ndarray) -> np.ndarray:
        """log of the monthly purchases of an active customer, discounted and summed."""
        monthly = np.diff(curve, axis=1, prepend=0.0)
        with np.errstate(divide="ignore"):
            return np.log(monthly @ discount)

    log_alive, curve, codes = purchase_model.expected_purchases_parts(unique, horizons)
    log_active = log_discounted(curve)

    def shifted(params: np.ndarray) -> np.ndarray:
        alive_shifted, curve_shifted, _ = purchase_model.expected_purchases_parts(
            unique, horizons, params=params
        )
        return alive_shifted + log_discounted(curve_shifted)[codes]

    alive = np.exp(log_alive)
    return pd.DataFrame(
        {
            "probability_alive": alive,
            "expected_purchases": alive * curve[codes, -1],
            "discounted_purchases": np.exp(log_alive + log_active[codes]),
            "log_variance": _log_variance(purchase_model, shifted),
        }
    )


def spend_value(
    spend_model: GammaGammaModel, frequency: np.ndarray, monetary_value: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Expected spend per purchase of each customer, and the delta-method variance of
    its log (the gradient of the Gamma-Gamma expectation is in closed form)."""
    spend = spend_model.expected_spend({"frequency": frequency, "monetary_value": monetary_value})
    p, q, v = spend_model.params_.to_numpy()
    denominator = p * frequency + q - 1
    gradient = np.column_stack(
        [1 - p * frequency / denominator, -q / denominator, v / (v + frequency * monetary_value)]
    )
    covariance = spend_model.covariance_log_
    return spend, np.einsum("ij,jk,ik->i", gradient, covariance, gradient)


def _log_variance(model: Any, log_predict: Any) -> np.ndarray:
    """Delta-method variance of ``log_predict(params)`` from the model's log-covariance.

    Central differences on the log-parameters give the gradient of the log prediction.
    """
    log_params = np.log(model.params_.to_numpy())
    covariance = model.covariance_log_
    step = 1e-4
    gradients = []
    for j in range(len(log_params)):
        shift = np.zeros(len(log_params))
        shift[j] = step
        up = log_predict(np.exp(log_params + shift))
        down = log_predict(np.exp(log_params - shift))
        gradients.append((up - down) / (2 * step))
    gradient = np.nan_to_num(np.column_stack(gradients))
    if not np.all(np.isfinite(covariance)):
        return np.full(len(gradient), np.nan)
    return np.einsum("ij,jk,ik->i", gradient, covariance, gradient)


def _has_column(data: SummaryData, name: str) -> bool:
    try:
        data[name]
    except (KeyError, IndexError, TypeError):
        return False
    return True


def check_clv_arguments(months: int, discount_rate: float, margin: float, level: float) -> None:
    if not (isinstance(months, int) and months >= 1):
        raise InvalidParameterError(f"months must be a whole number of at least 1, got {months}")
    if not (0 <= discount_rate < 1):
        raise InvalidParameterError(
            f"discount_rate is a monthly rate between 0 and 1, got {discount_rate}"
        )
    if not (0 < margin <= 1):
        raise InvalidParameterError(f"margin is a share of spend in (0, 1], got {margin}")
    if not (0 < level < 1):
        raise InvalidParameterError(f"level must be between 0 and 1, got {level}")


def retention_clv(margin: float, retention_rate: float, discount_rate: float) -> float:
    r"""Lifetime value of a customer from a constant retention rate alone.

    .. math:: \text{CLV} = m \frac{r}{1 + d - r}

    the value of the margins ``m`` earned at the end of each future period while the
    customer stays (probability ``r`` each period), discounted at ``d`` per period
    (Gupta and Lehmann, 2003). For users who know a retention rate but not the history
    of each customer; it ignores that retention rises as the weakest customers leave
    (see :class:`ShiftedBetaGeoModel`).
    """
    if not (0 <= retention_rate < 1):
        raise InvalidParameterError(
            f"retention_rate is a share between 0 and 1 (excluded), got {retention_rate}"
        )
    if not (0 <= discount_rate < 1):
        raise InvalidParameterError(f"discount_rate must be between 0 and 1, got {discount_rate}")
    return margin * retention_rate / (1 + discount_rate - retention_rate)
