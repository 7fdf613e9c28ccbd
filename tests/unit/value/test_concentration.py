"""Lorenz curve, Gini index and top shares on distributions whose answer is known by hand."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.value.concentration import concentration, gini, lorenz_curve


def spend(values: list[float]) -> ibis.Table:
    frame = pd.DataFrame({"customer_id": [f"c{i:03d}" for i in range(len(values))]})
    frame["total_spend"] = pd.Series(values, dtype="float64")
    return ibis.memtable(frame)


# 20 customers: the top 3 make 58 of 100; then 16 customers of 2.5 and one of 2.
TWENTY = [20.0, 20.0, 18.0, *([2.5] * 16), 2.0]


@pytest.mark.parametrize(
    ("values", "expected"),
    [([1.0, 1.0, 1.0, 1.0], 0.0), ([0.0, 0.0, 0.0, 1.0], 0.75), ([7.0], 0.0), ([1.0, 3.0], 0.25)],
)
def test_gini_of_known_distributions(values, expected):
    assert gini(spend(values)) == pytest.approx(expected)


def test_gini_matches_the_rank_formula_on_random_values_with_ties():
    values = np.random.default_rng(7).integers(0, 20, size=300).astype(float)
    ordered = np.sort(values)
    n = len(values)
    expected = 2 * np.sum(np.arange(1, n + 1) * ordered) / (n * ordered.sum()) - (n + 1) / n
    assert gini(spend(list(values))) == pytest.approx(expected, rel=1e-12)


def test_lorenz_curve_runs_from_the_most_valuable_customer_down():
    curve = lorenz_curve(spend([10.0, 50.0, 10.0, 30.0]), points=4)
    assert curve["customers"].tolist() == [0, 1, 2, 3, 4]
    assert curve["share_of_customers"].tolist() == pytest.approx([0, 0.25, 0.5, 0.75, 1])
    assert curve["share_of_revenue"].tolist() == pytest.approx([0, 0.5, 0.8, 0.9, 1])


def test_lorenz_curve_points_are_exact_when_a_bucket_splits_a_tie():
    curve = lorenz_curve(spend([5.0, 5.0, 5.0, 1.0]), points=2)
    assert curve["share_of_customers"].tolist() == pytest.approx([0, 0.5, 1])
    assert curve["share_of_revenue"].tolist() == pytest.approx([0, 10 / 16, 1])


def test_lorenz_curve_has_one_point_per_customer_when_customers_are_fewer_than_points():
    values = list(np.random.default_rng(3).exponential(size=50))
    curve = lorenz_curve(spend(values), points=100)
    expected = np.cumsum(np.sort(values)[::-1]) / np.sum(values)
    assert curve["customers"].tolist() == list(range(51))
    assert curve["share_of_revenue"].iloc[1:].to_numpy() == pytest.approx(expected)


def test_concentration_states_top_shares_in_english_and_french():
    result = concentration(spend(TWENTY))
    top = result.top_shares.set_index("top")
    assert top.loc[0.15, "customers"] == 3
    assert top.loc[0.15, "share_of_revenue"] == pytest.approx(0.58)
    assert top.loc[0.15, "statement_en"] == "the top 15% of customers make 58% of revenue"
    assert top.loc[0.15, "statement_fr"] == (
        "les 15 % meilleurs clients font 58 % du chiffre d'affaires"
    )
    # With 20 customers the top 1% is one customer, i.e. 5% of them.
    assert top.loc[0.01, "customers"] == 1
    assert top.loc[0.01, "statement_en"] == "the top 5% of customers make 20% of revenue"
    assert top.loc[0.5, "share_of_revenue"] == pytest.approx(0.755)
    assert top.loc[0.5, "statement_en"] == "the top 50% of customers make 76% of revenue"
    assert result.customers == 20
    assert result.revenue == pytest.approx(100.0)


def test_concentration_finds_the_fewest_customers_making_80_percent():
    result = concentration(spend(TWENTY))
    # 58 + 2.5 k >= 80 needs k = 9 more customers: 12 of 20.
    assert result.customers_for_80_percent == 12
    assert result.share_of_customers_for_80_percent == pytest.approx(0.6)
    assert result.statements_en[-1] == "60% of customers make 80% of revenue"
    assert result.statements_fr[-1] == "60 % des clients font 80 % du chiffre d'affaires"
    assert len(result.statements_en) == len(result.top_shares) + 1


def test_concentration_agrees_with_gini_and_the_curve():
    values = list(np.random.default_rng(11).pareto(1.5, size=400))
    result = concentration(spend(values), points=20)
    assert result.gini == pytest.approx(gini(spend(values)))
    assert result.curve.equals(lorenz_curve(spend(values), points=20))
    cumulative = np.cumsum(np.sort(values)[::-1]) / np.sum(values)
    assert result.customers_for_80_percent == int(np.argmax(cumulative >= 0.8)) + 1


def test_equal_values_need_exactly_80_percent_of_customers_and_have_no_inequality():
    result = concentration(spend([10.0] * 5))
    assert result.customers_for_80_percent == 4
    assert result.gini == pytest.approx(0.0)
    assert result.top_shares["share_of_revenue"].tolist() == pytest.approx(
        result.top_shares["share_of_customers"].tolist()
    )


def test_a_single_customer_makes_all_the_revenue():
    result = concentration(spend([42.0]))
    assert result.gini == 0.0
    assert result.customers_for_80_percent == 1
    assert result.curve["share_of_revenue"].tolist() == [0.0, 1.0]
    assert set(result.top_shares["share_of_revenue"]) == {1.0}


def test_missing_values_are_left_out():
    assert gini(spend([0.0, 0.0, 0.0, 1.0, np.nan])) == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([0.0, 0.0], "is 0"),
        ([5.0, -1.0], "1 customers have a negative 'total_spend'"),
        ([np.nan], "No customer has a value"),
    ],
)
def test_values_that_cannot_be_shared_are_refused_with_a_clear_message(values, message):
    with pytest.raises(ModelDataError, match=message):
        concentration(spend(values))


def test_bad_parameters_name_themselves():
    with pytest.raises(ModelDataError, match="'clv'"):
        gini(spend([1.0]), value_column="clv")
    with pytest.raises(InvalidParameterError, match="points"):
        lorenz_curve(spend([1.0]), points=0)
    with pytest.raises(InvalidParameterError, match="top"):
        concentration(spend([1.0]), top=(0.0, 0.5))
