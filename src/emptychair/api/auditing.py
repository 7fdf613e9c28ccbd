"""Write an audit row for every customer-level read, every change and every refusal.

Routes that viewers may use return aggregates only and are not logged when allowed;
everything else that passed through a :class:`~emptychair.api.auth.RoleGate` is: who,
when, the route (its template, never the query string), the customer id in the path,
and the outcome. A route may add a non-personal ``detail`` (a job id, a run id) with
:func:`audit_detail`.
"""

from __future__ import annotations

import logging

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from emptychair.accounts import AuditEvent, Role, outcome_of, record
from emptychair.api.auth import AUDIT_SCOPE_KEY, AuditMark
from emptychair.api.problems import problem_response
from emptychair.api.state import server_state

logger = logging.getLogger("emptychair.api")
DETAIL_SCOPE_KEY = "emptychair.audit_detail"


def audit_detail(request: Request, detail: str) -> None:
    """Add a non-personal detail (job id, run id, row count) to the request's audit row."""
    request.scope[DETAIL_SCOPE_KEY] = detail


def audit_event(request: Request, status: int) -> AuditEvent | None:
    """The audit row of a finished request, ``None`` when it is not audited."""
    mark = request.scope.get(AUDIT_SCOPE_KEY)
    if not isinstance(mark, AuditMark):
        return None
    outcome = outcome_of(status)
    if mark.minimum is Role.VIEWER and outcome != "denied":
        return None
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    tags = getattr(route, "tags", None) or [None]
    customer = request.scope.get("path_params", {}).get("customer_id")
    return AuditEvent(
        account=mark.account,
        role=mark.role,
        action=f"{request.method} {template}",
        outcome=outcome,
        resource=str(tags[0]) if tags[0] else None,
        customer_id=customer,
        status=status,
        detail=request.scope.get(DETAIL_SCOPE_KEY),
    )


class AuditMiddleware(BaseHTTPMiddleware):
    """Records the audit row once the route has answered."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        try:
            response = await call_next(request)
        except Exception:
            await self._record(request, 500)
            raise
        if not await self._record(request, response.status_code):
            # A request that cannot be audited must not be answered as if it were.
            return problem_response(500, "the audit log could not be written")
        return response

    @staticmethod
    async def _record(request: Request, status: int) -> bool:
        """Write the request's audit row, if it has one; ``False`` when writing failed."""
        event = audit_event(request, status)
        if event is None:
            return True
        connections = server_state(request).connections
        try:
            await run_in_threadpool(lambda: record(connections.reader(), event))
        except Exception:
            logger.exception("audit log write failed for %s", event.action)
            return False
        return True
