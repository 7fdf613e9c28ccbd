"""``/journeys``: stored journeys runs: variants, the directly-follows graph, frictions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import ibis
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from emptychair.api.auth import AdminCaller, ViewerCaller
from emptychair.api.frames import page_of, records
from emptychair.api.jobs import Report
from emptychair.api.pagination import Page, PageDep, make_page
from emptychair.api.problems import PROBLEM_RESPONSES, problem_doc
from emptychair.api.routers.jobs import JobOut, start_job
from emptychair.api.routers.runs import RunInfo, RunQuery, run_list
from emptychair.workspace import Workspace
from emptychair.workspace.results import stored_result

ANALYSIS = "journeys"
router = APIRouter(prefix="/journeys", tags=["journeys"], responses=PROBLEM_RESPONSES)


class VariantRow(BaseModel):
    """A sequence of steps many journeys follow."""

    variant: str
    steps: int
    journeys: int
    share: float
    median_duration_s: float | None
    purchase_share: float | None
    complaint_share: float | None
    detractor_share: float | None


class EdgeRow(BaseModel):
    """A transition of the directly-follows graph."""

    source: str
    target: str
    transitions: int
    share: float | None
    median_s: float | None
    p90_s: float | None


class FrictionRow(BaseModel):
    """A friction indicator for one group: journeys flagged and their share."""

    dimension: str
    group_value: str | None
    indicator: str
    journeys: int
    flagged: int
    share: float | None


class JourneysRunRequest(BaseModel):
    """What a new journeys run should do."""

    gap_hours: float = Field(default=48.0, gt=0, le=24 * 365)
    top_variants: int = Field(default=200, ge=1, le=10_000)
    min_edge_count: int = Field(default=5, ge=1, le=1_000_000)


@router.get("/runs", summary="Journeys runs", response_model=list[RunInfo])
def journeys_runs(caller: ViewerCaller) -> list[RunInfo]:
    """Stored journeys runs, newest first."""
    return run_list(caller.workspace(), ANALYSIS)


@router.post(
    "/runs",
    summary="Start a journeys run",
    status_code=202,
    response_model=JobOut,
    responses=problem_doc(400, 409),
)
def start_journeys_run(
    caller: AdminCaller, request: Request, response: Response, settings: JourneysRunRequest
) -> JobOut:
    """Map the journeys in the background; follow the job at its ``url``."""
    from emptychair.journeys.service import JourneySettings, run_journeys

    chosen = JourneySettings(**settings.model_dump())

    def work(workspace: Workspace, report: Report) -> dict[str, Any]:
        run = run_journeys(workspace, chosen, on_step=lambda step: report(step, None))
        return {"run_id": run.run_id, "events": run.events}

    return start_job(caller, request, response, "journeys", work)


@router.get("/variants", summary="Journey variants", response_model=Page[VariantRow])
def journey_variants(
    caller: ViewerCaller, request: Request, page: PageDep, run_id: RunQuery = None
) -> Page[VariantRow]:
    """The most frequent step sequences, most frequent first."""
    workspace = caller.workspace()
    chosen = caller.state.runs.run_id(workspace, ANALYSIS, run_id)

    def compute() -> tuple[list[dict[str, Any]], int]:
        table = stored_result(workspace, "journeys_variants", chosen)
        if table is None:
            return [], 0
        order = [ibis.desc("journeys"), "variant"]
        return page_of(workspace, table, order, page.limit, page.offset)

    key = ("journeys/variants", chosen, page.limit, page.offset)
    rows, total = caller.state.runs.answer(key, compute)
    return make_page(request, page, [VariantRow.model_validate(r) for r in rows], total)


@router.get("/graph", summary="Directly-follows graph", response_model=list[EdgeRow])
def journey_graph(
    caller: ViewerCaller,
    run_id: RunQuery = None,
    min_transitions: Annotated[
        int, Query(ge=0, le=10**12, description="Hide rarer transitions.")
    ] = 0,
) -> list[EdgeRow]:
    """Which step follows which, how often and how long it takes."""
    workspace = caller.workspace()
    chosen = caller.state.runs.run_id(workspace, ANALYSIS, run_id)

    def compute() -> list[dict[str, Any]]:
        table = stored_result(workspace, "journeys_graph", chosen)
        if table is None:
            return []
        kept = table.filter(table["transitions"] >= min_transitions)
        return records(workspace.to_pandas(kept.order_by([ibis.desc("transitions"), "source"])))

    rows = caller.state.runs.answer(("journeys/graph", chosen, min_transitions), compute)
    return [EdgeRow.model_validate(r) for r in rows]


@router.get(
    "/friction",
    summary="Friction indicators",
    response_model=list[FrictionRow],
    responses=problem_doc(404),
)
def journey_friction(
    caller: ViewerCaller,
    run_id: RunQuery = None,
    dimension: Literal["all", "channel", "team"] | None = None,
) -> list[FrictionRow]:
    """Repeat contacts, channel hops, long waits and dead ends, overall and per group."""
    workspace = caller.workspace()
    chosen = caller.state.runs.run_id(workspace, ANALYSIS, run_id)

    def compute() -> list[dict[str, Any]]:
        table = stored_result(workspace, "journeys_friction", chosen)
        if table is None:
            return []
        if dimension is not None:
            table = table.filter(table["dimension"] == dimension)
        return records(
            workspace.to_pandas(table.order_by(["dimension", "group_value", "indicator"]))
        )

    rows = caller.state.runs.answer(("journeys/friction", chosen, dimension), compute)
    return [FrictionRow.model_validate(r) for r in rows]
