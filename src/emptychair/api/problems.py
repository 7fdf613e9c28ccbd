"""Every error as ``application/problem+json`` (RFC 9457), mapped in one place.

Library errors (:class:`~emptychair.errors.EmptyChairError` subclasses) carry messages
that name the parameter, file or row and never hold personal data, so their text is the
problem's ``detail``. Unexpected errors become a 500 whose detail says nothing about the
data.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from emptychair.accounts.users import AccountExistsError
from emptychair.errors import (
    EmptyChairError,
    IdentityError,
    ImportFileError,
    InvalidParameterError,
    ModelError,
    NotFoundError,
    UnknownTableError,
    WorkspaceLockedError,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://emptychair.dev/problems/"
logger = logging.getLogger("emptychair.api")

#: HTTP status of each library error, most specific first.
ERROR_STATUS: tuple[tuple[type[EmptyChairError], int], ...] = (
    (NotFoundError, 404),
    (AccountExistsError, 409),
    (WorkspaceLockedError, 409),
    (ImportFileError, 422),
    (UnknownTableError, 404),
    (InvalidParameterError, 400),
    (IdentityError, 409),
    (ModelError, 409),
)


class Problem(BaseModel):
    """An error, as RFC 9457 describes it."""

    type: str = Field(description="A URI naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong this time, and what to do.")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="For invalid requests: each parameter and what is wrong."
    )


class ProblemError(Exception):
    """Raised by routes to answer with a problem."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers


def problem_response(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A ``problem+json`` response for ``status``."""
    phrase = HTTPStatus(status).phrase
    body = Problem(
        type=PROBLEM_BASE + phrase.lower().replace(" ", "-").replace("'", ""),
        title=phrase,
        status=status,
        detail=detail,
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def status_of(error: EmptyChairError) -> int:
    """The HTTP status of a library error (500 for those a client cannot fix)."""
    for kind, status in ERROR_STATUS:
        if isinstance(error, kind):
            return status
    return 500


def _validation_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    # Only where and why: the rejected input itself may be personal data.
    return [
        {"location": ".".join(str(p) for p in item.get("loc", ())), "message": item.get("msg")}
        for item in error.errors()
    ]


def install_problem_handlers(app: FastAPI, hide: str | None = None) -> None:
    """Map every error raised while answering a request to a problem response.

    ``hide``: a server folder (the workspace's) to leave out of error details.
    """

    def clean(text: str) -> str:
        return text.replace(hide + "/", "").replace(hide, "the workspace") if hide else text

    @app.exception_handler(ProblemError)
    async def _api_problem(request: Request, error: ProblemError) -> JSONResponse:
        return problem_response(error.status, error.detail, headers=error.headers)

    @app.exception_handler(EmptyChairError)
    async def _library_error(request: Request, error: EmptyChairError) -> JSONResponse:
        status = status_of(error)
        if status == 500:
            logger.error("%s on %s: %s", type(error).__name__, request.url.path, error)
        return problem_response(status, clean(str(error)))

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        return problem_response(
            422, "the request does not match the API", errors=_validation_errors(error)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = (
            error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
        )
        headers = dict(error.headers) if error.headers else None
        return problem_response(error.status_code, detail, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(500, "an unexpected error occurred; it has been logged")


#: For routes' ``responses=``: the problems any protected route may answer.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": text}
    for status, text in (
        (401, "No token, or a token that is unknown, revoked or of a disabled account."),
        (403, "The account's role does not allow this."),
        (422, "A parameter does not match the API."),
        (429, "Too many failed authentications from this client; retry later."),
    )
}


def problem_doc(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for further problems a route may answer (400, 404, 409...)."""
    return {
        status: {
            "model": Problem,
            "content": {PROBLEM_MEDIA_TYPE: {}},
            "description": HTTPStatus(status).phrase,
        }
        for status in statuses
    }
