"""What a running server holds: its workspace connections, jobs and login limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import anyio
from fastapi import Request

Answer = TypeVar("Answer")

if TYPE_CHECKING:
    from emptychair.api.auth import FailedLogins, TokenCache
    from emptychair.api.cache import RunCache
    from emptychair.api.connections import WorkspaceConnections
    from emptychair.api.jobs import JobRunner


@dataclass
class ServerState:
    """The server's long-lived objects, kept on ``app.state.server``."""

    connections: WorkspaceConnections
    jobs: JobRunner
    failed_logins: FailedLogins
    tokens: TokenCache
    runs: RunCache
    #: Customer reads running at once: a few, so that the database works on some while
    #: Python prepares others, and threads stay free for the quick routes (aggregates,
    #: jobs, health).
    customer_reads: int = 4
    _limiter: anyio.CapacityLimiter | None = field(default=None, init=False, repr=False)

    async def run_customer_read(self, work: Callable[[], Answer]) -> Answer:
        """Run ``work`` in a worker thread, at most :attr:`customer_reads` at a time."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.customer_reads)
        return await anyio.to_thread.run_sync(work, limiter=self._limiter)

    def close(self) -> None:
        self.jobs.shutdown()
        self.connections.close()


def server_state(request: Request) -> ServerState:
    """The state of the app answering ``request``."""
    state: ServerState = request.app.state.server
    return state
