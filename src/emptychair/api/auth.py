"""Bearer tokens to accounts, and the role each route requires.

Every protected route depends on a :class:`RoleGate`; the gate checks the token, the
account's role, and marks the request for the audit log. A client that fails to
authenticate too often is told to slow down (429).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from emptychair.accounts import Account, Role, authenticate
from emptychair.accounts.tokens import hash_token
from emptychair.api.problems import ProblemError
from emptychair.api.state import ServerState, server_state
from emptychair.workspace import Workspace

AUDIT_SCOPE_KEY = "emptychair.audit"
bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer ec_...`")


class FailedLogins:
    """Failed authentications per client address over a sliding window.

    Parameters
    ----------
    limit
        Failures allowed in ``window_seconds`` before the client gets 429 answers.
    window_seconds
        Length of the window.
    """

    def __init__(self, limit: int = 20, window_seconds: float = 60.0) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        while failures and failures[0] <= now - self.window_seconds:
            failures.popleft()
        return failures

    def retry_after(self, client: str) -> int:
        """Seconds the client must wait, 0 when it may try."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(client, now)
            if len(failures) < self.limit:
                return 0
            return max(1, int(failures[0] + self.window_seconds - now) + 1)

    def fail(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(client, now).append(now)


class TokenCache:
    """Accounts of recently seen tokens, so a request costs no account lookup.

    Keyed by the token's hash; entries live ``seconds`` and the whole cache is cleared
    whenever an account changes through the API (while the server runs, it is the only
    process that can change accounts).
    """

    def __init__(self, seconds: float = 30.0) -> None:
        self.seconds = seconds
        self._entries: dict[str, tuple[float, Account]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Account | None:
        key = hash_token(token)
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, token: str, account: Account) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[hash_token(token)] = (time.monotonic() + self.seconds, account)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass(frozen=True)
class Caller:
    """The account behind a request, and how it may see the data."""

    account: Account
    state: ServerState

    @property
    def role(self) -> Role:
        return self.account.role

    @property
    def masked(self) -> bool:
        """Whether personal fields must be masked for this caller."""
        return not self.account.role.sees_personal_data

    def workspace(self) -> Workspace:
        """The calling thread's reading workspace (call it inside the route)."""
        return self.state.connections.reader()


@dataclass(frozen=True)
class AuditMark:
    """What the audit log needs to know about a gated request."""

    account: str
    role: str
    minimum: Role


class RoleGate:
    """A dependency that lets through accounts whose role is at least ``minimum``."""

    def __init__(self, minimum: Role) -> None:
        self.minimum = minimum

    def __call__(
        self,
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Caller:
        state = server_state(request)
        client = request.client.host if request.client else "unknown"
        wait = state.failed_logins.retry_after(client)
        if wait:
            raise ProblemError(
                429,
                f"too many failed authentications from this client: retry in {wait} s",
                headers={"Retry-After": str(wait)},
            )
        challenge = {"WWW-Authenticate": "Bearer"}
        if credentials is None:
            raise ProblemError(401, "send an API token: 'Authorization: Bearer ec_...'", challenge)
        token = credentials.credentials
        account = state.tokens.get(token)
        if account is None:
            account = authenticate(state.connections.reader(), token)
            if account is not None:
                state.tokens.put(token, account)
        if account is None:
            state.failed_logins.fail(client)
            raise ProblemError(
                401, "the token is unknown, revoked or belongs to a disabled account", challenge
            )
        request.scope[AUDIT_SCOPE_KEY] = AuditMark(account.name, account.role.value, self.minimum)
        if not account.role.allows(self.minimum):
            raise ProblemError(
                403,
                f"this needs the {self.minimum.value} role; account {account.name!r} is "
                f"{account.role.value}",
            )
        return Caller(account, state)


ViewerCaller = Annotated[Caller, Depends(RoleGate(Role.VIEWER))]
AnalystCaller = Annotated[Caller, Depends(RoleGate(Role.ANALYST))]
AdminCaller = Annotated[Caller, Depends(RoleGate(Role.ADMIN))]


def route_minimum_role(route: APIRoute) -> Role | None:
    """The role a route requires, ``None`` when it declares no gate."""
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        if isinstance(dependency.call, RoleGate):
            return dependency.call.minimum
        pending.extend(dependency.dependencies)
    return None
