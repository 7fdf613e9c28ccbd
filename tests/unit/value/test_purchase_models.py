"""What every repeat-purchase model must do the same way: stay finite on extreme rows,
predict for one or many horizons, and refuse bad data and unfitted use clearly."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from emptychair.errors import ModelDataError, NotFittedError
from emptychair.value.models import PURCHASE_MODELS, PurchaseModel

MODELS = list(PURCHASE_MODELS.values())


@pytest.fixture(scope="module", params=MODELS, ids=list(PURCHASE_MODELS))
def fitted(request: pytest.FixtureRequest, cdnow: pd.DataFrame) -> PurchaseModel:
    model: PurchaseModel = request.param()
    return model.fit(cdnow)


def test_extreme_rows_stay_finite(cdnow: pd.DataFrame, fitted: PurchaseModel) -> None:
    extreme = pd.DataFrame(
        {
            "frequency": [5000.0, 5000.0, 0.0, 300.0, 1.0],
            "recency": [9e4, 1.0, 0.0, 99_999.0, 1e5],
            "T": [1e5, 1e5, 1e5, 1e5, 1e5],
        }
    )
    data = pd.concat([cdnow[["frequency", "recency", "T"]], extreme], ignore_index=True)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        model = type(fitted)().fit(data)
        alive = fitted.probability_alive(extreme)
        expected = fitted.expected_purchases(extreme, np.array([1.0, 52.0, 1e4]))
        new = fitted.expected_purchases_new_customer(np.array([0.0, 1e-6, 1e6]))
    assert np.isfinite(model.log_likelihood_)
    assert np.all((alive >= 0) & (alive <= 1))
    assert np.all(np.isfinite(expected)) and np.all(expected >= 0)
    assert np.all(np.isfinite(new)) and new[0] == 0


def test_one_or_many_horizons(fitted: PurchaseModel) -> None:
    data = {"frequency": [0.0, 2.0], "recency": [0.0, 10.0], "T": [20.0, 30.0]}
    one = fitted.expected_purchases(data, 10.0)
    many = fitted.expected_purchases(data, np.array([5.0, 10.0]))
    assert one.shape == (2,) and many.shape == (2, 2)
    np.testing.assert_allclose(many[:, 1], one)
    assert (many[:, 1] > many[:, 0]).all()
    with pytest.raises(ModelDataError, match="horizons"):
        fitted.expected_purchases(data, -1.0)


@pytest.mark.parametrize("model", MODELS, ids=list(PURCHASE_MODELS))
def test_an_empty_summary_is_a_clear_error(model: type[PurchaseModel]) -> None:
    with pytest.raises(ModelDataError, match="no rows"):
        model().fit({"frequency": [], "recency": [], "T": []})


@pytest.mark.parametrize("model", MODELS, ids=list(PURCHASE_MODELS))
def test_no_repeat_buyers_is_a_clear_error(model: type[PurchaseModel]) -> None:
    data = {"frequency": [0.0, 0.0], "recency": [0.0, 0.0], "T": [10.0, 20.0]}
    with pytest.raises(ModelDataError, match="no customer has a repeat purchase"):
        model().fit(data)


@pytest.mark.parametrize("model", MODELS, ids=list(PURCHASE_MODELS))
def test_recency_of_one_time_buyers_must_be_zero(model: type[PurchaseModel]) -> None:
    data = {"frequency": [2.0, 0.0], "recency": [5.0, 3.0], "T": [20.0, 10.0]}
    with pytest.raises(ModelDataError, match="row 1: recency 3 with frequency 0"):
        model().fit(data)


@pytest.mark.parametrize("model", MODELS, ids=list(PURCHASE_MODELS))
def test_predicting_before_fitting_is_a_clear_error(model: type[PurchaseModel]) -> None:
    data = {"frequency": [1.0], "recency": [2.0], "T": [5.0]}
    unfitted = model()
    for predict in (
        lambda: unfitted.probability_alive(data),
        lambda: unfitted.expected_purchases(data, 10.0),
        lambda: unfitted.expected_purchases_new_customer(10.0),
    ):
        with pytest.raises(NotFittedError, match="not fitted"):
            predict()
    assert "not fitted" in repr(unfitted)
