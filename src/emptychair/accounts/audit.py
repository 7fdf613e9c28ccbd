"""The audit log: who read which customer-level data and who changed what.

Append-only: rows are only ever inserted. A row says who (account and role), when,
what (the route or command), which customer id or resource, and the outcome; it never
holds personal values (no e-mail, name, phone, search text or request body).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import ibis
import pandas as pd

from emptychair.accounts.tables import AUDIT, AUDIT_SCHEMA
from emptychair.workspace import Workspace, utc_now
from emptychair.workspace.engine import DuckDBEngine
from emptychair.workspace.staging import quote

#: Outcomes of an audited action.
OUTCOMES = ("allowed", "denied", "not_found", "rejected", "failed")


@dataclass(frozen=True)
class AuditEvent:
    """One audited action (see the module docstring for what may go in it)."""

    account: str | None
    role: str | None
    action: str
    outcome: str
    resource: str | None = None
    customer_id: str | None = None
    status: int | None = None
    detail: str | None = None


def outcome_of(status: int) -> str:
    """The audit outcome of an HTTP status code."""
    if status < 400:
        return "allowed"
    if status in (401, 403):
        return "denied"
    if status == 404:
        return "not_found"
    if status < 500:
        return "rejected"
    return "failed"


def record(workspace: Workspace, event: AuditEvent, at: datetime | None = None) -> None:
    """Append ``event`` to the audit log (created by :func:`ensure_account_tables`)."""
    row = {
        "at": at or utc_now(),
        "account": event.account,
        "role": event.role,
        "action": event.action,
        "resource": event.resource,
        "customer_id": event.customer_id,
        "outcome": event.outcome,
        "status": event.status,
        "detail": event.detail,
    }
    engine = workspace.engine
    if isinstance(engine, DuckDBEngine):
        # One row per request: a prepared statement, without building an expression.
        columns, marks = ", ".join(quote(c) for c in row), ", ".join("?" * len(row))
        engine.raw.execute(f"INSERT INTO {AUDIT} ({columns}) VALUES ({marks})", list(row.values()))
        return
    frame = pd.DataFrame([row], columns=list(AUDIT_SCHEMA.names))
    engine.insert(AUDIT, ibis.memtable(frame).cast(AUDIT_SCHEMA))


def audit_entries(
    workspace: Workspace,
    *,
    account: str | None = None,
    since: datetime | None = None,
    customer_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[pd.DataFrame, int]:
    """Audit rows, newest first, filtered by account, time and customer.

    Returns
    -------
    The page of rows (``limit`` from ``offset``; all when ``limit`` is None) and the
    number of rows matching the filters.
    """
    if not workspace.engine.has_table(AUDIT):
        return pd.DataFrame(columns=list(AUDIT_SCHEMA.names)), 0
    log = workspace.table(AUDIT)
    if account is not None:
        log = log.filter(log["account"] == account)
    if since is not None:
        log = log.filter(log["at"] >= since)
    if customer_id is not None:
        log = log.filter(log["customer_id"] == customer_id)
    total = int(workspace.engine.execute(log.count()))
    ordered = log.order_by([ibis.desc("at"), "action"])
    if limit is not None:
        ordered = ordered.limit(limit, offset=offset)
    return workspace.to_pandas(ordered), total
