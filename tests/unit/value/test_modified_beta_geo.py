"""MBG/NBD: published CDNOW estimates, lifetimes, simulation, gradient and stability."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from emptychair.value.models.beta_geo import BetaGeoModel
from emptychair.value.models.modified_beta_geo import ModifiedBetaGeoModel

from .conftest import assert_gradient_matches, awkward_histories

# CDNOW estimates of BTYDplus (mbgnbd.EstimateParameters), as quoted by lifetimes' tests.
PUBLISHED = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
# No log-likelihood is published with them; lifetimes' likelihood at our estimate gives it.
LOG_LIKELIHOOD = -9582.1


@pytest.fixture(scope="module")
def fitted(cdnow_summary: pd.DataFrame) -> ModifiedBetaGeoModel:
    return ModifiedBetaGeoModel().fit(cdnow_summary)


def simulate(customers: int, params: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Purchases at rate lambda ~ Gamma(r, alpha); with probability p ~ Beta(a, b) the
    customer drops out at time 0 and after each purchase; observed for T ~ U(20, 60)."""
    r, alpha, a, b = params
    rng = np.random.default_rng(seed)
    rate = rng.gamma(r, 1 / alpha, customers)
    p = rng.beta(a, b, customers)
    T = rng.uniform(20, 60, customers)
    arrivals = rng.poisson(rate * T)
    # Purchases made before dropping out: none, or a geometric number.
    lifetime_purchases = np.where(rng.uniform(size=customers) < p, 0, rng.geometric(p))
    x = np.minimum(lifetime_purchases, arrivals).astype(float)
    # The x-th of `arrivals` uniform times on [0, T].
    safe = np.maximum(x, 1)
    recency = np.where(x > 0, T * rng.beta(safe, arrivals - x + 1), 0.0)
    return {"frequency": x, "recency": recency, "T": T}


def test_reproduces_published_cdnow_estimates(fitted: ModifiedBetaGeoModel) -> None:
    for name, value in PUBLISHED.items():
        assert round(fitted.params_[name], 3) == value
    assert round(fitted.log_likelihood_, 1) == LOG_LIKELIHOOD
    assert fitted.diagnostics_["converged"]
    assert np.all(fitted.standard_errors_ > 0)


def test_matches_lifetimes(cdnow_summary: pd.DataFrame, fitted: ModifiedBetaGeoModel) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    # Plain arrays: the input lifetimes 0.11.3 was written for.
    x, t_x, T = (cdnow_summary[name].to_numpy() for name in ("frequency", "recency", "T"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = lifetimes.ModifiedBetaGeoFitter().fit(x, t_x, T)
    ours = fitted.params_.to_numpy()
    np.testing.assert_allclose(ours, reference.params_.to_numpy(), rtol=1e-3)
    np.testing.assert_allclose(
        fitted.standard_errors_.to_numpy(), reference.standard_errors_.to_numpy(), rtol=1e-2
    )

    # Same parameters, same likelihood and predictions.
    reference.params_ = pd.Series(ours, index=["r", "alpha", "a", "b"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ones = np.ones(len(x))
        mean_negative = reference._negative_log_likelihood(np.log(ours), x, t_x, T, ones, 0.0)
    assert -mean_negative * len(x) == pytest.approx(fitted.log_likelihood_, abs=1e-6)
    np.testing.assert_allclose(
        fitted.probability_alive(cdnow_summary),
        reference.conditional_probability_alive(x, t_x, T),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        fitted.expected_purchases(cdnow_summary, 39.0),
        reference.conditional_expected_number_of_purchases_up_to_time(39.0, x, t_x, T),
        rtol=1e-9,
    )
    horizons = np.array([1.0, 39.0, 78.0])
    np.testing.assert_allclose(
        fitted.expected_purchases_new_customer(horizons),
        reference.expected_number_of_purchases_up_to_time(horizons),
        rtol=1e-9,
    )


@pytest.mark.parametrize(
    "params", [(0.52, 6.2, 0.89, 1.6), (1.2, 3.0, 2.5, 8.0), (0.1, 50.0, 0.05, 20.0)]
)
def test_gradient_matches_finite_differences(params: tuple) -> None:
    model = ModifiedBetaGeoModel()
    data = model._prepare(awkward_histories())
    assert_gradient_matches(model, data, np.array(params), rtol=1e-6, relative_step=1e-4)


def test_recovers_simulated_parameters() -> None:
    truth = np.array([0.52, 6.2, 0.89, 1.6])
    model = ModifiedBetaGeoModel().fit(simulate(30_000, truth, seed=7))
    error = (model.params_.to_numpy() - truth) / model.standard_errors_.to_numpy()
    assert np.all(np.abs(error) < 3), error


def test_one_time_buyers_may_have_dropped_out(cdnow_summary: pd.DataFrame) -> None:
    one_time = {"frequency": [0.0, 0.0], "recency": [0.0, 0.0], "T": [1.0, 38.0]}
    modified = ModifiedBetaGeoModel().fit(cdnow_summary).probability_alive(one_time)
    plain = BetaGeoModel().fit(cdnow_summary).probability_alive(one_time)
    assert np.all(plain == 1.0)
    assert np.all(modified < 1.0)
    assert modified[1] < modified[0]  # the longer the silence, the likelier the dropout
