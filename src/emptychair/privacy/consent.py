"""The consent registry: every decision per purpose, with its source, time and wording version.

Decisions live in the canonical ``consents`` table (so imports and the registry
share one history); what that table has no column for, the wording version the
person saw and the channel it was collected on, is kept in ``_consent_details``
keyed by the consent row (customer id, purpose, time). Purposes say what and how:
``email``, ``sms``, ``phone``, ``mail`` and ``push`` are contact by that channel;
``profiling`` and ``third_party`` are uses of the data.

Withdrawing takes the same call as granting. The current consent for a purpose is
the latest decision; on a tie, a withdrawal wins.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair._version import __version__
from emptychair.errors import InvalidParameterError, WorkspaceError
from emptychair.privacy.tables import (
    CONSENT_DETAILS,
    PRIVACY_TABLES,
    prepare_change,
)
from emptychair.schema import get_table
from emptychair.schema.tables import CHANNELS
from emptychair.workspace import Workspace, new_batch_id, utc_now

PURPOSES: tuple[str, ...] = get_table("consents").column("purpose").allowed or ()
KEY = ["customer_id", "purpose", "recorded_at"]
COLUMNS = [
    "customer_id",
    "purpose",
    "granted",
    "recorded_at",
    "source",
    "channel",
    "wording_version",
]


@dataclass(frozen=True)
class ConsentDecision:
    """One recorded decision."""

    customer_id: str
    purpose: str
    granted: bool
    recorded_at: datetime
    source: str
    channel: str | None
    wording_version: str | None
    batch_id: str


def grant(
    workspace: Workspace,
    customer_id: str,
    purpose: str,
    *,
    source: str,
    wording_version: str | None = None,
    channel: str | None = None,
    at: datetime | None = None,
) -> ConsentDecision:
    """Record that the customer gives consent for ``purpose``.

    Parameters
    ----------
    workspace
        A workspace open for writing.
    customer_id
        A stored customer record id.
    purpose
        One of :data:`PURPOSES`.
    source
        Where the decision was collected (``"web form"``, ``"store"``, ``"call"``...).
    wording_version
        The version of the text the person agreed to (``"2026-03"``).
    channel
        The channel it was collected on (``web``, ``store``, ``phone``...).
    at
        When it was given (UTC, default now).
    """
    return _decide(workspace, customer_id, purpose, True, source, wording_version, channel, at)


def withdraw(
    workspace: Workspace,
    customer_id: str,
    purpose: str,
    *,
    source: str,
    wording_version: str | None = None,
    channel: str | None = None,
    at: datetime | None = None,
) -> ConsentDecision:
    """Record that the customer withdraws consent for ``purpose`` (same parameters as
    :func:`grant`)."""
    return _decide(workspace, customer_id, purpose, False, source, wording_version, channel, at)


def _decide(
    workspace: Workspace,
    customer_id: str,
    purpose: str,
    granted: bool,
    source: str,
    wording_version: str | None,
    channel: str | None,
    at: datetime | None,
) -> ConsentDecision:
    if workspace.read_only:
        raise WorkspaceError(f"{workspace.path}: opened read-only; open it for writing")
    if purpose not in PURPOSES:
        raise InvalidParameterError(f"purpose {purpose!r}: use one of {', '.join(PURPOSES)}")
    if channel is not None and channel not in CHANNELS:
        raise InvalidParameterError(f"channel {channel!r}: use one of {', '.join(CHANNELS)}")
    if not source.strip():
        raise InvalidParameterError("source: empty; say where the decision was collected")
    prepare_change(workspace, customer_id)
    recorded_at = at.replace(tzinfo=None) if at is not None else utc_now()
    consents = workspace.table("consents")
    clash = consents.filter(
        (consents.customer_id == customer_id)
        & (consents.purpose == purpose)
        & (consents.recorded_at == recorded_at)
    )
    if workspace.engine.execute(clash.count()):
        raise InvalidParameterError(
            f"at {recorded_at.isoformat()}: a {purpose} decision is already recorded at this "
            "time for this customer; give another time"
        )
    batch_id = new_batch_id()
    decision = ConsentDecision(
        customer_id,
        purpose,
        granted,
        recorded_at,
        source.strip(),
        channel,
        wording_version,
        batch_id,
    )
    row = {
        "customer_id": customer_id,
        "purpose": purpose,
        "granted": granted,
        "recorded_at": recorded_at,
        "source": decision.source,
        "_batch_id": batch_id,
        "_loaded_at": utc_now(),
    }
    details = {**{k: row[k] for k in KEY}, "channel": channel, "wording_version": wording_version}
    engine = workspace.engine
    with engine.transaction():
        engine.insert("consents", ibis.memtable(pd.DataFrame([row])).cast(consents.schema()))
        engine.insert(
            CONSENT_DETAILS,
            ibis.memtable(pd.DataFrame([details])).cast(PRIVACY_TABLES[CONSENT_DETAILS]),
        )
        _record_batch(workspace, decision)
    return decision


def _record_batch(workspace: Workspace, decision: ConsentDecision) -> None:
    batches = workspace.table("_batches")
    row = pd.DataFrame(
        [
            {
                "batch_id": decision.batch_id,
                "kind": "consent",
                "table_name": "consents",
                "started_at": decision.recorded_at,
                "finished_at": utc_now(),
                "library_version": __version__,
                "rows_read": 1,
                "rows_loaded": 1,
                "rows_updated": 0,
                "rows_unchanged": 0,
                "rows_quarantined": 0,
                "parameters": json.dumps(
                    {"purpose": decision.purpose, "granted": decision.granted}
                ),
                "status": "committed",
            }
        ]
    ).reindex(columns=batches.columns)
    workspace.engine.insert("_batches", ibis.memtable(row).cast(batches.schema()))


def decisions(workspace: Workspace, customer_ids: Sequence[str] | None = None) -> ir.Table:
    """Every decision with its details (``channel`` and ``wording_version`` null when
    the decision came from an imported file)."""
    consents = workspace.table("consents")
    if customer_ids is not None:
        consents = consents.filter(consents.customer_id.isin(list(customer_ids)))
    if workspace.engine.has_table(CONSENT_DETAILS):
        details = workspace.table(CONSENT_DETAILS)
    else:
        details = ibis.memtable(pd.DataFrame(columns=PRIVACY_TABLES[CONSENT_DETAILS].names)).cast(
            PRIVACY_TABLES[CONSENT_DETAILS]
        )
    joined = consents.left_join(details, KEY)
    return joined.select(*(joined[c] for c in COLUMNS))


def current_consents(
    workspace: Workspace, customer_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    """The latest decision per customer and purpose (a withdrawal wins a tie).

    Parameters
    ----------
    customer_ids
        Only these customers (default: everyone).

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``purpose``, ``granted``, ``recorded_at``, ``source``,
        ``channel``, ``wording_version``.
    """
    table = decisions(workspace, customer_ids)
    ranked = table.mutate(
        _rank=ibis.row_number().over(
            group_by=["customer_id", "purpose"], order_by=[ibis.desc("recorded_at"), "granted"]
        )
    )
    current = ranked.filter(ranked["_rank"] == 0).drop("_rank")
    return workspace.to_pandas(current.order_by(["customer_id", "purpose"])).reset_index(drop=True)


def consent_history(workspace: Workspace, customer_id: str) -> pd.DataFrame:
    """Every decision of one customer, newest first."""
    table = decisions(workspace, [customer_id])
    frame = workspace.to_pandas(table.order_by([ibis.desc("recorded_at"), "purpose"]))
    return frame.reset_index(drop=True)
