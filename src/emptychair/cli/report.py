"""``emptychair report``: the board brief, in French or English, as HTML or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_json


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(
        workspace: WorkspaceOption = None,
        lang: Annotated[
            str, typer.Option("--lang", help="Language of the brief: fr or en.")
        ] = "en",
        fmt: Annotated[
            str, typer.Option("--format", help="html (self-contained) or pdf (needs Chromium).")
        ] = "html",
        output: Annotated[
            Path | None,
            typer.Option(
                "--output",
                "-o",
                help="File to write (default: WORKSPACE/reports/brief-LANG.FORMAT).",
            ),
        ] = None,
        json_output: JsonOption = False,
    ) -> None:
        """Write the one- to two-page brief for leadership: findings with their sources, charts."""
        from emptychair.report import write_brief

        with open_workspace(workspace, read_only=True) as ws:
            target = output or ws.path / "reports" / f"brief-{lang}.{fmt}"
            written = write_brief(ws, target, lang, fmt)
        if json_output:
            print_json({"written": str(written), "language": lang, "format": fmt})
            return
        console.print(f"brief written: {written}")
