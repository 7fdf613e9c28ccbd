"""A small simulated company with known parameters, and the workspaces made from it.

Two years: the base period (2024) and the period (2025, the latest order on 2025-12-31).
A customer of the base period answers a survey then (0-10) with probability 0.8 and orders
again in 2025 with probability ``0.2 + 0.4 x score / 10`` (true slope of retention on the
0-1 score: 0.4). Buyers place ``1 + Poisson(1.5)`` orders of ``1 + Poisson(1.2)`` items at
a price per item drawn around 20; margin is 30 % of the amount. Some buyers come through
the web funnel (a visit, then a checkout that identifies them); other visitors never buy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from emptychair import Workspace
from emptychair.workspace import utc_now
from emptychair.workspace.results import write_results

BASE_START, START, END = pd.Timestamp("2024-01-01"), pd.Timestamp("2025-01-01"), "2025-12-31"
TRUE_SLOPE = 0.4


def simulate_company(seed: int = 1, customers: int = 600, anonymous: int = 400) -> dict:
    """The tables of the company (data frames) and its truth."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"C{i:04d}" for i in range(customers)])
    base = rng.random(customers) < 0.7
    answered = base & (rng.random(customers) < 0.8)
    level = rng.integers(0, 11, customers) / 10
    retained = base & (rng.random(customers) < 0.2 + TRUE_SLOPE * level)
    new_buyer = ~base & (rng.random(customers) < 0.5)
    rows = []
    for i in np.flatnonzero(base):
        for _ in range(1 + rng.poisson(1.0)):
            rows.append((i, BASE_START + pd.Timedelta(days=int(rng.integers(0, 365)))))
    for i in np.flatnonzero(retained | new_buyer):
        for _ in range(1 + rng.poisson(1.5)):
            rows.append((i, START + pd.Timedelta(days=int(rng.integers(0, 365)), hours=12)))
    owner = np.array([r[0] for r in rows])
    items = 1 + rng.poisson(1.2, len(rows))
    amount = np.round(items * rng.gamma(8.0, 2.5, len(rows)), 2)
    orders = pd.DataFrame(
        {
            "order_id": [f"O{i:05d}" for i in range(len(rows))],
            "customer_id": ids[owner],
            "ordered_at": [r[1] for r in rows],
            "amount": amount,
            "items": items,
            "margin": np.round(0.3 * amount, 2),
            "channel": np.where(rng.random(len(rows)) < 0.5, "web", "store"),
        }
    )
    orders.loc[orders.index[-1], "ordered_at"] = pd.Timestamp(END) + pd.Timedelta(hours=12)
    buyers = np.flatnonzero(retained | new_buyer)
    funnel = buyers[rng.random(len(buyers)) < 0.3]
    visits = []
    for number, i in enumerate(funnel):
        when = START + pd.Timedelta(days=int(rng.integers(0, 360)))
        visits.append((f"V{number:05d}", None, when, "visit"))
        visits.append((f"V{number:05d}", ids[i], when + pd.Timedelta(minutes=5), "checkout"))
    for number in range(anonymous):
        when = START + pd.Timedelta(days=int(rng.integers(0, 360)))
        visits.append((f"A{number:05d}", None, when, "visit"))
    interactions = pd.DataFrame(
        visits, columns=["visitor_id", "customer_id", "occurred_at", "touchpoint"]
    )
    interactions.insert(0, "interaction_id", [f"I{i:05d}" for i in range(len(interactions))])
    interactions["channel"] = "web"
    feedback = pd.DataFrame(
        {
            "feedback_id": [f"F{i:04d}" for i in np.flatnonzero(answered)],
            "customer_id": ids[answered],
            "received_at": BASE_START + pd.Timedelta(days=200),
            "kind": "nps",
            "score": (level[answered] * 10).astype(int),
            "scale_max": 10,
        }
    )
    frame = pd.DataFrame({"customer_id": ids, "created_at": "2023-06-01"})
    truth = {"funnel_buyers": len(funnel), "visitors": len(funnel) + anonymous}
    return {
        "customers": frame,
        "orders": orders,
        "interactions": interactions,
        "feedback": feedback,
        "truth": truth,
    }


def segments(company: dict, seed: int = 2) -> pd.DataFrame:
    """A customer-value run's columns: segment alpha/beta, tier top/low, a positive CLV."""
    ids = company["customers"]["customer_id"]
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "customer_id": ids,
            "segment": np.where(rng.random(len(ids)) < 0.5, "alpha", "beta"),
            "tier": np.where(rng.random(len(ids)) < 0.2, "top", "low"),
            "clv": rng.gamma(2.0, 40.0, len(ids)),
            "probability_alive": 0.5,
        }
    )


def store_value_run(ws: Workspace, value: pd.DataFrame) -> None:
    write_results(
        ws,
        "value-test-run",
        "value",
        {"value_customers": value},
        parameters={"margin": None, "discount_rate": 0.01},
        started_at=utc_now(),
        rows=len(value),
    )


def store_voice_run(ws: Workspace, company: dict, theme: str, raised: list[str]) -> None:
    """A voice run in which ``raised`` customers mention ``theme`` negatively (effect 0.2)."""
    feedback = company["feedback"]
    verbatims = feedback.assign(text_redacted="...")
    said = feedback[feedback["customer_id"].isin(raised)]
    mentions = pd.DataFrame(
        {"feedback_id": said["feedback_id"], "theme": theme, "label": "negative"}
    )
    drivers = pd.DataFrame(
        {"kind": ["nps", "csat"], "driver": theme, "effect": [0.2, 0.3], "mentions": [300, 100]}
    )
    irritants = pd.DataFrame(
        {"theme": [theme], "impact": [0.3], "impact_low": [0.28], "impact_high": [0.32]}
    )
    write_results(
        ws,
        "voice-test-run",
        "voice",
        {
            "voice_verbatims": verbatims,
            "voice_mentions": mentions,
            "voice_drivers": drivers,
            "voice_irritants": irritants,
        },
        parameters={"level": 0.95},
        started_at=utc_now(),
        rows=len(feedback),
    )


def build_workspace(folder: Path, company: dict) -> Workspace:
    """A workspace holding the company's tables (imported like any file)."""
    ws = Workspace.init(folder)
    for table in ("customers", "orders", "interactions", "feedback"):
        path = folder.parent / f"{folder.name}-{table}.csv"
        company[table].to_csv(path, index=False)
        result = ws.import_file(table, path)
        assert result.rows_quarantined == 0, (table, result)
    return ws
