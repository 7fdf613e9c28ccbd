"""The same validation and customer-360 queries on PySpark ``local[2]`` as on DuckDB.

Nothing DuckDB-only may creep into domain code: these tests run the engine-side
expressions on Spark and compare the results with DuckDB's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import ibis
import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.customers import customer_360
from emptychair.ingest.parse import ParseOptions
from emptychair.ingest.validate import bad_rows, checked_rows, parsed_rows, row_problems
from emptychair.schema import TABLES

pytestmark = pytest.mark.spark

RAW_ORDERS = pd.DataFrame(
    {
        "_row": [2, 3, 4, 5, 6, 7, 8, 9],
        "order_id": ["O1", "O2", "O3", "O4", "O1", "O6", "O7", "O8"],
        "customer_id": pd.Series(["C1", "C1", "C2", "C9", "C1", "C3", "C3", None], dtype=object),
        "ordered_at": [
            "03/01/2024 10:00",
            "2024-01-05",
            "31/12/2023",
            "2024-01-05",
            "2024-01-06",
            "2099-01-01",
            "30/02/2024",
            "2024-01-05",
        ],
        "amount": ["12,5", "1 234,50", "-3", "4", "5", "6", "7", "abc"],
        "channel": ["Magasin", "web", "site web", "app", "web", "fax", "web", "web"],
    }
)


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.sort_values(list(frame.columns[:2])).reset_index(drop=True)
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].astype("datetime64[us]")
    return frame.astype(object).map(lambda value: None if pd.isna(value) else value)


def test_validation_gives_the_same_rows_on_spark_and_duckdb(spark_session: object) -> None:
    options = ParseOptions(now=datetime(2026, 11, 23, 12, 0))
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3"]})
    duck = ibis.duckdb.connect()
    spark = ibis.pyspark.connect(spark_session)
    results = []
    schema = TABLES["orders"]
    for con in (duck, spark):
        stage = ibis.memtable(RAW_ORDERS)
        known = ibis.memtable(customers)
        checked = checked_rows(parsed_rows(stage, schema, options), schema, options)
        problems = row_problems(checked, schema, known)
        bad = bad_rows(checked, problems, schema)
        results.append(
            (
                # the key hash is each engine's own (only its repeats matter)
                _normalise(con.execute(checked.drop("_key_hash"))),
                _normalise(con.execute(problems)),
                sorted(con.execute(bad)["_row"]),
            )
        )
    (checked_duck, problems_duck, bad_duck), (checked_spark, problems_spark, bad_spark) = results
    pd.testing.assert_frame_equal(checked_spark, checked_duck, check_dtype=False)
    pd.testing.assert_frame_equal(problems_spark, problems_duck, check_dtype=False)
    assert bad_spark == bad_duck == [4, 5, 6, 7, 8, 9]
    errors = checked_duck.set_index("_row")
    assert errors.loc[4, "_error__amount"].startswith("negative")
    assert errors.loc[7, "_error__ordered_at"] == "in the future"
    reasons = dict(zip(problems_duck["_row"], problems_duck["reason"], strict=True))
    assert reasons[5].startswith("unknown customer")
    assert reasons[6] == "duplicate order_id: first seen on row 2"


def test_customer_360_is_the_same_on_spark(
    with_customers: Workspace, write_file: Callable[..., Path], spark_workspace: Workspace
) -> None:
    duck = with_customers
    duck.import_file(
        "orders",
        write_file(
            "o.csv",
            "order_id,customer_id,ordered_at,amount,channel\n"
            "O1,C1,2024-01-02 10:00,10,web\nO2,C1,2024-02-03 11:00,20,store\n"
            "O3,C2,2024-01-04,30,app\n",
        ),
    )
    duck.import_file(
        "feedback",
        write_file(
            "f.csv",
            "feedback_id,customer_id,received_at,kind,score,text,channel\n"
            "F1,C1,2024-02-05,nps,3,Livraison en retard,web\n",
        ),
    )
    spark = spark_workspace
    for table in ("customers", "orders", "feedback", "_customer_links"):
        spark.engine.append_arrow(table, duck.engine.backend.to_pyarrow(duck.table(table)))
    on_duckdb = customer_360(duck, "C1")
    on_spark = customer_360(spark, "C1")
    assert on_spark.profile == on_duckdb.profile
    assert on_spark.summary == on_duckdb.summary
    pd.testing.assert_frame_equal(
        on_spark.timeline.reset_index(drop=True),
        on_duckdb.timeline.reset_index(drop=True),
        check_dtype=False,
    )
    assert on_duckdb.timeline["record_id"].tolist() == ["F1", "O2", "O1"]
    found = spark.search_customers("hélène")
    assert found["customer_id"].tolist() == ["C1"]


VALUE_ORDERS = pd.DataFrame(
    {
        "customer_id": ["A", "A", "A", "A", "B", "C", "C", "D", "D"],
        "ordered_at": pd.to_datetime(
            [
                "2024-01-01 09:00",
                "2024-01-01 18:00",
                "2024-01-08 12:00",
                "2024-01-22 08:00",
                "2024-01-03 10:00",
                "2024-01-02 10:00",
                "2024-03-01 10:00",
                "2024-02-10 10:00",
                "2024-02-20 10:00",
            ]
        ),
        "amount": [10.0, 5.0, 30.0, 50.0, 7.0, 20.0, 99.0, 12.0, 8.0],
    }
)


def test_value_summaries_are_the_same_on_spark(spark_session: object) -> None:
    from emptychair.value.cohorts import cohort_table
    from emptychair.value.concentration import concentration
    from emptychair.value.features import calibration_holdout, rfm_summary
    from emptychair.value.models import BetaGeoModel, GammaGammaModel
    from emptychair.value.scoring import score_customers
    from emptychair.value.segments import rfm_segments
    from tests.value_data import simulate_summary

    simulated = simulate_summary(3000, seed=9)
    purchases, spend = BetaGeoModel().fit(simulated), GammaGammaModel().fit(simulated)
    results = []
    for con in (ibis.duckdb.connect(), ibis.pyspark.connect(spark_session)):
        orders = con.create_table("value_orders", ibis.memtable(VALUE_ORDERS))
        summary = rfm_summary(orders, cutoff=datetime(2024, 3, 31), time_unit="days")
        split = calibration_holdout(
            orders, calibration_end=datetime(2024, 1, 31), holdout_end=datetime(2024, 3, 31)
        )
        stored = con.create_table("value_summary", summary)
        results.append(
            (
                _normalise(con.execute(summary)),
                _normalise(con.execute(split)),
                _normalise(con.execute(rfm_segments(stored).drop("first_purchase_at"))),
                concentration(stored).gini,
                cohort_table(orders, cut_off=datetime(2024, 3, 31), periods=3),
                _normalise(
                    con.execute(
                        score_customers(stored, purchases, spend, time_unit="days").drop(
                            "first_purchase_at", "last_purchase_at"
                        )
                    )
                ),
            )
        )
    duck, spark = results
    for on_duck, on_spark in zip(duck[:3], spark[:3], strict=True):
        pd.testing.assert_frame_equal(on_spark, on_duck, check_dtype=False)
    assert spark[3] == pytest.approx(duck[3])
    pd.testing.assert_frame_equal(_normalise(spark[4]), _normalise(duck[4]), check_dtype=False)
    pd.testing.assert_frame_equal(spark[5], duck[5], check_dtype=False)
    assert duck[5]["clv"].gt(0).all()
    assert duck[0].set_index("customer_id").loc["A", "frequency"] == 2
