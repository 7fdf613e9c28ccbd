"""``/audit``: the audit log (admin): who read which customer and who changed what."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from emptychair.accounts import audit_entries
from emptychair.api.auth import AdminCaller
from emptychair.api.frames import records
from emptychair.api.pagination import Page, PageDep, make_page
from emptychair.api.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/audit", tags=["audit"], responses=PROBLEM_RESPONSES)


class AuditRow(BaseModel):
    """One audited action; it never holds personal values."""

    at: datetime
    account: str | None
    role: str | None
    action: str
    resource: str | None
    customer_id: str | None
    outcome: str
    status: int | None
    detail: str | None


@router.get("", summary="Audit log", response_model=Page[AuditRow])
def audit_log(
    caller: AdminCaller,
    request: Request,
    page: PageDep,
    account: Annotated[str | None, Query(max_length=64, description="Account name.")] = None,
    since: Annotated[datetime | None, Query(description="From this time (UTC).")] = None,
    customer_id: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[AuditRow]:
    """Audited actions, newest first, filtered by account, time or customer."""
    if since is not None and since.tzinfo is not None:
        since = since.astimezone(UTC).replace(tzinfo=None)
    rows, total = audit_entries(
        caller.workspace(),
        account=account,
        since=since,
        customer_id=customer_id,
        limit=page.limit,
        offset=page.offset,
    )
    return make_page(request, page, [AuditRow.model_validate(r) for r in records(rows)], total)
