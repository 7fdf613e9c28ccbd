"""Restriction and objection: per-person flags that keep a person out of some processing.

Three flags, each set or lifted with a time and a source, every change kept:

* ``processing``: restriction of processing (the person contests their data, or
  asked to keep it without use): out of every analysis and action;
* ``marketing``: objection to direct marketing: out of campaigns and actions;
* ``profiling``: objection to profiling: out of scoring and segmentation.

Analyses and the actions engine call :func:`restricted_ids` with the purpose they
serve; a restricted record takes every record linked to it along.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import InvalidParameterError, WorkspaceError
from emptychair.privacy.tables import (
    PRIVACY_TABLES,
    RESTRICTIONS,
    prepare_change,
)
from emptychair.workspace import Workspace, utc_now

FLAGS = ("processing", "marketing", "profiling")
#: For each purpose a caller serves, the flags that exclude a person from it.
EXCLUDED_BY = {
    "processing": ("processing",),
    "analysis": ("processing",),
    "marketing": ("processing", "marketing"),
    "profiling": ("processing", "profiling"),
}


@dataclass(frozen=True)
class RestrictionChange:
    """One recorded change of a flag."""

    customer_id: str
    purpose: str
    restricted: bool
    recorded_at: datetime
    source: str


def restrict(
    workspace: Workspace,
    customer_id: str,
    purpose: str,
    *,
    source: str,
    restricted: bool = True,
    at: datetime | None = None,
) -> RestrictionChange:
    """Set (or with ``restricted=False`` lift) a flag for a customer.

    Parameters
    ----------
    workspace
        A workspace open for writing.
    customer_id
        A stored customer record id.
    purpose
        ``processing``, ``marketing`` or ``profiling`` (see the module).
    source
        Where the request came from (``"letter of 3 May"``, ``"call centre"``).
    restricted
        ``True`` to set the flag, ``False`` to lift it.
    at
        When (UTC, default now).
    """
    if workspace.read_only:
        raise WorkspaceError(f"{workspace.path}: opened read-only; open it for writing")
    if purpose not in FLAGS:
        raise InvalidParameterError(f"--purpose {purpose!r}: use one of {', '.join(FLAGS)}")
    if not source.strip():
        raise InvalidParameterError("--source: empty; say where the request came from")
    prepare_change(workspace, customer_id)
    change = RestrictionChange(
        customer_id, purpose, restricted, (at or utc_now()).replace(tzinfo=None), source.strip()
    )
    row = pd.DataFrame([change.__dict__])
    workspace.engine.insert(RESTRICTIONS, ibis.memtable(row).cast(PRIVACY_TABLES[RESTRICTIONS]))
    return change


def lift(
    workspace: Workspace, customer_id: str, purpose: str, *, source: str, at: datetime | None = None
) -> RestrictionChange:
    """Lift a flag (the history keeps that it was set)."""
    return restrict(workspace, customer_id, purpose, source=source, restricted=False, at=at)


def _changes(workspace: Workspace) -> ir.Table:
    if workspace.engine.has_table(RESTRICTIONS):
        return workspace.table(RESTRICTIONS)
    schema = PRIVACY_TABLES[RESTRICTIONS]
    return ibis.memtable(pd.DataFrame(columns=schema.names)).cast(schema)


def current_restrictions(workspace: Workspace) -> pd.DataFrame:
    """The flags in force: one row per customer and flag currently set."""
    changes = _changes(workspace)
    ranked = changes.mutate(
        _rank=ibis.row_number().over(
            group_by=["customer_id", "purpose"], order_by=ibis.desc("recorded_at")
        )
    )
    current = ranked.filter((ranked._rank == 0) & ranked.restricted).drop("_rank")
    return workspace.to_pandas(current.order_by(["customer_id", "purpose"]))


def restriction_history(workspace: Workspace, customer_id: str) -> pd.DataFrame:
    """Every change of the customer's flags, newest first."""
    changes = _changes(workspace)
    mine = changes.filter(changes.customer_id == customer_id)
    return workspace.to_pandas(mine.order_by([ibis.desc("recorded_at"), "purpose"]))


def restricted_ids(workspace: Workspace, purpose: str) -> set[str]:
    """Customer ids to leave out of processing for ``purpose``.

    Parameters
    ----------
    purpose
        What the caller does: ``analysis`` (or ``processing``), ``marketing`` or
        ``profiling``.

    Returns
    -------
    set of str
        Every record id, and golden id, of the persons excluded.
    """
    if purpose not in EXCLUDED_BY:
        raise InvalidParameterError(f"purpose {purpose!r}: use one of {', '.join(EXCLUDED_BY)}")
    current = current_restrictions(workspace)
    flagged = set(current.loc[current["purpose"].isin(EXCLUDED_BY[purpose]), "customer_id"])
    if not flagged:
        return set()
    links = workspace.to_pandas(
        workspace.table("_customer_links").select("customer_id", "golden_id")
    )
    golden = set(links.loc[links["customer_id"].isin(flagged), "golden_id"])
    members = set(links.loc[links["golden_id"].isin(golden), "customer_id"])
    return flagged | golden | members
