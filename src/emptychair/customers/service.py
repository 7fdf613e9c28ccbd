"""Customer 360 and customer search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from emptychair.customers.timeline import Belongs, consents_of, events_of
from emptychair.errors import NotFoundError
from emptychair.ingest.parse import ACCENTED, PLAIN
from emptychair.ingest.result import mask_value
from emptychair.schema import Kind, get_table
from emptychair.workspace import QueryTemplate, Workspace
from emptychair.workspace.internal import ROW_METADATA

# The queries of one 360 view, compiled once per database and run with the id bound.
IDENTITY_QUERY = "customers.360.identity"
PROFILE_QUERY = "customers.360.profile"
TIMELINE_QUERY = "customers.360.timeline"
CONSENTS_QUERY = "customers.360.consents"
_CUSTOMERS = get_table("customers")
_PROFILE_COLUMNS = [c for c in _CUSTOMERS.column_names if c != "customer_id"]
_DATE_COLUMNS = {c for c in _PROFILE_COLUMNS if _CUSTOMERS.column(c).kind is Kind.DATE}


@dataclass
class Customer360:
    """Everything known about one customer, across every source record and channel.

    Attributes
    ----------
    customer_id
        The golden id.
    records
        The source records linked to this customer (golden first).
    profile
        The golden record, with empty fields filled from the other records.
    consents
        Current consent per purpose.
    timeline
        Orders, interactions, feedback and complaints, newest first.
    summary
        A few figures: orders, spend, first and last order, open complaints, last scores.
    """

    customer_id: str
    records: list[str]
    profile: dict[str, Any]
    consents: pd.DataFrame
    timeline: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def masked(self) -> Customer360:
        """A copy with personal fields hidden, for people who may not see them."""
        personal = set(get_table("customers").pii)
        profile = {k: (mask_value(v) if k in personal else v) for k, v in self.profile.items()}
        timeline = self.timeline.copy()
        # verbatims and complaint texts are free text: they may name people
        timeline["text"] = timeline["text"].map(
            lambda t: None if t is None or t != t else "(hidden)"
        )
        return Customer360(
            self.customer_id, self.records, profile, self.consents, timeline, self.summary
        )


def customer_360(workspace: Workspace, customer_id: str) -> Customer360:
    """The 360 view of the customer that ``customer_id`` (any source record) belongs to."""
    golden, records = _identity(workspace, customer_id)
    rows = workspace.run_prepared_rows(PROFILE_QUERY, _profile_query, records=records)
    by_record = {row["customer_id"]: row for row in rows}
    ordered = [by_record[record] for record in records if record in by_record]
    profile: dict[str, Any] = {"customer_id": golden}
    for column in _PROFILE_COLUMNS:
        # the golden record's value, else the first other record's that has one
        value = next((row[column] for row in ordered if row[column] is not None), None)
        value = _plain(value)
        if isinstance(value, datetime) and column in _DATE_COLUMNS:
            value = value.date()
        profile[column] = value
    events = workspace.run_prepared(TIMELINE_QUERY, _timeline_query, records=records)
    consents = workspace.run_prepared(CONSENTS_QUERY, _consents_query, records=records)
    return Customer360(golden, records, profile, consents, events, _summary(events))


def _identity(workspace: Workspace, customer_id: str) -> tuple[str, list[str]]:
    """The golden id of any source record and all its records, the golden one first.

    The same answer as :func:`~emptychair.identity.golden_id` then
    :func:`~emptychair.identity.member_ids`, in one query.
    """
    found = workspace.run_prepared_rows(IDENTITY_QUERY, _identity_query, record=customer_id)
    if not found:
        raise NotFoundError(f"no customer with id {customer_id!r} in {workspace.path}")
    linked = max(row["linked"] for row in found)
    chosen = [row for row in found if row["linked"] == linked]
    golden = str(chosen[0]["golden_id"])
    members = {str(row["member_id"]) for row in chosen if row["member_id"] is not None}
    return golden, [golden, *sorted(members - {golden})]


def _identity_query(workspace: Workspace) -> QueryTemplate:
    record = ibis.param("string")
    links = workspace.table("_customer_links")
    customers = workspace.table("customers")
    # the golden id: the record's link if it has one, else the record itself if it exists
    linked = links.filter(links["customer_id"] == record).select(
        golden_id=links["golden_id"], linked=ibis.literal(1)
    )
    itself = customers.filter(customers["customer_id"] == record).select(
        golden_id=customers["customer_id"], linked=ibis.literal(0)
    )
    candidates = ibis.union(linked, itself, distinct=True)
    group = links.select(group_id=links["golden_id"], member_id=links["customer_id"])
    members = candidates.left_join(group, candidates["golden_id"] == group["group_id"])
    return QueryTemplate(members.select("golden_id", "linked", "member_id"), {"record": record})


def _records_query(
    build: Callable[[Workspace, Belongs], ir.Table],
) -> Callable[[Workspace], QueryTemplate]:
    """A query over the rows of the source records bound to ``records``."""

    def template(workspace: Workspace) -> QueryTemplate:
        records = ibis.param("array<string>")
        expr = build(workspace, lambda table: records.contains(table["customer_id"]))
        return QueryTemplate(expr, {"records": records})

    return template


def _profile_rows(workspace: Workspace, belongs: Belongs) -> ir.Table:
    customers = workspace.table("customers")
    return customers.filter(belongs(customers)).select("customer_id", *_PROFILE_COLUMNS)


_profile_query = _records_query(_profile_rows)
_timeline_query = _records_query(events_of)
_consents_query = _records_query(consents_of)


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


def _summary(events: pd.DataFrame) -> dict[str, Any]:
    # plain arrays rather than frame filters: a page of the API computes this every time
    event = events["event"].to_numpy(dtype=object)
    orders = event == "order"
    when = events["occurred_at"][orders]
    amounts = events["amount"].to_numpy(dtype="float64", na_value=np.nan)[orders]
    status = events["status"].to_numpy(dtype=object)[event == "complaint"]
    channels = {c for c in events["channel"].to_numpy(dtype=object) if isinstance(c, str)}
    summary: dict[str, Any] = {
        "orders": int(orders.sum()),
        "total_spend": round(float(np.nansum(amounts)), 2),
        "first_order": _plain(when.min()) if len(when) else None,
        "last_order": _plain(when.max()) if len(when) else None,
        "interactions": int((event == "interaction").sum()),
        "channels": sorted(channels),
        "open_complaints": sum(1 for s in status if s != "closed"),
    }
    activity = events["activity"].to_numpy(dtype=object)
    scores = events["score"].to_numpy(dtype="float64", na_value=np.nan)
    feedback = np.flatnonzero(event == "feedback")
    for kind in ("nps", "csat", "ces"):
        # the timeline is newest first: the first answer of a kind is the latest
        latest = next((i for i in feedback if activity[i] == kind), None)
        summary[f"last_{kind}"] = None if latest is None else float(scores[latest])
    return summary


def search_customers(
    workspace: Workspace, text: str, limit: int = 20, mask: bool = False
) -> pd.DataFrame:
    """Customer records whose id, e-mail, phone or name contains ``text``.

    Case and accents are ignored (``helene`` finds ``Hélène``); a phone number
    matches however it is written. Results show the golden id each record belongs
    to; ``mask`` hides the personal fields.
    """
    # Control characters (a NUL byte from a URL) cannot be in a stored value: leave them out.
    printable = "".join(ch for ch in text if ch.isprintable())
    needle = printable.strip().lower().translate(str.maketrans(ACCENTED, PLAIN))
    if not needle:
        return pd.DataFrame()
    customers = workspace.table("customers")

    def folded(column: str) -> ibis.Value:
        return customers[column].lower().translate(ACCENTED, PLAIN)

    full_name = folded("first_name").fill_null("") + " " + folded("last_name").fill_null("")
    condition = (
        folded("customer_id").contains(needle)
        | folded("email").contains(needle)
        | full_name.contains(needle)
        | (folded("last_name").fill_null("") + " " + folded("first_name").fill_null("")).contains(
            needle
        )
    )
    digits = "".join(ch for ch in needle if ch.isdigit())
    if len(digits) >= 6 and len(digits) >= len(needle.replace(" ", "")) - 1:
        condition |= customers["phone"].re_replace(r"[^0-9]", "").contains(digits[-8:])
    links = workspace.table("_customer_links").select("customer_id", "golden_id")
    found = customers.filter(condition).left_join(links, "customer_id")
    columns = [c for c in get_table("customers").column_names if c not in ROW_METADATA]
    result = found.select(
        *columns, golden_id=ibis.coalesce(found["golden_id"], found["customer_id"])
    )
    exact = (result["customer_id"].lower() == needle).cast("int8")
    found = workspace.to_pandas(result.order_by([ibis.desc(exact), "customer_id"]).limit(limit))
    if mask:
        for column in get_table("customers").pii:
            found[column] = found[column].map(mask_value)
    return found
