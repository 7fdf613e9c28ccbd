"""The cross-channel timeline of customers, as one Ibis expression.

Orders, interactions, feedback and complaints share one shape: when, what kind of
event, on which channel, what happened, and the numbers that matter (amount, score).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ibis
import ibis.expr.types as ir

from emptychair.workspace import Workspace

#: Which rows of an event table belong to the customer being read.
Belongs = Callable[[ir.Table], ir.BooleanValue]

TIMELINE_SCHEMA = ibis.schema(
    {
        "occurred_at": "timestamp",
        "event": "string",
        "channel": "string",
        "activity": "string",
        "amount": "float64",
        "score": "float64",
        "status": "string",
        "text": "string",
        "record_id": "string",
        "customer_id": "string",
    }
)


def _shape(table: ir.Table, **columns: ir.Value) -> ir.Table:
    filled = {
        name: columns.get(name, ibis.null()).cast(dtype) for name, dtype in TIMELINE_SCHEMA.items()
    }
    return table.select(**filled)


def _of_records(customer_ids: Sequence[str]) -> Belongs:
    ids = list(customer_ids)
    return lambda table: table["customer_id"].isin(ids)


def timeline(workspace: Workspace, customer_ids: Sequence[str]) -> ir.Table:
    """Every event of the given source records, newest first."""
    return events_of(workspace, _of_records(customer_ids))


def events_of(workspace: Workspace, belongs: Belongs) -> ir.Table:
    """Every event whose row satisfies ``belongs(table)``, newest first."""
    orders = workspace.table("orders")
    orders = orders.filter(belongs(orders))
    interactions = workspace.table("interactions")
    interactions = interactions.filter(belongs(interactions))
    feedback = workspace.table("feedback")
    feedback = feedback.filter(belongs(feedback))
    complaints = workspace.table("complaints")
    complaints = complaints.filter(belongs(complaints))
    parts = [
        _shape(
            orders,
            occurred_at=orders["ordered_at"],
            event=ibis.literal("order"),
            channel=orders["channel"],
            activity=ibis.literal("purchase"),
            amount=orders["amount"],
            status=orders["currency"],
            record_id=orders["order_id"],
            customer_id=orders["customer_id"],
        ),
        _shape(
            interactions,
            occurred_at=interactions["occurred_at"],
            event=ibis.literal("interaction"),
            channel=interactions["channel"],
            activity=ibis.coalesce(interactions["touchpoint"], interactions["reason"]),
            status=interactions["outcome"],
            text=interactions["reason"],
            record_id=interactions["interaction_id"],
            customer_id=interactions["customer_id"],
        ),
        _shape(
            feedback,
            occurred_at=feedback["received_at"],
            event=ibis.literal("feedback"),
            channel=feedback["channel"],
            activity=feedback["kind"],
            score=feedback["score"],
            status=feedback["touchpoint"],
            text=feedback["text"],
            record_id=feedback["feedback_id"],
            customer_id=feedback["customer_id"],
        ),
        _shape(
            complaints,
            occurred_at=complaints["opened_at"],
            event=ibis.literal("complaint"),
            channel=complaints["channel"],
            activity=complaints["category"],
            status=complaints["status"],
            text=complaints["text"],
            record_id=complaints["complaint_id"],
            customer_id=complaints["customer_id"],
        ),
    ]
    return ibis.union(*parts).order_by([ibis.desc("occurred_at"), "event", "record_id"])


def latest_consents(workspace: Workspace, customer_ids: Sequence[str]) -> ir.Table:
    """Current consent per purpose: the most recent record wins."""
    return consents_of(workspace, _of_records(customer_ids))


def consents_of(workspace: Workspace, belongs: Belongs) -> ir.Table:
    """Current consent per purpose over the consent rows that satisfy ``belongs``."""
    consents = workspace.table("consents")
    mine = consents.filter(belongs(consents))
    ranked = mine.mutate(
        _rank=ibis.row_number().over(
            # on a tie, a withdrawal wins: the safe reading of conflicting records
            group_by="purpose",
            order_by=[ibis.desc("recorded_at"), "granted"],
        )
    )
    return (
        ranked.filter(ranked["_rank"] == 0)
        .select("purpose", "granted", "recorded_at", "source", "customer_id")
        .order_by("purpose")
    )
