"""Retention: erase the persons whose last own contact is older than the retention period.

A person's own contacts are what they started: orders, inbound (or undirected)
interactions, survey answers and complaints, over every record linked to them;
a person with none is dated by their oldest sign-up. Outbound messages (campaign
e-mails) do not keep a person: a customer who only receives newsletters for four
years is past a three-year period.

The period is ``[privacy] retention_years`` in ``emptychair.toml`` (3 by default).
Persons purged for retention are not put on the suppression list: a person who
comes back (a new order in a later file) is a customer again.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass, field
from datetime import date

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import InvalidParameterError
from emptychair.identity import with_golden_ids
from emptychair.privacy.erasure import ErasureReceipt, erase_persons
from emptychair.workspace import Workspace, utc_now

logger = logging.getLogger(__name__)

REASON = "retention"


@dataclass
class RetentionReport:
    """What a purge found (and, unless a dry run, erased).

    Attributes
    ----------
    cut
        Persons whose last own contact is before this date are past the period.
    years
        The retention period.
    customer_ids
        The golden id of each person past the period.
    undated
        Persons with no dated contact and no sign-up date (kept: cannot be dated).
    receipts
        One erasure receipt per person (empty on a dry run).
    """

    cut: date
    years: int
    customer_ids: list[str]
    undated: int
    dry_run: bool
    receipts: list[ErasureReceipt] = field(default_factory=list)

    @property
    def persons(self) -> int:
        return len(self.customer_ids)

    @property
    def rows(self) -> int:
        return sum(r.rows for r in self.receipts)

    def to_dict(self) -> dict[str, object]:
        """Counts only: no customer id."""
        return {
            "cut": self.cut.isoformat(),
            "years": self.years,
            "persons": self.persons,
            "undated": self.undated,
            "dry_run": self.dry_run,
            "rows_erased": self.rows,
            "receipts": [r.receipt_id for r in self.receipts],
        }


def retention_cut(today: date, years: int) -> date:
    """The same calendar day ``years`` earlier (28 February for a 29 February)."""
    year = today.year - years
    day = min(today.day, calendar.monthrange(year, today.month)[1])
    return date(year, today.month, day)


def last_own_contact(workspace: Workspace) -> ir.Table:
    """``customer_id`` (golden) and ``last_contact`` (null when undated), one row per person."""
    orders = workspace.table("orders")
    interactions = workspace.table("interactions")
    interactions = interactions.filter(
        interactions.customer_id.notnull()
        & (interactions.direction.isnull() | (interactions.direction != "outbound"))
    )
    feedback = workspace.table("feedback")
    complaints = workspace.table("complaints")
    events = ibis.union(
        orders.select("customer_id", at=orders.ordered_at),
        interactions.select("customer_id", at=interactions.occurred_at),
        feedback.select("customer_id", at=feedback.received_at),
        complaints.select("customer_id", at=complaints.opened_at),
    )
    customers = workspace.table("customers")
    people = with_golden_ids(workspace, customers.select("customer_id", "created_at"))
    signed_up = people.group_by("customer_id").aggregate(signed_up=people.created_at.min())
    contacts = with_golden_ids(workspace, events)
    latest = contacts.group_by("customer_id").aggregate(contact=contacts.at.max())
    joined = signed_up.left_join(latest, "customer_id")
    return joined.select(
        customer_id=signed_up.customer_id,
        last_contact=ibis.coalesce(joined.contact, joined.signed_up),
    )


def purge_expired(
    workspace: Workspace,
    years: int | None = None,
    today: date | None = None,
    dry_run: bool = True,
) -> RetentionReport:
    """Find (and unless ``dry_run``, erase) the persons past the retention period.

    Parameters
    ----------
    workspace
        The workspace (open for writing unless ``dry_run``).
    years
        The period; default ``[privacy] retention_years`` of the workspace settings.
    today
        The day the period is counted back from (default: today, UTC).
    dry_run
        Only count; nothing is changed (the default).

    Returns
    -------
    RetentionReport
        The cut date, the persons past it and, when applied, one receipt each
        (reason ``"retention"``), all erased in one transaction.
    """
    period = workspace.settings.privacy.retention_years if years is None else years
    if period < 1:
        raise InvalidParameterError(f"--years {period}: the retention period must be 1 or more")
    day = today or utc_now().date()
    cut = retention_cut(day, period)
    persons = workspace.to_pandas(last_own_contact(workspace))
    dated = persons[persons["last_contact"].notna()]
    expired = dated[pd.to_datetime(dated["last_contact"]) < pd.Timestamp(cut)]
    ids = sorted(expired["customer_id"].astype(str))
    report = RetentionReport(cut, period, ids, int(persons["last_contact"].isna().sum()), dry_run)
    if not dry_run and ids:
        report.receipts = erase_persons(workspace, ids, reason=REASON, suppress=False)
    logger.info(
        "retention (%d years, cut %s): %d persons past the period%s",
        period,
        cut.isoformat(),
        len(ids),
        "" if dry_run else f", {report.rows} rows erased",
    )
    return report
