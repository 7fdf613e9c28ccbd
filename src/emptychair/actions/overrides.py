"""Overrides: a person replaces the engine's decision for a customer, on the record.

Automated decisions about people must be contestable. An override names the action
(or no action), the reason and who decided; it is appended to the internal table
``_actions_overrides`` (never updated or deleted, so the history stays), and the
latest override of a customer is shown with their decision.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.actions.catalogue import Catalogue
from emptychair.actions.decisions import Override
from emptychair.errors import InvalidParameterError
from emptychair.identity import golden_id
from emptychair.workspace import Workspace, new_batch_id, utc_now

OVERRIDES_TABLE = "_actions_overrides"
#: What ``action_id`` holds when the person decided not to act.
NO_ACTION = "none"
OVERRIDES = ibis.schema(
    {
        "override_id": "string",
        "customer_id": "string",
        "action_id": "string",
        "reason": "string",
        "decided_by": "string",
        "recorded_at": "timestamp",
    }
)


def record_override(
    workspace: Workspace,
    customer_id: str,
    action_id: str,
    *,
    reason: str,
    decided_by: str,
    catalogue: Catalogue,
) -> Override:
    """Record that ``decided_by`` chose ``action_id`` (or ``"none"``) for a customer.

    Raises
    ------
    NotFoundError
        When the customer does not exist.
    InvalidParameterError
        When the action is not in the catalogue, or the reason or the name is empty.
    """
    if action_id != NO_ACTION:
        catalogue.action(action_id)
    for name, value in {"reason": reason, "decided by": decided_by}.items():
        if not value or not value.strip():
            raise InvalidParameterError(f"an override needs a {name}; it is empty")
    golden = golden_id(workspace, customer_id)
    engine = workspace.engine
    if not engine.has_table(OVERRIDES_TABLE):
        engine.create_table(OVERRIDES_TABLE, OVERRIDES)
    recorded_at = utc_now()
    row = {
        "override_id": new_batch_id(),
        "customer_id": golden,
        "action_id": action_id,
        "reason": reason.strip(),
        "decided_by": decided_by.strip(),
        "recorded_at": recorded_at,
    }
    engine.insert(OVERRIDES_TABLE, ibis.memtable(pd.DataFrame([row])).cast(OVERRIDES))
    return _override(row)


def latest_overrides(workspace: Workspace) -> ir.Table:
    """The latest override of each customer (an empty table when there is none)."""
    if not workspace.engine.has_table(OVERRIDES_TABLE):
        return ibis.memtable(pd.DataFrame(columns=list(OVERRIDES.names))).cast(OVERRIDES)
    table = workspace.table(OVERRIDES_TABLE)
    newest = ibis.window(
        group_by=table["customer_id"],
        order_by=[ibis.desc(table["recorded_at"]), ibis.desc(table["override_id"])],
    )
    ranked = table.mutate(rank=ibis.row_number().over(newest))
    return ranked.filter(ranked["rank"] == 0).drop("rank")


def with_overrides(workspace: Workspace, decisions: ir.Table) -> ir.Table:
    """``decisions`` with ``override_action_id`` and ``override_by`` of the latest override
    of each customer (NULL when there is none)."""
    latest = latest_overrides(workspace)
    overrides = latest.select(
        override_customer=latest["customer_id"],
        override_action_id=latest["action_id"],
        override_by=latest["decided_by"],
    )
    joined = decisions.left_join(
        overrides, decisions["customer_id"] == overrides["override_customer"]
    )
    return joined.drop("override_customer")


def override_for(workspace: Workspace, golden: str) -> Override | None:
    """The latest override of one (golden) customer, if any."""
    latest = latest_overrides(workspace)
    found = workspace.to_pandas(latest.filter(latest["customer_id"] == golden))
    return _override({str(k): v for k, v in found.iloc[0].items()}) if not found.empty else None


def override_history(workspace: Workspace, customer_id: str | None = None) -> pd.DataFrame:
    """Every override (of one customer, when given), newest first."""
    if not workspace.engine.has_table(OVERRIDES_TABLE):
        return pd.DataFrame(columns=list(OVERRIDES.names))
    table = workspace.table(OVERRIDES_TABLE)
    if customer_id is not None:
        table = table.filter(table["customer_id"] == golden_id(workspace, customer_id))
    return workspace.to_pandas(table.order_by(ibis.desc("recorded_at")))


def _override(row: dict[str, object]) -> Override:
    action = str(row["action_id"])
    return Override(
        customer_id=str(row["customer_id"]),
        action_id=None if action == NO_ACTION else action,
        reason=str(row["reason"]),
        decided_by=str(row["decided_by"]),
        recorded_at=pd.Timestamp(row["recorded_at"]).to_pydatetime(),  # type: ignore[arg-type]
    )
