"""``/privacy``: the rights of a person (access, erasure, restriction) and their consents.

Every route here is about one person: admins only, except reading the current consents, which
analysts may do (consents hold no personal values). Each call is audited with the customer id.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from emptychair.api.auditing import audit_detail
from emptychair.api.auth import AdminCaller, AnalystCaller
from emptychair.api.frames import records
from emptychair.api.problems import PROBLEM_RESPONSES, problem_doc
from emptychair.api.routers.customers import CustomerId

router = APIRouter(prefix="/privacy", tags=["privacy"], responses=PROBLEM_RESPONSES)


class ReceiptOut(BaseModel):
    """What an erasure removed, without anything that identifies the person."""

    receipt_id: str
    erased_at: datetime
    reason: str
    subject_hash: str
    records: int
    counts: dict[str, int]


class ConsentOut(BaseModel):
    """A consent decision."""

    customer_id: str
    purpose: str
    granted: bool
    recorded_at: datetime
    source: str | None
    channel: str | None
    wording_version: str | None


class ConsentChange(BaseModel):
    """A consent given or withdrawn: withdrawing is as easy as granting."""

    purpose: str = Field(description="What the consent is for (email, sms, phone, profiling...).")
    granted: bool
    source: str = Field(min_length=1, max_length=200, description="Where it was collected.")
    wording_version: str | None = Field(default=None, max_length=100)
    channel: str | None = Field(default=None, max_length=100)


class Restriction(BaseModel):
    """Restrict processing of, or object to a use of, a person's data."""

    purpose: Literal["analysis", "marketing", "profiling"]
    source: str = Field(default="api", min_length=1, max_length=200)
    restricted: bool = True


@router.get(
    "/customers/{customer_id}/export",
    summary="Right of access: everything about one person",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}, **problem_doc(404)},
)
def export(
    caller: AdminCaller,
    request: Request,
    customer_id: CustomerId,
    fmt: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> Response:
    """Every row about the person, across all tables, as a zip archive with a manifest."""
    from emptychair.privacy import export_person

    with tempfile.TemporaryDirectory(prefix="emptychair-access-") as folder:
        path = export_person(caller.workspace(), customer_id, FilePath(folder), fmt=fmt)
        content = path.read_bytes()
    audit_detail(request, "access export")
    return Response(
        content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{path.name}"'},
    )


@router.post(
    "/customers/{customer_id}/erase",
    summary="Erase a person everywhere",
    response_model=ReceiptOut,
    responses=problem_doc(404),
)
def erase(
    caller: AdminCaller,
    request: Request,
    customer_id: CustomerId,
    reason: Annotated[str, Query(min_length=1, max_length=200)] = "request",
) -> ReceiptOut:
    """Remove the person's rows from every table in one transaction; keep them out of later
    imports. Doing it twice removes nothing more."""
    from emptychair.privacy import erase_person

    receipt = erase_person(caller.workspace(), customer_id, reason=reason)
    caller.state.runs.new_runs()  # derived results changed: answer afresh
    audit_detail(request, f"erased: receipt {receipt.receipt_id}")
    return ReceiptOut.model_validate(receipt, from_attributes=True)


@router.get("/receipts", summary="Erasure receipts", response_model=list[ReceiptOut])
def receipts(caller: AdminCaller) -> list[ReceiptOut]:
    """Every erasure receipt, newest first."""
    from emptychair.privacy import erasure_receipts

    rows = records(erasure_receipts(caller.workspace()))
    return [ReceiptOut.model_validate(row) for row in rows]


@router.post(
    "/customers/{customer_id}/restrictions",
    summary="Restrict processing or object to a use",
    status_code=204,
    responses=problem_doc(400, 404),
)
def restrict(
    caller: AdminCaller, request: Request, customer_id: CustomerId, change: Restriction
) -> Response:
    """Set (or lift, with ``restricted`` false) a restriction flag, kept with its history."""
    from emptychair.privacy import lift
    from emptychair.privacy import restrict as set_restriction

    action = set_restriction if change.restricted else lift
    action(caller.workspace(), customer_id, change.purpose, source=change.source)
    audit_detail(request, f"restriction {change.purpose} = {change.restricted}")
    return Response(status_code=204)


@router.get(
    "/customers/{customer_id}/consents",
    summary="Current consents of a person",
    response_model=list[ConsentOut],
    responses=problem_doc(404),
)
def consents(
    caller: AnalystCaller,
    customer_id: CustomerId,
    history: Annotated[
        bool, Query(description="Every decision instead of the current ones.")
    ] = False,
) -> list[ConsentOut]:
    """The latest decision per purpose, or the whole history, newest first."""
    from emptychair.privacy import consent_history, current_consents

    workspace = caller.workspace()
    frame = (
        consent_history(workspace, customer_id)
        if history
        else current_consents(workspace, [customer_id])
    )
    return [ConsentOut.model_validate(row) for row in records(frame)]


@router.post(
    "/customers/{customer_id}/consents",
    summary="Record a consent given or withdrawn",
    status_code=201,
    response_model=ConsentOut,
    responses=problem_doc(400, 404),
)
def change_consent(
    caller: AdminCaller, request: Request, customer_id: CustomerId, change: ConsentChange
) -> ConsentOut:
    """Grant or withdraw consent for a purpose; the registry keeps every decision."""
    from emptychair.privacy import grant, withdraw

    action = grant if change.granted else withdraw
    decision = action(
        caller.workspace(),
        customer_id,
        change.purpose,
        source=change.source,
        wording_version=change.wording_version,
        channel=change.channel,
    )
    audit_detail(request, f"consent {change.purpose} = {change.granted}")
    return ConsentOut.model_validate(decision, from_attributes=True)
