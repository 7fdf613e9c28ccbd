"""BG/BB: published estimates on the donations data, agreement with ``lifetimes``,
recovery of known parameters, the analytic gradient, predictions and bad input."""

from __future__ import annotations

import importlib.metadata
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special

from emptychair.errors import ModelDataError, NotFittedError
from emptychair.value.models.beta_geo_beta_binom import BetaGeoBetaBinomModel

from .conftest import assert_gradient_matches

# Fader, Hardie and Shang (2010), donations to a non-profit, 1995 cohort of 11,104.
PUBLISHED = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
PUBLISHED_LOG_LIKELIHOOD = -33225.6
TRUE = np.array([1.2, 0.75, 0.66, 2.8])


@pytest.fixture(scope="module")
def donations() -> pd.DataFrame:
    try:
        distribution = importlib.metadata.distribution("lifetimes")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("the donations data ship with lifetimes, which is not installed")
    path = distribution.locate_file("lifetimes/datasets/donations.csv")
    return pd.read_csv(str(path)).rename(columns={"periods": "n_periods"})


@pytest.fixture(scope="module")
def fitted(donations: pd.DataFrame) -> BetaGeoBetaBinomModel:
    return BetaGeoBetaBinomModel().fit(donations, weights="weights")


def simulate(params: np.ndarray, customers: int, n_periods: int, seed: int) -> pd.DataFrame:
    """Compressed summaries of customers drawn from the BG/BB with ``params``."""
    rng = np.random.default_rng(seed)
    alpha, beta, gamma, delta = params
    p = rng.beta(alpha, beta, customers)
    theta = rng.beta(gamma, delta, customers)
    alive_for = rng.geometric(theta) - 1  # P(alive at opportunity t) = (1 - theta)^t
    opportunity = np.arange(1, n_periods + 1)
    bought = (rng.random((customers, n_periods)) < p[:, None]) & (opportunity <= alive_for[:, None])
    frequency = bought.sum(axis=1)
    recency = np.where(frequency > 0, n_periods - np.argmax(bought[:, ::-1], axis=1), 0)
    frame = pd.DataFrame({"frequency": frequency, "recency": recency, "n_periods": n_periods})
    return frame.value_counts().rename("weights").reset_index()


# -- estimates -------------------------------------------------------------------------


def test_published_estimates_on_donations(fitted: BetaGeoBetaBinomModel) -> None:
    assert fitted.params_.round(3).to_dict() == PUBLISHED
    assert round(fitted.log_likelihood_, 1) == PUBLISHED_LOG_LIKELIHOOD
    assert fitted.n_customers_ == 11104
    assert fitted.diagnostics_["converged"]
    assert (fitted.standard_errors_ > 0).all()


def test_compressed_and_one_row_per_customer_agree(
    donations: pd.DataFrame, fitted: BetaGeoBetaBinomModel
) -> None:
    customers = donations.loc[donations.index.repeat(donations["weights"])]
    model = BetaGeoBetaBinomModel().fit(customers.drop(columns="weights"))
    np.testing.assert_allclose(model.params_, fitted.params_, rtol=1e-6)
    assert model.log_likelihood_ == pytest.approx(fitted.log_likelihood_, rel=1e-10)


def test_agrees_with_lifetimes(donations: pd.DataFrame, fitted: BetaGeoBetaBinomModel) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    columns = [donations[name].to_numpy() for name in ("frequency", "recency", "n_periods")]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reference = lifetimes.BetaGeoBetaBinomFitter().fit(
                *columns, weights=donations["weights"].to_numpy()
            )
            alive = reference.conditional_probability_alive(1, *columns)
            purchases = reference.conditional_expected_number_of_purchases_up_to_time(5, *columns)
            counts = reference.expected_number_of_transactions_in_first_n_periods(6)["model"]
    except Exception as error:  # an old lifetimes that cannot run on this pandas
        pytest.skip(f"lifetimes {lifetimes.__version__} cannot run here: {error!r}")
    expected = [reference.params_[name] for name in fitted.parameter_names]
    np.testing.assert_allclose(fitted.params_, expected, rtol=1e-3)
    np.testing.assert_allclose(fitted.probability_alive(donations), alive, rtol=1e-3)
    np.testing.assert_allclose(fitted.expected_purchases(donations, 5), purchases, rtol=1e-3)
    mean = float((counts.index * counts).sum() / counts.sum())
    assert fitted.expected_purchases_new_customer(6) == pytest.approx(mean, rel=1e-3)


def test_recovers_known_parameters() -> None:
    data = pd.concat([simulate(TRUE, 10_000, 8, seed=11), simulate(TRUE, 10_000, 4, seed=12)])
    model = BetaGeoBetaBinomModel().fit(data, weights="weights")
    errors = np.abs(model.params_.to_numpy() - TRUE) / model.standard_errors_.to_numpy()
    assert np.all(errors < 3), model.summary()


def test_analytic_gradient_matches_finite_differences(donations: pd.DataFrame) -> None:
    model = BetaGeoBetaBinomModel()
    columns = model._statistics(donations)
    data = model._prepare({**columns, "_weight": donations["weights"].to_numpy(dtype=float)})
    for params in (np.array([1.3, 0.6, 0.8, 2.1]), np.array([0.4, 2.5, 1.7, 0.9])):
        assert_gradient_matches(model, data, params, rtol=1e-6)


