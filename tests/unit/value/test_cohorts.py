"""Cohort retention and acquisition economics on a few customers followed by hand."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.value.cohorts import acquisition_economics, cohort_table, cohort_triangle


def orders_table(rows: list[tuple]) -> ibis.Table:
    frame = pd.DataFrame(
        rows, columns=["order_id", "customer_id", "ordered_at", "amount", "margin"]
    )
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"], format="ISO8601")
    frame["margin"] = frame["margin"].astype("float64")
    frame["currency"], frame["channel"], frame["items"] = "EUR", "web", 1
    return ibis.memtable(frame)


def customers_table(rows: list[tuple]) -> ibis.Table:
    columns = ["customer_id", "created_at", "acquisition_channel", "acquisition_cost"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    frame["acquisition_cost"] = frame["acquisition_cost"].astype("float64")
    return ibis.memtable(frame)


# a and b first buy in January, c in February; d signed up in March and never bought.
ORDERS = orders_table(
    [
        ("o1", "a", "2024-01-05", 100.0, 10.0),
        ("o2", "a", "2024-02-10", 50.0, 5.0),
        ("o3", "b", "2024-01-20", 20.0, None),
        ("o4", "b", "2024-03-15 18:30", 60.0, 6.0),
        ("o5", "c", "2024-02-03", 30.0, 3.0),
        ("o6", "c", "2024-04-01", 40.0, 4.0),
    ]
)
CUSTOMERS = customers_table(
    [
        ("a", "2024-01-01", "ads", 10.0),
        ("b", "2024-01-10", "ads", 20.0),
        ("c", "2024-02-01", None, None),
        ("d", "2024-03-01", "seo", None),
    ]
)


def cell(cells: pd.DataFrame, cohort: str, period: int) -> pd.Series:
    found = cells[
        (cells["cohort"] == pd.Timestamp(cohort)) & (cells["periods_since_acquisition"] == period)
    ]
    assert len(found) == 1
    return found.iloc[0]


def test_retention_and_revenue_of_a_cohort_by_hand():
    cells = cohort_table(ORDERS, periods=4)
    january = cell(cells, "2024-01-01", 1)
    assert january["cohort_size"] == 2
    assert january["active_customers"] == 1  # only a bought in February
    assert january["retention"] == pytest.approx(0.5)
    assert january["revenue"] == pytest.approx(50.0)
    assert january["revenue_per_customer"] == pytest.approx(25.0)
    assert january["cumulative_revenue_per_customer"] == pytest.approx(85.0)  # (120 + 50) / 2
    assert cell(cells, "2024-01-01", 0)["retention"] == 1.0
    assert cell(cells, "2024-01-01", 2)["cumulative_revenue_per_customer"] == pytest.approx(115.0)
    assert cell(cells, "2024-02-01", 2)["retention"] == 1.0


def test_cells_after_the_cut_off_are_missing_while_observed_quiet_months_are_zero():
    cells = cohort_table(ORDERS, periods=4)
    april = cell(cells, "2024-01-01", 3)
    assert april["active_customers"] == 0
    assert april["retention"] == 0.0
    assert not april["complete"]  # April holds the last order: only partly observed
    assert cell(cells, "2024-01-01", 2)["complete"]
    may = cell(cells, "2024-01-01", 4)
    assert pd.isna(may["active_customers"]) and np.isnan(may["retention"])
    assert np.isnan(may["cumulative_revenue_per_customer"])
    assert np.isnan(cell(cells, "2024-02-01", 3)["revenue"])
    assert len(cells) == 2 * 5


def test_a_cut_off_leaves_out_later_orders():
    cells = cohort_table(ORDERS, periods=3, cut_off="2024-03-15")  # a date: its whole day
    assert cell(cells, "2024-01-01", 2)["retention"] == 0.5  # b's order at 18:30 counts
    assert np.isnan(cell(cells, "2024-01-01", 3)["retention"])
    assert cell(cells, "2024-02-01", 1)["retention"] == 0.0
    assert np.isnan(cell(cells, "2024-02-01", 2)["retention"])


def test_created_at_cohorts_count_customers_who_never_ordered():
    cells = cohort_table(ORDERS, CUSTOMERS, periods=2, acquired_from="created_at")
    march = cell(cells, "2024-03-01", 0)
    assert march["cohort_size"] == 1
    assert march["retention"] == 0.0
    assert cell(cells, "2024-01-01", 0)["cohort_size"] == 2


def test_weeks_start_on_monday_and_quarters_follow_the_calendar():
    orders = orders_table(
        [
            ("o1", "a", "2024-01-01", 1.0, None),  # a Monday
            ("o2", "a", "2024-01-07", 1.0, None),  # the Sunday of the same week
            ("o3", "a", "2024-01-08", 1.0, None),  # next Monday
            ("o4", "a", "2024-04-02", 1.0, None),
        ]
    )
    weeks = cohort_table(orders, period="week", periods=1)
    assert weeks["cohort"].tolist() == [pd.Timestamp("2024-01-01")] * 2
    assert weeks["revenue"].tolist() == [2.0, 1.0]
    quarters = cohort_table(orders, period="quarter", periods=1)
    assert quarters["revenue"].tolist() == [3.0, 1.0]


def test_triangle_has_a_row_per_cohort_and_a_column_per_period():
    triangle = cohort_triangle(cohort_table(ORDERS, periods=4))
    assert triangle.shape == (2, 5)
    assert triangle.loc[pd.Timestamp("2024-02-01")].tolist()[:3] == [1.0, 0.0, 1.0]
    assert triangle.loc[pd.Timestamp("2024-02-01")].isna().tolist() == [False] * 3 + [True] * 2
    with pytest.raises(InvalidParameterError, match="value"):
        cohort_triangle(cohort_table(ORDERS), value="nps")


def test_cohort_parameters_are_checked():
    with pytest.raises(InvalidParameterError, match="period"):
        cohort_table(ORDERS, period="day")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="periods"):
        cohort_table(ORDERS, periods=-1)
    with pytest.raises(InvalidParameterError, match="customers"):
        cohort_table(ORDERS, acquired_from="created_at")
    with pytest.raises(ModelDataError, match="empty"):
        cohort_table(ORDERS.filter(ORDERS["amount"] < 0))


def economics(**options) -> pd.DataFrame:
    return acquisition_economics(ORDERS, CUSTOMERS, **options).set_index("acquisition_channel")


def test_channels_without_costs_are_listed_with_missing_cac():
    table = economics()
    assert table.index.tolist() == ["ads", "seo", "unknown"]
    assert table["customers"].tolist() == [2, 1, 1]
    assert table["customers_with_cost"].tolist() == [2, 0, 0]
    assert table.loc["ads", "mean_cac"] == pytest.approx(15.0)
    assert np.isnan(table.loc["seo", "mean_cac"])
    assert pd.isna(table.loc["seo", "payback_month"])


def test_payback_month_by_hand_with_a_margin_rate_for_orders_without_margin():
    # ads, CAC 15: margin per customer 10 in January (a 10, b 20 x 0.5), 12.5 by February,
    # 15.5 by March.
    table = economics(margin_rate=0.5)
    assert table.loc["ads", "payback_month"] == 2
    assert table.loc["ads", "months_observed"] == 4
    # Without the rate b's first order adds nothing: 5, 7.5, 10.5, 10.5 never reach 15.
    assert pd.isna(economics().loc["ads", "payback_month"])


def test_payback_only_counts_customers_observed_long_enough():
    orders = orders_table(
        [(f"o{month}", "x", f"2024-{month:02d}-10", 100.0, 30.0) for month in range(1, 5)]
    )
    customers = customers_table(
        [("x", "2024-01-01", "ads", 100.0), ("y", "2024-04-01", "ads", 100.0)]
    )
    table = acquisition_economics(orders, customers, cut_off="2024-04-30")
    # Month 0: (30 + 0) / 2; months 1 to 3 only x is observed: 60, 90, 120 >= 100.
    assert table.loc[0, "payback_month"] == 3


def test_clv_to_cac_uses_the_mean_clv_of_the_channel():
    clv = pd.DataFrame({"customer_id": ["a", "b", "c"], "clv": [50.0, 70.0, 9.0]})
    table = economics(clv=clv)
    assert table.loc["ads", "mean_clv"] == pytest.approx(60.0)
    assert table.loc["ads", "clv_to_cac"] == pytest.approx(4.0)
    assert table.loc["unknown", "mean_clv"] == pytest.approx(9.0)
    assert np.isnan(table.loc["unknown", "clv_to_cac"])


def test_economics_without_any_margin_have_no_payback():
    orders = ORDERS.drop("margin")
    table = acquisition_economics(orders, CUSTOMERS).set_index("acquisition_channel")
    assert table["payback_month"].isna().all()
    with pytest.raises(InvalidParameterError, match="margin_rate"):
        acquisition_economics(ORDERS, CUSTOMERS, margin_rate=1.5)
