"""The FastAPI application over one workspace.

``create_app(path)`` opens the workspace (the server becomes its only writer), mounts one
router per domain, maps every error to ``problem+json`` and audits customer-level reads
and changes. ``emptychair serve`` runs it with uvicorn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from emptychair._version import __version__
from emptychair.accounts import ROLE_DESCRIPTIONS
from emptychair.api.auditing import AuditMiddleware
from emptychair.api.auth import FailedLogins, TokenCache
from emptychair.api.cache import RunCache
from emptychair.api.connections import WorkspaceConnections
from emptychair.api.jobs import JobRunner
from emptychair.api.problems import install_problem_handlers
from emptychair.api.routers import (
    actions,
    audit,
    customers,
    health,
    impact,
    imports,
    jobs,
    journeys,
    privacy,
    reports,
    scorecard,
    users,
)
from emptychair.api.routers import value as value_router
from emptychair.api.routers import voice as voice_router
from emptychair.api.state import ServerState
from emptychair.web.routes import install_dashboard

ROUTERS = (
    health.router,
    customers.router,
    value_router.router,
    voice_router.router,
    journeys.router,
    actions.router,
    impact.router,
    scorecard.router,
    reports.router,
    privacy.router,
    imports.router,
    jobs.router,
    users.router,
    audit.router,
)
DESCRIPTION = (
    "The customer's view of one Empty Chair workspace. Send an API token as "
    "`Authorization: Bearer ec_...` (create one with `emptychair user add`). Roles:\n\n"
    + "\n".join(f"- **{role.value}**: {text}" for role, text in ROLE_DESCRIPTIONS.items())
    + "\n\nErrors are `application/problem+json`; long work runs as jobs (`/jobs/{id}`)."
)
TAGS = [
    {"name": "health", "description": "Is the server up (no token)."},
    {"name": "customers", "description": "Search and the 360° view (analyst, admin)."},
    {"name": "value", "description": "Customer value runs: CLV, segments, tiers."},
    {"name": "voice", "description": "Voice of the customer runs: scores, themes, drivers."},
    {"name": "journeys", "description": "Journeys runs: variants, graph, frictions."},
    {"name": "actions", "description": "Customer-first decisions, overrides, harmful practices."},
    {"name": "impact", "description": "Driver tree, what-if scenarios, initiatives measured."},
    {"name": "scorecard", "description": "Outcomes beside productivity per team and channel."},
    {"name": "reports", "description": "The board brief, HTML or PDF."},
    {"name": "privacy", "description": "Access, erasure, restriction and consents (admin)."},
    {"name": "imports", "description": "Import files in the background (admin)."},
    {"name": "jobs", "description": "Background imports and analyses (admin)."},
    {"name": "users", "description": "Accounts and tokens (admin)."},
    {"name": "audit", "description": "Who read or changed what (admin)."},
]


def create_app(workspace_path: str | Path, *, failed_login_limit: int = 20) -> FastAPI:
    """The API over the workspace at ``workspace_path``.

    Parameters
    ----------
    workspace_path
        The workspace folder; the server holds its database for writing while it runs.
    failed_login_limit
        Failed authentications a client may make per minute before getting 429 answers.

    Returns
    -------
    The FastAPI app; its lifespan closes the workspace when the server stops.
    """
    connections = WorkspaceConnections(workspace_path)
    # uploads of imports lost when the server last stopped (their jobs died with it)
    imports.remove_stale_uploads(connections.path)
    runs = RunCache()
    state = ServerState(
        connections=connections,
        jobs=JobRunner(connections.primary, on_finished=runs.new_runs),
        failed_logins=FailedLogins(limit=failed_login_limit),
        tokens=TokenCache(),
        runs=runs,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    app = FastAPI(
        title="Empty Chair API",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.server = state
    install_problem_handlers(app, hide=str(connections.path.resolve()))
    app.add_middleware(AuditMiddleware)
    for router in ROUTERS:
        app.include_router(router)
    install_dashboard(app)
    return app
