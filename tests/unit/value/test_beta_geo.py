"""BG/NBD: the published CDNOW estimates, lifetimes' answers, simulated truth, bad data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from emptychair.errors import ModelDataError
from emptychair.value.models.beta_geo import BetaGeoModel

from .conftest import assert_gradient_matches, simulate_summary

# Fader, Hardie and Lee (2005), section 5 (CDNOW sample, time in weeks).
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LOG_LIKELIHOOD = -9582.4


@pytest.fixture(scope="module")
def fitted(cdnow: pd.DataFrame) -> BetaGeoModel:
    return BetaGeoModel().fit(cdnow)


def test_reproduces_the_published_cdnow_estimates(fitted: BetaGeoModel) -> None:
    for name, value in PUBLISHED.items():
        assert fitted.params_[name] == pytest.approx(value, abs=5e-4)
    assert fitted.log_likelihood_ == pytest.approx(PUBLISHED_LOG_LIKELIHOOD, abs=0.05)
    assert fitted.diagnostics_["converged"]
    assert fitted.diagnostics_["hessian_positive_definite"]
    assert fitted.n_customers_ == 2357


def test_a_new_customer_is_a_customer_just_acquired(fitted: BetaGeoModel) -> None:
    just_acquired = {"frequency": [0], "recency": [0.0], "T": [0.0]}
    horizons = np.array([1.0, 39.0, 78.0])
    np.testing.assert_allclose(
        fitted.expected_purchases_new_customer(horizons),
        fitted.expected_purchases(just_acquired, horizons)[0],
        rtol=1e-10,
    )


def test_matches_lifetimes_on_cdnow(cdnow: pd.DataFrame, fitted: BetaGeoModel) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = lifetimes.BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    for name in PUBLISHED:
        assert fitted.params_[name] == pytest.approx(reference.params_[name], rel=1e-4)
    summary = reference.summary
    for name in PUBLISHED:
        assert fitted.standard_errors_[name] == pytest.approx(
            summary.loc[name, "se(coef)"], rel=1e-2
        )
    expected = reference.conditional_expected_number_of_purchases_up_to_time(
        39, cdnow["frequency"], cdnow["recency"], cdnow["T"]
    )
    alive = reference.conditional_probability_alive(
        cdnow["frequency"], cdnow["recency"], cdnow["T"]
    )
    new = reference.expected_number_of_purchases_up_to_time(np.array([10.0, 39.0]))
    np.testing.assert_allclose(fitted.expected_purchases_new_customer([10.0, 39.0]), new, rtol=1e-3)
    np.testing.assert_allclose(fitted.expected_purchases(cdnow, 39), expected, rtol=1e-3)
    np.testing.assert_allclose(fitted.probability_alive(cdnow), alive, rtol=1e-3)


def test_recovers_simulated_parameters_within_their_standard_errors() -> None:
    truth = {"r": 0.5, "alpha": 6.0, "a": 0.8, "b": 3.0}
    summary = simulate_summary(40_000, **truth, seed=11)
    model = BetaGeoModel().fit(summary)
    for name, value in truth.items():
        assert abs(model.params_[name] - value) < 3 * model.standard_errors_[name], name
    # More data, smaller standard errors: the errors are about the data, not fixed.
    small = BetaGeoModel().fit(summary.head(4_000))
    assert (small.standard_errors_ > 2 * model.standard_errors_).all()


def test_weighted_unique_rows_fit_exactly_like_one_row_per_customer(cdnow: pd.DataFrame) -> None:
    grouped = cdnow.groupby(["frequency", "recency", "T"], as_index=False).size()
    compressed = BetaGeoModel().fit(grouped, weights="size")
    full = BetaGeoModel().fit(cdnow)
    np.testing.assert_allclose(compressed.params_, full.params_, rtol=1e-8)
    assert compressed.log_likelihood_ == pytest.approx(full.log_likelihood_, rel=1e-10)
    assert compressed.diagnostics_["unique_rows"] == len(grouped)


def test_the_time_unit_only_rescales_alpha(cdnow: pd.DataFrame, fitted: BetaGeoModel) -> None:
    in_days = cdnow.assign(recency=cdnow["recency"] * 7, T=cdnow["T"] * 7)
    model = BetaGeoModel().fit(in_days)
    assert model.params_["alpha"] == pytest.approx(fitted.params_["alpha"] * 7, rel=1e-6)
    assert model.params_["r"] == pytest.approx(fitted.params_["r"], rel=1e-6)
    np.testing.assert_allclose(
        model.expected_purchases(in_days, 39 * 7), fitted.expected_purchases(cdnow, 39), rtol=1e-6
    )


def test_gradient_matches_finite_differences(cdnow: pd.DataFrame) -> None:
    model = BetaGeoModel()
    columns = model._statistics(cdnow)
    data = model._prepare({**columns, "_weight": np.ones(len(cdnow))})
    assert_gradient_matches(model, data, np.array([0.3, 5.0, 0.7, 2.0]))


def test_probability_alive_is_one_without_repeat_purchases(fitted: BetaGeoModel) -> None:
    data = pd.DataFrame(
        {"frequency": [0, 2, 2], "recency": [0.0, 30.0, 5.0], "T": [40.0, 40.0, 40.0]}
    )
    alive = fitted.probability_alive(data)
    assert alive[0] == 1.0  # the model's definition: dropout only after a repeat purchase
    assert alive[1] > alive[2]  # a recent buyer is more likely alive than a lapsed one
    expected = fitted.expected_purchases(data, np.array([10.0, 20.0]))
    assert expected.shape == (3, 2)
    assert (expected[:, 1] > expected[:, 0]).all()


def test_all_purchases_on_the_cutoff_day_is_a_clear_error() -> None:
    data = pd.DataFrame({"frequency": [0, 0], "recency": [0.0, 0.0], "T": [0.0, 0.0]})
    with pytest.raises(ModelDataError, match="T = 0"):
        BetaGeoModel().fit(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"frequency": [1], "recency": [3.0]}, "no column 'T'"),
        ({"frequency": [1], "recency": [5.0], "T": [3.0]}, "row 0: recency 5 is greater than T 3"),
        ({"frequency": [1.5], "recency": [1.0], "T": [3.0]}, "row 0: value 1.5 is not a whole"),
        ({"frequency": [1, -1], "recency": [1.0, 1.0], "T": [3.0, 3.0]}, "row 1: value -1"),
        ({"frequency": [1, 1], "recency": [1.0, np.nan], "T": [3.0, 3.0]}, "'recency', row 1"),
    ],
)
def test_bad_summaries_name_the_column_and_row(data: dict, message: str) -> None:
    with pytest.raises(ModelDataError, match=message):
        BetaGeoModel().fit(pd.DataFrame(data))


def test_summary_and_parameter_draws(fitted: BetaGeoModel) -> None:
    table = fitted.summary()
    assert list(table.columns) == ["estimate", "standard_error", "lower", "upper"]
    assert (table["lower"] < table["estimate"]).all() and (table["estimate"] < table["upper"]).all()
    draws = fitted.sample_parameters(4000, seed=1)
    assert draws.shape == (4000, 4) and (draws > 0).all()
    np.testing.assert_allclose(
        np.std(np.log(draws), axis=0), np.sqrt(np.diag(fitted.covariance_log_)), rtol=0.1
    )