# -- predictions -----------------------------------------------------------------------


def test_probability_alive(fitted: BetaGeoBetaBinomModel) -> None:
    data = pd.DataFrame({"frequency": [6, 3, 3, 3, 1], "recency": [6, 6, 5, 3, 1], "n_periods": 6})
    alive = fitted.probability_alive(data)
    assert np.all((alive > 0) & (alive < 1))
    # A transaction at the last opportunity proves the customer alive then, whatever x.
    gamma, delta = fitted.params_["gamma"], fitted.params_["delta"]
    np.testing.assert_allclose(alive[:2], (delta + 6) / (gamma + delta + 6))
    # The longer the silence since the last transaction, the likelier the customer is gone.
    assert alive[1] > alive[2] > alive[3] > alive[4]


def test_predictions_keep_the_row_order(
    donations: pd.DataFrame, fitted: BetaGeoBetaBinomModel
) -> None:
    shuffled = donations.sample(frac=1.0, random_state=3)
    np.testing.assert_allclose(
        fitted.probability_alive(shuffled),
        fitted.probability_alive(donations)[shuffled.index.to_numpy()],
    )


def test_expected_purchases(fitted: BetaGeoBetaBinomModel) -> None:
    data = pd.DataFrame({"frequency": [6, 3, 1], "recency": [6, 6, 1], "n_periods": 6})
    assert np.all(fitted.expected_purchases(data, 0) == 0)
    short, long = fitted.expected_purchases(data, 1), fitted.expected_purchases(data, 10)
    assert np.all(long > short)
    assert np.all(long < 10)
    # One opportunity ahead: alive at it, times the posterior mean of p.
    alpha, beta = fitted.params_["alpha"], fitted.params_["beta"]
    posterior_p = (alpha + data["frequency"]) / (alpha + beta + data["n_periods"])
    np.testing.assert_allclose(short, fitted.probability_alive(data) * posterior_p)


@pytest.mark.parametrize("gamma", [0.657, 1.0, 1.0 + 1e-7, 2.5])
def test_expected_purchases_new_customer_is_the_sum_over_opportunities(gamma: float) -> None:
    alpha, beta, delta = 1.2, 0.75, 2.8
    model = BetaGeoBetaBinomModel()
    t = np.arange(1, 31)
    alive = np.exp(special.betaln(gamma, delta + t) - special.betaln(gamma, delta))
    expected = alpha / (alpha + beta) * np.cumsum(alive)
    got = model.expected_purchases_new_customer(t, params=[alpha, beta, gamma, delta])
    np.testing.assert_allclose(got, expected, rtol=1e-6)


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"frequency": 3, "recency": 2, "n_periods": 6}, "frequency 3 is greater than recency 2"),
        ({"frequency": 2, "recency": 7, "n_periods": 6}, "recency 7 is greater than n_periods 6"),
        ({"frequency": 0, "recency": 2, "n_periods": 6}, "recency 2 with frequency 0"),
        ({"frequency": 1.5, "recency": 2, "n_periods": 6}, "not a whole number"),
        ({"frequency": -1, "recency": 2, "n_periods": 6}, "negative"),
    ],
)
def test_bad_rows_are_named(row: dict[str, float], message: str) -> None:
    good = {"frequency": 1, "recency": 1, "n_periods": 6}
    data = pd.DataFrame([good, good, row])
    with pytest.raises(ModelDataError, match=message) as caught:
        BetaGeoBetaBinomModel().fit(data)
    assert "row 2" in str(caught.value)


def test_missing_column_is_named() -> None:
    data = pd.DataFrame({"frequency": [1], "recency": [1], "periods": [6]})
    with pytest.raises(ModelDataError, match="no column 'n_periods'"):
        BetaGeoBetaBinomModel().fit(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"frequency": [0, 0], "recency": [0, 0], "n_periods": [5, 6]}, "no customer has a"),
        ({"frequency": [0, 0], "recency": [0, 0], "n_periods": [0, 0]}, "n_periods = 0"),
        ({"frequency": [3, 6], "recency": [3, 6], "n_periods": [3, 6]}, "every opportunity"),
    ],
)
def test_data_that_cannot_identify_the_model(data: dict[str, list[int]], message: str) -> None:
    with pytest.raises(ModelDataError, match=message):
        BetaGeoBetaBinomModel().fit(pd.DataFrame(data))


def test_negative_horizon(fitted: BetaGeoBetaBinomModel, donations: pd.DataFrame) -> None:
    with pytest.raises(ModelDataError, match="horizon"):
        fitted.expected_purchases(donations, -1)
    with pytest.raises(ModelDataError, match="horizon"):
        fitted.expected_purchases_new_customer(-2)


def test_predicting_before_fitting(donations: pd.DataFrame) -> None:
    model = BetaGeoBetaBinomModel()
    for predict in (
        lambda: model.probability_alive(donations),
        lambda: model.expected_purchases(donations, 5),
        lambda: model.expected_purchases_new_customer(5),
        model.summary,
    ):
        with pytest.raises(NotFittedError, match="not fitted"):
            predict()
