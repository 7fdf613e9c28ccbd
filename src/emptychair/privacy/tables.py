"""Schemas of the tables the privacy features keep: receipts, suppression, flags, consent details.

They are created on first use (a workspace made by an older version gains them when
it is first written to by these features). None of them holds a personal value:
erased persons are known only by salted hashes; restriction flags and consent
details are keyed by the customer id, and go with the person when erased.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

if TYPE_CHECKING:
    from emptychair.workspace import Workspace

RECEIPTS = "_erasure_receipts"
SUPPRESSION = "_suppression"
RESTRICTIONS = "_restrictions"
CONSENT_DETAILS = "_consent_details"

PRIVACY_TABLES: dict[str, ibis.Schema] = {
    RECEIPTS: ibis.schema(
        {
            "receipt_id": "string",
            "erased_at": "timestamp",
            "reason": "string",
            "subject_hash": "string",
            "records": "int64",
            "rows": "int64",
            "counts": "string",
            "library_version": "string",
        }
    ),
    SUPPRESSION: ibis.schema(
        {
            "identifier_hash": "string",
            "kind": "string",
            "receipt_id": "string",
            "added_at": "timestamp",
        }
    ),
    RESTRICTIONS: ibis.schema(
        {
            "customer_id": "string",
            "purpose": "string",
            "restricted": "boolean",
            "recorded_at": "timestamp",
            "source": "string",
        }
    ),
    CONSENT_DETAILS: ibis.schema(
        {
            "customer_id": "string",
            "purpose": "string",
            "recorded_at": "timestamp",
            "channel": "string",
            "wording_version": "string",
        }
    ),
}


def ensure_privacy_tables(workspace: Workspace) -> None:
    """Create the privacy tables that do not exist yet."""
    existing = set(workspace.engine.backend.list_tables())
    for name, schema in PRIVACY_TABLES.items():
        if name not in existing:
            workspace.engine.create_table(name, schema)


def prepare_change(workspace: Workspace, customer_id: str) -> None:
    """Check that ``customer_id`` is a stored customer record and that the privacy tables
    exist, before recording a decision about that person."""
    from emptychair.errors import NotFoundError

    customers = workspace.table("customers")
    if not workspace.engine.execute(customers.filter(customers.customer_id == customer_id).count()):
        raise NotFoundError(f"no customer with id {customer_id!r} in {workspace.path}")
    ensure_privacy_tables(workspace)
