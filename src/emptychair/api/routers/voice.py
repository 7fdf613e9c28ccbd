"""``/voice``: stored voice runs: scores with intervals, themes, irritants, drivers, verbatims."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import ibis
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from emptychair.api.auth import AdminCaller, AnalystCaller, Caller, ViewerCaller
from emptychair.api.frames import page_of, records, run_table
from emptychair.api.jobs import Report
from emptychair.api.pagination import Page, PageDep, make_page
from emptychair.api.problems import PROBLEM_RESPONSES, problem_doc
from emptychair.api.routers.jobs import JobOut, start_job
from emptychair.api.routers.runs import RunInfo, RunQuery, run_list
from emptychair.workspace import Workspace
from emptychair.workspace.results import stored_result

ANALYSIS = "voice"
router = APIRouter(prefix="/voice", tags=["voice"], responses=PROBLEM_RESPONSES)
Kind = Literal["nps", "csat", "ces"]
Dimension = Literal["all", "month", "channel", "touchpoint", "team", "segment"]


class ScoreRow(BaseModel):
    """A score of one group, with its interval (CSAT and the shares on 0-1)."""

    kind: str
    dimension: str
    group_value: str | None
    period_start: str | None
    responses: int
    score: float | None
    low: float | None
    high: float | None
    small_group: bool | None = Field(description="Too few answers to rank.")


class ThemeRow(BaseModel):
    """A theme of the verbatims and its sentiment."""

    theme: str
    label_en: str | None
    label_fr: str | None
    mentions: int
    share: float
    sentiment: float | None
    negative: int
    positive: int
    negative_share: float | None


class IrritantRow(BaseModel):
    """A theme customers complain about, ranked by impact and value at risk."""

    theme: str
    negative_mentions: int
    frequency: float
    customers: int | None
    impact: float | None
    impact_low: float | None
    impact_high: float | None
    value_at_risk: float | None
    customers_valued: int | None
    priority: float | None
    small: bool | None
    rank: float | None


class DriverRow(BaseModel):
    """A key driver of a score: its relative weight with an interval, and its effect."""

    kind: str
    driver: str
    weight: float | None
    share: float | None
    low: float | None
    high: float | None
    effect: float | None
    mentions: int | None
    performance: float | None
    quadrant: str | None
    small: bool | None
    rank: float | None
    r_squared: float | None
    responses: int | None


class Verbatim(BaseModel):
    """An answer's text, redacted (no names, e-mails, phones, numbers), with what it says."""

    feedback_id: str
    customer_id: str | None
    received_at: str | None
    channel: str | None
    touchpoint: str | None
    kind: str | None
    score: float | None
    language: str | None
    sentiment: float | None
    label: str | None
    themes: list[str]
    negative_themes: list[str]
    text_redacted: str | None


class VoiceRunRequest(BaseModel):
    """What a new voice run should do (every field has the CLI's default)."""

    min_responses: int = Field(default=30, ge=1, le=10_000)
    lapsing_threshold: float = Field(default=0.5, ge=0, le=1)
    learn_from_scores: bool = True


def _rows(caller: Caller, table: str, run_id: str | None, **filters: Any) -> list[dict]:
    """The rows of a stored result table, filtered on equal values (kept per run)."""
    workspace = caller.workspace()
    chosen = caller.state.runs.run_id(workspace, ANALYSIS, run_id)

    def compute() -> list[dict]:
        stored = stored_result(workspace, table, chosen)
        if stored is None:
            return []
        selected = stored
        for column, value in filters.items():
            if value is not None:
                selected = selected.filter(selected[column] == value)
        return records(workspace.to_pandas(selected))

    key = (table, chosen, tuple(sorted(filters.items())))
    return [dict(row) for row in caller.state.runs.answer(key, compute)]


@router.get("/runs", summary="Voice runs", response_model=list[RunInfo])
def voice_runs(caller: ViewerCaller) -> list[RunInfo]:
    """Stored voice runs, newest first."""
    return run_list(caller.workspace(), ANALYSIS)


