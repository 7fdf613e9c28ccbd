"""sBG: the published estimates and projections of Fader and Hardie (2007), the two ways
to fit, recovery of known parameters, the analytic gradient, predictions and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from emptychair.errors import InvalidParameterError, ModelDataError, NotFittedError
from emptychair.value.models.shifted_beta_geo import ShiftedBetaGeoModel, survival_table_rows

from .conftest import assert_gradient_matches

# Customers of a cohort of 1,000 still active at the start of years 0 to 12 (Fader and
# Hardie 2007); the models are fitted on years 0 to 7 and project years 8 to 12.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]
PUBLISHED = {"regular": (0.704, 1.182), "high end": (0.668, 3.806)}
TABLES = {"regular": REGULAR, "high end": HIGH_END}


@pytest.fixture(scope="module")
def models() -> dict[str, ShiftedBetaGeoModel]:
    return {name: ShiftedBetaGeoModel().fit_survival(table[:8]) for name, table in TABLES.items()}


def simulate(alpha: float, beta: float, customers: int, seed: int) -> pd.DataFrame:
    """One row per customer drawn from the sBG, observed for 1 to 12 periods."""
    rng = np.random.default_rng(seed)
    theta = rng.beta(alpha, beta, customers)
    churn_period = rng.geometric(theta)  # P(T = t) = theta (1 - theta)^(t - 1)
    observed = rng.integers(1, 13, customers)
    return pd.DataFrame(
        {"periods": np.minimum(churn_period, observed), "churned": churn_period <= observed}
    )


# -- estimates -------------------------------------------------------------------------


@pytest.mark.parametrize("segment", ["regular", "high end"])
def test_published_estimates(models: dict[str, ShiftedBetaGeoModel], segment: str) -> None:
    model = models[segment]
    assert tuple(model.params_.round(3)) == PUBLISHED[segment]
    assert model.n_customers_ == 1000
    assert model.diagnostics_["converged"]


@pytest.mark.parametrize(("segment", "tolerance"), [("regular", 0.005), ("high end", 0.02)])
def test_projects_years_8_to_12(
    models: dict[str, ShiftedBetaGeoModel], segment: str, tolerance: float
) -> None:
    actual = np.array(TABLES[segment][8:]) / 1000
    projected = models[segment].survival(np.arange(8, 13))
    np.testing.assert_allclose(projected, actual, atol=tolerance)
    # The projection only ever falls short: the sBG is, if anything, conservative here.
    assert np.all(projected < actual)


def test_shares_with_a_cohort_size_fit_like_counts(
    models: dict[str, ShiftedBetaGeoModel],
) -> None:
    shares = np.array(REGULAR[:8]) / 1000
    model = ShiftedBetaGeoModel().fit_survival(shares, customers=1000)
    np.testing.assert_allclose(model.params_, models["regular"].params_, rtol=1e-8)
    np.testing.assert_allclose(
        model.standard_errors_, models["regular"].standard_errors_, rtol=1e-5
    )


def test_one_row_per_customer_fits_like_the_table(
    models: dict[str, ShiftedBetaGeoModel],
) -> None:
    rows = survival_table_rows(HIGH_END[:8])
    assert rows["customers"].sum() == 1000
    customers = rows.loc[rows.index.repeat(rows["customers"])].drop(columns="customers")
    model = ShiftedBetaGeoModel().fit(customers)
    np.testing.assert_allclose(model.params_, models["high end"].params_, rtol=1e-6)
    assert model.log_likelihood_ == pytest.approx(models["high end"].log_likelihood_)


def test_recovers_known_parameters() -> None:
    true = np.array([0.9, 2.5])
    model = ShiftedBetaGeoModel().fit(simulate(*true, customers=8000, seed=5))
    errors = np.abs(model.params_.to_numpy() - true) / model.standard_errors_.to_numpy()
    assert np.all(errors < 3), model.summary()


def test_analytic_gradient_matches_finite_differences() -> None:
    model = ShiftedBetaGeoModel()
    columns = model._statistics(simulate(0.9, 2.5, customers=500, seed=2))
    data = model._prepare({**columns, "_weight": np.ones(len(columns["t"]))})
    for params in (np.array([0.7, 1.2]), np.array([3.0, 0.4])):
        assert_gradient_matches(model, data, params, rtol=1e-6)


# -- predictions -----------------------------------------------------------------------


def test_survival_churn_and_retention_agree(models: dict[str, ShiftedBetaGeoModel]) -> None:
    model = models["regular"]
    t = np.arange(1, 30)
    survival = model.survival(np.arange(0, 30))
    assert survival[0] == pytest.approx(1.0)
    np.testing.assert_allclose(model.churn_probability(t), -np.diff(survival))
    retention = model.retention_rate(t)
    np.testing.assert_allclose(retention, survival[1:] / survival[:-1])
    assert np.all(np.diff(retention) > 0)  # heterogeneity: the loyal are left
    assert model.churn_probability(1) == pytest.approx(1 - 631 / 1000, abs=0.01)


def test_discounted_lifetimes(models: dict[str, ShiftedBetaGeoModel]) -> None:
    model = models["high end"]
    d = 0.1
    t = np.arange(0, 3000)
    survival = model.survival(t)
    discounted_sum = float(np.sum(survival / (1 + d) ** t))
    assert model.expected_lifetime(d) == pytest.approx(discounted_sum, rel=1e-9)
    derl = model.discounted_expected_residual_lifetime(d, renewals=[0, 1, 4])
    for renewals, value in zip([0, 1, 4], derl, strict=True):
        n = renewals + 1
        direct = np.sum(survival[n:] / survival[n - 1] / (1 + d) ** (t[n:] - n))
        assert value == pytest.approx(direct, rel=1e-9)
    # At acquisition: the first period is paid, the rest is the residual a period later.
    assert model.expected_lifetime(d) == pytest.approx(1 + derl[0] / (1 + d))
    assert np.all(np.diff(derl) > 0)  # customers who renewed more are worth more


def test_expected_lifetime_without_discounting() -> None:
    model = ShiftedBetaGeoModel()
    assert model.expected_lifetime(params=[2.5, 3.0]) == pytest.approx((2.5 + 3.0 - 1) / 1.5)
    assert model.expected_lifetime(params=[0.7, 1.2]) == np.inf  # alpha <= 1
    residual = model.discounted_expected_residual_lifetime(0.0, 2, params=[2.5, 3.0])
    assert residual == pytest.approx((3.0 + 3 - 1) / (2.5 - 1))


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alive", "customers", "message"),
    [
        ([1000, 631, 700, 382], None, "period 2: 700 customers active, more than the 631"),
        ([1.0, 0.8, 1.2, 0.5], 1000, "period 2: share 1.2 is above 1"),
        ([1.0, 0.63, 0.47], None, "pass customers="),
        ([0, 0, 0], None, "period 0: no customers"),
        ([1.0, 0.6, 0.4], 0, "customers .* must be positive"),
        ([1000, 631], None, "1 period"),
        ([1000], None, "0 period"),
        ([1000, 1000, 1000], None, "no customer churned in periods 1 to 2"),
        ([1000, -5, 3], None, "period 1: -5"),
        ([1000, float("nan"), 3], None, "period 1: nan"),
    ],
)
def test_bad_retention_tables(alive: list[float], customers: float | None, message: str) -> None:
    with pytest.raises(ModelDataError, match=message):
        ShiftedBetaGeoModel().fit_survival(alive, customers=customers)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"periods": [3, 2], "churned": [2, 0]}, "column 'churned', row 0: value 2"),
        ({"periods": [3, 0], "churned": [False, True]}, "row 1: churned with periods 0"),
        ({"periods": [3, 2.5], "churned": [False, True]}, "row 1: value 2.5 is not a whole"),
        ({"periods": [3, 5], "churned": [False, False]}, "no customer churned in the 5"),
        ({"periods": [1, 1, 1], "churned": [True, False, True]}, "single period"),
        ({"periods": [3, 5]}, "no column 'churned'"),
    ],
)
def test_bad_subscription_data(data: dict[str, list[float]], message: str) -> None:
    with pytest.raises(ModelDataError, match=message):
        ShiftedBetaGeoModel().fit(pd.DataFrame(data))


def test_bad_prediction_arguments(models: dict[str, ShiftedBetaGeoModel]) -> None:
    model = models["regular"]
    with pytest.raises(ModelDataError, match="periods must be 1 or more"):
        model.churn_probability(0)
    with pytest.raises(ModelDataError, match="periods must be 0 or more"):
        model.survival(-1)
    with pytest.raises(InvalidParameterError, match="discount_rate"):
        model.discounted_expected_residual_lifetime(-0.1)


def test_predicting_before_fitting() -> None:
    model = ShiftedBetaGeoModel()
    for predict in (
        lambda: model.churn_probability(1),
        lambda: model.survival(3),
        lambda: model.retention_rate(2),
        lambda: model.expected_lifetime(0.1),
        lambda: model.discounted_expected_residual_lifetime(0.1),
    ):
        with pytest.raises(NotFittedError, match="not fitted"):
            predict()
