"""Gamma-Gamma: published CDNOW estimates, lifetimes' answers, simulated truth, bad data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from emptychair.errors import ModelDataError, NotFittedError
from emptychair.value.models.gamma_gamma import GammaGammaModel

from .conftest import assert_gradient_matches, simulate_summary

# Fader, Hardie and Lee (2005), "RFM and CLV", CDNOW repeat buyers.
PUBLISHED = {"p": 6.25, "q": 3.74, "v": 15.44}


@pytest.fixture(scope="module")
def fitted(cdnow: pd.DataFrame) -> GammaGammaModel:
    return GammaGammaModel().fit(cdnow)


def test_reproduces_the_published_estimates(fitted: GammaGammaModel) -> None:
    for name, value in PUBLISHED.items():
        assert fitted.params_[name] == pytest.approx(value, abs=0.01)
    assert fitted.n_customers_ == 946  # the repeat buyers only
    assert fitted.diagnostics_["converged"]


def test_matches_lifetimes(cdnow: pd.DataFrame, fitted: GammaGammaModel) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    repeat = cdnow[cdnow["frequency"] > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = lifetimes.GammaGammaFitter().fit(
            repeat["frequency"].to_numpy(), repeat["monetary_value"].to_numpy()
        )
    for name in PUBLISHED:
        assert fitted.params_[name] == pytest.approx(reference.params_[name], rel=1e-5)
        assert fitted.standard_errors_[name] == pytest.approx(
            reference.summary.loc[name, "se(coef)"], rel=1e-3
        )
    expected = reference.conditional_expected_average_profit(
        cdnow["frequency"].to_numpy(), cdnow["monetary_value"].to_numpy()
    )
    np.testing.assert_allclose(fitted.expected_spend(cdnow), expected, rtol=1e-5)


def test_expected_spend_shrinks_towards_the_population_mean(fitted: GammaGammaModel) -> None:
    mean = fitted.population_mean_spend()
    data = pd.DataFrame({"frequency": [0, 1, 20, 1], "monetary_value": [0.0, 100.0, 100.0, 5.0]})
    spend = fitted.expected_spend(data)
    assert spend[0] == pytest.approx(mean)  # nothing known: the population mean
    assert mean < spend[1] < spend[2] < 100.0  # more purchases, more weight on their mean
    assert spend[3] > 5.0


def test_recovers_simulated_parameters() -> None:
    truth = {"p": 4.0, "q": 5.0, "v": 40.0}
    summary = simulate_summary(60_000, **truth, seed=5)
    model = GammaGammaModel().fit(summary)
    for name, value in truth.items():
        assert abs(model.params_[name] - value) < 3 * model.standard_errors_[name], name


def test_amounts_in_cents_give_the_same_model_in_cents(
    cdnow: pd.DataFrame, fitted: GammaGammaModel
) -> None:
    cents = GammaGammaModel().fit(cdnow.assign(monetary_value=cdnow["monetary_value"] * 100))
    assert cents.params_["v"] == pytest.approx(fitted.params_["v"] * 100, rel=1e-6)
    assert cents.params_["p"] == pytest.approx(fitted.params_["p"], rel=1e-6)


def test_weights_apply_to_the_repeat_buyers(cdnow: pd.DataFrame, fitted: GammaGammaModel) -> None:
    doubled = GammaGammaModel().fit(cdnow, weights=np.full(len(cdnow), 2.0))
    np.testing.assert_allclose(doubled.params_, fitted.params_, rtol=1e-6)
    assert doubled.n_customers_ == 2 * fitted.n_customers_


def test_gradient_matches_finite_differences(cdnow: pd.DataFrame) -> None:
    repeat = cdnow[cdnow["frequency"] > 0]
    model = GammaGammaModel()
    columns = model._rescale(model._statistics(repeat), 30.0)
    data = model._prepare({**columns, "_weight": np.ones(len(repeat))})
    assert_gradient_matches(model, data, np.array([5.0, 3.0, 0.5]))


def test_zero_or_negative_spend_is_a_clear_error() -> None:
    data = pd.DataFrame({"frequency": [1, 2, 3], "monetary_value": [10.0, 0.0, 5.0]})
    with pytest.raises(ModelDataError, match=r"row 1: monetary_value 0 with frequency 2"):
        GammaGammaModel().fit(data)
    with pytest.raises(ModelDataError, match="negative"):
        GammaGammaModel().fit(data.assign(monetary_value=[10.0, -3.0, 5.0]))


def test_no_repeat_buyer_is_a_clear_error() -> None:
    data = pd.DataFrame({"frequency": [0, 0], "monetary_value": [0.0, 0.0]})
    with pytest.raises(ModelDataError, match="no customer has a repeat purchase"):
        GammaGammaModel().fit(data)


def test_identical_spend_everywhere_is_a_clear_error() -> None:
    data = pd.DataFrame({"frequency": [1, 2, 3], "monetary_value": [10.0, 10.0, 10.0]})
    with pytest.raises(ModelDataError, match="different mean spend"):
        GammaGammaModel().fit(data)


def test_unfitted_model_refuses_to_predict() -> None:
    with pytest.raises(NotFittedError):
        GammaGammaModel().expected_spend({"frequency": [1], "monetary_value": [3.0]})