@router.post(
    "/runs",
    summary="Start a voice run",
    status_code=202,
    response_model=JobOut,
    responses=problem_doc(400, 409),
)
def start_voice_run(
    caller: AdminCaller, request: Request, response: Response, settings: VoiceRunRequest
) -> JobOut:
    """Read every answer and verbatim in the background; follow the job at its ``url``."""
    from emptychair.voice.service import VoiceSettings, run_voice

    chosen = VoiceSettings(**settings.model_dump())

    def work(workspace: Workspace, report: Report) -> dict[str, Any]:
        run = run_voice(workspace, chosen, on_step=lambda step: report(step, None))
        return {"run_id": run.run_id, "answers": run.answers, "verbatims": run.verbatims}

    return start_job(caller, request, response, "voice", work)


@router.get("/scores", summary="Scores with intervals", response_model=list[ScoreRow])
def voice_scores(
    caller: ViewerCaller,
    run_id: RunQuery = None,
    kind: Kind | None = None,
    dimension: Annotated[
        Dimension | None, Query(description="Overall, by month, channel, touchpoint, team...")
    ] = None,
) -> list[ScoreRow]:
    """NPS, CSAT and CES overall and per group, each with its confidence interval."""
    rows = _rows(caller, "voice_scores", run_id, kind=kind, dimension=dimension)
    return [ScoreRow.model_validate(row) for row in rows]


@router.get("/themes", summary="Themes", response_model=list[ThemeRow])
def voice_themes(caller: ViewerCaller, run_id: RunQuery = None) -> list[ThemeRow]:
    """The themes of the verbatims, most mentioned first, with their sentiment."""
    rows = _rows(caller, "voice_themes", run_id)
    rows.sort(key=lambda r: -(r["mentions"] or 0))
    return [ThemeRow.model_validate(row) for row in rows]


@router.get("/irritants", summary="Irritants", response_model=list[IrritantRow])
def voice_irritants(caller: ViewerCaller, run_id: RunQuery = None) -> list[IrritantRow]:
    """Negative themes ranked by frequency × score drop, with the value at risk."""
    rows = _rows(caller, "voice_irritants", run_id)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0))
    return [IrritantRow.model_validate(row) for row in rows]


@router.get("/drivers", summary="Key drivers", response_model=list[DriverRow])
def voice_drivers(
    caller: ViewerCaller, run_id: RunQuery = None, kind: Kind | None = None
) -> list[DriverRow]:
    """What moves each score: relative weights with intervals, effects and quadrants."""
    rows = _rows(caller, "voice_drivers", run_id, kind=kind)
    rows.sort(key=lambda r: (r["kind"], r["rank"] is None, r["rank"] or 0))
    return [DriverRow.model_validate(row) for row in rows]


@router.get(
    "/verbatims",
    summary="Verbatims (redacted)",
    response_model=Page[Verbatim],
    responses=problem_doc(404),
)
def voice_verbatims(
    caller: AnalystCaller,
    request: Request,
    page: PageDep,
    run_id: RunQuery = None,
    theme: Annotated[str | None, Query(max_length=64, description="A theme id.")] = None,
    sentiment: Literal["negative", "neutral", "positive"] | None = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    kind: Kind | None = None,
) -> Page[Verbatim]:
    """Redacted answer texts, newest first, filtered by theme, sentiment, channel or kind."""
    workspace = caller.workspace()
    _, stored = run_table(workspace, ANALYSIS, "voice_verbatims", run_id, caller.state.runs)
    if stored is None:
        return make_page(request, page, [], 0)
    if theme is not None:
        listed = ibis.literal(";") + stored["themes"].fill_null("") + ibis.literal(";")
        stored = stored.filter(listed.contains(f";{theme};"))
    for column, value in (("label", sentiment), ("channel", channel), ("kind", kind)):
        if value is not None:
            stored = stored.filter(stored[column] == value)
    rows, total = page_of(
        workspace, stored, [ibis.desc("received_at"), "feedback_id"], page.limit, page.offset
    )
    for row in rows:
        for column in ("themes", "negative_themes"):
            row[column] = [t for t in (row[column] or "").split(";") if t]
    return make_page(request, page, [Verbatim.model_validate(r) for r in rows], total)
