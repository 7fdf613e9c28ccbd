"""``emptychair impact``, end to end on a small demo company (with its value and voice runs)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from emptychair import Workspace
from tests.e2e.test_cli import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("impact-cli") / "ws"
    run("demo", str(folder), "--customers", "600", "--json")
    return folder


def _nodes(shown: dict) -> dict[str, float]:
    return {node["node"]: node["value"] for node in shown["nodes"]}


def test_the_tree_of_the_demo_company_multiplies_out(demo: Path, tmp_path: Path) -> None:
    chart = tmp_path / "tree.png"
    shown = json.loads(run("impact", "tree", "-w", str(demo), "--json", "--chart", str(chart)))
    nodes = _nodes(shown)
    leaves = ["buyers", "orders_per_buyer", "items_per_order", "price_per_item"]
    assert np.prod([nodes[n] for n in leaves]) == pytest.approx(nodes["revenue"], rel=1e-9)
    value = ["customers", "retention", "frequency", "basket", "margin_rate"]
    assert np.prod([nodes[n] for n in value]) == pytest.approx(nodes["value"], rel=1e-9)
    assert nodes["visitors"] > nodes["funnel_buyers"] > 0
    assert chart.read_bytes()[:4] == b"\x89PNG" and shown["chart"] == str(chart)
    # The demo's value run brings segments; the tree of one adds up under everyone's.
    with Workspace(demo, read_only=True) as ws:
        segments = ws.to_pandas(ws.table("value_customers"))["segment"].value_counts()
    name = str(segments.index[0])
    part = _nodes(json.loads(run("impact", "tree", "-w", str(demo), "--segment", name, "--json")))
    assert 0 < part["customers"] <= nodes["customers"]
    printed = run("impact", "tree", "-w", str(demo))
    assert "Driver tree" in printed and "Retention" in printed


def test_simulate_scenarios_from_arguments_and_a_file(demo: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "scenarios:\n"
        "  - lever: retention\n    change: +2pt\n    name: keep two more in a hundred\n",
        encoding="utf-8",
    )
    chart = tmp_path / "what-if.svg"
    args = ["impact", "simulate", "items+1@5% in visitors", "price +3%", "--file", str(plan)]
    shown = json.loads(
        run(*args, "-w", str(demo), "--resamples", "50", "--chart", str(chart), "--json")
    )
    rows = {row["scenario"]: row for row in shown["scenarios"]}
    assert list(rows) == ["keep two more in a hundred", "items+1@5% in visitors", "price +3%"]
    price = rows["price +3%"]
    assert price["revenue_change"] == pytest.approx(0.03 * price["revenue"])
    for row in rows.values():
        for outcome in ("revenue", "value", "clv"):
            assert row[f"{outcome}_change_low"] <= row[f"{outcome}_change"]
            assert row[f"{outcome}_change"] <= row[f"{outcome}_change_high"]
    assert rows["keep two more in a hundred"]["value_change"] > 0
    assert [Path(p).name for p in shown["charts"]] == [f"what-if-{i}.svg" for i in (1, 2, 3)]
    assert all(Path(p).read_text().startswith("<svg") for p in shown["charts"])
    assert shown["run_id"] is None
    printed = run("impact", "simulate", "irritant:delivery x0.5", "-w", str(demo))
    assert "Changes per scenario" in printed and "delivery" in printed


def test_store_keeps_the_run(demo: Path) -> None:
    shown = json.loads(
        run("impact", "simulate", "conversion +10%", "-w", str(demo), "--store", "--json")
    )
    with Workspace(demo, read_only=True) as ws:
        stored = ws.to_pandas(ws.table("impact_scenarios"))
    mine = stored[stored["run_id"] == shown["run_id"]]
    assert list(mine["scenario"]) == ["conversion +10%"]
    assert mine["revenue_change"].iloc[0] == pytest.approx(shown["scenarios"][0]["revenue_change"])


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["retention +2pt in nowhere"], 2, "no customer in segment 'nowhere'"),
        (["irritant:parking x0.5"], 6, "no voice theme 'parking'"),
        (["happiness +5%"], 2, "unknown lever 'happiness'"),
        (["retention +90pt"], 2, "above 100%"),
        ([], 2, "at least one scenario"),
    ],
)
def test_bad_scenarios_exit_with_a_message(
    demo: Path, args: list[str], code: int, message: str
) -> None:
    output = run("impact", "simulate", *args, "-w", str(demo), "--resamples", "0", code=code)
    assert message in " ".join(output.split())


def test_the_impact_group_holds_tree_simulate_and_initiatives() -> None:
    shown = run("impact", "--help")
    for command in ("tree", "simulate", "initiative"):
        assert command in shown
