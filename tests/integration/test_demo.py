"""The demo company, imported through the real import path, checked against its ground truth."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.demo.service import DemoReport, build_demo

END = date(2026, 6, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoReport:
    return build_demo(tmp_path_factory.mktemp("demo") / "ws", customers=1_500, seed=7, end=END)


def test_every_file_loads_and_only_the_planted_bad_rows_are_quarantined(demo: DemoReport) -> None:
    truth = pd.read_csv(demo.truth / "bad_rows.csv")
    with Workspace(demo.workspace, read_only=True) as ws:
        problems = ws.to_pandas(ws.table("_quarantine"))
        loaded = {r.table: r for r in demo.results}
    assert sorted(problems["row_number"]) == sorted(truth["row"])
    assert set(problems["table_name"]) == {"orders"}
    for result in demo.results:
        if result.table != "orders":
            assert result.rows_quarantined == 0, result.file
    assert loaded["orders"].rows_quarantined == len(truth)


def test_identity_links_match_the_truth(demo: DemoReport) -> None:
    truth = pd.read_parquet(demo.truth / "customers.parquet")[["record_id", "person_id"]]
    with Workspace(demo.workspace, read_only=True) as ws:
        links = ws.to_pandas(ws.table("_customer_links"))
    found = links.groupby("golden_id")["customer_id"].apply(frozenset)
    expected = truth.groupby("person_id")["record_id"].apply(frozenset)
    expected = expected[expected.map(len) > 1]
    assert set(found) == set(expected)  # every true pair found, nothing else merged


def test_customer_360_shows_a_cross_channel_timeline(demo: DemoReport) -> None:
    with Workspace(demo.workspace, read_only=True) as ws:
        view = ws.customer(demo.example_customer)
    assert len(view.records) == 2
    events = view.timeline
    assert events["occurred_at"].is_monotonic_decreasing
    assert set(events["customer_id"]) == set(view.records)
    assert {"order", "interaction"} <= set(events["event"])
    assert events["channel"].nunique() >= 3


def test_building_again_changes_nothing(demo: DemoReport) -> None:
    again = build_demo(demo.workspace, customers=1_500, seed=7, end=END)
    for result in again.results:
        assert result.rows_loaded == 0 and result.rows_updated == 0, result.file
        assert result.previously_imported is not None
    assert again.tables.equals(demo.tables)
