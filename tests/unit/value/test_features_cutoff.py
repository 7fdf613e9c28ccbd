"""The cut-off of an RFM summary on naive and zoned order times, and at its edges."""

from __future__ import annotations

from datetime import date

import ibis
import pandas as pd
import pytest

from emptychair.value.features import rfm_summary

TIMES_KINDS = ("naive", "utc")
COLUMNS = ["frequency", "recency", "T", "monetary_value", "total_spend", "orders"]


def orders(times: list[str], kind: str) -> ibis.Table:
    stamps = pd.to_datetime(times, format="ISO8601")
    values = stamps.tz_localize("UTC") if kind == "utc" else stamps
    frame = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "A", "B"],
            "ordered_at": list(values),
            "amount": [10.0, 5.0, 30.0, 50.0, 7.0],
        }
    )
    return ibis.memtable(frame)


def summary(table: ibis.Table, **options: object) -> pd.DataFrame:
    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone = 'UTC'")
    frame = con.to_pandas(rfm_summary(table, time_unit="days", **options))
    return frame.set_index("customer_id").sort_index()


TIMES = [
    "2024-01-01 09:00",
    "2024-01-01 18:00",  # same day as the first order: one purchase day
    "2024-01-10 23:59:59.999999",  # the last instant of the cut-off day: kept
    "2024-01-11 00:00",  # the first instant after the cut-off day: left out
    "2024-01-04 12:00",
]


@pytest.mark.parametrize("kind", ["naive", "utc"])
def test_the_cutoff_day_is_kept_whole_and_nothing_after(kind: str) -> None:
    got = summary(orders(TIMES, kind), cutoff=date(2024, 1, 10))
    a = got.loc["A"]
    assert a["frequency"] == 1
    assert a["recency"] == 9.0
    assert a["T"] == 9.0
    assert a["monetary_value"] == 30.0  # the repeat day only, not the first day's 15
    assert a["total_spend"] == 45.0
    assert a["orders"] == 3
    assert got.loc["B", "T"] == 6.0
    assert str(a["first_purchase_at"])[:10] == "2024-01-01"
    assert str(a["last_purchase_at"])[:10] == "2024-01-10"


def test_naive_and_zoned_order_times_give_the_same_summary() -> None:
    naive, zoned = (summary(orders(TIMES, kind), cutoff=date(2024, 1, 10)) for kind in TIMES_KINDS)
    pd.testing.assert_frame_equal(naive[COLUMNS], zoned[COLUMNS])


def test_without_a_cutoff_the_last_purchase_day_ends_the_observation() -> None:
    got = summary(orders(TIMES, "naive"))
    assert got.loc["A", "frequency"] == 2
    assert got.loc["A", "T"] == 10.0  # the last order, 2024-01-11, is the end
    assert got.loc["B", "T"] == 7.0
