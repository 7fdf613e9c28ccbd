"""One measured step of the scaling benchmark, run in its own process by ``bench/scale.py``.

``python bench/_scale_child.py ENGINE STEP ORDERS.parquet RESULT.parquet REPORT.json`` with
ENGINE one of ``duckdb``, ``spark``, ``pandas`` and STEP one of ``rfm``, ``cohorts``. The
start (Spark session), the load of the orders and the step itself are timed apart; the
step's result (one row per customer, or the long cohort table) is written to RESULT,
untimed, for the comparison.

* ``duckdb``: an in-memory DuckDB capped at 1 GB like a workspace's engine, the orders
  copied into a table from the Parquet file, then ``rfm_summary`` / ``cohort_table``;
* ``spark``: a local[2] session (UI off, two shuffle partitions, UTC, ANSI off), a
  workspace from ``Workspace.from_spark``, the orders written into its catalogue as the
  ``orders`` table from the same Parquet file, then the same two functions;
* ``pandas``: the plain pandas implementation a user would write (group by customer;
  cohort × months since acquisition).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PERIODS = 12


def pandas_rfm(orders: pd.DataFrame) -> pd.DataFrame:
    """Frequency, recency, T (days) and monetary value per customer, grouped by day."""
    orders = orders.assign(day=orders["ordered_at"].dt.floor("D"))
    days = orders.groupby(["customer_id", "day"], sort=False, as_index=False).agg(
        amount=("amount", "sum"), orders=("amount", "size")
    )
    end = days["day"].max()
    days = days.sort_values(["customer_id", "day"], kind="stable")
    per = days.groupby("customer_id", sort=True).agg(
        first_day=("day", "first"),
        last_day=("day", "last"),
        purchase_days=("day", "size"),
        total_spend=("amount", "sum"),
        first_amount=("amount", "first"),
        orders=("orders", "sum"),
    )
    frequency = per["purchase_days"] - 1
    repeat = (per["total_spend"] - per["first_amount"]) / frequency.where(frequency > 0)
    return pd.DataFrame(
        {
            "customer_id": per.index,
            "frequency": frequency.to_numpy(dtype="int64"),
            "recency": (per["last_day"] - per["first_day"]).dt.days.to_numpy(dtype="float64"),
            "T": (end - per["first_day"]).dt.days.to_numpy(dtype="float64"),
            "monetary_value": repeat.fillna(0.0).to_numpy(dtype="float64"),
        }
    )


def pandas_cohorts(orders: pd.DataFrame, periods: int = PERIODS) -> pd.DataFrame:
    """Monthly acquisition cohorts: size and active customers per month since acquisition."""
    month = orders["ordered_at"].dt.year * 12 + orders["ordered_at"].dt.month - 1
    cohort = month.groupby(orders["customer_id"]).transform("min")
    since = month - cohort
    frame = pd.DataFrame({"customer_id": orders["customer_id"], "cohort": cohort, "since": since})
    sizes = frame.groupby("cohort")["customer_id"].nunique().rename("cohort_size")
    kept = frame[(frame["since"] >= 0) & (frame["since"] <= periods)]
    active = kept.groupby(["cohort", "since"])["customer_id"].nunique().rename("active")
    cells = pd.MultiIndex.from_product([sizes.index, range(periods + 1)], names=["cohort", "since"])
    table = active.reindex(cells, fill_value=0).reset_index()
    table = table.join(sizes, on="cohort")
    table.loc[table["cohort"] + table["since"] > int(month.max()), "active"] = np.nan
    table["retention"] = table["active"] / table["cohort_size"]
    table["cohort"] = pd.to_datetime(
        {"year": table["cohort"] // 12, "month": table["cohort"] % 12 + 1, "day": 1}
    ).astype("datetime64[ns]")
    table["since"] = table["since"].astype("int64")
    return table[["cohort", "since", "cohort_size", "retention"]]


def engine_cohorts(cells: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``cohort_table`` that the comparison uses, named as above."""
    return pd.DataFrame(
        {
            "cohort": pd.to_datetime(cells["cohort"]).dt.tz_localize(None).astype("datetime64[ns]"),
            "since": cells["periods_since_acquisition"].astype("int64"),
            "cohort_size": cells["cohort_size"].astype("int64"),
            "retention": cells["retention"].astype("float64"),
        }
    )


def spark_session(warehouse: str) -> Any:
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("emptychair-bench-scale")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.warehouse.dir", warehouse)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def run(engine: str, step: str, orders_path: Path, result_path: Path) -> dict[str, float]:
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name], clock = now - clock, now

    if engine == "pandas":
        orders = pd.read_parquet(orders_path)
        lap("load")
        result = pandas_rfm(orders) if step == "rfm" else pandas_cohorts(orders)
        lap("step")
    else:
        import ibis

        from emptychair.value.cohorts import cohort_table
        from emptychair.value.features import rfm_summary

        if engine == "duckdb":
            con = ibis.duckdb.connect(memory_limit="1GB", preserve_insertion_order=False)
            lap("start")
            table = con.create_table("orders", con.read_parquet(orders_path))
            lap("load")
        else:
            from emptychair.workspace import Workspace

            warehouse = tempfile.mkdtemp(prefix="spark-warehouse-", dir=orders_path.parent)
            session = spark_session(warehouse)
            workspace = Workspace.from_spark(session)
            lap("start")
            frame = session.read.parquet(str(orders_path))
            frame.write.mode("overwrite").saveAsTable("orders")
            table = workspace.table("orders")
            lap("load")
        if step == "rfm":
            columns = ["customer_id", "frequency", "recency", "T", "monetary_value"]
            result = rfm_summary(table, time_unit="days").select(*columns).to_pandas()
        else:
            result = engine_cohorts(cohort_table(table, period="month", periods=PERIODS))
        lap("step")
    if step == "rfm":
        result = result.sort_values("customer_id", ignore_index=True)
    result.to_parquet(result_path)
    if engine == "spark":
        session.stop()
        shutil.rmtree(warehouse, ignore_errors=True)
    return seconds


def main() -> None:
    engine, step, orders, result, report = sys.argv[1:]
    seconds = run(engine, step, Path(orders), Path(result))
    Path(report).write_text(json.dumps({"seconds": seconds}), encoding="utf-8")


if __name__ == "__main__":
    main()
