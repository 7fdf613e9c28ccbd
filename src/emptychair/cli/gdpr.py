"""``emptychair gdpr``: access, erasure, retention, restriction, suppression, pseudonyms."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_frame, print_json, print_mapping, records
from emptychair.errors import InvalidParameterError

IdArgument = Annotated[str, typer.Argument(help="A customer id (any linked source record).")]


def _receipt_frame(frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame.drop(columns=["subject_hash"]).copy()
    shown["counts"] = shown["counts"].map(
        lambda counts: ", ".join(f"{t} {n}" for t, n in counts.items()) or "nothing left"
    )
    return shown


def _parse_day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidParameterError(f"--today {text!r}: give a date as YYYY-MM-DD") from None


def register(app: typer.Typer) -> None:
    """Add ``gdpr`` and ``consent`` to the main app."""
    from emptychair.cli import consent

    gdpr_app = typer.Typer(help="Personal-data rights: access, erasure, retention, restriction.")
    app.add_typer(gdpr_app, name="gdpr")
    consent.register(app)

    @gdpr_app.command("export")
    def export(
        customer_id: IdArgument,
        out: Annotated[Path, typer.Option("--out", help="Folder for the archive.")] = Path(),
        fmt: Annotated[str, typer.Option("--format", help="json or csv.")] = "json",
        workspace: WorkspaceOption = None,
        json: JsonOption = False,
    ) -> None:
        """Every row about a person, from every table, as a zip archive (right of access)."""
        from emptychair.privacy.access import export_person, read_export

        with open_workspace(workspace, read_only=True) as ws:
            path = export_person(ws, customer_id, out, fmt)
        manifest = read_export(path)["manifest"]
        if json:
            print_json({"archive": str(path), **manifest})
            return
        tables = pd.DataFrame(manifest["tables"])[["table", "rows", "file"]]
        print_frame(tables, title=f"Access archive {path}")

    @gdpr_app.command("erase")
    def erase(
        customer_id: IdArgument,
        yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
        reason: Annotated[str, typer.Option(help="Why (kept in the receipt).")] = "request",
        workspace: WorkspaceOption = None,
        json: JsonOption = False,
    ) -> None:
        """Remove a person everywhere, put them on the suppression list, keep a receipt."""
        from emptychair.privacy.erasure import erase_person

        if not yes and not typer.confirm(
            "Erase this person and every linked record? This cannot be undone."
        ):
            raise typer.Exit(1)
        with open_workspace(workspace) as ws:
            receipt = erase_person(ws, customer_id, reason=reason)
        if json:
            print_json(receipt.to_dict())
            return
        console.print(
            f"Erased: {receipt.records} customer record(s), {receipt.rows} rows "
            f"(receipt {receipt.receipt_id})"
        )
        counts = pd.DataFrame(
            {"table": list(receipt.counts), "rows": list(receipt.counts.values())}
        )
        print_frame(counts, title="Rows removed", empty="nothing left to erase")

    @gdpr_app.command("receipts")
    def receipts(
        customer: Annotated[
            str | None, typer.Option("--customer", help="Only the receipts of this customer id.")
        ] = None,
        workspace: WorkspaceOption = None,
        json: JsonOption = False,
    ) -> None:
        """Erasure receipts, newest first (no personal data: counts and a salted hash)."""
        from emptychair.privacy.erasure import erasure_receipts

        with open_workspace(workspace, read_only=True) as ws:
            frame = erasure_receipts(ws, customer)
        if json:
            print_json(frame)
        else:
            print_frame(_receipt_frame(frame), title="Erasure receipts", empty="no erasure yet")

    @gdpr_app.command("purge")
    def purge(
        years: Annotated[
            int | None, typer.Option(help="Retention period (default: [privacy] setting).")
        ] = None,
        apply: Annotated[
            bool, typer.Option("--apply", help="Erase (default: count only).")
        ] = False,
        today: Annotated[
            str | None, typer.Option(help="Count back from this day (YYYY-MM-DD).")
        ] = None,
        workspace: WorkspaceOption = None,
        json: JsonOption = False,
    ) -> None:
        """Persons whose last own contact is older than the retention period; --apply erases."""
        from emptychair.privacy.retention import purge_expired

        with open_workspace(workspace, read_only=not apply) as ws:
            report = purge_expired(ws, years, _parse_day(today), dry_run=not apply)
        if json:
            print_json(report.to_dict())
            return
        summary = report.to_dict()
        summary.pop("receipts")
        print_mapping(summary, title="Retention" + (" (dry run)" if report.dry_run else ""))
        if report.dry_run and report.persons:
            console.print("[dim]run again with --apply to erase them[/dim]")

    @gdpr_app.command("restrict")
    def restrict_command(
        customer_id: IdArgument,
        purpose: Annotated[
            str, typer.Option("--purpose", help="processing, marketing or profiling.")
        ],
        source: Annotated[str, typer.Option(help="Where the request came from.")] = "cli",
        lift: Annotated[bool, typer.Option("--lift", help="Lift the flag instead.")] = False,
        workspace: WorkspaceOption = None,
        json: JsonOption = False,
    ) -> None:
        """Set (or --lift) a restriction or objection flag for a customer."""
        from emptychair.privacy.restriction import restrict

        with open_workspace(workspace) as ws:
            change = restrict(ws, customer_id, purpose, source=source, restricted=not lift)
        if json:
            print_json(change.__dict__)
        else:
            state = "set" if change.restricted else "lifted"
            console.print(f"{change.purpose} flag {state} for {change.customer_id}")

    @gdpr_app.command("restrictions")
    def restrictions(
        customer: Annotated[
            str | None, typer.Option("--customer", help="The history of this customer id.")
        ] = None,
        workspace: WorkspaceOption = None,
        json: JsonOption = False,
    ) -> None:
        """Flags in force, or one customer's history of changes."""
        from emptychair.privacy.restriction import current_restrictions, restriction_history

        with open_workspace(workspace, read_only=True) as ws:
            if customer is None:
                frame = current_restrictions(ws)
            else:
                frame = restriction_history(ws, customer)
        if json:
            print_json(frame)
        else:
            print_frame(frame, title="Restrictions", empty="no flag")

    @gdpr_app.command("suppressed")
    def suppressed(workspace: WorkspaceOption = None, json: JsonOption = False) -> None:
        """How many identifiers are on the suppression list (counts only)."""
        from emptychair.privacy.suppression import suppression_summary

        with open_workspace(workspace, read_only=True) as ws:
            counts = suppression_summary(ws)
        if json:
            print_json(counts)
        else:
            print_mapping(counts, title="Suppression list (hashed identifiers)")

    @gdpr_app.command("pseudonymise")
    def pseudonymise(
        tables: Annotated[list[str], typer.Argument(help="Tables to export.")],
        out: Annotated[Path, typer.Option("--out", help="Folder for the files.")],
        fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
        workspace: WorkspaceOption = None,
        json: JsonOption = False,
    ) -> None:
        """Export tables with customer ids replaced by keyed tokens, personal columns dropped."""
        from emptychair.privacy.pseudonymise import pseudonymise_tables

        with open_workspace(workspace) as ws:
            export = pseudonymise_tables(ws, tables, out, fmt=fmt)
        frame = pd.DataFrame(
            {
                "table": list(export.files),
                "rows": [export.rows[t] for t in export.files],
                "file": [str(p) for p in export.files.values()],
                "dropped": [", ".join(export.dropped[t]) for t in export.files],
            }
        )
        if json:
            print_json({"folder": str(export.folder), "tables": records(frame)})
        else:
            print_frame(frame, title="Pseudonymised export")
