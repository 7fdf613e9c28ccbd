"""``emptychair user``: accounts and API tokens of a workspace."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from emptychair.accounts import (
    AuditEvent,
    Role,
    add_account,
    disable_account,
    ensure_account_tables,
    list_accounts,
    new_token,
    record,
)
from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_frame, print_json
from emptychair.workspace import Workspace

NameArgument = Annotated[str, typer.Argument(help="Account name (letters, digits, . _ @ -).")]


def _audit(workspace: Workspace, action: str, detail: str) -> None:
    """Record a change made from the command line; the operator is the system user."""
    ensure_account_tables(workspace)
    record(
        workspace,
        AuditEvent(
            account=f"cli:{getpass.getuser()}",
            role="admin",
            action=action,
            outcome="allowed",
            resource="users",
            detail=detail,
        ),
    )


def _show_token(name: str, token: str, json: bool) -> None:
    if json:
        print_json({"account": name, "token": token})
        return
    console.print(f"token for [bold]{name}[/bold] (shown once, store it now):")
    # Plain print: no wrapping or markup may alter the token.
    print(token)


def register(app: typer.Typer) -> None:
    """Add ``emptychair user add|list|disable|token``."""
    user_app = typer.Typer(help="Accounts and API tokens (stop the server first).")
    app.add_typer(user_app, name="user")

    @user_app.command("add")
    def add(
        name: NameArgument,
        role: Annotated[str, typer.Option(help="viewer, analyst or admin.")] = "viewer",
        workspace: WorkspaceOption = None,
        json: JsonOption = False,
    ) -> None:
        """Create an account and print its first API token, once."""
        chosen = Role.parse(role)
        with open_workspace(workspace) as ws:
            account, token = add_account(ws, name, chosen)
            _audit(ws, "user add", f"account {account.name} ({chosen.value}) created")
        _show_token(account.name, token, json)

    @user_app.command("list")
    def list_command(workspace: WorkspaceOption = None, json: JsonOption = False) -> None:
        """Accounts, their roles and the public prefixes of their live tokens."""
        with open_workspace(workspace, read_only=True) as ws:
            frame = list_accounts(ws)
        if json:
            print_json(frame)
        else:
            print_frame(frame, title="Accounts", empty="no account yet: `emptychair user add`")

    @user_app.command("disable")
    def disable(
        name: NameArgument, workspace: WorkspaceOption = None, json: JsonOption = False
    ) -> None:
        """Disable an account and revoke all its tokens."""
        with open_workspace(workspace) as ws:
            account = disable_account(ws, name)
            _audit(ws, "user disable", f"account {name} disabled")
        if json:
            print_json({"account": name, "disabled_at": account.disabled_at})
        else:
            console.print(f"{name} is disabled; its tokens no longer work")

    @user_app.command("token")
    def token(
        name: NameArgument, workspace: WorkspaceOption = None, json: JsonOption = False
    ) -> None:
        """Issue a further token for an account and print it, once."""
        with open_workspace(workspace) as ws:
            issued = new_token(ws, name)
            _audit(ws, "user token", f"token issued to {name}")
        _show_token(name, issued, json)
