"""Use-cases on a summary file the user already has: fit a model, score every row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from emptychair.errors import ModelDataError
from emptychair.value.clv import customer_lifetime_value
from emptychair.value.features import DAYS_PER_MONTH, unit_days
from emptychair.value.models import CustomerValueModel, model_class, purchase_model
from emptychair.value.models.gamma_gamma import GammaGammaModel
from emptychair.value.summary_files import read_summary


@dataclass
class FittedSummary:
    """A model fitted on a summary file: the model, its table of estimates, the file."""

    model_name: str
    model: CustomerValueModel
    file: Path
    rows: int

    def table(self) -> pd.DataFrame:
        return self.model.summary().reset_index(names="parameter")


def _in_file(path: Path, error: ModelDataError) -> ModelDataError:
    return ModelDataError(f"{path}: {error} (rows are numbered as lines of the file)")


def fit_summary_file(
    path: Path,
    model: str,
    mapping: Mapping[str, str] | None = None,
    weights: str | None = None,
) -> FittedSummary:
    """Fit ``model`` (``bgnbd``, ``paretonbd``, ``mbgnbd``, ``bgbb``, ``sbg``,
    ``gammagamma``) on the summary in ``path``."""
    estimator = model_class(model)()
    frame = read_summary(path, mapping)
    try:
        estimator.fit(frame, weights=weights)
    except ModelDataError as error:
        raise _in_file(path, error) from None
    return FittedSummary(model, estimator, path, len(frame))


def score_summary_file(
    path: Path,
    model: str = "bgnbd",
    mapping: Mapping[str, str] | None = None,
    *,
    months: int = 12,
    discount_rate: float = 0.01,
    margin: float = 1.0,
    time_unit: str = "weeks",
    level: float = 0.9,
) -> tuple[pd.DataFrame, list[FittedSummary]]:
    """Fit on the summary in ``path`` and score each row: P(alive), expected purchases
    over ``months`` and, when the file has ``monetary_value``, expected spend and CLV
    with its interval. Returns the scored rows and the fitted models."""
    frame = read_summary(path, mapping)
    purchases = purchase_model(model)
    try:
        purchases.fit(frame)
        fitted = [FittedSummary(model, purchases, path, len(frame))]
        if "monetary_value" in frame.columns:
            spend = GammaGammaModel().fit(frame)
            fitted.append(FittedSummary("gammagamma", spend, path, len(frame)))
            scores = customer_lifetime_value(
                purchases,
                spend,
                frame,
                months=months,
                discount_rate=discount_rate,
                margin=margin,
                time_unit=time_unit,
                level=level,
            )
        else:
            horizon = months * DAYS_PER_MONTH / unit_days(time_unit)
            scores = pd.DataFrame(
                {
                    "probability_alive": purchases.probability_alive(frame),
                    "expected_purchases": purchases.expected_purchases(frame, horizon),
                }
            )
    except ModelDataError as error:
        raise _in_file(path, error) from None
    scores.index = frame.index
    kept = frame.drop(columns=[c for c in scores.columns if c in frame.columns])
    return pd.concat([kept, scores], axis=1), fitted
