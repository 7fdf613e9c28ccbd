"""``/health``: is the server up and its workspace readable (no token needed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from emptychair._version import __version__
from emptychair.api.state import server_state

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The server answers and reads its workspace."""

    status: str
    version: str
    workspace: str


@router.get("/health", summary="Server health", response_model=Health)
def health(request: Request) -> Health:
    """Answers ``ok`` when the server can read its workspace; needs no token."""
    state = server_state(request)
    state.connections.reader().engine.execute(  # a real round trip to the database
        state.connections.reader().table("_batches").count()
    )
    return Health(
        status="ok", version=__version__, workspace=state.connections.primary.settings.name
    )
