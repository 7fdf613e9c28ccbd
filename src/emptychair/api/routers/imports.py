"""``/imports``: send a file to import in the background, and the history of writes (admin)."""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from emptychair.api.auth import AdminCaller
from emptychair.api.frames import records
from emptychair.api.jobs import Report
from emptychair.api.pagination import Page, PageDep, make_page
from emptychair.api.problems import PROBLEM_RESPONSES, ProblemError, problem_doc
from emptychair.api.routers.jobs import JobOut, start_job
from emptychair.ingest.service import import_file
from emptychair.schema import TABLES
from emptychair.workspace import Workspace

router = APIRouter(prefix="/imports", tags=["imports"], responses=PROBLEM_RESPONSES)
UPLOAD_FOLDER = "uploads"
MAX_UPLOAD_BYTES = 2 * 1024**3
FILE_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"


class BatchRow(BaseModel):
    """One write to the workspace: an import, a retry or an analysis run."""

    batch_id: str
    kind: str
    table_name: str | None
    source_file: str | None = Field(description="The file's name (no folder).")
    started_at: datetime | None
    finished_at: datetime | None
    rows_read: int | None
    rows_loaded: int | None
    rows_updated: int | None
    rows_unchanged: int | None
    rows_quarantined: int | None
    status: str | None


def remove_stale_uploads(workspace: FilePath) -> int:
    """Delete files left in the upload folder by imports that died with the server.

    Called when the server starts, before any import can be sent: the server holds the
    workspace alone, so no job of another process can still be reading them.
    """
    removed = 0
    for leftover in sorted((workspace / UPLOAD_FOLDER).glob("*")):
        if leftover.is_file():
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed


async def _save_body(request: Request, target: FilePath) -> int:
    """Stream the request body into ``target``; refuse bodies over the size limit."""
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                out.close()
                target.unlink(missing_ok=True)
                raise ProblemError(413, f"the file is larger than {MAX_UPLOAD_BYTES:,} bytes")
            await run_in_threadpool(out.write, chunk)
    return size


@router.post(
    "/{table}",
    summary="Import a file",
    status_code=202,
    response_model=JobOut,
    responses=problem_doc(400, 404, 413),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def start_import(
    caller: AdminCaller,
    request: Request,
    response: Response,
    table: Annotated[str, Path(max_length=32, description="customers, orders, feedback...")],
    filename: Annotated[
        str,
        Query(pattern=FILE_NAME, description="The file's name; its extension gives the format."),
    ],
    strict: Annotated[bool, Query(description="Refuse the file if any row is bad.")] = False,
    create_missing_customers: Annotated[
        bool | None, Query(description="Create bare customers for unknown customer ids.")
    ] = None,
    file_format: Annotated[Literal["csv", "parquet", "jsonl"] | None, Query(alias="format")] = None,
) -> JobOut:
    """Send the file as the request body (``curl --data-binary @orders.csv``); it is
    validated and loaded in the background, and deleted from the server afterwards."""
    if table not in TABLES:
        raise ProblemError(404, f"unknown table {table!r}: use one of {', '.join(TABLES)}")
    folder = caller.state.connections.path / UPLOAD_FOLDER
    upload = folder / f"{secrets.token_hex(6)}-{filename}"
    size = await _save_body(request, upload)
    if size == 0:
        upload.unlink(missing_ok=True)
        raise ProblemError(400, "the request body is empty: send the file's content")

    def work(workspace: Workspace, report: Report) -> dict[str, Any]:
        try:
            result = import_file(
                workspace,
                table,
                upload,
                strict=strict,
                create_missing_customers=create_missing_customers,
                file_format=file_format,
                progress=report,
            )
        finally:
            upload.unlink(missing_ok=True)
        summary = result.to_dict(error_limit=20)
        summary["file"] = filename
        return summary

    return await run_in_threadpool(start_job, caller, request, response, "import", work)


@router.get("", summary="Write history", response_model=Page[BatchRow])
def import_history(caller: AdminCaller, request: Request, page: PageDep) -> Page[BatchRow]:
    """Every import, retry and analysis run, newest first."""
    batches = caller.workspace().batches()
    rows = records(batches.iloc[page.offset : page.offset + page.limit])
    for row in rows:
        if row.get("source_file"):
            row["source_file"] = FilePath(row["source_file"]).name
    return make_page(request, page, [BatchRow.model_validate(r) for r in rows], len(batches))
