"""The bootstrap intervals cover the true change of companies simulated with known
parameters about as often as their level says."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from emptychair.impact.inputs import Inputs, Period
from emptychair.impact.simulation import simulate_inputs

PERIOD = Period(datetime(2024, 1, 1), datetime(2025, 1, 1), datetime(2026, 1, 1))
RETENTION, EXTRA_ORDERS, EXTRA_ITEMS, PRICE_SHAPE, PRICE_SCALE, MARGIN = 0.4, 1.5, 1.2, 8, 2.5, 0.3
PRICE = PRICE_SHAPE * PRICE_SCALE
#: The true margin of a retained customer: orders x items per order x price x margin.
MARGIN_PER_RETAINED = (1 + EXTRA_ORDERS) * (1 + EXTRA_ITEMS) * PRICE * MARGIN


def _company(rng: np.random.Generator, customers: int = 2_000) -> Inputs:
    """Per-customer sums of a company: everyone ordered in the base period; each orders
    again with probability ``RETENTION``."""
    buyer = rng.random(customers) < RETENTION
    orders = np.where(buyer, 1 + rng.poisson(EXTRA_ORDERS, customers), 0)
    owner = np.repeat(np.arange(customers), orders)
    items = 1 + rng.poisson(EXTRA_ITEMS, len(owner))
    revenue = items * rng.gamma(PRICE_SHAPE, PRICE_SCALE, len(owner))
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(customers)],
            "base": True,
            "buyer": buyer,
            "orders": orders.astype(float),
            "items": np.bincount(owner, items, customers),
            "revenue": np.bincount(owner, revenue, customers),
            "margin": MARGIN * np.bincount(owner, revenue, customers),
            "visitors": 0,
            "funnel": False,
            "score": np.nan,
            "segment": None,
            "tier": None,
            "clv": np.nan,
        }
    )
    return Inputs(PERIOD, frame, 0, None, MARGIN, "orders", 0.01)


def test_intervals_cover_the_true_change_about_as_often_as_their_level() -> None:
    rng = np.random.default_rng(11)
    covered = {"retention": 0, "items": 0}
    trials = 60
    for seed in range(trials):
        inputs = _company(rng)
        result = simulate_inputs(
            inputs, ["retention +2pt", "items+1@5%"], resamples=200, level=0.9, seed=seed
        )
        retention, items = result.table.to_dict("records")
        customers = len(inputs.customers)
        true_value = customers * 0.02 * MARGIN_PER_RETAINED
        covered["retention"] += (
            retention["value_change_low"] <= true_value <= retention["value_change_high"]
        )
        true_revenue = 0.05 * inputs.customers["orders"].sum() * PRICE
        covered["items"] += (
            items["revenue_change_low"] <= true_revenue <= items["revenue_change_high"]
        )
    for lever, count in covered.items():
        assert 0.78 <= count / trials <= 0.985, (lever, count)


def test_the_interval_narrows_with_more_customers() -> None:
    rng = np.random.default_rng(5)
    widths = []
    for customers in (500, 8_000):
        table = simulate_inputs(_company(rng, customers), ["retention +2pt"], resamples=200).table
        row = table.iloc[0]
        widths.append((row["value_change_high"] - row["value_change_low"]) / row["value_change"])
    assert widths[1] < widths[0] / 2.5  # about 1 / sqrt(16) = 1 / 4


def test_no_resample_gives_the_estimate_without_an_interval() -> None:
    inputs = _company(np.random.default_rng(1), 300)
    row = simulate_inputs(inputs, ["retention +2pt"], resamples=0).table.iloc[0]
    assert row["value_change"] > 0
    assert np.isnan(row["value_change_low"]) and np.isnan(row["value_change_high"])
    with pytest.raises(Exception, match="resamples"):
        simulate_inputs(inputs, ["retention +2pt"], resamples=-1)
