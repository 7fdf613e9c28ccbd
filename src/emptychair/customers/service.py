"""Customer 360 and customer search."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import ibis
import pandas as pd

from emptychair.customers.timeline import latest_consents, timeline
from emptychair.identity import golden_id, member_ids
from emptychair.ingest.parse import ACCENTED, PLAIN
from emptychair.ingest.result import mask_value
from emptychair.schema import Kind, get_table
from emptychair.workspace import Workspace
from emptychair.workspace.internal import ROW_METADATA


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
    golden = golden_id(workspace, customer_id)
    records = member_ids(workspace, golden)
    customers = workspace.table("customers")
    rows = workspace.to_pandas(customers.filter(customers["customer_id"].isin(records)))
    rows = rows.set_index("customer_id").reindex(records)
    profile: dict[str, Any] = {"customer_id": golden}
    schema = get_table("customers")
    for column in schema.column_names:
        if column == "customer_id":
            continue
        values = rows[column].dropna()
        value = _plain(values.iloc[0]) if len(values) else None
        if isinstance(value, datetime) and schema.column(column).kind is Kind.DATE:
            value = value.date()
        profile[column] = value
    events = workspace.to_pandas(timeline(workspace, records))
    consents = workspace.to_pandas(latest_consents(workspace, records))
    return Customer360(golden, records, profile, consents, events, _summary(events))


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


def _summary(events: pd.DataFrame) -> dict[str, Any]:
    orders = events[events["event"] == "order"]
    complaints = events[events["event"] == "complaint"]
    feedback = events[events["event"] == "feedback"]
    summary: dict[str, Any] = {
        "orders": len(orders),
        "total_spend": round(float(orders["amount"].sum()), 2),
        "first_order": _plain(orders["occurred_at"].min()) if len(orders) else None,
        "last_order": _plain(orders["occurred_at"].max()) if len(orders) else None,
        "interactions": int((events["event"] == "interaction").sum()),
        "channels": sorted(events["channel"].dropna().unique().tolist()),
        "open_complaints": int((complaints["status"] != "closed").sum()),
    }
    for kind in ("nps", "csat", "ces"):
        answers = feedback[feedback["activity"] == kind]
        summary[f"last_{kind}"] = _plain(answers["score"].iloc[0]) if len(answers) else None
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
