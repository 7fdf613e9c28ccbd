"""The value analysis on the demo company: stored runs, golden customers, the truth."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.demo.service import DemoReport
from emptychair.errors import ModelDataError, NotFoundError
from emptychair.identity import with_golden_ids
from emptychair.value.report import value_report
from emptychair.value.service import ValueSettings, run_value
from emptychair.value.validation import holdout_check
from emptychair.workspace.results import runs
from tests.integration.conftest import END


@pytest.fixture(scope="module")
def demo(company: DemoReport) -> DemoReport:
    return company


def test_the_demo_scores_value_and_recovers_the_purchase_process(demo: DemoReport) -> None:
    assert demo.value is not None and demo.value_headline is not None
    # Every parameter of the purchase and spend processes is recovered within three
    # standard errors (purchases grouped by day bias r and alpha up a little).
    errors = (demo.value["estimate"] - demo.value["truth"]).abs() / demo.value["standard_error"]
    assert len(errors) == 7
    assert (errors < 3).all(), demo.value


def test_the_stored_run_reads_back_consistently(demo: DemoReport) -> None:
    with Workspace(demo.workspace, read_only=True) as ws:
        report = value_report(ws)
        orders = ws.to_pandas(with_golden_ids(ws, ws.table("orders")))
        history = runs(ws, "value")
    customers = report.tables["customers"]
    assert len(history) == 1 and history["run_id"].iloc[0] == report.run_id
    # One row per golden customer with orders, holding all their spend.
    assert customers["customer_id"].is_unique
    assert set(customers["customer_id"]) == set(orders["customer_id"])
    assert customers["total_spend"].sum() == pytest.approx(orders["amount"].sum())
    assert customers["orders"].sum() == len(orders)
    assert (customers["clv_lower"] <= customers["clv"]).all()
    assert (customers["clv"] <= customers["clv_upper"]).all()
    assert customers["probability_alive"].between(0, 1).all()
    # Segments and tiers cover every customer once.
    assert report.tables["segments"]["customers"].sum() == len(customers)
    assert report.tables["tiers"]["customers"].sum() == len(customers)
    assert customers["segment"].notna().all()
    headline = report.headline()
    assert headline["customers"] == len(customers)
    # The run checked its model on the last 26 weeks.
    assert "predicted" in headline["model check on held-out weeks"]
    assert report.tables["holdout"]["customers"].sum() > 1000
    assert abs(report.summary["holdout"]["relative_error"]) < 0.15
    assert set(report.charts()) >= {"model_check", "pareto_curve", "clv_top_customers"}
    assert headline["CLV over 12 months (total)"] == pytest.approx(customers["clv"].sum())


def test_merged_records_count_as_one_customer(demo: DemoReport) -> None:
    with Workspace(demo.workspace, read_only=True) as ws:
        links = ws.to_pandas(ws.table("_customer_links"))
        scored = set(value_report(ws).tables["customers"]["customer_id"])
    merged = links[links["customer_id"] != links["golden_id"]]
    assert not merged.empty
    assert not scored & set(merged["customer_id"])


def test_a_second_run_keeps_the_first(demo: DemoReport) -> None:
    with Workspace(demo.workspace) as ws:
        first = value_report(ws).run_id
        second = run_value(ws, ValueSettings(model="bgnbd", months=6, cutoff=date(2026, 3, 31)))
        assert value_report(ws).run_id == second.run_id
        old = value_report(ws, first)
        assert old.settings["months"] == 12
        assert value_report(ws).settings["months"] == 6
        assert pd.Timestamp(old.summary["cutoff"]) > pd.Timestamp("2026-03-31")
        with pytest.raises(NotFoundError, match="no value run 'nope'"):
            value_report(ws, "nope")


def test_the_model_predicts_the_holdout_period(demo: DemoReport) -> None:
    with Workspace(demo.workspace, read_only=True) as ws:
        check = holdout_check(
            ws.table("orders"), calibration_end=date(2025, 12, 31), holdout_end=END
        )
    assert check.customers > 1000
    assert abs(check.relative_error) < 0.15, check.by_frequency
    by_frequency = check.by_frequency
    # Heavier past buyers are predicted (and seen) to buy more.
    assert np.all(np.diff(by_frequency["predicted"].to_numpy()) > 0)
    # Week by week, the cumulative repeat purchases track the actual ones.
    weeks = check.over_time
    assert weeks["actual"].is_monotonic_increasing and weeks["predicted"].is_monotonic_increasing
    last = weeks.iloc[-1]
    assert abs(last["predicted"] / last["actual"] - 1) < 0.1, weeks.tail()


def test_a_cutoff_before_the_first_order_says_so(demo: DemoReport) -> None:
    with Workspace(demo.workspace) as ws, pytest.raises(ModelDataError, match="no order on or"):
        run_value(ws, ValueSettings(cutoff=date(2001, 1, 1)))


def test_a_workspace_without_orders_says_so(workspace: Workspace) -> None:
    with pytest.raises(ModelDataError, match="no orders"):
        run_value(workspace)
    with pytest.raises(NotFoundError, match="no value results"):
        value_report(workspace)
