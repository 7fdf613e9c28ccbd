"""Every interaction of the demo company on every channel, and the journeys they form.

Beside the customer-service journeys (:mod:`emptychair.demo.contacts`), this adds the
tracked web and app journeys that end in an order (anonymous until the customer logs
in at checkout), anonymous visitors who never buy (so that the visitor conversion
rate is known), store visits, and the monthly campaign e-mails sent to customers who
consented, plus a known handful sent to customers who had not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from emptychair.demo import clock
from emptychair.demo.clock import DAY, Window, join
from emptychair.demo.consents import Consents
from emptychair.demo.contacts import Contacts, make_contacts
from emptychair.demo.orders import Orders
from emptychair.demo.parameters import DemoParameters
from emptychair.demo.people import People
from emptychair.demo.steps import Steps

SCHEMA = pa.schema(
    [
        ("interaction_id", pa.string()),
        ("customer_id", pa.string()),
        ("visitor_id", pa.string()),
        ("occurred_at", pa.timestamp("us")),
        ("channel", pa.string()),
        ("touchpoint", pa.string()),
        ("direction", pa.string()),
        ("campaign_id", pa.string()),
        ("reason", pa.string()),
        ("duration_s", pa.float64()),
        ("outcome", pa.string()),
        ("team", pa.string()),
        ("journey_id", pa.string()),
    ]
)


@dataclass
class Interactions:
    """The interactions table, journey truth, contact journeys and campaign violations."""

    table: pa.Table
    journeys: pd.DataFrame
    contacts: Contacts
    violations: pd.DataFrame
    conversion: dict[str, float]


def make_interactions(
    rng: np.random.Generator,
    params: DemoParameters,
    window: Window,
    people: People,
    orders: Orders,
    consents: Consents,
    calls: dict[str, Any] | None = None,
) -> Interactions:
    """Draw every interaction and assemble the table written to ``interactions.parquet``.

    ``calls`` are extra outbound steps (the planted upsell calls, see
    :func:`emptychair.demo.practices.call_steps`).
    """
    contacts = make_contacts(rng, params, window, people, orders)
    first_free = int(contacts.journeys["journey"].max()) + 1 if len(contacts.journeys) else 0
    steps = Steps()
    kinds, converting = _online_journeys(rng, params, orders, steps, first_free)
    kinds += _browsers(rng, params, window, steps, first_free + len(kinds), converting)
    kinds += _store_visits(rng, params, window, people, orders, steps, first_free + len(kinds))
    _campaigns(rng, params, window, people, consents, steps)
    if calls is not None:
        steps.add(**calls)

    frame = pd.concat([contacts.steps, steps.frame()], ignore_index=True)
    frame = frame[frame["t_s"].to_numpy() < window.end_s]
    frame = frame.sort_values("t_s", kind="stable", ignore_index=True)
    built, journey_ids = _assemble(rng, frame, people)
    journeys = _journeys(contacts, kinds, first_free, frame, journey_ids, people)
    ids = built.column("interaction_id").to_numpy()
    violations = frame[frame["violation"].to_numpy()]
    record_ids = people.records["record_id"].to_numpy()
    violation_table = pd.DataFrame(
        {
            "interaction_id": ids[violations.index.to_numpy()],
            "customer_id": record_ids[violations["record"].to_numpy()],
            "campaign_id": violations["campaign"].to_numpy(),
            "sent_at": clock.iso_datetime(violations["t_s"].to_numpy()),
            "reason": "no e-mail consent at send time",
        }
    )
    visitors = frame.loc[frame["visitor"] >= 0, ["visitor", "outcome"]]
    bought = visitors.loc[visitors["outcome"] == "purchase", "visitor"].nunique()
    total = visitors["visitor"].nunique()
    conversion = {
        "parameter": params.web.visitor_conversion_rate,
        "visitors": float(total),
        "converting_visitors": float(bought),
        "realised": bought / total if total else 0.0,
    }
    return Interactions(built, journeys, contacts, violation_table, conversion)


def _online_journeys(
    rng: np.random.Generator, params: DemoParameters, orders: Orders, steps: Steps, first: int
) -> tuple[list[str], int]:
    """Visit, search, cart and checkout before a share of the web and app orders.

    The steps before checkout are anonymous (only the visitor is known); the customer
    logs in at checkout. Visitors are numbered from 0, one per customer; returns the
    journeys' kinds and the number of visitors.
    """
    table = orders.table
    channel = table["channel"].to_numpy()
    online = np.isin(channel, ["web", "app"])
    share = params.web.journey_share_of_online_orders
    picked = np.nonzero(online & (rng.random(len(table)) < share))[0]
    k = len(picked)
    record = table["record"].to_numpy()[picked]
    customers, visitor = np.unique(record, return_inverse=True)
    span = rng.integers(300, 2400, k)
    t = table["ordered_s"].to_numpy()[picked]
    # Each step starts this share of the journey's span before the order.
    plan = (("visit", 1.0, 0.7), ("search", 0.7, 0.3), ("cart", 0.3, 0.0))
    for touchpoint, before, next_before in plan:
        steps.add(
            k,
            visitor=visitor,
            t_s=t - (before * span).astype(np.int64),
            channel=channel[picked],
            touchpoint=touchpoint,
            duration_s=(before - next_before) * span,
            journey=first + np.arange(k),
        )
    steps.add(
        k,
        record=record,
        visitor=visitor,
        t_s=t,
        channel=channel[picked],
        touchpoint="checkout",
        duration_s=rng.integers(60, 300, k).astype(float),
        outcome="purchase",
        journey=first + np.arange(k),
    )
    return ["online_purchase"] * k, len(customers)


def _browsers(
    rng: np.random.Generator,
    params: DemoParameters,
    window: Window,
    steps: Steps,
    first: int,
    converting: int,
) -> list[str]:
    """Anonymous visitors who never buy, as many as the conversion rate requires."""
    c = params.web.visitor_conversion_rate
    n = round(converting * (1 - c) / c)
    depth = rng.choice(np.array([1, 2, 3]), n, p=[0.5, 0.25, 0.25])
    days = rng.integers(0, (window.end_s - window.start_s) // DAY, n)
    at = window.start_s + days * DAY + clock.hour_of_day(rng, n)
    channel = rng.choice(np.array(["web", "app"]), n, p=[0.7, 0.3])
    gap = rng.integers(30, 400, (3, n))
    for level, touchpoint in enumerate(("visit", "search", "cart")):
        rows = np.nonzero(depth > level)[0]
        steps.add(
            len(rows),
            visitor=converting + rows,
            t_s=np.minimum(at[rows], window.end_s - 1),
            channel=channel[rows],
            touchpoint=touchpoint,
            duration_s=gap[level, rows].astype(float),
            outcome=np.where(depth[rows] == level + 1, "abandoned", ""),
            journey=first + rows,
        )
        at = at + gap[level]
    return ["browse"] * n


def _store_visits(
    rng: np.random.Generator,
    params: DemoParameters,
    window: Window,
    people: People,
    orders: Orders,
    steps: Steps,
    first: int,
) -> list[str]:
    """Store visits ending in a purchase, and visits of the same customers without one."""
    table = orders.table
    share = params.web.store_visit_share_of_store_orders
    store = (table["channel"].to_numpy() == "store") & (rng.random(len(table)) < share)
    record = table["record"].to_numpy()[store]
    k = len(record)
    stay = rng.integers(300, 2400, k)
    steps.add(
        k,
        record=record,
        t_s=table["ordered_s"].to_numpy()[store] - stay,
        channel="store",
        touchpoint="visit",
        duration_s=stay.astype(float),
        outcome="purchase",
        journey=first + np.arange(k),
    )
    n = round(k * params.web.browsing_store_visits_per_purchase_visit)
    who = rng.choice(record, n) if k else record[:0]
    created = people.records["created_s"].to_numpy()[who]
    day = clock.day_floor(created + (rng.random(n) * (window.end_s - created)).astype(np.int64))
    steps.add(
        n,
        record=who,
        t_s=np.minimum(day + DAY + clock.business_hours(rng, n, 9, 19), window.end_s - 1),
        channel="store",
        touchpoint="visit",
        duration_s=rng.integers(120, 1800, n).astype(float),
        journey=first + k + np.arange(n),
    )
    return ["store_purchase"] * k + ["store_browse"] * n


def _campaigns(
    rng: np.random.Generator,
    params: DemoParameters,
    window: Window,
    people: People,
    consents: Consents,
    steps: Steps,
) -> None:
    """Monthly campaign e-mails to consenting customers, and a known few who were not."""
    records = people.records
    crm = np.nonzero(records["source"].to_numpy() == "crm")[0]
    created = records["created_s"].to_numpy()[crm]
    month = np.datetime64(window.start.date(), "M") + 1
    last = np.datetime64(window.end.date(), "M")
    while month <= last:
        day = (month.astype("datetime64[D]") - np.datetime64("1970-01-01")).astype(np.int64)
        send = int(day * DAY + int(rng.integers(1, 8)) * DAY + 10 * 3600)
        month_name = str(month)
        month += 1
        if send >= window.end_s:
            continue
        known = crm[created < send]
        allowed = consents.email_allowed(known, send)
        chosen = known[allowed & (rng.random(len(known)) < params.web.campaign_share)]
        refused = known[~allowed]
        n_wrong = min(
            int(rng.binomial(len(chosen), params.web.campaign_consent_violation_share)),
            len(refused),
        )
        wrong = np.sort(rng.choice(refused, n_wrong, replace=False)) if n_wrong else refused[:0]
        target = np.concatenate([chosen, wrong])
        steps.add(
            len(target),
            record=target,
            t_s=send + rng.integers(0, 1800, len(target)),
            channel="email",
            touchpoint="campaign_email",
            direction="outbound",
            campaign="CMP-" + month_name,
            violation=np.arange(len(target)) >= len(chosen),
        )


def _assemble(
    rng: np.random.Generator, frame: pd.DataFrame, people: People
) -> tuple[pa.Table, np.ndarray]:
    """The Parquet table, with identifiers numbered in time order.

    Also returns, for each internal journey number, its ``journey_id`` ("" when none of
    its steps was kept).
    """
    n = len(frame)
    record_ids = people.records["record_id"].to_numpy()
    record = frame["record"].to_numpy()
    visitor = frame["visitor"].to_numpy()
    # Visitor numbers are scrambled so that they reveal nothing about who bought.
    scramble = rng.permutation(int(visitor.max()) + 1 if n else 0)
    visitor_number = scramble[np.maximum(visitor, 0)] + 1 if n else visitor
    visitor_ids = join("V", np.strings.zfill(visitor_number.astype(str), 8))
    journey = frame["journey"].to_numpy()
    codes, _ = pd.factorize(pd.Series(np.where(journey >= 0, journey, np.nan)))
    journey_ids = join("J", np.strings.zfill((codes + 1).astype(str), 8))

    def text(values: np.ndarray, missing: np.ndarray) -> pa.Array:
        return pa.array(values.astype(object), type=pa.string(), mask=missing)

    def optional(source: str) -> pa.Array:
        values = frame[source].to_numpy()
        return text(values, values == "")

    interaction_ids = join("I", np.strings.zfill(np.arange(1, n + 1).astype(str), 9))
    columns = {
        "interaction_id": text(interaction_ids, np.zeros(n, dtype=bool)),
        "customer_id": text(record_ids[np.maximum(record, 0)], record < 0),
        "visitor_id": text(visitor_ids, visitor < 0),
        "occurred_at": pa.array(clock.timestamps(frame["t_s"].to_numpy()), pa.timestamp("us")),
        "channel": optional("channel"),
        "touchpoint": optional("touchpoint"),
        "direction": optional("direction"),
        "campaign_id": optional("campaign"),
        "reason": optional("reason"),
        "duration_s": pa.array(frame["duration_s"].to_numpy(dtype=float), from_pandas=True),
        "outcome": optional("outcome"),
        "team": optional("team"),
        "journey_id": text(journey_ids, journey < 0),
    }
    table = pa.Table.from_pydict(columns, schema=SCHEMA)
    lookup = np.full(int(journey.max()) + 1 if n else 0, "", dtype=object)
    lookup[journey[journey >= 0]] = journey_ids[journey >= 0]
    return table, lookup


def _journeys(
    contacts: Contacts,
    kinds: list[str],
    first_free: int,
    frame: pd.DataFrame,
    journey_ids: np.ndarray,
    people: People,
) -> pd.DataFrame:
    """One truth row per journey with its friction flags (all false outside contacts)."""
    truth = contacts.journeys.copy()
    others = pd.DataFrame({"journey": first_free + np.arange(len(kinds)), "kind": kinds})
    rows = frame[frame["journey"].to_numpy() >= first_free]
    span = rows.groupby("journey").agg(
        record=("record", "max"), started_s=("t_s", "min"), ended_s=("t_s", "max")
    )
    others = others.merge(span, left_on="journey", right_index=True, how="inner")
    truth = pd.concat([truth, others], ignore_index=True)
    flags = ("repeat_contact", "web_to_phone", "long_wait", "abandoned_call", "transferred")
    for flag in (*flags, "dead_end", "resolved", "web_error"):
        truth[flag] = truth[flag].to_numpy(dtype=object) == True  # noqa: E712
    truth["contacts"] = truth["contacts"].fillna(0).astype(np.int64)
    truth["journey_id"] = journey_ids[truth["journey"].to_numpy()]
    truth = truth[truth["journey_id"] != ""]
    record_ids = people.records["record_id"].to_numpy()
    record = truth["record"].to_numpy().astype(np.int64)
    truth["customer_id"] = np.where(record >= 0, record_ids[np.maximum(record, 0)], "")
    return truth.sort_values("journey_id", ignore_index=True)
