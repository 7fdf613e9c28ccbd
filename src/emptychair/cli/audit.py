"""``emptychair audit``: who read which customer and who changed what."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from emptychair.accounts import audit_entries
from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import print_frame, print_json
from emptychair.errors import InvalidParameterError


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidParameterError(
            f"--since {text!r}: write a date or a time, e.g. 2026-11-01 or 2026-11-01T08:00"
        ) from None


def register(app: typer.Typer) -> None:
    """Add ``emptychair audit``."""

    @app.command("audit")
    def audit(
        workspace: WorkspaceOption = None,
        user: Annotated[str | None, typer.Option(help="Only this account.")] = None,
        since: Annotated[
            str | None, typer.Option(help="From this date or time (UTC), YYYY-MM-DD[THH:MM].")
        ] = None,
        customer: Annotated[str | None, typer.Option(help="Only this customer id.")] = None,
        limit: Annotated[int, typer.Option(help="Most rows to show.")] = 100,
        json: JsonOption = False,
    ) -> None:
        """The audit log, newest first (while the server runs, use GET /audit)."""
        with open_workspace(workspace, read_only=True) as ws:
            rows, total = audit_entries(
                ws, account=user, since=_since(since), customer_id=customer, limit=limit
            )
        if json:
            print_json(rows)
            return
        print_frame(
            rows,
            title=f"Audit log ({len(rows)} of {total}, newest first)",
            empty="no audited action",
        )
