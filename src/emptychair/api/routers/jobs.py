"""``/jobs``: the status and progress of background imports and analyses (admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from emptychair.api.auditing import audit_detail
from emptychair.api.auth import AdminCaller, Caller
from emptychair.api.jobs import Job, Work
from emptychair.api.problems import PROBLEM_RESPONSES, problem_doc

router = APIRouter(prefix="/jobs", tags=["jobs"], responses=PROBLEM_RESPONSES)


class JobOut(BaseModel):
    """A background job: queued, running, succeeded or failed."""

    id: str
    kind: str = Field(description="import, value, voice or journeys.")
    account: str = Field(description="Who started it.")
    status: str = Field(description="queued, running, succeeded or failed.")
    step: str = Field(description="What it is doing now.")
    progress: float = Field(ge=0, le=1, description="How far it is, 0 to 1.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any] | None = Field(description="What it produced, once succeeded.")
    error: dict[str, Any] | None = Field(description="status and detail, once failed.")
    url: str = Field(description="Where to follow it.")


def job_out(request: Request, job: Job) -> JobOut:
    """The public view of a job."""
    return JobOut(
        id=job.id,
        kind=job.kind,
        account=job.account,
        status=job.status,
        step=job.step,
        progress=round(job.progress, 4),
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        result=job.result,
        error=job.error,
        url=str(request.url_for("get_job", job_id=job.id)),
    )


def start_job(
    caller: Caller, request: Request, response: Response, kind: str, work: Work
) -> JobOut:
    """Queue ``work`` as a job of ``caller``; answers 202 with where to follow it."""
    job = caller.state.jobs.submit(kind, caller.account.name, work)
    audit_detail(request, f"job {job.id}")
    out = job_out(request, job)
    response.status_code = 202
    response.headers["Location"] = out.url
    return out


@router.get("", summary="Recent jobs", response_model=list[JobOut])
def list_jobs(caller: AdminCaller, request: Request) -> list[JobOut]:
    """Jobs since the server started, newest first."""
    return [job_out(request, job) for job in caller.state.jobs.list()]


@router.get("/{job_id}", summary="One job", response_model=JobOut, responses=problem_doc(404))
def get_job(
    caller: AdminCaller,
    request: Request,
    job_id: Annotated[str, Path(max_length=64, description="The id a job route answered.")],
) -> JobOut:
    """Status, current step and progress of a job; its result or error once finished."""
    return job_out(request, caller.state.jobs.get(job_id))
