"""``/scorecard``: outcome KPIs beside productivity per team and channel, and the warnings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from emptychair.api.auth import AdminCaller, ViewerCaller
from emptychair.api.frames import records, run_table
from emptychair.api.jobs import Report
from emptychair.api.problems import PROBLEM_RESPONSES, problem_doc
from emptychair.api.routers.jobs import JobOut, start_job
from emptychair.api.routers.runs import RunInfo, RunQuery, run_list
from emptychair.workspace import Workspace

ANALYSIS = "scorecard"
router = APIRouter(prefix="/scorecard", tags=["scorecard"], responses=PROBLEM_RESPONSES)


class KpiRow(BaseModel):
    """The KPIs of one team or channel over the whole period."""

    grouping: str
    group: str
    handled: int
    aht_s: float | None
    contacts_per_agent: float | None
    fcr: float | None
    csat: float | None
    easy: float | None
    complaints_per_1000: float | None
    resolution_days: float | None
    retention: float | None


class WarningRow(BaseModel):
    """A group whose productivity looks better while an outcome is worse."""

    grouping: str
    group: str
    comparison: str
    kpi: str
    value: float
    reference: float
    aht_s: float | None
    reference_aht_s: float | None
    q_value: float
    message_en: str
    message_fr: str


class ScorecardRunRequest(BaseModel):
    """What a new scorecard run should compare over time."""

    period: Literal["half", "quarter", "month"] | None = "half"


@router.get("/runs", summary="Scorecard runs", response_model=list[RunInfo])
def scorecard_runs(caller: ViewerCaller) -> list[RunInfo]:
    """Stored scorecard runs, newest first."""
    return run_list(caller.workspace(), ANALYSIS)


@router.post(
    "/runs",
    summary="Start a scorecard run",
    status_code=202,
    response_model=JobOut,
    responses=problem_doc(400, 409),
)
def start_scorecard_run(
    caller: AdminCaller, request: Request, response: Response, settings: ScorecardRunRequest
) -> JobOut:
    """Compute the scorecard by team and channel in the background."""
    from emptychair.scorecard import run_scorecard

    def work(workspace: Workspace, report: Report) -> dict[str, Any]:
        report("scorecard", None)
        run_id, cards = run_scorecard(workspace, period=settings.period)
        return {"run_id": run_id, "warnings": sum(len(c.warnings) for c in cards.values())}

    return start_job(caller, request, response, ANALYSIS, work)


@router.get(
    "/kpis",
    summary="KPIs per team or channel",
    response_model=list[KpiRow],
    responses=problem_doc(404),
)
def scorecard_kpis(
    caller: ViewerCaller,
    run_id: RunQuery = None,
    grouping: Annotated[
        Literal["team", "channel"] | None, Query(description="Only one grouping.")
    ] = None,
) -> list[KpiRow]:
    """Outcome and productivity KPIs of the chosen run (default: the latest)."""
    workspace = caller.workspace()
    _, table = run_table(workspace, ANALYSIS, "scorecard_kpis", run_id, caller.state.runs)
    if table is None:
        return []
    if grouping is not None:
        table = table.filter(table["grouping"] == grouping)
    rows = records(workspace.to_pandas(table.order_by(["grouping", "group"])))
    return [KpiRow.model_validate(row) for row in rows]


@router.get(
    "/warnings",
    summary="Scorecard warnings",
    response_model=list[WarningRow],
    responses=problem_doc(404),
)
def scorecard_warnings(caller: ViewerCaller, run_id: RunQuery = None) -> list[WarningRow]:
    """Where productivity rises while what the customer gets falls, most certain first."""
    workspace = caller.workspace()
    _, table = run_table(workspace, ANALYSIS, "scorecard_warnings", run_id, caller.state.runs)
    if table is None:
        return []
    rows = records(workspace.to_pandas(table.order_by(["q_value", "group"])))
    return [WarningRow.model_validate(row) for row in rows]
