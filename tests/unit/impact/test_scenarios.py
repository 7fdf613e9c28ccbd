"""Scenarios: the simulated changes agree with the tree recomputed on data changed as the
scenario says; bad scenarios are refused with a message that says why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.errors import InvalidParameterError, ModelDataError, NotFoundError
from emptychair.impact.scenarios import Scenario
from emptychair.impact.service import driver_tree, run_simulation, simulate
from emptychair.impact.tree import lifetime_factor
from emptychair.workspace.results import resolve_run
from tests.unit.impact.company import (
    START,
    build_workspace,
    segments,
    simulate_company,
    store_value_run,
    store_voice_run,
)

COMPANY = simulate_company(seed=4)
#: The discount rate of a year at the default 1 % a month.
YEAR = 1.01 ** (365 / (365.25 / 12)) - 1


def _modified(company: dict, orders: pd.DataFrame) -> dict:
    return {**company, "orders": orders}


def _period_orders(company: dict) -> pd.DataFrame:
    orders = company["orders"]
    return orders[orders["ordered_at"] >= START]


def _base(company: dict) -> set[str]:
    orders = company["orders"]
    return set(orders[orders["ordered_at"] < START]["customer_id"])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = build_workspace(tmp_path_factory.mktemp("scenarios") / "ws", COMPANY)
    yield ws
    ws.close()


def _recomputed(folder: Path, company: dict, value: pd.DataFrame | None = None):  # type: ignore[no-untyped-def]
    with build_workspace(folder, company) as ws:
        if value is not None:
            store_value_run(ws, value)
        return driver_tree(ws)


def test_one_more_item_in_five_percent_of_the_visitors_orders(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Add one item (at the visitors' revenue per item) to 5 % of the orders of the buyers
    who came through the web funnel, recompute the tree, compare."""
    interactions = COMPANY["interactions"]
    funnel = set(interactions.loc[interactions["touchpoint"] == "checkout", "customer_id"])
    now = _period_orders(COMPANY)
    theirs = now[now["customer_id"].isin(funnel)]
    price = theirs["amount"].sum() / theirs["items"].sum()
    rng = np.random.default_rng(0)
    returning = theirs["customer_id"].isin(_base(COMPANY))
    chosen = []
    for group in (theirs[returning], theirs[~returning]):  # 5 % of each, at random
        rate = group["margin"].sum() / group["amount"].sum()
        picked = rng.choice(group.index, size=round(0.05 * len(group)), replace=False)
        chosen.append((picked, rate))
    orders = COMPANY["orders"].copy()
    for picked, rate in chosen:
        orders.loc[picked, "items"] += 1
        orders.loc[picked, "amount"] += price
        orders.loc[picked, "margin"] += price * rate
    share = sum(len(p) for p, _ in chosen) / len(theirs)
    before = driver_tree(workspace)
    after = _recomputed(tmp_path / "items", _modified(COMPANY, orders))
    result = simulate(workspace, [Scenario("items", "absolute", 1.0, share, "visitors")])
    row = result.table.iloc[0]
    assert row["revenue_change"] == pytest.approx(after["revenue"] - before["revenue"], rel=1e-9)
    # The value side picked round(5 %) of the returning customers' orders: within half an item.
    assert row["value_change"] == pytest.approx(
        after["value"] - before["value"], abs=0.5 * price * 0.31 + 1e-6
    )
    assert row["clv_change"] == pytest.approx(
        after["clv"] - before["clv"], abs=0.5 * price * 0.31 * before["lifetime_factor"] + 1e-6
    )
    assert row["revenue_change_low"] < row["revenue_change"] < row["revenue_change_high"]
    assert after["items_per_order"] > before["items_per_order"]
    assert after["price_per_item"] == pytest.approx(before["price_per_item"], rel=0.05)


def test_a_price_rise_is_margin_on_every_order(workspace: Workspace, tmp_path: Path) -> None:
    orders = COMPANY["orders"].copy()
    now = orders["ordered_at"] >= START
    orders.loc[now, "margin"] += 0.05 * orders.loc[now, "amount"]
    orders.loc[now, "amount"] *= 1.05
    before = driver_tree(workspace)
    after = _recomputed(tmp_path / "price", _modified(COMPANY, orders))
    row = simulate(workspace, ["price+5%"], resamples=50).table.iloc[0]
    for outcome in ("revenue", "value", "clv"):
        assert row[f"{outcome}_change"] == pytest.approx(after[outcome] - before[outcome], rel=1e-9)
    assert row["revenue_change_relative"] == pytest.approx(0.05)
    assert row["value_change"] > 0.05 * before["value"]  # the whole rise is margin


