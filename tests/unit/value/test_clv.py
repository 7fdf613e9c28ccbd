"""CLV over a horizon with intervals, and the retention-only formula."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from emptychair.errors import InvalidParameterError
from emptychair.value.clv import customer_lifetime_value, retention_clv
from emptychair.value.models.beta_geo import BetaGeoModel
from emptychair.value.models.gamma_gamma import GammaGammaModel

from .conftest import simulate_summary


@pytest.fixture(scope="module")
def models(cdnow: pd.DataFrame) -> tuple[BetaGeoModel, GammaGammaModel]:
    return BetaGeoModel().fit(cdnow), GammaGammaModel().fit(cdnow)


def test_matches_lifetimes_up_to_the_length_of_a_month(cdnow: pd.DataFrame, models: tuple) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    bg, gg = models
    clv = customer_lifetime_value(bg, gg, cdnow, months=12, discount_rate=0.01, time_unit="weeks")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        purchases = lifetimes.BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
        repeat = cdnow[cdnow["frequency"] > 0]
        spend = lifetimes.GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
        reference = spend.customer_lifetime_value(
            purchases,
            cdnow["frequency"],
            cdnow["recency"],
            cdnow["T"],
            cdnow["monetary_value"],
            time=12,
            discount_rate=0.01,
            freq="W",
        )
    # lifetimes counts a month as 4.345 weeks, we as 365.25 / 12 days (4.348 weeks).
    np.testing.assert_allclose(clv["clv"], reference, rtol=2e-3)


def test_clv_is_the_discounted_sum_of_monthly_purchases_times_spend(
    cdnow: pd.DataFrame, models: tuple
) -> None:
    bg, gg = models
    months, rate, margin = 6, 0.02, 0.3
    clv = customer_lifetime_value(bg, gg, cdnow, months=months, discount_rate=rate, margin=margin)
    month = 365.25 / 12 / 7
    cumulative = np.column_stack(
        [bg.expected_purchases(cdnow, month * i) for i in range(months + 1)]
    )
    by_hand = (
        margin
        * gg.expected_spend(cdnow)
        * (np.diff(cumulative, axis=1) @ (1 + rate) ** -np.arange(1, months + 1))
    )
    np.testing.assert_allclose(clv["clv"], by_hand, rtol=1e-9)
    np.testing.assert_allclose(clv["expected_purchases"], cumulative[:, -1], rtol=1e-9)
    np.testing.assert_allclose(clv["probability_alive"], bg.probability_alive(cdnow), rtol=1e-12)
    assert "customer_id" not in clv.columns  # carried over only when the summary has it


def test_intervals_hold_the_estimate_and_narrow_with_more_customers() -> None:
    summary = simulate_summary(20_000, seed=2)
    small = summary.head(2_000)

    def widths(data: pd.DataFrame) -> pd.DataFrame:
        bg, gg = BetaGeoModel().fit(data), GammaGammaModel().fit(data)
        clv = customer_lifetime_value(bg, gg, summary.head(500))
        assert ((clv["clv_lower"] < clv["clv"]) & (clv["clv"] < clv["clv_upper"])).all()
        assert clv["customer_id"].tolist() == summary["customer_id"].head(500).tolist()
        return np.log(clv["clv_upper"] / clv["clv_lower"])

    assert np.median(widths(small)) > 2 * np.median(widths(summary))


def test_interval_matches_clv_spread_under_parameter_draws(
    cdnow: pd.DataFrame, models: tuple
) -> None:
    """The delta-method interval agrees with brute-force sampling of the parameters."""
    bg, gg = models
    data = cdnow.head(50)
    clv = customer_lifetime_value(bg, gg, data, level=0.9)
    draws_bg, draws_gg = bg.sample_parameters(400, seed=1), gg.sample_parameters(400, seed=2)
    month = 365.25 / 12 / 7
    discount = 1.01 ** -np.arange(1, 13)
    values = []
    for params_bg, params_gg in zip(draws_bg, draws_gg, strict=True):
        curve = bg.expected_purchases(data, month * np.arange(0, 13), params=params_bg)
        values.append(
            gg.expected_spend(data, params=params_gg) * (np.diff(curve, axis=1) @ discount)
        )
    sampled = np.array(values)
    lower, upper = np.quantile(sampled, [0.05, 0.95], axis=0)
    np.testing.assert_allclose(clv["clv_lower"], lower, rtol=0.15)
    np.testing.assert_allclose(clv["clv_upper"], upper, rtol=0.15)


def test_retention_clv_formula() -> None:
    assert retention_clv(100.0, 0.8, 0.1) == pytest.approx(100 * 0.8 / 0.3)
    assert retention_clv(100.0, 0.0, 0.1) == 0.0
    with pytest.raises(InvalidParameterError, match="retention_rate"):
        retention_clv(100.0, 1.2, 0.1)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"months": 0}, "months"),
        ({"discount_rate": -0.1}, "discount_rate"),
        ({"margin": 1.5}, "margin"),
        ({"level": 1.0}, "level"),
        ({"time_unit": "fortnights"}, "time unit 'fortnights'"),
    ],
)
def test_bad_options_are_named(
    cdnow: pd.DataFrame, models: tuple, options: dict, message: str
) -> None:
    bg, gg = models
    with pytest.raises(InvalidParameterError, match=message):
        customer_lifetime_value(bg, gg, cdnow.head(3), **options)
