"""Identity resolution: customer records that share an e-mail or a phone are one person.

Matching keys are normalised in the engine (e-mails trimmed and lower-cased; phones
reduced to digits in international form, ``06 12 34 56 78`` and ``+33 6 12 34 56 78``
alike). Only records that share a key with another record leave the engine; the
groups are the connected components of the "shares a key" graph. Each group gets one
golden ``customer_id`` (its oldest record) and the link table ``_customer_links``
says, for each record, which rule linked it and to which record.
"""

from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from emptychair.errors import IdentityError, NotFoundError, WorkspaceError
from emptychair.ingest.parse import ACCENTED, PLAIN
from emptychair.ingest.result import mask_value
from emptychair.workspace import Workspace, new_batch_id, utc_now

#: How each matching key is described; other keys read "same <key>".
RULES = {"email": "same e-mail", "phone": "same phone"}


def normalised_email(email: ir.StringValue) -> ir.StringValue:
    return email.strip().lower().nullif("")


def normalised_phone(phone: ir.StringValue, country_code: str) -> ir.StringValue:
    """Digits of a phone number in international form, without the ``+``."""
    text = phone.strip()
    digits = text.re_replace(r"[^0-9]", "")
    international = ibis.cases(
        (text.startswith("+"), digits),
        (digits.startswith("00"), digits.substr(2)),
        (digits.startswith("0"), country_code + digits.substr(1)),
        else_=digits,
    )
    return ibis.ifelse(international.length() >= 8, international, ibis.null().cast("string"))


def _keys(workspace: Workspace) -> ir.Table:
    customers = workspace.table("customers")
    settings = workspace.settings.identity
    parts = []
    for column in settings.match_on:
        parts_of_key = column.split("+")
        if any(part not in customers.columns for part in parts_of_key):
            raise WorkspaceError(
                f"identity.match_on: {column!r} names a column that customers does not have "
                f"(columns: {', '.join(customers.columns)})"
            )
        if column == "email":
            value = normalised_email(customers["email"])
        elif column == "phone":
            value = normalised_phone(customers["phone"], settings.default_country_code)
        else:
            # a composite key such as "last_name+birth_date": every part must be present
            texts = [
                customers[part].cast("string").strip().lower().translate(ACCENTED, PLAIN)
                for part in parts_of_key
            ]
            value = texts[0]
            for text in texts[1:]:
                value = value + "|" + text
            value = value.nullif("")
        parts.append(
            customers.select(
                customer_id=customers["customer_id"],
                key_kind=ibis.literal(column),
                key_value=value,
            )
        )
    if not parts:
        return customers.select(
            customer_id=customers["customer_id"],
            key_kind=ibis.literal("none"),
            key_value=ibis.null().cast("string"),
        ).limit(0)
    keys = ibis.union(*parts).filter(lambda t: t["key_value"].notnull())
    excluded = workspace.table("_identity_exclusions").select("customer_id")
    keys = keys.anti_join(excluded, "customer_id")
    shared = keys.group_by(["key_kind", "key_value"]).aggregate(n=keys["customer_id"].nunique())
    shared = shared.filter(shared["n"] > 1).select("key_kind", "key_value")
    return keys.semi_join(shared, ["key_kind", "key_value"])


def _describe(kinds: list[str]) -> str:
    return " and ".join(RULES.get(kind, f"same {kind}") for kind in kinds)


def compute_links(workspace: Workspace) -> pd.DataFrame:
    """The link table as it should be now: one row per record in a group of two or more."""
    keys = workspace.to_pandas(_keys(workspace)).drop_duplicates()
    columns = ["customer_id", "golden_id", "rule", "linked_to"]
    if keys.empty:
        return pd.DataFrame(columns=columns)
    ids = pd.Index(sorted(keys["customer_id"].unique()))
    position = ids.get_indexer(keys["customer_id"])
    # every record is joined to the first record holding the same key
    first = keys.assign(position=position).groupby(["key_kind", "key_value"])["position"]
    anchor = first.transform("min").to_numpy()
    graph = coo_matrix((np.ones(len(position)), (position, anchor)), shape=(len(ids), len(ids)))
    _, component = connected_components(graph, directed=False)
    customers = workspace.table("customers")
    created = (
        workspace.to_pandas(
            customers.filter(customers["customer_id"].isin(list(ids))).select(
                "customer_id", "created_at"
            )
        )
        .set_index("customer_id")["created_at"]
        .reindex(ids)
    )
    order = pd.DataFrame(
        {"customer_id": ids, "component": component, "created_at": created.to_numpy()}
    ).sort_values(["component", "created_at", "customer_id"], na_position="last")
    golden = order.groupby("component")["customer_id"].first()
    order["golden_id"] = order["component"].map(golden)
    # each record's reason: the keys it shares, and the record it shares them with
    # (the first holder of the key, or for that first holder the next one)
    keys = keys.assign(anchor_id=ids[anchor])
    shared = keys[keys["customer_id"] != keys["anchor_id"]]
    edges = pd.concat(
        [
            shared.assign(record=shared["customer_id"], other=shared["anchor_id"], side=0),
            shared.assign(record=shared["anchor_id"], other=shared["customer_id"], side=1),
        ]
    ).sort_values(["record", "side", "other"])
    reasons = edges.groupby("record").agg(
        rule=("key_kind", lambda k: _describe(sorted(set(k)))),
        linked_to=("other", "first"),
    )
    links = order.join(reasons, on="customer_id")
    return links[columns].reset_index(drop=True)


