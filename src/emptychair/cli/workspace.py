"""``emptychair init``, ``status`` and ``batches``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_frame, print_json
from emptychair.schema import TABLES
from emptychair.workspace import Workspace


def status_counts(workspace: Workspace) -> dict[str, int]:
    counts = {name: workspace.count(name) for name in TABLES}
    counts["quarantined problems"] = workspace.count("_quarantine")
    links = workspace.table("_customer_links")
    counts["linked customer records"] = int(workspace.engine.execute(links.count()))
    return counts


def register(app: typer.Typer) -> None:
    @app.command()
    def init(
        directory: Annotated[
            Path | None, typer.Argument(help="Folder to create (default: the current folder).")
        ] = None,
        json: JsonOption = False,
    ) -> None:
        """Create a workspace: a settings file and one database, in a folder."""
        folder = directory or Path.cwd()
        with Workspace.init(folder) as workspace:
            if json:
                print_json(
                    {"workspace": str(workspace.path.resolve()), "tables": workspace.tables()}
                )
                return
            console.print(f"Workspace ready in [bold]{workspace.path.resolve()}[/bold]")
            console.print(f"Next: [bold]emptychair import customers FILE[/bold] -w {folder}")

    @app.command()
    def status(workspace: WorkspaceOption = None, json: JsonOption = False) -> None:
        """Rows per table, quarantined problems and linked customer records."""
        with open_workspace(workspace, read_only=True) as ws:
            counts = status_counts(ws)
        if json:
            print_json(counts)
            return
        import pandas as pd

        print_frame(
            pd.DataFrame({"table": list(counts), "rows": list(counts.values())}),
            title=f"Workspace {ws.path}",
        )

    @app.command()
    def batches(
        workspace: WorkspaceOption = None,
        limit: Annotated[int, typer.Option(help="How many to show, newest first.")] = 20,
        json: JsonOption = False,
    ) -> None:
        """Every write made to the workspace: when, what, from which file, by which version."""
        with open_workspace(workspace, read_only=True) as ws:
            frame = ws.batches().head(limit)
        columns = [
            "batch_id",
            "kind",
            "table_name",
            "source_file",
            "rows_read",
            "rows_loaded",
            "rows_updated",
            "rows_unchanged",
            "rows_quarantined",
            "library_version",
        ]
        if json:
            print_json(frame)
            return
        print_frame(frame[columns], title="Batches", empty="no writes yet")
