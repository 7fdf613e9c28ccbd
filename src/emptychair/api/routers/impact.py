"""``/impact``: the driver tree, what-if scenarios, and initiatives measured after the fact."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from emptychair.api.auditing import audit_detail
from emptychair.api.auth import AnalystCaller, ViewerCaller
from emptychair.api.frames import plain
from emptychair.api.problems import PROBLEM_RESPONSES, problem_doc
from emptychair.api.routers.runs import RunInfo, run_list

router = APIRouter(prefix="/impact", tags=["impact"], responses=PROBLEM_RESPONSES)
InitiativeId = Annotated[str, Path(min_length=1, max_length=100, description="An initiative id.")]
Language = Annotated[
    Literal["fr", "en"], Query(alias="lang", description="Language of the verdict.")
]
Months = Annotated[int, Query(ge=1, le=60, description="Months measured, up to the latest order.")]


class SimulationRequest(BaseModel):
    """Scenarios written ``LEVER CHANGE [@SHARE] [in SEGMENT]`` (see the impact guide)."""

    scenarios: list[str] = Field(
        min_length=1, max_length=20, examples=[["items+1@5% in visitors", "retention +2pt"]]
    )
    months: int = Field(default=12, ge=1, le=60)
    resamples: int = Field(default=200, ge=0, le=2000)
    level: float = Field(default=0.9, gt=0, lt=1)


class InitiativeRequest(BaseModel):
    """An initiative to record: when it started, whom it targets, the KPI it should move."""

    name: str = Field(max_length=200)
    start: date
    target: str = Field(max_length=500, examples=["team=CC Lille"])
    kpi: str = Field(max_length=40, examples=["repeat_contact"])
    comparison: str | None = Field(default=None, max_length=500)
    end: date | None = None
    direction: Literal["up", "down"] | None = None
    description: str = Field(default="", max_length=2000)


@router.get("/tree", summary="The driver tree", responses=problem_doc(400, 404))
def tree(
    caller: ViewerCaller,
    segment: Annotated[
        str | None, Query(max_length=100, description="A value segment, tier:NAME or visitors.")
    ] = None,
    months: Months = 12,
) -> dict[str, Any]:
    """Revenue and customer value broken down into the behaviours that make them."""
    from emptychair.impact.service import driver_tree

    found = driver_tree(caller.workspace(), segment=segment, months=months)
    return plain(found.to_dict())


@router.post("/simulate", summary="Simulate scenarios", responses=problem_doc(400, 404))
def simulate_scenarios(caller: ViewerCaller, body: SimulationRequest) -> dict[str, Any]:
    """Each scenario on its own: revenue, returning value and CLV before and after, and
    the change with its bootstrap interval. Nothing is stored."""
    from emptychair.impact.service import simulate

    result = simulate(
        caller.workspace(),
        body.scenarios,
        months=body.months,
        resamples=body.resamples,
        level=body.level,
    )
    return plain(result.to_dict())


@router.get("/runs", summary="Stored simulations", response_model=list[RunInfo])
def impact_runs(caller: ViewerCaller) -> list[RunInfo]:
    """Simulations stored with ``emptychair impact simulate --store``, newest first."""
    return run_list(caller.workspace(), "impact")


@router.get("/initiatives", summary="Recorded initiatives")
def initiatives(caller: ViewerCaller) -> list[dict[str, Any]]:
    """Every recorded initiative, oldest first."""
    from emptychair.impact.initiatives import list_initiatives

    return [item.to_dict() for item in list_initiatives(caller.workspace())]


@router.post(
    "/initiatives",
    summary="Record an initiative",
    status_code=201,
    responses=problem_doc(400),
)
def record(caller: AnalystCaller, request: Request, body: InitiativeRequest) -> dict[str, Any]:
    """Record an initiative under the caller's name, to measure it once data has come in."""
    from emptychair.impact.initiatives import record_initiative

    found = record_initiative(
        caller.workspace(),
        body.name,
        start=body.start,
        target=body.target,
        kpi=body.kpi,
        recorded_by=caller.account.name,
        comparison=body.comparison,
        end=body.end,
        direction=body.direction,
        description=body.description,
    )
    audit_detail(request, f"initiative {found.initiative_id}")
    return found.to_dict()


@router.get(
    "/initiatives/{initiative_id}/measurement",
    summary="Measure an initiative",
    responses=problem_doc(400, 404),
)
def measurement(
    caller: ViewerCaller,
    initiative_id: InitiativeId,
    language: Language = "en",
    period_days: Annotated[int, Query(ge=1, le=92, description="Days in one period.")] = 7,
) -> dict[str, Any]:
    """Difference-in-differences against the comparison group, with its interval, the
    pre-trend check, the effect in money where the KPI is money, and a verdict."""
    from emptychair.impact.initiatives import measure_initiative

    found = measure_initiative(caller.workspace(), initiative_id, period_days=period_days)
    return plain(found.to_dict(language))
