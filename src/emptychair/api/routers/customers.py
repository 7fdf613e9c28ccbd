"""``/customers``: search and the 360° view (analysts see personal fields masked)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from emptychair.api.auditing import audit_detail
from emptychair.api.auth import AnalystCaller, Caller
from emptychair.api.frames import plain, records
from emptychair.api.pagination import Page, PageDep, PageParams, make_page
from emptychair.api.problems import PROBLEM_RESPONSES, problem_doc

router = APIRouter(prefix="/customers", tags=["customers"], responses=PROBLEM_RESPONSES)
#: Search answers are capped: a search is for finding someone, not for exporting.
MAX_SEARCH_RESULTS = 1_000
CustomerId = Annotated[
    str,
    Path(min_length=1, max_length=200, description="Any source record id of the customer."),
]


class CustomerProfile(BaseModel):
    """The golden record, with empty fields filled from the customer's other records."""

    customer_id: str
    created_at: str | None = None
    acquisition_channel: str | None = None
    acquisition_cost: float | None = None
    country: str | None = None
    language: str | None = None
    email: str | None = Field(default=None, description="Masked unless the caller is admin.")
    phone: str | None = Field(default=None, description="Masked unless the caller is admin.")
    first_name: str | None = Field(default=None, description="Masked unless admin.")
    last_name: str | None = Field(default=None, description="Masked unless admin.")
    birth_date: str | None = Field(default=None, description="Masked unless admin.")


class CustomerRecord(CustomerProfile):
    """A source record found by a search, with the golden customer it belongs to."""

    golden_id: str


class CustomerSummary(BaseModel):
    """A few figures over the customer's whole timeline."""

    orders: int
    total_spend: float
    first_order: str | None
    last_order: str | None
    interactions: int
    channels: list[str]
    open_complaints: int
    last_nps: float | None = None
    last_csat: float | None = None
    last_ces: float | None = None


class Consent(BaseModel):
    """The current consent for one purpose."""

    customer_id: str
    purpose: str
    granted: bool | None
    recorded_at: str | None
    source: str | None


class TimelineEvent(BaseModel):
    """An order, interaction, answer or complaint."""

    occurred_at: str | None
    event: str
    channel: str | None
    activity: str | None
    amount: float | None
    score: float | None
    status: str | None
    text: str | None = Field(description="Free text; hidden unless the caller is admin.")
    record_id: str | None
    customer_id: str | None


class Customer360(BaseModel):
    """Everything known about one customer across records and channels."""

    customer_id: str = Field(description="The golden id.")
    records: list[str] = Field(description="The source records linked to this customer.")
    masked: bool = Field(description="Whether personal fields are masked for the caller.")
    profile: CustomerProfile
    summary: CustomerSummary
    consents: list[Consent]
    timeline: Page[TimelineEvent] = Field(description="Events, newest first.")


@router.get(
    "",
    summary="Search customers",
    response_model=Page[CustomerRecord],
    responses=problem_doc(400),
)
async def search(
    caller: AnalystCaller,
    request: Request,
    page: PageDep,
    q: Annotated[
        str,
        Query(
            min_length=2,
            max_length=200,
            description="Part of an id, e-mail, phone or name (case and accents ignored).",
        ),
    ],
) -> Page[CustomerRecord]:
    """Customer records whose id, e-mail, phone or name contains ``q``, exact id first.

    The search text is never written to the audit log (it may be an e-mail or a name).
    """
    return await caller.state.run_customer_read(lambda: _search(caller, request, page, q))


def _search(caller: Caller, request: Request, page: PageParams, q: str) -> Page[CustomerRecord]:
    found = caller.workspace().search_customers(q, limit=MAX_SEARCH_RESULTS, mask=caller.masked)
    rows = records(found.iloc[page.offset : page.offset + page.limit]) if len(found) else []
    audit_detail(request, f"{len(found)} records found")
    items = [CustomerRecord.model_validate(row) for row in rows]
    return make_page(request, page, items, len(found))


@router.get(
    "/{customer_id}",
    summary="Customer 360",
    response_model=Customer360,
    responses=problem_doc(404),
)
async def customer_360(
    caller: AnalystCaller, request: Request, customer_id: CustomerId, page: PageDep
) -> Customer360:
    """Profile, consents, summary and the cross-channel timeline (paginated, newest first).

    Analysts see e-mail, phone, names, birth date and free texts masked; admins see them.
    """
    return await caller.state.run_customer_read(
        lambda: _customer_360(caller, request, customer_id, page)
    )


def _customer_360(
    caller: Caller, request: Request, customer_id: str, page: PageParams
) -> Customer360:
    view = caller.workspace().customer(customer_id)
    if caller.masked:
        view = view.masked()
    events = records(view.timeline.iloc[page.offset : page.offset + page.limit])
    profile = {k: plain(v) for k, v in view.profile.items()}
    return Customer360(
        customer_id=view.customer_id,
        records=view.records,
        masked=caller.masked,
        profile=CustomerProfile.model_validate(profile),
        summary=CustomerSummary.model_validate({k: plain(v) for k, v in view.summary.items()}),
        consents=[Consent.model_validate(row) for row in records(view.consents)],
        timeline=make_page(
            request, page, [TimelineEvent.model_validate(e) for e in events], len(view.timeline)
        ),
    )
