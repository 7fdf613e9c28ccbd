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

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from emptychair.value.features import calibration_holdout, purchase_days, unit_days
from emptychair.value.models import PurchaseModel, purchase_model


@dataclass
class HoldoutCheck:
    """Predicted and actual holdout purchases, overall and by calibration frequency."""

    model: str
    calibration_end: date
    customers: int
    predicted: float
    actual: float
    by_frequency: pd.DataFrame
    #: Cumulative repeat purchases of the calibration customers, week by week from the
    #: first purchase in the data to ``holdout_end``: actual and predicted.
    over_time: pd.DataFrame

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
        calibration_end=calibration_end,
        customers=len(split),
        predicted=float(split["predicted"].sum()),
        actual=float(split["frequency_holdout"].sum()),
        by_frequency=grouped,
        over_time=_tracking(orders, fitted, calibration_end, holdout_end, unit_days(time_unit)),
    )


def _tracking(
    orders: ir.Table,
    fitted: PurchaseModel,
    calibration_end: date,
    holdout_end: date,
    days_per_unit: float,
) -> pd.DataFrame:
    """Weekly cumulative repeat purchases of the customers acquired by
    ``calibration_end``: what they did, and what the model expects of customers acquired
    on the same days (Fader, Hardie and Lee 2005, figure 2)."""
    days = purchase_days(orders, end=holdout_end)
    first = days.group_by("customer_id").aggregate(first_day=days.day.min())
    acquired = first.filter(first.first_day <= ibis.date(calibration_end).epoch_days())
    cohorts = acquired.group_by("first_day").aggregate(customers=acquired.count()).to_pandas()
    repeats = days.inner_join(acquired, "customer_id")
    repeats = repeats.filter(repeats.day > repeats.first_day)
    weekly = repeats.group_by(day=repeats.day).aggregate(purchases=repeats.count()).to_pandas()
    start = int(cohorts["first_day"].min())
    end = (holdout_end - date(1970, 1, 1)).days
    week_ends = np.arange(start + 7, end + 7, 7)
    actual = np.searchsorted(np.sort(np.repeat(weekly["day"], weekly["purchases"])), week_ends)
    ages = (week_ends[:, None] - cohorts["first_day"].to_numpy()[None, :]) / days_per_unit
    expected = fitted.expected_purchases_new_customer(np.clip(ages, 0, None).ravel())
    predicted = expected.reshape(ages.shape) @ cohorts["customers"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "week_ending": pd.to_datetime(week_ends - 1, unit="D"),
            "actual": actual,
            "predicted": predicted,
        }
    )
