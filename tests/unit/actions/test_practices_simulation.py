"""A small company with known campaign effects, written as the files an import reads.

Customers buy at their own rate (a Poisson process); complaints and e-mail consent
withdrawals arise at a known background rate. Two practices contact them: a monthly
newsletter ``NEWS-<month>`` sent to a tenth of the consenting customers (no effect) and
an outbound sales call ``CALL-<month>`` placed with customers who spent more before
(a targeted practice). When ``harmful`` is set, a call adds an order within 20 days
with probability ``extra_order``, a complaint 40 to 170 days later with probability
``complaint``, an e-mail consent withdrawal 40 to 170 days later with probability
``unsubscribe`` (if the customer had consented) and stops later purchases of the
customer from 30 days after the call on with probability ``lapse``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from emptychair import Workspace

DAY = pd.Timedelta(days=1)
START = pd.Timestamp("2022-01-01")
END = pd.Timestamp("2025-06-30")
MEAN_AMOUNT = 60.0


@dataclass(frozen=True)
class Effects:
    extra_order: float = 0.0
    complaint: float = 0.0
    unsubscribe: float = 0.0
    lapse: float = 0.0


HARMFUL = Effects(extra_order=0.45, complaint=0.12, unsubscribe=0.25, lapse=0.3)


def simulate(
    folder: Path, effects: Effects, customers: int = 1500, seed: int = 1
) -> dict[str, pd.DataFrame]:
    """Write the company's CSV files into ``folder`` and return the frames."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"C{i:05d}" for i in range(customers)])
    created = START + pd.to_timedelta(rng.uniform(0, 730, customers), unit="D")
    rate = rng.gamma(2.0, 0.05, customers)  # orders per week
    consent = rng.random(customers) < 0.6
    orders = _poisson_events(rng, ids, created, rate / 7.0)
    orders["amount"] = rng.gamma(4.0, MEAN_AMOUNT / 4.0, len(orders)).round(2)
    complaints = _poisson_events(rng, ids, created, np.full(customers, 0.0004))
    withdrawn_at = pd.Series(created + pd.to_timedelta(rng.exponential(900, customers), unit="D"))
    withdraws = consent & (withdrawn_at < END).to_numpy()

    sends = []
    months = pd.date_range("2023-03-01", "2024-09-01", freq="MS")
    for month in months:
        at = month + pd.Timedelta(hours=10)
        known = created < at
        allowed = known & consent & ~(withdraws & (withdrawn_at < at).to_numpy())
        chosen = allowed & (rng.random(customers) < 0.1)
        sends.append(_sends(ids[chosen], at, "email", f"NEWS-{month:%Y-%m}"))
    calls_at: dict[int, pd.Timestamp] = {}
    for month in months[6:10]:
        spend = orders[orders["ordered_at"] < month].groupby("customer_id")["amount"].sum()
        spend = spend.reindex(ids).fillna(0.0).to_numpy()
        free = np.array([i not in calls_at for i in range(customers)]) & (created < month)
        weight = np.where(spend > np.median(spend[spend > 0]), 3.0, 1.0) * (spend > 0) * free
        chosen = rng.choice(customers, 140, replace=False, p=weight / weight.sum())
        at = month + pd.to_timedelta(rng.integers(0, 5, len(chosen)), unit="D")
        at = at + pd.Timedelta(hours=14)
        for i, when in zip(chosen, at, strict=True):
            calls_at[int(i)] = when
        sends.append(_sends(ids[chosen], at, "phone", f"CALL-{month:%Y-%m}"))

    extra_orders: list[tuple[str, pd.Timestamp, float]] = []
    extra_complaints: list[tuple[str, pd.Timestamp]] = []
    for i, when in calls_at.items():
        if rng.random() < effects.lapse:
            late = (orders["customer_id"] == ids[i]) & (orders["ordered_at"] > when + 30 * DAY)
            orders = orders[~late]
        if rng.random() < effects.extra_order:
            extra_orders.append(
                (ids[i], when + rng.uniform(1, 20) * DAY, rng.gamma(4.0, MEAN_AMOUNT / 4.0))
            )
        if rng.random() < effects.complaint:
            extra_complaints.append((ids[i], when + rng.uniform(40, 170) * DAY))
        if consent[i] and not withdraws[i] and rng.random() < effects.unsubscribe:
            moved = when + rng.uniform(40, 170) * DAY
            if moved < END:
                withdrawn_at.iloc[i], withdraws[i] = moved, True
    if extra_orders:
        added = pd.DataFrame(extra_orders, columns=["customer_id", "ordered_at", "amount"])
        orders = pd.concat([orders, added.round({"amount": 2})], ignore_index=True)
    if extra_complaints:
        added = pd.DataFrame(extra_complaints, columns=["customer_id", "opened_at"])
        complaints = complaints.rename(columns={"ordered_at": "opened_at"})
        complaints = pd.concat([complaints, added], ignore_index=True)
    else:
        complaints = complaints.rename(columns={"ordered_at": "opened_at"})
    orders = orders[orders["ordered_at"] < END].sort_values("ordered_at", ignore_index=True)
    complaints = complaints[complaints["opened_at"] < END].reset_index(drop=True)

    frames = {
        "customers": pd.DataFrame({"customer_id": ids, "created_at": created}),
        "orders": orders.assign(order_id=[f"O{i:07d}" for i in range(len(orders))]),
        "complaints": complaints.assign(complaint_id=[f"R{i:06d}" for i in range(len(complaints))]),
        "consents": _consents(ids, created, consent, withdraws, withdrawn_at),
        "interactions": _interactions(pd.concat(sends, ignore_index=True)),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        text = frame.copy()
        for column in text.columns:
            if pd.api.types.is_datetime64_any_dtype(text[column]):
                text[column] = text[column].dt.strftime("%Y-%m-%d %H:%M:%S")
        text.to_csv(folder / f"{name}.csv", index=False)
    return frames


def load(workspace: Workspace, folder: Path) -> Workspace:
    for name in ("customers", "orders", "complaints", "consents", "interactions"):
        result = workspace.import_file(name, folder / f"{name}.csv")
        assert result.rows_quarantined == 0, name
    return workspace


def _poisson_events(
    rng: np.random.Generator, ids: np.ndarray, created: pd.DatetimeIndex, per_day: np.ndarray
) -> pd.DataFrame:
    span = (END - created).days.to_numpy().astype(float)
    counts = rng.poisson(per_day * span)
    owner = np.repeat(np.arange(len(ids)), counts)
    offset = rng.random(len(owner)) * span[owner]
    at = created[owner] + pd.to_timedelta(offset, unit="D")
    return pd.DataFrame({"customer_id": ids[owner], "ordered_at": at})


def _sends(ids: np.ndarray, at: pd.Timestamp | pd.DatetimeIndex, channel: str, campaign: str):
    return pd.DataFrame(
        {"customer_id": ids, "occurred_at": at, "channel": channel, "campaign_id": campaign}
    )


def _interactions(sends: pd.DataFrame) -> pd.DataFrame:
    sends = sends.sort_values("occurred_at", ignore_index=True)
    return sends.assign(
        interaction_id=[f"I{i:07d}" for i in range(len(sends))],
        direction="outbound",
        touchpoint=np.where(sends["channel"] == "email", "campaign_email", "sales_call"),
    )


def _consents(
    ids: np.ndarray,
    created: pd.DatetimeIndex,
    consent: np.ndarray,
    withdraws: np.ndarray,
    withdrawn_at: pd.Series,
) -> pd.DataFrame:
    given = pd.DataFrame(
        {"customer_id": ids, "purpose": "email", "granted": consent, "recorded_at": created}
    )
    later = pd.DataFrame(
        {
            "customer_id": ids[withdraws],
            "purpose": "email",
            "granted": False,
            "recorded_at": withdrawn_at.to_numpy()[withdraws],
        }
    )
    rows = pd.concat([given, later], ignore_index=True)
    return rows.assign(granted=np.where(rows["granted"], "true", "false"))