def resolve_identities(workspace: Workspace, batch_id: str | None = None) -> int:
    """Recompute ``_customer_links``; returns how many records belong to a group.

    Call inside the importing transaction (imports do) or on its own.
    """
    links = compute_links(workspace)
    engine = workspace.engine
    batch_id = batch_id or new_batch_id()
    stored = workspace.table("_customer_links")
    frame = links.assign(batch_id=batch_id, linked_at=utc_now())
    engine.delete_matching("_customer_links", stored, ["customer_id"])
    if len(frame):
        engine.insert("_customer_links", ibis.memtable(frame).cast(stored.schema()))
    return len(frame)


def relink(workspace: Workspace) -> tuple[str, int]:
    """Recompute the links in their own recorded batch; returns (batch id, linked records)."""
    batch_id = new_batch_id()
    with workspace.engine.transaction():
        linked = resolve_identities(workspace, batch_id)
        _record(workspace, batch_id, "resolve")
    return batch_id, linked


def golden_id(workspace: Workspace, customer_id: str) -> str:
    """The golden id of any source record (itself when it is not linked)."""
    links = workspace.table("_customer_links")
    found = workspace.to_pandas(
        links.filter(links["customer_id"] == customer_id).select("golden_id")
    )
    if not found.empty:
        return str(found["golden_id"].iloc[0])
    customers = workspace.table("customers")
    exists = workspace.engine.execute(
        customers.filter(customers["customer_id"] == customer_id).count()
    )
    if not exists:
        raise NotFoundError(f"no customer with id {customer_id!r} in {workspace.path}")
    return customer_id


def with_golden_ids(workspace: Workspace, table: ir.Table) -> ir.Table:
    """``table`` with each ``customer_id`` replaced by its golden id, so that the events
    of one person recorded under several source records count as one customer's."""
    links = workspace.table("_customer_links").select("customer_id", "golden_id")
    joined = table.left_join(links, "customer_id")
    return joined.mutate(customer_id=joined.golden_id.fill_null(joined.customer_id)).select(
        *table.columns
    )


def golden_customers(workspace: Workspace) -> ir.Table:
    """The ``customers`` records that stand for a person (not merged into another)."""
    customers = workspace.table("customers")
    links = workspace.table("_customer_links")
    merged = links.filter(links.customer_id != links.golden_id).select("customer_id")
    return customers.anti_join(merged, "customer_id")


def member_ids(workspace: Workspace, golden: str) -> list[str]:
    """Every source record of one golden customer, the golden record first."""
    links = workspace.table("_customer_links")
    members = workspace.to_pandas(links.filter(links["golden_id"] == golden).select("customer_id"))[
        "customer_id"
    ].tolist()
    return [golden, *sorted(m for m in members if m != golden)]


def explain(workspace: Workspace, customer_id: str) -> pd.DataFrame:
    """Why the records of a customer's group were linked (personal values masked)."""
    golden = golden_id(workspace, customer_id)
    members = member_ids(workspace, golden)
    customers = workspace.table("customers")
    links = workspace.table("_customer_links")
    rows = customers.filter(customers["customer_id"].isin(members)).left_join(
        links.select("customer_id", "golden_id", "rule", "linked_to", "batch_id"), "customer_id"
    )
    frame = workspace.to_pandas(
        rows.select(
            customers["customer_id"],
            "created_at",
            "email",
            "phone",
            golden_id=ibis.coalesce(rows["golden_id"], customers["customer_id"]),
            rule=ibis.coalesce(rows["rule"], ibis.literal("not linked")),
            linked_to=rows["linked_to"],
        )
    )
    for column in ("email", "phone"):
        frame[column] = frame[column].map(mask_value)
    frame["is_golden"] = frame["customer_id"] == golden
    return frame.sort_values(["is_golden", "created_at"], ascending=[False, True]).reset_index(
        drop=True
    )


def unmerge(workspace: Workspace, customer_id: str) -> str:
    """Take one record out of its group for good; returns the batch id of the change."""
    golden = golden_id(workspace, customer_id)
    if len(member_ids(workspace, golden)) < 2:
        raise IdentityError(f"customer record {customer_id!r} is not merged with any other record")
    batch_id = new_batch_id()
    exclusions = workspace.table("_identity_exclusions")
    row = pd.DataFrame(
        [{"customer_id": customer_id, "batch_id": batch_id, "recorded_at": utc_now()}]
    )
    with workspace.engine.transaction():
        workspace.engine.insert(
            "_identity_exclusions", ibis.memtable(row).cast(exclusions.schema())
        )
        resolve_identities(workspace, batch_id)
        _record(workspace, batch_id, "unmerge")
    return batch_id


def _record(workspace: Workspace, batch_id: str, kind: str) -> None:
    from emptychair._version import __version__

    batches = workspace.table("_batches")
    now: datetime = utc_now()
    row = pd.DataFrame(
        [
            {
                "batch_id": batch_id,
                "kind": kind,
                "table_name": "_customer_links",
                "started_at": now,
                "finished_at": now,
                "library_version": __version__,
                "status": "committed",
            }
        ]
    ).reindex(columns=batches.columns)
    workspace.engine.insert("_batches", ibis.memtable(row).cast(batches.schema()))
