"""``emptychair customer`` and ``emptychair identity``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from emptychair.cli.options import JsonOption, MaskOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_frame, print_json, print_mapping, records
from emptychair.customers import Customer360
from emptychair.identity import explain, relink, unmerge

IdArgument = Annotated[str, typer.Argument(help="A customer id (any linked source record).")]


def customer_json(view: Customer360, limit: int) -> dict[str, Any]:
    return {
        "customer_id": view.customer_id,
        "records": view.records,
        "profile": view.profile,
        "summary": view.summary,
        "consents": records(view.consents),
        "timeline": records(view.timeline.head(limit)),
        "timeline_total": len(view.timeline),
    }


def print_customer(view: Customer360, limit: int) -> None:
    title = f"Customer {view.customer_id}"
    if len(view.records) > 1:
        title += f" (records {', '.join(view.records)})"
    print_mapping({k: v for k, v in view.profile.items() if v is not None}, title=title)
    print_mapping(view.summary, title="Summary")
    print_frame(
        view.consents.drop(columns="customer_id"), title="Consents", empty="no consent recorded"
    )
    events = view.timeline.head(limit).drop(columns="customer_id")
    if len(view.records) == 1:
        shown = events
    else:
        shown = view.timeline.head(limit).rename(columns={"customer_id": "record"})
    shown = shown.dropna(axis="columns", how="all")
    print_frame(
        shown,
        title=f"Timeline, newest first ({min(limit, len(view.timeline))} of {len(view.timeline)})",
        empty="no events",
    )


def register(app: typer.Typer) -> None:
    customer_app = typer.Typer(help="One customer's 360° view, and customer search.")
    app.add_typer(customer_app, name="customer")

    @customer_app.command("show")
    def show(
        customer_id: IdArgument,
        workspace: WorkspaceOption = None,
        limit: Annotated[int, typer.Option(help="Timeline events to show.")] = 50,
        mask: MaskOption = False,
        json: JsonOption = False,
    ) -> None:
        """Profile, consents and every order, contact, answer and complaint, newest first."""
        with open_workspace(workspace, read_only=True) as ws:
            view = ws.customer(customer_id)
        if mask:
            view = view.masked()
        if json:
            print_json(customer_json(view, limit))
        else:
            print_customer(view, limit)

    @customer_app.command("search")
    def search(
        text: Annotated[str, typer.Argument(help="Part of an id, e-mail, phone or name.")],
        workspace: WorkspaceOption = None,
        limit: Annotated[int, typer.Option(help="Most results to show.")] = 20,
        mask: MaskOption = False,
        json: JsonOption = False,
    ) -> None:
        """Find customers by id, e-mail, phone or name (case and accents ignored)."""
        with open_workspace(workspace, read_only=True) as ws:
            found = ws.search_customers(text, limit=limit, mask=mask)
        columns = ["customer_id", "golden_id", "first_name", "last_name", "email", "country"]
        if json:
            print_json(found)
        else:
            print_frame(
                found[columns] if len(found) else found, title="Customers", empty="no match"
            )

    identity_app = typer.Typer(help="Which source records are the same person, and why.")
    app.add_typer(identity_app, name="identity")

    @identity_app.command("resolve")
    def resolve(workspace: WorkspaceOption = None, json: JsonOption = False) -> None:
        """Recompute the links between customer records (imports do this already)."""
        with open_workspace(workspace) as ws:
            batch_id, linked = relink(ws)
        if json:
            print_json({"batch_id": batch_id, "linked_records": linked})
        else:
            console.print(f"{linked} customer records are linked to another record")

    @identity_app.command("explain")
    def explain_command(
        customer_id: IdArgument, workspace: WorkspaceOption = None, json: JsonOption = False
    ) -> None:
        """The records merged into this customer and the rule that linked each."""
        with open_workspace(workspace, read_only=True) as ws:
            frame = explain(ws, customer_id)
        if json:
            print_json(frame)
        else:
            print_frame(frame, title=f"Identity of {customer_id}")

    @identity_app.command("unmerge")
    def unmerge_command(
        customer_id: IdArgument, workspace: WorkspaceOption = None, json: JsonOption = False
    ) -> None:
        """Take a record out of its group for good (it will not be linked again)."""
        with open_workspace(workspace) as ws:
            batch_id = unmerge(ws, customer_id)
        if json:
            print_json({"customer_id": customer_id, "batch_id": batch_id})
        else:
            console.print(f"{customer_id} now stands alone (batch {batch_id})")