def test_retention_in_a_segment_matches_customers_who_no_longer_churn(tmp_path: Path) -> None:
    """Give as many churned customers of segment alpha as it has retained ones the orders of
    one retained customer each: retention rises by retained / customers, and the new
    returning customers are, together, exactly the average ones."""
    value = segments(COMPANY)
    alpha = set(value.loc[value["segment"] == "alpha", "customer_id"])
    base = _base(COMPANY) & alpha
    now = _period_orders(COMPANY)
    retained = sorted(base & set(now["customer_id"]))
    churned = sorted(base - set(now["customer_id"]))
    assert len(churned) >= len(retained)
    twins = dict(zip(retained, churned[: len(retained)], strict=False))
    copies = now[now["customer_id"].isin(twins)].copy()
    copies["customer_id"] = copies["customer_id"].map(twins)
    copies["order_id"] = "T" + copies["order_id"]
    changed = _modified(COMPANY, pd.concat([COMPANY["orders"], copies], ignore_index=True))
    with build_workspace(tmp_path / "ws", COMPANY) as ws:
        store_value_run(ws, value)
        before = driver_tree(ws)
        points = 100 * len(retained) / len(base)
        result = simulate(ws, [Scenario("retention", "points", points, segment="alpha")])
    after = _recomputed(tmp_path / "twins", changed, value)
    row = result.table.iloc[0]
    assert row["revenue_change"] == pytest.approx(after["revenue"] - before["revenue"], rel=1e-9)
    assert row["value_change"] == pytest.approx(after["value"] - before["value"], rel=1e-9)
    # The value run sets the CLV's level: the same factor over value × lifetime, before and after.
    scale = before["lifetime_factor"] / lifetime_factor(before["retention"], YEAR)
    expected = after["value"] * lifetime_factor(after["retention"], YEAR) * scale
    assert row["clv_change"] == pytest.approx(expected - before["clv"], rel=1e-6)
    assert after["retention"] - before["retention"] == pytest.approx(
        len(retained) / before["customers"]
    )


def test_halving_an_irritant_moves_retention_through_the_score(tmp_path: Path) -> None:
    feedback = COMPANY["feedback"]
    base = _base(COMPANY)
    answered = feedback[feedback["customer_id"].isin(base)]
    raised = sorted(answered["customer_id"])[::3]
    with build_workspace(tmp_path / "ws", COMPANY) as ws:
        with pytest.raises(NotFoundError, match="emptychair voice run"):
            simulate(ws, ["irritant:delivery x0.5"])
        store_voice_run(ws, COMPANY, "delivery", raised)
        before = driver_tree(ws)
        result = simulate(ws, ["irritant:delivery x0.5", "mentions:delivery -100%"])
        with pytest.raises(NotFoundError, match="themes: delivery"):
            simulate(ws, ["irritant:parking x0.5"])
    # Expected: half of the raising customers score 0.225 higher (drivers weighted by
    # mentions), times the slope of retention on the score among base customers.
    orders = _period_orders(COMPANY)
    scored = answered.assign(
        level=answered["score"] / 10, kept=answered["customer_id"].isin(orders["customer_id"])
    )
    slope = np.polyfit(scored["level"], scored["kept"].astype(float), 1)[0]
    points = 0.5 * len(raised) / before["customers"] * 0.225 * slope
    per_retained = before["value"] / (before["retention"] * before["customers"])
    row = result.table.iloc[0]
    assert row["value_change"] == pytest.approx(
        points * before["customers"] * per_retained, rel=1e-6
    )
    assert result.table.iloc[1]["value_change"] == pytest.approx(2 * row["value_change"])
    assert "delivery" in row["notes"] and "voice run voice-test-run" in row["notes"]
    assert slope > 0  # the company was simulated with a true slope of 0.4


@pytest.mark.parametrize(
    ("scenario", "error", "message"),
    [
        ("retention +2pt in gamma", NotFoundError, "emptychair value run"),
        ("visitors +10% in alpha", InvalidParameterError, "anonymous"),
        ("retention +80pt", InvalidParameterError, "above 100%"),
        ("conversion +90pt", InvalidParameterError, "above 100%"),
        ("items -3", InvalidParameterError, "fewer than no items"),
        ("margin +90pt", InvalidParameterError, "margin rate"),
        ("irritant:delivery x0.5", NotFoundError, "emptychair voice run"),
    ],
)
def test_bad_scenarios_say_why(
    workspace: Workspace, scenario: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        simulate(workspace, [scenario], resamples=0)


def test_segments_without_buyers_or_returning_customers(tmp_path: Path) -> None:
    value = segments(COMPANY)
    buyers = set(_period_orders(COMPANY)["customer_id"])
    value.loc[~value["customer_id"].isin(buyers), "segment"] = "dormant"
    with build_workspace(tmp_path / "ws", COMPANY) as ws:
        store_value_run(ws, value)
        with pytest.raises(ModelDataError, match="'dormant' has no orders"):
            simulate(ws, ["items+1 in dormant"], resamples=0)
        with pytest.raises(InvalidParameterError, match="alpha, beta, dormant"):
            simulate(ws, ["items+1 in gamma"], resamples=0)
        result = simulate(ws, ["retention +5pt in dormant"], resamples=20)
        run_simulation(ws, ["price +1%"], resamples=0)  # no segment: the column stays text
        run_id, stored = run_simulation(ws, ["retention +5pt in dormant"], resamples=20)
        saved = ws.to_pandas(ws.table("impact_scenarios"))
        saved = saved[saved["run_id"] == run_id]
        assert resolve_run(ws, "impact")["run_id"] == run_id
    row = result.table.iloc[0]
    assert row["value_change"] > 0 and "average returning customer of everyone" in row["notes"]
    assert saved["value_change"].iloc[0] == pytest.approx(stored.table["value_change"].iloc[0])
    assert set(stored.to_dict()) >= {"scenarios", "tree", "node_changes"}
