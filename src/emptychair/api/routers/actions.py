"""``/actions``: customer-first decisions for one customer or all, overrides, and the
practices that pay now and hurt later."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from emptychair.api.auditing import audit_detail
from emptychair.api.auth import AdminCaller, AnalystCaller, ViewerCaller
from emptychair.api.frames import plain, records, run_table
from emptychair.api.jobs import Report
from emptychair.api.problems import PROBLEM_RESPONSES, problem_doc
from emptychair.api.routers.jobs import JobOut, start_job
from emptychair.api.routers.runs import RunInfo, RunQuery, run_list
from emptychair.workspace import Workspace

ANALYSIS = "actions"
router = APIRouter(prefix="/actions", tags=["actions"], responses=PROBLEM_RESPONSES)
CustomerId = Annotated[
    str,
    Path(min_length=1, max_length=200, description="Any source record id of the customer."),
]
Language = Annotated[
    Literal["fr", "en"], Query(alias="lang", description="Language of the reasons.")
]


class ActionsRunRequest(BaseModel):
    """The moment the batch decides at (default: the latest moment in the data)."""

    as_of: date | None = Field(default=None, examples=["2026-06-30"])


class ActionCount(BaseModel):
    """Customers for whom an action was chosen (``no action`` when none)."""

    action: str
    customers: int
    overridden: int


class GuardrailCount(BaseModel):
    """For one action and one guardrail: customers eligible and customers blocked."""

    action_id: str
    guardrail: str
    eligible_customers: int
    blocked_customers: int


class ActionsSummary(BaseModel):
    """What one batch run decided."""

    run_id: str
    as_of: str | None
    customers: int
    actions: list[ActionCount]
    guardrails: list[GuardrailCount]


class CustomerDecision(BaseModel):
    """The decision for one customer with its reasons (no personal value is in it)."""

    customer_id: str
    as_of: str
    action_id: str | None
    action: str | None
    why: str
    why_not: list[str]
    blocked: dict[str, list[str]]
    override: str | None
    features: dict[str, Any]
    warnings: list[str]


class OverrideRequest(BaseModel):
    """A person's decision in place of the engine's; ``none`` means do nothing."""

    action_id: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=500)


@router.get("/runs", summary="Actions runs", response_model=list[RunInfo])
def actions_runs(caller: ViewerCaller) -> list[RunInfo]:
    """Stored batch decisions, newest first."""
    return run_list(caller.workspace(), ANALYSIS)


@router.post(
    "/runs",
    summary="Decide for every customer",
    status_code=202,
    response_model=JobOut,
    responses=problem_doc(400, 409),
)
def start_actions_run(
    caller: AdminCaller, request: Request, response: Response, settings: ActionsRunRequest
) -> JobOut:
    """Decide for every customer in the engine, in the background, and store the run."""
    from emptychair.actions.service import run_actions

    def work(workspace: Workspace, report: Report) -> dict[str, Any]:
        run = run_actions(workspace, as_of=settings.as_of, on_step=lambda s: report(s, None))
        return {"run_id": run.run_id, "customers": run.customers}

    return start_job(caller, request, response, ANALYSIS, work)


@router.get(
    "/summary",
    summary="What a run decided",
    response_model=ActionsSummary,
    responses=problem_doc(404),
)
def actions_run_summary(caller: ViewerCaller, run_id: RunQuery = None) -> ActionsSummary:
    """Customers per chosen action and, per action and guardrail, how many were blocked."""
    from emptychair.actions.service import actions_summary

    summary = actions_summary(caller.workspace(), run_id)
    return ActionsSummary(
        run_id=summary.run_id,
        as_of=plain(summary.as_of),
        customers=summary.customers,
        actions=[ActionCount.model_validate(row) for row in records(summary.actions)],
        guardrails=[GuardrailCount.model_validate(row) for row in records(summary.guardrails)],
    )


@router.get(
    "/customers/{customer_id}",
    summary="Decide for one customer",
    response_model=CustomerDecision,
    responses=problem_doc(404),
)
def customer_decision(
    caller: AnalystCaller, customer_id: CustomerId, language: Language = "en"
) -> CustomerDecision:
    """The action chosen now for this customer, why, why not the others, and any override."""
    from emptychair.actions import decide

    decision = decide(caller.workspace(), customer_id)
    return CustomerDecision(
        customer_id=decision.customer_id,
        as_of=decision.as_of.isoformat(),
        action_id=decision.action_id,
        action=decision.action.name(language) if decision.action else None,
        why=decision.why(language),
        why_not=decision.why_not(language),
        blocked=decision.blocked_actions,
        override=decision.override_text(language),
        features={k: plain(v) for k, v in decision.features.items()},
        warnings=decision.warnings,
    )


@router.post(
    "/customers/{customer_id}/override",
    summary="Override the decision for one customer",
    status_code=201,
    response_model=CustomerDecision,
    responses=problem_doc(400, 404),
)
def override_decision(
    caller: AnalystCaller,
    request: Request,
    customer_id: CustomerId,
    body: OverrideRequest,
    language: Language = "en",
) -> CustomerDecision:
    """Record a person's choice (an action id, or ``none``) with the reason; it is applied
    to this customer's decisions from now on, and shown with them."""
    from emptychair.actions.arbitration import workspace_catalogue
    from emptychair.actions.overrides import record_override

    workspace = caller.workspace()
    record_override(
        workspace,
        customer_id,
        body.action_id,
        reason=body.reason,
        decided_by=caller.account.name,
        catalogue=workspace_catalogue(workspace),
    )
    audit_detail(request, f"override: {body.action_id}")
    return customer_decision(caller, customer_id, language)


@router.get(
    "/practices",
    summary="Practices that pay now and hurt later",
    response_model=list[dict[str, Any]],
    responses=problem_doc(404),
)
def practices(caller: ViewerCaller, run_id: RunQuery = None) -> list[dict[str, Any]]:
    """Each past campaign's short-term gain against its later harm, with intervals, and
    whether it is flagged."""
    workspace = caller.workspace()
    _, table = run_table(workspace, "practices", "actions_practices", run_id, caller.state.runs)
    if table is None:
        return []
    return records(workspace.to_pandas(table))
