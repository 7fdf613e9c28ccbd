"""Fit and score in the engine: only compact statistics travel to Python.

For millions of customers, the per-customer rows never leave the engine. The purchase
model is fitted on the distinct ``(frequency, recency, T)`` rows with their counts; the
spend model on the two numeric columns of the repeat buyers. Scoring computes the
purchase part of CLV once per distinct ``(frequency, recency, T)`` in numpy, sends that
small table back, and joins it to every customer in the engine, where the closed-form
Gamma-Gamma expectation and its variance are plain column arithmetic. The same code
runs on DuckDB and on Spark.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from scipy import stats

from emptychair.value.clv import PURCHASE_COLUMNS, check_clv_arguments, purchase_value
from emptychair.value.models import purchase_model
from emptychair.value.models.gamma_gamma import GammaGammaModel
from emptychair.value.models.purchase import PurchaseModel


def distinct_histories(summary: ir.Table) -> ir.Table:
    """The distinct ``(frequency, recency, T)`` rows of a summary, with ``customers``."""
    return summary.group_by(list(PURCHASE_COLUMNS)).aggregate(customers=summary.count())


def fit_purchase_model(
    summary: ir.Table, model: str = "bgnbd", histories: pd.DataFrame | None = None
) -> PurchaseModel:
    """Fit a purchase model (``bgnbd``, ``paretonbd``, ``mbgnbd``) on the distinct
    histories of an RFM summary that stays in the engine (``histories`` may pass
    :func:`distinct_histories` if it was already computed, e.g. for scoring)."""
    if histories is None:
        histories = distinct_histories(summary).to_pandas()
    return purchase_model(model).fit(histories, weights="customers")


def fit_spend_model(summary: ir.Table) -> GammaGammaModel:
    """Fit Gamma-Gamma on the repeat buyers' distinct ``(frequency, monetary_value)`` rows
    with their counts (amounts in cents repeat often), grouped in the engine."""
    repeat = summary.filter(summary.frequency > 0)
    spends = repeat.group_by(["frequency", "monetary_value"]).aggregate(customers=repeat.count())
    return GammaGammaModel().fit(spends.to_pyarrow(), weights="customers")


def fit_models(summary: ir.Table, model: str = "bgnbd") -> tuple[PurchaseModel, GammaGammaModel]:
    """Both models of CLV, fitted on an RFM summary that stays in the engine."""
    return fit_purchase_model(summary, model), fit_spend_model(summary)


def score_customers(
    summary: ir.Table,
    purchases: PurchaseModel,
    spend: GammaGammaModel,
    *,
    months: int = 12,
    discount_rate: float = 0.01,
    margin: float = 1.0,
    time_unit: str = "weeks",
    level: float = 0.9,
    histories: pd.DataFrame | None = None,
) -> ir.Table:
    """The summary with, for every customer, ``probability_alive``,
    ``expected_purchases``, ``expected_spend``, ``clv``, ``clv_lower`` and ``clv_upper``
    (the same numbers as :func:`~emptychair.value.clv.customer_lifetime_value`).
    ``histories`` may pass :func:`distinct_histories` if it was already computed."""
    check_clv_arguments(months, discount_rate, margin, level)
    if histories is None:
        histories = distinct_histories(summary).to_pandas()
    values = purchase_value(
        purchases,
        histories,
        months=months,
        discount_rate=discount_rate,
        time_unit=time_unit,
    )
    factors = ibis.memtable(
        histories[list(PURCHASE_COLUMNS)].join(values).astype({"frequency": "int64"})
    )
    joined = summary.inner_join(factors, list(PURCHASE_COLUMNS))
    expected_spend, spend_variance = _spend_columns(joined, spend)
    z = float(stats.norm.ppf(0.5 + level / 2))
    spread = (joined.log_variance + spend_variance).sqrt() * z
    clv = expected_spend * joined.discounted_purchases * margin
    return joined.select(
        *summary.columns,
        probability_alive=joined.probability_alive,
        expected_purchases=joined.expected_purchases,
        expected_spend=expected_spend,
        clv=clv,
        clv_lower=clv * (-spread).exp(),
        clv_upper=clv * spread.exp(),
    )


def _spend_columns(
    table: ir.Table, spend: GammaGammaModel
) -> tuple[ir.FloatingValue, ir.FloatingValue]:
    """Gamma-Gamma expected spend, and the delta-method variance of its log, as column
    expressions (see :func:`~emptychair.value.clv.spend_value`).

    The gradient of the log of the expected spend in ``(log p, log q, log v)`` is
    ``((q - 1) u, -q u, w)`` with ``u = 1 / (x p + q - 1)`` and ``w = v / (x m + v)``, so
    the variance is the quadratic form ``A u² + B u w + C w²`` with constants folded in
    Python: a short expression per row instead of nine products."""
    p, q, v = (float(value) for value in spend.params_.to_numpy())
    spend.population_mean_spend()  # refuses q <= 1 with a clear message
    x = table.frequency.cast("float64")
    total = x * table.monetary_value
    denominator = x * p + (q - 1)
    c = np.asarray(spend.covariance_log_, dtype=float)
    g1, g2 = q - 1, -q
    a = float(g1 * g1 * c[0, 0] + 2 * g1 * g2 * c[0, 1] + g2 * g2 * c[1, 1])
    b = float(2 * (g1 * c[0, 2] + g2 * c[1, 2]))
    u, w = 1 / denominator, v / (total + v)
    variance = (a * u + b * w) * u + float(c[2, 2]) * w * w
    return (total + v) * p / denominator, variance
