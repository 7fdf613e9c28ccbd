"""Variants, directly-follows graph and frictions on PySpark ``local[2]``, equal to DuckDB's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.journeys import directly_follows, variants, workspace_event_log
from emptychair.journeys.friction import friction_summary, journey_frictions
from tests.unit.journeys.test_workspace_log import FILES

pytestmark = pytest.mark.spark

TABLES = ("customers", "interactions", "orders", "feedback", "complaints", "_customer_links")


def test_journeys_are_the_same_on_spark(
    workspace: Workspace, write_file: Callable[..., Path], spark_workspace: Workspace
) -> None:
    duck = workspace
    for table, text in FILES.items():
        duck.import_file(table, write_file(f"{table}.csv", text))
    spark = spark_workspace
    for table in TABLES:
        spark.engine.append_arrow(table, duck.engine.backend.to_pyarrow(duck.table(table)))
    results = []
    for ws in (duck, spark):
        log = workspace_event_log(ws)
        flags = ws.to_pandas(journey_frictions(log)).sort_values("journey", ignore_index=True)
        results.append(
            (
                log.events,
                log.excluded,
                variants(log),
                directly_follows(log),
                friction_summary(log),
                flags,
            )
        )
    on_duck, on_spark = results
    assert on_spark[:2] == on_duck[:2]
    for duck_frame, spark_frame in zip(on_duck[2:], on_spark[2:], strict=True):
        pd.testing.assert_frame_equal(spark_frame, duck_frame, check_dtype=False)
    # the known truth of the small company (see tests/unit/journeys/test_workspace_log.py)
    summary = on_spark[4].set_index("indicator")["journeys"]
    assert summary.to_dict() == {
        "repeat_contact": 1,
        "web_to_phone": 1,
        "long_wait": 0,
        "dead_end": 1,
        "loop": 0,
    }
    graph = on_spark[3]
    assert ("phone:call", "phone:complaint") in set(
        zip(graph["source"], graph["target"], strict=True)
    )
