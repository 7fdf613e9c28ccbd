"""Calibration / holdout checks: does the model predict the purchases that came next?

Fit on the orders up to ``calibration_end``, predict the repeat purchases of each
customer in (``calibration_end``, ``holdout_end``], and compare with what they did, by
number of repeat purchases in the calibration period (the classic check of Fader, Hardie
and Lee, 2005, figure 4). A model that fits its own data but misses the holdout is not
to be trusted for CLV.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from emptychair.value.features import calibration_holdout
from emptychair.value.models import purchase_model


@dataclass
class HoldoutCheck:
    """Predicted and actual holdout purchases, overall and by calibration frequency."""

    model: str
    customers: int
    predicted: float
    actual: float
    by_frequency: pd.DataFrame

    @property
    def relative_error(self) -> float:
        """(predicted - actual) / actual, over all customers."""
        return (self.predicted - self.actual) / self.actual if self.actual else float("nan")


def holdout_check(
    orders: ir.Table,
    *,
    calibration_end: date,
    holdout_end: date,
    model: str = "bgnbd",
    time_unit: str = "weeks",
    top_frequency: int = 7,
) -> HoldoutCheck:
    """Fit ``model`` on the calibration period and compare its holdout forecast with the
    actual repeat purchases; frequencies of ``top_frequency`` and more share one row."""
    split = calibration_holdout(
        orders,
        calibration_end=calibration_end,
        holdout_end=holdout_end,
        time_unit=time_unit,  # type: ignore[arg-type]
    ).to_pandas()
    fitted = purchase_model(model).fit(split)
    duration = float(split["duration_holdout"].iloc[0])
    split["predicted"] = fitted.expected_purchases(split, duration)
    split["bucket"] = np.minimum(split["frequency"], top_frequency)
    grouped = split.groupby("bucket").agg(
        customers=("customer_id", "size"),
        actual=("frequency_holdout", "mean"),
        predicted=("predicted", "mean"),
    )
    grouped = grouped.reset_index().rename(columns={"bucket": "calibration_frequency"})
    grouped["calibration_frequency"] = grouped["calibration_frequency"].map(
        lambda f: f"{f}+" if f == top_frequency else str(f)
    )
    return HoldoutCheck(
        model=model,
        customers=len(split),
        predicted=float(split["predicted"].sum()),
        actual=float(split["frequency_holdout"].sum()),
        by_frequency=grouped,
    )
