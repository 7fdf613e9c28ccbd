"""The driver tree: exact identities on the data, the funnel, segments, periods, the chart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.errors import InvalidParameterError, ModelDataError, NotFoundError
from emptychair.impact.charts import chart_data, save, tree_chart
from emptychair.impact.service import driver_tree
from tests.unit.impact.company import (
    BASE_START,
    START,
    build_workspace,
    segments,
    simulate_company,
    store_value_run,
)

COMPANY = simulate_company(seed=1)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = build_workspace(tmp_path_factory.mktemp("tree") / "ws", COMPANY)
    yield ws
    ws.close()


def _product(tree, names: list[str]) -> float:  # type: ignore[no-untyped-def]
    return float(np.prod([tree[n] for n in names]))


def _observed(end: str = "2026-01-01", start: pd.Timestamp = START) -> dict[str, float]:
    """The totals, straight from the simulated orders."""
    orders = COMPANY["orders"]
    base_start = start - pd.DateOffset(years=1)
    now = orders[(orders["ordered_at"] >= start) & (orders["ordered_at"] < pd.Timestamp(end))]
    before = orders[(orders["ordered_at"] >= base_start) & (orders["ordered_at"] < start)]
    base = set(before["customer_id"])
    returning = now[now["customer_id"].isin(base)]
    return {
        "revenue": now["amount"].sum(),
        "orders": len(now),
        "items": now["items"].sum(),
        "customers": len(base),
        "retained": returning["customer_id"].nunique(),
        "value": returning["margin"].sum(),
    }


def test_the_product_of_the_leaves_is_the_observed_revenue_and_value(
    workspace: Workspace,
) -> None:
    tree = driver_tree(workspace)
    observed = _observed()
    assert tree.period == "2025-01-01 to 2026-01-01"
    assert tree["revenue"] == pytest.approx(observed["revenue"], rel=1e-12)
    revenue = ["buyers", "orders_per_buyer", "items_per_order", "price_per_item"]
    assert _product(tree, revenue) == pytest.approx(observed["revenue"], rel=1e-12)
    value = ["customers", "retention", "frequency", "basket", "margin_rate"]
    assert _product(tree, value) == pytest.approx(observed["value"], rel=1e-12)
    assert tree["customers"] == observed["customers"]
    assert tree["retention"] == pytest.approx(observed["retained"] / observed["customers"])
    assert tree["items_per_order"] == pytest.approx(observed["items"] / observed["orders"])
    assert tree["clv"] == pytest.approx(tree["value"] * tree["lifetime_factor"])
    # No value run: the lifetime factor is (1 + d) / (1 + d - r) with a yearly d.
    d = 1.01**12 - 1
    expected = (1 + d) / (1 + d - tree["retention"])
    assert tree["lifetime_factor"] == pytest.approx(expected, rel=1e-3)


def test_the_funnel_counts_the_visitors_and_the_buyers_they_lead_to(
    workspace: Workspace,
) -> None:
    tree = driver_tree(workspace)
    truth = COMPANY["truth"]
    assert tree["visitors"] == truth["visitors"]
    assert tree["funnel_buyers"] == truth["funnel_buyers"]
    assert tree["conversion"] == pytest.approx(truth["funnel_buyers"] / truth["visitors"])
    assert tree["buyers"] == tree["funnel_buyers"] + tree["other_buyers"]
    frame = tree.to_frame().set_index("node")
    assert frame.loc["visitors", "parent"] == "funnel_buyers"
    assert "interactions" in frame.loc["visitors", "source"]
    json.dumps(tree.to_dict())


def test_segment_trees_add_up_and_start_at_buyers(tmp_path: Path) -> None:
    ws = build_workspace(tmp_path / "ws", COMPANY)
    with ws:
        with pytest.raises(NotFoundError, match="emptychair value run"):
            driver_tree(ws, segment="alpha")
        store_value_run(ws, segments(COMPANY))
        everyone = driver_tree(ws)
        parts = [driver_tree(ws, segment=s) for s in ("alpha", "Beta")]
        top = driver_tree(ws, segment="tier:top")
        funnel = driver_tree(ws, segment="visitors")
        with pytest.raises(InvalidParameterError, match="alpha, beta, or visitors"):
            driver_tree(ws, segment="gamma")
        with pytest.raises(InvalidParameterError, match="tier:low, tier:top"):
            driver_tree(ws, segment="tier:middle")
    for name in ("revenue", "value", "customers", "buyers"):
        assert sum(p[name] for p in parts) == pytest.approx(everyone[name])
    assert "visitors" not in parts[0].nodes and "conversion" not in top.nodes
    assert any("anonymous" in note for note in parts[0].notes)
    # The visitors' funnel: all the visitors, only the buyers they lead to.
    assert funnel["visitors"] == everyone["visitors"]
    assert funnel["buyers"] == everyone["funnel_buyers"]
    # The value run's CLV of the base customers sets the level of the tree's CLV.
    value = segments(COMPANY)
    base = set(COMPANY["orders"].query("ordered_at < @START")["customer_id"])
    assert everyone["clv"] == pytest.approx(value[value["customer_id"].isin(base)]["clv"].sum())


def test_the_period_ends_where_asked_and_bad_periods_are_refused(workspace: Workspace) -> None:
    tree = driver_tree(workspace, end="2025-06-30", months=6)
    observed = _observed(end="2025-07-01", start=pd.Timestamp("2025-01-01"))
    assert tree["revenue"] == pytest.approx(observed["revenue"])
    assert tree.period == "2025-01-01 to 2025-07-01"
    with pytest.raises(InvalidParameterError, match="months"):
        driver_tree(workspace, months=0)
    with pytest.raises(InvalidParameterError, match="YYYY-MM-DD"):
        driver_tree(workspace, end="June")
    with pytest.raises(ModelDataError, match="no order from"):
        driver_tree(workspace, end=str((BASE_START - pd.DateOffset(years=3)).date()))


def test_an_empty_workspace_says_what_to_import(tmp_path: Path) -> None:
    with (
        Workspace.init(tmp_path / "empty") as ws,
        pytest.raises(ModelDataError, match="emptychair import"),
    ):
        driver_tree(ws)


def test_the_chart_draws_every_node_with_its_change(workspace: Workspace, tmp_path: Path) -> None:
    tree = driver_tree(workspace)
    spec = tree_chart(tree, {"revenue": 1234.0, "items_per_order": 0.05})
    rows = chart_data(spec).set_index("node")
    assert set(rows.index) == set(tree.nodes)
    assert rows.loc["revenue", "change"] == "+1,234"
    assert rows.loc["revenue", "direction"] == "up"
    assert rows.loc["retention", "change"] == ""
    # Each parent sits above the middle of its children.
    kids = tree.nodes["revenue"].children
    middle = (rows.loc[kids[0], "xc"] + rows.loc[kids[-1], "xc"]) / 2
    assert rows.loc["revenue", "xc"] == pytest.approx(middle)
    assert save(spec, tmp_path / "tree.json").read_text().startswith("{")
    assert "<html" in save(spec, tmp_path / "tree.html").read_text().lower()
    with pytest.raises(InvalidParameterError, match=r"\.html, \.png"):
        save(spec, tmp_path / "tree.gif")
