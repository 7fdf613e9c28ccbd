"""``/users``: accounts and their tokens (admin). Tokens are shown once, in the answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from emptychair.accounts import (
    Account,
    Role,
    add_account,
    disable_account,
    get_account,
    list_accounts,
    new_token,
)
from emptychair.api.auditing import audit_detail
from emptychair.api.auth import AdminCaller
from emptychair.api.frames import records
from emptychair.api.problems import PROBLEM_RESPONSES, problem_doc

router = APIRouter(prefix="/users", tags=["users"], responses=PROBLEM_RESPONSES)
AccountName = Annotated[str, Path(min_length=1, max_length=64, description="Account name.")]


class AccountOut(BaseModel):
    """An account (never its tokens: only their public prefixes)."""

    name: str
    role: Role
    created_at: datetime
    disabled_at: datetime | None = None
    active_tokens: int | None = None
    prefixes: str | None = Field(default=None, description="Public prefixes of live tokens.")


class NewAccount(BaseModel):
    """An account to create."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
    role: Role


class IssuedToken(BaseModel):
    """A token, shown this once: store it now, the server keeps only its hash."""

    account: AccountOut
    token: str


def _out(account: Account) -> AccountOut:
    return AccountOut(
        name=account.name,
        role=account.role,
        created_at=account.created_at,
        disabled_at=account.disabled_at,
    )


@router.get("", summary="Accounts", response_model=list[AccountOut])
def accounts(caller: AdminCaller) -> list[AccountOut]:
    """Every account, its role and how many live tokens it has."""
    return [AccountOut.model_validate(r) for r in records(list_accounts(caller.workspace()))]


@router.post(
    "",
    summary="Create an account",
    status_code=201,
    response_model=IssuedToken,
    responses=problem_doc(400),
)
def create_account(caller: AdminCaller, request: Request, new: NewAccount) -> IssuedToken:
    """Create an account and its first token (shown once)."""
    account, token = add_account(caller.workspace(), new.name, new.role)
    audit_detail(request, f"account {account.name} ({account.role.value}) created")
    return IssuedToken(account=_out(account), token=token)


@router.post(
    "/{name}/disable",
    summary="Disable an account",
    response_model=AccountOut,
    responses=problem_doc(404),
)
def disable(caller: AdminCaller, request: Request, name: AccountName) -> AccountOut:
    """Disable the account and revoke all its tokens (doing it twice changes nothing)."""
    account = disable_account(caller.workspace(), name)
    caller.state.tokens.clear()
    audit_detail(request, f"account {account.name} disabled")
    return _out(account)


@router.post(
    "/{name}/tokens",
    summary="Issue a token",
    status_code=201,
    response_model=IssuedToken,
    responses=problem_doc(400, 404),
)
def issue(caller: AdminCaller, request: Request, name: AccountName) -> IssuedToken:
    """A further token for the account (shown once; earlier tokens stay valid)."""
    workspace = caller.workspace()
    token = new_token(workspace, name)
    audit_detail(request, f"token issued to {name}")
    return IssuedToken(account=_out(get_account(workspace, name)), token=token)
