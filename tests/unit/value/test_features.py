"""RFM summaries in the engine, against sums done by hand."""

from __future__ import annotations

from datetime import date, datetime

import ibis
import pandas as pd
import pytest

from emptychair.errors import InvalidParameterError
from emptychair.value.features import calibration_holdout, rfm_summary


@pytest.fixture
def orders() -> ibis.Table:
    frame = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "A", "B", "C", "C"],
            "ordered_at": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 18:00",  # two orders, one purchase day
                    "2024-01-08 12:00",
                    "2024-01-22 08:00",
                    "2024-01-03 10:00",
                    "2024-01-02 10:00",
                    "2024-03-01 10:00",  # after the cut-off below
                ]
            ),
            "amount": [10.0, 5.0, 30.0, 50.0, 7.0, 20.0, 99.0],
        }
    )
    return ibis.memtable(frame)


def run(expr: ibis.Table) -> pd.DataFrame:
    return ibis.duckdb.connect().to_pandas(expr).set_index("customer_id").sort_index()


def test_summary_at_a_cutoff_in_days(orders: ibis.Table) -> None:
    summary = run(rfm_summary(orders, cutoff=date(2024, 1, 31), time_unit="days"))
    a, b, c = summary.loc["A"], summary.loc["B"], summary.loc["C"]
    assert (a["frequency"], a["recency"], a["T"]) == (2, 21.0, 30.0)
    assert a["monetary_value"] == pytest.approx((30 + 50) / 2)  # repeat days only
    assert (a["total_spend"], a["orders"]) == (95.0, 4)
    assert pd.Timestamp(a["first_purchase_at"]) == pd.Timestamp("2024-01-01")
    assert pd.Timestamp(a["last_purchase_at"]) == pd.Timestamp("2024-01-22")
    assert (b["frequency"], b["recency"], b["T"], b["monetary_value"]) == (0, 0.0, 28.0, 0.0)
    assert (c["frequency"], c["T"], c["total_spend"]) == (0, 29.0, 20.0)  # March ignored


def test_weeks_and_the_default_cutoff(orders: ibis.Table) -> None:
    summary = run(rfm_summary(orders))  # cut-off: the last order day, 1 March
    assert summary.loc["A", "recency"] == pytest.approx(3.0)
    assert summary.loc["A", "T"] == pytest.approx(60 / 7)
    assert summary.loc["C", "frequency"] == 1
    assert summary.loc["C", "recency"] == pytest.approx(59 / 7)


def test_a_datetime_cutoff_includes_its_whole_day(orders: ibis.Table) -> None:
    summary = run(rfm_summary(orders, cutoff=datetime(2024, 1, 22, 0, 0), time_unit="days"))
    assert summary.loc["A", "frequency"] == 2


def test_calibration_and_holdout(orders: ibis.Table) -> None:
    split = run(
        calibration_holdout(
            orders,
            calibration_end=date(2024, 1, 7),
            holdout_end=date(2024, 3, 31),
            time_unit="days",
        )
    )
    assert set(split.index) == {"A", "B", "C"}
    assert (split.loc["A", "frequency"], split.loc["A", "frequency_holdout"]) == (0, 2)
    assert split.loc["A", "monetary_value_holdout"] == pytest.approx(40.0)
    assert split.loc["C", "frequency_holdout"] == 1 and split.loc["B", "frequency_holdout"] == 0
    assert split.loc["A", "duration_holdout"] == 84.0


def test_customers_first_seen_in_the_holdout_are_left_out(orders: ibis.Table) -> None:
    split = run(
        calibration_holdout(orders, calibration_end=date(2024, 1, 2), holdout_end=date(2024, 2, 1))
    )
    assert set(split.index) == {"A", "C"}


def test_bad_options() -> None:
    table = ibis.memtable(
        pd.DataFrame(
            {"customer_id": ["A"], "ordered_at": [pd.Timestamp("2024-01-01")], "amount": [1.0]}
        )
    )
    with pytest.raises(InvalidParameterError, match="time unit 'months'"):
        rfm_summary(table, time_unit="months")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="must be after"):
        calibration_holdout(table, calibration_end=date(2024, 2, 1), holdout_end=date(2024, 1, 1))
