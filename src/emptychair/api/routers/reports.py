"""``/reports``: the board brief, as a self-contained HTML page or a PDF."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from emptychair.api.auth import ViewerCaller
from emptychair.api.problems import PROBLEM_RESPONSES, ProblemError, problem_doc
from emptychair.errors import WorkspaceError
from emptychair.workspace import Workspace

router = APIRouter(prefix="/reports", tags=["reports"], responses=PROBLEM_RESPONSES)


@router.get(
    "/brief",
    summary="The board brief",
    response_class=Response,
    responses={
        200: {
            "content": {"text/html": {}, "application/pdf": {}},
            "description": "The brief, in the asked language and format.",
        },
        **problem_doc(503),
    },
)
def brief(
    caller: ViewerCaller,
    lang: Annotated[Literal["fr", "en"], Query(description="Language of the brief.")] = "en",
    fmt: Annotated[
        Literal["html", "pdf"], Query(alias="format", description="html, or pdf (Chromium).")
    ] = "html",
) -> Response:
    """Findings of the latest runs with their sources, and charts (aggregates only)."""
    return brief_response(caller.workspace(), lang, fmt)


def brief_response(workspace: Workspace, lang: str, fmt: str) -> Response:
    """The brief as an HTML page or a PDF; a 503 problem when no Chromium can print it."""
    from emptychair.report import build_brief
    from emptychair.report.brief import html_to_pdf

    html = build_brief(workspace, lang).html()
    if fmt == "html":
        return HTMLResponse(html)
    with tempfile.TemporaryDirectory(prefix="emptychair-brief-") as folder:
        try:
            path = html_to_pdf(html, Path(folder) / "brief.pdf")
        except WorkspaceError as error:  # no Chromium on the server, or it failed
            raise ProblemError(503, str(error)) from None
        content = path.read_bytes()
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="brief-{lang}.pdf"'},
    )
