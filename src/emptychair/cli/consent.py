"""``emptychair consent``: grant, withdraw and show consents, with their history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_frame, print_json, records
from emptychair.errors import InvalidParameterError

IdArgument = Annotated[str, typer.Argument(help="A customer id.")]
PurposeArgument = Annotated[
    str,
    typer.Argument(help="email, sms, phone, mail, push, profiling or third_party."),
]
SourceOption = Annotated[str, typer.Option(help="Where the decision was collected.")]
WordingOption = Annotated[
    str | None, typer.Option("--wording", help="Version of the text the person saw.")
]
ChannelOption = Annotated[
    str | None, typer.Option(help="Channel it was collected on (web, store, phone...).")
]
AtOption = Annotated[
    str | None, typer.Option("--at", help="When (ISO date and time, UTC; default now).")
]


def _parse_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidParameterError(f"--at {text!r}: give a time as YYYY-MM-DDTHH:MM") from None


def register(app: typer.Typer) -> None:
    """Add ``consent`` to the main app."""
    consent_app = typer.Typer(help="The consent registry: decisions per purpose, with history.")
    app.add_typer(consent_app, name="consent")

    def decide(
        granted: bool,
        customer_id: str,
        purpose: str,
        source: str,
        wording: str | None,
        channel: str | None,
        at: str | None,
        workspace: WorkspaceOption,
        json: bool,
    ) -> None:
        from emptychair.privacy.consent import grant, withdraw

        record = grant if granted else withdraw
        with open_workspace(workspace) as ws:
            decision = record(
                ws,
                customer_id,
                purpose,
                source=source,
                wording_version=wording,
                channel=channel,
                at=_parse_time(at),
            )
        if json:
            print_json(decision.__dict__)
        else:
            verb = "granted" if granted else "withdrawn"
            console.print(f"{purpose} consent {verb} for {customer_id} ({decision.batch_id})")

    @consent_app.command("grant")
    def grant_command(
        customer_id: IdArgument,
        purpose: PurposeArgument,
        source: SourceOption = "cli",
        wording: WordingOption = None,
        channel: ChannelOption = None,
        at: AtOption = None,
        workspace: WorkspaceOption = None,
        json: JsonOption = False,
    ) -> None:
        """Record that a customer gives consent for a purpose."""
        decide(True, customer_id, purpose, source, wording, channel, at, workspace, json)

    @consent_app.command("withdraw")
    def withdraw_command(
        customer_id: IdArgument,
        purpose: PurposeArgument,
        source: SourceOption = "cli",
        wording: WordingOption = None,
        channel: ChannelOption = None,
        at: AtOption = None,
        workspace: WorkspaceOption = None,
        json: JsonOption = False,
    ) -> None:
        """Record that a customer withdraws consent for a purpose (as easy as granting)."""
        decide(False, customer_id, purpose, source, wording, channel, at, workspace, json)

    @consent_app.command("show")
    def show(
        customer_id: IdArgument,
        history: Annotated[bool, typer.Option("--history", help="Every decision.")] = False,
        workspace: WorkspaceOption = None,
        json: JsonOption = False,
    ) -> None:
        """A customer's current consent per purpose (--history: every decision, newest first)."""
        from emptychair.privacy.consent import consent_history, current_consents

        with open_workspace(workspace, read_only=True) as ws:
            if history:
                frame = consent_history(ws, customer_id)
            else:
                frame = current_consents(ws, [customer_id])
        frame = frame.drop(columns="customer_id")
        if json:
            print_json({"customer_id": customer_id, "history": history, "consents": records(frame)})
        else:
            title = "Consent history" if history else "Current consents"
            print_frame(frame, title=f"{title} of {customer_id}", empty="no consent recorded")
